#include "report/office_pdf.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <utility>

#include "report/labels.hpp"
#include "views/vietnamese.hpp"

namespace ocop::report {
namespace {

using print::BarChart;
using print::Block;
using print::Table;
using views::vn_date;
using views::vn_number;

constexpr std::size_t kChartUnits = 20;  // units charted by name; the others share one bar

Block heading(int level, std::string text) {
  Block b;
  b.kind = Block::Kind::heading;
  b.level = level;
  b.text = std::move(text);
  return b;
}

Block paragraph(std::string text, int level = 0) {
  Block b;
  b.kind = Block::Kind::paragraph;
  b.level = level;
  b.text = std::move(text);
  return b;
}

Block table(Table t) {
  Block b;
  b.kind = Block::Kind::table;
  b.table = std::move(t);
  return b;
}

Block chart(BarChart c) {
  Block b;
  b.kind = Block::Kind::bar_chart;
  b.chart = std::move(c);
  return b;
}

std::string n(std::int64_t v) { return vn_number(v); }

// The share of `part` in `whole` in percent, one decimal with a comma ("48,5"); "–" of nothing.
std::string percent(std::int64_t part, std::int64_t whole) {
  if (whole <= 0) return "\u2013";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  std::string out = buf;
  std::replace(out.begin(), out.end(), '.', ',');
  return out;
}

std::string unit_label(const Config& config, const std::string& code) {
  const std::string name = unit_name(config, code);
  return name.empty() ? code : name;
}

std::int64_t sum(const StageCounts& c) { return std::accumulate(c.begin(), c.end(), std::int64_t{0}); }

std::int64_t sum(const std::map<std::string, std::int64_t>& m) {
  std::int64_t out = 0;
  for (const auto& [k, v] : m) out += v;
  return out;
}

// One bar per count in `c`, and the table of them (label, count, share of `whole`) returned;
// the caller names its columns.
Table counts_chart(const std::vector<std::pair<std::string, std::int64_t>>& bars, std::int64_t whole, BarChart& c) {
  Table t;
  t.widths = {4, 1.6, 2};
  t.numeric = {false, true, true};
  for (const auto& [label, v] : bars) {
    c.labels.push_back(label);
    c.values.push_back({static_cast<double>(v)});
    c.value_texts.push_back(n(v));
    t.rows.push_back({label, n(v), percent(v, whole)});
  }
  return t;
}

void title_block(const OfficeReport& o, const Config& config, std::vector<Block>& out) {
  int year = 0;
  unsigned month = 0, day = 0;
  civil(o.as_of, year, month, day);
  out.push_back(paragraph("\u1ee6Y BAN NH\u00c2N D\u00c2N T\u1ec8NH " + config.province.name, 1));
  out.push_back(paragraph("V\u0103n ph\u00f2ng \u0111i\u1ec1u ph\u1ed1i Ch\u01b0\u01a1ng tr\u00ecnh OCOP", 1));
  out.push_back(heading(1, "B\u00c1O C\u00c1O K\u1ebeT QU\u1ea2 TH\u1ef0C HI\u1ec6N CH\u01af\u01a0NG TR\u00ccNH OCOP N\u0102M " +
                               std::to_string(year)));
  out.push_back(paragraph("Ch\u01b0\u01a1ng tr\u00ecnh M\u1ed7i x\u00e3 m\u1ed9t s\u1ea3n ph\u1ea9m \u2013 t\u1ec9nh " +
                              config.province.name,
                          1));
  char date[64];
  std::snprintf(date, sizeof date, ", ng\u00e0y %02u th\u00e1ng %02u n\u0103m %d", day, month, year);
  out.push_back(paragraph(config.province.name + date + " (s\u1ed1 li\u1ec7u \u0111\u1ebfn h\u1ebft ng\u00e0y " +
                              vn_date(o.as_of) + ")",
                          1));
}

void summary(const OfficeReport& o, std::vector<Block>& out) {
  const Report& r = o.report;
  const PromotionUnitRow& p = r.promotion;
  out.push_back(heading(2, "I. T\u1ed4NG H\u1ee2P K\u1ebeT QU\u1ea2"));
  out.push_back(heading(3, "B\u1ea3ng 1. C\u00e1c ch\u1ec9 ti\u00eau t\u1ed5ng h\u1ee3p"));
  Table t;
  t.headers = {"STT", "Ch\u1ec9 ti\u00eau", "S\u1ed1 l\u01b0\u1ee3ng"};
  t.widths = {0.6, 5, 1.6};
  t.numeric = {true, false, true};
  const std::vector<std::pair<std::string, std::int64_t>> rows = {
      {"T\u1ed5ng s\u1ed1 h\u1ed3 s\u01a1", r.dossiers()},
      {"H\u1ed3 s\u01a1 \u0111\u01b0\u1ee3c c\u00f4ng nh\u1eadn", count_in(r.dossiers_by_state, "recognized")},
      {"S\u1ea3n ph\u1ea9m OCOP c\u00f2n hi\u1ec7u l\u1ef1c", sum(r.certificates_by_stars)},
      {"S\u1ea3n ph\u1ea9m h\u1ea1ng 3 sao", count_in(r.certificates_by_stars, "3")},
      {"S\u1ea3n ph\u1ea9m h\u1ea1ng 4 sao", count_in(r.certificates_by_stars, "4")},
      {"S\u1ea3n ph\u1ea9m h\u1ea1ng 5 sao", count_in(r.certificates_by_stars, "5")},
      {"Gi\u1ea5y ch\u1ee9ng nh\u1eadn h\u1ebft h\u1ea1n trong " + std::to_string(o.expiring_within_days) +
           " ng\u00e0y t\u1edbi",
       static_cast<std::int64_t>(o.expiring.size())},
      {"Ho\u1ea1t \u0111\u1ed9ng x\u00fac ti\u1ebfn th\u01b0\u01a1ng m\u1ea1i", p.activities},
      {"L\u01b0\u1ee3t tham gia \u0111\u01b0\u1ee3c ch\u1ecdn", p.participations_selected},
      {"Kinh ph\u00ed h\u1ed7 tr\u1ee3 (\u0111\u1ed3ng)", p.support_vnd},
      {"Doanh thu (\u0111\u1ed3ng)", p.revenue_vnd},
      {"H\u1ee3p \u0111\u1ed3ng k\u00fd k\u1ebft", p.contracts},
  };
  std::size_t i = 0;
  for (const auto& [label, value] : rows) t.rows.push_back({std::to_string(++i), label, n(value)});
  out.push_back(table(std::move(t)));
}

void funnel(const OfficeReport& o, std::vector<Block>& out) {
  out.push_back(heading(2, "II. K\u1ebeT QU\u1ea2 THEO C\u00c1C B\u01af\u1edaC C\u1ee6A CHU TR\u00ccNH"));
  out.push_back(paragraph(
      "S\u1ed1 h\u1ed3 s\u01a1 \u0111\u00e3 \u0111\u1ebfn t\u1eebng b\u01b0\u1edbc c\u1ee7a chu tr\u00ecnh. H\u1ed3 s\u01a1 "
      "kh\u00f4ng \u0111\u01b0\u1ee3c c\u00f4ng nh\u1eadn \u0111\u01b0\u1ee3c t\u00ednh \u0111\u1ebfn b\u01b0\u1edbc \u0111\u00e1nh "
      "gi\u00e1; h\u1ed3 s\u01a1 b\u1ecb t\u1eeb ch\u1ed1i ho\u1eb7c \u0111\u00e3 r\u00fat ch\u1ec9 \u0111\u01b0\u1ee3c t\u00ednh "
      "\u1edf b\u01b0\u1edbc \u00fd t\u01b0\u1edfng.",
      2));
  out.push_back(heading(3, "Bi\u1ec3u \u0111\u1ed3 1. Ph\u1ec5u chu tr\u00ecnh OCOP"));
  std::vector<std::pair<std::string, std::int64_t>> bars;
  for (int k = 0; k < kFunnelStageCount; ++k)
    bars.emplace_back(stage_label(static_cast<CycleStage>(k)), o.funnel[static_cast<std::size_t>(k)]);
  BarChart c;
  Table t = counts_chart(bars, o.funnel[0], c);
  t.headers = {"B\u01b0\u1edbc", "S\u1ed1 h\u1ed3 s\u01a1", "T\u1ef7 l\u1ec7 so v\u1edbi s\u1ed1 \u00fd t\u01b0\u1edfng (%)"};
  out.push_back(chart(std::move(c)));
  out.push_back(heading(3, "B\u1ea3ng 2. S\u1ed1 h\u1ed3 s\u01a1 \u0111\u00e3 \u0111\u1ebfn t\u1eebng b\u01b0\u1edbc"));
  out.push_back(table(std::move(t)));
}

void units(const OfficeReport& o, const Config& config, std::vector<Block>& out) {
  out.push_back(heading(2, "III. H\u1ed2 S\u01a0 THEO \u0110\u01a0N V\u1eca"));
  out.push_back(heading(3, "Bi\u1ec3u \u0111\u1ed3 2. H\u1ed3 s\u01a1 theo \u0111\u01a1n v\u1ecb v\u00e0 b\u01b0\u1edbc hi\u1ec7n t\u1ea1i"));
  std::vector<std::pair<std::string, const StageCounts*>> ranked;
  for (const auto& [u, counts] : o.unit_stages) ranked.emplace_back(u, &counts);
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return sum(*a.second) > sum(*b.second); });
  BarChart c;
  for (int s = 0; s < kCycleStageCount; ++s) c.series.push_back(stage_label(static_cast<CycleStage>(s)));
  auto bar = [&](std::string label, const StageCounts& counts) {
    c.labels.push_back(std::move(label));
    c.values.emplace_back(counts.begin(), counts.end());
    c.value_texts.push_back(n(sum(counts)));
  };
  const std::size_t named = ranked.size() > kChartUnits + 1 ? kChartUnits : ranked.size();
  StageCounts others{};
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    if (i < named) {
      bar(unit_label(config, ranked[i].first), *ranked[i].second);
    } else {
      for (std::size_t s = 0; s < others.size(); ++s) others[s] += (*ranked[i].second)[s];
    }
  }
  if (named < ranked.size())
    bar("C\u00e1c \u0111\u01a1n v\u1ecb kh\u00e1c (" + std::to_string(ranked.size() - named) + ")", others);
  if (c.labels.empty())
    out.push_back(paragraph("Ch\u01b0a c\u00f3 h\u1ed3 s\u01a1 n\u00e0o.", 2));
  else
    out.push_back(chart(std::move(c)));

  out.push_back(heading(3, "B\u1ea3ng 3. H\u1ed3 s\u01a1 theo \u0111\u01a1n v\u1ecb v\u00e0 b\u01b0\u1edbc hi\u1ec7n t\u1ea1i"));
  Table t;
  t.headers = {"M\u00e3 \u0111\u01a1n v\u1ecb", "\u0110\u01a1n v\u1ecb"};
  t.widths = {2.0, 1.8};  // a unit's code on one line (up to 16 characters)
  t.numeric = {false, false};
  for (int s = 0; s < kCycleStageCount; ++s) {
    t.headers.push_back(stage_label(static_cast<CycleStage>(s)));
    t.widths.push_back(1.05);
    t.numeric.push_back(true);
  }
  t.headers.push_back("T\u1ed5ng s\u1ed1 h\u1ed3 s\u01a1");
  t.widths.push_back(1.0);
  t.numeric.push_back(true);
  auto row = [&](std::string code, std::string name, const StageCounts& counts) {
    std::vector<std::string> cells = {std::move(code), std::move(name)};
    for (std::int64_t v : counts) cells.push_back(n(v));
    cells.push_back(n(sum(counts)));
    t.rows.push_back(std::move(cells));
  };
  for (const auto& [u, counts] : o.unit_stages) row(u, unit_name(config, u), counts);
  row("T\u1ed5ng c\u1ed9ng", "", o.stages);
  t.last_row_total = true;
  out.push_back(table(std::move(t)));
}

void stars(const OfficeReport& o, const Config& config, std::vector<Block>& out) {
  const Report& r = o.report;
  out.push_back(heading(2, "IV. S\u1ea2N PH\u1ea8M OCOP C\u00d2N HI\u1ec6U L\u1ef0C THEO H\u1ea0NG SAO"));
  out.push_back(heading(3, "Bi\u1ec3u \u0111\u1ed3 3. S\u1ea3n ph\u1ea9m OCOP c\u00f2n hi\u1ec7u l\u1ef1c theo h\u1ea1ng sao"));
  const std::int64_t all = sum(r.certificates_by_stars);
  std::vector<std::pair<std::string, std::int64_t>> bars;
  for (const char* k : {"3", "4", "5"}) bars.emplace_back(std::string(k) + " sao", count_in(r.certificates_by_stars, k));
  BarChart c;
  Table t = counts_chart(bars, all, c);
  t.headers = {"H\u1ea1ng sao", "S\u1ed1 s\u1ea3n ph\u1ea9m", "T\u1ef7 l\u1ec7 (%)"};
  t.rows.push_back({"T\u1ed5ng c\u1ed9ng", n(all), percent(all, all)});
  t.last_row_total = true;
  out.push_back(chart(std::move(c)));
  out.push_back(heading(3, "B\u1ea3ng 4. S\u1ea3n ph\u1ea9m OCOP c\u00f2n hi\u1ec7u l\u1ef1c theo h\u1ea1ng sao"));
  out.push_back(table(std::move(t)));

  out.push_back(heading(3, "B\u1ea3ng 5. S\u1ea3n ph\u1ea9m OCOP c\u00f2n hi\u1ec7u l\u1ef1c theo \u0111\u01a1n v\u1ecb"));
  Table u;
  u.headers = {"M\u00e3 \u0111\u01a1n v\u1ecb", "\u0110\u01a1n v\u1ecb", "3 sao", "4 sao", "5 sao", "T\u1ed5ng s\u1ed1"};
  u.widths = {2.0, 3, 1, 1, 1, 1.1};
  u.numeric = {false, false, true, true, true, true};
  auto row = [&](std::string code, std::string name, const std::map<std::string, std::int64_t>& m) {
    u.rows.push_back({std::move(code), std::move(name), n(count_in(m, "3")), n(count_in(m, "4")),
                      n(count_in(m, "5")), n(sum(m))});
  };
  for (const auto& [code, m] : r.unit_certificates_by_stars) row(code, unit_name(config, code), m);
  row("T\u1ed5ng c\u1ed9ng", "", r.certificates_by_stars);
  u.last_row_total = true;
  out.push_back(table(std::move(u)));
}

void expiring(const OfficeReport& o, const Config& config, std::vector<Block>& out) {
  out.push_back(heading(2, "V. GI\u1ea4Y CH\u1ee8NG NH\u1eacN S\u1eaeP H\u1ebeT H\u1ea0N"));
  const std::string horizon = vn_date(add_days(o.as_of, o.expiring_within_days));
  std::vector<const RecognisedProduct*> list;
  for (const RecognisedProduct& p : o.expiring) list.push_back(&p);
  std::stable_sort(list.begin(), list.end(), [](const RecognisedProduct* a, const RecognisedProduct* b) {
    return a->certificate.valid_until.days < b->certificate.valid_until.days;
  });
  if (list.empty()) {
    out.push_back(paragraph("Kh\u00f4ng c\u00f3 gi\u1ea5y ch\u1ee9ng nh\u1eadn n\u00e0o h\u1ebft h\u1ea1n trong " +
                            std::to_string(o.expiring_within_days) + " ng\u00e0y t\u1edbi (\u0111\u1ebfn ng\u00e0y " +
                            horizon + ")."));
  } else {
    out.push_back(paragraph(std::to_string(list.size()) +
                            " gi\u1ea5y ch\u1ee9ng nh\u1eadn c\u00f2n hi\u1ec7u l\u1ef1c h\u1ebft h\u1ea1n trong " +
                            std::to_string(o.expiring_within_days) + " ng\u00e0y t\u1edbi (\u0111\u1ebfn ng\u00e0y " +
                            horizon + "), h\u1ebft h\u1ea1n s\u1edbm nh\u1ea5t tr\u01b0\u1edbc."));
  }
  out.push_back(heading(3, "B\u1ea3ng 6. Danh s\u00e1ch gi\u1ea5y ch\u1ee9ng nh\u1eadn s\u1eafp h\u1ebft h\u1ea1n"));
  Table t;
  t.headers = {"STT",       "T\u00ean s\u1ea3n ph\u1ea9m", "Ch\u1ee7 th\u1ec3",  "\u0110\u01a1n v\u1ecb",
               "H\u1ea1ng sao", "Hi\u1ec7u l\u1ef1c \u0111\u1ebfn", "C\u00f2n l\u1ea1i (ng\u00e0y)"};
  t.widths = {0.55, 3.2, 2.4, 2, 0.8, 1.3, 1};
  t.numeric = {true, false, false, false, true, false, true};
  std::size_t i = 0;
  for (const RecognisedProduct* p : list) {
    const Certificate& c = p->certificate;
    t.rows.push_back({std::to_string(++i), c.product, p->producer, unit_label(config, c.unit), std::to_string(c.stars),
                      vn_date(c.valid_until), n(c.valid_until.days - o.as_of.days)});
  }
  out.push_back(table(std::move(t)));
}

void promotion(const OfficeReport& o, const Config& config, std::vector<Block>& out) {
  const Report& r = o.report;
  out.push_back(heading(2, "VI. X\u00daC TI\u1ebeN TH\u01af\u01a0NG M\u1ea0I"));
  out.push_back(heading(3, "B\u1ea3ng 7. X\u00fac ti\u1ebfn th\u01b0\u01a1ng m\u1ea1i theo \u0111\u01a1n v\u1ecb"));
  Table t;
  t.headers = {"M\u00e3 \u0111\u01a1n v\u1ecb",
               "\u0110\u01a1n v\u1ecb",
               "Ho\u1ea1t \u0111\u1ed9ng t\u1ed5 ch\u1ee9c",
               "L\u01b0\u1ee3t tham gia \u0111\u01b0\u1ee3c ch\u1ecdn",
               "Kinh ph\u00ed h\u1ed7 tr\u1ee3 (\u0111\u1ed3ng)",
               "Doanh thu (\u0111\u1ed3ng)",
               "H\u1ee3p \u0111\u1ed3ng"};
  t.widths = {2.0, 2.0, 1.0, 1.0, 1.5, 1.5, 0.9};
  t.numeric = {false, false, true, true, true, true, true};
  auto row = [&](std::string code, std::string name, const PromotionUnitRow& p) {
    t.rows.push_back({std::move(code), std::move(name), n(p.activities), n(p.participations_selected),
                      n(p.support_vnd), n(p.revenue_vnd), n(p.contracts)});
  };
  for (const auto& [code, p] : r.unit_promotion) row(code, unit_name(config, code), p);
  row("T\u1ed5ng c\u1ed9ng", "", r.promotion);
  t.last_row_total = true;
  out.push_back(table(std::move(t)));

  out.push_back(heading(3, "B\u1ea3ng 8. H\u1eadu ki\u1ec3m s\u1ea3n ph\u1ea9m theo k\u1ebft qu\u1ea3"));
  Table h;
  h.headers = {"K\u1ebft qu\u1ea3", "S\u1ed1 l\u01b0\u1ee3t"};
  h.widths = {4, 1.6};
  h.numeric = {false, true};
  for (const auto& [result, count] : r.promotion.inspections_by_result) h.rows.push_back({inspection_label(result), n(count)});
  h.rows.push_back({"T\u1ed5ng c\u1ed9ng", n(sum(r.promotion.inspections_by_result))});
  h.last_row_total = true;
  out.push_back(table(std::move(h)));
}

}  // namespace

print::Document office_document(const OfficeReport& r, const Config& config) {
  print::Document d;
  d.title = "B\u00e1o c\u00e1o k\u1ebft qu\u1ea3 Ch\u01b0\u01a1ng tr\u00ecnh OCOP ng\u00e0y " + format_date(r.as_of);
  d.footer = "B\u00e1o c\u00e1o k\u1ebft qu\u1ea3 Ch\u01b0\u01a1ng tr\u00ecnh OCOP \u2013 t\u1ec9nh " + config.province.name +
             " \u2013 s\u1ed1 li\u1ec7u ng\u00e0y " + vn_date(r.as_of);
  d.page_label = "Trang";
  title_block(r, config, d.blocks);
  summary(r, d.blocks);
  funnel(r, d.blocks);
  units(r, config, d.blocks);
  stars(r, config, d.blocks);
  expiring(r, config, d.blocks);
  promotion(r, config, d.blocks);
  return d;
}

std::string office_pdf_file_name(const OfficeReport& r) { return "bao-cao-ocop-" + format_date(r.as_of) + ".pdf"; }

Status write_office_pdf(const OfficeReport& r, const Config& config, const std::string& path) {
  return print::write_document_pdf(office_document(r, config), path);
}

}  // namespace ocop::report
