#include "ocop/config.hpp"

#include <algorithm>

namespace ocop {

void Config::index() {
  unit_index_.clear();
  user_index_.clear();
  producers_with_email_.clear();
  any_user_email_ = false;
  for (size_t i = 0; i < units.size(); ++i) unit_index_.emplace(units[i].code, i);
  for (size_t i = 0; i < users.size(); ++i) {
    User& u = users[i];
    u.events = 0;
    for (const auto& r : u.roles) {
      auto it = roles.find(r);
      if (it != roles.end()) u.events |= it->second;
    }
    user_index_.emplace(u.id, i);
    if (u.email.empty()) continue;
    any_user_email_ = true;
    if (std::find(u.roles.begin(), u.roles.end(), "producer") != u.roles.end())
      producers_with_email_[u.unit].push_back(i);
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

std::vector<const User*> Config::producers_with_email(const std::string& unit) const {
  std::vector<const User*> out;
  auto it = producers_with_email_.find(unit);
  if (it != producers_with_email_.end())
    for (size_t i : it->second) out.push_back(&users[i]);
  return out;
}

const Unit* Config::unit(const std::string& code) const {
  auto it = unit_index_.find(code);
  return it == unit_index_.end() ? nullptr : &units[it->second];
}

const Unit* Config::unit_on(const std::string& code, Date day) const {
  const Unit* u = unit(code);
  for (int hops = 0; u && hops < 16; ++hops) {
    if (u->valid_on(day)) return u;
    if (u->valid_from && day < *u->valid_from) return nullptr;  // not created yet
    if (u->successor.empty()) return nullptr;
    u = unit(u->successor);
  }
  return nullptr;
}

std::vector<const Unit*> Config::ancestors_on(const std::string& code, Date day) const {
  std::vector<const Unit*> out;
  const Unit* u = unit_on(code, day);
  if (!u) u = unit(code);
  for (int depth = 0; u && !u->parent.empty() && depth < 16; ++depth) {
    const Unit* p = unit(u->parent);
    if (!p) break;
    if (const Unit* now = unit_on(p->code, day)) {
      if (std::find(out.begin(), out.end(), now) == out.end()) out.push_back(now);
      u = now;
    } else {
      u = p;  // ended without a successor: skipped, its parent is next
    }
  }
  return out;
}

bool Config::in_scope(const std::string& actor_unit, const std::string& code, Date day) const {
  const Unit* own = unit_on(code, day);
  if (!own) own = unit(code);
  if (own && own->code == actor_unit) return true;
  for (const Unit* a : ancestors_on(code, day))
    if (a->code == actor_unit) return true;
  return false;
}

std::vector<std::string> Config::units_under(const std::string& code, Date day) const {
  std::vector<std::string> out;
  for (const Unit& u : units) {
    bool under = u.code == code || in_scope(code, u.code, day);
    const Unit* p = &u;
    for (int depth = 0; !under && p && !p->parent.empty() && depth < 16; ++depth) {  // as written
      under = p->parent == code;
      p = unit(p->parent);
    }
    if (under) out.push_back(u.code);
  }
  std::sort(out.begin(), out.end());
  return out;
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
