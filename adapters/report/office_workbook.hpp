// The reports provincial offices send, as a spreadsheet (`ocop report --format xlsx`,
// `GET /api/v1/report?format=xlsx`): the same numbers as `ocop report --json`, laid out as the
// offices report them, with Vietnamese headers.
//
// Sheets, in order:
//   "Theo đơn vị"        one row per unit with dossiers or certificates in force: its code and
//                        name, its dossiers in each state (every state of the lifecycle, in its
//                        order), all of them, its products in force with 3, 4 and 5 stars and all
//                        of them; then a total row ("Tổng cộng") equal to the report's totals.
//   "Sản phẩm OCOP"      every product in force (an active or expiring certificate): product,
//                        product set, producer, unit, stars, issuing level, decision number and
//                        date, issue date, end of validity, state, certificate id.
//   "Sắp hết hạn"        of them, those that end within the report's days, with the days left.
//   "Xúc tiến thương mại" per unit: activities organised, participations selected, support and
//                        revenue (đồng), contracts, inspections by result; then the totals.
// Counts and amounts are integers, dates are dates; names are the configuration's.
#pragma once

#include "ocop/app.hpp"
#include "ocop/config.hpp"
#include "report/workbook.hpp"

namespace ocop::report {

Workbook office_workbook(const OfficeReport& r, const Config& config);

// The file name offered for a download: "bao-cao-ocop-YYYY-MM-DD.xlsx" (the report's day).
std::string office_workbook_file_name(const OfficeReport& r);

}  // namespace ocop::report
