// The Boost.MSM activity machine (workflows/activity_machine.cpp) against spec §10.1's table,
// written here again as data: every state × event, the new activity (nullopt) included,
// allowed and refused.
#include <boost/test/unit_test.hpp>

#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "activity_machine.hpp"
#include "ocop/names.hpp"

using namespace ocop;
using AS = ActivityState;
using AE = ActivityEvent;

namespace {

using From = std::optional<AS>;  // nullopt: a new activity

const std::vector<AS> kStates = {AS::planned,  AS::registration_open, AS::registration_closed,
                                 AS::running,  AS::finished,          AS::closed,
                                 AS::cancelled};
const std::vector<AE> kEvents = {AE::plan_activity,  AE::open_registration, AE::close_registration,
                                 AE::start_activity, AE::finish_activity,   AE::close_activity,
                                 AE::cancel_activity};

std::vector<From> sources() {
  std::vector<From> all = {std::nullopt};
  for (AS s : kStates) all.push_back(s);
  return all;
}

std::string name(From s) { return s ? std::string(to_string(*s)) : std::string("(new)"); }

// Spec §10.1: the only transitions there are.
const std::map<std::pair<From, AE>, AS> kTable = {
    {{std::nullopt, AE::plan_activity}, AS::planned},
    {{AS::planned, AE::open_registration}, AS::registration_open},
    {{AS::registration_open, AE::close_registration}, AS::registration_closed},
    {{AS::registration_closed, AE::start_activity}, AS::running},
    {{AS::running, AE::finish_activity}, AS::finished},
    {{AS::finished, AE::close_activity}, AS::closed},
    {{AS::planned, AE::cancel_activity}, AS::cancelled},
    {{AS::registration_open, AE::cancel_activity}, AS::cancelled},
    {{AS::registration_closed, AE::cancel_activity}, AS::cancelled},
    {{AS::running, AE::cancel_activity}, AS::cancelled},
    {{AS::finished, AE::cancel_activity}, AS::cancelled},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(activity_machine)

BOOST_AUTO_TEST_CASE(every_state_and_event_is_allowed_or_refused_as_the_spec_says) {
  auto m = workflows::make_activity_lifecycle();
  int accepted = 0, refused = 0;
  for (From s : sources()) {
    for (AE e : kEvents) {
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
  BOOST_TEST(accepted == 11);
  BOOST_TEST(refused == 8 * 7 - 11);
}

BOOST_AUTO_TEST_CASE(a_new_activity_is_only_planned_and_a_stored_one_is_restored) {
  // `fresh`, the machine's initial state, is the new activity: a restore that failed would leave
  // the machine there and let plan_activity through.
  auto m = workflows::make_activity_lifecycle();
  BOOST_TEST((m->allowed(std::nullopt) == std::vector<AE>{AE::plan_activity}));
  for (AS s : kStates) BOOST_TEST(!m->fire(s, AE::plan_activity).accepted, to_string(s));
  BOOST_TEST(!m->fire(std::nullopt, AE::cancel_activity).accepted);
}

BOOST_AUTO_TEST_CASE(allowed_lists_the_table_in_event_order) {
  auto m = workflows::make_activity_lifecycle();
  for (From s : sources()) {
    std::vector<AE> expected;
    for (AE e : kEvents)
      if (kTable.count({s, e})) expected.push_back(e);
    BOOST_TEST((m->allowed(s) == expected), name(s));
  }
  BOOST_TEST(
      (m->allowed(AS::registration_open) == std::vector<AE>{AE::close_registration, AE::cancel_activity}));
  BOOST_TEST(m->allowed(AS::closed).empty());
  BOOST_TEST(m->allowed(AS::cancelled).empty());
}

BOOST_AUTO_TEST_CASE(values_outside_the_enums_are_refused) {
  auto m = workflows::make_activity_lifecycle();
  for (int bad : {kActivityStateCount, 99, 255}) {
    BOOST_TEST(!m->fire(static_cast<AS>(bad), AE::cancel_activity).accepted);
    BOOST_TEST(m->allowed(static_cast<AS>(bad)).empty());
  }
  for (int bad : {kActivityEventCount, 99, 255}) {
    BOOST_TEST(!m->fire(AS::planned, static_cast<AE>(bad)).accepted);
    BOOST_TEST(!m->fire(std::nullopt, static_cast<AE>(bad)).accepted);
  }
}

BOOST_AUTO_TEST_CASE(names_are_those_of_the_spec_and_round_trip) {
  const std::vector<std::string> states = {
      "planned", "registration_open", "registration_closed", "running", "finished", "closed", "cancelled"};
  const std::vector<std::string> events = {"plan_activity",  "open_registration", "close_registration",
                                           "start_activity", "finish_activity",   "close_activity",
                                           "cancel_activity"};
  BOOST_TEST(states.size() == std::size_t(kActivityStateCount));
  BOOST_TEST(events.size() == std::size_t(kActivityEventCount));
  for (int i = 0; i < kActivityStateCount; ++i) {
    BOOST_TEST(std::string(to_string(static_cast<AS>(i))) == states[i]);
    BOOST_TEST((parse_activity_state(states[i]) == static_cast<AS>(i)));
  }
  for (int i = 0; i < kActivityEventCount; ++i) {
    BOOST_TEST(std::string(to_string(static_cast<AE>(i))) == events[i]);
    BOOST_TEST((parse_activity_event(events[i]) == static_cast<AE>(i)));
  }
  BOOST_TEST(!parse_activity_state("open"));
  BOOST_TEST(!parse_activity_state("fresh"));
  BOOST_TEST(!parse_activity_state(""));
  BOOST_TEST(!parse_activity_event("apply"));  // the participation's
  BOOST_TEST(!parse_activity_event("cancel"));
}

BOOST_AUTO_TEST_CASE(event_bits_are_the_activitys_own_and_named) {
  // Every other machine's events, for role masks: the activity's bits must be clear of them.
  EventMask others = 0;
  for (int i = 0; i < kEventCount; ++i) others |= event_bit(static_cast<Event>(i));
  for (int i = 0; i < kCertificateEventCount; ++i)
    others |= certificate_event_bit(static_cast<CertificateEvent>(i));
  for (int i = 0; i < kParticipationEventCount; ++i)
    others |= participation_event_bit(static_cast<ParticipationEvent>(i));
  for (int i = 0; i < kInspectionEventCount; ++i)
    others |= inspection_event_bit(static_cast<InspectionEvent>(i));
  EventMask mine = 0;
  for (AE e : kEvents) {
    const EventMask bit = activity_event_bit(e);
    BOOST_TEST((bit != 0 && (bit & (bit - 1)) == 0), to_string(e) << " has one bit");
    BOOST_TEST((bit & others) == 0u, to_string(e));
    BOOST_TEST((bit & mine) == 0u, to_string(e));
    mine |= bit;
    BOOST_TEST(event_bit_by_name(to_string(e)) == bit, to_string(e) << " may be listed by a role");
  }
}

BOOST_AUTO_TEST_CASE(one_machine_serves_many_threads) {
  auto m = workflows::make_activity_lifecycle();
  const auto all = sources();
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i)
        for (From s : all)
          for (AE e : kEvents)
            if (m->fire(s, e).accepted != (kTable.count({s, e}) == 1)) ++wrong[t];
    });
  for (auto& th : threads) th.join();
  for (int w : wrong) BOOST_TEST(w == 0);
}

BOOST_AUTO_TEST_SUITE_END()
