// The inspection's machine (spec §10.2: hậu kiểm) in Boost.MSM: 11 rows, two kinds of guards on
// the event's payload, no actions.
//
// Same layout as certificate_machine.cpp (and dossier_machine.cpp, whose header comment says
// why): events and states are class templates indexed by the public enums, MSM's state ids are
// mapped to InspectionState at compile time and never stored. The machine has one state more
// than the enum: `fresh`, "no inspection yet", its initial state and the source of
// plan_inspection and of nothing else. `fresh` is internal: never stored, never returned, no row
// leads to it. Each fire() builds a machine on the stack and start()s it in `fresh` (no state
// has an entry action); for a stored inspection it then writes the stored state's id through
// current_state(). tests/unit/inspection_machine_test.cpp pins every state × event × payload,
// the new inspection included.
//
// Guards: every event carries the caller's InspectionInput, and two events read it.
// - record_inspection: three rows from `planned`, one per result (compliant, remedy_required,
//   violation), each guarded on `result`; any other result is refused by all three.
// - close_inspection: from violation and overdue a row without guard; from planned and
//   remedy_required a row guarded on `cascade` (the certificate's revocation or expiry closes
//   them; a signer does not).
// A guard that refuses leaves a reason on the machine (a string literal: nothing is allocated
// until fire() copies it). MSM tries competing rows until one fires (the later row first), so a
// reason left by a row that lost is ignored when another fires; guards have no other effect.
// A refusal by guards is reported with that reason; no row at all, with an empty one.
#include "inspection_machine.hpp"

#include <array>
#include <cstddef>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>
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

template <InspectionEvent E>
struct ev_t {
  InspectionInput in;  // the guards' payload
};

namespace ev {
using plan_inspection = ev_t<InspectionEvent::plan_inspection>;
using record_inspection = ev_t<InspectionEvent::record_inspection>;
using confirm_remedy = ev_t<InspectionEvent::confirm_remedy>;
using remedy_overdue = ev_t<InspectionEvent::remedy_overdue>;
using close_inspection = ev_t<InspectionEvent::close_inspection>;
}  // namespace ev

template <InspectionState S>
struct state_t : msmf::state<> {};  // distinct empty types: no data, entry or exit actions

// "No inspection yet": the initial state, the source of the creating event. Not an
// InspectionState.
struct fresh : msmf::state<> {};

namespace st {
using planned = state_t<InspectionState::planned>;
using compliant = state_t<InspectionState::compliant>;
using remedy_required = state_t<InspectionState::remedy_required>;
using overdue = state_t<InspectionState::overdue>;
using violation = state_t<InspectionState::violation>;
using closed = state_t<InspectionState::closed>;
}  // namespace st

// ---------------------------------------------------------------------------------------------
// Guards. MSM calls them with (event, machine, source, target).

// record_inspection: the row of the recorded result.
template <InspectionState R>
struct result_is {
  template <class E, class M, class S, class T>
  bool operator()(E const& e, M& m, S&, T&) const {
    if (e.in.result == R) return true;
    m.refusal = "record_inspection records one of three results: compliant, remedy_required or violation";
    return false;
  }
};

using recorded_compliant = result_is<InspectionState::compliant>;
using recorded_remedy = result_is<InspectionState::remedy_required>;
using recorded_violation = result_is<InspectionState::violation>;

// close_inspection from planned or remedy_required: only as a cascade of the certificate's
// revocation or expiry.
struct cascaded {
  template <class E, class M, class S, class T>
  bool operator()(E const& e, M& m, S&, T&) const {
    if (e.in.cascade) return true;
    if constexpr (std::is_same_v<std::remove_cv_t<S>, st::planned>)
      m.refusal =
          "close_inspection closes a planned inspection only when its certificate is revoked or "
          "expires; record the inspection first";
    else
      m.refusal =
          "close_inspection closes a remedy_required inspection only when its certificate is revoked "
          "or expires; confirm the remedy, or close the inspection once the remedy is overdue";
    return false;
  }
};

using msmf::none;
using msmf::Row;

struct inspection_def : msmf::state_machine_def<inspection_def> {
  using initial_state = fresh;  // a new inspection; restored over for a stored one
  using no_exception_thrown = int;
  using no_message_queue = int;
  const char* refusal = nullptr;  // set by a guard that refused

  // clang-format off
  struct transition_table : mpl::vector<
    //  source               event                  target               action guard
    Row<fresh,               ev::plan_inspection,   st::planned,         none,  none>,
    Row<st::planned,         ev::record_inspection, st::compliant,       none,  recorded_compliant>,
    Row<st::planned,         ev::record_inspection, st::remedy_required, none,  recorded_remedy>,
    Row<st::planned,         ev::record_inspection, st::violation,       none,  recorded_violation>,
    Row<st::remedy_required, ev::confirm_remedy,    st::compliant,       none,  none>,
    Row<st::overdue,         ev::confirm_remedy,    st::compliant,       none,  none>,
    Row<st::remedy_required, ev::remedy_overdue,    st::overdue,         none,  none>,
    Row<st::violation,       ev::close_inspection,  st::closed,          none,  none>,
    Row<st::overdue,         ev::close_inspection,  st::closed,          none,  none>,
    Row<st::planned,         ev::close_inspection,  st::closed,          none,  cascaded>,
    Row<st::remedy_required, ev::close_inspection,  st::closed,          none,  cascaded>
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

using machine = msm::back::state_machine<inspection_def>;

// InspectionState <-> MSM state id, generated from the table's state set; `fresh` takes the one
// id left over.
constexpr int kStates = kInspectionStateCount;
constexpr int kFreshId = msm::back::get_state_id<machine::stt, fresh>::value;

template <std::size_t... I>
constexpr std::array<int, kStates> to_msm_ids(std::index_sequence<I...>) {
  return {msm::back::get_state_id<machine::stt, state_t<static_cast<InspectionState>(I)>>::value...};
}
constexpr std::array<int, kStates> kToMsm = to_msm_ids(std::make_index_sequence<kStates>{});

constexpr std::array<InspectionState, kStates + 1> invert(const std::array<int, kStates>& ids) {
  std::array<InspectionState, kStates + 1> states{};  // kFreshId's slot stays unused
  for (int s = 0; s < kStates; ++s) states[ids[s]] = static_cast<InspectionState>(s);
  return states;
}
constexpr std::array<InspectionState, kStates + 1> kFromMsm = invert(kToMsm);

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
              "every InspectionState must appear in the transition table, plus `fresh`, and nothing else");
static_assert(is_one_to_one(kToMsm, kFreshId),
              "MSM state ids must map one to one onto InspectionState and `fresh`");

template <std::size_t... I>
msm::back::HandledEnum dispatch(machine& m, InspectionEvent e, const InspectionInput& in,
                                std::index_sequence<I...>) {
  msm::back::HandledEnum handled = msm::back::HANDLED_FALSE;
  (void)((static_cast<std::size_t>(e) == I
              ? (handled = m.process_event(ev_t<static_cast<InspectionEvent>(I)>{in}), true)
              : false) ||
         ...);
  return handled;
}

bool valid(std::optional<InspectionState> s) { return !s || static_cast<int>(*s) < kStates; }
bool valid(InspectionEvent e) { return static_cast<int>(e) < kInspectionEventCount; }
// allowed_'s index: the state, or kStates for a new inspection.
int slot(std::optional<InspectionState> s) { return s ? static_cast<int>(*s) : kStates; }

struct outcome {
  msm::back::HandledEnum handled;
  int id;               // the MSM state id afterwards
  const char* refusal;  // the last guard's that refused, if any
};

outcome run(std::optional<InspectionState> from, InspectionEvent event, const InspectionInput& in) {
  machine m;
  m.start();  // enters `fresh`, which has no entry action: a new inspection
  // Restore a stored one without entry actions (one region); pinned by the unit tests for
  // every state.
  if (from) const_cast<int*>(m.current_state())[0] = kToMsm[static_cast<int>(*from)];
  const auto handled = dispatch(m, event, in, std::make_index_sequence<kInspectionEventCount>{});
  return {handled, m.current_state()[0], m.refusal};
}

class inspection_lifecycle final : public InspectionLifecycle {
 public:
  inspection_lifecycle() {
    // A row exists when the event fires or its guards refuse it; probe every pair once.
    const InspectionInput probe{};
    for (int s = 0; s <= kStates; ++s) {
      const auto from = s == kStates ? std::nullopt : std::optional(static_cast<InspectionState>(s));
      for (int e = 0; e < kInspectionEventCount; ++e)
        if (run(from, static_cast<InspectionEvent>(e), probe).handled != msm::back::HANDLED_FALSE)
          allowed_[s] |= 1u << e;
    }
  }

  ObjectTransition<InspectionState> fire(std::optional<InspectionState> from, InspectionEvent event,
                                         const InspectionInput& in) const override {
    ObjectTransition<InspectionState> t;
    if (!valid(from) || !valid(event)) return t;
    const outcome o = run(from, event, in);
    t.accepted = o.handled == msm::back::HANDLED_TRUE && o.id != kFreshId;  // no row leads to fresh
    t.to = t.accepted ? kFromMsm[o.id] : from.value_or(InspectionState{});
    if (o.handled == msm::back::HANDLED_GUARD_REJECT)
      t.guard_refusal =
          o.refusal != nullptr ? o.refusal : std::string("a guard refused ") + std::string(to_string(event));
    return t;
  }

  std::vector<InspectionEvent> allowed(std::optional<InspectionState> state) const override {
    std::vector<InspectionEvent> events;
    if (!valid(state)) return events;
    for (int e = 0; e < kInspectionEventCount; ++e)
      if (allowed_[slot(state)] & (1u << e)) events.push_back(static_cast<InspectionEvent>(e));
    return events;
  }

 private:
  std::array<unsigned, kStates + 1> allowed_{};  // written once, in the constructor
};

}  // namespace

std::unique_ptr<InspectionLifecycle> make_inspection_lifecycle() {
  return std::make_unique<inspection_lifecycle>();
}

}  // namespace ocop::workflows
