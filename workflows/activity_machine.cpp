// The promotion activity's machine (spec §10.1) in Boost.MSM: 11 rows, no guards, no actions.
//
// Same layout as certificate_machine.cpp (and dossier_machine.cpp, whose header comment says
// why): events and states are class templates indexed by the public enums, MSM's state ids are
// mapped to ActivityState at compile time and never stored. The machine has one state more than
// the enum: `fresh`, "no activity yet", its initial state and the source of plan_activity and of
// nothing else. `fresh` is internal: never stored, never returned, no row leads to it. Each
// fire() builds a machine on the stack and start()s it in `fresh` (no state has an entry
// action); for a stored activity it then writes the stored state's id through current_state().
// tests/unit/activity_machine_test.cpp pins every state × event, the new activity included.
#include "activity_machine.hpp"

#include <array>
#include <cstddef>
#include <exception>
#include <optional>
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

template <ActivityEvent E>
struct ev_t {};

namespace ev {
using plan_activity = ev_t<ActivityEvent::plan_activity>;
using open_registration = ev_t<ActivityEvent::open_registration>;
using close_registration = ev_t<ActivityEvent::close_registration>;
using start_activity = ev_t<ActivityEvent::start_activity>;
using finish_activity = ev_t<ActivityEvent::finish_activity>;
using close_activity = ev_t<ActivityEvent::close_activity>;
using cancel_activity = ev_t<ActivityEvent::cancel_activity>;
}  // namespace ev

template <ActivityState S>
struct state_t : msmf::state<> {};  // distinct empty types: no data, entry or exit actions

// "No activity yet": the initial state, the source of the creating event. Not an ActivityState.
struct fresh : msmf::state<> {};

namespace st {
using planned = state_t<ActivityState::planned>;
using registration_open = state_t<ActivityState::registration_open>;
using registration_closed = state_t<ActivityState::registration_closed>;
using running = state_t<ActivityState::running>;
using finished = state_t<ActivityState::finished>;
using closed = state_t<ActivityState::closed>;
using cancelled = state_t<ActivityState::cancelled>;
}  // namespace st

using msmf::none;
using msmf::Row;

struct activity_def : msmf::state_machine_def<activity_def> {
  using initial_state = fresh;  // a new activity; restored over for a stored one
  using no_exception_thrown = int;
  using no_message_queue = int;

  // clang-format off
  struct transition_table : mpl::vector<
    //  source                   event                   target                   action guard
    Row<fresh,                   ev::plan_activity,      st::planned,             none,  none>,
    Row<st::planned,             ev::open_registration,  st::registration_open,   none,  none>,
    Row<st::registration_open,   ev::close_registration, st::registration_closed, none,  none>,
    Row<st::registration_closed, ev::start_activity,     st::running,             none,  none>,
    Row<st::running,             ev::finish_activity,    st::finished,            none,  none>,
    Row<st::finished,            ev::close_activity,     st::closed,              none,  none>,
    // cancel_activity: from every state but closed and cancelled
    Row<st::planned,             ev::cancel_activity,    st::cancelled,           none,  none>,
    Row<st::registration_open,   ev::cancel_activity,    st::cancelled,           none,  none>,
    Row<st::registration_closed, ev::cancel_activity,    st::cancelled,           none,  none>,
    Row<st::running,             ev::cancel_activity,    st::cancelled,           none,  none>,
    Row<st::finished,            ev::cancel_activity,    st::cancelled,           none,  none>
  > {};
  // clang-format on

  // The defaults assert. A missing row is reported through process_event's result instead.
  template <class Fsm, class E>
  void no_transition(E const&, Fsm&, int) {}
  template <class Fsm, class E>
  void exception_caught(E const&, Fsm&, std::exception&) {
    throw;
  }
};

using machine = msm::back::state_machine<activity_def>;

// ActivityState <-> MSM state id, generated from the table's state set; `fresh` takes the one
// id left over.
constexpr int kStates = kActivityStateCount;
constexpr int kFreshId = msm::back::get_state_id<machine::stt, fresh>::value;

template <std::size_t... I>
constexpr std::array<int, kStates> to_msm_ids(std::index_sequence<I...>) {
  return {msm::back::get_state_id<machine::stt, state_t<static_cast<ActivityState>(I)>>::value...};
}
constexpr std::array<int, kStates> kToMsm = to_msm_ids(std::make_index_sequence<kStates>{});

constexpr std::array<ActivityState, kStates + 1> invert(const std::array<int, kStates>& ids) {
  std::array<ActivityState, kStates + 1> states{};  // kFreshId's slot stays unused
  for (int s = 0; s < kStates; ++s) states[ids[s]] = static_cast<ActivityState>(s);
  return states;
}
constexpr std::array<ActivityState, kStates + 1> kFromMsm = invert(kToMsm);

constexpr bool is_one_to_one(const std::array<int, kStates>& ids, int fresh_id) {
  std::array<bool, kStates + 1> seen{};
  if (fresh_id < 0 || fresh_id > kStates) return false;
  seen[fresh_id] = true;
  for (int id : ids) {
    if (id < 0 || id > kStates || seen[id]) return false;
    seen[id] = true;
  }
  return true;
}
static_assert(mpl::size<machine::state_list>::value == kStates + 1,
              "every ActivityState must appear in the transition table, plus `fresh`, and nothing else");
static_assert(is_one_to_one(kToMsm, kFreshId),
              "MSM state ids must map one to one onto ActivityState and `fresh`");

template <std::size_t... I>
msm::back::HandledEnum dispatch(machine& m, ActivityEvent e, std::index_sequence<I...>) {
  msm::back::HandledEnum handled = msm::back::HANDLED_FALSE;
  (void)((static_cast<std::size_t>(e) == I
              ? (handled = m.process_event(ev_t<static_cast<ActivityEvent>(I)>{}), true)
              : false) ||
         ...);
  return handled;
}

bool valid(std::optional<ActivityState> s) { return !s || static_cast<int>(*s) < kStates; }
bool valid(ActivityEvent e) { return static_cast<int>(e) < kActivityEventCount; }
// allowed_'s index: the state, or kStates for a new activity.
int slot(std::optional<ActivityState> s) { return s ? static_cast<int>(*s) : kStates; }

ObjectTransition<ActivityState> run(std::optional<ActivityState> from, ActivityEvent event) {
  machine m;
  m.start();  // enters `fresh`, which has no entry action: a new activity
  // Restore a stored one without entry actions (one region); pinned by the unit tests for
  // every state.
  if (from) const_cast<int*>(m.current_state())[0] = kToMsm[static_cast<int>(*from)];
  const auto handled = dispatch(m, event, std::make_index_sequence<kActivityEventCount>{});
  const int id = m.current_state()[0];
  ObjectTransition<ActivityState> t;
  t.accepted = handled == msm::back::HANDLED_TRUE && id != kFreshId;  // no row leads to fresh
  t.to = t.accepted ? kFromMsm[id] : from.value_or(ActivityState{});
  return t;
}

class activity_lifecycle final : public ActivityLifecycle {
 public:
  activity_lifecycle() {
    for (int s = 0; s <= kStates; ++s) {
      const auto from = s == kStates ? std::nullopt : std::optional(static_cast<ActivityState>(s));
      for (int e = 0; e < kActivityEventCount; ++e)
        if (run(from, static_cast<ActivityEvent>(e)).accepted) allowed_[s] |= 1u << e;
    }
  }

  ObjectTransition<ActivityState> fire(std::optional<ActivityState> from,
                                       ActivityEvent event) const override {
    if (!valid(from) || !valid(event)) return {};
    return run(from, event);
  }

  std::vector<ActivityEvent> allowed(std::optional<ActivityState> state) const override {
    std::vector<ActivityEvent> events;
    if (!valid(state)) return events;
    for (int e = 0; e < kActivityEventCount; ++e)
      if (allowed_[slot(state)] & (1u << e)) events.push_back(static_cast<ActivityEvent>(e));
    return events;
  }

 private:
  std::array<unsigned, kStates + 1> allowed_{};  // written once, in the constructor
};

}  // namespace

std::unique_ptr<ActivityLifecycle> make_activity_lifecycle() {
  return std::make_unique<activity_lifecycle>();
}

}  // namespace ocop::workflows
