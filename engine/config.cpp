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

const std::vector<std::string>* RuleSet::required_documents(Event ev, const std::string& group) const {
  if (!group.empty()) {
    auto g = documents_by_group.find(group);
    if (g != documents_by_group.end()) {
      auto it = g->second.find(ev);
      if (it != g->second.end()) return &it->second;
    }
  }
  auto it = documents.find(ev);
  return it == documents.end() ? nullptr : &it->second;
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

}  // namespace ocop
