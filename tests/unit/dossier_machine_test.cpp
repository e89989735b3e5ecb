// The Boost.MSM dossier machine (workflows/dossier_machine.cpp) against spec §2's table, written
// here again as data so that a change to either shows up as a failure.
#include <boost/test/unit_test.hpp>

#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "dossier_machine.hpp"
#include "ocop/lifecycle.hpp"
#include "ocop/names.hpp"

using namespace ocop;

namespace {

// Guards answer what `answers` says (true unless set); a guard answering false explains itself
// like the engine's do ("<guard> refused"), unless `explain` is off. Every call is recorded.
class FakeContext final : public DossierContext {
 public:
  std::map<std::string, bool> answers;
  bool explain = true;
  std::string throw_in;          // an action that throws std::runtime_error
  std::string throw_foreign_in;  // an action that throws something not derived from std::exception
  std::vector<std::string> guards;
  std::vector<std::string> actions;

  bool at_screen_level() override { return guard("at_screen_level"); }
  bool at_council_level() override { return guard("at_council_level"); }
  bool quorum_met() override { return guard("quorum_met"); }
  bool may_forward() override { return guard("may_forward"); }
  bool may_recognize() override { return guard("may_recognize"); }
  bool holds_certificate() override { return guard("holds_certificate"); }
  bool documents_present() override { return guard("documents_present"); }
  bool registration_valid() override { return guard("registration_valid"); }

  void enter_first_level() override { action("enter_first_level"); }
  void record_assessment() override { action("record_assessment"); }
  void record_scoresheet() override { action("record_scoresheet"); }
  void compute_result() override { action("compute_result"); }
  void assign_round() override { action("assign_round"); }
  void advance_level() override { action("advance_level"); }
  void issue_certificate() override { action("issue_certificate"); }
  void attach_documents() override { action("attach_documents"); }

  std::string action_list() const { return join(actions); }
  std::size_t calls() const { return guards.size() + actions.size(); }
  static std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
    return s;
  }

 private:
  bool guard(const char* name) {
    guards.emplace_back(name);
    auto it = answers.find(name);
    const bool answer = it == answers.end() || it->second;
    if (!answer && explain) refuse(std::string(name) + " refused");
    return answer;
  }
  struct Foreign {};
  void action(const char* name) {
    actions.emplace_back(name);
    if (throw_in == name) throw std::runtime_error(std::string(name) + " failed");
    if (throw_foreign_in == name) throw Foreign{};
  }
};

const std::vector<State> kAllStates = {State::none,           State::idea_submitted, State::idea_returned,
                                       State::idea_accepted,  State::plan_submitted, State::plan_returned,
                                       State::in_development, State::submitted,      State::returned,
                                       State::under_review,   State::scored,         State::recognized,
                                       State::not_recognized, State::rejected,       State::withdrawn};

std::vector<Event> all_events() {
  std::vector<Event> v;
  for (int e = 0; e < kEventCount; ++e) v.push_back(static_cast<Event>(e));
  return v;
}

// Spec §2, one line per (state, event) the table allows. `to` is the target when every guard
// passes and the dossier holds no certificate; `to_certified` when it holds one.
struct Expected {
  State from;
  Event event;
  State to;
  State to_certified;
  const char* actions;  // in call order, space-separated
};
constexpr Expected same(State from, Event e, State to, const char* actions = "") {
  return {from, e, to, to, actions};
}
constexpr Expected two(State from, Event e, State to, State to_certified) {
  return {from, e, to, to_certified, ""};
}

using S = State;
using E = Event;
const std::vector<Expected> kTable = {
    same(S::none, E::submit_idea, S::idea_submitted),
    same(S::none, E::register_, S::submitted, "enter_first_level attach_documents"),

    same(S::idea_submitted, E::accept_idea, S::idea_accepted),
    same(S::idea_submitted, E::return_idea, S::idea_returned),
    same(S::idea_submitted, E::reject, S::rejected),
    same(S::idea_submitted, E::withdraw, S::withdrawn),
    same(S::idea_submitted, E::attach, S::idea_submitted, "attach_documents"),
    same(S::idea_submitted, E::annotate, S::idea_submitted),

    same(S::idea_returned, E::resubmit_idea, S::idea_submitted),
    same(S::idea_returned, E::withdraw, S::withdrawn),
    same(S::idea_returned, E::attach, S::idea_returned, "attach_documents"),
    same(S::idea_returned, E::annotate, S::idea_returned),

    same(S::idea_accepted, E::submit_plan, S::plan_submitted),
    same(S::idea_accepted, E::withdraw, S::withdrawn),
    same(S::idea_accepted, E::attach, S::idea_accepted, "attach_documents"),
    same(S::idea_accepted, E::annotate, S::idea_accepted),

    same(S::plan_submitted, E::approve_plan, S::in_development),
    same(S::plan_submitted, E::return_plan, S::plan_returned),
    same(S::plan_submitted, E::reject, S::rejected),
    same(S::plan_submitted, E::withdraw, S::withdrawn),
    same(S::plan_submitted, E::attach, S::plan_submitted, "attach_documents"),
    same(S::plan_submitted, E::annotate, S::plan_submitted),

    same(S::plan_returned, E::resubmit_plan, S::plan_submitted),
    same(S::plan_returned, E::withdraw, S::withdrawn),
    same(S::plan_returned, E::attach, S::plan_returned, "attach_documents"),
    same(S::plan_returned, E::annotate, S::plan_returned),

    same(S::in_development, E::register_, S::submitted, "enter_first_level attach_documents"),
    same(S::in_development, E::withdraw, S::withdrawn),
    same(S::in_development, E::attach, S::in_development, "attach_documents"),
    same(S::in_development, E::annotate, S::in_development),

    same(S::submitted, E::return_dossier, S::returned),
    same(S::submitted, E::accept_dossier, S::under_review, "assign_round"),
    two(S::submitted, E::withdraw, S::withdrawn, S::recognized),
    same(S::submitted, E::attach, S::submitted, "attach_documents"),
    same(S::submitted, E::annotate, S::submitted),

    same(S::returned, E::resubmit, S::submitted, "attach_documents"),
    two(S::returned, E::withdraw, S::withdrawn, S::recognized),
    same(S::returned, E::attach, S::returned, "attach_documents"),
    same(S::returned, E::annotate, S::returned),

    same(S::under_review, E::assess, S::under_review, "record_assessment"),
    same(S::under_review, E::score, S::under_review, "record_scoresheet"),
    same(S::under_review, E::close_scoring, S::scored, "compute_result"),
    same(S::under_review, E::forward, S::submitted, "advance_level"),
    two(S::under_review, E::withdraw, S::withdrawn, S::recognized),
    same(S::under_review, E::attach, S::under_review, "attach_documents"),
    same(S::under_review, E::annotate, S::under_review),

    same(S::scored, E::forward, S::submitted, "advance_level"),
    same(S::scored, E::recognize, S::recognized, "issue_certificate"),
    two(S::scored, E::not_recognize, S::not_recognized, S::recognized),
    two(S::scored, E::withdraw, S::withdrawn, S::recognized),
    same(S::scored, E::attach, S::scored, "attach_documents"),
    same(S::scored, E::annotate, S::scored),

    same(S::recognized, E::forward, S::submitted, "advance_level"),
    same(S::recognized, E::attach, S::recognized, "attach_documents"),
    same(S::recognized, E::annotate, S::recognized),

    same(S::not_recognized, E::annotate, S::not_recognized),
    same(S::rejected, E::annotate, S::rejected),
    same(S::withdrawn, E::annotate, S::withdrawn),
};

const Expected* find_expected(State s, Event e) {
  for (const auto& x : kTable)
    if (x.from == s && x.event == e) return &x;
  return nullptr;
}

std::string names(const std::vector<Event>& events) {
  std::string s;
  for (Event e : events) s += (s.empty() ? "" : " ") + std::string(to_string(e));
  return s;
}

std::string name(State s) { return std::string(to_string(s)); }

struct Machine {
  std::unique_ptr<Lifecycle> lc = workflows::make_dossier_lifecycle();
};

}  // namespace

BOOST_AUTO_TEST_SUITE(dossier_machine)

BOOST_FIXTURE_TEST_CASE(expected_table_has_no_duplicates, Machine) {
  std::set<std::pair<int, int>> seen;
  for (const auto& x : kTable)
    BOOST_TEST(seen.insert({static_cast<int>(x.from), static_cast<int>(x.event)}).second);
  BOOST_TEST(kTable.size() == 58u);
}

// All 15 × 22 pairs, without and with a certificate, every other guard passing.
BOOST_FIXTURE_TEST_CASE(every_state_and_event_follows_the_table, Machine) {
  int accepted = 0;
  for (bool certified : {false, true}) {
    for (State s : kAllStates) {
      for (Event e : all_events()) {
        BOOST_TEST_CONTEXT(to_string(s) << " + " << to_string(e) << (certified ? " (certified)" : "")) {
          FakeContext ctx;
          ctx.answers["holds_certificate"] = certified;
          Transition t = lc->fire(s, e, ctx);
          const Expected* x = find_expected(s, e);
          if (x) {
            ++accepted;
            BOOST_TEST(t.accepted);
            BOOST_TEST(name(t.to) == name(certified ? x->to_certified : x->to));
            BOOST_TEST(t.guard_refusal == "");
            BOOST_TEST(ctx.action_list() == std::string(x->actions));
            BOOST_TEST(ctx.refusal() == "");  // no stale refusal from a competing row
          } else {
            BOOST_TEST(!t.accepted);
            BOOST_TEST(t.guard_refusal == "");
            BOOST_TEST(name(t.to) == "none");
            BOOST_TEST(ctx.calls() == 0u);  // neither a guard nor an action ran
          }
        }
      }
    }
  }
  BOOST_TEST(accepted == 2 * 58);
}

BOOST_FIXTURE_TEST_CASE(a_refused_event_clears_an_earlier_refusal, Machine) {
  FakeContext ctx;
  ctx.refuse("stale");
  Transition t = lc->fire(State::withdrawn, Event::attach, ctx);
  BOOST_TEST(!t.accepted);
  BOOST_TEST(t.guard_refusal == "");
  BOOST_TEST(ctx.refusal() == "");
}

// Each guard of each guarded row, failing alone: refused with that guard's reason, no action.
BOOST_FIXTURE_TEST_CASE(a_failing_guard_refuses_with_its_reason, Machine) {
  struct Case {
    State from;
    Event event;
    const char* guard;
  };
  const std::vector<Case> cases = {
      {S::none, E::register_, "registration_valid"},
      {S::none, E::register_, "documents_present"},
      {S::in_development, E::register_, "registration_valid"},
      {S::in_development, E::register_, "documents_present"},
      {S::under_review, E::assess, "at_screen_level"},
      {S::under_review, E::score, "at_council_level"},
      {S::under_review, E::close_scoring, "at_council_level"},
      {S::under_review, E::close_scoring, "quorum_met"},
      {S::under_review, E::forward, "at_screen_level"},
      {S::under_review, E::forward, "may_forward"},
      {S::under_review, E::forward, "documents_present"},
      {S::scored, E::forward, "may_forward"},
      {S::recognized, E::forward, "may_forward"},
      {S::scored, E::recognize, "may_recognize"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(to_string(c.from) << " + " << to_string(c.event) << " with " << c.guard << " false") {
      FakeContext ctx;
      ctx.answers[c.guard] = false;
      Transition t = lc->fire(c.from, c.event, ctx);
      BOOST_TEST(!t.accepted);
      BOOST_TEST(t.guard_refusal == std::string(c.guard) + " refused");
      BOOST_TEST(name(t.to) == "none");
      BOOST_TEST(ctx.action_list() == "");
    }
  }
}

BOOST_FIXTURE_TEST_CASE(guards_run_in_order_and_the_first_failure_decides, Machine) {
  FakeContext ctx;
  ctx.answers["registration_valid"] = false;
  ctx.answers["documents_present"] = false;
  Transition t = lc->fire(State::none, Event::register_, ctx);
  BOOST_TEST(t.guard_refusal == "registration_valid refused");
  BOOST_TEST(FakeContext::join(ctx.guards) == "registration_valid");

  FakeContext all;
  BOOST_TEST(lc->fire(State::under_review, Event::forward, all).accepted);
  BOOST_TEST(FakeContext::join(all.guards) == "at_screen_level may_forward documents_present");
  BOOST_TEST(all.action_list() == "advance_level");

  FakeContext close;
  close.answers["quorum_met"] = false;
  t = lc->fire(State::under_review, Event::close_scoring, close);
  BOOST_TEST(t.guard_refusal == "quorum_met refused");
  BOOST_TEST(FakeContext::join(close.guards) == "at_council_level quorum_met");
}

// not_recognize and the later withdraw rows choose their target by holds_certificate. The
// engine's holds_certificate may explain a false answer; that must not outlive the transition.
BOOST_FIXTURE_TEST_CASE(two_target_events_go_both_ways_without_stale_refusals, Machine) {
  struct Case {
    State from;
    Event event;
    State plain;
  };
  const std::vector<Case> cases = {{S::scored, E::not_recognize, S::not_recognized},
                                   {S::submitted, E::withdraw, S::withdrawn},
                                   {S::returned, E::withdraw, S::withdrawn},
                                   {S::under_review, E::withdraw, S::withdrawn},
                                   {S::scored, E::withdraw, S::withdrawn}};
  for (const auto& c : cases) {
    for (bool certified : {false, true}) {
      BOOST_TEST_CONTEXT(to_string(c.from) << " + " << to_string(c.event) << " certified=" << certified) {
        FakeContext ctx;
        ctx.answers["holds_certificate"] = certified;
        Transition t = lc->fire(c.from, c.event, ctx);
        BOOST_TEST(t.accepted);
        BOOST_TEST(name(t.to) == (certified ? "recognized" : name(c.plain)));
        BOOST_TEST(t.guard_refusal == "");
        BOOST_TEST(ctx.refusal() == "");
        BOOST_TEST(ctx.action_list() == "");
        // Only holds_certificate decides (called once per competing row at most).
        BOOST_TEST(!ctx.guards.empty());
        BOOST_TEST(ctx.guards.size() <= 2u);
        for (const auto& g : ctx.guards) BOOST_TEST(g == "holds_certificate");
      }
    }
  }
  // Withdrawing before the evaluation dossier never asks about certificates.
  FakeContext early;
  early.answers["holds_certificate"] = true;
  Transition t = lc->fire(State::plan_returned, Event::withdraw, early);
  BOOST_TEST(name(t.to) == "withdrawn");
  BOOST_TEST(early.calls() == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_guard_that_refuses_silently_still_gets_a_reason, Machine) {
  FakeContext ctx;
  ctx.explain = false;
  ctx.answers["at_council_level"] = false;
  Transition t = lc->fire(State::under_review, Event::score, ctx);
  BOOST_TEST(!t.accepted);
  BOOST_TEST(!t.guard_refusal.empty());  // empty would mean "the state does not allow it"
  BOOST_TEST(t.guard_refusal.find("score") != std::string::npos);
  BOOST_TEST(t.guard_refusal.find("under_review") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(exceptions_from_actions_leave_fire_unchanged, Machine) {
  FakeContext ctx;
  ctx.throw_in = "issue_certificate";
  BOOST_CHECK_THROW(lc->fire(State::scored, Event::recognize, ctx), std::runtime_error);
  BOOST_TEST(ctx.action_list() == "issue_certificate");

  // The second action of a sequence: the first has run, the exception still propagates.
  FakeContext reg;
  reg.throw_in = "attach_documents";
  BOOST_CHECK_THROW(lc->fire(State::none, Event::register_, reg), std::runtime_error);
  BOOST_TEST(reg.action_list() == "enter_first_level attach_documents");

  // Not derived from std::exception, from an internal transition (attach).
  FakeContext foreign;
  foreign.throw_foreign_in = "attach_documents";
  bool caught = false;
  try {
    lc->fire(State::submitted, Event::attach, foreign);
  } catch (const std::exception&) {
  } catch (...) {
    caught = true;
  }
  BOOST_TEST(caught);

  // The lifecycle is unaffected: nothing is shared between calls.
  FakeContext after;
  Transition t = lc->fire(State::scored, Event::recognize, after);
  BOOST_TEST(t.accepted);
  BOOST_TEST(name(t.to) == "recognized");
}

// fire() restores `from` by writing MSM's state id (no restore event, no entry action). A wrong
// mapping or a restore that did not take would leave the machine in `none`, where annotate does
// not exist: so every stored state must accept annotate, stay put, and call nothing at all.
BOOST_FIXTURE_TEST_CASE(restore_enters_every_state_without_running_anything, Machine) {
  for (State s : kAllStates) {
    BOOST_TEST_CONTEXT(to_string(s)) {
      FakeContext ctx;
      Transition t = lc->fire(s, Event::annotate, ctx);
      if (s == State::none) {
        BOOST_TEST(!t.accepted);
      } else {
        BOOST_TEST(t.accepted);
        BOOST_TEST(name(t.to) == name(s));
      }
      BOOST_TEST(ctx.calls() == 0u);
    }
  }
  // Self-transitions keep the state too, running only their own action.
  FakeContext ctx;
  Transition t = lc->fire(State::under_review, Event::assess, ctx);
  BOOST_TEST(name(t.to) == "under_review");
  BOOST_TEST(ctx.action_list() == "record_assessment");
}

BOOST_FIXTURE_TEST_CASE(allowed_lists_the_table_events_in_event_order, Machine) {
  BOOST_TEST(names(lc->allowed(State::none)) == "submit_idea register");
  BOOST_TEST(names(lc->allowed(State::idea_submitted)) ==
             "accept_idea return_idea reject withdraw attach annotate");
  BOOST_TEST(names(lc->allowed(State::under_review)) ==
             "assess score close_scoring forward withdraw attach annotate");
  BOOST_TEST(names(lc->allowed(State::scored)) == "forward recognize not_recognize withdraw attach annotate");
  BOOST_TEST(names(lc->allowed(State::recognized)) == "forward attach annotate");
  for (State s : {State::not_recognized, State::rejected, State::withdrawn})
    BOOST_TEST(names(lc->allowed(s)) == "annotate");

  // Every state against the expected table, and names.hpp's is_final against the machine.
  for (State s : kAllStates) {
    BOOST_TEST_CONTEXT(to_string(s)) {
      std::vector<Event> expected;
      for (Event e : all_events())
        if (find_expected(s, e)) expected.push_back(e);
      BOOST_TEST(names(lc->allowed(s)) == names(expected));
      BOOST_TEST(is_final(s) == (names(lc->allowed(s)) == "annotate"));
    }
  }
}

BOOST_FIXTURE_TEST_CASE(out_of_range_values_are_refused, Machine) {
  FakeContext ctx;
  Transition t = lc->fire(static_cast<State>(kStateCount), Event::annotate, ctx);
  BOOST_TEST(!t.accepted);
  BOOST_TEST(t.guard_refusal == "");
  t = lc->fire(State::scored, static_cast<Event>(kEventCount), ctx);
  BOOST_TEST(!t.accepted);
  BOOST_TEST(t.guard_refusal == "");
  BOOST_TEST(ctx.calls() == 0u);
  BOOST_TEST(lc->allowed(static_cast<State>(kStateCount)).empty());
}

// One Lifecycle shared by several threads, each with its own contexts.
BOOST_FIXTURE_TEST_CASE(fire_is_thread_safe, Machine) {
  constexpr int kThreads = 4;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int round = 0; round < 50; ++round)
        for (State s : kAllStates)
          for (Event e : all_events()) {
            FakeContext ctx;
            ctx.answers["holds_certificate"] = (round + i) % 2 == 0;
            Transition t = lc->fire(s, e, ctx);
            const Expected* x = find_expected(s, e);
            const State want = !x ? State::none : ctx.answers["holds_certificate"] ? x->to_certified : x->to;
            if (t.accepted != (x != nullptr) || t.to != want) ++mismatches[i];
          }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) BOOST_TEST(mismatches[i] == 0);
}

BOOST_AUTO_TEST_SUITE_END()
