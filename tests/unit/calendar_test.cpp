// Working-day arithmetic (engine/ocop/calendar.hpp) on the sample's 2026 calendar: weekends,
// Tết Bính Ngọ (16-20/02), the New Year swap (02/01 off, Saturday 10/01 worked).
#include <boost/test/unit_test.hpp>

#include "config/yaml_config.hpp"
#include "ocop/calendar.hpp"

using namespace ocop;

namespace {
Date d(const char* s) { return *parse_date(s); }

const Calendar& sample() {
  static const Calendar cal = [] {
    auto r = config::load_file(std::string(OCOP_SOURCE_DIR) + "/config/sample.yaml");
    BOOST_REQUIRE(r.ok());
    return r.config.calendar;
  }();
  return cal;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(calendar)

BOOST_AUTO_TEST_CASE(weekends_holidays_and_a_make_up_saturday) {
  const Calendar& cal = sample();
  BOOST_TEST(is_working_day(cal, d("2026-01-10")));   // Saturday, make-up day
  BOOST_TEST(!is_working_day(cal, d("2026-01-17")));  // an ordinary Saturday
  BOOST_TEST(!is_working_day(cal, d("2026-01-11")));  // Sunday
  BOOST_TEST(!is_working_day(cal, d("2026-01-02")));  // Friday, swapped for 10/01
  BOOST_TEST(!is_working_day(cal, d("2026-02-17")));  // Mùng 1 Tết
  BOOST_TEST(is_working_day(cal, d("2026-02-23")));   // back to work after Tết
}

BOOST_AUTO_TEST_CASE(offsets_across_tet) {
  const Calendar& cal = sample();
  // Friday 13/02 -> the next working day is Monday 23/02 (weekend, five days of Tết, weekend).
  BOOST_TEST(format_date(add_working_days(cal, d("2026-02-13"), 1)) == "2026-02-23");
  BOOST_TEST(format_date(add_working_days(cal, d("2026-02-13"), 10)) == "2026-03-06");
  BOOST_TEST(format_date(add_working_days(cal, d("2026-02-23"), -1)) == "2026-02-13");
  BOOST_TEST(format_date(add_working_days(cal, d("2026-02-17"), 0)) == "2026-02-17");
  // counted from a day off: the first working day after Sunday 15/02 is 23/02
  BOOST_TEST(format_date(add_working_days(cal, d("2026-02-15"), 1)) == "2026-02-23");
  BOOST_TEST(working_days_between(cal, d("2026-02-13"), d("2026-02-23")) == 1);
  BOOST_TEST(working_days_between(cal, d("2026-02-23"), d("2026-02-13")) == 0);
}

BOOST_AUTO_TEST_CASE(offsets_across_the_new_year_swap) {
  const Calendar& cal = sample();
  // 31/12/2025 -> 01/01 and 02/01 off, 03-04 weekend: Monday 05/01.
  BOOST_TEST(format_date(add_working_days(cal, d("2025-12-31"), 1)) == "2026-01-05");
  // Friday 09/01 -> the make-up Saturday 10/01, then Monday 12/01.
  BOOST_TEST(format_date(add_working_days(cal, d("2026-01-09"), 1)) == "2026-01-10");
  BOOST_TEST(format_date(add_working_days(cal, d("2026-01-09"), 2)) == "2026-01-12");
  BOOST_TEST(working_days_between(cal, d("2026-01-08"), d("2026-01-12")) == 3);  // 09, 10 (Sat), 12
  BOOST_TEST(format_date(add_working_days(cal, d("2026-01-12"), -2)) == "2026-01-09");
}

BOOST_AUTO_TEST_CASE(latest_entry_agrees_with_counting_every_day) {
  const Calendar& cal = sample();
  for (Date to = d("2026-01-01"); to <= d("2026-12-31"); to = add_days(to, 1)) {
    for (int n = 1; n <= 20; ++n) {
      const Date latest = latest_entry_for(cal, to, n);
      BOOST_REQUIRE(working_days_waited(cal, latest, to) >= n);
      BOOST_REQUIRE(working_days_waited(cal, add_days(latest, 1), to) < n);
    }
  }
}

// Spec §7: "more than 10 working days" means 10 whole working days lie between the entry day and
// the day of the tick. Registered Thursday 12/02/2026 at 09:00: Friday 13/02, then a weekend, Tết
// (16-20/02) and a weekend; 23-27/02 and 02-04/03 make 9 whole days on 05/03, 10 on 06/03.
BOOST_AUTO_TEST_CASE(waiting_counts_the_whole_working_days_between) {
  const Calendar& cal = sample();
  const Date entered = d("2026-02-12");
  BOOST_TEST(working_days_waited(cal, entered, d("2026-02-13")) == 0);  // the next day: nothing whole yet
  BOOST_TEST(working_days_waited(cal, entered, d("2026-02-23")) == 1);  // Friday 13/02 only
  BOOST_TEST(working_days_waited(cal, entered, d("2026-03-05")) == 9);
  BOOST_TEST(working_days_waited(cal, entered, d("2026-03-06")) == 10);
  BOOST_TEST(working_days_waited(cal, entered, d("2026-03-07")) == 11);  // Saturday: Friday 06/03 is whole
  BOOST_TEST(working_days_waited(cal, entered, d("2026-03-08")) == 11);
  BOOST_TEST(working_days_waited(cal, entered, d("2026-03-12")) == 14);
  BOOST_TEST(working_days_waited(cal, entered, d("2026-03-13")) == 15);
  BOOST_TEST(working_days_waited(cal, entered, entered) == 0);
  BOOST_TEST(working_days_waited(cal, d("2026-03-06"), entered) == 0);  // backwards: nothing
  BOOST_TEST(format_date(latest_entry_for(cal, d("2026-03-06"), 10)) == "2026-02-12");
  BOOST_TEST(format_date(latest_entry_for(cal, d("2026-03-05"), 10)) == "2026-02-11");
  // entered on a day off (Sunday 15/02): counted from Monday 23/02 on
  BOOST_TEST(working_days_waited(cal, d("2026-02-15"), d("2026-02-24")) == 1);
}

BOOST_AUTO_TEST_CASE(overdue_at_after_days_then_at_escalate_after_days_more) {
  BOOST_TEST((overdue(9, 10, 5) == Overdue::no));
  BOOST_TEST((overdue(10, 10, 5) == Overdue::remind));
  BOOST_TEST((overdue(14, 10, 5) == Overdue::remind));
  BOOST_TEST((overdue(15, 10, 5) == Overdue::escalate));
  BOOST_TEST((overdue(400, 10, std::nullopt) == Overdue::remind));  // no escalation configured
  BOOST_TEST((overdue(0, 0, std::nullopt) == Overdue::no));         // a rule without after_days
  BOOST_TEST((overdue(-1, 1, 1) == Overdue::no));
}

BOOST_AUTO_TEST_CASE(adding_then_counting_gives_the_offset_back) {
  const Calendar& cal = sample();
  for (Date from = d("2025-12-01"); from <= d("2026-12-31"); from = add_days(from, 1))
    for (int n : {1, 5, 10, 15, 30}) {
      const Date to = add_working_days(cal, from, n);
      BOOST_REQUIRE(is_working_day(cal, to));
      BOOST_REQUIRE_EQUAL(working_days_between(cal, from, to), n);
      BOOST_REQUIRE_EQUAL(working_days_between(cal, from, add_days(to, -1)), n - 1);
    }
}

BOOST_AUTO_TEST_SUITE_END()
