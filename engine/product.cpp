#include "ocop/product.hpp"

#include <algorithm>
#include <deque>
#include <set>
#include <utility>

namespace ocop {

Status product_history(Store& store, const std::string& product, const std::string& producer,
                       const ReadScope& scope, ProductHistory& out, std::size_t limit) {
  out = ProductHistory{};
  // A dossier the scope sees (a certificate's unit is its dossier's).
  auto visible = [&](const std::string& id) {
    auto d = store.load_dossier(id);
    if (d && !scope.sees(d->unit)) d.reset();
    return d;
  };
  // The seed: a dossier, a certificate's dossier, or the dossiers of a product name.
  std::vector<Dossier> seeds;
  if (auto d = visible(product)) {
    seeds.push_back(std::move(*d));
  } else if (auto c = store.load_certificate(product)) {
    if (auto cd = visible(c->dossier)) seeds.push_back(std::move(*cd));
  } else {
    DossierFilter f;
    f.product = product;
    f.producer = producer;
    f.units = scope.units();
    seeds = store.list_dossiers(f);
    std::set<std::string> producers;
    for (const auto& d : seeds) producers.insert(d.producer);
    if (producers.size() > 1) {
      std::string names;
      for (const auto& p : producers) names += (names.empty() ? "" : "; ") + p;
      return Status::BadInput("product \"" + product + "\" is made by " + std::to_string(producers.size()) +
                              " producers (" + names + "): name one with --producer, or give a dossier id");
    }
  }
  if (seeds.empty())
    return Status::NotFound("no dossier, certificate or product named \"" + product + "\"" +
                            (producer.empty() ? std::string() : " made by \"" + producer + "\""));

  std::set<std::string> seen_dossiers, seen_groups, seen_certificates;
  std::deque<Dossier> queue;
  auto push = [&](Dossier d) {
    if (seen_dossiers.size() >= limit || !seen_dossiers.insert(d.id).second) return;
    queue.push_back(std::move(d));
  };
  for (auto& d : seeds) push(std::move(d));
  while (!queue.empty()) {
    Dossier d = std::move(queue.front());
    queue.pop_front();
    // Same name and producer.
    if (seen_groups.insert(d.product + '\n' + d.producer).second) {
      DossierFilter f;
      f.product = d.product;
      f.producer = d.producer;
      f.units = scope.units();
      for (auto& other : store.list_dossiers(f)) push(std::move(other));
    }
    // Dossiers that build on one of its certificates.
    CertificateFilter cf;
    cf.dossier = d.id;
    for (auto& c : store.certificates(cf)) {
      DossierFilter f;
      f.base_certificate = c.id;
      f.units = scope.units();
      for (auto& other : store.list_dossiers(f)) push(std::move(other));
      if (seen_certificates.insert(c.id).second) out.certificates.push_back(std::move(c));
    }
    // The dossier whose certificate it builds on.
    if (!d.base_certificate.empty())
      if (auto base = store.load_certificate(d.base_certificate))
        if (auto bd = visible(base->dossier)) push(std::move(*bd));
    out.dossiers.push_back(std::move(d));
  }
  std::sort(out.dossiers.begin(), out.dossiers.end(), [](const Dossier& a, const Dossier& b) {
    return std::pair(a.created_at.seconds, a.id) < std::pair(b.created_at.seconds, b.id);
  });
  std::sort(out.certificates.begin(), out.certificates.end(), [](const Certificate& a, const Certificate& b) {
    return std::pair(a.issued_on.days, a.id) < std::pair(b.issued_on.days, b.id);
  });
  return Status::Ok();
}

}  // namespace ocop
