// The public vocabulary: the dossier lifecycle's states, events and levels (spec §2), the
// certificate's states and events (spec §3), and after recognition the promotion activity's,
// the participation's and the inspection's (spec §10). Event names are unique across machines:
// an event's name says which machine it drives.
//
// The string names are stored in the database, written in event files and printed by the CLI.
// They are public and frozen: never rename one, never persist the enum's numeric value.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string_view>

namespace ocop {

enum class State : std::uint8_t {
  none,  // not a stored state: "no dossier yet", the source of creating events
  idea_submitted,
  idea_returned,
  idea_accepted,
  plan_submitted,
  plan_returned,
  in_development,
  submitted,
  returned,
  under_review,
  scored,
  recognized,
  not_recognized,
  rejected,
  withdrawn,
};
inline constexpr int kStateCount = 15;

enum class Event : std::uint8_t {
  submit_idea,
  accept_idea,
  return_idea,
  resubmit_idea,
  submit_plan,
  approve_plan,
  return_plan,
  resubmit_plan,
  reject,
  register_,  // "register" (a C++ keyword)
  return_dossier,
  resubmit,
  accept_dossier,
  assess,
  score,
  close_scoring,
  forward,
  recognize,
  not_recognize,
  withdraw,
  attach,
  annotate,
  migrate,  // administrative: moves a dossier to another rule set by plan (`ocop migrate`), never fired
};
inline constexpr int kEventCount = 23;

// A set of events as a bit mask (role permissions): the dossier's events, then the
// certificate's, the activity's, the participation's and the inspection's.
using EventMask = std::uint64_t;
constexpr EventMask event_bit(Event e) { return EventMask{1} << static_cast<int>(e); }

// Certificates (spec §3). A certificate is issued `active`; the scheduler fires `notice`
// (-> expiring) and `expire`; a signer fires `revoke`; a later recognition of the same product
// fires `supersede`. expired, revoked and superseded are final.
enum class CertificateState : std::uint8_t { active, expiring, expired, revoked, superseded };
inline constexpr int kCertificateStateCount = 5;

enum class CertificateEvent : std::uint8_t { notice, expire, revoke, supersede };
inline constexpr int kCertificateEventCount = 4;

// Roles may list certificate events too: their bits follow the dossier events' in a mask.
constexpr EventMask certificate_event_bit(CertificateEvent e) {
  return EventMask{1} << (kEventCount + static_cast<int>(e));
}

// After recognition (spec §10): promotion activities, participations, inspections.
enum class ActivityState : std::uint8_t {
  planned,
  registration_open,
  registration_closed,
  running,
  finished,
  closed,
  cancelled,
};
inline constexpr int kActivityStateCount = 7;
enum class ActivityEvent : std::uint8_t {
  plan_activity,  // creating
  open_registration,
  close_registration,
  start_activity,
  finish_activity,
  close_activity,
  cancel_activity,
};
inline constexpr int kActivityEventCount = 7;

enum class ParticipationState : std::uint8_t {
  applied,
  waitlisted,
  selected,
  declined,
  withdrawn,
  cancelled,
  reported,
  no_show,
};
inline constexpr int kParticipationStateCount = 8;
enum class ParticipationEvent : std::uint8_t {
  apply,  // creating
  select,
  waitlist,
  decline,
  withdraw_application,
  report_outcome,
  mark_no_show,
  cancel_participation,  // only as a cascade of `revoke` and `cancel_activity`
};
inline constexpr int kParticipationEventCount = 8;

enum class InspectionState : std::uint8_t {
  planned,
  compliant,
  remedy_required,
  overdue,
  violation,
  closed,
};
inline constexpr int kInspectionStateCount = 6;
enum class InspectionEvent : std::uint8_t {
  plan_inspection,  // creating
  record_inspection,
  confirm_remedy,
  remedy_overdue,
  close_inspection,
};
inline constexpr int kInspectionEventCount = 5;

inline constexpr int kActivityBitBase = kEventCount + kCertificateEventCount;
inline constexpr int kParticipationBitBase = kActivityBitBase + kActivityEventCount;
inline constexpr int kInspectionBitBase = kParticipationBitBase + kParticipationEventCount;
constexpr EventMask activity_event_bit(ActivityEvent e) {
  return EventMask{1} << (kActivityBitBase + static_cast<int>(e));
}
constexpr EventMask participation_event_bit(ParticipationEvent e) {
  return EventMask{1} << (kParticipationBitBase + static_cast<int>(e));
}
constexpr EventMask inspection_event_bit(InspectionEvent e) {
  return EventMask{1} << (kInspectionBitBase + static_cast<int>(e));
}
static_assert(kInspectionBitBase + kInspectionEventCount <= 64, "EventMask holds every event");

// Ordered from the top: a lower value is a higher level.
enum class UnitLevel : std::uint8_t { central, province, district, commune };

std::string_view to_string(State s);
std::string_view to_string(Event e);
std::string_view to_string(UnitLevel l);
std::optional<State> parse_state(std::string_view s);
std::optional<Event> parse_event(std::string_view s);
std::optional<UnitLevel> parse_unit_level(std::string_view s);
std::string_view to_string(CertificateState s);
std::string_view to_string(CertificateEvent e);
std::optional<CertificateState> parse_certificate_state(std::string_view s);
std::optional<CertificateEvent> parse_certificate_event(std::string_view s);

std::string_view to_string(ActivityState s);
std::string_view to_string(ActivityEvent e);
std::string_view to_string(ParticipationState s);
std::string_view to_string(ParticipationEvent e);
std::string_view to_string(InspectionState s);
std::string_view to_string(InspectionEvent e);
std::optional<ActivityState> parse_activity_state(std::string_view s);
std::optional<ActivityEvent> parse_activity_event(std::string_view s);
std::optional<ParticipationState> parse_participation_state(std::string_view s);
std::optional<ParticipationEvent> parse_participation_event(std::string_view s);
std::optional<InspectionState> parse_inspection_state(std::string_view s);
std::optional<InspectionEvent> parse_inspection_event(std::string_view s);
// The role-permission bit of any event a role may list, by name: every machine's event but
// `supersede` and `cancel_participation`, which are never fired directly. 0 for any other name.
EventMask event_bit_by_name(std::string_view name);

std::ostream& operator<<(std::ostream& os, State s);
std::ostream& operator<<(std::ostream& os, Event e);
std::ostream& operator<<(std::ostream& os, CertificateState s);
std::ostream& operator<<(std::ostream& os, CertificateEvent e);

// Final states accept only `annotate`.
bool is_final(State s);
// Events that create a dossier when fired without one.
bool is_creating(Event e);
// Events bound to the dossier's current level: the actor's unit must be at that level.
bool is_level_bound(Event e);
// expired, revoked, superseded: the certificate accepts no event any more.
bool is_final(CertificateState s);
// active or expiring: the certificate is in force.
inline bool in_force(CertificateState s) {
  return s == CertificateState::active || s == CertificateState::expiring;
}
// applied, waitlisted or selected.
inline bool is_open(ParticipationState s) {
  return s == ParticipationState::applied || s == ParticipationState::waitlisted ||
         s == ParticipationState::selected;
}
// planned, remedy_required, overdue or violation: closed by a revocation or an expiry.
inline bool is_open(InspectionState s) {
  return s == InspectionState::planned || s == InspectionState::remedy_required ||
         s == InspectionState::overdue || s == InspectionState::violation;
}

}  // namespace ocop
