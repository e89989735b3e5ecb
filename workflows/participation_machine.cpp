// A participation's machine (spec §10.1: one product at one promotion activity) in Boost.MSM:
// 14 rows, no guards, no actions.
//
// Same layout as certificate_machine.cpp (and dossier_machine.cpp, whose header comment says
// why): events and states are class templates indexed by the public enums, MSM's state ids are
// mapped to ParticipationState at compile time and never stored. The machine has one state more
// than the enum: `fresh`, "no participation yet", its initial state and the source of apply and
// of nothing else. `fresh` is internal: never stored, never returned, no row leads to it. Each
// fire() builds a machine on the stack and start()s it in `fresh` (no state has an entry
// action); for a stored participation it then writes the stored state's id through
// current_state(). cancel_participation is a row like the others (open -> cancelled): that it is
// only ever a cascade of `revoke` and `cancel_activity`, never fired directly, is the executor's
// rule. tests/unit/participation_machine_test.cpp pins every state × event, the new
// participation included.
#include "participation_machine.hpp"

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

template <ParticipationEvent E>
struct ev_t {};

namespace ev {
using apply = ev_t<ParticipationEvent::apply>;
using select = ev_t<ParticipationEvent::select>;
using waitlist = ev_t<ParticipationEvent::waitlist>;
using decline = ev_t<ParticipationEvent::decline>;
using withdraw_application = ev_t<ParticipationEvent::withdraw_application>;
using report_outcome = ev_t<ParticipationEvent::report_outcome>;
using mark_no_show = ev_t<ParticipationEvent::mark_no_show>;
using cancel_participation = ev_t<ParticipationEvent::cancel_participation>;
}  // namespace ev

template <ParticipationState S>
struct state_t : msmf::state<> {};  // distinct empty types: no data, entry or exit actions

// "No participation yet": the initial state, the source of the creating event. Not an ParticipationState.
struct fresh : msmf::state<> {};

namespace st {
using applied = state_t<ParticipationState::applied>;
using waitlisted = state_t<ParticipationState::waitlisted>;
using selected = state_t<ParticipationState::selected>;
using declined = state_t<ParticipationState::declined>;
using withdrawn = state_t<ParticipationState::withdrawn>;
using cancelled = state_t<ParticipationState::cancelled>;
using reported = state_t<ParticipationState::reported>;
using no_show = state_t<ParticipationState::no_show>;
}  // namespace st

using msmf::none;
using msmf::Row;

struct participation_def : msmf::state_machine_def<participation_def> {
  using initial_state = fresh;  // a new participation; restored over for a stored one
  using no_exception_thrown = int;
  using no_message_queue = int;

  // clang-format off
  struct transition_table : mpl::vector<
    //  source          event                     target          action guard
    Row<fresh,          ev::apply,                st::applied,    none,  none>,
    Row<st::applied,    ev::select,               st::selected,   none,  none>,
    Row<st::waitlisted, ev::select,               st::selected,   none,  none>,
    Row<st::applied,    ev::waitlist,             st::waitlisted, none,  none>,
    Row<st::applied,    ev::decline,              st::declined,   none,  none>,
    Row<st::waitlisted, ev::decline,              st::declined,   none,  none>,
    Row<st::selected,   ev::report_outcome,       st::reported,   none,  none>,
    Row<st::selected,   ev::mark_no_show,         st::no_show,    none,  none>,
    // open (applied, waitlisted, selected) -> withdrawn, cancelled
    Row<st::applied,    ev::withdraw_application, st::withdrawn,  none,  none>,
    Row<st::waitlisted, ev::withdraw_application, st::withdrawn,  none,  none>,
    Row<st::selected,   ev::withdraw_application, st::withdrawn,  none,  none>,
    Row<st::applied,    ev::cancel_participation, st::cancelled,  none,  none>,
    Row<st::waitlisted, ev::cancel_participation, st::cancelled,  none,  none>,
    Row<st::selected,   ev::cancel_participation, st::cancelled,  none,  none>
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

using machine = msm::back::state_machine<participation_def>;

// ParticipationState <-> MSM state id, generated from the table's state set; `fresh` takes the one
// id left over.
constexpr int kStates = kParticipationStateCount;
constexpr int kFreshId = msm::back::get_state_id<machine::stt, fresh>::value;

template <std::size_t... I>
constexpr std::array<int, kStates> to_msm_ids(std::index_sequence<I...>) {
  return {msm::back::get_state_id<machine::stt, state_t<static_cast<ParticipationState>(I)>>::value...};
}
constexpr std::array<int, kStates> kToMsm = to_msm_ids(std::make_index_sequence<kStates>{});

constexpr std::array<ParticipationState, kStates + 1> invert(const std::array<int, kStates>& ids) {
  std::array<ParticipationState, kStates + 1> states{};  // kFreshId's slot stays unused
  for (int s = 0; s < kStates; ++s) states[ids[s]] = static_cast<ParticipationState>(s);
  return states;
}
constexpr std::array<ParticipationState, kStates + 1> kFromMsm = invert(kToMsm);

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
              "every ParticipationState must appear in the transition table, plus `fresh`, and nothing else");
static_assert(is_one_to_one(kToMsm, kFreshId),
              "MSM state ids must map one to one onto ParticipationState and `fresh`");

template <std::size_t... I>
msm::back::HandledEnum dispatch(machine& m, ParticipationEvent e, std::index_sequence<I...>) {
  msm::back::HandledEnum handled = msm::back::HANDLED_FALSE;
  (void)((static_cast<std::size_t>(e) == I
              ? (handled = m.process_event(ev_t<static_cast<ParticipationEvent>(I)>{}), true)
              : false) ||
         ...);
  return handled;
}

bool valid(std::optional<ParticipationState> s) { return !s || static_cast<int>(*s) < kStates; }
bool valid(ParticipationEvent e) { return static_cast<int>(e) < kParticipationEventCount; }
// allowed_'s index: the state, or kStates for a new participation.
int slot(std::optional<ParticipationState> s) { return s ? static_cast<int>(*s) : kStates; }

ObjectTransition<ParticipationState> run(std::optional<ParticipationState> from, ParticipationEvent event) {
  machine m;
  m.start();  // enters `fresh`, which has no entry action: a new participation
  // Restore a stored one without entry actions (one region); pinned by the unit tests for
  // every state.
  if (from) const_cast<int*>(m.current_state())[0] = kToMsm[static_cast<int>(*from)];
  const auto handled = dispatch(m, event, std::make_index_sequence<kParticipationEventCount>{});
  const int id = m.current_state()[0];
  ObjectTransition<ParticipationState> t;
  t.accepted = handled == msm::back::HANDLED_TRUE && id != kFreshId;  // no row leads to fresh
  t.to = t.accepted ? kFromMsm[id] : from.value_or(ParticipationState{});
  return t;
}

class participation_lifecycle final : public ParticipationLifecycle {
 public:
  participation_lifecycle() {
    for (int s = 0; s <= kStates; ++s) {
      const auto from = s == kStates ? std::nullopt : std::optional(static_cast<ParticipationState>(s));
      for (int e = 0; e < kParticipationEventCount; ++e)
        if (run(from, static_cast<ParticipationEvent>(e)).accepted) allowed_[s] |= 1u << e;
    }
  }

  ObjectTransition<ParticipationState> fire(std::optional<ParticipationState> from,
                                            ParticipationEvent event) const override {
    if (!valid(from) || !valid(event)) return {};
    return run(from, event);
  }

  std::vector<ParticipationEvent> allowed(std::optional<ParticipationState> state) const override {
    std::vector<ParticipationEvent> events;
    if (!valid(state)) return events;
    for (int e = 0; e < kParticipationEventCount; ++e)
      if (allowed_[slot(state)] & (1u << e)) events.push_back(static_cast<ParticipationEvent>(e));
    return events;
  }

 private:
  std::array<unsigned, kStates + 1> allowed_{};  // written once, in the constructor
};

}  // namespace

std::unique_ptr<ParticipationLifecycle> make_participation_lifecycle() {
  return std::make_unique<participation_lifecycle>();
}

}  // namespace ocop::workflows
