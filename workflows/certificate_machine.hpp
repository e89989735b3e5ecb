// The certificate machine (spec §3) in Boost.MSM, behind the engine's CertificateLifecycle
// port. Its transition table lives in certificate_machine.cpp, the only file that includes
// MSM for it (each machine has its own translation unit).
#pragma once

#include <memory>

#include "ocop/certificate_lifecycle.hpp"

namespace ocop::workflows {

// One instance can be shared by all threads. Not for use during static initialisation: MSM's
// dispatch tables are themselves statics.
std::unique_ptr<CertificateLifecycle> make_certificate_lifecycle();

}  // namespace ocop::workflows
