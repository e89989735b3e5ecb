#include "ocop/acting.hpp"

namespace ocop {

Status act_as(const Principal& who, EventRequest& req) {
  if (who.user.empty()) return Status::Forbidden("no signed-in user");
  if (!req.actor.empty() && req.actor != who.user)
    return Status::Forbidden("the request's actor \"" + req.actor + "\" is not the signed-in user \"" + who.user +
                             "\": a request acts as whoever signed in");
  req.actor = who.user;
  return Status::Ok();
}

}  // namespace ocop
