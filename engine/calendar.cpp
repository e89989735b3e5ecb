#include "ocop/calendar.hpp"

namespace ocop {

bool is_working_day(const Calendar& cal, Date d) {
  if (cal.working_days.count(d)) return true;
  if (cal.holidays.count(d)) return false;
  return !cal.weekend[static_cast<size_t>(weekday(d))];
}

Date add_working_days(const Calendar& cal, Date from, int n) {
  const int step = n < 0 ? -1 : 1;
  Date d = from;
  // Bounded: the loader refuses a calendar whose every weekday is off, so a working day comes
  // within a week plus the longest run of holidays.
  for (int left = n < 0 ? -n : n; left > 0;) {
    d = add_days(d, step);
    if (is_working_day(cal, d)) --left;
  }
  return d;
}

int working_days_between(const Calendar& cal, Date from, Date to) {
  int n = 0;
  for (Date d = add_days(from, 1); d <= to; d = add_days(d, 1))
    if (is_working_day(cal, d)) ++n;
  return n;
}

Date latest_entry_for(const Calendar& cal, Date to, int n) {
  // Walk back from `to`, counting working days until n are behind; the day before the n-th is
  // the latest entry day that has waited them all.
  Date d = to;
  for (int counted = 0; counted < n; d = add_days(d, -1))
    if (is_working_day(cal, d)) ++counted;
  return d;
}

}  // namespace ocop
