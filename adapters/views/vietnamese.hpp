// How the public face writes dates and levels for people in Vietnam (the verification page,
// the printed certificate): one place, so the page and the paper agree.
#pragma once

#include <cstdint>
#include <string>

#include "ocop/time.hpp"

namespace ocop::views {

// "dd/mm/yyyy".
std::string vn_date(Date d);
// The issuing level as people name it: "Cấp tỉnh", "Trung ương", ...; an unknown one as given.
std::string vn_level(const std::string& level);
// A count or an amount with Vietnamese grouping: 12500000 -> "12.500.000".
std::string vn_number(std::int64_t v);

}  // namespace ocop::views
