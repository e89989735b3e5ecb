// libocop_xlsx.so: writes a Workbook (workbook.hpp) with libxlsxwriter. A module loaded by
// write_xlsx() on first use, so that `ocop` does not map libxlsxwriter, libminizip and libz
// for every command.
//
// Each sheet: the header row bold, wrapped and frozen; an autofilter over the header and the
// rows (not the total row); column widths as given; integers with the "#,##0" format when the
// column is money, else "0"; dates as Excel dates shown dd/mm/yyyy; text as strings (never as
// formulas: a name starting with "=" stays text). Errors say which sheet, cell or file; the
// target is replaced only by a whole file (written as PATH.part, then renamed).
#include <xlsxwriter.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "report/workbook.hpp"

namespace {

using ocop::report::Cell;
using ocop::report::Workbook;

struct Formats {
  lxw_format* header = nullptr;
  lxw_format* integer = nullptr;
  lxw_format* money = nullptr;
  lxw_format* date = nullptr;
  lxw_format* total_text = nullptr;
  lxw_format* total_integer = nullptr;
  lxw_format* total_money = nullptr;
};

Formats make_formats(lxw_workbook* wb) {
  Formats f;
  f.header = workbook_add_format(wb);
  format_set_bold(f.header);
  format_set_text_wrap(f.header);
  format_set_align(f.header, LXW_ALIGN_VERTICAL_TOP);
  format_set_bg_color(f.header, 0xE8F0E0);
  format_set_bottom(f.header, LXW_BORDER_THIN);
  f.integer = workbook_add_format(wb);
  format_set_num_format(f.integer, "0");
  f.money = workbook_add_format(wb);
  format_set_num_format(f.money, "#,##0");
  f.date = workbook_add_format(wb);
  format_set_num_format(f.date, "dd/mm/yyyy");
  f.total_text = workbook_add_format(wb);
  format_set_bold(f.total_text);
  format_set_top(f.total_text, LXW_BORDER_THIN);
  f.total_integer = workbook_add_format(wb);
  format_set_bold(f.total_integer);
  format_set_top(f.total_integer, LXW_BORDER_THIN);
  format_set_num_format(f.total_integer, "0");
  f.total_money = workbook_add_format(wb);
  format_set_bold(f.total_money);
  format_set_top(f.total_money, LXW_BORDER_THIN);
  format_set_num_format(f.total_money, "#,##0");
  return f;
}

std::string cell_name(lxw_row_t row, lxw_col_t col) {
  std::string letters;
  for (unsigned c = col + 1; c > 0; c = (c - 1) / 26) letters.insert(letters.begin(), char('A' + (c - 1) % 26));
  return letters + std::to_string(row + 1);
}

int fail(char* error, unsigned long size, const std::string& message) {
  std::snprintf(error, size, "%s", message.c_str());
  return 1;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int ocop_write_xlsx(const Workbook* in, const char* path, char* error,
                                                                     unsigned long size) {
  // Written beside the target and renamed over it: the target is either the old file or the whole
  // new one, never half a report.
  const std::string part = std::string(path) + ".part";
  // Constant memory: each row goes to a temporary file as it is written (rows are written in
  // order, sheet by sheet) and strings are stored in their cells, not in a shared table that
  // holds them all. A national list of 150,000 products took 680 MB and 10 s through the shared
  // table (bench/README.md, "Ten years, national").
  lxw_workbook_options options;
  std::memset(&options, 0, sizeof options);
  options.constant_memory = LXW_TRUE;
  lxw_workbook* wb = workbook_new_opt(part.c_str(), &options);
  if (!wb) return fail(error, size, std::string("cannot start the spreadsheet ") + path);
  lxw_doc_properties props;
  std::memset(&props, 0, sizeof props);
  props.title = const_cast<char*>(in->title.c_str());
  props.subject = const_cast<char*>(in->subject.c_str());
  props.author = const_cast<char*>(in->author.c_str());
  workbook_set_properties(wb, &props);
  const Formats f = make_formats(wb);
  std::string problem;
  for (const auto& sheet : in->sheets) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, sheet.name.c_str());
    if (!ws) {
      problem = "sheet \"" + sheet.name + "\" is not a name Excel accepts, or is used twice";
      break;
    }
    const lxw_col_t ncols = static_cast<lxw_col_t>(sheet.columns.size());
    for (lxw_col_t c = 0; c < ncols; ++c) {
      worksheet_set_column(ws, c, c, sheet.columns[c].width, nullptr);
      worksheet_write_string(ws, 0, c, sheet.columns[c].header.c_str(), f.header);
    }
    worksheet_freeze_panes(ws, 1, 0);
    const size_t nrows = sheet.row_count();
    std::vector<Cell> scratch;
    // Before the rows: with constant memory, a range ending above the last row written (the
    // total row stays outside the filter) is refused once that row is flushed.
    const size_t filtered = nrows - (sheet.last_row_total && nrows ? 1 : 0);
    if (ncols) worksheet_autofilter(ws, 0, 0, static_cast<lxw_row_t>(filtered), ncols - 1);
    for (size_t r = 0; r < nrows && problem.empty(); ++r) {
      const bool total = sheet.last_row_total && r + 1 == nrows;
      const lxw_row_t row = static_cast<lxw_row_t>(r + 1);
      const auto& cells = sheet.row(r, scratch);
      for (lxw_col_t c = 0; c < cells.size() && c < ncols; ++c) {
        const Cell& cell = cells[c];
        const bool money = sheet.columns[c].money;
        lxw_error e = LXW_NO_ERROR;
        switch (cell.kind) {
          case Cell::Kind::empty:
            break;
          case Cell::Kind::text:
            e = worksheet_write_string(ws, row, c, cell.text.c_str(), total ? f.total_text : nullptr);
            break;
          case Cell::Kind::integer:
            e = worksheet_write_number(ws, row, c, static_cast<double>(cell.integer),
                                       total ? (money ? f.total_money : f.total_integer) : (money ? f.money : f.integer));
            break;
          case Cell::Kind::number:
            e = worksheet_write_number(ws, row, c, cell.number, total ? f.total_text : nullptr);
            break;
          case Cell::Kind::date: {
            lxw_datetime dt = {cell.year, cell.month, cell.day, 0, 0, 0};
            e = worksheet_write_datetime(ws, row, c, &dt, f.date);
            break;
          }
        }
        if (e != LXW_NO_ERROR) {
          problem = "sheet \"" + sheet.name + "\", cell " + cell_name(row, c) + ": " + lxw_strerror(e);
          break;
        }
      }
    }
    if (!problem.empty()) break;
  }
  // workbook_close writes the file and frees the workbook, also after a problem (the file is then
  // removed below: never a half-written report).
  const lxw_error closed = workbook_close(wb);
  if (!problem.empty() || closed != LXW_NO_ERROR) {
    std::remove(part.c_str());
    return fail(error, size, !problem.empty() ? problem : std::string("cannot write ") + path + ": " + lxw_strerror(closed));
  }
  if (std::rename(part.c_str(), path) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(part.c_str());
    return fail(error, size, std::string("cannot write ") + path + ": " + why);
  }
  return 0;
}
