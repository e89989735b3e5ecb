// The printing module's interface (adapters/print/module.cpp, libocop_print.so): QR codes
// (libqrencode) as PNG (libpng) or SVG, and the printable certificate as a PDF (cairo, with a
// TrueType font embedded for Vietnamese). A module loaded on demand, like the PostgreSQL one
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

typedef int (*OcopWriteQrFn)(const char* text, const char* path, int svg, char* err, std::size_t err_size);
typedef int (*OcopWriteSheetFn)(const OcopCertificateSheet* sheet, const char* path, char* err,
                                std::size_t err_size);
}

namespace ocop {
inline constexpr const char* kPrintModuleFile = "libocop_print.so";
inline constexpr const char* kWriteQrSymbol = "ocop_write_qr";
inline constexpr const char* kWriteSheetSymbol = "ocop_write_certificate_pdf";
}  // namespace ocop
