// Helpers shared by the sections: texts, names, and the checks of shapes and scalars.
#include "config/yaml/loader.hpp"
#include "config/config_file.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <sstream>

namespace ocop::config::yaml {

std::string quote(std::string_view s) {
  std::string q;
  q.reserve(s.size() + 2);
  q += '"';
  q += s;
  q += '"';
  return q;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string join(std::initializer_list<std::string_view> names) {
  std::string s;
  for (auto n : names) {
    if (!s.empty()) s += ", ";
    s += n;
  }
  return s;
}

std::string describe(const Node& n) {
  switch (n.kind) {
    case Node::Kind::null:
      return "nothing";
    case Node::Kind::scalar:
      return "the text " + quote(n.value);
    case Node::Kind::seq:
      return "a list";
    case Node::Kind::map:
      return "a mapping";
  }
  return "?";
}

bool valid_email(std::string_view s) {
  size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || at != s.rfind('@')) return false;
  std::string_view domain = s.substr(at + 1);
  if (domain.size() < 3 || domain.find('.') == std::string_view::npos || domain.front() == '.' ||
      domain.back() == '.' || domain.find("..") != std::string_view::npos)
    return false;
  for (unsigned char c : s)
    if (c <= ' ' || c == ',' || c == ';' || c == '<' || c == '>' || c == '"' || c == 0x7f) return false;
  return true;
}

bool has_space(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c <= ' '; });
}

// "+07:00" / "-05:30" -> minutes.
std::optional<int> parse_offset(std::string_view s) {
  if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') return std::nullopt;
  auto digit = [&](size_t i) { return s[i] >= '0' && s[i] <= '9'; };
  if (!digit(1) || !digit(2) || !digit(4) || !digit(5)) return std::nullopt;
  int h = (s[1] - '0') * 10 + (s[2] - '0');
  int m = (s[4] - '0') * 10 + (s[5] - '0');
  if (h > 14 || m > 59) return std::nullopt;
  int total = h * 60 + m;
  return s[0] == '-' ? -total : total;
}

std::string format_offset(int minutes) {
  char buf[16];
  int a = std::abs(minutes);
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", minutes < 0 ? '-' : '+', a / 60, a % 60);
  return buf;
}

std::optional<int> known_zone_offset(std::string_view zone) {
  if (zone == "Asia/Ho_Chi_Minh" || zone == "Asia/Saigon") return 420;
  if (zone == "UTC" || zone == "Etc/UTC" || zone == "Etc/GMT" || zone == "GMT") return 0;
  return std::nullopt;
}

std::vector<std::string_view> event_names() {
  std::vector<std::string_view> v;
  for (int i = 0; i < kEventCount; ++i) v.push_back(to_string(static_cast<Event>(i)));
  return v;
}
// What a role may list: every dossier event and the certificate events a person (or the
// scheduler's user) fires; `supersede` is never fired directly.
std::vector<std::string_view> role_event_names() {
  std::vector<std::string_view> v = event_names();
  for (auto e : {CertificateEvent::notice, CertificateEvent::expire, CertificateEvent::revoke})
    v.push_back(to_string(e));
  for (int i = 0; i < kActivityEventCount; ++i) v.push_back(to_string(static_cast<ActivityEvent>(i)));
  for (int i = 0; i < kParticipationEventCount; ++i)
    if (static_cast<ParticipationEvent>(i) != ParticipationEvent::cancel_participation)
      v.push_back(to_string(static_cast<ParticipationEvent>(i)));
  for (int i = 0; i < kInspectionEventCount; ++i) v.push_back(to_string(static_cast<InspectionEvent>(i)));
  return v;
}
std::vector<std::string_view> state_names() {
  std::vector<std::string_view> v;
  for (int i = 1; i < kStateCount; ++i) v.push_back(to_string(static_cast<State>(i)));
  return v;
}

std::string_view star_word(int stars) {
  static constexpr std::array<std::string_view, 6> w = {"0★", "1★", "2★", "3★", "4★", "5★"};
  return stars >= 0 && stars <= 5 ? w[static_cast<size_t>(stars)] : "?★";
}

std::string number_text(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

// Length of the UTF-8 sequence at text[i], or 0 when it is not valid UTF-8.
size_t utf8_length(std::string_view t, size_t i) {
  auto byte = [&](size_t k) { return i + k < t.size() ? static_cast<unsigned char>(t[i + k]) : 0u; };
  auto cont = [&](size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    unsigned b = byte(k);
    return b >= lo && b <= hi;
  };
  unsigned c = byte(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c >= 0xE1 && c <= 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

bool Loader::expect_map(const Node& n, const Path& p, std::string_view what) {
  if (n.is_map()) return true;
  report(n, p, "expected " + std::string(what) + ", got " + describe(n));
  return false;
}

bool Loader::expect_seq(const Node& n, const Path& p, std::string_view what) {
  if (n.is_seq()) return true;
  report(n, p, "expected " + std::string(what) + ", got " + describe(n));
  return false;
}

Fields Loader::fields(const Node& map, const Path& p, std::initializer_list<std::string_view> allowed) {
  Fields f;
  f.map = &map;
  for (auto a : allowed) f.names[f.count++] = a;
  for (size_t i = 0; i < map.map_size(); ++i) {
    const Node& k = map.key_at(i);
    if (!k.is_scalar()) {
      report(k, p, "a key must be plain text, got " + describe(k));
      continue;
    }
    size_t s = f.slot(k.value);
    const Path kp = p.key(k.value);
    if (s == Fields::kMax) {
      std::string hint = did_you_mean(k.value, allowed);
      if (hint.empty()) hint = "; expected one of: " + join(allowed);
      report(k, kp, "unknown key " + quote(k.value) + hint);
      continue;
    }
    if (f.values[s]) {
      report(k, kp,
             "duplicate key " + quote(k.value) + " (first at line " + std::to_string(f.keys[s]->line) + ")");
      continue;
    }
    f.keys[s] = &k;
    f.values[s] = &map.value_at(i);
  }
  return f;
}

const Node* Loader::need(const Fields& f, std::string_view name, const Path& p) {
  const Path kp = p.key(name);
  const Node* v = f.get(name);
  if (!v) {
    report(*f.map, kp, "required key " + quote(name) + " is missing");
    return nullptr;
  }
  if (v->is_null()) {
    report(*v, kp, "required key " + quote(name) + " has no value");
    return nullptr;
  }
  return v;
}

const std::string* Loader::text(const Node& n, const Path& p) {
  if (!n.is_scalar()) {
    report(n, p, "expected text, got " + describe(n));
    return nullptr;
  }
  if (n.value.empty()) {
    report(n, p, "must not be empty");
    return nullptr;
  }
  return &n.value;
}

std::optional<long> Loader::integer(const Node& n, const Path& p, long lo, long hi) {
  if (!n.is_scalar()) {
    report(n, p, "expected a whole number, got " + describe(n));
    return std::nullopt;
  }
  long v = 0;
  const char* b = n.value.data();
  const char* e = b + n.value.size();
  auto [ptr, ec] = std::from_chars(b, e, v);
  if (ec != std::errc() || ptr != e) {
    report(n, p, "expected a whole number, got " + quote(n.value));
    return std::nullopt;
  }
  if (v < lo || v > hi) {
    report(n, p,
           std::to_string(v) + " is out of range (" + std::to_string(lo) + " to " + std::to_string(hi) + ")");
    return std::nullopt;
  }
  return v;
}

// Money (spec §10.1): whole đồng in a 64-bit integer, 0 or more, written as digits only. A
// fraction, an exponent or thousands separators ("10.000.000" as Vietnamese write it) would make
// the amount ambiguous, and a float would round it: each is refused, never read approximately.
namespace {
// A value as a message shows it: whole up to 40 bytes, else its start and its length (a
// 100,000-digit amount is named, not echoed), never cut inside a UTF-8 sequence.
std::string shown(const std::string& v) {
  constexpr size_t kShown = 40, kStart = 24;
  if (v.size() <= kShown) return v;
  size_t end = 0;
  while (end < v.size()) {
    const size_t len = std::max<size_t>(1, utf8_length(v, end));
    if (end + len > kStart) break;
    end += len;
  }
  return v.substr(0, end) + "… (" + grouped(v.size()) + " characters)";
}
}  // namespace

std::optional<std::int64_t> Loader::money(const Node& n, const Path& p) {
  if (!n.is_scalar()) {
    report(n, p, "expected an amount in whole đồng, got " + describe(n));
    return std::nullopt;
  }
  std::string_view digits = n.value;
  const bool negative = !digits.empty() && digits.front() == '-';
  if (negative) digits.remove_prefix(1);
  if (digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    report(n, p,
           "expected an amount in whole đồng, got " + quote(shown(n.value)) +
               ": money is whole đồng, digits only (10000000, not 1.5, 1e7 or 10.000.000)");
    return std::nullopt;
  }
  if (negative && digits.find_first_not_of('0') != std::string_view::npos) {
    report(n, p, shown(n.value) + " is negative: money is whole đồng, 0 or more");
    return std::nullopt;
  }
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) {
    report(n, p,
           shown(n.value) + " is too large: money is whole đồng in a 64-bit integer, at most " +
               std::to_string(std::numeric_limits<std::int64_t>::max()));
    return std::nullopt;
  }
  return v;
}

std::optional<double> Loader::number(const Node& n, const Path& p, double lo, double hi) {
  if (!n.is_scalar()) {
    report(n, p, "expected a number, got " + describe(n));
    return std::nullopt;
  }
  double v = 0;
  const char* b = n.value.data();
  const char* e = b + n.value.size();
  auto [ptr, ec] = std::from_chars(b, e, v);
  if (ec != std::errc() || ptr != e || !std::isfinite(v)) {
    report(n, p, "expected a number, got " + quote(n.value));
    return std::nullopt;
  }
  if (v < lo || v > hi) {
    report(n, p, n.value + " is out of range (" + number_text(lo) + " to " + number_text(hi) + ")");
    return std::nullopt;
  }
  return v;
}

std::optional<Date> Loader::date(const Node& n, const Path& p) {
  if (!n.is_scalar()) {
    report(n, p, "expected a date (YYYY-MM-DD), got " + describe(n));
    return std::nullopt;
  }
  auto d = parse_date(n.value);
  if (!d) report(n, p, "invalid date " + quote(n.value) + " (expected YYYY-MM-DD, a real day)");
  return d;
}

// A code or identifier: text without spaces. Empty string when invalid (already reported).
std::string Loader::code_text(const Node& n, const Path& p, std::string_view what) {
  const std::string* s = text(n, p);
  if (!s) return {};
  if (has_space(*s)) {
    report(n, p, std::string(what) + " " + quote(*s) + " must not contain spaces");
    return {};
  }
  return *s;
}

bool Loader::unique_key(std::unordered_map<std::string_view, int>& seen, const Node& key, const Path& p) {
  if (!key.is_scalar() || key.value.empty()) {
    report(key, p, "a key must be non-empty text, got " + describe(key));
    return false;
  }
  auto [it, inserted] = seen.emplace(key.value, key.line);
  if (!inserted) {
    report(key, p.key(key.value),
           "duplicate key " + quote(key.value) + " (first at line " + std::to_string(it->second) + ")");
    return false;
  }
  return true;
}

}  // namespace ocop::config::yaml
