// The `security` section: sign-in sessions, throttling and the second factor (ocop/security.hpp,
// config/README.md). Optional; a key left out keeps its default. Runs after roles.
#include "config/yaml/loader.hpp"

namespace ocop::config::yaml {

void Loader::security(const Node& n, const Path& p) {
  if (!expect_map(n, p,
                  "a mapping {idle_minutes, absolute_hours, lockout_failures, lockout_minutes, address_failures, "
                  "min_password_length, invitation_hours, max_token_days, second_factor_roles, password_hashing}"))
    return;
  Fields f = fields(n, p,
                    {"idle_minutes", "absolute_hours", "lockout_failures", "lockout_minutes", "address_failures",
                     "min_password_length", "invitation_hours", "max_token_days", "second_factor_roles",
                     "password_hashing"});
  SessionPolicy& sp = cfg_.security;
  struct Bound {
    const char* key;
    int* field;
    long lo, hi;
  };
  const Bound bounds[] = {
      {"idle_minutes", &sp.idle_minutes, 1, 24 * 60},
      {"absolute_hours", &sp.absolute_hours, 1, 24 * 31},
      {"lockout_failures", &sp.lockout_failures, 1, 100},
      {"lockout_minutes", &sp.lockout_minutes, 1, 24 * 60},
      {"address_failures", &sp.address_failures, 1, 100000},
      {"min_password_length", &sp.min_password_length, 8, 64},
      {"invitation_hours", &sp.invitation_hours, 1, 24 * 31},
      {"max_token_days", &sp.max_token_days, 1, 3660},
  };
  for (const Bound& b : bounds)
    if (const Node* v = f.opt(b.key)) {
      const Path kp = p.key(b.key);
      if (auto x = integer(*v, kp, b.lo, b.hi)) *b.field = static_cast<int>(*x);
    }
  if (const Node* v = f.get("second_factor_roles")) {
    const Path kp = p.key("second_factor_roles");
    sp.second_factor_roles.clear();
    if (!v->is_null() && expect_seq(*v, kp, "a list of role names")) {
      for (size_t i = 0; i < v->items.size(); ++i) {
        const Path ip = kp[i];
        std::string role = code_text(v->items[i], ip, "role name");
        if (role.empty()) continue;
        if (!cfg_.roles.count(role)) {
          std::vector<std::string> names;
          for (const auto& [name, mask] : cfg_.roles) names.push_back(name);
          report(v->items[i], ip, "unknown role " + quote(role) + did_you_mean(role, names));
          continue;
        }
        sp.second_factor_roles.push_back(role);
      }
    }
  }
  if (const Node* v = f.opt("password_hashing")) {
    const Path kp = p.key("password_hashing");
    static const std::array<std::string_view, 2> kCosts = {"moderate", "interactive"};
    if (auto i = choice(*v, kp, kCosts, "password hashing cost")) sp.password_hashing = std::string(kCosts[*i]);
  }
}

}  // namespace ocop::config::yaml
