#include "print/printer.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <vector>

#include "print/print_module.hpp"
#include "store/modules.hpp"
#include "views/vietnamese.hpp"

namespace ocop::print {

namespace {

struct Module {
  OcopWriteQrFn qr = nullptr;
  OcopWriteSheetFn sheet = nullptr;
  OcopWriteDocumentFn document = nullptr;
  std::string error;
};

// Loaded once per process, on the first use.
const Module& module() {
  static const Module m = [] {
    Module out;
    std::string tried;
    void* lib = open_module(kPrintModuleFile, tried);
    if (lib) {
      out.qr = reinterpret_cast<OcopWriteQrFn>(dlsym(lib, kWriteQrSymbol));
      out.sheet = reinterpret_cast<OcopWriteSheetFn>(dlsym(lib, kWriteSheetSymbol));
      out.document = reinterpret_cast<OcopWriteDocumentFn>(dlsym(lib, kWriteDocumentSymbol));
    }
    if (!out.qr || !out.sheet || !out.document)
      out.error = std::string("printing (") + kPrintModuleFile + ") could not be loaded" +
                  (lib ? std::string(": a symbol is missing") : tried) +
                  " (set OCOP_PLUGIN_DIR to the directory that holds it)";
    return out;
  }();
  return m;
}

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

std::string font_dir() {
  const char* d = std::getenv("OCOP_FONT_DIR");
  return d && *d ? d : "/usr/share/fonts/truetype/dejavu";
}

bool http_url(const std::string& s) {
  const std::size_t rest = s.rfind("https://", 0) == 0 ? 8 : s.rfind("http://", 0) == 0 ? 7 : 0;
  if (!rest || s.size() <= rest || s.size() > 200) return false;
  for (char c : s)
    if (static_cast<unsigned char>(c) <= ' ' || c == '?' || c == '#' || c == '"' || c == '<' || c == '>') return false;
  return true;
}

}  // namespace

Status qr_format(const std::string& path, QrFormat& out) {
  const std::string ext = lower_extension(path);
  if (ext == ".png")
    out = QrFormat::png;
  else if (ext == ".svg")
    out = QrFormat::svg;
  else
    return Status::BadInput("--output " + path + ": the QR code is written as PNG or SVG, by the file's extension "
                            "(.png or .svg), not \"" + ext + "\"");
  return Status::Ok();
}

Status check_output(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (path.empty()) return Status::BadInput("--output needs a file name");
  if (fs::is_directory(path, ec)) return Status::BadInput("--output " + path + " is a directory, not a file");
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (!fs::is_directory(dir, ec)) return Status::BadInput("--output " + path + ": no directory " + dir.string());
  if (::access(dir.c_str(), W_OK) != 0 || (fs::exists(path, ec) && ::access(path.c_str(), W_OK) != 0))
    return Status::BadInput("--output " + path + ": cannot write there (permission denied)");
  return Status::Ok();
}

Status verification_url(const std::string& option, const Config& config, const std::string& code,
                        std::string& out) {
  std::string base = option.empty() ? config.province.public_url : option;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.empty())
    return Status::BadInput("no public address for the verification page: set province.public_url in the "
                            "configuration (config/README.md) or pass --base-url https://HOST");
  if (!http_url(base)) return Status::BadInput("--base-url must be http(s)://HOST[:PORT][/PATH], not \"" + base + "\"");
  out = base + "/verify/" + code;
  return Status::Ok();
}

Status write_qr(const std::string& text, const std::string& path) {
  QrFormat format;
  if (Status st = qr_format(path, format); !st.ok()) return st;
  if (Status st = check_output(path); !st.ok()) return st;
  const Module& m = module();
  if (!m.qr) return Status::Internal(m.error);
  char err[512] = "";
  if (m.qr(text.c_str(), path.c_str(), format == QrFormat::svg ? 1 : 0, err, sizeof err) != 0)
    return Status::Internal(err);
  return Status::Ok();
}

Status write_certificate_pdf(const PublicCertificate& c, const Config& config, const std::string& url, Date today,
                             const std::string& path) {
  using views::vn_date;
  using views::vn_level;
  if (lower_extension(path) != ".pdf")
    return Status::BadInput("--output " + path + ": the certificate is written as a PDF (.pdf)");
  if (Status st = check_output(path); !st.ok()) return st;
  const Module& m = module();
  if (!m.sheet) return Status::Internal(m.error);

  std::string issuer;
  if (c.level == "central")
    issuer = "B\u1ed8 N\u00d4NG NGHI\u1ec6P V\u00c0 M\u00d4I TR\u01af\u1edcNG";
  else if (c.level == "province")
    issuer = "\u1ee6Y BAN NH\u00c2N D\u00c2N T\u1ec8NH " + config.province.name;
  else
    issuer = "\u1ee6Y BAN NH\u00c2N D\u00c2N (" + vn_level(c.level) + ")";
  const std::string header = "C\u1ed8NG H\u00d2A X\u00c3 H\u1ed8I CH\u1ee6 NGH\u0128A VI\u1ec6T NAM\n"
                             "\u0110\u1ed9c l\u1eadp \u2013 T\u1ef1 do \u2013 H\u1ea1nh ph\u00fac\n\n" + issuer;
  const std::string stars = std::to_string(c.stars) + " sao";
  const std::string decision = "S\u1ed1 " + c.decision_no + " ng\u00e0y " + vn_date(c.decision_date);
  const std::string validity = "T\u1eeb " + vn_date(c.issued_on) + " \u0111\u1ebfn " + vn_date(c.valid_until);
  std::vector<std::pair<std::string, std::string>> rows = {
      {"Ch\u1ee7 th\u1ec3 s\u1ea3n xu\u1ea5t:", c.producer},
  };
  if (!c.unit_name.empty()) rows.emplace_back("\u0110\u1ecba ph\u01b0\u01a1ng:", c.unit_name);
  if (!c.product_set_name.empty()) rows.emplace_back("B\u1ed9 s\u1ea3n ph\u1ea9m:", c.product_set_name);
  rows.emplace_back("H\u1ea1ng sao:", stars);
  rows.emplace_back("C\u1ea5p c\u00f4ng nh\u1eadn:", vn_level(c.level));
  rows.emplace_back("Quy\u1ebft \u0111\u1ecbnh c\u00f4ng nh\u1eadn:", decision);
  rows.emplace_back("Th\u1eddi h\u1ea1n hi\u1ec7u l\u1ef1c:", validity);
  rows.emplace_back("S\u1ed1 gi\u1ea5y ch\u1ee9ng nh\u1eadn:", c.id);
  rows.emplace_back("M\u00e3 x\u00e1c th\u1ef1c:", c.code);
  std::vector<OcopSheetLine> lines;
  for (const auto& [label, value] : rows) lines.push_back({label.c_str(), value.c_str()});

  const std::string font = font_dir() + "/DejaVuSans.ttf", bold = font_dir() + "/DejaVuSans-Bold.ttf";
  const std::size_t cut = url.find("/verify/");
  const std::string caption = "Qu\u00e9t \u0111\u1ec3 ki\u1ec3m tra:\n" +
                              (cut == std::string::npos ? url : url.substr(0, cut) + "\n" + url.substr(cut));
  const std::string footer = "Qu\u00e9t m\u00e3 QR ho\u1eb7c m\u1edf \u0111\u1ecba ch\u1ec9 d\u01b0\u1edbi m\u00e3 "
                             "\u0111\u1ec3 bi\u1ebft\ntr\u1ea1ng th\u00e1i hi\u1ec7n t\u1ea1i c\u1ee7a gi\u1ea5y "
                             "ch\u1ee9ng nh\u1eadn\n(c\u00f2n hi\u1ec7u l\u1ef1c, h\u1ebft h\u1ea1n, b\u1ecb thu "
                             "h\u1ed3i).\n\nIn ng\u00e0y " + vn_date(today) + ".";
  OcopCertificateSheet sheet{};
  sheet.font_path = font.c_str();
  sheet.bold_font_path = bold.c_str();
  sheet.header = header.c_str();
  sheet.title = "GI\u1ea4Y CH\u1ee8NG NH\u1eacN";
  sheet.subtitle = "S\u1ea2N PH\u1ea8M OCOP";
  sheet.product = c.product.c_str();
  sheet.stars = c.stars;
  sheet.stars_text = stars.c_str();
  sheet.lines = lines.data();
  sheet.line_count = static_cast<int>(lines.size());
  sheet.qr_text = url.c_str();
  sheet.qr_caption = caption.c_str();
  sheet.footer = footer.c_str();
  char err[512] = "";
  if (m.sheet(&sheet, path.c_str(), err, sizeof err) != 0) return Status::Internal(err);
  return Status::Ok();
}

Status write_document_pdf(const Document& doc, const std::string& path) {
  // The C description points into `doc` and into these arrays, alive for the call.
  std::vector<OcopBlock> blocks;
  std::deque<std::vector<const char*>> strings;
  std::deque<std::vector<double>> numbers;
  std::deque<std::vector<int>> flags;
  auto c_strings = [&](const std::vector<std::string>& v) {
    auto& out = strings.emplace_back();
    for (const std::string& s : v) out.push_back(s.c_str());
    return out.data();
  };
  for (std::size_t i = 0; i < doc.blocks.size(); ++i) {
    const Block& b = doc.blocks[i];
    const std::string at = "the document's block " + std::to_string(i + 1) + ": ";
    OcopBlock c{};
    c.level = b.level;
    c.text = b.text.c_str();
    switch (b.kind) {
      case Block::Kind::heading: c.kind = OCOP_BLOCK_HEADING; break;
      case Block::Kind::paragraph: c.kind = OCOP_BLOCK_PARAGRAPH; break;
      case Block::Kind::page_break: c.kind = OCOP_BLOCK_PAGE_BREAK; break;
      case Block::Kind::table: {
        const Table& t = b.table;
        if (t.headers.empty() || t.widths.size() != t.headers.size())
          return Status::BadInput(at + "a table needs its headers and a width for each");
        c.kind = OCOP_BLOCK_TABLE;
        c.table.column_count = static_cast<int>(t.headers.size());
        c.table.headers = c_strings(t.headers);
        c.table.widths = numbers.emplace_back(t.widths).data();
        auto& numeric = flags.emplace_back(t.headers.size(), 0);
        for (std::size_t k = 0; k < t.numeric.size() && k < numeric.size(); ++k) numeric[k] = t.numeric[k] ? 1 : 0;
        c.table.numeric = numeric.data();
        auto& cells = strings.emplace_back();
        static const std::string empty;
        for (const auto& row : t.rows) {
          if (row.size() > t.headers.size()) return Status::BadInput(at + "a row longer than the table's header");
          for (std::size_t k = 0; k < t.headers.size(); ++k) cells.push_back((k < row.size() ? row[k] : empty).c_str());
        }
        c.table.row_count = static_cast<int>(t.rows.size());
        c.table.cells = cells.data();
        c.table.last_row_total = t.last_row_total ? 1 : 0;
        break;
      }
      case Block::Kind::bar_chart: {
        const BarChart& ch = b.chart;
        const std::size_t series = ch.series.size() > 1 ? ch.series.size() : 1;
        if (ch.values.size() != ch.labels.size() || ch.value_texts.size() != ch.labels.size())
          return Status::BadInput(at + "a chart needs a label, a value and its text for each bar");
        auto& values = numbers.emplace_back();
        for (const auto& v : ch.values) {
          if (v.size() != series) return Status::BadInput(at + "a bar needs one value per series");
          values.insert(values.end(), v.begin(), v.end());
        }
        c.kind = OCOP_BLOCK_BAR_CHART;
        c.chart.bar_count = static_cast<int>(ch.labels.size());
        c.chart.labels = c_strings(ch.labels);
        c.chart.value_texts = c_strings(ch.value_texts);
        c.chart.series_count = static_cast<int>(series);
        c.chart.series = c_strings(ch.series);
        c.chart.values = values.data();
        break;
      }
    }
    blocks.push_back(c);
  }
  const Module& m = module();
  if (!m.document) return Status::Internal(m.error);
  const std::string font = font_dir() + "/DejaVuSans.ttf", bold = font_dir() + "/DejaVuSans-Bold.ttf";
  OcopDocument d{};
  d.font_path = font.c_str();
  d.bold_font_path = bold.c_str();
  d.title = doc.title.c_str();
  d.footer = doc.footer.c_str();
  d.page_label = doc.page_label.c_str();
  d.blocks = blocks.data();
  d.block_count = static_cast<int>(blocks.size());
  char err[512] = "";
  if (m.document(&d, path.c_str(), err, sizeof err) != 0) return Status::Internal(err);
  return Status::Ok();
}

}  // namespace ocop::print
