// The `users` section.
#include "config/yaml/loader.hpp"

namespace ocop::config::yaml {

void Loader::users(const Node& n, const Path& p) {
  if (!expect_seq(n, p, "a list of users")) return;
  cfg_.mutable_users().reserve(n.items.size());
  std::unordered_map<std::string_view, int> ids;
  ids.reserve(n.items.size() * 2);
  std::unordered_set<std::string_view> known_roles(role_names_.begin(), role_names_.end());
  for (size_t i = 0; i < n.items.size(); ++i) {
    const Node& item = n.items[i];
    const Path e = p[i];
    if (!expect_map(item, e, "a user {id, name, roles, unit, ...}")) continue;
    Fields f = fields(item, e, {"id", "name", "roles", "unit", "email"});
    User u;
    if (const Node* v = need(f, "id", e)) {
      const Path kp = e.key("id");
      u.id = code_text(*v, kp, "user id");
      if (!u.id.empty()) {
        auto [it, inserted] = ids.emplace(v->value, v->line);
        if (!inserted) {
          report(*v, kp,
                 "duplicate user id " + quote(u.id) + " (first at line " + std::to_string(it->second) + ")");
          u.id.clear();
        }
      }
    }
    if (const Node* v = f.opt("name")) {
      const Path kp = e.key("name");
      if (auto s = text(*v, kp)) u.name = *s;
    }
    if (const Node* v = need(f, "roles", e)) {
      const Path kp = e.key("roles");
      if (expect_seq(*v, kp, "a list of role names")) {
        if (v->items.empty()) report(*v, kp, "a user needs at least one role");
        for (size_t j = 0; j < v->items.size(); ++j) {
          const Node& r = v->items[j];
          const Path rp = kp[j];
          const std::string* s = text(r, rp);
          if (!s) continue;
          if (roles_loaded_ && !known_roles.count(*s))
            report(r, rp, "unknown role " + quote(*s) + did_you_mean(*s, role_names_));
          else
            u.roles.push_back(*s);
        }
      }
    }
    if (const Node* v = need(f, "unit", e)) {
      const Path kp = e.key("unit");
      if (auto s = text(*v, kp)) {
        if (units_loaded_ && !unit_index_.count(*s))
          report(*v, kp, "unknown unit " + quote(*s));
        else
          u.unit = *s;
      }
    }
    if (const Node* v = f.opt("email")) {
      const Path kp = e.key("email");
      if (auto s = text(*v, kp)) {
        if (valid_email(*s))
          u.email = *s;
        else
          report(*v, kp, "invalid email address " + quote(*s));
      }
    }
    if (!u.id.empty()) cfg_.mutable_users().push_back(std::move(u));
  }
}

}  // namespace ocop::config::yaml
