// The `promotion` section: the province's trade-promotion policy (spec §10.1). Optional; a key
// left out keeps its default (ocop/promotion.hpp). Money is whole đồng in 64-bit integers.
#include "config/yaml/loader.hpp"

#include <limits>

namespace ocop::config::yaml {

void Loader::promotion(const Node& n, const Path& p) {
  if (!expect_map(n, p,
                  "a mapping {min_stars, max_booths_per_producer, booth_fee_vnd, support_percent, "
                  "support_cap_vnd}"))
    return;
  Fields f = fields(
      n, p, {"min_stars", "max_booths_per_producer", "booth_fee_vnd", "support_percent", "support_cap_vnd"});
  PromotionPolicy& pp = cfg_.promotion;
  if (const Node* v = f.opt("min_stars")) {
    const Path kp = p.key("min_stars");
    if (auto x = integer(*v, kp, 1, 5)) pp.min_stars = static_cast<int>(*x);
  }
  if (const Node* v = f.opt("max_booths_per_producer")) {
    const Path kp = p.key("max_booths_per_producer");
    if (auto x = integer(*v, kp, 1, std::numeric_limits<int>::max()))
      pp.max_booths_per_producer = static_cast<int>(*x);
  }
  if (const Node* v = f.opt("booth_fee_vnd")) {
    const Path kp = p.key("booth_fee_vnd");
    if (auto x = money(*v, kp)) pp.booth_fee_vnd = *x;
  }
  if (const Node* v = f.opt("support_percent")) {
    const Path kp = p.key("support_percent");
    if (auto x = integer(*v, kp, 0, 100)) pp.support_percent = static_cast<int>(*x);
  }
  if (const Node* v = f.opt("support_cap_vnd")) {
    const Path kp = p.key("support_cap_vnd");
    if (auto x = money(*v, kp)) pp.support_cap_vnd = *x;
  }
}

}  // namespace ocop::config::yaml
