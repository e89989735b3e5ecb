// The Boost.MSM inspection machine (workflows/inspection_machine.cpp) against spec §10.2's
// table, written here again as data: every state × event, the new inspection (nullopt)
// included, under every payload (each recorded result, valid or not, with and without cascade),
// allowed, refused without a row, or refused by a guard with a reason.
#include <boost/test/unit_test.hpp>

#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "inspection_machine.hpp"
#include "ocop/names.hpp"

using namespace ocop;
using IS = InspectionState;
using IE = InspectionEvent;

namespace {

using From = std::optional<IS>;  // nullopt: a new inspection

const std::vector<IS> kStates = {IS::planned, IS::compliant, IS::remedy_required,
                                 IS::overdue, IS::violation, IS::closed};
const std::vector<IE> kEvents = {IE::plan_inspection, IE::record_inspection, IE::confirm_remedy,
                                 IE::remedy_overdue, IE::close_inspection};

std::vector<From> sources() {
  std::vector<From> all = {std::nullopt};
  for (IS s : kStates) all.push_back(s);
  return all;
}

// Every state as a recorded result, and two values outside the enum.
std::vector<InspectionInput> inputs() {
  std::vector<InspectionInput> all;
  std::vector<IS> results = kStates;
  results.push_back(static_cast<IS>(kInspectionStateCount));
  results.push_back(static_cast<IS>(99));
  for (IS r : results)
    for (bool cascade : {false, true}) all.push_back({r, cascade});
  return all;
}

std::string name(From s) { return s ? std::string(to_string(*s)) : std::string("(new)"); }
std::string name(IS s) {
  return static_cast<int>(s) < kInspectionStateCount ? std::string(to_string(s))
                                                     : "#" + std::to_string(static_cast<int>(s));
}
std::string name(const InspectionInput& in) {
  return "{result " + name(in.result) + (in.cascade ? ", cascade}" : "}");
}

// Spec §10.2: the only transitions there are. result / cascade nullopt: any.
struct row {
  From from;
  IE event;
  std::optional<IS> result;
  std::optional<bool> cascade;
  IS to;
};
const std::vector<row> kTable = {
    {std::nullopt, IE::plan_inspection, std::nullopt, std::nullopt, IS::planned},
    {IS::planned, IE::record_inspection, IS::compliant, std::nullopt, IS::compliant},
    {IS::planned, IE::record_inspection, IS::remedy_required, std::nullopt, IS::remedy_required},
    {IS::planned, IE::record_inspection, IS::violation, std::nullopt, IS::violation},
    {IS::remedy_required, IE::confirm_remedy, std::nullopt, std::nullopt, IS::compliant},
    {IS::overdue, IE::confirm_remedy, std::nullopt, std::nullopt, IS::compliant},
    {IS::remedy_required, IE::remedy_overdue, std::nullopt, std::nullopt, IS::overdue},
    {IS::violation, IE::close_inspection, std::nullopt, std::nullopt, IS::closed},
    {IS::overdue, IE::close_inspection, std::nullopt, std::nullopt, IS::closed},
    // only as the cascade of the certificate's revocation or expiry
    {IS::planned, IE::close_inspection, std::nullopt, true, IS::closed},
    {IS::remedy_required, IE::close_inspection, std::nullopt, true, IS::closed},
};

bool has_row(From s, IE e) {
  for (const row& r : kTable)
    if (r.from == s && r.event == e) return true;
  return false;
}

std::vector<const row*> matching(From s, IE e, const InspectionInput& in) {
  std::vector<const row*> found;
  for (const row& r : kTable)
    if (r.from == s && r.event == e && (!r.result || *r.result == in.result) &&
        (!r.cascade || *r.cascade == in.cascade))
      found.push_back(&r);
  return found;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(inspection_machine)

BOOST_AUTO_TEST_CASE(every_state_event_and_payload_is_allowed_or_refused_as_the_spec_says) {
  auto m = workflows::make_inspection_lifecycle();
  int accepted = 0, no_row = 0, guarded = 0;
  for (From s : sources()) {
    for (IE e : kEvents) {
      for (const InspectionInput& in : inputs()) {
        std::ostringstream what;
        what << to_string(e) << " " << name(in) << " in " << name(s);
        const auto t = m->fire(s, e, in);
        const auto rows = matching(s, e, in);
        BOOST_REQUIRE(rows.size() <= 1u);  // the expected table itself is unambiguous
        if (rows.size() == 1) {
          BOOST_TEST(t.accepted, what.str() << " is allowed");
          BOOST_TEST((t.to == rows[0]->to),
                     what.str() << " goes to " << name(rows[0]->to) << ", not " << name(t.to));
          BOOST_TEST(t.guard_refusal.empty(), what.str() << ": " << t.guard_refusal);
          ++accepted;
        } else if (has_row(s, e)) {
          BOOST_TEST(!t.accepted, what.str() << " is refused by a guard");
          BOOST_TEST(!t.guard_refusal.empty(), what.str() << " says why");
          ++guarded;
        } else {
          BOOST_TEST(!t.accepted, what.str() << " is refused");
          BOOST_TEST(t.guard_refusal.empty(), what.str() << " has no row: " << t.guard_refusal);
          ++no_row;
        }
      }
    }
  }
  // 16 payloads: 8 results (6 states, 2 outside the enum) × cascade or not.
  BOOST_TEST(accepted == 16 + 3 * 2 + 2 * 16 + 16 + 2 * 16 + 2 * 8);
  BOOST_TEST(guarded == 5 * 2 + 2 * 8);
  BOOST_TEST(accepted + guarded + no_row == 7 * 5 * 16);
}

BOOST_AUTO_TEST_CASE(record_inspection_takes_one_of_three_results) {
  auto m = workflows::make_inspection_lifecycle();
  for (IS r : {IS::compliant, IS::remedy_required, IS::violation}) {
    const auto t = m->fire(IS::planned, IE::record_inspection, {r, false});
    BOOST_TEST(t.accepted);
    BOOST_TEST((t.to == r), name(r));
  }
  for (IS r :
       {IS::planned, IS::overdue, IS::closed, static_cast<IS>(kInspectionStateCount), static_cast<IS>(255)}) {
    const auto t = m->fire(IS::planned, IE::record_inspection, {r, false});
    BOOST_TEST(!t.accepted, name(r));
    BOOST_TEST(t.guard_refusal.find("compliant, remedy_required or violation") != std::string::npos,
               t.guard_refusal);
  }
  // Recorded once: from any other state there is no row, whatever the result.
  for (IS s : kStates)
    if (s != IS::planned) {
      const auto t = m->fire(s, IE::record_inspection, {IS::compliant, false});
      BOOST_TEST(!t.accepted, name(s));
      BOOST_TEST(t.guard_refusal.empty(), name(s));
    }
}

BOOST_AUTO_TEST_CASE(close_inspection_of_a_planned_or_remedy_required_one_is_only_a_cascade) {
  auto m = workflows::make_inspection_lifecycle();
  auto planned = m->fire(IS::planned, IE::close_inspection, {IS::compliant, false});
  BOOST_TEST(!planned.accepted);
  BOOST_TEST(planned.guard_refusal.find("revoked or expires") != std::string::npos, planned.guard_refusal);
  BOOST_TEST(planned.guard_refusal.find("record the inspection first") != std::string::npos,
             planned.guard_refusal);
  auto remedy = m->fire(IS::remedy_required, IE::close_inspection, {IS::compliant, false});
  BOOST_TEST(!remedy.accepted);
  BOOST_TEST(remedy.guard_refusal.find("revoked or expires") != std::string::npos, remedy.guard_refusal);
  BOOST_TEST(remedy.guard_refusal.find("confirm the remedy") != std::string::npos, remedy.guard_refusal);
  // The cascade closes every open inspection; a closed or compliant one has no row.
  for (IS s : kStates) {
    const auto t = m->fire(s, IE::close_inspection, {IS::compliant, true});
    BOOST_TEST(t.accepted == is_open(s), name(s));
    if (t.accepted) BOOST_TEST((t.to == IS::closed));
  }
}

BOOST_AUTO_TEST_CASE(a_new_inspection_is_only_planned_and_a_stored_one_is_restored) {
  // `fresh`, the machine's initial state, is the new inspection: a restore that failed would
  // leave the machine there and let plan_inspection through.
  auto m = workflows::make_inspection_lifecycle();
  BOOST_TEST((m->allowed(std::nullopt) == std::vector<IE>{IE::plan_inspection}));
  for (IS s : kStates) BOOST_TEST(!m->fire(s, IE::plan_inspection, {}).accepted, name(s));
  BOOST_TEST(!m->fire(std::nullopt, IE::close_inspection, {IS::compliant, true}).accepted);
}

BOOST_AUTO_TEST_CASE(allowed_lists_every_row_whatever_its_guard_in_event_order) {
  auto m = workflows::make_inspection_lifecycle();
  for (From s : sources()) {
    std::vector<IE> expected;
    for (IE e : kEvents)
      if (has_row(s, e)) expected.push_back(e);
    BOOST_TEST((m->allowed(s) == expected), name(s));
  }
  BOOST_TEST((m->allowed(IS::planned) == std::vector<IE>{IE::record_inspection, IE::close_inspection}));
  BOOST_TEST(m->allowed(IS::closed).empty());
  BOOST_TEST(m->allowed(IS::compliant).empty());
}

BOOST_AUTO_TEST_CASE(values_outside_the_enums_are_refused) {
  auto m = workflows::make_inspection_lifecycle();
  for (int bad : {kInspectionStateCount, 99, 255}) {
    BOOST_TEST(!m->fire(static_cast<IS>(bad), IE::close_inspection, {IS::compliant, true}).accepted);
    BOOST_TEST(m->allowed(static_cast<IS>(bad)).empty());
  }
  for (int bad : {kInspectionEventCount, 99, 255}) {
    BOOST_TEST(!m->fire(IS::violation, static_cast<IE>(bad), {IS::compliant, true}).accepted);
    BOOST_TEST(!m->fire(std::nullopt, static_cast<IE>(bad), {}).accepted);
  }
}

BOOST_AUTO_TEST_CASE(names_are_those_of_the_spec_and_round_trip) {
  const std::vector<std::string> states = {"planned", "compliant", "remedy_required",
                                           "overdue", "violation", "closed"};
  const std::vector<std::string> events = {"plan_inspection", "record_inspection", "confirm_remedy",
                                           "remedy_overdue", "close_inspection"};
  BOOST_TEST(states.size() == std::size_t(kInspectionStateCount));
  BOOST_TEST(events.size() == std::size_t(kInspectionEventCount));
  for (int i = 0; i < kInspectionStateCount; ++i) {
    BOOST_TEST(std::string(to_string(static_cast<IS>(i))) == states[i]);
    BOOST_TEST((parse_inspection_state(states[i]) == static_cast<IS>(i)));
  }
  for (int i = 0; i < kInspectionEventCount; ++i) {
    BOOST_TEST(std::string(to_string(static_cast<IE>(i))) == events[i]);
    BOOST_TEST((parse_inspection_event(events[i]) == static_cast<IE>(i)));
  }
  BOOST_TEST(!parse_inspection_state("fresh"));
  BOOST_TEST(!parse_inspection_state("remedy"));
  BOOST_TEST(!parse_inspection_event("revoke"));  // the certificate's
  BOOST_TEST(!parse_inspection_event("plan_activity"));
}

BOOST_AUTO_TEST_CASE(event_bits_are_the_inspections_own_and_named) {
  EventMask others = 0;
  for (int i = 0; i < kEventCount; ++i) others |= event_bit(static_cast<Event>(i));
  for (int i = 0; i < kCertificateEventCount; ++i)
    others |= certificate_event_bit(static_cast<CertificateEvent>(i));
  for (int i = 0; i < kActivityEventCount; ++i) others |= activity_event_bit(static_cast<ActivityEvent>(i));
  for (int i = 0; i < kParticipationEventCount; ++i)
    others |= participation_event_bit(static_cast<ParticipationEvent>(i));
  EventMask mine = 0;
  for (IE e : kEvents) {
    const EventMask bit = inspection_event_bit(e);
    BOOST_TEST((bit != 0 && (bit & (bit - 1)) == 0), to_string(e) << " has one bit");
    BOOST_TEST((bit & others) == 0u, to_string(e));
    BOOST_TEST((bit & mine) == 0u, to_string(e));
    mine |= bit;
    BOOST_TEST(event_bit_by_name(to_string(e)) == bit, to_string(e) << " may be listed by a role");
  }
}

BOOST_AUTO_TEST_CASE(one_machine_serves_many_threads) {
  auto m = workflows::make_inspection_lifecycle();
  const auto all = sources();
  const auto payloads = inputs();
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i)
        for (From s : all)
          for (IE e : kEvents)
            for (const InspectionInput& in : payloads) {
              const auto r = m->fire(s, e, in);
              if (r.accepted != (matching(s, e, in).size() == 1)) ++wrong[t];
              if (!r.accepted && r.guard_refusal.empty() == has_row(s, e)) ++wrong[t];
            }
    });
  for (auto& th : threads) th.join();
  for (int w : wrong) BOOST_TEST(w == 0);
}

BOOST_AUTO_TEST_SUITE_END()
