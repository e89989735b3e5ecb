// The Boost.MSM participation machine (workflows/participation_machine.cpp) against spec §10.1's
// table, written here again as data: every state × event, the new participation (nullopt)
// included, allowed and refused. Also the role-permission bits of every machine's events.
#include <boost/test/unit_test.hpp>

#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ocop/names.hpp"
#include "participation_machine.hpp"

using namespace ocop;
using PS = ParticipationState;
using PE = ParticipationEvent;

namespace {

using From = std::optional<PS>;  // nullopt: a new participation

const std::vector<PS> kStates = {PS::applied,   PS::waitlisted, PS::selected, PS::declined,
                                 PS::withdrawn, PS::cancelled,  PS::reported, PS::no_show};
const std::vector<PE> kEvents = {PE::apply,
                                 PE::select,
                                 PE::waitlist,
                                 PE::decline,
                                 PE::withdraw_application,
                                 PE::report_outcome,
                                 PE::mark_no_show,
                                 PE::cancel_participation};

std::vector<From> sources() {
  std::vector<From> all = {std::nullopt};
  for (PS s : kStates) all.push_back(s);
  return all;
}

std::string name(From s) { return s ? std::string(to_string(*s)) : std::string("(new)"); }

// Spec §10.1: the only transitions there are. "Open" is applied, waitlisted or selected.
const std::map<std::pair<From, PE>, PS> kTable = {
    {{std::nullopt, PE::apply}, PS::applied},
    {{PS::applied, PE::select}, PS::selected},
    {{PS::waitlisted, PE::select}, PS::selected},
    {{PS::applied, PE::waitlist}, PS::waitlisted},
    {{PS::applied, PE::decline}, PS::declined},
    {{PS::waitlisted, PE::decline}, PS::declined},
    {{PS::applied, PE::withdraw_application}, PS::withdrawn},
    {{PS::waitlisted, PE::withdraw_application}, PS::withdrawn},
    {{PS::selected, PE::withdraw_application}, PS::withdrawn},
    {{PS::selected, PE::report_outcome}, PS::reported},
    {{PS::selected, PE::mark_no_show}, PS::no_show},
    {{PS::applied, PE::cancel_participation}, PS::cancelled},
    {{PS::waitlisted, PE::cancel_participation}, PS::cancelled},
    {{PS::selected, PE::cancel_participation}, PS::cancelled},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(participation_machine)

BOOST_AUTO_TEST_CASE(every_state_and_event_is_allowed_or_refused_as_the_spec_says) {
  auto m = workflows::make_participation_lifecycle();
  int accepted = 0, refused = 0;
  for (From s : sources()) {
    for (PE e : kEvents) {
      auto t = m->fire(s, e);
      auto it = kTable.find({s, e});
      if (it != kTable.end()) {
        BOOST_TEST(t.accepted, to_string(e) << " in " << name(s) << " is allowed");
        BOOST_TEST((t.to == it->second), to_string(e)
                                             << " in " << name(s) << " goes to " << to_string(it->second)
                                             << ", not " << to_string(t.to));
        ++accepted;
      } else {
        BOOST_TEST(!t.accepted, to_string(e) << " in " << name(s) << " is refused");
      }
      // No guards: a refusal is always "no row", without a reason.
      BOOST_TEST(t.guard_refusal.empty(), to_string(e) << " in " << name(s) << ": " << t.guard_refusal);
      if (!t.accepted) ++refused;
    }
  }
  BOOST_TEST(accepted == 14);
  BOOST_TEST(refused == 9 * 8 - 14);
}

BOOST_AUTO_TEST_CASE(open_states_are_the_ones_that_withdraw_and_cancel) {
  // The machine itself accepts cancel_participation (the executor refuses firing it directly).
  auto m = workflows::make_participation_lifecycle();
  for (PS s : kStates) {
    BOOST_TEST(m->fire(s, PE::cancel_participation).accepted == is_open(s), to_string(s));
    BOOST_TEST(m->fire(s, PE::withdraw_application).accepted == is_open(s), to_string(s));
    if (!is_open(s)) BOOST_TEST(m->allowed(s).empty(), to_string(s) << " is final");
  }
}

BOOST_AUTO_TEST_CASE(a_new_participation_only_applies_and_a_stored_one_is_restored) {
  // `fresh`, the machine's initial state, is the new participation: a restore that failed would
  // leave the machine there and let apply through.
  auto m = workflows::make_participation_lifecycle();
  BOOST_TEST((m->allowed(std::nullopt) == std::vector<PE>{PE::apply}));
  for (PS s : kStates) BOOST_TEST(!m->fire(s, PE::apply).accepted, to_string(s));
  BOOST_TEST(!m->fire(std::nullopt, PE::cancel_participation).accepted);
}

BOOST_AUTO_TEST_CASE(allowed_lists_the_table_in_event_order) {
  auto m = workflows::make_participation_lifecycle();
  for (From s : sources()) {
    std::vector<PE> expected;
    for (PE e : kEvents)
      if (kTable.count({s, e})) expected.push_back(e);
    BOOST_TEST((m->allowed(s) == expected), name(s));
  }
  BOOST_TEST((m->allowed(PS::selected) == std::vector<PE>{PE::withdraw_application, PE::report_outcome,
                                                          PE::mark_no_show, PE::cancel_participation}));
}

BOOST_AUTO_TEST_CASE(values_outside_the_enums_are_refused) {
  auto m = workflows::make_participation_lifecycle();
  for (int bad : {kParticipationStateCount, 99, 255}) {
    BOOST_TEST(!m->fire(static_cast<PS>(bad), PE::cancel_participation).accepted);
    BOOST_TEST(m->allowed(static_cast<PS>(bad)).empty());
  }
  for (int bad : {kParticipationEventCount, 99, 255}) {
    BOOST_TEST(!m->fire(PS::applied, static_cast<PE>(bad)).accepted);
    BOOST_TEST(!m->fire(std::nullopt, static_cast<PE>(bad)).accepted);
  }
}

BOOST_AUTO_TEST_CASE(names_are_those_of_the_spec_and_round_trip) {
  const std::vector<std::string> states = {"applied",   "waitlisted", "selected", "declined",
                                           "withdrawn", "cancelled",  "reported", "no_show"};
  const std::vector<std::string> events = {"apply",
                                           "select",
                                           "waitlist",
                                           "decline",
                                           "withdraw_application",
                                           "report_outcome",
                                           "mark_no_show",
                                           "cancel_participation"};
  BOOST_TEST(states.size() == std::size_t(kParticipationStateCount));
  BOOST_TEST(events.size() == std::size_t(kParticipationEventCount));
  for (int i = 0; i < kParticipationStateCount; ++i) {
    BOOST_TEST(std::string(to_string(static_cast<PS>(i))) == states[i]);
    BOOST_TEST((parse_participation_state(states[i]) == static_cast<PS>(i)));
  }
  for (int i = 0; i < kParticipationEventCount; ++i) {
    BOOST_TEST(std::string(to_string(static_cast<PE>(i))) == events[i]);
    BOOST_TEST((parse_participation_event(events[i]) == static_cast<PE>(i)));
  }
  BOOST_TEST(!parse_participation_state("open"));
  BOOST_TEST(!parse_participation_state("fresh"));
  BOOST_TEST(!parse_participation_event("withdraw"));  // the dossier's
  BOOST_TEST(!parse_participation_event("plan_activity"));
}

BOOST_AUTO_TEST_CASE(every_machines_event_bits_are_distinct_and_named) {
  // Every event of every machine, with its role-permission bit and name.
  struct named_bit {
    std::string name;
    EventMask bit;
  };
  std::vector<named_bit> all;
  for (int i = 0; i < kEventCount; ++i)
    all.push_back({std::string(to_string(static_cast<Event>(i))), event_bit(static_cast<Event>(i))});
  for (int i = 0; i < kCertificateEventCount; ++i) {
    const auto e = static_cast<CertificateEvent>(i);
    all.push_back({std::string(to_string(e)), certificate_event_bit(e)});
  }
  for (int i = 0; i < kActivityEventCount; ++i) {
    const auto e = static_cast<ActivityEvent>(i);
    all.push_back({std::string(to_string(e)), activity_event_bit(e)});
  }
  for (int i = 0; i < kParticipationEventCount; ++i) {
    const auto e = static_cast<PE>(i);
    all.push_back({std::string(to_string(e)), participation_event_bit(e)});
  }
  for (int i = 0; i < kInspectionEventCount; ++i) {
    const auto e = static_cast<InspectionEvent>(i);
    all.push_back({std::string(to_string(e)), inspection_event_bit(e)});
  }
  BOOST_TEST(all.size() == std::size_t(kEventCount + kCertificateEventCount + kActivityEventCount +
                                       kParticipationEventCount + kInspectionEventCount));
  BOOST_TEST(all.size() <= 64u);
  EventMask seen = 0;
  std::map<std::string, int> names;
  for (const auto& [n, bit] : all) {
    BOOST_TEST((bit != 0 && (bit & (bit - 1)) == 0), n << " has one bit of the 64");
    BOOST_TEST((bit & seen) == 0u, n << "'s bit is its own");
    seen |= bit;
    BOOST_TEST(++names[n] == 1, n << " names one event of one machine");
    if (n == "supersede" || n == "cancel_participation")
      BOOST_TEST(event_bit_by_name(n) == 0u, n << " is never fired directly: no role lists it");
    else
      BOOST_TEST(event_bit_by_name(n) == bit, n << " may be listed by a role");
  }
  BOOST_TEST(event_bit_by_name("bogus") == 0u);
  BOOST_TEST(event_bit_by_name("") == 0u);
  BOOST_TEST(event_bit_by_name("applied") == 0u);  // a state, not an event
}

BOOST_AUTO_TEST_CASE(one_machine_serves_many_threads) {
  auto m = workflows::make_participation_lifecycle();
  const auto all = sources();
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i)
        for (From s : all)
          for (PE e : kEvents)
            if (m->fire(s, e).accepted != (kTable.count({s, e}) == 1)) ++wrong[t];
    });
  for (auto& th : threads) th.join();
  for (int w : wrong) BOOST_TEST(w == 0);
}

BOOST_AUTO_TEST_SUITE_END()
