#include "config/config_snapshot.hpp"

#include "ocop/audit.hpp"

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

namespace ocop {

using nlohmann::json;

void to_json(json& j, const Date& d) { j = d.days; }
void from_json(const json& j, Date& d) { d.days = j.get<std::int32_t>(); }

}  // namespace ocop

namespace nlohmann {
template <typename T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& v) {
    if (v)
      j = *v;
    else
      j = nullptr;
  }
  static void from_json(const json& j, std::optional<T>& v) {
    if (j.is_null())
      v.reset();
    else
      v = j.get<T>();
  }
};
}  // namespace nlohmann

namespace ocop {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Province, code, name, timezone, utc_offset_minutes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ProductSet, code, group, name)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(StarBand, stars, min)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LevelRule, level, kind, quorum, recognizes, forward_min)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RuleSet, id, effective_from, effective_to, parts, stars, rounding,
                                   certificate_months, expiry_notice_days, mandatory, levels, documents,
                                   documents_by_group, locality_criteria)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Calendar, weekend, holidays, working_days)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Round, id, level, cutoff, meeting)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Cycle, year, milestones, rounds, opens, closes, carry_over)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Reminder, id, kind, state, after_days, to, escalate_after_days, milestone,
                                   days_before)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Channels, smtp_url, smtp_from, webhook_url, webhook_secret_env,
                                   max_attempts)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DocumentPolicy, max_bytes, directory)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MessageTemplate, subject, body)

namespace config {

constexpr int kSnapshotFormat =
    7;  // 4: documents policy; 5: revocation_grounds; 6: cycles, scheduler; 7: templates

std::string fingerprint(const std::string& content) {
  return sha256_hex(content) + "/" + std::to_string(kSnapshotFormat);
}

// The snapshot is one JSON line with the small sections, then one line per unit ("U") and per
// user ("P") as tab-separated fields: a national directory (10,000 entries) reads in a few
// milliseconds this way, where nlohmann's typed conversion of the same JSON takes ~30 ms.
namespace {

void put_field(std::string& out, const std::string& v) {
  out += '\t';
  for (char ch : v) {
    if (ch == '\t')
      out += "\\t";
    else if (ch == '\n')
      out += "\\n";
    else if (ch == '\\')
      out += "\\\\";
    else
      out += ch;
  }
}

std::string date_field(const std::optional<Date>& d) { return d ? std::to_string(d->days) : ""; }

// Splits one line into fields, undoing put_field's escapes.
std::vector<std::string> split_fields(std::string_view line) {
  std::vector<std::string> out(1);
  for (size_t i = 0; i < line.size(); ++i) {
    char ch = line[i];
    if (ch == '\t') {
      out.emplace_back();
    } else if (ch == '\\' && i + 1 < line.size()) {
      char n = line[++i];
      out.back() += n == 't' ? '\t' : n == 'n' ? '\n' : n;
    } else {
      out.back() += ch;
    }
  }
  return out;
}

std::optional<Date> date_from(const std::string& f) {
  if (f.empty()) return std::nullopt;
  return Date{static_cast<std::int32_t>(std::stol(f))};
}

}  // namespace

std::string to_snapshot(const Config& c, const std::string& fp) {
  json j = {{"format", kSnapshotFormat},
            {"fingerprint", fp},
            {"source", c.source},
            {"province", c.province},
            {"product_sets", c.product_sets},
            {"roles", c.roles},
            {"rule_sets", c.rule_sets},
            {"calendar", c.calendar},
            {"cycles", c.cycles},
            {"reminders", c.reminders},
            {"channels", c.channels},
            {"document_kinds", c.document_kinds},
            {"documents", c.documents},
            {"revocation_grounds", c.revocation_grounds},
            {"scheduler_actor", c.scheduler_actor},
            {"templates", c.templates},
            {"units", c.units.size()},
            {"users", c.users.size()}};
  std::string out = j.dump();
  out += '\n';
  for (const auto& u : c.units) {
    out += 'U';
    put_field(out, u.code);
    put_field(out, u.name);
    put_field(out, std::to_string(static_cast<int>(u.level)));
    put_field(out, u.parent);
    put_field(out, date_field(u.valid_from));
    put_field(out, date_field(u.valid_to));
    put_field(out, u.successor);
    put_field(out, u.email);
    out += '\n';
  }
  for (const auto& u : c.users) {
    out += 'P';
    put_field(out, u.id);
    put_field(out, u.name);
    put_field(out, u.unit);
    put_field(out, u.email);
    for (const auto& r : u.roles) put_field(out, r);
    out += '\n';
  }
  return out;
}

std::optional<Config> from_snapshot(const std::string& bytes, const std::string& fp) {
  try {
    size_t nl = bytes.find('\n');
    if (nl == std::string::npos) return std::nullopt;
    json j = json::parse(std::string_view(bytes).substr(0, nl));
    if (!j.is_object() || j.value("format", 0) != kSnapshotFormat || j.value("fingerprint", "") != fp)
      return std::nullopt;
    Config c;
    j.at("source").get_to(c.source);
    j.at("province").get_to(c.province);
    j.at("product_sets").get_to(c.product_sets);
    j.at("roles").get_to(c.roles);
    j.at("rule_sets").get_to(c.rule_sets);
    j.at("calendar").get_to(c.calendar);
    j.at("cycles").get_to(c.cycles);
    j.at("reminders").get_to(c.reminders);
    j.at("channels").get_to(c.channels);
    j.at("document_kinds").get_to(c.document_kinds);
    j.at("documents").get_to(c.documents);
    j.at("revocation_grounds").get_to(c.revocation_grounds);
    j.at("scheduler_actor").get_to(c.scheduler_actor);
    j.at("templates").get_to(c.templates);
    const size_t units = j.at("units").get<size_t>(), users = j.at("users").get<size_t>();
    c.units.reserve(units);
    c.users.reserve(users);
    size_t pos = nl + 1;
    while (pos < bytes.size()) {
      size_t end = bytes.find('\n', pos);
      if (end == std::string::npos) return std::nullopt;  // truncated
      std::string_view line(bytes.data() + pos, end - pos);
      pos = end + 1;
      auto f = split_fields(line);
      if (f[0] == "U" && f.size() == 9) {
        Unit u;
        u.code = std::move(f[1]);
        u.name = std::move(f[2]);
        u.level = static_cast<UnitLevel>(std::stoi(f[3]));
        u.parent = std::move(f[4]);
        u.valid_from = date_from(f[5]);
        u.valid_to = date_from(f[6]);
        u.successor = std::move(f[7]);
        u.email = std::move(f[8]);
        c.units.push_back(std::move(u));
      } else if (f[0] == "P" && f.size() >= 5) {
        User u;
        u.id = std::move(f[1]);
        u.name = std::move(f[2]);
        u.unit = std::move(f[3]);
        u.email = std::move(f[4]);
        for (size_t i = 5; i < f.size(); ++i) u.roles.push_back(std::move(f[i]));
        c.users.push_back(std::move(u));
      } else {
        return std::nullopt;
      }
    }
    if (c.units.size() != units || c.users.size() != users) return std::nullopt;
    c.index();
    return c;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace config
}  // namespace ocop
