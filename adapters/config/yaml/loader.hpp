// The YAML configuration loader's insides (adapters/config/yaml/), shared by its files: the
// document tree (every node keeps its line), key paths for messages, the checks of shapes and
// scalars that record a Problem and go on, and the Loader whose sections live one per file.
// Internal: only adapters/config includes it; the public interface is config/yaml_config.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "config/yaml_config.hpp"
#include "ocop/config.hpp"
#include "ocop/migration.hpp"

namespace ocop::config::yaml {

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

class TreeBuilder;  // config/yaml/tree.hpp

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
// Small helpers (helpers.cpp).

std::string quote(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
size_t edit_distance(std::string_view a, std::string_view b);
// " (did you mean "x"?)" when one candidate is close enough, else "". A close spelling wins over
// a candidate that `got` merely starts with ("withdraw_aplication": withdraw_application, not
// withdraw), which is offered only when nothing is close ("sunday": sun).
template <typename Range>
std::string did_you_mean(std::string_view got, const Range& candidates) {
  std::string_view best, prefix;
  if (got.size() < 3) return {};
  size_t best_d = std::max<size_t>(1, std::min<size_t>(3, got.size() / 3));
  bool found = false;
  for (const auto& c : candidates) {
    std::string_view cv(c);
    if (prefix.empty() && cv.size() >= 3 && got.size() > cv.size() && starts_with(got, cv)) prefix = cv;
    size_t len_gap = cv.size() > got.size() ? cv.size() - got.size() : got.size() - cv.size();
    if (len_gap > best_d) continue;
    size_t d = edit_distance(got, cv);
    if (d <= best_d && (!found || d < best_d)) {
      best = cv;
      best_d = d;
      found = true;
    }
  }
  if (!found) best = prefix;
  return best.empty() ? std::string() : " (did you mean " + quote(best) + "?)";
}

std::string join(std::initializer_list<std::string_view> names);
std::string describe(const Node& n);
bool valid_email(std::string_view s);
bool has_space(std::string_view s);
// "+07:00" / "-05:30" -> minutes.
std::optional<int> parse_offset(std::string_view s);
std::string format_offset(int minutes);
std::optional<int> known_zone_offset(std::string_view zone);

inline constexpr std::array<std::string_view, 7> kWeekdays = {"mon", "tue", "wed", "thu",
                                                              "fri", "sat", "sun"};
inline constexpr std::array<std::string_view, 7> kWeekdayNames = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
inline constexpr std::array<std::string_view, 4> kLevelNames = {"central", "province", "district", "commune"};
inline constexpr std::array<std::string_view, 4> kReminderTargets = {"unit", "parent", "province",
                                                                     "producer"};

std::vector<std::string_view> event_names();
// What a role may list: every dossier event and the certificate events a person (or the
// scheduler's user) fires; `supersede` is never fired directly.
std::vector<std::string_view> role_event_names();
std::vector<std::string_view> state_names();
std::string_view star_word(int stars);
std::string number_text(double v);
// Length of the UTF-8 sequence at text[i], or 0 when it is not valid UTF-8.
size_t utf8_length(std::string_view t, size_t i);

// ---------------------------------------------------------------------------------------------
// The keys of one mapping, checked against the keys it may have.

struct Fields {
  static constexpr size_t kMax = 24;  // the most keys a mapping may have (the top level has 17)
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
  // Whole đồng: digits only, 0 to 2^63-1 (refuses fractions, exponents, separators, overflow).
  std::optional<std::int64_t> money(const Node& n, const Path& p);
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
  void promotion(const Node& n, const Path& p);
  void scheduler(const Node& n, const Path& p);
  void channels(const Node& n, const Path& p);
  void templates(const Node& n, const Path& p);
  void security(const Node& n, const Path& p);

  std::string file_;
  Config cfg_;
  std::vector<Problem> problems_;
  std::vector<int> columns_;  // parallel to problems_, for ordering only

  // Indices over the tree (views stay valid while the tree lives).
  bool units_loaded_ = false;
  bool roles_loaded_ = false;
  std::unordered_map<std::string_view, size_t> unit_index_;  // code -> cfg_.units()
  std::vector<bool> unit_level_ok_;                          // parallel to cfg_.units()
  std::vector<std::string_view> role_names_;
  std::unordered_set<std::string_view> milestone_names_;
  std::array<bool, 4> council_levels_{};  // a rule set has a council at this level
  bool any_rule_set_ = false;
  const Node* province_code_ = nullptr;
  const Node* legacy_kinds_ = nullptr;  // the top-level document_kinds section, when given
};

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

}  // namespace ocop::config::yaml
