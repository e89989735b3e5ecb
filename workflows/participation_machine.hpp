// A participation's machine (spec §10.1: one product at one promotion activity) in Boost.MSM,
// behind the engine's ParticipationLifecycle port. Its transition table lives in
// participation_machine.cpp, the only file that includes MSM for it (each machine has its own
// translation unit).
#pragma once

#include <memory>

#include "ocop/promotion_lifecycle.hpp"

namespace ocop::workflows {

// One instance can be shared by all threads. Not for use during static initialisation: MSM's
// dispatch tables are themselves statics.
std::unique_ptr<ParticipationLifecycle> make_participation_lifecycle();

}  // namespace ocop::workflows
