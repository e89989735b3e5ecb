// The `cycles` section: the yearly cycles and their milestones.
#include "config/yaml/loader.hpp"

namespace ocop::config::yaml {

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

}  // namespace ocop::config::yaml
