// The printing module's interface (adapters/print/module.cpp, libocop_print.so): QR codes
// (libqrencode) as PNG (libpng) or SVG, the printable certificate and documents of generic
// blocks (headings, paragraphs, tables, bar charts) as PDF (cairo, with a TrueType font
// embedded for Vietnamese). A module loaded on demand, like the PostgreSQL one
// (store/pg_plugin.hpp), so that no other command maps these libraries at start (issue 10).
// Plain C types across the boundary; the text on the sheet is composed by the caller
// (adapters/print/printer.cpp), the module only lays it out.
//
// Each function writes `path` whole or removes it, and returns 0; on failure it returns 1 and
// writes a NUL-terminated reason (at most err_size bytes) to `err`.
#pragma once

#include <cstddef>

extern "C" {

struct OcopSheetLine {
  const char* label;  // "" : a line of text alone
  const char* value;
};

struct OcopCertificateSheet {
  const char* font_path;       // a TrueType font with Vietnamese glyphs (DejaVu Sans)
  const char* bold_font_path;  // its bold face
  const char* header;          // "UỶ BAN NHÂN DÂN TỈNH ..." (top, centred)
  const char* title;           // "GIẤY CHỨNG NHẬN"
  const char* subtitle;        // "SẢN PHẨM OCOP"
  const char* product;         // large, centred
  int stars;                   // drawn as stars
  const char* stars_text;      // "4 sao"
  const OcopSheetLine* lines;
  int line_count;
  const char* qr_text;         // encoded in the QR code (the verification URL)
  const char* qr_caption;      // under the QR code
  const char* footer;
};

// A document of generic blocks (the yearly report, adapters/report/office_pdf.cpp), laid out by
// the module on A4 pages with "PAGE_LABEL n/N" at the foot of each: the module knows nothing of
// what the text says. Every string is UTF-8 from anywhere (product names included): invalid
// bytes are drawn as U+FFFD, control characters as spaces, and text wider than its place is
// wrapped (paragraphs, table cells up to 3 lines) or cut with an ellipsis (chart labels, the
// last line of a cell), so no text breaks the layout.
enum OcopBlockKind {
  OCOP_BLOCK_HEADING = 1,    // text; level 1: the title (centred, large), 2: a section, 3: a sub-heading
  OCOP_BLOCK_PARAGRAPH = 2,  // text, wrapped; level 1: centred, 2: small and grey (a note)
  OCOP_BLOCK_TABLE = 3,      // table: its header row repeated on every page it runs over
  OCOP_BLOCK_BAR_CHART = 4,  // chart: horizontal bars (vector), kept on one page
  OCOP_BLOCK_PAGE_BREAK = 5,
};

struct OcopTable {
  int column_count;
  const char* const* headers;  // column_count
  const double* widths;        // column_count, relative (scaled to the page's width)
  const int* numeric;          // column_count: 1 right-aligned (numbers), 0 left
  int row_count;
  const char* const* cells;    // row_count * column_count, row by row
  int last_row_total;          // 1: the last row is a total (bold, shaded)
};

struct OcopBarChart {
  int bar_count;
  const char* const* labels;       // bar_count, left of the bars
  const char* const* value_texts;  // bar_count, drawn after each bar (its number as the caller writes it)
  int series_count;                // 1: plain bars; more: stacked segments, with a legend
  const char* const* series;       // series_count names (the legend); ignored when 1
  const double* values;            // bar_count * series_count, bar by bar; negative or not finite: 0
};

struct OcopBlock {
  int kind;  // OcopBlockKind
  int level;
  const char* text;
  OcopTable table;
  OcopBarChart chart;
};

struct OcopDocument {
  const char* font_path;       // a TrueType font with Vietnamese glyphs (DejaVu Sans)
  const char* bold_font_path;  // its bold face
  const char* title;           // the file's metadata
  const char* footer;          // left at the foot of every page
  const char* page_label;      // "Trang": "Trang 2/5" at the right of the foot
  const OcopBlock* blocks;
  int block_count;
};

typedef int (*OcopWriteQrFn)(const char* text, const char* path, int svg, char* err, std::size_t err_size);
typedef int (*OcopWriteSheetFn)(const OcopCertificateSheet* sheet, const char* path, char* err,
                                std::size_t err_size);
// Writes the document as PATH.part and renames it over `path`: the target is the old file or the
// whole new one, never a part.
typedef int (*OcopWriteDocumentFn)(const OcopDocument* doc, const char* path, char* err, std::size_t err_size);
}

namespace ocop {
inline constexpr const char* kPrintModuleFile = "libocop_print.so";
inline constexpr const char* kWriteQrSymbol = "ocop_write_qr";
inline constexpr const char* kWriteSheetSymbol = "ocop_write_certificate_pdf";
inline constexpr const char* kWriteDocumentSymbol = "ocop_write_document_pdf";
}  // namespace ocop
