#include "config/config_snapshot.hpp"

#include "ocop/audit.hpp"

#include <nlohmann/json.hpp>
#include <charconv>
#include <fstream>
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

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Province, code, name, timezone, utc_offset_minutes, public_url)
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
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PromotionPolicy, min_stars, max_booths_per_producer, booth_fee_vnd,
                                   support_percent, support_cap_vnd)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SessionPolicy, idle_minutes, absolute_hours, lockout_failures, lockout_minutes,
                                   address_failures, min_password_length, invitation_hours, max_token_days,
                                   second_factor_roles, password_hashing)

namespace config {

// 4: documents policy; 5: revocation_grounds; 6: cycles, scheduler; 7: templates; 8: the
// directory's size in the header (a truncated snapshot is refused before it is read), fields read
// in place; 9: promotion, and the reminder kinds promotion_outcome, inspection_due, remedy_due;
// 10: security; 11: province.public_url; 12: any_user_email in the header, the directory stored
// as rows (config_directory) and read on demand.
constexpr int kSnapshotFormat = 12;

std::string fingerprint(const std::string& content) { return fingerprint_of(sha256_hex(content)); }

std::string fingerprint_of(const std::string& sha256_hex) {
  return sha256_hex + "/" + std::to_string(kSnapshotFormat);
}

// The directory is one line per unit ("U") and per user ("P") as tab-separated fields: a national
// directory (10,000 entries) reads in a few milliseconds this way, where nlohmann's typed
// conversion of the same JSON takes ~30 ms.
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

// Reads the fields of one directory line in place: `next` returns each field in turn, undoing
// put_field's escapes only in a field that has one (most have none and are assigned straight
// from the snapshot's bytes).
class Fields {
 public:
  explicit Fields(std::string_view line) : rest_(line) {}
  bool done() const { return at_end_; }
  // The next field; false when there is none.
  bool next(std::string& out) {
    if (at_end_) return false;
    const size_t tab = rest_.find('\t');
    const std::string_view f = rest_.substr(0, tab);
    if (f.find('\\') == std::string_view::npos) {
      out = std::string(f);  // constructed, then moved: cheaper than assign's overlap checks
    } else {
      out.clear();
      for (size_t i = 0; i < f.size(); ++i) {
        char ch = f[i];
        if (ch == '\\' && i + 1 < f.size()) {
          const char n = f[++i];
          ch = n == 't' ? '\t' : n == 'n' ? '\n' : n;
        }
        out += ch;
      }
    }
    if (tab == std::string_view::npos)
      at_end_ = true;
    else
      rest_.remove_prefix(tab + 1);
    return true;
  }

 private:
  std::string_view rest_;
  bool at_end_ = false;
};

bool parse_int(std::string_view f, long long& out) {
  if (f.empty()) return false;
  auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), out);
  return ec == std::errc() && p == f.data() + f.size();
}

// A date field: empty for none.
bool date_from(const std::string& f, std::optional<Date>& out) {
  if (f.empty()) {
    out.reset();
    return true;
  }
  long long v = 0;
  if (!parse_int(f, v)) return false;
  out = Date{static_cast<std::int32_t>(v)};
  return true;
}

}  // namespace

std::string unit_line(const Unit& u) {
  std::string line = "U";
  put_field(line, u.code);
  put_field(line, u.name);
  put_field(line, std::to_string(static_cast<int>(u.level)));
  put_field(line, u.parent);
  put_field(line, date_field(u.valid_from));
  put_field(line, date_field(u.valid_to));
  put_field(line, u.successor);
  put_field(line, u.email);
  return line;
}

std::string user_line(const User& u) {
  std::string line = "P";
  put_field(line, u.id);
  put_field(line, u.name);
  put_field(line, u.unit);
  put_field(line, u.email);
  for (const auto& r : u.roles) put_field(line, r);
  return line;
}

bool unit_from_line(std::string_view line, Unit& u) {
  if (line.size() < 2 || line[0] != 'U' || line[1] != '\t') return false;
  Fields f(line.substr(2));
  std::string field;
  long long level = 0;
  if (!f.next(u.code) || !f.next(u.name) || !f.next(field) || !parse_int(field, level) || level < 0 ||
      level > static_cast<long long>(UnitLevel::commune) || !f.next(u.parent) || !f.next(field) ||
      !date_from(field, u.valid_from) || !f.next(field) || !date_from(field, u.valid_to) || !f.next(u.successor) ||
      !f.next(u.email) || !f.done())
    return false;
  u.level = static_cast<UnitLevel>(level);
  return true;
}

bool user_from_line(std::string_view line, User& u) {
  if (line.size() < 2 || line[0] != 'P' || line[1] != '\t') return false;
  Fields f(line.substr(2));
  if (!f.next(u.id) || !f.next(u.name) || !f.next(u.unit) || !f.next(u.email)) return false;
  u.roles.clear();
  std::string role;
  while (f.next(role)) u.roles.push_back(role);
  return true;
}

std::string snapshot_header(const Config& c, const std::string& fp) {
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
            {"promotion", c.promotion},
            {"security", c.security},
            {"units", c.units().size()},
            {"users", c.users().size()},
            {"any_user_email", c.any_user_email()}};
  return j.dump();
}

std::optional<Config> from_snapshot_header(std::string_view header, const std::string& fp, SnapshotHeader& h) {
  try {
    json j = json::parse(header);
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
    j.at("promotion").get_to(c.promotion);
    j.at("security").get_to(c.security);
    j.at("units").get_to(h.units);
    j.at("users").get_to(h.users);
    j.at("any_user_email").get_to(h.any_user_email);
    return c;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string snapshot_fingerprint(std::string_view header) {
  json j = json::parse(header.substr(0, header.find('\n')), nullptr, false);
  if (!j.is_object()) return {};
  auto it = j.find("fingerprint");
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace config
}  // namespace ocop
