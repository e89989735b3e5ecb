// The dossier lifecycle's public vocabulary: states, events, levels (spec §2).
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

enum class UnitLevel : std::uint8_t { central, province, district, commune };

std::string_view to_string(State s);
std::string_view to_string(Event e);
std::string_view to_string(UnitLevel l);
std::optional<State> parse_state(std::string_view s);
std::optional<Event> parse_event(std::string_view s);
std::optional<UnitLevel> parse_unit_level(std::string_view s);

std::ostream& operator<<(std::ostream& os, State s);
std::ostream& operator<<(std::ostream& os, Event e);

// Final states accept only `annotate`.
bool is_final(State s);
// Events that create a dossier when fired without one.
bool is_creating(Event e);
// Events bound to the dossier's current level: the actor's unit must be at that level.
bool is_level_bound(Event e);

}  // namespace ocop
