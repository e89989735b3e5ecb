// A product's history across cycles (`ocop product show`): every dossier and certificate it
// has had.
//
// A product has no id of its own in the OCOP records, so its identity is derived: two dossiers
// belong to the same product when
//   - they carry the same product name and the same producer (exact strings; the unit is not
//     part of it, because the 2025 reform renamed and merged communes under running products), or
//   - one upgrades or re-evaluates a certificate the other was issued (`base_certificate`),
//     which also links a product renamed between cycles,
// and the relation is closed transitively. Reads only; no transaction needed.
#pragma once

#include <string>
#include <vector>

#include "ocop/dossier.hpp"
#include "ocop/read_scope.hpp"
#include "ocop/status.hpp"
#include "ocop/store.hpp"

namespace ocop {

struct ProductHistory {
  std::vector<Dossier> dossiers;          // oldest first (created_at, then id)
  std::vector<Certificate> certificates;  // oldest first (issued_on, then id)
};

// `product` is a dossier id, a certificate id, or an exact product name; a name shared by
// several producers needs `producer` (else bad input listing them). Not found: exit 3.
// Only dossiers and certificates `scope` sees are gathered (a seed outside it is not found),
// selected in the store's queries. At most `limit` dossiers are gathered (a safety bound, not a
// page).
Status product_history(Store& store, const std::string& product, const std::string& producer,
                       const ReadScope& scope, ProductHistory& out, std::size_t limit = 10000);

}  // namespace ocop
