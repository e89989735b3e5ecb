#include "config/config_snapshot.hpp"

#include <sys/stat.h>

#include <climits>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace ocop {

using nlohmann::json;

void to_json(json& j, const Date& d) { j = d.days; }
void from_json(const json& j, Date& d) { d.days = j.get<std::int32_t>(); }

}  // namespace ocop

namespace nlohmann {
template <typename T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& v) {
    if (v) j = *v;
    else j = nullptr;
  }
  static void from_json(const json& j, std::optional<T>& v) {
    if (j.is_null()) v.reset();
    else v = j.get<T>();
  }
};
}  // namespace nlohmann

namespace ocop {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Province, code, name, timezone, utc_offset_minutes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Unit, code, name, level, parent, valid_from, valid_to, successor, email)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(User, id, name, roles, unit, email)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ProductSet, code, group, name)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(StarBand, stars, min)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LevelRule, level, kind, quorum, recognizes, forward_min)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RuleSet, id, effective_from, effective_to, parts, stars, rounding,
                                   certificate_months, expiry_notice_days, mandatory, levels, documents,
                                   locality_criteria)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Calendar, weekend, holidays, working_days)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Round, id, level, cutoff, meeting)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Cycle, year, milestones, rounds)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Reminder, id, kind, state, after_days, to, escalate_after_days, milestone,
                                   days_before)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Channels, smtp_url, smtp_from, webhook_url, webhook_secret_env, max_attempts)

namespace config {

constexpr int kSnapshotFormat = 1;

std::string fingerprint(const std::string& path) {
  char abs[PATH_MAX];
  struct stat st;
  if (!realpath(path.c_str(), abs) || stat(abs, &st) != 0) return "";
  return std::string(abs) + "|" + std::to_string(st.st_size) + "|" +
         std::to_string(static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec) + "|" +
         std::to_string(kSnapshotFormat);
}

std::string to_snapshot(const Config& c) {
  json j = {{"format", kSnapshotFormat}, {"source", c.source},   {"province", c.province},
            {"units", c.units},          {"users", c.users},     {"product_sets", c.product_sets},
            {"roles", c.roles},          {"rule_sets", c.rule_sets}, {"calendar", c.calendar},
            {"cycles", c.cycles},        {"reminders", c.reminders}, {"channels", c.channels},
            {"document_kinds", c.document_kinds}};
  return j.dump();
}

std::optional<Config> from_snapshot(const std::string& bytes) {
  try {
    json j = json::parse(bytes);
    if (j.value("format", 0) != kSnapshotFormat) return std::nullopt;
    Config c;
    j.at("source").get_to(c.source);
    j.at("province").get_to(c.province);
    j.at("units").get_to(c.units);
    j.at("users").get_to(c.users);
    j.at("product_sets").get_to(c.product_sets);
    j.at("roles").get_to(c.roles);
    j.at("rule_sets").get_to(c.rule_sets);
    j.at("calendar").get_to(c.calendar);
    j.at("cycles").get_to(c.cycles);
    j.at("reminders").get_to(c.reminders);
    j.at("channels").get_to(c.channels);
    j.at("document_kinds").get_to(c.document_kinds);
    c.index();
    return c;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace config
}  // namespace ocop
