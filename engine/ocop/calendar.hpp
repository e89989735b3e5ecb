// The province's working calendar (spec §4): weekends, public holidays listed per year and
// make-up working days, all from the configuration (Config::calendar). Deadlines and reminder
// offsets count working days on it; the certificate's expiry notice counts calendar days and
// does not use it.
//
// Pure functions of (Calendar, dates): no clock, no store. A Date is a civil day in the
// province's zone (time.hpp).
#pragma once

#include <optional>

#include "ocop/config.hpp"
#include "ocop/time.hpp"

namespace ocop {

// A make-up working day is a working day; otherwise a holiday or a weekend day is not.
bool is_working_day(const Calendar& cal, Date d);

// The n-th working day after `from` (n > 0), or before it (n < 0); `from` itself for n == 0.
// `from` need not be a working day: "10 working days after a Sunday" counts from Monday.
Date add_working_days(const Calendar& cal, Date from, int n);

// The number of working days d with from < d <= to (0 when to <= from): how many working days
// lie after `from` up to and including `to` (a milestone's working days left, counting its day).
int working_days_between(const Calendar& cal, Date from, Date to);

// Waiting (spec §7 `stalled`, §10 `promotion_outcome`): something that entered its state on
// `entered` has waited the WHOLE working days between that day and `day`, neither counted: the
// working days d with entered < d < day (0 when day <= entered + 1). "More than 10 working days"
// means at least 10 of them: a dossier registered on Thursday 12/02/2026 (Tết 16-20/02) has
// waited 9 on 05/03 and 10 on 06/03. Every rule that reminds after "more than N working days"
// uses these three functions, and nothing else.
int working_days_waited(const Calendar& cal, Date entered, Date day);

// Where a waiting rule of `after_days` (>= 1) and `escalate_after_days` more stands for
// something that has waited `waited` working days: not yet, reminded, or also escalated.
enum class Overdue { no, remind, escalate };
Overdue overdue(int waited, int after_days, std::optional<int> escalate_after_days);

// The latest day `entered` such that working_days_waited(entered, day) >= n (n >= 1): what
// entered its state on that day or earlier has waited at least n working days on `day`.
Date latest_entry_for(const Calendar& cal, Date day, int n);

}  // namespace ocop
