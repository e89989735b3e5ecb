#include "ocop/migration.hpp"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "ocop/audit.hpp"
#include "ocop/authorize.hpp"
#include "ocop/store.hpp"
#include "ocop/transaction.hpp"

namespace ocop {
namespace {

using json = nlohmann::json;

// The states a rule set's dossier can be in between `register` and a final outcome: the ones
// a plan may move from and to. Development-track dossiers have no rule set yet.
bool registered_in_flight(State s) {
  return s == State::submitted || s == State::returned || s == State::under_review || s == State::scored ||
         s == State::recognized;
}

int level_index(const RuleSet& rs, const std::string& level) {
  for (size_t i = 0; i < rs.levels.size(); ++i)
    if (to_string(rs.levels[i].level) == level) return static_cast<int>(i);
  return -1;
}

std::string where(const MigrationPlan& p, const MigrationStep& s) {
  return p.source + (s.line ? ":" + std::to_string(s.line) : std::string()) + ": ";
}

std::string pair_name(State s, const std::string& level) { return std::string(to_string(s)) + "@" + level; }

}  // namespace

Migrator::Migrator(const Config& config, Store& store, const Clock& clock)
    : config_(config), store_(store), clock_(clock) {}

Status Migrator::check_plan(const MigrationPlan& p, std::vector<std::string>& problems) const {
  const RuleSet* from = config_.rule_set(p.from_rule_set);
  const RuleSet* to = config_.rule_set(p.to_rule_set);
  const std::string at = p.source + ": ";
  if (p.id.empty()) problems.push_back(at + "id: a plan needs an id (it names the plan in the audit trail)");
  if (p.reason.empty())
    problems.push_back(at + "reason: a plan needs a reason (the decision or law behind it)");
  if (!from)
    problems.push_back(at + "from_rule_set: \"" + p.from_rule_set + "\" is not a configured rule set");
  if (!to) problems.push_back(at + "to_rule_set: \"" + p.to_rule_set + "\" is not a configured rule set");
  if (from && to && from == to)
    problems.push_back(at +
                       "to_rule_set: the same as from_rule_set; a plan moves dossiers to another rule set");
  for (const auto& u : p.units)
    if (!config_.unit(u)) problems.push_back(at + "filter.units: \"" + u + "\" is not a configured unit");
  for (State s : p.states)
    if (!registered_in_flight(s))
      problems.push_back(
          at + "filter.states: " + std::string(to_string(s)) +
          " is not a state a registered dossier waits in (submitted, returned, under_review, scored, "
          "recognized)");
  if (p.steps.empty()) problems.push_back(at + "map: a plan needs at least one step");
  std::map<std::string, int> seen;
  for (const auto& s : p.steps) {
    const std::string w = where(p, s);
    if (!registered_in_flight(s.state))
      problems.push_back(w + "state: " + std::string(to_string(s.state)) +
                         " is not a state a plan can move from");
    if (!registered_in_flight(s.to_state))
      problems.push_back(w + "to_state: " + std::string(to_string(s.to_state)) +
                         " is not a state a plan can move to");
    if (from && level_index(*from, s.level) < 0)
      problems.push_back(w + "level: " + s.level + " is not a level of rule set " + from->id);
    if (to) {
      int li = level_index(*to, s.to_level);
      if (li < 0) {
        problems.push_back(w + "to_level: " + s.to_level + " is not a level of rule set " + to->id);
      } else if (to->levels[li].kind == LevelKind::screen && s.to_state == State::scored) {
        problems.push_back(w + "to_state: scored needs a council level; " + s.to_level + " screens in " +
                           to->id);
      }
    }
    if ((s.state == State::recognized) != (s.to_state == State::recognized))
      problems.push_back(w +
                         "to_state: recognized maps only to recognized (a certificate is neither made nor "
                         "taken away by a migration)");
    auto [it, fresh] = seen.emplace(pair_name(s.state, s.level), s.line);
    if (!fresh)
      problems.push_back(w + "state: " + it->first + " is mapped twice (also at line " +
                         std::to_string(it->second) + ")");
  }
  return problems.empty() ? Status::Ok()
                          : Status::BadInput("migration plan " + p.source + " is invalid (" +
                                             std::to_string(problems.size()) + " problem(s))");
}

MigrationReport Migrator::run(const MigrationPlan& plan, const std::string& actor, bool dry_run,
                              std::optional<Instant> at_opt) {
  MigrationReport out;
  if (Status s = check_plan(plan, out.problems); !s.ok()) {
    out.status = s;
    return out;
  }
  const RuleSet& to = *config_.rule_set(plan.to_rule_set);
  const Instant at = at_opt.value_or(clock_.now());
  const Date day = local_date(at, config_.province.utc_offset_minutes);

  const User* user = config_.user(actor);
  if (!user) {
    out.status = Status::BadInput("unknown actor \"" + actor + "\": not a configured user");
    return out;
  }
  if (Status st = authorize_actor(config_, *user, "migrate", event_bit(Event::migrate), day); !st.ok()) {
    out.status = st;
    return out;
  }
  const std::string role = role_for(config_, *user, event_bit(Event::migrate));

  // The dossiers the plan concerns, all checked before anything moves.
  DossierFilter f;
  f.rule_set = plan.from_rule_set;
  std::vector<Dossier> concerned;
  {
    std::vector<std::string> units;
    for (const auto& u : plan.units) {
      auto under = config_.units_under(u, day);
      units.insert(units.end(), under.begin(), under.end());
    }
    std::sort(units.begin(), units.end());
    units.erase(std::unique(units.begin(), units.end()), units.end());
    f.units = std::move(units);
    for (Dossier& d : store_.list_dossiers(f)) {
      if (!registered_in_flight(d.state)) continue;
      if (!plan.states.empty() &&
          std::find(plan.states.begin(), plan.states.end(), d.state) == plan.states.end())
        continue;
      if (!plan.years.empty() && std::find(plan.years.begin(), plan.years.end(), d.year) == plan.years.end())
        continue;
      concerned.push_back(std::move(d));
    }
  }
  std::map<std::string, const MigrationStep*> steps;
  for (const auto& s : plan.steps) steps[pair_name(s.state, s.level)] = &s;
  std::map<std::string, std::vector<std::string>> unmapped, outside;
  for (const Dossier& d : concerned) {
    auto it = steps.find(pair_name(d.state, d.level));
    if (it == steps.end()) unmapped[pair_name(d.state, d.level)].push_back(d.id);
    if (!config_.in_scope(user->unit, d.unit, day)) outside[d.unit].push_back(d.id);
  }
  auto describe = [](const std::string& what, const std::vector<std::string>& ids) {
    std::string line = what + ": " + std::to_string(ids.size()) + " dossier(s) (";
    for (size_t i = 0; i < ids.size() && i < 5; ++i) line += (i ? ", " : "") + ids[i];
    return line + (ids.size() > 5 ? ", ...)" : ")");
  };
  if (!outside.empty()) {
    for (const auto& [unit, ids] : outside)
      out.problems.push_back(
          describe("unit " + unit + " is outside " + actor + "'s scope (" + user->unit + ")", ids));
    out.status =
        Status::Forbidden(actor + " (unit " + user->unit + ") has no authority over " +
                          std::to_string(outside.size()) + " unit(s) the plan concerns; nothing moved");
    return out;
  }
  if (!unmapped.empty()) {
    for (const auto& [pair, ids] : unmapped)
      out.problems.push_back(describe(pair + " of " + plan.from_rule_set + " has no step in the plan", ids));
    out.status = Status::Refused("plan " + plan.id + " leaves " + std::to_string(unmapped.size()) +
                                 " state(s) unmapped; nothing moved");
    return out;
  }

  for (const Dossier& d : concerned) {
    const MigrationStep& s = *steps[pair_name(d.state, d.level)];
    MigrationMove m{d.id, d.unit, d.state, s.to_state, d.level, s.to_level, 0};
    if (dry_run) {
      out.moves.push_back(m);
      continue;
    }
    try {
      const bool moved = with_retry(RetryPolicy{}, [&](int) {
        Transaction tx(store_);
        auto current = store_.load_dossier(d.id);
        if (!current || current->version != d.version) return false;
        Dossier n = *current;
        n.rule_set = to.id;
        n.level = s.to_level;
        n.level_index = level_index(to, s.to_level);
        n.state = s.to_state;
        if (s.to_level != d.level) n.round.clear();
        if (s.to_state != State::scored && s.to_state != State::recognized) {
          n.score.reset();
          if (n.certificate.empty()) n.stars.reset();
        }
        if (s.to_state != d.state || s.to_level != d.level) n.state_since = at;
        n.updated_at = at;
        n.version = d.version + 1;
        if (!store_.update_dossier(n, *current)) return false;
        AuditRecord rec = make_audit_record(at, actor, role, d.id, to_string(Event::migrate),
                                            to_string(d.state), to_string(s.to_state), s.to_level,
                                            json{{"plan", plan.id},
                                                 {"reason", plan.reason},
                                                 {"from_rule_set", plan.from_rule_set},
                                                 {"to_rule_set", to.id},
                                                 {"from_level", d.level},
                                                 {"to_level", s.to_level}}
                                                .dump());
        chain_and_append(store_, rec);
        tx.commit();
        m.version = n.version;
        return true;
      });
      if (!moved) {
        out.status = Status::Conflict("dossier " + d.id + " changed while plan " + plan.id +
                                      " was running; run the plan again to finish");
        return out;
      }
      out.moves.push_back(m);
    } catch (const StoreError& e) {
      out.status = Status::Internal(std::string("database: ") + e.what() + " (moving dossier " + d.id +
                                    "; the dossiers before it moved; run the plan again to finish)");
      return out;
    }
  }
  out.status = Status::Ok();
  return out;
}

}  // namespace ocop
