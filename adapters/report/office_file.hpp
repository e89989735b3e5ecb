// The offices' reports as files, by format, for both front ends (`ocop report --format`,
// `GET /api/v1/report?format=`): "xlsx", the spreadsheet (office_workbook.hpp), or "pdf", the
// yearly report (office_pdf.hpp). One place says which writer, which file name and which media
// type a format has.
#pragma once

#include <string>

#include "ocop/app.hpp"
#include "ocop/config.hpp"
#include "ocop/status.hpp"

namespace ocop::report {

// "xlsx" or "pdf".
bool is_office_format(const std::string& format);
// Writes the report in `format` (is_office_format) to `path`, replaced whole: write_xlsx's or
// write_office_pdf's Status.
Status write_office_file(const std::string& format, const OfficeReport& r, const Config& config,
                         const std::string& path);
// "bao-cao-ocop-YYYY-MM-DD.xlsx" or ".pdf": the name offered for a download.
std::string office_file_name(const std::string& format, const OfficeReport& r);
// The media type of the format's file.
const char* office_content_type(const std::string& format);

}  // namespace ocop::report
