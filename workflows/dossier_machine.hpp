// The dossier machine (spec §2) in Boost.MSM, behind the engine's Lifecycle port.
// Its transition table lives in dossier_machine.cpp, the only file that includes MSM.
#pragma once

#include <memory>

#include "ocop/lifecycle.hpp"

namespace ocop::workflows {

// One instance can be shared by all threads. fire() lets anything a guard or action throws
// propagate unchanged (the context may then hold a partly applied transition: discard it).
// Not for use during static initialisation: MSM's dispatch tables are themselves statics.
std::unique_ptr<Lifecycle> make_dossier_lifecycle();

}  // namespace ocop::workflows
