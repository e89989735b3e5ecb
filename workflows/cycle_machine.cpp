// The cycle machine (spec §4) in Boost.MSM: 2 rows, no guards, no actions.
//
// Same layout as certificate_machine.cpp: states and events are class templates indexed by the
// public enums, MSM's state ids are mapped to CycleState at compile time and never stored, and
// each fire() builds a machine on the stack, start()s it (no state has an entry action) and
// writes the stored state's id through current_state(). tests/unit/cycle_machine_test.cpp pins
// every state × event.
#include "cycle_machine.hpp"

#include <array>
#include <cstddef>
#include <exception>
#include <utility>

#include <boost/mpl/vector.hpp>
#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/front/state_machine_def.hpp>

namespace ocop::workflows {
namespace {

namespace mpl = boost::mpl;
namespace msm = boost::msm;
namespace msmf = boost::msm::front;

template <CycleEvent E>
struct ev_t {};

template <CycleState S>
struct state_t : msmf::state<> {};

using planned = state_t<CycleState::planned>;
using open = state_t<CycleState::open>;
using closed = state_t<CycleState::closed>;

using msmf::none;
using msmf::Row;

struct cycle_def : msmf::state_machine_def<cycle_def> {
  using initial_state = planned;
  using no_exception_thrown = int;
  using no_message_queue = int;

  // clang-format off
  struct transition_table : mpl::vector<
    //   source    event                        target  action  guard
    Row<planned, ev_t<CycleEvent::open>,  open,   none,   none>,
    Row<open,    ev_t<CycleEvent::close>, closed, none,   none>
  > {};
  // clang-format on

  template <class Fsm, class E>
  void no_transition(E const&, Fsm&, int) {}
  template <class Fsm, class E>
  void exception_caught(E const&, Fsm&, std::exception&) {
    throw;
  }
};

using machine = msm::back::state_machine<cycle_def>;

template <std::size_t... I>
constexpr std::array<int, kCycleStateCount> to_msm_ids(std::index_sequence<I...>) {
  return {msm::back::get_state_id<machine::stt, state_t<static_cast<CycleState>(I)>>::value...};
}
constexpr std::array<int, kCycleStateCount> kToMsm = to_msm_ids(std::make_index_sequence<kCycleStateCount>{});

constexpr std::array<CycleState, kCycleStateCount> invert(const std::array<int, kCycleStateCount>& ids) {
  std::array<CycleState, kCycleStateCount> states{};
  for (int s = 0; s < kCycleStateCount; ++s) states[ids[s]] = static_cast<CycleState>(s);
  return states;
}
constexpr std::array<CycleState, kCycleStateCount> kFromMsm = invert(kToMsm);

constexpr bool is_permutation(const std::array<int, kCycleStateCount>& ids) {
  std::array<bool, kCycleStateCount> seen{};
  for (int id : ids) {
    if (id < 0 || id >= kCycleStateCount || seen[id]) return false;
    seen[id] = true;
  }
  return true;
}
static_assert(mpl::size<machine::state_list>::value == kCycleStateCount,
              "every CycleState must appear in the transition table, and nothing else");
static_assert(is_permutation(kToMsm), "MSM state ids must map one to one onto CycleState");

bool valid(CycleState s) { return static_cast<int>(s) < kCycleStateCount; }
bool valid(CycleEvent e) { return static_cast<int>(e) < kCycleEventCount; }

CycleTransition run(CycleState from, CycleEvent event) {
  machine m;
  m.start();
  const_cast<int*>(m.current_state())[0] = kToMsm[static_cast<int>(from)];
  const auto handled = event == CycleEvent::open ? m.process_event(ev_t<CycleEvent::open>{})
                                                 : m.process_event(ev_t<CycleEvent::close>{});
  CycleTransition t;
  t.accepted = handled == msm::back::HANDLED_TRUE;
  t.to = t.accepted ? kFromMsm[m.current_state()[0]] : from;
  return t;
}

class cycle_lifecycle final : public CycleLifecycle {
 public:
  CycleTransition fire(CycleState from, CycleEvent event) const override {
    if (!valid(from) || !valid(event)) return {};
    return run(from, event);
  }
  std::vector<CycleEvent> allowed(CycleState state) const override {
    std::vector<CycleEvent> out;
    if (!valid(state)) return out;
    for (int e = 0; e < kCycleEventCount; ++e)
      if (run(state, static_cast<CycleEvent>(e)).accepted) out.push_back(static_cast<CycleEvent>(e));
    return out;
  }
};

}  // namespace

std::unique_ptr<CycleLifecycle> make_cycle_lifecycle() { return std::make_unique<cycle_lifecycle>(); }

}  // namespace ocop::workflows
