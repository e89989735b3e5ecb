// `ocop certificate qr` and `ocop certificate pdf` (issue 13): a certificate's QR code and its
// printable sheet (giấy chứng nhận), through the printing module (print_module.hpp), which is
// loaded only when one of these runs. The text is composed here, in Vietnamese, from what the
// application layer made public (PublicCertificate); docs/public.md shows the result.
#pragma once

#include <string>
#include <vector>

#include "ocop/app.hpp"
#include "ocop/status.hpp"

namespace ocop::print {

enum class QrFormat { png, svg };

// The format a file's extension asks for: .png or .svg (any case). Bad input (2) otherwise.
Status qr_format(const std::string& path, QrFormat& out);

// Whether `path` can be written: it is not a directory and its directory exists and is writable
// (bad input, 2, saying which). Checked before anything is made.
Status check_output(const std::string& path);

// The verification page's address: `base` (an option, else province.public_url) + "/verify/" +
// code. Bad input (2) when neither gives one, or the option is not http(s)://HOST[...].
Status verification_url(const std::string& option, const Config& config, const std::string& code,
                        std::string& out);

// Writes the QR code of `text` to `path`, PNG or SVG by its extension. Internal (1) when the
// module cannot be loaded or the file cannot be written to the end (the file is then removed).
Status write_qr(const std::string& text, const std::string& path);

// Writes the certificate's sheet (A4, Vietnamese, with the QR code of `url`) as a PDF. `today`:
// the day printed on it.
Status write_certificate_pdf(const PublicCertificate& c, const Config& config, const std::string& url, Date today,
                             const std::string& path);

// A document of generic blocks, laid out by the printing module on A4 pages (print_module.hpp's
// OcopDocument says how; the module knows nothing of what the text means). The yearly report
// (report/office_pdf.hpp) is composed as one.
struct Table {
  std::vector<std::string> headers;
  std::vector<double> widths;  // relative, one per header
  std::vector<bool> numeric;   // right-aligned columns (numbers); may be shorter than headers
  std::vector<std::vector<std::string>> rows;  // each as long as headers (missing cells are empty)
  bool last_row_total = false;
};

struct BarChart {
  std::vector<std::string> labels;       // one per bar
  std::vector<std::string> value_texts;  // one per bar, drawn after it
  std::vector<std::string> series;       // more than one: stacked bars with this legend
  std::vector<std::vector<double>> values;  // per bar, one per series (or one)
};

struct Block {
  enum class Kind { heading, paragraph, table, bar_chart, page_break };
  Kind kind = Kind::paragraph;
  int level = 0;  // heading: 1 title, 2 section, 3 sub-heading; paragraph: 0 plain, 1 centred, 2 a note
  std::string text;
  Table table;
  BarChart chart;
};

struct Document {
  std::string title;    // the file's metadata
  std::string footer;   // at the foot of every page
  std::string page_label = "Trang";
  std::vector<Block> blocks;
};

// Writes `doc` to `path` as a PDF, replaced whole (written as PATH.part, then renamed). Bad
// input (2) for a chart or table whose rows do not match its columns; internal (1) when the
// module cannot be loaded or the file cannot be written (the message names the path).
Status write_document_pdf(const Document& doc, const std::string& path);

}  // namespace ocop::print
