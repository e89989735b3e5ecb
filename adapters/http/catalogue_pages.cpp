#include "http/catalogue_pages.hpp"

#include <cstdio>

#include "http/public_pages.hpp"
#include "ocop/url.hpp"
#include "views/vietnamese.hpp"

namespace ocop::http {

using views::vn_date;
using views::vn_level;

std::string vn_group(const std::string& group) {
  if (group == "food") return "Th\u1ef1c ph\u1ea9m";
  if (group == "beverage") return "\u0110\u1ed3 u\u1ed1ng";
  if (group == "herbal") return "Th\u1ea3o d\u01b0\u1ee3c";
  if (group == "handicraft") return "Th\u1ee7 c\u00f4ng m\u1ef9 ngh\u1ec7";
  if (group == "ornamental") return "Sinh v\u1eadt c\u1ea3nh";
  if (group == "tourism") return "D\u1ecbch v\u1ee5 du l\u1ecbch c\u1ed9ng \u0111\u1ed3ng v\u00e0 \u0111i\u1ec3m du l\u1ecbch";
  return group;
}

namespace {

std::string option(const std::string& value, const std::string& label, const std::string& chosen) {
  return "<option value=\"" + html_escape(value) + "\"" + (value == chosen ? " selected" : "") + ">" +
         html_escape(label) + "</option>";
}

std::string card(const PublicCertificate& p) {
  std::string out = "<li><h2><a href=\"/catalogue/" + html_escape(p.code) + "\">" + html_escape(p.product) +
                    "</a></h2>\n";
  out += "<p>" + html_escape(p.producer) + "</p>\n";
  out += "<p><span class=\"stars\">" + stars_html(p.stars) + "</span> \u00b7 " + vn_level(p.level) + "</p>\n";
  if (!p.unit_name.empty()) out += "<p>" + html_escape(p.unit_name) + "</p>\n";
  out += "<p>Hi\u1ec7u l\u1ef1c \u0111\u1ebfn " + vn_date(p.valid_until) + "</p></li>\n";
  return out;
}

}  // namespace

Response catalogue_page(const CataloguePage& page, const CatalogueQuery& q,
                        const std::map<std::string, std::string>& groups, const std::string& next_href, Date today) {
  std::string body = "<h1>S\u1ea3n ph\u1ea9m OCOP \u0111\u01b0\u1ee3c c\u00f4ng nh\u1eadn</h1>\n";
  body += "<form class=\"search\" method=\"get\" action=\"/catalogue\" role=\"search\">\n";
  body += "<div class=\"wide\"><label for=\"q\">T\u00ecm s\u1ea3n ph\u1ea9m ho\u1eb7c ch\u1ee7 th\u1ec3</label>"
          "<input id=\"q\" name=\"q\" type=\"search\" value=\"" + html_escape(q.q) +
          "\" placeholder=\"V\u00ed d\u1ee5: ch\u00e8 shan tuy\u1ebft\"></div>\n";
  body += "<div><label for=\"group\">Nh\u00f3m</label><select id=\"group\" name=\"group\">" +
          option("", "T\u1ea5t c\u1ea3", q.group);
  for (const auto& [code, name] : groups) body += option(code, name, q.group);
  body += "</select></div>\n";
  body += "<div><label for=\"stars\">H\u1ea1ng sao</label><select id=\"stars\" name=\"stars\">" +
          option("", "T\u1ea5t c\u1ea3", q.stars ? std::to_string(q.stars) : "");
  for (int s = 3; s <= 5; ++s)
    body += option(std::to_string(s), std::to_string(s) + " sao", q.stars ? std::to_string(q.stars) : "");
  body += "</select></div>\n";
  body += "<div class=\"wide\"><button type=\"submit\">T\u00ecm</button></div>\n</form>\n";
  if (page.items.empty()) {
    body += "<p class=\"count\" data-count=\"0\">Kh\u00f4ng c\u00f3 s\u1ea3n ph\u1ea9m n\u00e0o ph\u00f9 h\u1ee3p.</p>\n";
  } else {
    body += "<p class=\"count\" data-count=\"" + std::to_string(page.items.size()) + "\">" +
            std::to_string(page.items.size()) + " s\u1ea3n ph\u1ea9m c\u00f2n hi\u1ec7u l\u1ef1c" +
            (next_href.empty() ? std::string() : " (trang n\u00e0y)") + "</p>\n<ul class=\"cards\">\n";
    for (const auto& p : page.items) body += card(p);
    body += "</ul>\n";
  }
  if (!next_href.empty()) body += "<a class=\"pager\" rel=\"next\" href=\"" + html_escape(next_href) + "\">Trang sau</a>\n";
  body += "<p class=\"note\">Ch\u1ec9 li\u1ec7t k\u00ea s\u1ea3n ph\u1ea9m c\u00f3 gi\u1ea5y ch\u1ee9ng nh\u1eadn c\u00f2n "
          "hi\u1ec7u l\u1ef1c ng\u00e0y " + vn_date(today) + ".</p>\n";
  return html_response(200, html_page("S\u1ea3n ph\u1ea9m OCOP", body));
}

Response catalogue_problem_page(unsigned status, const std::string& message) {
  std::string body = "<h1>S\u1ea3n ph\u1ea9m OCOP</h1>\n<section class=\"state bad\" data-status=\"problem\"><p>" +
                     html_escape(message) + "</p><p><a href=\"/catalogue\">V\u1ec1 danh s\u00e1ch</a></p></section>\n";
  return html_response(status, html_page("S\u1ea3n ph\u1ea9m OCOP", body));
}

Response product_page(const PublicProduct& product, Date today) {
  std::string body = "<p><a href=\"/catalogue\">\u2190 Danh s\u00e1ch s\u1ea3n ph\u1ea9m</a></p>\n";
  body += "<h1>" + html_escape(product.product) + "</h1>\n<p>" + html_escape(product.producer) + "</p>\n";
  for (const auto& c : product.certificates) {
    body += "<h2 class=\"cert\">Gi\u1ea5y ch\u1ee9ng nh\u1eadn " + html_escape(c.id) + "</h2>\n";
    body += status_box(c);
    body += "<ul class=\"cards\"><li><p><span class=\"stars\">" + stars_html(c.stars) + "</span> \u00b7 " +
            vn_level(c.level) + "</p><p>Quy\u1ebft \u0111\u1ecbnh s\u1ed1 " + html_escape(c.decision_no) + " ng\u00e0y " +
            vn_date(c.decision_date) + "</p><p>Th\u1eddi h\u1ea1n: " + vn_date(c.issued_on) + " \u2013 " +
            vn_date(c.valid_until) + "</p>";
    if (!c.unit_name.empty()) body += "<p>" + html_escape(c.unit_name) + "</p>";
    body += "<p><a href=\"/verify/" + html_escape(c.code) + "\">Tra c\u1ee9u m\u00e3 " + html_escape(c.code) +
            "</a></p></li></ul>\n";
  }
  body += "<p class=\"note\">Th\u00f4ng tin ng\u00e0y " + vn_date(today) + ".</p>\n";
  return html_response(200, html_page(product.product + " \u2013 S\u1ea3n ph\u1ea9m OCOP", body));
}

}  // namespace ocop::http
