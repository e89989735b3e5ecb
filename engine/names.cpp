#include "ocop/names.hpp"

#include <array>
#include <ostream>

namespace ocop {
namespace {
constexpr std::array<std::string_view, kStateCount> kStates = {
    "none",          "idea_submitted", "idea_returned",  "idea_accepted", "plan_submitted",
    "plan_returned", "in_development", "submitted",      "returned",      "under_review",
    "scored",        "recognized",     "not_recognized", "rejected",      "withdrawn"};
constexpr std::array<std::string_view, kEventCount> kEvents = {
    "submit_idea",    "accept_idea",   "return_idea", "resubmit_idea", "submit_plan",    "approve_plan",
    "return_plan",    "resubmit_plan", "reject",      "register",      "return_dossier", "resubmit",
    "accept_dossier", "assess",        "score",       "close_scoring", "forward",        "recognize",
    "not_recognize",  "withdraw",      "attach",      "annotate",      "migrate"};
constexpr std::array<std::string_view, 4> kLevels = {"central", "province", "district", "commune"};
constexpr std::array<std::string_view, kCertificateStateCount> kCertStates = {"active", "expiring", "expired",
                                                                              "revoked", "superseded"};
constexpr std::array<std::string_view, kCertificateEventCount> kCertEvents = {"notice", "expire", "revoke",
                                                                              "supersede"};
constexpr std::array<std::string_view, kActivityStateCount> kActivityStates = {
    "planned", "registration_open", "registration_closed", "running", "finished", "closed", "cancelled"};
constexpr std::array<std::string_view, kActivityEventCount> kActivityEvents = {
    "plan_activity",   "open_registration", "close_registration", "start_activity",
    "finish_activity", "close_activity",    "cancel_activity"};
constexpr std::array<std::string_view, kParticipationStateCount> kParticipationStates = {
    "applied", "waitlisted", "selected", "declined", "withdrawn", "cancelled", "reported", "no_show"};
constexpr std::array<std::string_view, kParticipationEventCount> kParticipationEvents = {
    "apply",          "select",       "waitlist",    "decline", "withdraw_application",
    "report_outcome", "mark_no_show", "cancel_participation"};
constexpr std::array<std::string_view, kInspectionStateCount> kInspectionStates = {
    "planned", "compliant", "remedy_required", "overdue", "violation", "closed"};
constexpr std::array<std::string_view, kInspectionEventCount> kInspectionEvents = {
    "plan_inspection", "record_inspection", "confirm_remedy", "remedy_overdue", "close_inspection"};

template <class E, std::size_t N>
std::optional<E> find_name(const std::array<std::string_view, N>& names, std::string_view s) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<E>(i);
  return std::nullopt;
}
}  // namespace

std::string_view to_string(ActivityState s) { return kActivityStates[static_cast<int>(s)]; }
std::string_view to_string(ActivityEvent e) { return kActivityEvents[static_cast<int>(e)]; }
std::string_view to_string(ParticipationState s) { return kParticipationStates[static_cast<int>(s)]; }
std::string_view to_string(ParticipationEvent e) { return kParticipationEvents[static_cast<int>(e)]; }
std::string_view to_string(InspectionState s) { return kInspectionStates[static_cast<int>(s)]; }
std::string_view to_string(InspectionEvent e) { return kInspectionEvents[static_cast<int>(e)]; }
std::optional<ActivityState> parse_activity_state(std::string_view s) {
  return find_name<ActivityState>(kActivityStates, s);
}
std::optional<ActivityEvent> parse_activity_event(std::string_view s) {
  return find_name<ActivityEvent>(kActivityEvents, s);
}
std::optional<ParticipationState> parse_participation_state(std::string_view s) {
  return find_name<ParticipationState>(kParticipationStates, s);
}
std::optional<ParticipationEvent> parse_participation_event(std::string_view s) {
  return find_name<ParticipationEvent>(kParticipationEvents, s);
}
std::optional<InspectionState> parse_inspection_state(std::string_view s) {
  return find_name<InspectionState>(kInspectionStates, s);
}
std::optional<InspectionEvent> parse_inspection_event(std::string_view s) {
  return find_name<InspectionEvent>(kInspectionEvents, s);
}

EventMask event_bit_by_name(std::string_view name) {
  if (auto e = parse_event(name)) return event_bit(*e);
  if (auto e = parse_certificate_event(name))
    return *e == CertificateEvent::supersede ? 0 : certificate_event_bit(*e);
  if (auto e = parse_activity_event(name)) return activity_event_bit(*e);
  if (auto e = parse_participation_event(name))
    return *e == ParticipationEvent::cancel_participation ? 0 : participation_event_bit(*e);
  if (auto e = parse_inspection_event(name)) return inspection_event_bit(*e);
  return 0;
}

std::string_view to_string(State s) { return kStates[static_cast<int>(s)]; }
std::string_view to_string(Event e) { return kEvents[static_cast<int>(e)]; }
std::string_view to_string(UnitLevel l) { return kLevels[static_cast<int>(l)]; }

std::optional<State> parse_state(std::string_view s) {
  for (int i = 1; i < kStateCount; ++i)  // "none" is not a stored state
    if (kStates[i] == s) return static_cast<State>(i);
  return std::nullopt;
}
std::optional<Event> parse_event(std::string_view s) {
  for (int i = 0; i < kEventCount; ++i)
    if (kEvents[i] == s) return static_cast<Event>(i);
  return std::nullopt;
}
std::optional<UnitLevel> parse_unit_level(std::string_view s) {
  for (int i = 0; i < 4; ++i)
    if (kLevels[i] == s) return static_cast<UnitLevel>(i);
  return std::nullopt;
}

std::string_view to_string(CertificateState s) { return kCertStates[static_cast<int>(s)]; }
std::string_view to_string(CertificateEvent e) { return kCertEvents[static_cast<int>(e)]; }
std::optional<CertificateState> parse_certificate_state(std::string_view s) {
  for (int i = 0; i < kCertificateStateCount; ++i)
    if (kCertStates[i] == s) return static_cast<CertificateState>(i);
  return std::nullopt;
}
std::optional<CertificateEvent> parse_certificate_event(std::string_view s) {
  for (int i = 0; i < kCertificateEventCount; ++i)
    if (kCertEvents[i] == s) return static_cast<CertificateEvent>(i);
  return std::nullopt;
}

std::ostream& operator<<(std::ostream& os, State s) { return os << to_string(s); }
std::ostream& operator<<(std::ostream& os, Event e) { return os << to_string(e); }
std::ostream& operator<<(std::ostream& os, CertificateState s) { return os << to_string(s); }
std::ostream& operator<<(std::ostream& os, CertificateEvent e) { return os << to_string(e); }

bool is_final(State s) { return s == State::not_recognized || s == State::rejected || s == State::withdrawn; }
bool is_final(CertificateState s) {
  return s == CertificateState::expired || s == CertificateState::revoked ||
         s == CertificateState::superseded;
}
bool is_creating(Event e) { return e == Event::submit_idea || e == Event::register_; }
bool is_level_bound(Event e) {
  switch (e) {
    case Event::accept_dossier:
    case Event::return_dossier:
    case Event::assess:
    case Event::score:
    case Event::close_scoring:
    case Event::forward:
    case Event::recognize:
    case Event::not_recognize:
      return true;
    default:
      return false;
  }
}

}  // namespace ocop
