// The dossier machine (spec §2) in Boost.MSM: the only translation unit that includes MSM.
//
// Design, for whoever edits this file:
// - Events and states are one class template each, indexed by the public enums
//   (`ev_t<Event::forward>`, `state_t<State::scored>`), so the run-time enum -> MSM type mapping
//   in both directions is generated, never written by hand. MSM numbers states by their first
//   appearance in the table; `kToMsm` / `kFromMsm` translate, and nothing else sees the numbers.
// - Guards and actions are one-line functors over `DossierContext` member pointers; the machine
//   front-end holds the context pointer for the duration of one fire() call.
// - `attach` (every non-final state) and `annotate` (every state but `none`) are the machine's
//   own internal transitions (`dossier_def::internal_transition_table`), each guarded by the
//   states it belongs to; a refusal by that structural guard counts as "no row" (empty reason).
//   Measured alternative, rejected: an `internal_transition_table` in each of the 14 states
//   compiles in 23 s without debug info, but at -g (RelWithDebInfo) g++ 12 ran out of 8 GiB in
//   45 s (type debug info for the 14 merged tables; -g1 is fine). This layout: 20 s, 2 GiB.
// - Restore: each fire() builds a machine on the stack, start()s it in the pseudo-initial `none`
//   (which has no entry action), then writes the stored state's id through current_state().
//   No entry action runs (no state has one). The unit tests pin this for every state.
// - Refusals: MSM's process_event answers HANDLED_FALSE when no row exists for the state (we
//   report an empty reason) and HANDLED_GUARD_REJECT when rows exist but every guard refused
//   (we report ctx.refusal()). Competing rows are tried until one fires (MSM tries the later
//   row first); a refusal left by the guard of a row that lost is cleared when another fires.
//   A guard may therefore be called twice in one fire(): guards must not have side effects
//   other than refuse().
// - Exceptions: the front-end declares `no_exception_thrown`, so MSM wraps nothing in
//   try/catch: whatever a guard or action throws leaves fire() unchanged (std or not). The
//   context may then hold a partly applied transition; the caller must discard it.
// - The machine allocates nothing (measured: no operator new over all 330 pairs): the
//   `no_message_queue` removes the event queue, no state defers events, and the dispatch tables
//   are MSM's statics (built during static initialisation: do not call
//   make_dossier_lifecycle() from another translation unit's static initialiser). Only a
//   refusal's text is copied.
#include "dossier_machine.hpp"

#include <array>
#include <cstddef>
#include <exception>
#include <string>
#include <type_traits>
#include <utility>

#include <boost/mpl/vector.hpp>
#include <boost/mpl/vector/vector40.hpp>
#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/front/state_machine_def.hpp>

namespace ocop::workflows {
namespace {

namespace mpl = boost::mpl;
namespace msm = boost::msm;
namespace msmf = boost::msm::front;

// ---------------------------------------------------------------------------------------------
// Events: one empty type per ocop::Event.

template <Event E>
struct ev_t {};

namespace ev {
using submit_idea = ev_t<Event::submit_idea>;
using accept_idea = ev_t<Event::accept_idea>;
using return_idea = ev_t<Event::return_idea>;
using resubmit_idea = ev_t<Event::resubmit_idea>;
using submit_plan = ev_t<Event::submit_plan>;
using approve_plan = ev_t<Event::approve_plan>;
using return_plan = ev_t<Event::return_plan>;
using resubmit_plan = ev_t<Event::resubmit_plan>;
using reject = ev_t<Event::reject>;
using register_ = ev_t<Event::register_>;
using return_dossier = ev_t<Event::return_dossier>;
using resubmit = ev_t<Event::resubmit>;
using accept_dossier = ev_t<Event::accept_dossier>;
using assess = ev_t<Event::assess>;
using score = ev_t<Event::score>;
using close_scoring = ev_t<Event::close_scoring>;
using forward = ev_t<Event::forward>;
using recognize = ev_t<Event::recognize>;
using not_recognize = ev_t<Event::not_recognize>;
using withdraw = ev_t<Event::withdraw>;
using attach = ev_t<Event::attach>;
using annotate = ev_t<Event::annotate>;
}  // namespace ev

// ---------------------------------------------------------------------------------------------
// Guards and actions. MSM calls them with (event, machine, source, target); they only need the
// machine's context.

template <bool (DossierContext::*G)()>
struct guard_ {
  template <class E, class M, class S, class T>
  bool operator()(E const&, M& m, S&, T&) const {
    return (m.ctx->*G)();
  }
};

// All of them, in order, stopping at the first that refuses (its reason is the refusal).
template <class... G>
struct all_ {
  template <class E, class M, class S, class T>
  bool operator()(E const& e, M& m, S& s, T& t) const {
    return (G{}(e, m, s, t) && ...);
  }
};

// Negation for mutually exclusive rows. It records no refusal of its own, and it discards the
// one the wrapped guard may have recorded while answering false (which makes this one pass):
// the refusal is left as it was before the call.
template <class G>
struct not_ {
  template <class E, class M, class S, class T>
  bool operator()(E const& e, M& m, S& s, T& t) const {
    std::string before = m.ctx->refusal();
    const bool answer = G{}(e, m, s, t);
    if (!answer) {
      if (before.empty())
        m.ctx->clear_refusal();
      else
        m.ctx->refuse(std::move(before));
    }
    return !answer;
  }
};

// Actions, run left to right.
template <void (DossierContext::*... A)()>
struct do_ {
  template <class E, class M, class S, class T>
  void operator()(E const&, M& m, S&, T&) const {
    ((m.ctx->*A)(), ...);
  }
};

using screen_level = guard_<&DossierContext::at_screen_level>;
using council_level = guard_<&DossierContext::at_council_level>;
using quorum = guard_<&DossierContext::quorum_met>;
using may_forward = guard_<&DossierContext::may_forward>;
using may_recognize = guard_<&DossierContext::may_recognize>;
using certified = guard_<&DossierContext::holds_certificate>;
using not_certified = not_<certified>;
using documents = guard_<&DossierContext::documents_present>;
using registration = guard_<&DossierContext::registration_valid>;

using register_ok = all_<registration, documents>;
using close_ok = all_<council_level, quorum>;
using screen_forward_ok = all_<screen_level, may_forward, documents>;

using enter_level = do_<&DossierContext::enter_first_level, &DossierContext::attach_documents>;
using attach_docs = do_<&DossierContext::attach_documents>;
using record_assessment = do_<&DossierContext::record_assessment>;
using record_scoresheet = do_<&DossierContext::record_scoresheet>;
using compute_result = do_<&DossierContext::compute_result>;
using assign_round = do_<&DossierContext::assign_round>;
using advance_level = do_<&DossierContext::advance_level>;
using issue_certificate = do_<&DossierContext::issue_certificate>;

// ---------------------------------------------------------------------------------------------
// States.

template <State S>
struct state_t : msmf::state<> {};  // distinct empty types: no data, entry or exit actions

// Where the machine's internal transitions apply: `annotate` in every stored state, `attach`
// in every stored state that is not final (names.hpp: "Final states accept only annotate").
bool annotatable(State s) { return s != State::none; }
bool attachable(State s) { return s != State::none && !is_final(s); }

State state_of(int msm_id);  // below, once the machine is complete

// A structural guard: outside its states the transition does not exist. It records that on
// the machine (not as a refusal), and fire() reports "not allowed" with an empty reason.
template <bool (*InState)(State)>
struct in_states_ {
  template <class E, class M, class S, class T>
  bool operator()(E const&, M& m, S&, T&) const {
    if (InState(state_of(m.current_state()[0]))) return true;
    m.off_table = true;
    return false;
  }
};

namespace st {
using none = state_t<State::none>;  // pseudo-initial: the source of creating events
using idea_submitted = state_t<State::idea_submitted>;
using idea_returned = state_t<State::idea_returned>;
using idea_accepted = state_t<State::idea_accepted>;
using plan_submitted = state_t<State::plan_submitted>;
using plan_returned = state_t<State::plan_returned>;
using in_development = state_t<State::in_development>;
using submitted = state_t<State::submitted>;
using returned = state_t<State::returned>;
using under_review = state_t<State::under_review>;
using scored = state_t<State::scored>;
using recognized = state_t<State::recognized>;
using not_recognized = state_t<State::not_recognized>;
using rejected = state_t<State::rejected>;
using withdrawn = state_t<State::withdrawn>;
}  // namespace st

// ---------------------------------------------------------------------------------------------
// The machine.

using msmf::none;
using msmf::Row;

struct dossier_def : msmf::state_machine_def<dossier_def> {
  DossierContext* ctx = nullptr;

  using initial_state = st::none;
  using no_exception_thrown = int;  // no try/catch: exceptions leave process_event as thrown
  using no_message_queue = int;     // no event queue (and no allocation)
  bool off_table = false;           // set by in_states_: the event has no row here

  // Tried when the active state has no row for the event; state unchanged, no exit or entry.
  struct internal_transition_table : mpl::vector<
                                         //             event         action       guard
                                         msmf::Internal<ev::annotate, none, in_states_<annotatable>>,
                                         msmf::Internal<ev::attach, attach_docs, in_states_<attachable>>> {};

  // clang-format off
  struct transition_table : mpl::vector38<
    //   source               event                  target               action             guard
    // --- idea and plan ---
    Row<st::none,           ev::submit_idea,      st::idea_submitted,  none,              none>,
    Row<st::idea_submitted, ev::accept_idea,      st::idea_accepted,   none,              none>,
    Row<st::idea_submitted, ev::return_idea,      st::idea_returned,   none,              none>,
    Row<st::idea_returned,  ev::resubmit_idea,    st::idea_submitted,  none,              none>,
    Row<st::idea_accepted,  ev::submit_plan,      st::plan_submitted,  none,              none>,
    Row<st::plan_submitted, ev::approve_plan,     st::in_development,  none,              none>,
    Row<st::plan_submitted, ev::return_plan,      st::plan_returned,   none,              none>,
    Row<st::plan_returned,  ev::resubmit_plan,    st::plan_submitted,  none,              none>,
    Row<st::idea_submitted, ev::reject,           st::rejected,        none,              none>,
    Row<st::plan_submitted, ev::reject,           st::rejected,        none,              none>,
    // --- evaluation dossier at one level ---
    Row<st::none,           ev::register_,        st::submitted,       enter_level,       register_ok>,
    Row<st::in_development, ev::register_,        st::submitted,       enter_level,       register_ok>,
    Row<st::submitted,      ev::return_dossier,   st::returned,        none,              none>,
    Row<st::returned,       ev::resubmit,         st::submitted,       attach_docs,       none>,
    Row<st::submitted,      ev::accept_dossier,   st::under_review,    assign_round,      none>,
    Row<st::under_review,   ev::assess,           none,                record_assessment, screen_level>,
    Row<st::under_review,   ev::score,            none,                record_scoresheet, council_level>,
    Row<st::under_review,   ev::close_scoring,    st::scored,          compute_result,    close_ok>,
    // --- up the levels, recognition ---
    Row<st::scored,         ev::forward,          st::submitted,       advance_level,     may_forward>,
    Row<st::recognized,     ev::forward,          st::submitted,       advance_level,     may_forward>,
    Row<st::under_review,   ev::forward,          st::submitted,       advance_level,     screen_forward_ok>,
    Row<st::scored,         ev::recognize,        st::recognized,      issue_certificate, may_recognize>,
    Row<st::scored,         ev::not_recognize,    st::not_recognized,  none,              not_certified>,
    Row<st::scored,         ev::not_recognize,    st::recognized,      none,              certified>,
    // --- withdrawal ---
    Row<st::idea_submitted, ev::withdraw,         st::withdrawn,       none,              none>,
    Row<st::idea_returned,  ev::withdraw,         st::withdrawn,       none,              none>,
    Row<st::idea_accepted,  ev::withdraw,         st::withdrawn,       none,              none>,
    Row<st::plan_submitted, ev::withdraw,         st::withdrawn,       none,              none>,
    Row<st::plan_returned,  ev::withdraw,         st::withdrawn,       none,              none>,
    Row<st::in_development, ev::withdraw,         st::withdrawn,       none,              none>,
    Row<st::submitted,      ev::withdraw,         st::withdrawn,       none,              not_certified>,
    Row<st::submitted,      ev::withdraw,         st::recognized,      none,              certified>,
    Row<st::returned,       ev::withdraw,         st::withdrawn,       none,              not_certified>,
    Row<st::returned,       ev::withdraw,         st::recognized,      none,              certified>,
    Row<st::under_review,   ev::withdraw,         st::withdrawn,       none,              not_certified>,
    Row<st::under_review,   ev::withdraw,         st::recognized,      none,              certified>,
    Row<st::scored,         ev::withdraw,         st::withdrawn,       none,              not_certified>,
    Row<st::scored,         ev::withdraw,         st::recognized,      none,              certified>
  > {};
  // clang-format on

  // The defaults assert. A missing row is reported through process_event's result instead.
  template <class Fsm, class E>
  void no_transition(E const&, Fsm&, int) {}
  // Unused while `no_exception_thrown` is declared; should that go, keep propagating.
  template <class Fsm, class E>
  void exception_caught(E const&, Fsm&, std::exception&) {
    throw;
  }
};

using machine = msm::back::state_machine<dossier_def>;

// ---------------------------------------------------------------------------------------------
// ocop::State <-> MSM state id, generated from the table's state set.

template <std::size_t... I>
constexpr std::array<int, kStateCount> to_msm_ids(std::index_sequence<I...>) {
  return {msm::back::get_state_id<machine::stt, state_t<static_cast<State>(I)>>::value...};
}
constexpr std::array<int, kStateCount> kToMsm = to_msm_ids(std::make_index_sequence<kStateCount>{});

constexpr std::array<State, kStateCount> invert(const std::array<int, kStateCount>& ids) {
  std::array<State, kStateCount> states{};
  for (int s = 0; s < kStateCount; ++s) states[ids[s]] = static_cast<State>(s);
  return states;
}
constexpr std::array<State, kStateCount> kFromMsm = invert(kToMsm);

constexpr bool is_permutation(const std::array<int, kStateCount>& ids) {
  std::array<bool, kStateCount> seen{};
  for (int id : ids) {
    if (id < 0 || id >= kStateCount || seen[id]) return false;
    seen[id] = true;
  }
  return true;
}
static_assert(mpl::size<machine::state_list>::value == kStateCount,
              "every ocop::State must appear in the transition table, and nothing else");
static_assert(is_permutation(kToMsm), "MSM state ids must map one to one onto ocop::State");
static_assert(kFromMsm[kToMsm[static_cast<int>(State::scored)]] == State::scored);

// ---------------------------------------------------------------------------------------------
// One event through a freshly restored machine.

template <std::size_t... I>
msm::back::HandledEnum dispatch(machine& m, Event e, std::index_sequence<I...>) {
  msm::back::HandledEnum handled = msm::back::HANDLED_FALSE;
  (void)((static_cast<std::size_t>(e) == I ? (handled = m.process_event(ev_t<static_cast<Event>(I)>{}), true)
                                           : false) ||
         ...);
  return handled;
}

struct outcome {
  msm::back::HandledEnum handled;
  State to;
};

State state_of(int msm_id) { return kFromMsm[msm_id]; }

outcome run(State from, Event event, DossierContext& ctx) {
  machine m;
  m.ctx = &ctx;
  m.start();  // enters `none`, which has no entry action
  // Restore without entry actions: the back end keeps the active state's id in the array
  // current_state() points to (one region). Pinned by tests/unit/dossier_machine_test.cpp.
  const_cast<int*>(m.current_state())[0] = kToMsm[static_cast<int>(from)];
  const auto handled = dispatch(m, event, std::make_index_sequence<kEventCount>{});
  return {m.off_table ? msm::back::HANDLED_FALSE : handled, kFromMsm[m.current_state()[0]]};
}

// Answers every guard true and does nothing: used to read the table.
class probe_context final : public DossierContext {
 public:
  bool at_screen_level() override { return true; }
  bool at_council_level() override { return true; }
  bool quorum_met() override { return true; }
  bool may_forward() override { return true; }
  bool may_recognize() override { return true; }
  bool holds_certificate() override { return true; }
  bool documents_present() override { return true; }
  bool registration_valid() override { return true; }
  void enter_first_level() override {}
  void record_assessment() override {}
  void record_scoresheet() override {}
  void compute_result() override {}
  void assign_round() override {}
  void advance_level() override {}
  void issue_certificate() override {}
  void attach_documents() override {}
};

bool valid(State s) { return static_cast<int>(s) < kStateCount; }
bool valid(Event e) { return static_cast<int>(e) < kEventCount; }

class dossier_lifecycle final : public Lifecycle {
 public:
  dossier_lifecycle() {
    // A row exists when the event fires or a guard refuses it; probe every pair once.
    probe_context probe;
    for (int s = 0; s < kStateCount; ++s)
      for (int e = 0; e < kEventCount; ++e)
        if (run(static_cast<State>(s), static_cast<Event>(e), probe).handled != msm::back::HANDLED_FALSE)
          allowed_[s] |= event_bit(static_cast<Event>(e));
  }

  Transition fire(State from, Event event, DossierContext& ctx) const override {
    Transition t;
    if (!valid(from) || !valid(event)) return t;
    ctx.clear_refusal();
    const outcome o = run(from, event, ctx);
    if (o.handled == msm::back::HANDLED_TRUE) {
      ctx.clear_refusal();  // a guard of a competing row that lost may have left one
      t.accepted = true;
      t.to = o.to;
    } else if (o.handled == msm::back::HANDLED_GUARD_REJECT) {
      t.guard_refusal = ctx.refusal();
      if (t.guard_refusal.empty())  // a guard refused without saying why: still not "no row"
        t.guard_refusal = std::string("a guard refused ") + std::string(to_string(event)) + " in state " +
                          std::string(to_string(from));
    }
    return t;
  }

  std::vector<Event> allowed(State state) const override {
    std::vector<Event> events;
    if (!valid(state)) return events;
    for (int e = 0; e < kEventCount; ++e)
      if (allowed_[static_cast<int>(state)] & event_bit(static_cast<Event>(e)))
        events.push_back(static_cast<Event>(e));
    return events;
  }

 private:
  std::array<EventMask, kStateCount> allowed_{};  // written once, in the constructor
};

}  // namespace

std::unique_ptr<Lifecycle> make_dossier_lifecycle() { return std::make_unique<dossier_lifecycle>(); }

}  // namespace ocop::workflows
