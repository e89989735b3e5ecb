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

std::string vn_number(std::int64_t v) {
  // Digits of the magnitude as unsigned (INT64_MIN has no positive counterpart).
  const std::uint64_t m = v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
  const std::string digits = std::to_string(m);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += '.';
    out += digits[i];
  }
  return (v < 0 ? "-" : "") + out;
}

}  // namespace ocop::views
