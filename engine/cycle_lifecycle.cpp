#include "ocop/cycle_lifecycle.hpp"

#include <array>

namespace ocop {
namespace {
constexpr std::array<std::string_view, kCycleStateCount> kStates = {"planned", "open", "closed"};
constexpr std::array<std::string_view, kCycleEventCount> kEvents = {"open", "close"};
}  // namespace

std::string_view to_string(CycleState s) { return kStates[static_cast<int>(s)]; }
std::string_view to_string(CycleEvent e) { return kEvents[static_cast<int>(e)]; }
std::optional<CycleState> parse_cycle_state(std::string_view s) {
  for (int i = 0; i < kCycleStateCount; ++i)
    if (kStates[i] == s) return static_cast<CycleState>(i);
  return std::nullopt;
}

}  // namespace ocop
