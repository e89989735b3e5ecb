// The inspection's machine (spec §10.2: hậu kiểm, the checks after recognition) in Boost.MSM,
// behind the engine's InspectionLifecycle port. Its transition table lives in
// inspection_machine.cpp, the only file that includes MSM for it (each machine has its own
// translation unit).
#pragma once

#include <memory>

#include "ocop/promotion_lifecycle.hpp"

namespace ocop::workflows {

// One instance can be shared by all threads. Not for use during static initialisation: MSM's
// dispatch tables are themselves statics.
std::unique_ptr<InspectionLifecycle> make_inspection_lifecycle();

}  // namespace ocop::workflows
