// The certificate's life (spec §3) as the engine sees it: a port that the Boost.MSM machine in
// workflows/certificate_machine.cpp implements (engine/ never includes MSM).
//
//   active   --notice-->    expiring      (the scheduler, expiry_notice_days before valid_until)
//   active, expiring --expire-->    expired     (the scheduler, on valid_until)
//   active, expiring --revoke-->    revoked     (a signer of the issuing level or above)
//   active, expiring --supersede--> superseded  (a later recognition of the same product)
//   expired, revoked, superseded: final, every event is refused.
//
// The machine owns only the structure (which event is allowed in which state). Who may fire
// an event, what it needs and what is written are the executor's: the machine has no guards
// and no actions, so a call is a pure function of (state, event).
#pragma once

#include <vector>

#include "ocop/names.hpp"

namespace ocop {

struct CertificateTransition {
  bool accepted = false;
  CertificateState to = CertificateState::active;  // meaningful only when accepted
};

class CertificateLifecycle {
 public:
  virtual ~CertificateLifecycle() = default;
  // Fires `event` at a certificate in `from`. Thread-safe: each call builds its own machine
  // and restores `from` without running entry actions. Refused (accepted = false) when the
  // state has no row for the event, or for a value outside the enums.
  virtual CertificateTransition fire(CertificateState from, CertificateEvent event) const = 0;
  // Events the table allows in `state`, in CertificateEvent order. For messages.
  virtual std::vector<CertificateEvent> allowed(CertificateState state) const = 0;
};

}  // namespace ocop
