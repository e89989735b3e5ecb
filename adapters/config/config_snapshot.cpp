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
// 10: security; 11: province.public_url.
constexpr int kSnapshotFormat = 11;

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
            {"promotion", c.promotion},
            {"security", c.security},
            {"units", c.units.size()},
            {"users", c.users.size()}};
  std::string dir;
  for (const auto& u : c.units) {
    dir += 'U';
    put_field(dir, u.code);
    put_field(dir, u.name);
    put_field(dir, std::to_string(static_cast<int>(u.level)));
    put_field(dir, u.parent);
    put_field(dir, date_field(u.valid_from));
    put_field(dir, date_field(u.valid_to));
    put_field(dir, u.successor);
    put_field(dir, u.email);
    dir += '\n';
  }
  for (const auto& u : c.users) {
    dir += 'P';
    put_field(dir, u.id);
    put_field(dir, u.name);
    put_field(dir, u.unit);
    put_field(dir, u.email);
    for (const auto& r : u.roles) put_field(dir, r);
    dir += '\n';
  }
  j["directory_bytes"] = dir.size();
  std::string out = j.dump();
  out += '\n';
  out += dir;
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
    j.at("promotion").get_to(c.promotion);
    j.at("security").get_to(c.security);
    const size_t units = j.at("units").get<size_t>(), users = j.at("users").get<size_t>();
    if (j.at("directory_bytes").get<size_t>() != bytes.size() - nl - 1) return std::nullopt;  // truncated
    if (units + users > (bytes.size() - nl) / 2) return std::nullopt;  // a line has 2 bytes at least
    c.units.resize(units);
    c.users.resize(users);
    size_t pos = nl + 1, n_units = 0, n_users = 0;
    std::string f;
    while (pos < bytes.size()) {
      size_t end = bytes.find('\n', pos);
      if (end == std::string::npos || end == pos) return std::nullopt;
      const char kind = bytes[pos];
      if (end == pos + 1 || bytes[pos + 1] != '\t') return std::nullopt;
      Fields line(std::string_view(bytes.data() + pos + 2, end - pos - 2));
      pos = end + 1;
      if (kind == 'U' && n_units < units && n_users == 0) {
        Unit& u = c.units[n_units++];
        long long level = 0;
        if (!line.next(u.code) || !line.next(u.name) || !line.next(f) || !parse_int(f, level) || level < 0 ||
            level > static_cast<long long>(UnitLevel::commune) || !line.next(u.parent) || !line.next(f) ||
            !date_from(f, u.valid_from) || !line.next(f) || !date_from(f, u.valid_to) ||
            !line.next(u.successor) || !line.next(u.email) || !line.done())
          return std::nullopt;
        u.level = static_cast<UnitLevel>(level);
      } else if (kind == 'P' && n_users < users) {
        User& u = c.users[n_users++];
        if (!line.next(u.id) || !line.next(u.name) || !line.next(u.unit) || !line.next(u.email))
          return std::nullopt;
        while (line.next(f)) u.roles.push_back(f);
      } else {
        return std::nullopt;
      }
    }
    if (n_units != units || n_users != users) return std::nullopt;
    c.index();
    return c;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace config
}  // namespace ocop
