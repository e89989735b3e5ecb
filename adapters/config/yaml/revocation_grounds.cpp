// The `revocation_grounds` section: ground -> the Vietnamese text a revocation shows.
#include "config/yaml/loader.hpp"

#include <algorithm>

namespace ocop::config::yaml {

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

}  // namespace ocop::config::yaml
