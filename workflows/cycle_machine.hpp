// The cycle machine (spec §4) in Boost.MSM, behind the engine's CycleLifecycle port. Its
// transition table lives in cycle_machine.cpp, the only file that includes MSM for it.
#pragma once

#include <memory>

#include "ocop/cycle_lifecycle.hpp"

namespace ocop::workflows {

// One instance can be shared by all threads. Not for use during static initialisation.
std::unique_ptr<CycleLifecycle> make_cycle_lifecycle();

}  // namespace ocop::workflows
