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
}  // namespace

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
