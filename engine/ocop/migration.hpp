// Moving dossiers in flight from one rule set to another, deliberately (issue 3; docs/design.md
// "Migrating dossiers in flight").
//
// A plan says, for each (state, level) of the old rule set that it moves, the (state, level)
// in the new one, and which dossiers it concerns (by unit, state, year). Nothing is guessed:
// the plan is checked against the configuration and against every dossier it concerns before
// anything moves, and one dossier the plan does not map refuses the whole plan. Then each
// dossier moves in its own transaction, with an audit record (event `migrate`) naming the plan
// and its reason. A dossier that moved has the new rule set, so running the plan again moves
// nothing twice: an interrupted run is finished by running it again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ocop/config.hpp"
#include "ocop/dossier.hpp"
#include "ocop/executor.hpp"
#include "ocop/status.hpp"
#include "ocop/store.hpp"

namespace ocop {

struct MigrationStep {
  State state = State::none;  // in the old rule set
  std::string level;
  State to_state = State::none;  // in the new one
  std::string to_level;
  int line = 0;  // where the plan says it (for messages), 0 = unknown
};

struct MigrationPlan {
  std::string source;  // the file, for messages
  std::string id;      // names the plan in every audit record it writes
  std::string reason;  // why: the decision or law behind it (Vietnamese, for the record)
  std::string from_rule_set, to_rule_set;
  // Which dossiers: every one with the old rule set in a non-final state, narrowed by these
  // (each empty = no restriction). Units are matched as `ocop list --unit` does, on the day.
  std::vector<std::string> units;
  std::vector<State> states;
  std::vector<int> years;
  std::vector<MigrationStep> steps;
};

struct MigrationMove {
  std::string dossier, unit;
  State from_state = State::none, to_state = State::none;
  std::string from_level, to_level;
  std::int64_t version = 0;  // after the move (0 on a dry run)
};

struct MigrationReport {
  Status status;                      // not ok: nothing moved (or, for a store failure, see moved)
  std::vector<MigrationMove> moves;   // planned (dry run) or done, in dossier order
  std::vector<std::string> problems;  // why the plan was refused: one line each
};

class Migrator {
 public:
  Migrator(const Config& config, Store& store, const Clock& clock);

  // Checks the plan (bad plan: 2), the actor (unknown: 2; no `migrate` role or a dossier
  // outside their scope: 6) and every dossier it concerns (one unmapped: 4, listing each),
  // then, unless `dry_run`, moves each dossier in its own transaction. A dossier changed by
  // someone else between the check and its move is a conflict (5): the ones before it stay
  // moved, and running the plan again finishes the work.
  MigrationReport run(const MigrationPlan& plan, const std::string& actor, bool dry_run,
                      std::optional<Instant> at = std::nullopt);

 private:
  Status check_plan(const MigrationPlan& plan, std::vector<std::string>& problems) const;

  const Config& config_;
  Store& store_;
  const Clock& clock_;
};

}  // namespace ocop
