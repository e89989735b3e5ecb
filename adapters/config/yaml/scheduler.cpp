// The `scheduler` section.
#include "config/yaml/loader.hpp"

namespace ocop::config::yaml {

// The scheduler's identity: the configured user `ocop tick` fires certificate notices and
// expiries as (its audit records name it). Runs after users and roles. It also fires the
// activities' and inspections' dated events (spec §10: open_registration, close_registration,
// start_activity, finish_activity, remedy_overdue); those are not required of its roles here, so
// that a configuration written before §10 still loads (the loader has no warnings to give).
void Loader::scheduler(const Node& n, const Path& p) {
  if (!expect_map(n, p, "a mapping {actor}")) return;
  Fields f = fields(n, p, {"actor"});
  const Node* v = need(f, "actor", p);
  if (!v) return;
  const Path kp = p.key("actor");
  std::string id = code_text(*v, kp, "user id");
  if (id.empty()) return;
  const User* user = nullptr;
  for (const auto& u : cfg_.users())
    if (u.id == id) user = &u;
  if (!user) {
    report(*v, kp, "unknown user " + quote(id) + "; the scheduler acts as a configured user");
    return;
  }
  EventMask events = 0;
  for (const auto& r : user->roles)
    if (auto it = cfg_.roles.find(r); it != cfg_.roles.end()) events |= it->second;
  for (CertificateEvent e : {CertificateEvent::notice, CertificateEvent::expire})
    if (!(events & certificate_event_bit(e)))
      report(*v, kp,
             "user " + quote(id) + " may not fire " + std::string(to_string(e)) +
                 ": one of its roles must list notice and expire");
  cfg_.scheduler_actor = id;
}

}  // namespace ocop::config::yaml
