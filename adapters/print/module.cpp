// libocop_print.so (print_module.hpp): QR codes and the printable certificate. Loaded on demand
// by adapters/print/printer.cpp; the only code that links libqrencode, libpng, cairo and FreeType.
#include "print/print_module.hpp"

#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <png.h>
#include <qrencode.h>

#include <cerrno>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

void set_error(char* err, std::size_t size, const std::string& what) {
  if (!err || size == 0) return;
  std::snprintf(err, size, "%s", what.c_str());
}

struct QrDeleter {
  void operator()(QRcode* q) const { QRcode_free(q); }
};
using Qr = std::unique_ptr<QRcode, QrDeleter>;

// Error correction M (15 % of the symbol may be damaged: a label that is scratched or curved).
Qr encode(const char* text, std::string& why) {
  Qr q(QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  if (!q) why = std::string("the QR code cannot encode the text: ") + std::strerror(errno);
  return q;
}

bool dark(const QRcode& q, int x, int y) { return q.data[y * q.width + x] & 1; }

constexpr int kQuiet = 4;   // modules of white around the symbol (ISO/IEC 18004's quiet zone)
constexpr int kScale = 8;   // PNG pixels per module

// The rows of the image; false when libpng failed (it longjmp()s back here, so this function
// keeps nothing on its stack that changes after setjmp).
bool png_body(png_structp png, png_infop info, std::FILE* f, const QRcode& q, png_bytep row, int side) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_init_io(png, f);
  png_set_IHDR(png, info, side, side, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int py = 0; py < side; ++py) {
    for (int px = 0; px < side; ++px) {
      const int mx = px / kScale - kQuiet, my = py / kScale - kQuiet;
      const bool on = mx >= 0 && my >= 0 && mx < q.width && my < q.width && dark(q, mx, my);
      row[px] = on ? 0 : 255;
    }
    png_write_row(png, row);
  }
  png_write_end(png, nullptr);
  return true;
}

int write_png(const QRcode& q, const char* path, std::string& why) {
  std::FILE* f = std::fopen(path, "wb");
  if (!f) {
    why = std::string("cannot write ") + path + ": " + std::strerror(errno);
    return 1;
  }
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  const int side = (q.width + 2 * kQuiet) * kScale;
  std::vector<png_byte> row(static_cast<std::size_t>(side));
  const bool ok = png && info && png_body(png, info, f, q, row.data(), side);
  png_destroy_write_struct(&png, &info);
  if (std::fclose(f) != 0 || !ok) {
    why = std::string("cannot write the PNG ") + path + (ok ? std::string(": ") + std::strerror(errno) : "");
    return 1;
  }
  return 0;
}

int write_svg(const QRcode& q, const char* path, std::string& why) {
  const int side = q.width + 2 * kQuiet;
  std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
                    "viewBox=\"0 0 " + std::to_string(side) + " " + std::to_string(side) +
                    "\" width=\"" + std::to_string(side * kScale) + "\" height=\"" + std::to_string(side * kScale) +
                    "\" shape-rendering=\"crispEdges\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n"
                    "<path fill=\"#000\" d=\"";
  for (int y = 0; y < q.width; ++y)
    for (int x = 0; x < q.width; ++x)
      if (dark(q, x, y)) svg += "M" + std::to_string(x + kQuiet) + " " + std::to_string(y + kQuiet) + "h1v1h-1z";
  svg += "\"/>\n</svg>\n";
  std::FILE* f = std::fopen(path, "wb");
  if (!f) {
    why = std::string("cannot write ") + path + ": " + std::strerror(errno);
    return 1;
  }
  const bool ok = std::fwrite(svg.data(), 1, svg.size(), f) == svg.size();
  if (std::fclose(f) != 0 || !ok) {
    why = std::string("cannot write ") + path + ": " + std::strerror(errno);
    return 1;
  }
  return 0;
}

// --- the PDF (cairo: its PDF surface subsets the fonts and writes their ToUnicode maps, so the
// Vietnamese text is both drawn and extractable) --------------------------------------------------

constexpr double kPageW = 595.276, kPageH = 841.89;  // A4 in points; y below counts from the top

// The fonts, as cairo font faces over FreeType faces. cairo may keep a face in its caches after
// the last reference is dropped, so each FT_Face is handed to its cairo face and closed by it
// (user data with a destructor, as cairo_ft_font_face_create_for_ft_face asks), and the
// FreeType library lives as long as the module (kept in a static: reachable, not leaked).
struct Fonts {
  cairo_font_face_t* regular = nullptr;
  cairo_font_face_t* bold = nullptr;
  ~Fonts() {
    if (regular) cairo_font_face_destroy(regular);
    if (bold) cairo_font_face_destroy(bold);
  }
  static cairo_font_face_t* open(FT_Library ft, const char* path) {
    static const cairo_user_data_key_t key{};
    FT_Face face = nullptr;
    if (FT_New_Face(ft, path, 0, &face)) return nullptr;
    cairo_font_face_t* f = cairo_ft_font_face_create_for_ft_face(face, 0);
    if (cairo_font_face_status(f) != CAIRO_STATUS_SUCCESS ||
        cairo_font_face_set_user_data(f, &key, face, [](void* p) { FT_Done_Face(static_cast<FT_Face>(p)); }) !=
            CAIRO_STATUS_SUCCESS) {
      cairo_font_face_destroy(f);
      FT_Done_Face(face);
      return nullptr;
    }
    return f;
  }
  bool load(const char* regular_path, const char* bold_path) {
    static FT_Library ft = [] {
      FT_Library lib = nullptr;
      return FT_Init_FreeType(&lib) ? nullptr : lib;
    }();
    if (!ft) return false;
    regular = open(ft, regular_path);
    bold = open(ft, bold_path);
    return regular && bold;
  }
};

double text_width(cairo_t* cr, cairo_font_face_t* font, double size, const char* text) {
  cairo_set_font_face(cr, font);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t e;
  cairo_text_extents(cr, text, &e);
  return e.x_advance;
}

void text_at(cairo_t* cr, cairo_font_face_t* font, double size, double x, double y, const char* text) {
  cairo_set_font_face(cr, font);
  cairo_set_font_size(cr, size);
  cairo_move_to(cr, x, y);
  cairo_show_text(cr, text);
}

void centred(cairo_t* cr, cairo_font_face_t* font, double size, double y, const char* text, double max_width = 470) {
  double w = text_width(cr, font, size, text);
  while (w > max_width && size > 8) {  // a long product name: smaller, never clipped
    size -= 1;
    w = text_width(cr, font, size, text);
  }
  text_at(cr, font, size, (kPageW - w) / 2, y, text);
}

void star(cairo_t* cr, double cx, double cy, double r) {
  const double pi = 3.14159265358979;
  for (int i = 0; i < 10; ++i) {
    const double radius = i % 2 ? r * 0.382 : r;
    const double a = -pi / 2 + i * pi / 5;
    const double x = cx + radius * std::cos(a), y = cy + radius * std::sin(a);
    if (i == 0)
      cairo_move_to(cr, x, y);
    else
      cairo_line_to(cr, x, y);
  }
  cairo_close_path(cr);
  cairo_fill(cr);
}

// Splits on '\n'.
std::vector<std::string> lines_of(const char* text) {
  std::vector<std::string> out;
  std::string cur;
  for (const char* p = text ? text : ""; *p; ++p) {
    if (*p == '\n') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += *p;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

void draw_sheet(cairo_t* cr, const OcopCertificateSheet* s, const Fonts& fonts, const QRcode& q) {
  // A double frame in the programme's green.
  cairo_set_source_rgb(cr, 0.04, 0.43, 0.31);
  cairo_set_line_width(cr, 3);
  cairo_rectangle(cr, 28, 28, kPageW - 56, kPageH - 56);
  cairo_stroke(cr);
  cairo_set_line_width(cr, 0.8);
  cairo_rectangle(cr, 36, 36, kPageW - 72, kPageH - 72);
  cairo_stroke(cr);

  cairo_set_source_rgb(cr, 0, 0, 0);
  double y = 80;
  for (const std::string& l : lines_of(s->header)) {
    centred(cr, fonts.bold, 11, y, l.c_str());
    y += 16;
  }
  cairo_set_source_rgb(cr, 0.04, 0.43, 0.31);
  centred(cr, fonts.bold, 30, 210, s->title);
  centred(cr, fonts.bold, 20, 240, s->subtitle);
  cairo_set_source_rgb(cr, 0, 0, 0);
  centred(cr, fonts.bold, 20, 295, s->product);

  // The stars, drawn (not every reader's text layer has a ★), then in words.
  const int n = s->stars < 0 ? 0 : s->stars > 5 ? 5 : s->stars;
  const double gap = 34, x0 = kPageW / 2 - (n - 1) * gap / 2;
  cairo_set_source_rgb(cr, 0.85, 0.6, 0.05);
  for (int i = 0; i < n; ++i) star(cr, x0 + i * gap, 330, 13);
  cairo_set_source_rgb(cr, 0, 0, 0);
  centred(cr, fonts.bold, 14, 370, s->stars_text);

  y = 420;
  for (int i = 0; i < s->line_count; ++i) {
    const OcopSheetLine& l = s->lines[i];
    if (l.label && *l.label) {
      text_at(cr, fonts.regular, 11.5, 70, y, l.label);
      text_at(cr, fonts.bold, 11.5, 215, y, l.value ? l.value : "");
    } else {
      text_at(cr, fonts.regular, 11.5, 70, y, l.value ? l.value : "");
    }
    y += 22;
  }

  // The QR code, as filled squares (sharp at any resolution), bottom right, with its caption.
  const double side = 140, left = kPageW - 70 - side, top = kPageH - 95 - side;
  const double module = side / q.width;
  for (int my = 0; my < q.width; ++my)
    for (int mx = 0; mx < q.width; ++mx)
      if (dark(q, mx, my)) cairo_rectangle(cr, left + mx * module, top + my * module, module, module);
  cairo_fill(cr);
  double cy = top + side + 14;
  for (const std::string& l : lines_of(s->qr_caption)) {
    const double w = text_width(cr, fonts.regular, 8, l.c_str());
    text_at(cr, fonts.regular, 8, left + side / 2 - w / 2, cy, l.c_str());
    cy += 10;
  }
  double fy = kPageH - 150;
  for (const std::string& l : lines_of(s->footer)) {
    text_at(cr, fonts.regular, 10, 70, fy, l.c_str());
    fy += 14;
  }
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int ocop_write_qr(const char* text, const char* path, int svg,
                                                                     char* err, std::size_t err_size) {
  std::string why;
  Qr q = encode(text, why);
  if (!q) {
    set_error(err, err_size, why);
    return 1;
  }
  const int rc = svg ? write_svg(*q, path, why) : write_png(*q, path, why);
  if (rc) {
    std::remove(path);
    set_error(err, err_size, why);
  }
  return rc;
}

extern "C" __attribute__((visibility("default"))) int ocop_write_certificate_pdf(const OcopCertificateSheet* s,
                                                                                  const char* path, char* err,
                                                                                  std::size_t err_size) {
  std::string why;
  Qr q = encode(s->qr_text, why);
  if (!q) {
    set_error(err, err_size, why);
    return 1;
  }
  // cairo's own report of a path it cannot write is only "error while writing to output stream":
  // ask first, for a clear reason.
  if (std::FILE* f = std::fopen(path, "wb")) {
    std::fclose(f);
  } else {
    set_error(err, err_size, std::string("cannot write ") + path + ": " + std::strerror(errno));
    return 1;
  }
  Fonts fonts;
  if (!fonts.load(s->font_path, s->bold_font_path)) {
    std::remove(path);
    set_error(err, err_size, std::string("cannot load the fonts ") + s->font_path + " and " + s->bold_font_path +
                                 " (Debian: fonts-dejavu-core)");
    return 1;
  }
  cairo_surface_t* surface = cairo_pdf_surface_create(path, kPageW, kPageH);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, s->title);
  cairo_t* cr = cairo_create(surface);
  draw_sheet(cr, s, fonts, *q);
  cairo_show_page(cr);
  cairo_status_t status = cairo_status(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  if (status == CAIRO_STATUS_SUCCESS) status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) {
    std::remove(path);
    set_error(err, err_size, std::string("cannot write the PDF ") + path + ": " + cairo_status_to_string(status));
    return 1;
  }
  return 0;
}
