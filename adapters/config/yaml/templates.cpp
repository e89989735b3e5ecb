// The `templates` section: notification texts overriding the defaults.
#include "config/yaml/loader.hpp"
#include "ocop/notify.hpp"

namespace ocop::config::yaml {

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

}  // namespace ocop::config::yaml
