// The Boost.MSM certificate machine (workflows/certificate_machine.cpp) against spec §3's table,
// written here again as data: every state × event, allowed and refused.
#include <boost/test/unit_test.hpp>

#include <map>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "certificate_machine.hpp"
#include "ocop/names.hpp"

using namespace ocop;
using CS = CertificateState;
using CE = CertificateEvent;

namespace {

const std::vector<CS> kStates = {CS::active, CS::expiring, CS::expired, CS::revoked, CS::superseded};
const std::vector<CE> kEvents = {CE::notice, CE::expire, CE::revoke, CE::supersede};

// Spec §3: the only transitions there are.
const std::map<std::pair<CS, CE>, CS> kTable = {
    {{CS::active, CE::notice}, CS::expiring},        {{CS::active, CE::expire}, CS::expired},
    {{CS::expiring, CE::expire}, CS::expired},       {{CS::active, CE::revoke}, CS::revoked},
    {{CS::expiring, CE::revoke}, CS::revoked},       {{CS::active, CE::supersede}, CS::superseded},
    {{CS::expiring, CE::supersede}, CS::superseded},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(certificate_machine)

BOOST_AUTO_TEST_CASE(every_state_and_event_is_allowed_or_refused_as_the_spec_says) {
  auto m = workflows::make_certificate_lifecycle();
  int accepted = 0, refused = 0;
  for (CS s : kStates) {
    for (CE e : kEvents) {
      auto t = m->fire(s, e);
      auto it = kTable.find({s, e});
      if (it != kTable.end()) {
        BOOST_TEST(t.accepted, to_string(e) << " in " << to_string(s) << " is allowed");
        BOOST_TEST((t.to == it->second), to_string(e)
                                             << " in " << to_string(s) << " goes to " << to_string(it->second)
                                             << ", not " << to_string(t.to));
        ++accepted;
      } else {
        BOOST_TEST(!t.accepted, to_string(e) << " in " << to_string(s) << " is refused");
        ++refused;
      }
    }
  }
  BOOST_TEST(accepted == 7);
  BOOST_TEST(refused == 13);
}

BOOST_AUTO_TEST_CASE(final_states_refuse_everything) {
  auto m = workflows::make_certificate_lifecycle();
  for (CS s : kStates) {
    BOOST_TEST(is_final(s) == (s == CS::expired || s == CS::revoked || s == CS::superseded));
    BOOST_TEST(in_force(s) == !is_final(s));
    if (!is_final(s)) continue;
    BOOST_TEST(m->allowed(s).empty(), to_string(s) << " allows nothing");
    for (CE e : kEvents) BOOST_TEST(!m->fire(s, e).accepted);
  }
}

BOOST_AUTO_TEST_CASE(allowed_lists_the_table_in_event_order) {
  auto m = workflows::make_certificate_lifecycle();
  BOOST_TEST((m->allowed(CS::active) == std::vector<CE>{CE::notice, CE::expire, CE::revoke, CE::supersede}));
  BOOST_TEST((m->allowed(CS::expiring) == std::vector<CE>{CE::expire, CE::revoke, CE::supersede}));
}

BOOST_AUTO_TEST_CASE(every_state_is_restored_and_not_reset_to_the_initial_one) {
  // `active` is the machine's initial state: a restore that failed would leave it there and
  // let `notice` through. From `expiring`, `notice` must be refused and `expire` reach expired.
  auto m = workflows::make_certificate_lifecycle();
  BOOST_TEST(!m->fire(CS::expiring, CE::notice).accepted);
  BOOST_TEST((m->fire(CS::expiring, CE::expire).to == CS::expired));
  for (CS s : kStates) {
    std::set<CE> allowed;
    for (CE e : m->allowed(s)) allowed.insert(e);
    for (CE e : kEvents) BOOST_TEST(allowed.count(e) == kTable.count({s, e}));
  }
}

BOOST_AUTO_TEST_CASE(values_outside_the_enums_are_refused) {
  auto m = workflows::make_certificate_lifecycle();
  BOOST_TEST(!m->fire(static_cast<CS>(kCertificateStateCount), CE::revoke).accepted);
  BOOST_TEST(!m->fire(CS::active, static_cast<CE>(kCertificateEventCount)).accepted);
  BOOST_TEST(m->allowed(static_cast<CS>(99)).empty());
}

BOOST_AUTO_TEST_CASE(names_are_stable_and_round_trip) {
  const std::vector<std::string> states = {"active", "expiring", "expired", "revoked", "superseded"};
  const std::vector<std::string> events = {"notice", "expire", "revoke", "supersede"};
  for (int i = 0; i < kCertificateStateCount; ++i) {
    BOOST_TEST(std::string(to_string(static_cast<CS>(i))) == states[i]);
    BOOST_TEST((parse_certificate_state(states[i]) == static_cast<CS>(i)));
  }
  for (int i = 0; i < kCertificateEventCount; ++i) {
    BOOST_TEST(std::string(to_string(static_cast<CE>(i))) == events[i]);
    BOOST_TEST((parse_certificate_event(events[i]) == static_cast<CE>(i)));
  }
  BOOST_TEST(!parse_certificate_state("valid"));
  BOOST_TEST(!parse_certificate_event("recognize"));
  // Role masks: certificate events take bits of their own, clear of every dossier event's.
  EventMask dossier_events = 0;
  for (int i = 0; i < kEventCount; ++i) dossier_events |= event_bit(static_cast<Event>(i));
  for (CE e : kEvents) BOOST_TEST((certificate_event_bit(e) & dossier_events) == 0u);
}

BOOST_AUTO_TEST_CASE(one_machine_serves_many_threads) {
  auto m = workflows::make_certificate_lifecycle();
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i)
        for (CS s : kStates)
          for (CE e : kEvents)
            if (m->fire(s, e).accepted != (kTable.count({s, e}) == 1)) ++wrong[t];
    });
  for (auto& th : threads) th.join();
  for (int w : wrong) BOOST_TEST(w == 0);
}

BOOST_AUTO_TEST_SUITE_END()
