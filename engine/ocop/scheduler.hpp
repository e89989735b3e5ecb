// The scheduler (spec §7, `ocop tick`): everything due on the clock's day, once.
//
// A tick for day D (the clock's date in the province's zone):
//   1. cycles: a planned cycle whose first day has come opens (cycle machine), and its
//      `cycle_start` reminders go out; an open cycle whose last day has passed closes, and the
//      province gets the closing report of its unfinished dossiers (carried or reported);
//   2. certificates: every certificate in force whose valid_until is D or earlier is expired,
//      and every active one whose notice day (valid_until - expiry_notice_days of its dossier's
//      rule set, calendar days) is D or earlier is noticed (fired through the Executor as the
//      configured scheduler actor: one audit record each, the dossier's version + 1), with the
//      notice to the unit and to the producer when a `certificate_expiry` reminder is configured;
//   3. `stalled` digests, on working days only: per rule, one message per recipient listing
//      its dossiers that have sat in the state more than after_days working days (at least
//      after_days whole working days between the entry day and D: calendar.hpp,
//      working_days_waited), and an escalation digest to the recipient's parent for those that
//      waited escalate_after_days more;
//   4. `before_milestone` digests: per rule, milestone and recipient, on the days_before-th
//      working day before the milestone (or, after days without a tick, on the first tick
//      after that day, while the milestone has not passed).
// Every message is queued in the outbox (Store::enqueue) in the transaction of its cause, with
// a dedupe key that names its rule, recipient and day, so ticking the same day again queues
// nothing twice. Catch-up after days without a tick: one digest per rule and recipient (the
// situation on D), every certificate transition that fell due (once each), every milestone
// reminder whose day was missed and whose milestone is still ahead. docs/design.md explains.
//
// A Scheduler uses one Store and one Executor (on that store), from one thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ocop/config.hpp"
#include "ocop/cycle_lifecycle.hpp"
#include "ocop/executor.hpp"
#include "ocop/outbox.hpp"
#include "ocop/read_scope.hpp"
#include "ocop/reminders.hpp"
#include "ocop/status.hpp"
#include "ocop/store.hpp"

namespace ocop {

struct TickTransition {
  std::string kind;   // "cycle" or "certificate"
  std::string id;     // the year, or the certificate's id
  std::string event;  // open, close, notice, expire
  std::string from, to;
};

struct TickReport {
  Status status;  // not ok: what could not be done (the rest was); internal: a database failure
  Date day;
  std::optional<Date> previous;  // the last day ticked before this one
  bool dry_run = false;
  std::vector<OutboxMessage> queued;  // new messages (dry run: those that would be queued)
  int already_queued = 0;             // messages an earlier tick of the day queued already
  int already_fired = 0;  // due certificate transitions another process (a parallel tick) made first
  std::vector<TickTransition> transitions;
  std::map<std::string, int> counts;  // messages by kind (stalled, escalation, before_milestone,
                                      // cycle_start, cycle_report, certificate_notice), transitions
                                      // (notice, expire, cycle_open, cycle_close)
  std::vector<std::string> notes;     // recipients without an e-mail, reminders missed, ...
};

// A cycle for people (`ocop cycle show`).
struct CycleMilestone {
  std::string name;  // ideas_close, ..., or round_cutoff
  const Round* round = nullptr;
  Date date;
  int working_days_left = 0;  // from the day asked, 0 once passed
  bool passed = false;
  int waiting = 0;  // dossiers of the cycle still waiting for it
};

struct CycleOverdue {
  std::string rule;
  text::DigestLine line;
  bool escalated = false;
};

struct CycleReport {
  Status status;
  int year = 0;
  const Cycle* cycle = nullptr;  // null: the year has no configured cycle
  CycleState state = CycleState::planned;
  Date day;
  std::vector<CycleMilestone> milestones;  // by date
  std::map<std::string, std::int64_t> by_state;
  std::map<std::string, std::map<std::string, std::int64_t>> by_unit;  // unit -> state -> n
  std::int64_t carried_in = 0;        // unfinished dossiers of earlier cycles carried into this one
  std::vector<CycleOverdue> overdue;  // stalled dossiers of the cycle on `day`
};

class Scheduler {
 public:
  Scheduler(const Config& config, Executor& executor, const CertificateLifecycle& certificates,
            const CycleLifecycle& cycles, Store& store, const Clock& clock);

  // Runs everything due on the clock's day. A dry run computes the same (every write happens
  // and is rolled back) and reports what would be queued and fired.
  TickReport tick(bool dry_run);

  // A cycle on the clock's day: milestones, counts by state and unit, what is overdue; of the
  // dossiers `scope` sees only.
  CycleReport cycle_report(int year, const ReadScope& scope);

  // Messages are committed in batches of this many (each digest stays whole); tests lower it.
  void set_batch(int n) { batch_ = n < 1 ? 1 : n; }

 private:
  struct Run;
  const Config& config_;
  Executor& executor_;
  const CertificateLifecycle& certificates_;
  const CycleLifecycle& cycles_;
  Store& store_;
  const Clock& clock_;
  int batch_ = 500;
};

// The unit responsible for a dossier on `day` (spec §7): among the unit it is filed under
// (resolved through successors) and that unit's ancestors on `day`, the one at the dossier's
// current level; when that level's unit no longer exists (an abolished district), the
// dossier's own unit. Before `register` (no level), its own unit. Null when none is valid.
const Unit* responsible_unit(const Config& config, const Dossier& d, Date day);

// The cycles whose dossiers count in cycle `year`: itself, and each earlier year whose cycle is
// configured with carry_over: next, back to the first that is not.
std::vector<int> cycle_years(const Config& config, int year);

}  // namespace ocop
