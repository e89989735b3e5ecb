// The promotion activity's machine (spec §10.1) in Boost.MSM, behind the engine's
// ActivityLifecycle port. Its transition table lives in activity_machine.cpp, the only file that
// includes MSM for it (each machine has its own translation unit).
#pragma once

#include <memory>

#include "ocop/promotion_lifecycle.hpp"

namespace ocop::workflows {

// One instance can be shared by all threads. Not for use during static initialisation: MSM's
// dispatch tables are themselves statics.
std::unique_ptr<ActivityLifecycle> make_activity_lifecycle();

}  // namespace ocop::workflows
