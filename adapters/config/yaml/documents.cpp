// The `documents` section and its older form `document_kinds`.
#include "config/yaml/loader.hpp"

namespace ocop::config::yaml {

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

}  // namespace ocop::config::yaml
