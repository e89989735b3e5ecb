// The dossier machine (spec §2) in Boost.MSM, behind the engine's Lifecycle port.
// Its transition table lives in dossier_machine.cpp, the only file that includes MSM.
#pragma once

#include <memory>

#include "ocop/lifecycle.hpp"

namespace ocop::workflows {

std::unique_ptr<Lifecycle> make_dossier_lifecycle();

}  // namespace ocop::workflows
