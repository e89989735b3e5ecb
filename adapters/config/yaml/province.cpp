// The `province` section, and its code checked against the units.
#include "config/yaml/loader.hpp"

#include <cctype>
#include <cstdlib>

namespace ocop::config::yaml {

namespace {
// http:// or https://, a host, and a path without a trailing slash; nothing a URL would have to
// escape (QR codes and printed certificates carry it as written).
bool valid_public_url(const std::string& s) {
  std::size_t rest = 0;
  if (s.rfind("https://", 0) == 0)
    rest = 8;
  else if (s.rfind("http://", 0) == 0)
    rest = 7;
  else
    return false;
  if (s.size() <= rest || s[rest] == '/' || s.back() == '/' || s.size() > 200) return false;
  for (char c : s.substr(rest))
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '/' || c == '_' ||
          c == '[' || c == ']'))
      return false;
  return true;
}
}  // namespace

void Loader::province(const Node& n, const Path& p) {
  if (!expect_map(n, p, "a mapping {code, name, timezone}")) return;
  Fields f = fields(n, p, {"code", "name", "timezone", "utc_offset", "public_url"});
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
  if (const Node* v = f.opt("public_url")) {
    const Path kp = p.key("public_url");
    if (auto s = text(*v, kp)) {
      if (valid_public_url(*s))
        pr.public_url = *s;
      else
        report(*v, kp,
               "expected http(s)://HOST[:PORT][/PATH] without a trailing slash, query, fragment or space, got " +
                   quote(*s));
    }
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
  else if (unit_level_ok_[it->second] && cfg_.units()[it->second].level != UnitLevel::province)
    report(*code_node, kp,
           "unit " + quote(code_node->value) + " is at the " +
               std::string(to_string(cfg_.units()[it->second].level)) + " level, not a province");
}

}  // namespace ocop::config::yaml
