// A spreadsheet as plain data, and writing it as an .xlsx file.
//
// The reports offices send (office_workbook.hpp) are built as a Workbook: sheets of typed cells
// under one header row. write_xlsx() hands it to libocop_xlsx.so (xlsx_plugin.cpp, libxlsxwriter),
// a module loaded on the first call (store/modules.hpp), so that no other command maps
// libxlsxwriter and its zip libraries. Every sheet gets its header row frozen and an
// autofilter over its header and rows; integers, amounts and dates are written as numbers and
// dates (an office filters and sums them), text as text. Text is UTF-8.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ocop/status.hpp"
#include "ocop/time.hpp"

namespace ocop::report {

struct Cell {
  enum class Kind { empty, text, integer, number, date };
  Kind kind = Kind::empty;
  std::string text;
  std::int64_t integer = 0;
  double number = 0;
  int year = 0, month = 0, day = 0;  // a date's, in the proleptic Gregorian calendar

  static Cell of(std::string s);
  static Cell of(std::int64_t n);
  static Cell of(double x);
  static Cell of(Date d);
};

struct Column {
  std::string header;
  double width = 12;  // in characters
  bool money = false;  // integers shown with thousands separators (đồng)
};

struct Sheet {
  std::string name;  // at most 31 characters, none of []:*?/\ (Excel's rule)
  std::vector<Column> columns;
  std::vector<std::vector<Cell>> rows;  // each as long as `columns` or shorter
  // Then `generated` more rows, each made by `generate(i, cells)` (i from 0; `cells` cleared
  // and reused) only when the module writes it: a list of 150,000 products is never held as
  // cells. What it refers to must outlive write_xlsx.
  std::size_t generated = 0;
  std::function<void(std::size_t, std::vector<Cell>&)> generate;
  bool last_row_total = false;  // the last row is a total: bold, outside the filter

  std::size_t row_count() const { return rows.size() + generated; }
  // Row r of row_count(): a stored one, or `scratch` made by `generate`.
  const std::vector<Cell>& row(std::size_t r, std::vector<Cell>& scratch) const {
    if (r < rows.size()) return rows[r];
    scratch.clear();
    generate(r - rows.size(), scratch);
    return scratch;
  }
};

struct Workbook {
  std::string title, subject, author;  // the file's properties
  std::vector<Sheet> sheets;
};

// Writes `wb` to `path` (replacing it). Bad input (2) for a sheet name Excel refuses; internal
// (1) when the module cannot be loaded (the message names where it looked) or the file cannot
// be written (the message names the path and why).
Status write_xlsx(const Workbook& wb, const std::string& path);

// The module's entry point (xlsx_plugin.cpp): 0 written; otherwise non-zero with a message of at
// most `size` bytes in `error`.
inline constexpr const char* kXlsxPluginFile = "libocop_xlsx.so";
inline constexpr const char* kXlsxWriteSymbol = "ocop_write_xlsx";
using XlsxWriteFn = int (*)(const Workbook*, const char* path, char* error, unsigned long size);

}  // namespace ocop::report
