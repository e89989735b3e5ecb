// The YAML configuration loader (spec §5).
//
// yaml-cpp's event parser feeds a small tree of our own (every node keeps its line), which is
// then checked section by section. yaml-cpp's own YAML::Node is not used: building it costs
// about a quarter more than parsing, and it neither reports duplicate keys nor keeps the line
// of an empty value. Every check records a Problem and goes on, so one run lists them all.
// Cross-references are resolved through hash maps keyed by views into the tree (which lives
// until the end of the load), so a national file (3,321 communes, 10,000 users) is linear.
#include "config/yaml_config.hpp"
#include "ocop/notify.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace ocop::config {

std::string Problem::to_string() const {
  std::string s = file;
  if (line > 0) {
    s += ':';
    s += std::to_string(line);
  }
  s += ": ";
  if (!key.empty()) {
    s += key;
    s += ": ";
  }
  s += message;
  return s;
}

namespace {

// ---------------------------------------------------------------------------------------------
// The document tree.

struct Node {
  enum class Kind : std::uint8_t { null, scalar, seq, map };
  Kind kind = Kind::null;
  int line = 0;             // 1-based
  int column = 0;           // 1-based; orders problems that share a line
  std::string value;        // scalar
  std::vector<Node> items;  // seq: the elements; map: key, value, key, value, ...

  bool is_null() const { return kind == Kind::null; }
  bool is_scalar() const { return kind == Kind::scalar; }
  bool is_seq() const { return kind == Kind::seq; }
  bool is_map() const { return kind == Kind::map; }
  size_t map_size() const { return items.size() / 2; }
  const Node& key_at(size_t i) const { return items[2 * i]; }
  const Node& value_at(size_t i) const { return items[2 * i + 1]; }
};

int line_of(const YAML::Mark& m) { return m.line >= 0 ? m.line + 1 : 0; }
int column_of(const YAML::Mark& m) { return m.column >= 0 ? m.column + 1 : 0; }

class TreeBuilder final : public YAML::EventHandler {
 public:
  bool has_root() const { return has_root_; }
  Node& root() { return root_; }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t anchor) override {
    Node n;
    n.line = line_of(m);
    n.column = column_of(m);
    add(std::move(n), anchor);
  }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    Node n;
    if (it != anchors_.end())
      n = it->second;
    else
      n.line = line_of(m);
    add(std::move(n), 0);
  }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    Node n;
    n.kind = Node::Kind::scalar;
    n.line = line_of(m);
    n.column = column_of(m);
    n.value = value;
    add(std::move(n), anchor);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(Node::Kind::seq, m, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(Node::Kind::map, m, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    Node node;
    YAML::anchor_t anchor = 0;
  };
  void open(Node::Kind kind, const YAML::Mark& m, YAML::anchor_t anchor) {
    Frame f;
    f.node.kind = kind;
    f.node.line = line_of(m);
    f.node.column = column_of(m);
    f.anchor = anchor;
    stack_.push_back(std::move(f));
  }
  void close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    add(std::move(f.node), f.anchor);
  }
  void add(Node n, YAML::anchor_t anchor) {
    if (anchor != 0) anchors_[anchor] = n;
    if (stack_.empty()) {
      root_ = std::move(n);
      has_root_ = true;
      return;
    }
    Node& parent = stack_.back().node;
    // An empty value ("parent:") is reported on its key's line, not wherever the parser
    // happened to stand.
    if (parent.is_map() && parent.items.size() % 2 == 1 && n.is_null()) {
      n.line = parent.items.back().line;
      n.column = parent.items.back().column;
    }
    parent.items.push_back(std::move(n));
  }

  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, Node> anchors_;
  Node root_;
  bool has_root_ = false;
};

// Counts documents after the first.
class DocumentCounter final : public YAML::EventHandler {
 public:
  int line = 0;
  void OnDocumentStart(const YAML::Mark& m) override {
    if (line == 0) line = line_of(m);
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
  }
  void OnMapEnd() override {}
};

// ---------------------------------------------------------------------------------------------
// Key paths, rendered only when a problem is reported. A Path refers to its parent: build child
// paths as named locals, never store a path to a temporary.

class Path {
 public:
  Path() = default;
  Path key(std::string_view name) const { return Path(this, name, -1); }
  Path operator[](size_t i) const { return Path(this, {}, static_cast<long>(i)); }
  std::string str() const {
    std::string s;
    append(s);
    return s;
  }

 private:
  Path(const Path* parent, std::string_view name, long index) : parent_(parent), name_(name), index_(index) {}
  void append(std::string& s) const {
    if (parent_) parent_->append(s);
    if (index_ >= 0) {
      s += '[';
      s += std::to_string(index_);
      s += ']';
    } else if (!name_.empty()) {
      if (!s.empty()) s += '.';
      s += name_;
    }
  }
  const Path* parent_ = nullptr;
  std::string_view name_;
  long index_ = -1;
};

// ---------------------------------------------------------------------------------------------
// Small helpers.

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

// " (did you mean "x"?)" when one candidate is close enough, else "".
template <typename Range>
std::string did_you_mean(std::string_view got, const Range& candidates) {
  std::string_view best;
  if (got.size() < 3) return {};
  size_t best_d = std::max<size_t>(1, std::min<size_t>(3, got.size() / 3));
  bool found = false;
  for (const auto& c : candidates) {
    std::string_view cv(c);
    if (cv.size() >= 3 && got.size() > cv.size() && starts_with(got, cv)) {
      return " (did you mean " + quote(cv) + "?)";  // "sunday" for "sun"
    }
    size_t len_gap = cv.size() > got.size() ? cv.size() - got.size() : got.size() - cv.size();
    if (len_gap > best_d) continue;
    size_t d = edit_distance(got, cv);
    if (d <= best_d && (!found || d < best_d)) {
      best = cv;
      best_d = d;
      found = true;
    }
  }
  return found ? " (did you mean " + quote(best) + "?)" : std::string();
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

constexpr std::array<std::string_view, 7> kWeekdays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr std::array<std::string_view, 7> kWeekdayNames = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                           "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 4> kLevelNames = {"central", "province", "district", "commune"};
constexpr std::array<std::string_view, 4> kReminderTargets = {"unit", "parent", "province", "producer"};

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

// ---------------------------------------------------------------------------------------------
// The keys of one mapping, checked against the keys it may have.

struct Fields {
  static constexpr size_t kMax = 16;
  const Node* map = nullptr;
  std::array<std::string_view, kMax> names{};
  std::array<const Node*, kMax> keys{};
  std::array<const Node*, kMax> values{};
  size_t count = 0;

  size_t slot(std::string_view name) const {
    for (size_t i = 0; i < count; ++i)
      if (names[i] == name) return i;
    return kMax;
  }
  // The value when the key is present (possibly an empty value), else null.
  const Node* get(std::string_view name) const {
    size_t i = slot(name);
    return i < kMax ? values[i] : nullptr;
  }
  // The value when present and not empty.
  const Node* opt(std::string_view name) const {
    const Node* v = get(name);
    return v && !v->is_null() ? v : nullptr;
  }
  const Node* key(std::string_view name) const {
    size_t i = slot(name);
    return i < kMax ? keys[i] : nullptr;
  }
};

// ---------------------------------------------------------------------------------------------
// The loader.

class Loader {
 public:
  explicit Loader(std::string file) : file_(std::move(file)) {}

  LoadResult run(const std::string& text);
  // A migration plan (docs/design.md): its shape, names and enumerations. References to the
  // configuration (rule sets, levels, units) are checked by the engine's Migrator.
  PlanLoadResult plan(const std::string& text);

 private:
  // Parses one YAML document into `tree`; false (reported) when there is none to check.
  bool parse_document(const std::string& text, TreeBuilder& tree, std::string_view expected);
  void check_utf8(const std::string& text);
  // Indexes a valid configuration, or orders the problems by position.
  LoadResult finish();
  // Problems.
  void report(int line, const Path& p, std::string message, int column = 0) {
    problems_.push_back(Problem{file_, line, p.str(), std::move(message)});
    columns_.push_back(column);
  }
  void report(const Node& n, const Path& p, std::string message) {
    report(n.line, p, std::move(message), n.column);
  }

  // Shapes and scalars. Each reports what is wrong and returns false / nullopt / null.
  bool expect_map(const Node& n, const Path& p, std::string_view what);
  bool expect_seq(const Node& n, const Path& p, std::string_view what);
  Fields fields(const Node& map, const Path& p, std::initializer_list<std::string_view> allowed);
  const Node* need(const Fields& f, std::string_view name, const Path& p);
  const std::string* text(const Node& n, const Path& p);
  std::optional<long> integer(const Node& n, const Path& p, long lo, long hi);
  std::optional<double> number(const Node& n, const Path& p, double lo, double hi);
  std::optional<Date> date(const Node& n, const Path& p);
  std::string code_text(const Node& n, const Path& p, std::string_view what);
  template <typename Range>
  std::optional<size_t> choice(const Node& n, const Path& p, const Range& names, std::string_view what);
  // Reports a key repeated in a mapping whose keys are data (roles, cycles, ...).
  bool unique_key(std::unordered_map<std::string_view, int>& seen, const Node& key, const Path& p);

  // Sections, in dependency order.
  void province(const Node& n, const Path& p);
  void province_unit(const Node* code_node);
  void units(const Node& n, const Path& p);
  void roles(const Node& n, const Path& p);
  void product_sets(const Node& n, const Path& p);
  void document_kinds(const Node& n, const Path& p);
  void revocation_grounds(const Node& n, const Path& p);
  void documents(const Node& n, const Path& p);
  // A rule set's `event -> [document kinds]` mapping (documents, documents_by_group.<group>).
  std::map<Event, std::vector<std::string>> document_lists(const Node& n, const Path& p);
  void users(const Node& n, const Path& p);
  void rule_sets(const Node& n, const Path& p);
  void rule_set(const Node& n, const Path& p, RuleSet& rs);
  void levels(const Node& n, const Path& p, RuleSet& rs);
  void calendar(const Node& n, const Path& p);
  void cycles(const Node& n, const Path& p);
  void reminders(const Node& n, const Path& p);
  void scheduler(const Node& n, const Path& p);
  void channels(const Node& n, const Path& p);
  void templates(const Node& n, const Path& p);

  std::string file_;
  Config cfg_;
  std::vector<Problem> problems_;
  std::vector<int> columns_;  // parallel to problems_, for ordering only

  // Indices over the tree (views stay valid while the tree lives).
  bool units_loaded_ = false;
  bool roles_loaded_ = false;
  std::unordered_map<std::string_view, size_t> unit_index_;  // code -> cfg_.units
  std::vector<bool> unit_level_ok_;                          // parallel to cfg_.units
  std::vector<std::string_view> role_names_;
  std::unordered_set<std::string_view> milestone_names_;
  std::array<bool, 4> council_levels_{};  // a rule set has a council at this level
  bool any_rule_set_ = false;
  const Node* province_code_ = nullptr;
  const Node* legacy_kinds_ = nullptr;  // the top-level document_kinds section, when given
};

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

template <typename Range>
std::optional<size_t> Loader::choice(const Node& n, const Path& p, const Range& names,
                                     std::string_view what) {
  const std::string* s = text(n, p);
  if (!s) return std::nullopt;
  size_t i = 0;
  for (const auto& name : names) {
    if (std::string_view(name) == *s) return i;
    ++i;
  }
  std::string list;
  for (const auto& name : names) {
    if (!list.empty()) list += ", ";
    list += name;
  }
  report(n, p,
         "unknown " + std::string(what) + " " + quote(*s) + did_you_mean(*s, names) +
             "; expected one of: " + list);
  return std::nullopt;
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

// --- province ---------------------------------------------------------------------------------

void Loader::province(const Node& n, const Path& p) {
  if (!expect_map(n, p, "a mapping {code, name, timezone}")) return;
  Fields f = fields(n, p, {"code", "name", "timezone", "utc_offset"});
  Province& pr = cfg_.province;
  if (const Node* v = need(f, "code", p)) {
    const Path kp = p.key("code");
    pr.code = code_text(*v, kp, "province code");
    if (!pr.code.empty()) province_code_ = v;
  }
  if (const Node* v = need(f, "name", p)) {
    const Path kp = p.key("name");
    if (auto s = text(*v, kp)) pr.name = *s;
  }
  // The zone's offset: Vietnam's by default; unknown for a zone we do not know.
  bool zone_known = true;
  int zone_minutes = 420;
  const Node* zone = f.opt("timezone");
  const Node* offset = f.opt("utc_offset");
  if (zone) {
    const Path kp = p.key("timezone");
    zone_known = false;
    if (auto s = text(*zone, kp)) {
      pr.timezone = *s;
      if (auto z = known_zone_offset(*s)) {
        zone_known = true;
        zone_minutes = *z;
      } else if (!offset) {
        report(*zone, kp,
               "unknown time zone " + quote(*s) +
                   "; use Asia/Ho_Chi_Minh or UTC, or give utc_offset: \"+07:00\"");
      }
    }
  }
  if (offset) {
    const Path kp = p.key("utc_offset");
    if (!offset->is_scalar()) {
      report(*offset, kp, "expected an offset like \"+07:00\", got " + describe(*offset));
    } else if (auto off = parse_offset(offset->value)) {
      if (zone && zone_known && zone_minutes != *off)
        report(*offset, kp,
               "utc_offset " + offset->value + " contradicts timezone " + pr.timezone + " (" +
                   format_offset(zone_minutes) + ")");
      pr.utc_offset_minutes = *off;
    } else {
      report(*offset, kp, "invalid offset " + quote(offset->value) + " (expected +HH:MM or -HH:MM)");
    }
  } else if (zone_known) {
    pr.utc_offset_minutes = zone_minutes;
  }
}

void Loader::province_unit(const Node* code_node) {
  if (!code_node || !units_loaded_) return;
  Path root;
  const Path p = root.key("province");
  const Path kp = p.key("code");
  auto it = unit_index_.find(code_node->value);
  if (it == unit_index_.end())
    report(*code_node, kp, "no unit " + quote(code_node->value) + " in units");
  else if (unit_level_ok_[it->second] && cfg_.units[it->second].level != UnitLevel::province)
    report(*code_node, kp,
           "unit " + quote(code_node->value) + " is at the " +
               std::string(to_string(cfg_.units[it->second].level)) + " level, not a province");
}

// --- units ------------------------------------------------------------------------------------

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
  cfg_.units.reserve(n.items.size());
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
      auto [it, inserted] = unit_index_.emplace(code->value, cfg_.units.size());
      if (inserted) {
        cfg_.units.push_back(std::move(u));
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
  for (size_t k = 0; k < cfg_.units.size(); ++k) {
    Unit& u = cfg_.units[k];
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
        const Unit& parent = cfg_.units[it->second];
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
        const Unit& s = cfg_.units[it->second];
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

// --- roles, product sets, document kinds ------------------------------------------------------

void Loader::roles(const Node& n, const Path& p) {
  if (!expect_map(n, p, "a mapping role -> [events]")) return;
  static const std::vector<std::string_view> events = role_event_names();
  std::unordered_map<std::string_view, int> seen;
  for (size_t i = 0; i < n.map_size(); ++i) {
    const Node& k = n.key_at(i);
    const Node& v = n.value_at(i);
    if (!unique_key(seen, k, p)) continue;
    const Path rp = p.key(k.value);
    if (has_space(k.value)) report(k, rp, "role name " + quote(k.value) + " must not contain spaces");
    role_names_.push_back(k.value);
    EventMask mask = 0;
    if (!v.is_null() && expect_seq(v, rp, "a list of event names")) {
      for (size_t j = 0; j < v.items.size(); ++j) {
        const Node& ev = v.items[j];
        const Path ep = rp[j];
        const std::string* s = text(ev, ep);
        if (!s) continue;
        if (auto e = parse_event(*s))
          mask |= event_bit(*e);
        else if (auto ce = parse_certificate_event(*s); ce && *ce != CertificateEvent::supersede)
          mask |= certificate_event_bit(*ce);
        else if (ce)
          report(ev, ep, "supersede is not fired by a role: a later recognition supersedes a certificate");
        else
          report(ev, ep, "unknown event " + quote(*s) + did_you_mean(*s, events));
      }
    }
    cfg_.roles[k.value] = mask;
  }
  roles_loaded_ = true;
}

void Loader::product_sets(const Node& n, const Path& p) {
  if (!expect_map(n, p, "a mapping code -> {group, name}")) return;
  std::unordered_map<std::string_view, int> seen;
  for (size_t i = 0; i < n.map_size(); ++i) {
    const Node& k = n.key_at(i);
    const Node& v = n.value_at(i);
    if (!unique_key(seen, k, p)) continue;
    const Path sp = p.key(k.value);
    if (has_space(k.value)) report(k, sp, "product set code " + quote(k.value) + " must not contain spaces");
    if (!expect_map(v, sp, "a product set {group, name}")) continue;
    Fields f = fields(v, sp, {"group", "name"});
    ProductSet ps;
    ps.code = k.value;
    if (const Node* g = need(f, "group", sp)) {
      const Path kp = sp.key("group");
      ps.group = code_text(*g, kp, "group");
    }
    if (const Node* nm = need(f, "name", sp)) {
      const Path kp = sp.key("name");
      if (auto s = text(*nm, kp)) ps.name = *s;
    }
    cfg_.product_sets.emplace(ps.code, std::move(ps));
  }
}

void Loader::document_kinds(const Node& n, const Path& p) {
  if (!expect_map(n, p, "a mapping kind -> label")) return;
  std::unordered_map<std::string_view, int> seen;
  for (size_t i = 0; i < n.map_size(); ++i) {
    const Node& k = n.key_at(i);
    const Node& v = n.value_at(i);
    if (!unique_key(seen, k, p)) continue;
    const Path kp = p.key(k.value);
    if (has_space(k.value)) report(k, kp, "document kind " + quote(k.value) + " must not contain spaces");
    if (auto s = text(v, kp)) cfg_.document_kinds[k.value] = *s;
  }
}

void Loader::revocation_grounds(const Node& n, const Path& p) {
  if (!expect_map(n, p, "a mapping ground -> Vietnamese text")) return;
  std::unordered_map<std::string_view, int> seen;
  for (size_t i = 0; i < n.map_size(); ++i) {
    const Node& k = n.key_at(i);
    const Node& v = n.value_at(i);
    if (!unique_key(seen, k, p)) continue;
    const Path kp = p.key(k.value);
    const bool code_ok = !k.value.empty() && std::all_of(k.value.begin(), k.value.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!code_ok)
      report(k, kp,
             "revocation ground " + quote(k.value) + " must be a code of a-z, 0-9 and _ (e.g. food_safety)");
    const std::string* s = text(v, kp);
    if (!s) continue;
    if (s->find_first_not_of(" \t") == std::string::npos) {
      report(v, kp, "the ground's text must not be empty: it is what the revocation decision shows");
      continue;
    }
    cfg_.revocation_grounds[k.value] = *s;
  }
}

// The `documents` section: {max_bytes, directory, kinds: {kind: {name}}}. `document_kinds`
// (kind -> name) is the older form of `kinds`; a file may use one of them, not both.
void Loader::documents(const Node& n, const Path& p) {
  if (!expect_map(n, p, "a mapping {max_bytes, directory, kinds}")) return;
  Fields f = fields(n, p, {"max_bytes", "directory", "kinds"});
  DocumentPolicy& d = cfg_.documents;
  if (const Node* v = f.opt("max_bytes")) {
    const Path kp = p.key("max_bytes");
    constexpr long kLargest = 1L << 40;  // 1 TiB
    if (auto x = integer(*v, kp, 1, kLargest)) d.max_bytes = *x;
  }
  if (const Node* v = f.opt("directory")) {
    const Path kp = p.key("directory");
    if (auto s = text(*v, kp)) {
      if (s->front() == '/')
        d.directory = *s;
      else
        report(*v, kp, "expected an absolute path (starting with /), got " + quote(*s));
    }
  }
  if (const Node* v = f.get("kinds")) {
    const Path kp = p.key("kinds");
    if (legacy_kinds_) {
      report(*f.key("kinds"), kp,
             "document kinds are listed twice, here and in document_kinds (line " +
                 std::to_string(legacy_kinds_->line) + "); keep one list");
      return;
    }
    if (!expect_map(*v, kp, "a mapping kind -> {name}")) return;
    if (v->map_size() == 0) {
      report(*v, kp, "expected at least one document kind");
      return;
    }
    std::unordered_map<std::string_view, int> seen;
    for (size_t i = 0; i < v->map_size(); ++i) {
      const Node& k = v->key_at(i);
      const Node& val = v->value_at(i);
      if (!unique_key(seen, k, kp)) continue;
      const Path ip = kp.key(k.value);
      if (has_space(k.value)) report(k, ip, "document kind " + quote(k.value) + " must not contain spaces");
      if (!expect_map(val, ip, "a document kind {name}")) continue;
      Fields kf = fields(val, ip, {"name"});
      if (const Node* nm = need(kf, "name", ip)) {
        const Path np = ip.key("name");
        if (auto s = text(*nm, np)) cfg_.document_kinds[k.value] = *s;
      }
    }
  }
}

// --- users ------------------------------------------------------------------------------------

void Loader::users(const Node& n, const Path& p) {
  if (!expect_seq(n, p, "a list of users")) return;
  cfg_.users.reserve(n.items.size());
  std::unordered_map<std::string_view, int> ids;
  ids.reserve(n.items.size() * 2);
  std::unordered_set<std::string_view> known_roles(role_names_.begin(), role_names_.end());
  for (size_t i = 0; i < n.items.size(); ++i) {
    const Node& item = n.items[i];
    const Path e = p[i];
    if (!expect_map(item, e, "a user {id, name, roles, unit, ...}")) continue;
    Fields f = fields(item, e, {"id", "name", "roles", "unit", "email"});
    User u;
    if (const Node* v = need(f, "id", e)) {
      const Path kp = e.key("id");
      u.id = code_text(*v, kp, "user id");
      if (!u.id.empty()) {
        auto [it, inserted] = ids.emplace(v->value, v->line);
        if (!inserted) {
          report(*v, kp,
                 "duplicate user id " + quote(u.id) + " (first at line " + std::to_string(it->second) + ")");
          u.id.clear();
        }
      }
    }
    if (const Node* v = f.opt("name")) {
      const Path kp = e.key("name");
      if (auto s = text(*v, kp)) u.name = *s;
    }
    if (const Node* v = need(f, "roles", e)) {
      const Path kp = e.key("roles");
      if (expect_seq(*v, kp, "a list of role names")) {
        if (v->items.empty()) report(*v, kp, "a user needs at least one role");
        for (size_t j = 0; j < v->items.size(); ++j) {
          const Node& r = v->items[j];
          const Path rp = kp[j];
          const std::string* s = text(r, rp);
          if (!s) continue;
          if (roles_loaded_ && !known_roles.count(*s))
            report(r, rp, "unknown role " + quote(*s) + did_you_mean(*s, role_names_));
          else
            u.roles.push_back(*s);
        }
      }
    }
    if (const Node* v = need(f, "unit", e)) {
      const Path kp = e.key("unit");
      if (auto s = text(*v, kp)) {
        if (units_loaded_ && !unit_index_.count(*s))
          report(*v, kp, "unknown unit " + quote(*s));
        else
          u.unit = *s;
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
    if (!u.id.empty()) cfg_.users.push_back(std::move(u));
  }
}

// --- rule sets --------------------------------------------------------------------------------

void Loader::rule_sets(const Node& n, const Path& p) {
  if (!expect_seq(n, p, "a list of rule sets")) return;
  if (n.items.empty()) {
    report(n, p, "at least one rule set is required");
    return;
  }
  struct Aux {
    size_t entry;
    const Node* id;
    const Node* from;
    const Node* to;
  };
  std::vector<Aux> aux;
  std::unordered_map<std::string_view, int> ids;
  for (size_t i = 0; i < n.items.size(); ++i) {
    const Node& item = n.items[i];
    const Path e = p[i];
    if (!expect_map(item, e, "a rule set {id, effective_from, parts, stars, levels, ...}")) continue;
    RuleSet rs;
    rule_set(item, e, rs);
    // Keep the id/date nodes for the checks across rule sets.
    const Node* id = nullptr;
    const Node* from = nullptr;
    const Node* to = nullptr;
    for (size_t k = 0; k < item.map_size(); ++k) {
      const Node& key = item.key_at(k);
      if (!key.is_scalar()) continue;
      if (key.value == "id" && !id)
        id = &item.value_at(k);
      else if (key.value == "effective_from" && !from)
        from = &item.value_at(k);
      else if (key.value == "effective_to" && !to)
        to = &item.value_at(k);
    }
    if (!rs.id.empty()) {
      auto [it, inserted] = ids.emplace(id->value, id->line);
      if (!inserted) {
        const Path kp = e.key("id");
        report(
            *id, kp,
            "duplicate rule set id " + quote(rs.id) + " (first at line " + std::to_string(it->second) + ")");
      }
    }
    any_rule_set_ = true;
    for (const auto& l : rs.levels)
      if (l.kind == LevelKind::council) council_levels_[static_cast<size_t>(l.level)] = true;
    if (from && parse_date(from->value)) aux.push_back(Aux{i, id, from, to});
    cfg_.rule_sets.push_back(std::move(rs));
  }
  // Periods: sorted by effective_from, no two starting the same day, no explicit overlap.
  std::vector<size_t> order(aux.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto from_of = [&](size_t i) { return *parse_date(aux[i].from->value); };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return from_of(a) < from_of(b); });
  auto name_of = [&](size_t i) {
    return aux[i].id && aux[i].id->is_scalar() ? quote(aux[i].id->value) : std::string("?");
  };
  for (size_t k = 1; k < order.size(); ++k) {
    size_t a = order[k - 1], b = order[k];
    if (from_of(a) == from_of(b)) {
      const Path e = p[aux[b].entry];
      const Path kp = e.key("effective_from");
      report(*aux[b].from, kp,
             "rule sets " + name_of(a) + " and " + name_of(b) + " both take effect on " + aux[b].from->value);
      continue;
    }
    const Node* to = aux[a].to;
    if (to && !to->is_null()) {
      auto end = parse_date(to->is_scalar() ? to->value : std::string());
      if (end && *end >= from_of(b)) {
        const Path e = p[aux[a].entry];
        const Path kp = e.key("effective_to");
        report(*to, kp,
               "rule set " + name_of(a) + " ends on " + to->value + ", overlapping rule set " + name_of(b) +
                   " which takes effect on " + aux[b].from->value);
      }
    }
  }
}

void Loader::rule_set(const Node& n, const Path& e, RuleSet& rs) {
  Fields f = fields(
      n, e,
      {"id", "effective_from", "effective_to", "parts", "stars", "rounding", "certificate_months",
       "expiry_notice_days", "mandatory", "levels", "documents", "documents_by_group", "locality_criteria"});
  if (const Node* v = need(f, "id", e)) {
    const Path kp = e.key("id");
    rs.id = code_text(*v, kp, "rule set id");
  }
  if (const Node* v = need(f, "effective_from", e)) {
    const Path kp = e.key("effective_from");
    if (auto d = date(*v, kp)) rs.effective_from = *d;
  }
  if (const Node* v = f.opt("effective_to")) {
    const Path kp = e.key("effective_to");
    rs.effective_to = date(*v, kp);
    const Node* from = f.opt("effective_from");
    if (rs.effective_to && from && parse_date(from->value) && *rs.effective_to < rs.effective_from)
      report(*v, kp, "effective_to " + v->value + " is before effective_from " + from->value);
  }

  // parts: {A, B, C}
  double total = 100;
  if (const Node* v = need(f, "parts", e)) {
    const Path pp = e.key("parts");
    if (expect_map(*v, pp, "a mapping {A, B, C} of maximum points")) {
      Fields pf = fields(*v, pp, {"A", "B", "C"});
      static constexpr std::array<std::string_view, 3> names = {"A", "B", "C"};
      total = 0;
      for (size_t k = 0; k < 3; ++k) {
        if (const Node* x = need(pf, names[k], pp)) {
          const Path kp = pp.key(names[k]);
          if (auto d = number(*x, kp, 0, 1000)) {
            if (*d <= 0)
              report(*x, kp, "the maximum points of a part must be positive");
            else
              rs.parts[k] = *d;
          }
        }
        total += rs.parts[k];
      }
    }
  }

  // stars: ascending bands
  std::array<bool, 6> band_stars{};
  if (const Node* v = need(f, "stars", e)) {
    const Path sp = e.key("stars");
    if (expect_seq(*v, sp, "a list of bands [{stars, min}, ...]")) {
      if (v->items.empty()) report(*v, sp, "at least one star band is required");
      std::optional<StarBand> prev;
      for (size_t k = 0; k < v->items.size(); ++k) {
        const Node& b = v->items[k];
        const Path bp = sp[k];
        if (!expect_map(b, bp, "a band {stars, min}")) continue;
        Fields bf = fields(b, bp, {"stars", "min"});
        std::optional<long> stars;
        std::optional<double> min;
        const Node* sn = need(bf, "stars", bp);
        const Node* mn = need(bf, "min", bp);
        if (sn) {
          const Path kp = bp.key("stars");
          stars = integer(*sn, kp, 1, 5);
        }
        if (mn) {
          const Path kp = bp.key("min");
          min = number(*mn, kp, 0, 1000);
          if (min && *min > total)
            report(*mn, kp, "min " + mn->value + " is above the maximum total " + number_text(total));
        }
        if (stars && prev && *stars <= prev->stars) {
          const Path kp = bp.key("stars");
          report(*sn, kp,
                 "bands must ascend: " + std::string(star_word(static_cast<int>(*stars))) + " after " +
                     std::string(star_word(prev->stars)));
        }
        if (min && prev && *min <= prev->min) {
          const Path kp = bp.key("min");
          report(*mn, kp,
                 "bands must ascend: min " + mn->value + " is not above the previous band's min " +
                     number_text(prev->min));
        }
        if (stars && min) {
          StarBand band{static_cast<int>(*stars), *min};
          rs.stars.push_back(band);
          band_stars[band.stars] = true;
          prev = band;
        }
      }
    }
  }

  if (const Node* v = f.opt("rounding")) {
    const Path kp = e.key("rounding");
    static constexpr std::array<std::string_view, 2> names = {"none", "half_up"};
    if (auto r = choice(*v, kp, names, "rounding")) rs.rounding = static_cast<Rounding>(*r);
  }
  if (const Node* v = f.opt("certificate_months")) {
    const Path kp = e.key("certificate_months");
    if (auto x = integer(*v, kp, 1, 240)) rs.certificate_months = static_cast<int>(*x);
  }
  if (const Node* v = f.opt("expiry_notice_days")) {
    const Path kp = e.key("expiry_notice_days");
    if (auto x = integer(*v, kp, 0, 366)) rs.expiry_notice_days = static_cast<int>(*x);
  }

  if (const Node* v = f.opt("mandatory")) {
    const Path mp = e.key("mandatory");
    if (expect_map(*v, mp, "a mapping star -> [criteria]")) {
      std::unordered_map<std::string_view, int> seen;
      for (size_t k = 0; k < v->map_size(); ++k) {
        const Node& key = v->key_at(k);
        const Node& val = v->value_at(k);
        if (!unique_key(seen, key, mp)) continue;
        const Path kp = mp.key(key.value);
        auto star = integer(key, kp, 1, 5);
        std::vector<std::string> criteria;
        if (expect_seq(val, kp, "a list of criteria")) {
          for (size_t j = 0; j < val.items.size(); ++j) {
            const Path cp = kp[j];
            std::string c = code_text(val.items[j], cp, "criterion");
            if (!c.empty()) criteria.push_back(std::move(c));
          }
        }
        if (star) rs.mandatory[static_cast<int>(*star)] = std::move(criteria);
      }
    }
  }

  if (const Node* v = need(f, "levels", e)) {
    const Path lp = e.key("levels");
    levels(*v, lp, rs);
    // Every star a level recognises needs a band that can reach it.
    if (!rs.stars.empty() && v->is_seq()) {
      for (size_t k = 0; k < rs.levels.size() && k < v->items.size(); ++k) {
        for (int s : rs.levels[k].recognizes)
          if (!band_stars[static_cast<size_t>(s)])
            report(v->items[k], lp[k],
                   "recognizes " + std::string(star_word(s)) + " but no star band awards it");
      }
    }
  }

  if (const Node* v = f.opt("documents")) {
    const Path dp = e.key("documents");
    rs.documents = document_lists(*v, dp);
  }
  if (const Node* v = f.opt("documents_by_group")) {
    const Path gp = e.key("documents_by_group");
    if (expect_map(*v, gp, "a mapping product group -> {event: [document kinds]}")) {
      std::vector<std::string_view> groups;  // the groups the product sets use
      for (const auto& [code, ps] : cfg_.product_sets)
        if (!ps.group.empty() && std::find(groups.begin(), groups.end(), ps.group) == groups.end())
          groups.push_back(ps.group);
      std::unordered_map<std::string_view, int> seen;
      for (size_t k = 0; k < v->map_size(); ++k) {
        const Node& key = v->key_at(k);
        const Node& val = v->value_at(k);
        if (!unique_key(seen, key, gp)) continue;
        const Path kp = gp.key(key.value);
        bool known = std::find(groups.begin(), groups.end(), key.value) != groups.end();
        if (!known) {
          if (groups.empty()) {
            report(key, kp,
                   "product group " + quote(key.value) + ": no product set has a group (see product_sets)");
          } else {
            std::string list;
            for (auto g : groups) list += (list.empty() ? "" : ", ") + std::string(g);
            report(key, kp,
                   "unknown product group " + quote(key.value) + did_you_mean(key.value, groups) +
                       "; the product sets' groups are: " + list);
          }
        }
        auto lists = val.is_null() ? std::map<Event, std::vector<std::string>>{} : document_lists(val, kp);
        if (known) rs.documents_by_group[key.value] = std::move(lists);
      }
    }
  }

  if (const Node* v = f.opt("locality_criteria")) {
    const Path cp = e.key("locality_criteria");
    if (expect_seq(*v, cp, "a list of criteria")) {
      for (size_t j = 0; j < v->items.size(); ++j) {
        const Path ip = cp[j];
        std::string c = code_text(v->items[j], ip, "criterion");
        if (!c.empty()) rs.locality_criteria.push_back(std::move(c));
      }
    }
  }
}

std::map<Event, std::vector<std::string>> Loader::document_lists(const Node& v, const Path& dp) {
  static const std::vector<std::string_view> events = event_names();
  std::map<Event, std::vector<std::string>> out;
  if (!expect_map(v, dp, "a mapping event -> [document kinds]")) return out;
  std::unordered_map<std::string_view, int> seen;
  for (size_t k = 0; k < v.map_size(); ++k) {
    const Node& key = v.key_at(k);
    const Node& val = v.value_at(k);
    if (!unique_key(seen, key, dp)) continue;
    const Path kp = dp.key(key.value);
    auto ev = parse_event(key.value);
    if (!ev) report(key, kp, "unknown event " + quote(key.value) + did_you_mean(key.value, events));
    std::vector<std::string> kinds;
    if (!val.is_null() && expect_seq(val, kp, "a list of document kinds")) {
      for (size_t j = 0; j < val.items.size(); ++j) {
        const Path cp = kp[j];
        std::string kind = code_text(val.items[j], cp, "document kind");
        if (kind.empty()) continue;
        if (!cfg_.document_kinds.empty() && !cfg_.document_kinds.count(kind)) {
          std::vector<std::string_view> known;
          for (const auto& [name, label] : cfg_.document_kinds) known.push_back(name);
          report(val.items[j], cp,
                 "unknown document kind " + quote(kind) + did_you_mean(kind, known) +
                     " (not among the configured document kinds)");
          continue;
        }
        kinds.push_back(std::move(kind));
      }
    }
    if (ev) out[*ev] = std::move(kinds);
  }
  return out;
}

void Loader::levels(const Node& n, const Path& lp, RuleSet& rs) {
  if (!expect_seq(n, lp, "a list of levels, lowest first")) return;
  if (n.items.empty()) {
    report(n, lp, "at least one level is required");
    return;
  }
  double total = rs.parts[0] + rs.parts[1] + rs.parts[2];
  std::optional<UnitLevel> prev;
  for (size_t k = 0; k < n.items.size(); ++k) {
    const Node& item = n.items[k];
    const Path e = lp[k];
    if (!expect_map(item, e, "a level {level, kind, ...}")) continue;
    Fields f = fields(item, e, {"level", "kind", "quorum", "recognizes", "forward_min"});
    LevelRule l;
    bool level_ok = false, kind_ok = false;
    if (const Node* v = need(f, "level", e)) {
      const Path kp = e.key("level");
      if (auto x = choice(*v, kp, kLevelNames, "level")) {
        l.level = static_cast<UnitLevel>(*x);
        level_ok = true;
        if (prev && static_cast<int>(l.level) >= static_cast<int>(*prev))
          report(*v, kp,
                 "levels must go from the lowest up: " + quote(v->value) + " cannot follow " +
                     quote(to_string(*prev)));
        else
          prev = l.level;
      }
    }
    if (const Node* v = need(f, "kind", e)) {
      const Path kp = e.key("kind");
      static constexpr std::array<std::string_view, 2> names = {"screen", "council"};
      if (auto x = choice(*v, kp, names, "kind")) {
        l.kind = static_cast<LevelKind>(*x);
        kind_ok = true;
      }
    }
    bool last = k + 1 == n.items.size();
    if (kind_ok && l.kind == LevelKind::council) {
      if (const Node* v = f.opt("quorum")) {
        const Path kp = e.key("quorum");
        if (auto q = integer(*v, kp, 0, 1000)) {
          if (*q < 1)
            report(*v, kp, "a council level needs quorum >= 1");
          else
            l.quorum = static_cast<int>(*q);
        }
      } else {
        const Path kp = e.key("quorum");
        const Node* key = f.key("quorum");
        report(key ? *key : item, kp, "a council level needs quorum >= 1");
      }
      if (const Node* v = f.opt("recognizes")) {
        const Path kp = e.key("recognizes");
        if (expect_seq(*v, kp, "a list of stars, e.g. [3, 4]")) {
          for (size_t j = 0; j < v->items.size(); ++j) {
            const Path sp = kp[j];
            if (auto s = integer(v->items[j], sp, 1, 5)) l.recognizes.push_back(static_cast<int>(*s));
          }
        }
      }
      if (const Node* v = f.opt("forward_min")) {
        const Path kp = e.key("forward_min");
        if (last)
          report(*v, kp, "the highest level has nowhere to forward to");
        else
          l.forward_min = number(*v, kp, 0, total);
      }
    } else if (kind_ok) {
      for (std::string_view key : {"quorum", "recognizes", "forward_min"}) {
        if (const Node* k2 = f.key(key)) {
          const Path kp = e.key(key);
          report(*k2, kp, std::string(key) + " applies to council levels only");
        }
      }
    }
    if (level_ok && kind_ok) rs.levels.push_back(std::move(l));
  }
}

// --- calendar, cycles -------------------------------------------------------------------------

void Loader::calendar(const Node& n, const Path& p) {
  if (!expect_map(n, p, "a mapping {weekend, holidays, working_days}")) return;
  Fields f = fields(n, p, {"weekend", "holidays", "working_days"});
  Calendar& cal = cfg_.calendar;
  if (const Node* v = f.get("weekend")) {
    const Path kp = p.key("weekend");
    cal.weekend.fill(false);
    if (!v->is_null() && expect_seq(*v, kp, "a list of day names (mon..sun)")) {
      for (size_t j = 0; j < v->items.size(); ++j) {
        const Path dp = kp[j];
        if (auto d = choice(v->items[j], dp, kWeekdays, "day")) cal.weekend[*d] = true;
      }
      if (std::all_of(cal.weekend.begin(), cal.weekend.end(), [](bool b) { return b; }))
        report(*v, kp, "every day of the week is a weekend day");
    }
  }
  if (const Node* v = f.get("holidays")) {
    const Path kp = p.key("holidays");
    if (!v->is_null() && expect_seq(*v, kp, "a list of dates")) {
      for (size_t j = 0; j < v->items.size(); ++j) {
        const Path dp = kp[j];
        if (auto d = date(v->items[j], dp)) cal.holidays.insert(*d);
      }
    }
  }
  if (const Node* v = f.get("working_days")) {
    const Path kp = p.key("working_days");
    if (!v->is_null() && expect_seq(*v, kp, "a list of dates")) {
      for (size_t j = 0; j < v->items.size(); ++j) {
        const Node& item = v->items[j];
        const Path dp = kp[j];
        auto d = date(item, dp);
        if (!d) continue;
        if (!cal.weekend[static_cast<size_t>(weekday(*d))])
          report(item, dp,
                 item.value + " is a " + std::string(kWeekdayNames[static_cast<size_t>(weekday(*d))]) +
                     ", not a weekend day; working_days lists make-up days on weekends");
        else if (cal.holidays.count(*d))
          report(item, dp, item.value + " is also listed in holidays");
        else
          cal.working_days.insert(*d);
      }
    }
  }
}

void Loader::cycles(const Node& n, const Path& p) {
  if (!expect_map(n, p, "a mapping year -> {milestones, rounds}")) return;
  std::unordered_map<std::string_view, int> seen;
  std::unordered_map<std::string_view, int> round_ids;
  for (size_t i = 0; i < n.map_size(); ++i) {
    const Node& k = n.key_at(i);
    const Node& v = n.value_at(i);
    if (!unique_key(seen, k, p)) continue;
    const Path cp = p.key(k.value);
    auto year = integer(k, cp, 1900, 2999);
    if (!expect_map(v, cp, "a cycle {milestones, rounds}")) continue;
    Cycle c;
    c.year = year ? static_cast<int>(*year) : 0;
    Fields f = fields(v, cp, {"milestones", "rounds", "opens", "closes", "carry_over"});
    std::optional<Date> opens, closes;
    if (const Node* x = f.opt("opens")) {
      const Path kp = cp.key("opens");
      opens = date(*x, kp);
      if (opens && year && year_of(*opens) != *year)
        report(*x, kp, "opens " + x->value + " is not in the cycle's year " + k.value);
    }
    if (const Node* x = f.opt("closes")) {
      const Path kp = cp.key("closes");
      closes = date(*x, kp);
      if (closes && year && year_of(*closes) != *year && year_of(*closes) != *year + 1)
        report(*x, kp, "closes " + x->value + " is not in the cycle's year " + k.value + " or the next");
      if (closes && opens && *closes < *opens)
        report(*x, kp, "closes " + x->value + " is before opens " + format_date(*opens));
    }
    c.opens = opens;
    c.closes = closes;
    if (const Node* x = f.opt("carry_over")) {
      const Path kp = cp.key("carry_over");
      static constexpr std::array<std::string_view, 2> kCarry = {"report", "next"};
      if (auto i = choice(*x, kp, kCarry, "carry_over")) c.carry_over = static_cast<CarryOver>(*i);
    }
    if (const Node* m = f.opt("milestones")) {
      const Path mp = cp.key("milestones");
      if (expect_map(*m, mp, "a mapping name -> date")) {
        std::unordered_map<std::string_view, int> mseen;
        for (size_t j = 0; j < m->map_size(); ++j) {
          const Node& mk = m->key_at(j);
          if (!unique_key(mseen, mk, mp)) continue;
          const Path kp = mp.key(mk.value);
          if (mk.value == "round_cutoff")
            report(mk, kp, "\"round_cutoff\" is reserved for the rounds' cut-off dates");
          if (auto d = date(m->value_at(j), kp)) {
            c.milestones[mk.value] = *d;
            milestone_names_.insert(mk.value);
          }
        }
      }
    }
    if (const Node* r = f.opt("rounds")) {
      const Path rp = cp.key("rounds");
      if (expect_seq(*r, rp, "a list of rounds [{id, level, cutoff, meeting}]")) {
        for (size_t j = 0; j < r->items.size(); ++j) {
          const Node& item = r->items[j];
          const Path e = rp[j];
          if (!expect_map(item, e, "a round {id, level, cutoff, meeting}")) continue;
          Fields rf = fields(item, e, {"id", "level", "cutoff", "meeting"});
          Round round;
          bool ok = true;
          if (const Node* x = need(rf, "id", e)) {
            const Path kp = e.key("id");
            round.id = code_text(*x, kp, "round id");
            if (round.id.empty())
              ok = false;
            else {
              auto [it, inserted] = round_ids.emplace(x->value, x->line);
              if (!inserted)
                report(*x, kp,
                       "duplicate round id " + quote(round.id) + " (first at line " +
                           std::to_string(it->second) + ")");
            }
          } else {
            ok = false;
          }
          if (const Node* x = need(rf, "level", e)) {
            const Path kp = e.key("level");
            if (auto l = choice(*x, kp, kLevelNames, "level")) {
              round.level = static_cast<UnitLevel>(*l);
              if (any_rule_set_ && !council_levels_[*l])
                report(*x, kp,
                       "no rule set has a council at level " + quote(x->value) +
                           "; rounds are for council levels");
            }
          }
          std::optional<Date> cutoff, meeting;
          if (const Node* x = need(rf, "cutoff", e)) {
            const Path kp = e.key("cutoff");
            cutoff = date(*x, kp);
          }
          const Node* mn = need(rf, "meeting", e);
          if (mn) {
            const Path kp = e.key("meeting");
            meeting = date(*mn, kp);
          }
          if (cutoff && meeting && *meeting < *cutoff) {
            const Path kp = e.key("meeting");
            report(*mn, kp, "meeting " + mn->value + " is before the cut-off " + format_date(*cutoff));
          }
          if (cutoff) round.cutoff = *cutoff;
          if (meeting) round.meeting = *meeting;
          if (ok) c.rounds.push_back(std::move(round));
        }
      }
    }
    if (year) cfg_.cycles[c.year] = std::move(c);
  }
}

// --- reminders, channels ----------------------------------------------------------------------

void Loader::reminders(const Node& n, const Path& p) {
  if (!expect_seq(n, p, "a list of reminders")) return;
  static const std::vector<std::string_view> states = state_names();
  static constexpr std::array<std::string_view, 4> kinds = {"stalled", "before_milestone",
                                                            "certificate_expiry", "cycle_start"};
  std::unordered_map<std::string_view, int> ids;
  for (size_t i = 0; i < n.items.size(); ++i) {
    const Node& item = n.items[i];
    const Path e = p[i];
    if (!expect_map(item, e, "a reminder {id, kind, ...}")) continue;
    Fields f = fields(
        item, e,
        {"id", "kind", "state", "after_days", "to", "escalate_after_days", "milestone", "days_before"});
    Reminder r;
    bool ok = true;
    if (const Node* v = need(f, "id", e)) {
      const Path kp = e.key("id");
      r.id = code_text(*v, kp, "reminder id");
      if (!r.id.empty()) {
        auto [it, inserted] = ids.emplace(v->value, v->line);
        if (!inserted)
          report(
              *v, kp,
              "duplicate reminder id " + quote(r.id) + " (first at line " + std::to_string(it->second) + ")");
      }
    }
    std::optional<size_t> kind;
    if (const Node* v = need(f, "kind", e)) {
      const Path kp = e.key("kind");
      kind = choice(*v, kp, kinds, "reminder kind");
    }
    if (!kind)
      ok = false;
    else
      r.kind = static_cast<ReminderKind>(*kind);

    if (const Node* v = f.opt("to")) {
      const Path kp = e.key("to");
      if (auto t = choice(*v, kp, kReminderTargets, "recipient")) r.to = kReminderTargets[*t];
    }
    // Keys that belong to one kind only.
    auto only_for = [&](std::string_view key, ReminderKind k, std::string_view kind_name) {
      const Node* kn = f.key(key);
      if (kn && kind && r.kind != k) {
        const Path kp = e.key(key);
        report(*kn, kp, std::string(key) + " applies to " + std::string(kind_name) + " reminders only");
        return false;
      }
      return kn != nullptr;
    };
    bool stalled = kind && r.kind == ReminderKind::stalled;
    bool before = kind && r.kind == ReminderKind::before_milestone;
    only_for("state", ReminderKind::stalled, "stalled");
    only_for("after_days", ReminderKind::stalled, "stalled");
    only_for("escalate_after_days", ReminderKind::stalled, "stalled");
    only_for("milestone", ReminderKind::before_milestone, "before_milestone");
    only_for("days_before", ReminderKind::before_milestone, "before_milestone");

    if (stalled) {
      if (const Node* v = need(f, "state", e)) {
        const Path kp = e.key("state");
        if (auto s = text(*v, kp)) {
          if (auto st = parse_state(*s)) {
            if (is_final(*st))
              report(*v, kp, "state " + quote(*s) + " is final; a dossier never stalls there");
            else
              r.state = *st;
          } else {
            report(*v, kp, "unknown state " + quote(*s) + did_you_mean(*s, states));
          }
        }
      }
      if (const Node* v = need(f, "after_days", e)) {
        const Path kp = e.key("after_days");
        if (auto x = integer(*v, kp, 1, 366)) r.after_days = static_cast<int>(*x);
      }
      if (const Node* v = f.opt("escalate_after_days")) {
        const Path kp = e.key("escalate_after_days");
        if (auto x = integer(*v, kp, 1, 366)) r.escalate_after_days = static_cast<int>(*x);
      }
    }
    if (before) {
      if (const Node* v = need(f, "milestone", e)) {
        const Path kp = e.key("milestone");
        if (auto s = text(*v, kp)) {
          if (*s != "round_cutoff" && !milestone_names_.count(*s)) {
            std::vector<std::string_view> known(milestone_names_.begin(), milestone_names_.end());
            known.push_back("round_cutoff");
            std::sort(known.begin(), known.end());
            std::string list;
            for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
            report(*v, kp, "unknown milestone " + quote(*s) + did_you_mean(*s, known) + "; known: " + list);
          }
          r.milestone = *s;
        }
      }
      if (const Node* v = need(f, "days_before", e)) {
        const Path kp = e.key("days_before");
        if (auto x = integer(*v, kp, 0, 366)) r.days_before = static_cast<int>(*x);
      }
    }
    if (ok) cfg_.reminders.push_back(std::move(r));
  }
}

// The scheduler's identity: the configured user `ocop tick` fires certificate notices and
// expiries as (its audit records name it). Runs after users and roles.
void Loader::scheduler(const Node& n, const Path& p) {
  if (!expect_map(n, p, "a mapping {actor}")) return;
  Fields f = fields(n, p, {"actor"});
  const Node* v = need(f, "actor", p);
  if (!v) return;
  const Path kp = p.key("actor");
  std::string id = code_text(*v, kp, "user id");
  if (id.empty()) return;
  const User* user = nullptr;
  for (const auto& u : cfg_.users)
    if (u.id == id) user = &u;
  if (!user) {
    report(*v, kp, "unknown user " + quote(id) + "; the scheduler acts as a configured user");
    return;
  }
  EventMask events = 0;
  for (const auto& r : user->roles)
    if (auto it = cfg_.roles.find(r); it != cfg_.roles.end()) events |= it->second;
  for (CertificateEvent e : {CertificateEvent::notice, CertificateEvent::expire})
    if (!(events & certificate_event_bit(e)))
      report(*v, kp,
             "user " + quote(id) + " may not fire " + std::string(to_string(e)) +
                 ": one of its roles must list notice and expire");
  cfg_.scheduler_actor = id;
}

void Loader::channels(const Node& n, const Path& p) {
  if (!expect_map(n, p, "a mapping {smtp, webhook, max_attempts}")) return;
  Fields f = fields(n, p, {"smtp", "webhook", "max_attempts"});
  Channels& ch = cfg_.channels;
  if (const Node* v = f.opt("smtp")) {
    const Path sp = p.key("smtp");
    if (expect_map(*v, sp, "a mapping {url, from}")) {
      Fields sf = fields(*v, sp, {"url", "from"});
      if (const Node* u = need(sf, "url", sp)) {
        const Path kp = sp.key("url");
        if (auto s = text(*u, kp)) {
          if (starts_with(*s, "smtp://") || starts_with(*s, "smtps://"))
            ch.smtp_url = *s;
          else
            report(*u, kp, "expected an smtp:// or smtps:// URL, got " + quote(*s));
        }
      }
      if (const Node* u = need(sf, "from", sp)) {
        const Path kp = sp.key("from");
        if (auto s = text(*u, kp)) {
          if (valid_email(*s))
            ch.smtp_from = *s;
          else
            report(*u, kp, "invalid email address " + quote(*s));
        }
      }
    }
  }
  if (const Node* v = f.opt("webhook")) {
    const Path wp = p.key("webhook");
    if (expect_map(*v, wp, "a mapping {url, secret_env}")) {
      Fields wf = fields(*v, wp, {"url", "secret_env"});
      if (const Node* u = need(wf, "url", wp)) {
        const Path kp = wp.key("url");
        if (auto s = text(*u, kp)) {
          if (starts_with(*s, "http://") || starts_with(*s, "https://"))
            ch.webhook_url = *s;
          else
            report(*u, kp, "expected an http:// or https:// URL, got " + quote(*s));
        }
      }
      if (const Node* u = wf.opt("secret_env")) {
        const Path kp = wp.key("secret_env");
        if (auto s = text(*u, kp)) {
          bool ok =
              !(s->front() >= '0' && s->front() <= '9') && std::all_of(s->begin(), s->end(), [](char c) {
                return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
              });
          if (ok)
            ch.webhook_secret_env = *s;
          else
            report(*u, kp, "expected an environment variable name, got " + quote(*s));
        }
      }
    }
  }
  if (const Node* v = f.opt("max_attempts")) {
    const Path kp = p.key("max_attempts");
    if (auto x = integer(*v, kp, 1, 100)) ch.max_attempts = static_cast<int>(*x);
  }
}

// The `templates` section: template name -> {subject, body}, each optional, overriding the
// Vietnamese defaults (ocop/notify.hpp). Only known templates and their own placeholders.
void Loader::templates(const Node& n, const Path& p) {
  if (!expect_map(n, p, "a mapping template name -> {subject, body}")) return;
  std::vector<std::string_view> known;
  for (const auto& spec : template_specs()) known.push_back(spec.name);
  std::unordered_map<std::string_view, int> seen;
  for (size_t i = 0; i < n.map_size(); ++i) {
    const Node& k = n.key_at(i);
    const Node& v = n.value_at(i);
    if (!unique_key(seen, k, p)) continue;
    const Path tp = p.key(k.value);
    const TemplateSpec* spec = find_template(k.value);
    if (!spec) {
      std::string list;
      for (auto name : known) list += (list.empty() ? "" : ", ") + std::string(name);
      report(k, tp, "unknown template " + quote(k.value) + did_you_mean(k.value, known) + "; known: " + list);
      continue;
    }
    if (!expect_map(v, tp, "a mapping {subject, body}")) continue;
    Fields f = fields(v, tp, {"subject", "body"});
    MessageTemplate t;
    auto part = [&](const char* key, std::string& into) {
      const Node* x = f.opt(key);
      if (!x) return;
      const Path kp = tp.key(key);
      const std::string* s = text(*x, kp);
      if (!s) return;
      if (s->find_first_not_of(" \t\r\n") == std::string::npos) {
        report(*x, kp, "must not be empty (leave the key out to keep the default)");
        return;
      }
      if (std::string problem = check_template_text(*s, spec->placeholders); !problem.empty()) {
        report(*x, kp, problem);
        return;
      }
      if (std::string(key) == "subject" && s->find_first_of("\r\n") != std::string::npos) {
        report(*x, kp, "a subject is one line");
        return;
      }
      into = *s;
    };
    part("subject", t.subject);
    part("body", t.body);
    if (!f.get("subject") && !f.get("body")) {
      report(v, tp, "give a subject, a body or both");
      continue;
    }
    if (!t.subject.empty() || !t.body.empty()) cfg_.templates[spec->name] = std::move(t);
  }
}

// --- the whole file ---------------------------------------------------------------------------

// A file saved in a legacy Vietnamese encoding (TCVN3, VNI, Windows-1258) would put mojibake into
// every notification: name its lines. UTF-16/32 files (with a byte order mark) are yaml-cpp's.
void Loader::check_utf8(const std::string& text) {
  if (!text.empty() && (static_cast<unsigned char>(text[0]) == 0xFE ||
                        static_cast<unsigned char>(text[0]) == 0xFF || text[0] == '\0'))
    return;
  constexpr int kMaxReported = 5;
  int line = 1, last_bad = 0, bad_lines = 0;
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c == '\n') ++line;
      ++i;
      continue;
    }
    size_t len = utf8_length(text, i);
    if (len == 0) {
      if (line != last_bad) {
        last_bad = line;
        if (++bad_lines <= kMaxReported) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "0x%02X", c);
          report(line, Path(), std::string("not valid UTF-8 (byte ") + hex + "); save the file as UTF-8");
        }
      }
      ++i;
      continue;
    }
    i += len;
  }
  if (bad_lines > kMaxReported)
    report(0, Path(), std::to_string(bad_lines - kMaxReported) + " more lines are not valid UTF-8");
}

bool Loader::parse_document(const std::string& text, TreeBuilder& tree, std::string_view expected) {
  check_utf8(text);  // reported, and the checks go on
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    if (!parser.HandleNextDocument(tree) || !tree.has_root()) {
      report(0, Path(), "the file is empty; expected " + std::string(expected));
      return false;
    }
    DocumentCounter more;
    if (parser.HandleNextDocument(more))
      report(more.line, Path(), "a second YAML document; expected one document");
    return true;
  } catch (const YAML::Exception& e) {
    std::string msg = "YAML syntax error: " + e.msg;
    if (e.mark.column >= 0) msg += " (column " + std::to_string(e.mark.column + 1) + ")";
    report(line_of(e.mark), Path(), std::move(msg));
    return false;
  }
}

LoadResult Loader::run(const std::string& text) {
  cfg_.source = file_;
  TreeBuilder tree;
  if (!parse_document(text, tree, "a configuration")) return finish();

  const Node& root = tree.root();
  Path top;
  if (!root.is_map()) {
    report(root, top, "expected a mapping of sections (province, units, users, ...), got " + describe(root));
    return finish();
  }
  Fields f = fields(
      root, top,
      {"province", "units", "users", "product_sets", "roles", "rule_sets", "calendar", "cycles", "reminders",
       "channels", "document_kinds", "documents", "revocation_grounds", "scheduler", "templates"});
  auto section = [&](std::string_view name, bool required) -> const Node* {
    const Node* v = f.get(name);
    if (!v) {
      if (required) {
        const Path kp = top.key(name);
        report(0, kp, "required section " + quote(name) + " is missing");
      }
      return nullptr;
    }
    if (v->is_null()) {
      if (required) {
        const Path kp = top.key(name);
        report(*v, kp, "required section " + quote(name) + " is empty");
      }
      return nullptr;
    }
    return v;
  };
  const Node* s_province = section("province", true);
  const Node* s_units = section("units", true);
  const Node* s_users = section("users", true);
  const Node* s_roles = section("roles", true);
  const Node* s_rule_sets = section("rule_sets", true);
  const Node* s_product_sets = section("product_sets", false);
  const Node* s_calendar = section("calendar", false);
  const Node* s_cycles = section("cycles", false);
  const Node* s_reminders = section("reminders", false);
  const Node* s_channels = section("channels", false);
  const Node* s_document_kinds = section("document_kinds", false);
  const Node* s_revocation_grounds = section("revocation_grounds", false);
  const Node* s_documents = section("documents", false);
  const Node* s_scheduler = section("scheduler", false);
  const Node* s_templates = section("templates", false);
  legacy_kinds_ = s_document_kinds;

  auto run_section = [&](const Node* n, std::string_view name, auto member) {
    if (!n) return;
    const Path p = top.key(name);
    (this->*member)(*n, p);
  };
  run_section(s_province, "province", &Loader::province);
  run_section(s_units, "units", &Loader::units);
  province_unit(province_code_);
  run_section(s_roles, "roles", &Loader::roles);
  run_section(s_product_sets, "product_sets", &Loader::product_sets);
  run_section(s_document_kinds, "document_kinds", &Loader::document_kinds);
  run_section(s_revocation_grounds, "revocation_grounds", &Loader::revocation_grounds);
  run_section(s_documents, "documents", &Loader::documents);
  run_section(s_users, "users", &Loader::users);
  run_section(s_rule_sets, "rule_sets", &Loader::rule_sets);
  run_section(s_calendar, "calendar", &Loader::calendar);
  run_section(s_cycles, "cycles", &Loader::cycles);
  run_section(s_reminders, "reminders", &Loader::reminders);
  run_section(s_channels, "channels", &Loader::channels);
  run_section(s_scheduler, "scheduler", &Loader::scheduler);
  run_section(s_templates, "templates", &Loader::templates);
  return finish();
}

PlanLoadResult Loader::plan(const std::string& text) {
  PlanLoadResult out;
  MigrationPlan& plan = out.plan;
  plan.source = file_;
  TreeBuilder tree;
  if (parse_document(text, tree, "a migration plan")) {
    const Node& root = tree.root();
    Path top;
    if (expect_map(root, top, "a migration plan (id, reason, from_rule_set, to_rule_set, filter, map)")) {
      Fields f = fields(root, top, {"id", "reason", "from_rule_set", "to_rule_set", "filter", "map"});
      auto required_text = [&](std::string_view name, std::string& into, bool code) {
        const Path kp = top.key(name);
        if (const Node* v = need(f, name, top)) {
          if (code)
            into = code_text(*v, kp, name);
          else if (const std::string* t = this->text(*v, kp))
            into = *t;
        }
      };
      required_text("id", plan.id, true);
      required_text("reason", plan.reason, false);
      required_text("from_rule_set", plan.from_rule_set, true);
      required_text("to_rule_set", plan.to_rule_set, true);
      static const std::vector<std::string_view> states = state_names();
      static const std::vector<std::string_view> levels = {"central", "province", "district", "commune"};
      if (const Node* filter = f.opt("filter")) {
        const Path fp = top.key("filter");
        if (expect_map(*filter, fp, "a mapping (units, states, years)")) {
          Fields ff = fields(*filter, fp, {"units", "states", "years"});
          auto each = [&](std::string_view name, auto fn) {
            const Node* v = ff.opt(name);
            if (!v) return;
            const Path kp = fp.key(name);
            if (!expect_seq(*v, kp, "a list")) return;
            for (size_t i = 0; i < v->items.size(); ++i) {
              const Path ip = kp[i];
              fn(v->items[i], ip);
            }
          };
          each("units", [&](const Node& n, const Path& ip) {
            std::string u = code_text(n, ip, "unit");
            if (!u.empty()) plan.units.push_back(u);
          });
          each("states", [&](const Node& n, const Path& ip) {
            if (auto i = choice(n, ip, states, "state")) plan.states.push_back(*parse_state(states[*i]));
          });
          each("years", [&](const Node& n, const Path& ip) {
            if (auto y = integer(n, ip, 1990, 2200)) plan.years.push_back(static_cast<int>(*y));
          });
        }
      }
      if (const Node* map = need(f, "map", top)) {
        const Path mp = top.key("map");
        if (expect_seq(*map, mp, "a list of steps {state, level, to_state, to_level}")) {
          for (size_t i = 0; i < map->items.size(); ++i) {
            const Node& n = map->items[i];
            const Path ip = mp[i];
            if (!expect_map(n, ip, "a step {state, level, to_state, to_level}")) continue;
            Fields sf = fields(n, ip, {"state", "level", "to_state", "to_level"});
            MigrationStep step;
            step.line = n.line;
            bool good = true;
            auto state_of = [&](std::string_view name, State& into) {
              const Path kp = ip.key(name);
              const Node* v = need(sf, name, ip);
              auto c = v ? choice(*v, kp, states, "state") : std::nullopt;
              if (c)
                into = *parse_state(states[*c]);
              else
                good = false;
            };
            auto level_of = [&](std::string_view name, std::string& into) {
              const Path kp = ip.key(name);
              const Node* v = need(sf, name, ip);
              auto c = v ? choice(*v, kp, levels, "level") : std::nullopt;
              if (c)
                into = std::string(levels[*c]);
              else
                good = false;
            };
            state_of("state", step.state);
            level_of("level", step.level);
            state_of("to_state", step.to_state);
            level_of("to_level", step.to_level);
            if (good) plan.steps.push_back(step);
          }
        }
      }
    }
  }
  LoadResult r = finish();
  out.problems = std::move(r.problems);
  return out;
}

LoadResult Loader::finish() {
  if (problems_.empty()) {
    cfg_.index();  // also sorts rule_sets by effective_from
  } else {
    // Sections were checked in dependency order; report in file order.
    std::vector<size_t> order(problems_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return std::pair(problems_[a].line, columns_[a]) < std::pair(problems_[b].line, columns_[b]);
    });
    std::vector<Problem> sorted;
    sorted.reserve(problems_.size());
    for (size_t i : order) sorted.push_back(std::move(problems_[i]));
    problems_ = std::move(sorted);
  }
  return LoadResult{std::move(cfg_), std::move(problems_)};
}

}  // namespace

LoadResult load_string(const std::string& text, const std::string& name) { return Loader(name).run(text); }

PlanLoadResult load_plan_string(const std::string& text, const std::string& name) {
  return Loader(name).plan(text);
}

PlanLoadResult load_plan_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    PlanLoadResult r;
    r.plan.source = path;
    r.problems.push_back(Problem{path, 0, "", std::string("cannot open: ") + std::strerror(errno)});
    return r;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return load_plan_string(text, path);
}

LoadResult load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    r.config.source = path;
    r.problems.push_back(Problem{path, 0, "", std::string("cannot open: ") + std::strerror(errno)});
    return r;
  }
  std::string text;
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size > 0) {
    text.resize(static_cast<size_t>(size));
    in.read(text.data(), size);
  }
  if (in.bad() || (size > 0 && in.gcount() != size)) {
    LoadResult r;
    r.config.source = path;
    r.problems.push_back(Problem{path, 0, "", "cannot read the file"});
    return r;
  }
  return load_string(text, path);
}

}  // namespace ocop::config
