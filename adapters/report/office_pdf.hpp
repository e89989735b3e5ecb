// The yearly report as a PDF (`ocop report --format pdf`, `GET /api/v1/report?format=pdf`):
// "BÁO CÁO KẾT QUẢ THỰC HIỆN CHƯƠNG TRÌNH OCOP NĂM ...", in Vietnamese, on A4 pages numbered
// "Trang n/N", from the same OfficeReport as the spreadsheet (office_workbook.hpp), so the same
// numbers as `ocop report --json`. Composed here as generic blocks (print::Document) and laid
// out by the printing module (libocop_print.so), which draws the charts as vectors.
//
// In order, each chart ("Biểu đồ n.") followed by its numbers as a table ("Bảng n."):
//   the title block: the province, the day of the data;
//   I.   Bảng 1, the totals: dossiers, recognised, products in force and by stars, certificates
//        ending within the report's days, trade promotion;
//   II.  Biểu đồ 1 / Bảng 2, the cycle's funnel: dossiers that reached each stage
//        (OfficeReport::funnel), with the share of the ideas;
//   III. Biểu đồ 2 / Bảng 3, dossiers by unit and stage now (OfficeReport::unit_stages): the
//        chart the 20 units with the most dossiers and the others together, the table every unit
//        and the total;
//   IV.  Biểu đồ 3 / Bảng 4, products in force by stars; Bảng 5, per unit;
//   V.   Bảng 6, the certificates in force ending within the days, soonest first (STT, product,
//        producer, unit, stars, end of validity, days left), over as many pages as it takes;
//   VI.  Bảng 7, trade promotion per unit and in all; Bảng 8, inspections by result.
// Counts and amounts are written with Vietnamese grouping (12.500.000), dates dd/mm/yyyy.
#pragma once

#include <string>

#include "ocop/app.hpp"
#include "ocop/config.hpp"
#include "ocop/status.hpp"
#include "print/printer.hpp"

namespace ocop::report {

print::Document office_document(const OfficeReport& r, const Config& config);

// The file name offered for a download: "bao-cao-ocop-YYYY-MM-DD.pdf" (the report's day).
std::string office_pdf_file_name(const OfficeReport& r);

// Writes office_document() to `path` (replaced whole). Internal (1) when the printing module
// cannot be loaded or the file cannot be written; the message names the module or the path.
Status write_office_pdf(const OfficeReport& r, const Config& config, const std::string& path);

}  // namespace ocop::report
