// The whole file: encoding, the one YAML document, the sections in dependency order, and the
// problems in file order.
#include "config/yaml/loader.hpp"
#include "config/config_file.hpp"
#include "config/yaml/tree.hpp"

#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace ocop::config::yaml {

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
  if (text.size() > kMaxFileBytes) {  // read_config_file refuses such a file before reading it
    report(0, Path(),
           "the text is " + grouped(text.size()) + " bytes; a configuration file may be at most 16 MiB (" +
               grouped(kMaxFileBytes) + " bytes)");
    return false;
  }
  check_utf8(text);  // reported, and the checks go on
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    if (!parser.HandleNextDocument(tree) || !tree.has_root()) {
      report(0, Path(), "the file is empty; expected " + std::string(expected));
      return false;
    }
    DocumentCounter more;
    bool second = false;
    try {
      second = parser.HandleNextDocument(more);
    } catch (const DocumentCounter::Stop&) {
      second = true;  // nested too deep to read on; a second document is refused anyway
    }
    if (second) report(more.line, Path(), "a second YAML document; expected one document");
    return true;
  } catch (const TreeBuilder::Refused& r) {
    problems_.push_back(Problem{file_, r.line, r.key, r.message});
    columns_.push_back(r.column);
    return false;
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
  Fields f = fields(root, top,
                    {"province", "units", "users", "product_sets", "roles", "rule_sets", "calendar", "cycles",
                     "reminders", "channels", "document_kinds", "documents", "revocation_grounds",
                     "scheduler", "templates", "promotion", "security"});
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
  const Node* s_promotion = section("promotion", false);
  const Node* s_security = section("security", false);
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
  run_section(s_promotion, "promotion", &Loader::promotion);
  run_section(s_security, "security", &Loader::security);
  return finish();
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

}  // namespace ocop::config::yaml
