#include "report/office_workbook.hpp"

#include <set>

#include "report/labels.hpp"
#include "views/vietnamese.hpp"

namespace ocop::report {
namespace {

Sheet units_sheet(const OfficeReport& o, const Config& config) {
  const Report& r = o.report;
  Sheet s;
  s.name = "Theo đơn vị";
  s.columns = {{"Mã đơn vị", 12}, {"Đơn vị", 28}};
  for (int i = 1; i < kStateCount; ++i) s.columns.push_back({state_label(static_cast<State>(i)), 13});
  s.columns.push_back({"Tổng số hồ sơ", 11});
  for (const char* stars : {"3", "4", "5"}) s.columns.push_back({std::string("Sản phẩm OCOP ") + stars + " sao", 11});
  s.columns.push_back({"Tổng số sản phẩm OCOP", 12});
  std::set<std::string> units;
  for (const auto& [u, m] : r.unit_dossiers_by_state) units.insert(u);
  for (const auto& [u, m] : r.unit_certificates_by_stars) units.insert(u);
  static const std::map<std::string, std::int64_t> none;
  auto row = [&](std::vector<Cell> head, const std::map<std::string, std::int64_t>& states,
                 const std::map<std::string, std::int64_t>& stars) {
    std::int64_t dossiers = 0, products = 0;
    for (int i = 1; i < kStateCount; ++i) {
      const std::int64_t n = count_in(states, std::string(to_string(static_cast<State>(i))));
      head.push_back(Cell::of(n));
    }
    for (const auto& [k, n] : states) dossiers += n;  // every state, also one this list does not name
    head.push_back(Cell::of(dossiers));
    for (const char* k : {"3", "4", "5"}) head.push_back(Cell::of(count_in(stars, k)));
    for (const auto& [k, n] : stars) products += n;
    head.push_back(Cell::of(products));
    s.rows.push_back(std::move(head));
  };
  for (const std::string& u : units) {
    auto d = r.unit_dossiers_by_state.find(u);
    auto c = r.unit_certificates_by_stars.find(u);
    row({Cell::of(u), Cell::of(unit_name(config, u))}, d == r.unit_dossiers_by_state.end() ? none : d->second,
        c == r.unit_certificates_by_stars.end() ? none : c->second);
  }
  row({Cell::of(std::string("Tổng cộng")), Cell()}, r.dossiers_by_state, r.certificates_by_stars);
  s.last_row_total = true;
  return s;
}

std::vector<Column> product_columns() {
  return {{"STT", 6},
          {"Tên sản phẩm", 34},
          {"Bộ sản phẩm", 12},
          {"Tên bộ sản phẩm", 24},
          {"Chủ thể", 30},
          {"Mã đơn vị", 12},
          {"Đơn vị", 24},
          {"Hạng sao", 8},
          {"Cấp công nhận", 10},
          {"Số quyết định", 16},
          {"Ngày quyết định", 12},
          {"Ngày cấp", 12},
          {"Hiệu lực đến", 12},
          {"Trạng thái", 14},
          {"Mã giấy chứng nhận", 28}};
}

void product_row(std::size_t n, const RecognisedProduct& p, const Config& config, std::vector<Cell>& row) {
  const Certificate& c = p.certificate;
  auto set = config.product_sets.find(c.product_set);
  row.insert(row.end(), {Cell::of(static_cast<std::int64_t>(n)),
                         Cell::of(c.product),
                         Cell::of(c.product_set),
                         Cell::of(set == config.product_sets.end() ? std::string() : set->second.name),
                         Cell::of(p.producer),
                         Cell::of(c.unit),
                         Cell::of(unit_name(config, c.unit)),
                         Cell::of(static_cast<std::int64_t>(c.stars)),
                         Cell::of(views::vn_level(c.level)),
                         Cell::of(c.decision_no),
                         Cell::of(c.decision_date),
                         Cell::of(c.issued_on),
                         Cell::of(c.valid_until),
                         Cell::of(certificate_state_label(c.state)),
                         Cell::of(c.id)});
}

// The product lists are made row by row as they are written (Sheet::generate): never held as
// cells (national lists are 150,000 rows).
Sheet products_sheet(const OfficeReport& o, const Config& config) {
  Sheet s;
  s.name = "Sản phẩm OCOP";
  s.columns = product_columns();
  s.generated = o.in_force.size();
  s.generate = [&o, &config](std::size_t i, std::vector<Cell>& row) { product_row(i + 1, o.in_force[i], config, row); };
  return s;
}

Sheet expiring_sheet(const OfficeReport& o, const Config& config) {
  Sheet s;
  s.name = "Sắp hết hạn";
  s.columns = product_columns();
  s.columns.push_back({"Còn lại (ngày)", 10});
  s.generated = o.expiring.size();
  s.generate = [&o, &config](std::size_t i, std::vector<Cell>& row) {
    const RecognisedProduct& p = o.expiring[i];
    product_row(i + 1, p, config, row);
    row.push_back(Cell::of(static_cast<std::int64_t>(p.certificate.valid_until.days - o.as_of.days)));
  };
  return s;
}

Sheet promotion_sheet(const OfficeReport& o, const Config& config) {
  const Report& r = o.report;
  Sheet s;
  s.name = "Xúc tiến thương mại";
  s.columns = {{"Mã đơn vị", 12},
               {"Đơn vị", 28},
               {"Hoạt động tổ chức", 11},
               {"Lượt tham gia được chọn", 12},
               {"Kinh phí hỗ trợ (đồng)", 16, true},
               {"Doanh thu (đồng)", 16, true},
               {"Hợp đồng", 10}};
  std::set<std::string> results;
  for (const auto& [k, n] : r.promotion.inspections_by_result) results.insert(k);
  for (const std::string& k : results) s.columns.push_back({inspection_label(k), 12});
  auto row = [&](std::vector<Cell> head, const PromotionUnitRow& p) {
    head.push_back(Cell::of(p.activities));
    head.push_back(Cell::of(p.participations_selected));
    head.push_back(Cell::of(p.support_vnd));
    head.push_back(Cell::of(p.revenue_vnd));
    head.push_back(Cell::of(p.contracts));
    for (const std::string& k : results) head.push_back(Cell::of(count_in(p.inspections_by_result, k)));
    s.rows.push_back(std::move(head));
  };
  for (const auto& [u, p] : r.unit_promotion) row({Cell::of(u), Cell::of(unit_name(config, u))}, p);
  row({Cell::of(std::string("Tổng cộng")), Cell()}, r.promotion);
  s.last_row_total = true;
  return s;
}

}  // namespace

Workbook office_workbook(const OfficeReport& r, const Config& config) {
  Workbook wb;
  wb.title = "Báo cáo kết quả Chương trình OCOP ngày " + format_date(r.as_of);
  wb.subject = "Chương trình Mỗi xã một sản phẩm (OCOP)";
  wb.author = "ocop";
  wb.sheets = {units_sheet(r, config), products_sheet(r, config), expiring_sheet(r, config),
               promotion_sheet(r, config)};
  return wb;
}

std::string office_workbook_file_name(const OfficeReport& r) {
  return "bao-cao-ocop-" + format_date(r.as_of) + ".xlsx";
}

}  // namespace ocop::report
