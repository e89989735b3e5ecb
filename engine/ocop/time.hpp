// Dates and instants. A Date is a civil day (days since 1970-01-01); an Instant is a UTC
// second. Everything is stored in UTC and shown in the province's zone (spec §4), which is a
// fixed offset: Vietnam has had no daylight saving since 1975.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ocop {

struct Date {
  std::int32_t days = 0;  // since 1970-01-01
  friend bool operator==(Date a, Date b) { return a.days == b.days; }
  friend bool operator!=(Date a, Date b) { return a.days != b.days; }
  friend bool operator<(Date a, Date b) { return a.days < b.days; }
  friend bool operator<=(Date a, Date b) { return a.days <= b.days; }
  friend bool operator>(Date a, Date b) { return a.days > b.days; }
  friend bool operator>=(Date a, Date b) { return a.days >= b.days; }
};

struct Instant {
  std::int64_t seconds = 0;  // since 1970-01-01T00:00:00Z
  friend bool operator<(Instant a, Instant b) { return a.seconds < b.seconds; }
  friend bool operator==(Instant a, Instant b) { return a.seconds == b.seconds; }
};

Date make_date(int y, unsigned m, unsigned d);
void civil(Date d, int& y, unsigned& m, unsigned& day);
int year_of(Date d);
int weekday(Date d);                  // 0 = Monday ... 6 = Sunday
Date add_months(Date d, int months);  // clamps the day to the month's end
Date add_days(Date d, int n);

// "YYYY-MM-DD"; nullopt when malformed or not a real day.
std::optional<Date> parse_date(std::string_view s);
std::string format_date(Date d);

// ISO 8601 with seconds and an offset or Z ("2026-03-02T08:15:00+07:00"); a bare date is
// midnight in the province zone. nullopt when malformed.
std::optional<Instant> parse_instant(std::string_view s, int default_offset_minutes);
// "2026-03-02T08:15:00+07:00" in the given offset.
std::string format_instant(Instant t, int offset_minutes);
// The civil day of `t` in the given offset.
Date local_date(Instant t, int offset_minutes);

// A length of time for an option: a whole number with a unit, "500ms", "30s", "5m", "1h"
// ("30" alone is seconds), as milliseconds; nullopt when malformed, zero or over a year.
std::optional<std::int64_t> parse_duration_ms(std::string_view s);
// A time of day "HH:MM" (00:00 – 23:59) as minutes after midnight; nullopt when malformed.
std::optional<int> parse_time_of_day(std::string_view s);

}  // namespace ocop
