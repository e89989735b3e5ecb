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

int working_days_waited(const Calendar& cal, Date entered, Date day) {
  return working_days_between(cal, entered, add_days(day, -1));
}

Overdue overdue(int waited, int after_days, std::optional<int> escalate_after_days) {
  if (after_days < 1 || waited < after_days) return Overdue::no;
  if (escalate_after_days && waited >= after_days + *escalate_after_days) return Overdue::escalate;
  return Overdue::remind;
}

Date latest_entry_for(const Calendar& cal, Date day, int n) {
  // Walk back from the day before `day`, counting working days until n are behind; the day
  // before the n-th is the latest entry day that has waited them all.
  Date d = day;
  for (int counted = 0; counted < n;) {
    d = add_days(d, -1);
    if (is_working_day(cal, d)) ++counted;
  }
  return add_days(d, -1);
}

}  // namespace ocop
