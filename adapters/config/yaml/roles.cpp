// The `roles` section: role name -> the events it may fire.
#include "config/yaml/loader.hpp"

namespace ocop::config::yaml {

void Loader::roles(const Node& n, const Path& p) {
  if (!expect_map(n, p, "a mapping role -> [events]")) return;
  static const std::vector<std::string_view> events = role_event_names();
  std::unordered_map<std::string_view, int> seen;
  for (size_t i = 0; i < n.map_size(); ++i) {
    const Node& k = n.key_at(i);
    const Node& v = n.value_at(i);
    if (!unique_key(seen, k, p)) continue;
    const Path rp = p.key(k.value);
    if (has_space(k.value)) report(k, rp, "role name " + quote(k.value) + " must not contain spaces");
    role_names_.push_back(k.value);
    EventMask mask = 0;
    if (!v.is_null() && expect_seq(v, rp, "a list of event names")) {
      for (size_t j = 0; j < v.items.size(); ++j) {
        const Node& ev = v.items[j];
        const Path ep = rp[j];
        const std::string* s = text(ev, ep);
        if (!s) continue;
        if (EventMask bit = event_bit_by_name(*s))
          mask |= bit;
        else if (*s == "supersede")
          report(ev, ep, "supersede is not fired by a role: a later recognition supersedes a certificate");
        else if (*s == "cancel_participation")
          report(ev, ep,
                 "cancel_participation is not fired by a role: revoking the certificate or cancelling the "
                 "activity cancels its participations");
        else
          report(ev, ep, "unknown event " + quote(*s) + did_you_mean(*s, events));
      }
    }
    cfg_.roles[k.value] = mask;
  }
  roles_loaded_ = true;
}

}  // namespace ocop::config::yaml
