#include "views/vietnamese.hpp"

#include <cstdio>

namespace ocop::views {

std::string vn_date(Date d) {
  int y = 0;
  unsigned m = 0, day = 0;
  civil(d, y, m, day);
  char buf[24];
  std::snprintf(buf, sizeof buf, "%02u/%02u/%04d", day, m, y);
  return buf;
}

std::string vn_level(const std::string& level) {
  if (level == "central") return "Trung \u01b0\u01a1ng";
  if (level == "province") return "C\u1ea5p t\u1ec9nh";
  if (level == "district") return "C\u1ea5p huy\u1ec7n";
  if (level == "commune") return "C\u1ea5p x\u00e3";
  return level;
}

}  // namespace ocop::views
