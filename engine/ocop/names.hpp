// The public vocabulary: the dossier lifecycle's states, events and levels (spec §2), and the
// certificate's states and events (spec §3).
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

// A set of events as a bit mask (role permissions).
using EventMask = std::uint32_t;
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
static_assert(kEventCount + kCertificateEventCount <= 32, "EventMask holds every event");

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

}  // namespace ocop
