// Acting as the authenticated caller (issue 11): the actor of a request that came through a
// front end which authenticates people is its principal, never what the request says.
#pragma once

#include "ocop/accounts.hpp"
#include "ocop/executor.hpp"
#include "ocop/status.hpp"

namespace ocop {

// Makes `req` act as `who`: an empty actor becomes the principal's user; another user's name
// is forbidden ("the request's actor X is not the signed-in user Y"), and `req` is unchanged.
Status act_as(const Principal& who, EventRequest& req);

}  // namespace ocop
