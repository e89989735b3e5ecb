#include "ocop/config.hpp"

#include <algorithm>

namespace ocop {

void Config::index() {
  unit_index_.clear();
  user_index_.clear();
  for (size_t i = 0; i < units.size(); ++i) unit_index_.emplace(units[i].code, i);
  for (size_t i = 0; i < users.size(); ++i) {
    User& u = users[i];
    u.events = 0;
    for (const auto& r : u.roles) {
      auto it = roles.find(r);
      if (it != roles.end()) u.events |= it->second;
    }
    user_index_.emplace(u.id, i);
  }
  std::stable_sort(rule_sets.begin(), rule_sets.end(),
                   [](const RuleSet& a, const RuleSet& b) { return a.effective_from < b.effective_from; });
}

const Unit* Config::unit(const std::string& code) const {
  auto it = unit_index_.find(code);
  return it == unit_index_.end() ? nullptr : &units[it->second];
}

const User* Config::user(const std::string& id) const {
  auto it = user_index_.find(id);
  return it == user_index_.end() ? nullptr : &users[it->second];
}

const RuleSet* Config::rule_set_on(Date day) const {
  const RuleSet* found = nullptr;
  for (const auto& rs : rule_sets) {
    if (rs.effective_from <= day && (!rs.effective_to || day <= *rs.effective_to)) found = &rs;
  }
  return found;
}

const RuleSet* Config::rule_set(const std::string& id) const {
  for (const auto& rs : rule_sets)
    if (rs.id == id) return &rs;
  return nullptr;
}

bool Config::unit_within(const std::string& ancestor, const std::string& code) const {
  const Unit* u = unit(code);
  for (int depth = 0; u && depth < 16; ++depth) {  // depth: a cycle in bad data cannot hang
    if (u->code == ancestor) return true;
    if (u->parent.empty()) break;
    u = unit(u->parent);
  }
  return false;
}

std::vector<std::string> Config::unit_and_descendants(const std::string& code) const {
  std::vector<std::string> out;
  if (!unit(code)) return out;
  for (const auto& u : units)
    if (unit_within(code, u.code)) out.push_back(u.code);
  return out;
}

}  // namespace ocop
