// A migration plan (docs/design.md "Migrating dossiers in flight"): its shape, names and enumerations.
#include "config/yaml/loader.hpp"
#include "config/yaml/tree.hpp"

namespace ocop::config::yaml {

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

}  // namespace ocop::config::yaml
