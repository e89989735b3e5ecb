#include "report/workbook.hpp"

#include <dlfcn.h>

#include <utility>

#include "store/modules.hpp"

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
  // Loaded once per process (store/modules.hpp says where it is looked for).
  static const std::pair<XlsxWriteFn, std::string> module = [] {
    std::string tried;
    void* lib = open_module(kXlsxPluginFile, tried);
    if (!lib)
      return std::make_pair(XlsxWriteFn{}, std::string("could not be loaded") + tried +
                                               " (set OCOP_PLUGIN_DIR to the directory that holds it)");
    auto fn = reinterpret_cast<XlsxWriteFn>(dlsym(lib, kXlsxWriteSymbol));
    return std::make_pair(fn, fn ? std::string() : std::string("has no ") + kXlsxWriteSymbol);
  }();
  auto write = module.first;
  if (!write) return Status::Internal("spreadsheet support (" + std::string(kXlsxPluginFile) + ") " + module.second);
  char error[512] = {0};
  if (write(&wb, path.c_str(), error, sizeof error) != 0) return Status::Internal(error);
  return Status::Ok();
}

}  // namespace ocop::report
