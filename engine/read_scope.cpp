#include "ocop/read_scope.hpp"

#include <algorithm>

#include "ocop/authorize.hpp"

namespace ocop {

ReadScope ReadScope::unrestricted() {
  ReadScope s;
  s.operator_ = true;
  return s;
}

Status ReadScope::of_user(const Config& cfg, const std::string& user, Date day, ReadScope& out) {
  const User* u = cfg.user(user);
  if (!u) return Status::Forbidden("unknown user " + user);
  if (Status st = authorize_unit(cfg, *u, day); !st.ok()) return st;
  ReadScope s;
  s.user_ = u->id;
  s.unit_ = u->unit;
  std::vector<std::string> units = cfg.units_under(u->unit, day);  // sorted
  s.province_wide_ = std::binary_search(units.begin(), units.end(), cfg.province.code);
  if (!s.province_wide_) {
    s.activity_units_ = units;
    for (const Unit* a : cfg.ancestors_on(u->unit, day)) s.activity_units_.push_back(a->code);
    std::sort(s.activity_units_.begin(), s.activity_units_.end());
    s.activity_units_.erase(std::unique(s.activity_units_.begin(), s.activity_units_.end()),
                            s.activity_units_.end());
    s.units_ = std::move(units);
  }
  out = std::move(s);
  return Status::Ok();
}

bool ReadScope::sees(const std::string& unit) const {
  return whole() || std::binary_search(units_.begin(), units_.end(), unit);
}

bool ReadScope::sees_activity(const std::string& organiser) const {
  return whole() || std::binary_search(activity_units_.begin(), activity_units_.end(), organiser);
}

std::string ReadScope::describe() const {
  if (operator_) return "the operator";
  return user_ + " (unit " + unit_ + ")";
}

}  // namespace ocop
