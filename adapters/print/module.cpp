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

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
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

// Creates `file` (empty) to learn whether it can be written (cairo's own report of a path it
// cannot write is only "error while writing to output stream") and loads the fonts. False with
// the reason, naming `shown`, in `why`; nothing is left behind.
bool open_output(const char* file, const char* shown, const char* font, const char* bold, Fonts& fonts,
                 std::string& why) {
  if (std::FILE* f = std::fopen(file, "wb")) {
    std::fclose(f);
  } else {
    why = std::string("cannot write ") + shown + ": " + std::strerror(errno);
    return false;
  }
  if (!fonts.load(font, bold)) {
    std::remove(file);
    why = std::string("cannot load the fonts ") + font + " and " + bold + " (Debian: fonts-dejavu-core)";
    return false;
  }
  return true;
}

// Ends the drawing and writes the file out; false (the file removed) with the reason in `why`.
bool finish(cairo_t* cr, cairo_surface_t* surface, const char* file, const char* shown, std::string& why) {
  cairo_status_t status = cairo_status(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  if (status == CAIRO_STATUS_SUCCESS) status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status == CAIRO_STATUS_SUCCESS) return true;
  std::remove(file);
  why = std::string("cannot write the PDF ") + shown + ": " + cairo_status_to_string(status);
  return false;
}

// --- documents of generic blocks (OcopDocument) ------------------------------------------------

constexpr std::size_t kMaxText = 2000;  // bytes of one string laid out; longer is cut ("…")
constexpr const char* kEllipsis = "\u2026";
constexpr double kLeft = 50, kRight = kPageW - 50, kTop = 50, kBottom = kPageH - 62;

bool zero_width(std::uint32_t cp) {  // format characters: nothing to draw (bidi controls included)
  return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) ||
         cp == 0xFEFF || cp == 0xAD;
}

// The text as cairo may draw it on one line: valid UTF-8 (an invalid sequence becomes U+FFFD),
// control characters (C0, DEL, C1, line and paragraph separators) a space, format characters
// dropped, at most two combining marks on a letter (no tower over the line above), at most
// kMaxText bytes.
std::string clean(const char* in) {
  std::string out;
  if (!in) return out;
  const auto* p = reinterpret_cast<const unsigned char*>(in);
  int marks = 0;
  while (*p) {
    if (out.size() >= kMaxText) {
      out += kEllipsis;
      break;
    }
    const unsigned char c = *p;
    if (c < 0x80) {
      out += (c < 0x20 || c == 0x7f) ? ' ' : static_cast<char>(c);
      marks = 0;
      ++p;
      continue;
    }
    const int len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    std::uint32_t cp = len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
    int i = 1;
    for (; i < len && (p[i] & 0xC0) == 0x80; ++i) cp = (cp << 6) | (p[i] & 0x3Fu);
    const bool ok = len && i == len && !(len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) &&
                    !(len == 4 && (cp < 0x10000 || cp > 0x10FFFF));
    if (!ok) {
      out += "\uFFFD";
      marks = 0;
      p += i;  // the lead byte and the continuation bytes that followed it
      continue;
    }
    const bool combining = (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
                           (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
                           (cp >= 0xFE20 && cp <= 0xFE2F);
    if ((cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029) {
      out += ' ';
      marks = 0;
    } else if (zero_width(cp) || (combining && ++marks > 2)) {
      // dropped
    } else {
      if (!combining) marks = 0;
      out.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(len));
    }
    p += len;
  }
  return out;
}

// Where each character (code point) of valid UTF-8 starts, and the end.
std::vector<std::size_t> boundaries(const std::string& s) {
  std::vector<std::size_t> b;
  for (std::size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) b.push_back(i);
  b.push_back(s.size());
  return b;
}

struct Face {
  cairo_font_face_t* font;
  double size;
};

double width_of(cairo_t* cr, Face f, const std::string& s) { return text_width(cr, f.font, f.size, s.c_str()); }

// The longest start of `s` (whole characters, at least one) no wider than `w`, with `suffix`.
std::size_t fitting_prefix(cairo_t* cr, Face f, const std::string& s, double w, const std::string& suffix = "") {
  const std::vector<std::size_t> b = boundaries(s);
  std::size_t lo = 1, hi = b.size() - 1;  // counts of characters; answer in [1, hi]
  if (hi == 0) return 0;
  while (lo < hi) {
    const std::size_t mid = (lo + hi + 1) / 2;
    if (width_of(cr, f, s.substr(0, b[mid]) + suffix) <= w)
      lo = mid;
    else
      hi = mid - 1;
  }
  return b[lo];
}

// `s` cut with an ellipsis to fit `w`.
std::string ellipsize(cairo_t* cr, Face f, const std::string& s, double w) {
  if (width_of(cr, f, s) <= w) return s;
  std::string cut = s.substr(0, fitting_prefix(cr, f, s, w, kEllipsis));
  while (!cut.empty() && cut.back() == ' ') cut.pop_back();
  return cut + kEllipsis;
}

// `s` in lines no wider than `w`, broken at spaces (a word wider than a line is broken where it
// must); at most `max_lines` (0: any), the last cut with an ellipsis when the text goes on.
std::vector<std::string> wrap(cairo_t* cr, Face f, const std::string& s, double w, std::size_t max_lines) {
  std::vector<std::string> lines;
  std::string rest = s;
  auto ltrim = [](std::string& t) { t.erase(0, std::min(t.find_first_not_of(' '), t.size())); };
  ltrim(rest);
  while (!rest.empty()) {
    if (max_lines && lines.size() + 1 == max_lines) {
      lines.push_back(ellipsize(cr, f, rest, w));
      break;
    }
    if (width_of(cr, f, rest) <= w) {
      lines.push_back(rest);
      break;
    }
    std::size_t cut = 0;
    for (std::size_t sp = rest.find(' '); sp != std::string::npos; sp = rest.find(' ', sp + 1)) {
      if (width_of(cr, f, rest.substr(0, sp)) > w) break;
      cut = sp;
    }
    if (cut == 0) cut = fitting_prefix(cr, f, rest, w);
    std::string line = rest.substr(0, cut);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    lines.push_back(line);
    rest.erase(0, cut);
    ltrim(rest);
  }
  if (lines.empty()) lines.emplace_back();
  return lines;
}

void colour(cairo_t* cr, unsigned rgb) {
  cairo_set_source_rgb(cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0);
}

constexpr unsigned kInk = 0x1a1a1a, kGreen = 0x0b6e4f, kGrey = 0x666666, kRule = 0xb8c4be, kShade = 0xe3efe9;
constexpr unsigned kPalette[] = {0x0b6e4f, 0x2a9d8f, 0xe9c46a, 0xf4a261, 0xe76f51, 0x8d99ae, 0x264653, 0xb56576};

// Lays the blocks out page after page. Run twice: on a scratch surface to count the pages, then
// on the PDF (`pdf` set) with the count known for "n/N".
struct Layout {
  Layout(cairo_t* c, const Fonts& f, const OcopDocument& d, cairo_surface_t* pdf_surface, int page_count)
      : cr(c), fonts(f), doc(d), pdf(pdf_surface), pages(page_count) {}

  cairo_t* cr;
  const Fonts& fonts;
  const OcopDocument& doc;
  cairo_surface_t* pdf;  // the second run's (the outline's entries are added to it)
  int pages;             // known on the second run (0 on the first)
  int page = 1;
  double y = kTop;

  Face regular(double size) const { return {fonts.regular, size}; }
  Face bold(double size) const { return {fonts.bold, size}; }

  void text(Face f, double x, double baseline, const std::string& s) {
    text_at(cr, f.font, f.size, x, baseline, s.c_str());
  }

  void foot() {
    colour(cr, kRule);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, kLeft, kBottom + 22);
    cairo_line_to(cr, kRight, kBottom + 22);
    cairo_stroke(cr);
    colour(cr, kGrey);
    const std::string n = clean(doc.page_label) + " " + std::to_string(page) + "/" +
                          (pages ? std::to_string(pages) : std::string("?"));
    const double nw = width_of(cr, regular(8), n);
    text(regular(8), kRight - nw, kBottom + 36, n);
    text(regular(8), kLeft, kBottom + 36, ellipsize(cr, regular(8), clean(doc.footer), kRight - kLeft - nw - 20));
  }

  void new_page() {
    foot();
    cairo_show_page(cr);
    ++page;
    y = kTop;
  }

  // Room for `h` more points on this page, else the next (unless this one is still empty).
  void need(double h) {
    if (y + h > kBottom && y > kTop) new_page();
  }

  void lines(Face f, const std::vector<std::string>& ls, double line_h, bool centred, unsigned ink) {
    for (const std::string& l : ls) {
      need(line_h);
      colour(cr, ink);
      const double x = centred ? (kPageW - width_of(cr, f, l)) / 2 : kLeft;
      text(f, x, y + f.size * 1.05, l);
      y += line_h;
    }
  }

  void heading(const OcopBlock& b) {
    const int level = b.level < 1 ? 1 : b.level > 3 ? 3 : b.level;
    const Face f = bold(level == 1 ? 13 : level == 2 ? 12 : 10.5);
    const std::vector<std::string> ls = wrap(cr, f, clean(b.text), kRight - kLeft, 0);
    const double line_h = f.size * 1.45;
    if (y > kTop) y += level == 1 ? 4 : level == 2 ? 12 : 6;
    need(line_h * static_cast<double>(ls.size()) + 80);  // a heading stays with what follows it
    if (pdf && level == 2) {
      const std::string where = "page=" + std::to_string(page) + " pos=[" + std::to_string(kLeft) + " " +
                                std::to_string(y) + "]";
      cairo_pdf_surface_add_outline(pdf, CAIRO_PDF_OUTLINE_ROOT, ls.front().c_str(), where.c_str(),
                                    static_cast<cairo_pdf_outline_flags_t>(0));
    }
    lines(f, ls, line_h, level == 1, level == 3 ? kInk : kGreen);
    y += level == 1 ? 2 : 3;
  }

  void paragraph(const OcopBlock& b) {
    const Face f = regular(b.level == 2 ? 8.5 : 10);
    lines(f, wrap(cr, f, clean(b.text), kRight - kLeft, 0), f.size * 1.45, b.level == 1, b.level == 2 ? kGrey : kInk);
    y += 4;
  }

  void table(const OcopTable& t) {
    const int n = t.column_count;
    double total = 0;
    for (int c = 0; c < n; ++c) total += t.widths[c] > 0 ? t.widths[c] : 1;
    std::vector<double> x(static_cast<std::size_t>(n) + 1, kLeft);
    for (int c = 0; c < n; ++c)
      x[static_cast<std::size_t>(c) + 1] = x[static_cast<std::size_t>(c)] +
                                           (kRight - kLeft) * (t.widths[c] > 0 ? t.widths[c] : 1) / total;
    constexpr double pad = 3, body = 8.5, line_h = 10.5;
    using Cells = std::vector<std::vector<std::string>>;
    auto layout_row = [&](const char* const* cells, Face f, std::size_t max_lines, double& h) {
      Cells out;
      std::size_t most = 1;
      for (int c = 0; c < n; ++c) {
        const double w = x[static_cast<std::size_t>(c) + 1] - x[static_cast<std::size_t>(c)] - 2 * pad;
        out.push_back(wrap(cr, f, clean(cells[c]), w, max_lines));
        most = std::max(most, out.back().size());
      }
      h = static_cast<double>(most) * line_h + 2 * pad;
      return out;
    };
    auto draw_row = [&](const Cells& cells, Face f, double h, bool shaded) {
      if (shaded) {
        colour(cr, kShade);
        cairo_rectangle(cr, kLeft, y, kRight - kLeft, h);
        cairo_fill(cr);
      }
      colour(cr, kRule);
      cairo_set_line_width(cr, 0.5);
      cairo_rectangle(cr, kLeft, y, kRight - kLeft, h);
      for (int c = 1; c < n; ++c) {
        cairo_move_to(cr, x[static_cast<std::size_t>(c)], y);
        cairo_line_to(cr, x[static_cast<std::size_t>(c)], y + h);
      }
      cairo_stroke(cr);
      colour(cr, kInk);
      for (int c = 0; c < n; ++c) {
        double baseline = y + pad + f.size;
        for (const std::string& l : cells[static_cast<std::size_t>(c)]) {
          const double lx = t.numeric && t.numeric[c]
                                ? x[static_cast<std::size_t>(c) + 1] - pad - width_of(cr, f, l)
                                : x[static_cast<std::size_t>(c)] + pad;
          text(f, lx, baseline, l);
          baseline += line_h;
        }
      }
      y += h;
    };
    double head_h = 0;
    const Cells head = layout_row(t.headers, bold(8), 5, head_h);
    auto header = [&] { draw_row(head, bold(8), head_h, true); };
    for (int r = 0; r < t.row_count; ++r) {
      const bool total_row = t.last_row_total && r == t.row_count - 1;
      const Face f = total_row ? bold(body) : regular(body);
      double h = 0;
      const Cells row = layout_row(t.cells + static_cast<std::ptrdiff_t>(r) * n, f, 3, h);
      if (r == 0) {
        need(head_h + h);
        header();
      } else if (y + h > kBottom) {
        new_page();
        header();
      }
      draw_row(row, f, h, total_row);
    }
    if (t.row_count == 0) {
      need(head_h);
      header();
    }
    y += 8;
  }

  static double nice(double v) {  // 1, 2 or 5 times a power of ten, at least v
    if (v <= 0) return 1;
    const double p = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
      if (m * p >= v) return m * p;
    return 10 * p;
  }

  static std::string number(double v) {
    char buf[32];
    if (std::fabs(v - std::round(v)) < 1e-9)
      std::snprintf(buf, sizeof buf, "%.0f", v);
    else
      std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
  }

  void chart(const OcopBarChart& c) {
    const int series = c.series_count < 1 ? 1 : c.series_count;
    auto value = [&](int bar, int s) {  // negative, infinite or not a number: nothing to draw
      const double v = c.values[static_cast<std::ptrdiff_t>(bar) * series + s];
      return std::isfinite(v) && v > 0 ? v : 0.0;
    };
    const Face label_f = regular(8.5), value_f = bold(8.5), tick_f = regular(7.5);
    double label_w = 0, value_w = 0, most = 0;
    std::vector<std::string> labels, values;
    for (int i = 0; i < c.bar_count; ++i) {
      labels.push_back(clean(c.labels[i]));
      values.push_back(clean(c.value_texts ? c.value_texts[i] : ""));
      label_w = std::max(label_w, width_of(cr, label_f, labels.back()));
      value_w = std::max(value_w, width_of(cr, value_f, values.back()));
      double sum = 0;
      for (int s = 0; s < series; ++s) sum += value(i, s);
      most = std::max(most, sum);
    }
    label_w = std::min(label_w, (kRight - kLeft) * 0.38) + 8;
    value_w = std::min(value_w, 90.0) + 8;
    const double x0 = kLeft + label_w, span = kRight - value_w - x0, bar = 13, gap = 6;
    // The scale: a round maximum in four or five steps.
    if (!std::isfinite(most) || most > 1e300) most = 1e300;  // a sum of huge values stays finite
    const double step = nice(most / 5), top = step * std::ceil(std::max(most, 1e-9) / step);

    // The legend and the first bars (up to six) on one page.
    need((series > 1 ? 20 : 0) + std::min(static_cast<double>(c.bar_count), 6.0) * (bar + gap) + 14);
    // The legend of stacked series, as many rows as it takes.
    if (series > 1) {
      double lx = x0;
      for (int s = 0; s < series; ++s) {
        const std::string name = ellipsize(cr, label_f, clean(c.series ? c.series[s] : ""), span);
        const double w = 12 + width_of(cr, label_f, name) + 12;
        if (lx + w > kRight && lx > x0) {
          lx = x0;
          y += 14;
          need(14);
        }
        colour(cr, kPalette[s % 8]);
        cairo_rectangle(cr, lx, y + 1.5, 8, 8);
        cairo_fill(cr);
        colour(cr, kInk);
        text(label_f, lx + 12, y + 9, name);
        lx += w;
      }
      y += 20;
    }
    auto grid = [&](double from, double to) {  // vertical lines at each step, between two heights
      cairo_set_line_width(cr, 0.4);
      colour(cr, kRule);
      for (double v = 0; v <= top + step / 2; v += step) {
        const double gx = x0 + span * v / top;
        cairo_move_to(cr, gx, from);
        cairo_line_to(cr, gx, to);
      }
      cairo_stroke(cr);
    };
    auto ticks = [&] {
      colour(cr, kGrey);
      for (double v = 0; v <= top + step / 2; v += step) {
        const std::string t = number(v);
        text(tick_f, x0 + span * v / top - width_of(cr, tick_f, t) / 2, y + 9, t);
      }
      y += 14;
    };
    double section = y;  // where this page's part of the chart starts
    for (int i = 0; i < c.bar_count; ++i) {
      if (y + bar + gap + 14 > kBottom && y > kTop) {
        grid(section, y);
        ticks();
        new_page();
        section = y;
      }
      colour(cr, kInk);
      text(label_f, kLeft, y + bar - 3, ellipsize(cr, label_f, labels[static_cast<std::size_t>(i)], label_w - 8));
      double bx = x0;
      for (int s = 0; s < series; ++s) {
        const double w = std::min(span * value(i, s) / top, x0 + span - bx);
        if (w <= 0) continue;
        colour(cr, kPalette[(series > 1 ? s : 0) % 8]);
        cairo_rectangle(cr, bx, y, w, bar);
        cairo_fill(cr);
        bx += w;
      }
      colour(cr, kInk);
      text(value_f, bx + 4, y + bar - 3, ellipsize(cr, value_f, values[static_cast<std::size_t>(i)], value_w - 6));
      y += bar + gap;
    }
    grid(section, y);
    colour(cr, kInk);
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, x0, section);
    cairo_line_to(cr, x0, y);
    cairo_stroke(cr);
    ticks();
    y += 6;
  }

  void run() {
    for (int i = 0; i < doc.block_count; ++i) {
      const OcopBlock& b = doc.blocks[i];
      switch (b.kind) {
        case OCOP_BLOCK_HEADING: heading(b); break;
        case OCOP_BLOCK_PARAGRAPH: paragraph(b); break;
        case OCOP_BLOCK_TABLE: table(b.table); break;
        case OCOP_BLOCK_BAR_CHART: chart(b.chart); break;
        case OCOP_BLOCK_PAGE_BREAK:
          if (y > kTop) new_page();
          break;
        default: break;
      }
    }
    foot();
    cairo_show_page(cr);
  }
};

// What the module needs to lay a document out without reading past an array: a reason, or "".
std::string check_document(const OcopDocument& d) {
  if (!d.font_path || !d.bold_font_path) return "no font";
  if (d.block_count < 0 || (d.block_count > 0 && !d.blocks)) return "no blocks";
  for (int i = 0; i < d.block_count; ++i) {
    const OcopBlock& b = d.blocks[i];
    const std::string at = "block " + std::to_string(i + 1) + ": ";
    if (b.kind == OCOP_BLOCK_TABLE) {
      const OcopTable& t = b.table;
      if (t.column_count < 1 || t.column_count > 40) return at + "a table has 1 to 40 columns";
      if (!t.headers || !t.widths || t.row_count < 0 || (t.row_count > 0 && !t.cells)) return at + "a table without its arrays";
    } else if (b.kind == OCOP_BLOCK_BAR_CHART) {
      const OcopBarChart& c = b.chart;
      if (c.bar_count < 0 || c.series_count > 8 || (c.bar_count > 0 && (!c.labels || !c.values)))
        return at + "a chart without its arrays (or more than 8 series)";
      if (c.series_count > 1 && !c.series) return at + "a stacked chart without its series' names";
    }
  }
  return "";
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
  Fonts fonts;
  if (!open_output(path, path, s->font_path, s->bold_font_path, fonts, why)) {
    set_error(err, err_size, why);
    return 1;
  }
  cairo_surface_t* surface = cairo_pdf_surface_create(path, kPageW, kPageH);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, s->title);
  cairo_t* cr = cairo_create(surface);
  draw_sheet(cr, s, fonts, *q);
  cairo_show_page(cr);
  if (!finish(cr, surface, path, path, why)) {
    set_error(err, err_size, why);
    return 1;
  }
  return 0;
}

extern "C" __attribute__((visibility("default"))) int ocop_write_document_pdf(const OcopDocument* d, const char* path,
                                                                               char* err, std::size_t err_size) {
  if (const std::string bad = d ? check_document(*d) : "no document"; !bad.empty()) {
    set_error(err, err_size, "the document cannot be laid out: " + bad);
    return 1;
  }
  const std::string part = std::string(path) + ".part";
  std::string why;
  Fonts fonts;
  if (!open_output(part.c_str(), path, d->font_path, d->bold_font_path, fonts, why)) {
    set_error(err, err_size, why);
    return 1;
  }
  // First run: the pages counted on a scratch surface (nothing kept).
  int pages = 0;
  {
    cairo_surface_t* scratch = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
    cairo_t* cr = cairo_create(scratch);
    Layout count(cr, fonts, *d, nullptr, 0);
    count.run();
    pages = count.page;
    cairo_destroy(cr);
    cairo_surface_destroy(scratch);
  }
  cairo_surface_t* surface = cairo_pdf_surface_create(part.c_str(), kPageW, kPageH);
  const std::string title = clean(d->title);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "ocop");
  cairo_t* cr = cairo_create(surface);
  Layout layout(cr, fonts, *d, surface, pages);
  layout.run();
  if (!finish(cr, surface, part.c_str(), path, why)) {
    set_error(err, err_size, why);
    return 1;
  }
  if (std::rename(part.c_str(), path) != 0) {
    set_error(err, err_size, std::string("cannot write ") + path + ": " + std::strerror(errno));
    std::remove(part.c_str());
    return 1;
  }
  return 0;
}
