// The public face's pages (issue 13, docs/public.md): server-rendered HTML a phone opens from a
// QR code, with no sign-in and no script (the service's Content-Security-Policy allows none
// inline; the pages need none), styled by one stylesheet of the same origin. Vietnamese. What a
// page shows is what the application layer made public (PublicCertificate): these functions only
// render it.
#pragma once

#include <string>

#include "http/http.hpp"
#include "ocop/app.hpp"

namespace ocop::http {

// The pieces every public page is made of. html_escape: views::escape_markup (markup.hpp).
std::string html_escape(const std::string& s);
// A whole page: Vietnamese, the viewport for phones, /public/style.css, no script.
std::string html_page(const std::string& title, const std::string& body);
Response html_response(unsigned status, std::string body);
// "★★★★ (4 sao)".
std::string stars_html(int n);
// The coloured box with a certificate's state today and what follows from it.
std::string status_box(const PublicCertificate& p);

// GET /verify/{code}: the certificate's state today. `today` is the province's date.
Response verify_page(const PublicCertificate& p, Date today);
// GET /verify/{code} for a code that names no certificate: 404, saying so.
Response verify_not_found_page(const std::string& code);
// GET /public/style.css: the public pages' stylesheet (cached for a day).
Response public_stylesheet();

}  // namespace ocop::http
