#include "views/vietnamese.hpp"

#include "ocop/notify.hpp"

namespace ocop::views {

std::string vn_date(Date d) { return date_vi(d); }  // the messages' own (ocop/notify.hpp)

std::string vn_level(const std::string& level) {
  if (level == "central") return "Trung \u01b0\u01a1ng";
  if (level == "province") return "C\u1ea5p t\u1ec9nh";
  if (level == "district") return "C\u1ea5p huy\u1ec7n";
  if (level == "commune") return "C\u1ea5p x\u00e3";
  return level;
}

}  // namespace ocop::views
