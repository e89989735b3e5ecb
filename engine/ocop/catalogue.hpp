// The public catalogue (issue 13, item 1; docs/public.md): recognised products whose certificate
// is in force today, searchable without accents and filterable, as anyone may see them (no
// sign-in). Like the verification page, what is public is decided here (PublicCertificate,
// ocop/app.hpp), not by the HTTP adapter.
//
// One Catalogue is one store connection and one configuration, used from one thread (as an
// Application); every call reads the database afresh.
#pragma once

#include <string>
#include <vector>

#include "ocop/app.hpp"

namespace ocop {

// The public view of one certificate on `today` (the verification page's; the rules of its
// `status` are at PublicCertificate).
PublicCertificate public_certificate_view(const Config& config, Store& store, const Certificate& c, Date today);

// Lower case, Vietnamese diacritics removed (precomposed or combining), đ -> d: "Chè Shan
// tuyết" -> "che shan tuyet". Other characters are kept as they are.
std::string fold_vietnamese(const std::string& text);

// Empty strings and zeros do not filter.
struct CatalogueQuery {
  std::string q;            // words that must all be in the product's name (accent-insensitive)
  std::string product_set;  // a configured product set's code
  std::string group;        // a product group (product_sets.*.group)
  std::string unit;         // that unit, the units below it and those merged into it by today
  int stars = 0;            // 1..5
  int year = 0;             // the year of the recognition decision
  int limit = 20;           // 1..kCatalogueMaxPage
  std::string after;        // keyset paging: only certificate ids greater than this
};

inline constexpr int kCatalogueMaxPage = 100;

struct CataloguePage {
  std::vector<PublicCertificate> items;  // by certificate id
  std::string next;                      // the `after` of the next page; empty on the last
};

// A product as the public sees it: its certificates (every state), newest first.
struct PublicProduct {
  std::string product, producer;
  std::vector<PublicCertificate> certificates;
};

class Catalogue {
 public:
  // `today`: the province's date (Application::today()). None is owned.
  Catalogue(const Config& config, Store& store, Date today) : config_(config), store_(store), today_(today) {}
  // Bad input (2) for a limit, stars or year out of range or an unknown unit, product set or group.
  Result<CataloguePage> products(const CatalogueQuery& q);
  // The product of the certificate with verification code `code` (not found, 3, as the page).
  Result<PublicProduct> product(const std::string& code);

 private:
  const Config& config_;
  Store& store_;
  Date today_;
};

}  // namespace ocop
