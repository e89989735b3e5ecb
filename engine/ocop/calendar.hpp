// The province's working calendar (spec §4): weekends, public holidays listed per year and
// make-up working days, all from the configuration (Config::calendar). Deadlines and reminder
// offsets count working days on it; the certificate's expiry notice counts calendar days and
// does not use it.
//
// Pure functions of (Calendar, dates): no clock, no store. A Date is a civil day in the
// province's zone (time.hpp).
#pragma once

#include "ocop/config.hpp"
#include "ocop/time.hpp"

namespace ocop {

// A make-up working day is a working day; otherwise a holiday or a weekend day is not.
bool is_working_day(const Calendar& cal, Date d);

// The n-th working day after `from` (n > 0), or before it (n < 0); `from` itself for n == 0.
// `from` need not be a working day: "10 working days after a Sunday" counts from Monday.
Date add_working_days(const Calendar& cal, Date from, int n);

// The number of working days d with from < d <= to (0 when to <= from): how many working days
// a dossier that entered its state on `from` has waited by the end of `to`.
int working_days_between(const Calendar& cal, Date from, Date to);

// The latest day `entered` such that working_days_between(entered, to) >= n (n >= 1): a dossier
// that entered its state on that day or earlier has waited at least n working days by `to`.
Date latest_entry_for(const Calendar& cal, Date to, int n);

}  // namespace ocop
