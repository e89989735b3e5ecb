// The public catalogue's pages (issue 13, item 1; docs/public.md): server-rendered HTML for a
// phone, Vietnamese, without script, like the verification page (public_pages.hpp). The list
// (`GET /catalogue`, a search form that submits by GET) and a product's page
// (`GET /catalogue/{code}`). They render what the application layer made public
// (ocop/catalogue.hpp) and nothing else.
#pragma once

#include <map>
#include <string>

#include "http/http.hpp"
#include "ocop/catalogue.hpp"

namespace ocop::http {

// `query`: the filters as given (echoed into the form); `groups`: group code -> name, for the
// form's choices; `next_href`: the next page's link, or empty.
Response catalogue_page(const CataloguePage& page, const CatalogueQuery& query,
                        const std::map<std::string, std::string>& groups, const std::string& next_href, Date today);
Response catalogue_problem_page(unsigned status, const std::string& message);
Response product_page(const PublicProduct& product, Date today);

// The product groups' Vietnamese names (Decision 148: Thực phẩm, Đồ uống, ...); the code itself
// for a group it does not know.
std::string vn_group(const std::string& group);

}  // namespace ocop::http
