// After recognition (spec §10) as the engine sees it: three ports that the Boost.MSM machines in
// workflows/activity_machine.cpp, participation_machine.cpp and inspection_machine.cpp
// implement (engine/ never includes MSM).
//
// Like the certificate's machine, each owns only the structure: which event is allowed in which
// state, and where it leads. Who may fire it, what it needs (dates, stars, booths) and what is
// written are the executor's (engine/promotion.cpp). A call is a pure function of its arguments,
// thread-safe, and builds its own machine. `from` = nullopt is a new object: only the creating
// event (plan_activity, apply, plan_inspection) is allowed there.
//
//   activity:      (new) -plan_activity-> planned -open_registration-> registration_open
//                  -close_registration-> registration_closed -start_activity-> running
//                  -finish_activity-> finished -close_activity-> closed;
//                  cancel_activity from any state but closed and cancelled -> cancelled.
//   participation: (new) -apply-> applied; applied, waitlisted -select-> selected;
//                  applied -waitlist-> waitlisted; applied, waitlisted -decline-> declined;
//                  open -withdraw_application-> withdrawn; selected -report_outcome-> reported;
//                  selected -mark_no_show-> no_show; open -cancel_participation-> cancelled.
//                  (open = applied, waitlisted, selected)
//   inspection:    (new) -plan_inspection-> planned; planned -record_inspection-> compliant,
//                  remedy_required or violation (the recorded result picks the row);
//                  remedy_required, overdue -confirm_remedy-> compliant;
//                  remedy_required -remedy_overdue-> overdue;
//                  violation, overdue -close_inspection-> closed; and, as a cascade of the
//                  certificate's revocation or expiry only, planned, remedy_required -> closed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ocop/names.hpp"

namespace ocop {

template <class S>
struct ObjectTransition {
  bool accepted = false;
  S to{};  // meaningful only when accepted
  // Refused by a guard of a row that exists (the row's condition was not met): why, in
  // English. Empty when the state has no row for the event at all.
  std::string guard_refusal;
};

class ActivityLifecycle {
 public:
  virtual ~ActivityLifecycle() = default;
  virtual ObjectTransition<ActivityState> fire(std::optional<ActivityState> from, ActivityEvent e) const = 0;
  // Events the table allows in `state` (nullopt: a new object), in enum order.
  virtual std::vector<ActivityEvent> allowed(std::optional<ActivityState> state) const = 0;
};

class ParticipationLifecycle {
 public:
  virtual ~ParticipationLifecycle() = default;
  virtual ObjectTransition<ParticipationState> fire(std::optional<ParticipationState> from,
                                                    ParticipationEvent e) const = 0;
  virtual std::vector<ParticipationEvent> allowed(std::optional<ParticipationState> state) const = 0;
};

// What record_inspection and close_inspection carry that picks a row.
struct InspectionInput {
  InspectionState result = InspectionState::compliant;  // record_inspection: compliant,
                                                        // remedy_required or violation
  bool cascade = false;  // close_inspection fired by the certificate's revocation or expiry
};

class InspectionLifecycle {
 public:
  virtual ~InspectionLifecycle() = default;
  virtual ObjectTransition<InspectionState> fire(std::optional<InspectionState> from, InspectionEvent e,
                                                 const InspectionInput& in) const = 0;
  // Events some row allows in `state` (any guard), in enum order.
  virtual std::vector<InspectionEvent> allowed(std::optional<InspectionState> state) const = 0;
};

// The three machines together, as the executor takes them.
struct AfterRecognition {
  const ActivityLifecycle& activities;
  const ParticipationLifecycle& participations;
  const InspectionLifecycle& inspections;
};

}  // namespace ocop
