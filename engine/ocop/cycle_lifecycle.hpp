// A cycle's life (spec §4: a cycle is a province's year) as the engine sees it: a port that the
// Boost.MSM machine in workflows/cycle_machine.cpp implements (engine/ never includes MSM).
//
//   planned --open--> open --close--> closed
//
// `ocop tick` fires `open` on the cycle's first day (Cycle::opens) and `close` after its last
// (Cycle::closes); closed is final. Like the certificate machine it has no guards and no
// actions: which unfinished dossiers are carried into the next cycle or reported is the
// scheduler's (scheduler.hpp), per the cycle's `carry_over`.
//
// The state names are stored (table `cycles`) and printed: public and frozen.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace ocop {

enum class CycleState : unsigned char { planned, open, closed };
inline constexpr int kCycleStateCount = 3;
enum class CycleEvent : unsigned char { open, close };
inline constexpr int kCycleEventCount = 2;

std::string_view to_string(CycleState s);
std::string_view to_string(CycleEvent e);
std::optional<CycleState> parse_cycle_state(std::string_view s);

struct CycleTransition {
  bool accepted = false;
  CycleState to = CycleState::planned;  // meaningful only when accepted
};

class CycleLifecycle {
 public:
  virtual ~CycleLifecycle() = default;
  // Fires `event` at a cycle in `from`. Thread-safe; refused (accepted = false) when the state
  // has no row for the event, or for a value outside the enums.
  virtual CycleTransition fire(CycleState from, CycleEvent event) const = 0;
  // Events the table allows in `state`, in CycleEvent order.
  virtual std::vector<CycleEvent> allowed(CycleState state) const = 0;
};

}  // namespace ocop
