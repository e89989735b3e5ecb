// How the public face writes dates and levels for people in Vietnam (the verification page,
// the printed certificate): one place, so the page and the paper agree.
#pragma once

#include <string>

#include "ocop/time.hpp"

namespace ocop::views {

// "dd/mm/yyyy".
std::string vn_date(Date d);
// The issuing level as people name it: "Cấp tỉnh", "Trung ương", ...; an unknown one as given.
std::string vn_level(const std::string& level);

}  // namespace ocop::views
