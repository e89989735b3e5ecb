#include "http/public_pages.hpp"

#include <cstdio>

#include "views/markup.hpp"
#include "views/vietnamese.hpp"

namespace ocop::http {

using views::vn_date;
using views::vn_level;

std::string html_escape(const std::string& s) { return views::escape_markup(s); }

std::string stars_html(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += "\u2605";
  return s + " (" + std::to_string(n) + " sao)";
}

std::string html_page(const std::string& title, const std::string& body) {
  return "<!doctype html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"robots\" content=\"noindex\">\n"
         "<title>" + html_escape(title) + "</title>\n<link rel=\"stylesheet\" href=\"/public/style.css\">\n</head>\n"
         "<body>\n<header><p class=\"brand\"><a href=\"/catalogue\">OCOP \u00b7 M\u1ed7i x\u00e3 m\u1ed9t s\u1ea3n ph\u1ea9m</a></p></header>\n"
         "<main>\n" + body + "</main>\n</body>\n</html>\n";
}

Response html_response(unsigned status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  return r;
}

namespace {

void row(std::string& out, const char* label, const std::string& value_html) {
  out += "<div class=\"row\"><dt>";
  out += label;
  out += "</dt><dd>" + value_html + "</dd></div>\n";
}

}  // namespace

std::string status_box(const PublicCertificate& p) {
  std::string state_class, state_text, state_detail;
  if (p.status == "in_force") {
    state_class = "ok";
    state_text = "C\u00f2n hi\u1ec7u l\u1ef1c";
    state_detail = "Hi\u1ec7u l\u1ef1c \u0111\u1ebfn h\u1ebft ng\u00e0y " + vn_date(p.valid_until) + ".";
  } else if (p.status == "expiring") {
    state_class = "warn";
    state_text = "C\u00f2n hi\u1ec7u l\u1ef1c \u2013 s\u1eafp h\u1ebft h\u1ea1n";
    state_detail = "C\u00f2n " + std::to_string(p.days_left) + " ng\u00e0y, \u0111\u1ebfn h\u1ebft ng\u00e0y " +
                   vn_date(p.valid_until) + ".";
  } else if (p.status == "expired") {
    state_class = "bad";
    state_text = "\u0110\u00e3 h\u1ebft hi\u1ec7u l\u1ef1c";
    state_detail = "Gi\u1ea5y ch\u1ee9ng nh\u1eadn h\u1ebft h\u1ea1n ng\u00e0y " + vn_date(p.valid_until) +
                   "; s\u1ea3n ph\u1ea9m kh\u00f4ng c\u00f2n \u0111\u01b0\u1ee3c d\u00f9ng h\u1ea1ng sao OCOP n\u00e0y.";
  } else if (p.status == "revoked") {
    state_class = "bad";
    state_text = "\u0110\u00e3 b\u1ecb thu h\u1ed3i";
    state_detail = "L\u00fd do thu h\u1ed3i: " +
                   html_escape(p.revocation_ground_name.empty() ? p.revocation_ground : p.revocation_ground_name) + ".";
    if (!p.revocation_decision_no.empty())
      state_detail += " Quy\u1ebft \u0111\u1ecbnh thu h\u1ed3i s\u1ed1 " + html_escape(p.revocation_decision_no) +
                      (p.revoked_on ? " ng\u00e0y " + vn_date(*p.revoked_on) : std::string()) + ".";
  } else {  // superseded
    state_class = "info";
    state_text = "\u0110\u00e3 \u0111\u01b0\u1ee3c thay th\u1ebf";
    state_detail = "Thay th\u1ebf b\u1edfi gi\u1ea5y ch\u1ee9ng nh\u1eadn ";
    const std::string next = html_escape(p.superseded_by) + (p.superseded_by_stars
                                                            ? " (" + stars_html(p.superseded_by_stars) + ", " +
                                                                  vn_level(p.superseded_by_level) + ")"
                                                            : std::string());
    state_detail += p.superseded_by_code.empty()
                        ? next
                        : "<a href=\"/verify/" + html_escape(p.superseded_by_code) + "\">" + next + "</a>";
    state_detail += ".";
  }
  return "<section class=\"state " + state_class + "\" data-status=\"" + html_escape(p.status) + "\"><p class=\"big\">" +
         state_text + "</p><p>" + state_detail + "</p></section>\n";
}

Response verify_page(const PublicCertificate& p, Date today) {
  std::string body;
  body += "<h1>Tra c\u1ee9u gi\u1ea5y ch\u1ee9ng nh\u1eadn s\u1ea3n ph\u1ea9m OCOP</h1>\n";
  body += status_box(p);
  body += "<dl>\n";
  row(body, "S\u1ea3n ph\u1ea9m", "<strong>" + html_escape(p.product) + "</strong>");
  row(body, "Ch\u1ee7 th\u1ec3 s\u1ea3n xu\u1ea5t", html_escape(p.producer));
  if (!p.product_set_name.empty()) row(body, "B\u1ed9 s\u1ea3n ph\u1ea9m", html_escape(p.product_set_name));
  if (!p.unit_name.empty()) row(body, "\u0110\u1ecba ph\u01b0\u01a1ng", html_escape(p.unit_name));
  row(body, "H\u1ea1ng sao", "<span class=\"stars\">" + stars_html(p.stars) + "</span>");
  row(body, "C\u1ea5p c\u00f4ng nh\u1eadn", vn_level(p.level));
  row(body, "Quy\u1ebft \u0111\u1ecbnh c\u00f4ng nh\u1eadn",
      "S\u1ed1 " + html_escape(p.decision_no) + " ng\u00e0y " + vn_date(p.decision_date));
  row(body, "Th\u1eddi h\u1ea1n", "T\u1eeb " + vn_date(p.issued_on) + " \u0111\u1ebfn " + vn_date(p.valid_until));
  row(body, "S\u1ed1 gi\u1ea5y ch\u1ee9ng nh\u1eadn", html_escape(p.id));
  row(body, "M\u00e3 x\u00e1c th\u1ef1c", "<code>" + html_escape(p.code) + "</code>");
  body += "</dl>\n";
  body += "<p class=\"note\">Th\u00f4ng tin tra c\u1ee9u ng\u00e0y " + vn_date(today) +
          " t\u1eeb c\u01a1 s\u1edf d\u1eef li\u1ec7u OCOP c\u1ee7a t\u1ec9nh. H\u00e3y \u0111\u1ed1i chi\u1ebfu t\u00ean "
          "s\u1ea3n ph\u1ea9m, ch\u1ee7 th\u1ec3 v\u00e0 h\u1ea1ng sao v\u1edbi nh\u00e3n tr\u00ean bao b\u00ec.</p>\n";
  return html_response(200, html_page("Gi\u1ea5y ch\u1ee9ng nh\u1eadn OCOP: " + p.product, body));
}

Response verify_not_found_page(const std::string& code) {
  std::string body = "<h1>Tra c\u1ee9u gi\u1ea5y ch\u1ee9ng nh\u1eadn s\u1ea3n ph\u1ea9m OCOP</h1>\n"
                     "<section class=\"state bad\" data-status=\"not_found\"><p class=\"big\">"
                     "Kh\u00f4ng t\u00ecm th\u1ea5y gi\u1ea5y ch\u1ee9ng nh\u1eadn</p><p>Kh\u00f4ng c\u00f3 gi\u1ea5y "
                     "ch\u1ee9ng nh\u1eadn OCOP n\u00e0o mang m\u00e3 x\u00e1c th\u1ef1c <code>" +
                     html_escape(code.substr(0, 100)) +
                     "</code>. H\u00e3y ki\u1ec3m tra l\u1ea1i m\u00e3 (20 k\u00fd t\u1ef1, ch\u1eef A\u2013Z v\u00e0 "
                     "s\u1ed1 2\u20137); n\u1ebfu m\u00e3 in tr\u00ean nh\u00e3n kh\u00f4ng tra c\u1ee9u \u0111\u01b0\u1ee3c, "
                     "s\u1ea3n ph\u1ea9m c\u00f3 th\u1ec3 kh\u00f4ng ph\u1ea3i s\u1ea3n ph\u1ea9m OCOP \u0111\u01b0\u1ee3c "
                     "c\u00f4ng nh\u1eadn.</p></section>\n";
  return html_response(404, html_page("Kh\u00f4ng t\u00ecm th\u1ea5y gi\u1ea5y ch\u1ee9ng nh\u1eadn OCOP", body));
}

Response public_stylesheet() {
  Response r;
  r.content_type = "text/css; charset=utf-8";
  r.set("Cache-Control", "public, max-age=86400");
  r.body =
      "*{box-sizing:border-box}\n"
      "body{margin:0;font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\",sans-serif;"
      "color:#1b1f23;background:#f6f7f9}\n"
      "header{background:#0b6e4f;color:#fff;padding:.6rem 1rem}\n"
      ".brand{margin:0;font-weight:600}\n"
      "main{max-width:40rem;margin:0 auto;padding:1rem}\n"
      "h1{font-size:1.25rem;margin:.5rem 0 1rem}\n"
      ".state{border-radius:.5rem;padding:.75rem 1rem;margin-bottom:1rem;border:2px solid}\n"
      ".state p{margin:.25rem 0}\n"
      ".big{font-size:1.35rem;font-weight:700}\n"
      ".ok{background:#e6f4ea;border-color:#1e7e34}\n"
      ".warn{background:#fff8e1;border-color:#b7791f}\n"
      ".bad{background:#fdecea;border-color:#b42318}\n"
      ".info{background:#e8f0fe;border-color:#1a56db}\n"
      "dl{margin:0;background:#fff;border-radius:.5rem;padding:.25rem 1rem}\n"
      ".row{display:flex;flex-wrap:wrap;gap:.25rem 1rem;padding:.5rem 0;border-bottom:1px solid #e5e7eb}\n"
      ".row:last-child{border-bottom:0}\n"
      "dt{flex:0 0 10rem;color:#4b5563}\n"
      "dd{margin:0;flex:1 1 12rem;overflow-wrap:anywhere}\n"
      ".stars{color:#b7791f;font-weight:600}\n"
      "code{font-size:.95em;letter-spacing:.05em}\n"
      ".note{color:#4b5563;font-size:.9rem}\n"
      "a{color:#1a56db}\n"
      "header a{color:#fff;text-decoration:none}\n"
      "form.search{display:grid;grid-template-columns:1fr 1fr;gap:.5rem;margin-bottom:1rem}\n"
      "form.search .wide{grid-column:1/-1}\n"
      "label{display:block;font-size:.85rem;color:#4b5563}\n"
      "input,select,button{width:100%;font:inherit;padding:.5rem;border:1px solid #9ca3af;border-radius:.375rem;"
      "background:#fff;min-height:2.75rem}\n"
      "button{background:#0b6e4f;color:#fff;border-color:#0b6e4f;font-weight:600}\n"
      "ul.cards{list-style:none;margin:0;padding:0}\n"
      ".cards li{background:#fff;border-radius:.5rem;padding:.75rem 1rem;margin-bottom:.75rem;"
      "border-left:4px solid #0b6e4f}\n"
      ".cards h2{font-size:1.05rem;margin:0 0 .25rem}\n"
      ".cards p{margin:.125rem 0;color:#374151}\n"
      ".count{color:#4b5563}\n"
      ".pager{display:block;text-align:center;padding:.75rem;background:#fff;border-radius:.5rem}\n"
      "h2.cert{font-size:1.05rem;margin:1.25rem 0 .5rem}\n";
  return r;
}

}  // namespace ocop::http
