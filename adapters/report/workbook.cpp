#include "report/workbook.hpp"

#include "plugin.hpp"

namespace ocop::report {

Cell Cell::of(std::string s) {
  Cell c;
  c.kind = Kind::text;
  c.text = std::move(s);
  return c;
}

Cell Cell::of(std::int64_t n) {
  Cell c;
  c.kind = Kind::integer;
  c.integer = n;
  return c;
}

Cell Cell::of(double x) {
  Cell c;
  c.kind = Kind::number;
  c.number = x;
  return c;
}

Cell Cell::of(Date d) {
  Cell c;
  c.kind = Kind::date;
  unsigned m = 0, day = 0;
  civil(d, c.year, m, day);
  c.month = static_cast<int>(m);
  c.day = static_cast<int>(day);
  return c;
}

Status write_xlsx(const Workbook& wb, const std::string& path) {
  for (const Sheet& s : wb.sheets) {
    if (s.name.empty() || s.name.size() > 31 || s.name.find_first_of("[]:*?/\\") != std::string::npos)
      return Status::BadInput("sheet name \"" + s.name + "\": 1 to 31 bytes, none of []:*?/\\");
  }
  std::string why;
  auto write = reinterpret_cast<XlsxWriteFn>(plugin_symbol(kXlsxPluginFile, kXlsxWriteSymbol, why));
  if (!write) return Status::Internal("spreadsheet support (" + std::string(kXlsxPluginFile) + ") " + why);
  char error[512] = {0};
  if (write(&wb, path.c_str(), error, sizeof error) != 0) return Status::Internal(error);
  return Status::Ok();
}

}  // namespace ocop::report
