#include <boost/test/unit_test.hpp>

#include "ocop/time.hpp"

using namespace ocop;

BOOST_AUTO_TEST_SUITE(civil_time)

BOOST_AUTO_TEST_CASE(dates_round_trip_and_reject_impossible_days) {
  BOOST_TEST(format_date(*parse_date("2026-02-28")) == "2026-02-28");
  BOOST_TEST(!parse_date("2026-02-29").has_value());
  BOOST_TEST(parse_date("2024-02-29").has_value());
  BOOST_TEST(!parse_date("2026-13-01").has_value());
  BOOST_TEST(!parse_date("26-01-01").has_value());
  BOOST_TEST(weekday(*parse_date("2026-11-29")) == 6);  // a Sunday
}

BOOST_AUTO_TEST_CASE(instants_carry_their_offset) {
  auto a = parse_instant("2026-03-02T08:15:00+07:00", 420);
  auto b = parse_instant("2026-03-02T01:15:00Z", 420);
  BOOST_REQUIRE(a && b);
  BOOST_TEST(a->seconds == b->seconds);
  BOOST_TEST(format_instant(*a, 420) == "2026-03-02T08:15:00+07:00");
  BOOST_TEST(format_instant(*a, 0) == "2026-03-02T01:15:00Z");
  BOOST_TEST(!parse_instant("2026-03-02T08:15", 420).has_value());
  BOOST_TEST(!parse_instant("2026-03-02T08:15:00+7", 420).has_value());
  // 23:30 on 1 March in Hanoi is still 1 March there, but 16:30Z.
  BOOST_TEST(format_date(local_date(*parse_instant("2026-03-01T23:30:00+07:00", 0), 420)) == "2026-03-01");
}

BOOST_AUTO_TEST_CASE(months_clamp_to_the_end_of_the_month) {
  BOOST_TEST(format_date(add_months(*parse_date("2026-10-30"), 36)) == "2029-10-30");
  BOOST_TEST(format_date(add_months(*parse_date("2024-02-29"), 12)) == "2025-02-28");
  BOOST_TEST(format_date(add_months(*parse_date("2026-01-31"), 1)) == "2026-02-28");
}

BOOST_AUTO_TEST_CASE(durations_and_times_of_day_for_options) {
  BOOST_TEST(parse_duration_ms("500ms").value_or(-1) == 500);
  BOOST_TEST(parse_duration_ms("30s").value_or(-1) == 30000);
  BOOST_TEST(parse_duration_ms("30").value_or(-1) == 30000);
  BOOST_TEST(parse_duration_ms("5m").value_or(-1) == 300000);
  BOOST_TEST(parse_duration_ms("1h").value_or(-1) == 3600000);
  for (const char* bad : {"", "s", "0s", "0", "-5s", "1.5s", "5 m", "5min", "1d", "9999999999h", "99999999999999999999"})
    BOOST_TEST(!parse_duration_ms(bad).has_value(), bad);
  BOOST_TEST(parse_time_of_day("06:00").value_or(-1) == 360);
  BOOST_TEST(parse_time_of_day("23:59").value_or(-1) == 1439);
  BOOST_TEST(parse_time_of_day("00:00").value_or(-1) == 0);
  for (const char* bad : {"6:00", "24:00", "12:60", "12-00", "", "12:00:00"})
    BOOST_TEST(!parse_time_of_day(bad).has_value(), bad);
}

BOOST_AUTO_TEST_SUITE_END()
