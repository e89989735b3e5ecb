#include "report/office_file.hpp"

#include "report/office_pdf.hpp"
#include "report/office_workbook.hpp"

namespace ocop::report {

bool is_office_format(const std::string& format) { return format == "xlsx" || format == "pdf"; }

Status write_office_file(const std::string& format, const OfficeReport& r, const Config& config,
                         const std::string& path) {
  return format == "pdf" ? write_office_pdf(r, config, path) : write_xlsx(office_workbook(r, config), path);
}

std::string office_file_name(const std::string& format, const OfficeReport& r) {
  return format == "pdf" ? office_pdf_file_name(r) : office_workbook_file_name(r);
}

const char* office_content_type(const std::string& format) {
  return format == "pdf" ? "application/pdf" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
}

}  // namespace ocop::report
