#include "ocop/time.hpp"

#include <cstdio>

namespace ocop {
namespace {
// Howard Hinnant's civil-from-days algorithms (public domain).
std::int32_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}
unsigned last_day(int y, unsigned m) {
  static const unsigned k[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : k[m - 1];
}
bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}
}  // namespace

Date make_date(int y, unsigned m, unsigned d) { return Date{days_from_civil(y, m, d)}; }

void civil(Date dt, int& y, unsigned& m, unsigned& d) {
  std::int32_t z = dt.days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yoe) + era * 400 + (m <= 2);
}

int year_of(Date d) {
  int y;
  unsigned m, dd;
  civil(d, y, m, dd);
  return y;
}

int weekday(Date d) {
  // 1970-01-01 was a Thursday (3 when Monday is 0).
  int w = (d.days + 3) % 7;
  return w < 0 ? w + 7 : w;
}

Date add_days(Date d, int n) { return Date{d.days + n}; }

Date add_months(Date d, int months) {
  int y;
  unsigned m, day;
  civil(d, y, m, day);
  int total = y * 12 + static_cast<int>(m - 1) + months;
  int ny = total / 12;
  unsigned nm = static_cast<unsigned>(total % 12) + 1;
  unsigned ld = last_day(ny, nm);
  return make_date(ny, nm, day > ld ? ld : day);
}

std::optional<Date> parse_date(std::string_view s) {
  int y, m, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!digits(s, 0, 4, y) || !digits(s, 5, 2, m) || !digits(s, 8, 2, d)) return std::nullopt;
  if (m < 1 || m > 12 || d < 1 || static_cast<unsigned>(d) > last_day(y, m)) return std::nullopt;
  return make_date(y, m, d);
}

std::string format_date(Date dt) {
  int y;
  unsigned m, d;
  civil(dt, y, m, d);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
  return buf;
}

std::optional<Instant> parse_instant(std::string_view s, int default_offset_minutes) {
  auto date = parse_date(s.substr(0, 10));
  if (!date) return std::nullopt;
  if (s.size() == 10) return Instant{date->days * 86400LL - default_offset_minutes * 60LL};
  if (s.size() < 19 || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':') return std::nullopt;
  int hh, mm, ss;
  if (!digits(s, 11, 2, hh) || !digits(s, 14, 2, mm) || !digits(s, 17, 2, ss)) return std::nullopt;
  if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {  // fractional seconds are accepted and dropped
    ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
  }
  int offset = default_offset_minutes;
  if (pos < s.size()) {
    if (s[pos] == 'Z' && pos + 1 == s.size()) {
      offset = 0;
    } else if ((s[pos] == '+' || s[pos] == '-') && s.size() == pos + 6 && s[pos + 3] == ':') {
      int oh, om;
      if (!digits(s, pos + 1, 2, oh) || !digits(s, pos + 4, 2, om) || oh > 14 || om > 59) return std::nullopt;
      offset = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    } else {
      return std::nullopt;
    }
  }
  std::int64_t local = date->days * 86400LL + hh * 3600 + mm * 60 + ss;
  return Instant{local - offset * 60LL};
}

std::string format_instant(Instant t, int offset_minutes) {
  // Hand-formatted: this runs several times for every event written.
  std::int64_t local = t.seconds + offset_minutes * 60LL;
  std::int64_t day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  int sec = static_cast<int>(local - day * 86400);
  int y;
  unsigned m, d;
  civil(Date{static_cast<std::int32_t>(day)}, y, m, d);
  char buf[32];
  auto two = [&](int pos, int v) {
    buf[pos] = char('0' + v / 10);
    buf[pos + 1] = char('0' + v % 10);
  };
  if (y < 0 || y > 9999) return format_date(Date{static_cast<std::int32_t>(day)}) + "T00:00:00Z";
  two(0, y / 100);
  two(2, y % 100);
  buf[4] = '-';
  two(5, static_cast<int>(m));
  buf[7] = '-';
  two(8, static_cast<int>(d));
  buf[10] = 'T';
  two(11, sec / 3600);
  buf[13] = ':';
  two(14, sec / 60 % 60);
  buf[16] = ':';
  two(17, sec % 60);
  int len = 19;
  if (offset_minutes == 0) {
    buf[len++] = 'Z';
  } else {
    int off = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    buf[len++] = offset_minutes < 0 ? '-' : '+';
    two(len, off / 60);
    len += 2;
    buf[len++] = ':';
    two(len, off % 60);
    len += 2;
  }
  return std::string(buf, len);
}

Date local_date(Instant t, int offset_minutes) {
  std::int64_t local = t.seconds + offset_minutes * 60LL;
  std::int64_t day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  return Date{static_cast<std::int32_t>(day)};
}

std::optional<std::int64_t> parse_duration_ms(std::string_view s) {
  std::size_t i = 0;
  std::int64_t n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (n > 1'000'000'000) return std::nullopt;
    n = n * 10 + (s[i] - '0');
    ++i;
  }
  if (i == 0) return std::nullopt;
  const std::string_view unit = s.substr(i);
  std::int64_t scale = 0;
  if (unit == "ms")
    scale = 1;
  else if (unit.empty() || unit == "s")
    scale = 1000;
  else if (unit == "m")
    scale = 60'000;
  else if (unit == "h")
    scale = 3'600'000;
  else
    return std::nullopt;
  const std::int64_t ms = n * scale;
  if (ms <= 0 || ms > 366LL * 24 * 3'600'000) return std::nullopt;
  return ms;
}

std::optional<int> parse_time_of_day(std::string_view s) {
  int h, m;
  if (s.size() != 5 || s[2] != ':' || !digits(s, 0, 2, h) || !digits(s, 3, 2, m) || h > 23 || m > 59)
    return std::nullopt;
  return h * 60 + m;
}

}  // namespace ocop
