// The `units` section: the administrative units over time, their parents and successors.
#include "config/yaml/loader.hpp"

namespace ocop::config::yaml {

void Loader::units(const Node& n, const Path& p) {
  if (!expect_seq(n, p, "a list of units")) return;
  if (n.items.empty()) {
    report(n, p, "at least one unit is required");
    return;
  }
  struct Aux {
    const Node* parent = nullptr;
    const Node* successor = nullptr;
    size_t entry = 0;
    bool level_ok = false;
  };
  std::vector<Aux> aux;
  aux.reserve(n.items.size());
  cfg_.mutable_units().reserve(n.items.size());
  unit_index_.reserve(n.items.size() * 2);

  for (size_t i = 0; i < n.items.size(); ++i) {
    const Node& item = n.items[i];
    const Path e = p[i];
    if (!expect_map(item, e, "a unit {code, name, level, ...}")) continue;
    Fields f =
        fields(item, e, {"code", "name", "level", "parent", "valid_from", "valid_to", "successor", "email"});
    Unit u;
    Aux a;
    a.entry = i;
    const Node* code = need(f, "code", e);
    if (code) {
      const Path kp = e.key("code");
      u.code = code_text(*code, kp, "unit code");
    }
    if (const Node* v = need(f, "name", e)) {
      const Path kp = e.key("name");
      if (auto s = text(*v, kp)) u.name = *s;
    }
    if (const Node* v = need(f, "level", e)) {
      const Path kp = e.key("level");
      if (auto l = choice(*v, kp, kLevelNames, "level")) {
        u.level = static_cast<UnitLevel>(*l);
        a.level_ok = true;
      }
    }
    a.parent = f.opt("parent");
    if (a.level_ok) {
      if (u.level == UnitLevel::central && a.parent) {
        const Path kp = e.key("parent");
        report(*a.parent, kp, "a central unit has no parent");
        a.parent = nullptr;
      } else if ((u.level == UnitLevel::district || u.level == UnitLevel::commune) && !a.parent) {
        need(f, "parent", e);
      }
    }
    if (a.parent) {
      const Path kp = e.key("parent");
      if (!text(*a.parent, kp)) a.parent = nullptr;
    }
    if (const Node* v = f.opt("valid_from")) {
      const Path kp = e.key("valid_from");
      u.valid_from = date(*v, kp);
    }
    if (const Node* v = f.opt("valid_to")) {
      const Path kp = e.key("valid_to");
      u.valid_to = date(*v, kp);
      if (u.valid_from && u.valid_to && *u.valid_to < *u.valid_from)
        report(*v, kp, "valid_to " + v->value + " is before valid_from " + format_date(*u.valid_from));
    }
    a.successor = f.opt("successor");
    if (a.successor) {
      const Path kp = e.key("successor");
      if (!text(*a.successor, kp)) {
        a.successor = nullptr;
      } else if (!f.opt("valid_to")) {
        report(*a.successor, kp, "a successor takes over after valid_to, but valid_to is not set");
        a.successor = nullptr;
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
    if (!u.code.empty()) {
      auto [it, inserted] = unit_index_.emplace(code->value, cfg_.mutable_units().size());
      if (inserted) {
        cfg_.mutable_units().push_back(std::move(u));
        unit_level_ok_.push_back(a.level_ok);
        aux.push_back(a);
      } else {
        const Path kp = e.key("code");
        // The first definition's line: its entry in the tree.
        int first_line = n.items[aux[it->second].entry].line;
        report(*code, kp,
               "duplicate unit code " + quote(code->value) + " (first at line " + std::to_string(first_line) +
                   ")");
      }
    }
  }
  units_loaded_ = true;

  // Cross-references inside the section.
  for (size_t k = 0; k < cfg_.mutable_units().size(); ++k) {
    Unit& u = cfg_.mutable_units()[k];
    const Aux& a = aux[k];
    const Path e = p[a.entry];
    if (a.parent) {
      const Path kp = e.key("parent");
      auto it = unit_index_.find(a.parent->value);
      if (it == unit_index_.end()) {
        report(*a.parent, kp, "unknown unit " + quote(a.parent->value));
      } else if (it->second == k) {
        report(*a.parent, kp, "a unit cannot be its own parent");
      } else {
        u.parent = a.parent->value;
        const Unit& parent = cfg_.mutable_units()[it->second];
        const Aux& pa = aux[it->second];
        if (a.level_ok && pa.level_ok) {
          bool ok = false;
          std::string_view expected;
          switch (u.level) {
            case UnitLevel::central:
              ok = true;
              break;
            case UnitLevel::province:
              ok = parent.level == UnitLevel::central;
              expected = "a central unit";
              break;
            case UnitLevel::district:
              ok = parent.level == UnitLevel::province;
              expected = "a province";
              break;
            case UnitLevel::commune:
              ok = parent.level == UnitLevel::district || parent.level == UnitLevel::province;
              expected = "a district or a province";
              break;
          }
          if (!ok)
            report(*a.parent, kp,
                   "parent " + quote(parent.code) + " is at the " + std::string(to_string(parent.level)) +
                       " level; a " + std::string(to_string(u.level)) + "'s parent must be " +
                       std::string(expected));
        }
      }
    }
    if (a.successor) {
      const Path kp = e.key("successor");
      auto it = unit_index_.find(a.successor->value);
      if (it == unit_index_.end()) {
        report(*a.successor, kp, "unknown unit " + quote(a.successor->value));
      } else if (it->second == k) {
        report(*a.successor, kp, "a unit cannot be its own successor");
      } else {
        u.successor = a.successor->value;
        const Unit& s = cfg_.mutable_units()[it->second];
        if (u.valid_to) {
          Date next = add_days(*u.valid_to, 1);
          if (!s.valid_on(next))
            report(*a.successor, kp,
                   "successor " + quote(s.code) + " is not valid on " + format_date(next) +
                       ", the day after valid_to");
        }
      }
    }
  }
}

}  // namespace ocop::config::yaml
