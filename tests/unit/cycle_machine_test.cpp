// The Boost.MSM cycle machine (workflows/cycle_machine.cpp): every state × event.
#include <boost/test/unit_test.hpp>

#include <map>
#include <utility>

#include "cycle_machine.hpp"

using namespace ocop;

BOOST_AUTO_TEST_SUITE(cycle_machine)

BOOST_AUTO_TEST_CASE(every_state_and_event) {
  auto m = workflows::make_cycle_lifecycle();
  const std::map<std::pair<CycleState, CycleEvent>, CycleState> table = {
      {{CycleState::planned, CycleEvent::open}, CycleState::open},
      {{CycleState::open, CycleEvent::close}, CycleState::closed},
  };
  for (auto s : {CycleState::planned, CycleState::open, CycleState::closed})
    for (auto e : {CycleEvent::open, CycleEvent::close}) {
      CycleTransition t = m->fire(s, e);
      auto it = table.find({s, e});
      BOOST_TEST_CONTEXT(to_string(s) << " × " << to_string(e)) {
        BOOST_TEST(t.accepted == (it != table.end()));
        if (it != table.end()) BOOST_TEST(static_cast<int>(t.to) == static_cast<int>(it->second));
      }
    }
  BOOST_TEST(m->allowed(CycleState::closed).empty());
  BOOST_TEST(m->allowed(CycleState::planned).size() == 1u);
  BOOST_TEST(!m->fire(static_cast<CycleState>(7), CycleEvent::open).accepted);
}

BOOST_AUTO_TEST_CASE(state_names_are_stable) {
  BOOST_TEST(to_string(CycleState::planned) == "planned");
  BOOST_TEST(to_string(CycleState::open) == "open");
  BOOST_TEST(to_string(CycleState::closed) == "closed");
  BOOST_TEST(static_cast<int>(*parse_cycle_state("closed")) == static_cast<int>(CycleState::closed));
  BOOST_TEST(!parse_cycle_state("finished"));
}

BOOST_AUTO_TEST_SUITE_END()
