// The `product_sets` section: code -> {group, name}.
#include "config/yaml/loader.hpp"

namespace ocop::config::yaml {

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

}  // namespace ocop::config::yaml
