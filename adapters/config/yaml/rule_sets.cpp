// The `rule_sets` section: the versioned scoring and level rules.
#include "config/yaml/loader.hpp"

namespace ocop::config::yaml {

void Loader::rule_sets(const Node& n, const Path& p) {
  if (!expect_seq(n, p, "a list of rule sets")) return;
  if (n.items.empty()) {
    report(n, p, "at least one rule set is required");
    return;
  }
  struct Aux {
    size_t entry;
    const Node* id;
    const Node* from;
    const Node* to;
  };
  std::vector<Aux> aux;
  std::unordered_map<std::string_view, int> ids;
  for (size_t i = 0; i < n.items.size(); ++i) {
    const Node& item = n.items[i];
    const Path e = p[i];
    if (!expect_map(item, e, "a rule set {id, effective_from, parts, stars, levels, ...}")) continue;
    RuleSet rs;
    rule_set(item, e, rs);
    // Keep the id/date nodes for the checks across rule sets.
    const Node* id = nullptr;
    const Node* from = nullptr;
    const Node* to = nullptr;
    for (size_t k = 0; k < item.map_size(); ++k) {
      const Node& key = item.key_at(k);
      if (!key.is_scalar()) continue;
      if (key.value == "id" && !id)
        id = &item.value_at(k);
      else if (key.value == "effective_from" && !from)
        from = &item.value_at(k);
      else if (key.value == "effective_to" && !to)
        to = &item.value_at(k);
    }
    if (!rs.id.empty()) {
      auto [it, inserted] = ids.emplace(id->value, id->line);
      if (!inserted) {
        const Path kp = e.key("id");
        report(
            *id, kp,
            "duplicate rule set id " + quote(rs.id) + " (first at line " + std::to_string(it->second) + ")");
      }
    }
    any_rule_set_ = true;
    for (const auto& l : rs.levels)
      if (l.kind == LevelKind::council) council_levels_[static_cast<size_t>(l.level)] = true;
    if (from && parse_date(from->value)) aux.push_back(Aux{i, id, from, to});
    cfg_.rule_sets.push_back(std::move(rs));
  }
  // Periods: sorted by effective_from, no two starting the same day, no explicit overlap.
  std::vector<size_t> order(aux.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto from_of = [&](size_t i) { return *parse_date(aux[i].from->value); };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return from_of(a) < from_of(b); });
  auto name_of = [&](size_t i) {
    return aux[i].id && aux[i].id->is_scalar() ? quote(aux[i].id->value) : std::string("?");
  };
  for (size_t k = 1; k < order.size(); ++k) {
    size_t a = order[k - 1], b = order[k];
    if (from_of(a) == from_of(b)) {
      const Path e = p[aux[b].entry];
      const Path kp = e.key("effective_from");
      report(*aux[b].from, kp,
             "rule sets " + name_of(a) + " and " + name_of(b) + " both take effect on " + aux[b].from->value);
      continue;
    }
    const Node* to = aux[a].to;
    if (to && !to->is_null()) {
      auto end = parse_date(to->is_scalar() ? to->value : std::string());
      if (end && *end >= from_of(b)) {
        const Path e = p[aux[a].entry];
        const Path kp = e.key("effective_to");
        report(*to, kp,
               "rule set " + name_of(a) + " ends on " + to->value + ", overlapping rule set " + name_of(b) +
                   " which takes effect on " + aux[b].from->value);
      }
    }
  }
}

void Loader::rule_set(const Node& n, const Path& e, RuleSet& rs) {
  Fields f = fields(
      n, e,
      {"id", "effective_from", "effective_to", "parts", "stars", "rounding", "certificate_months",
       "expiry_notice_days", "mandatory", "levels", "documents", "documents_by_group", "locality_criteria"});
  if (const Node* v = need(f, "id", e)) {
    const Path kp = e.key("id");
    rs.id = code_text(*v, kp, "rule set id");
  }
  if (const Node* v = need(f, "effective_from", e)) {
    const Path kp = e.key("effective_from");
    if (auto d = date(*v, kp)) rs.effective_from = *d;
  }
  if (const Node* v = f.opt("effective_to")) {
    const Path kp = e.key("effective_to");
    rs.effective_to = date(*v, kp);
    const Node* from = f.opt("effective_from");
    if (rs.effective_to && from && parse_date(from->value) && *rs.effective_to < rs.effective_from)
      report(*v, kp, "effective_to " + v->value + " is before effective_from " + from->value);
  }

  // parts: {A, B, C}
  double total = 100;
  if (const Node* v = need(f, "parts", e)) {
    const Path pp = e.key("parts");
    if (expect_map(*v, pp, "a mapping {A, B, C} of maximum points")) {
      Fields pf = fields(*v, pp, {"A", "B", "C"});
      static constexpr std::array<std::string_view, 3> names = {"A", "B", "C"};
      total = 0;
      for (size_t k = 0; k < 3; ++k) {
        if (const Node* x = need(pf, names[k], pp)) {
          const Path kp = pp.key(names[k]);
          if (auto d = number(*x, kp, 0, 1000)) {
            if (*d <= 0)
              report(*x, kp, "the maximum points of a part must be positive");
            else
              rs.parts[k] = *d;
          }
        }
        total += rs.parts[k];
      }
    }
  }

  // stars: ascending bands
  std::array<bool, 6> band_stars{};
  if (const Node* v = need(f, "stars", e)) {
    const Path sp = e.key("stars");
    if (expect_seq(*v, sp, "a list of bands [{stars, min}, ...]")) {
      if (v->items.empty()) report(*v, sp, "at least one star band is required");
      std::optional<StarBand> prev;
      for (size_t k = 0; k < v->items.size(); ++k) {
        const Node& b = v->items[k];
        const Path bp = sp[k];
        if (!expect_map(b, bp, "a band {stars, min}")) continue;
        Fields bf = fields(b, bp, {"stars", "min"});
        std::optional<long> stars;
        std::optional<double> min;
        const Node* sn = need(bf, "stars", bp);
        const Node* mn = need(bf, "min", bp);
        if (sn) {
          const Path kp = bp.key("stars");
          stars = integer(*sn, kp, 1, 5);
        }
        if (mn) {
          const Path kp = bp.key("min");
          min = number(*mn, kp, 0, 1000);
          if (min && *min > total)
            report(*mn, kp, "min " + mn->value + " is above the maximum total " + number_text(total));
        }
        if (stars && prev && *stars <= prev->stars) {
          const Path kp = bp.key("stars");
          report(*sn, kp,
                 "bands must ascend: " + std::string(star_word(static_cast<int>(*stars))) + " after " +
                     std::string(star_word(prev->stars)));
        }
        if (min && prev && *min <= prev->min) {
          const Path kp = bp.key("min");
          report(*mn, kp,
                 "bands must ascend: min " + mn->value + " is not above the previous band's min " +
                     number_text(prev->min));
        }
        if (stars && min) {
          StarBand band{static_cast<int>(*stars), *min};
          rs.stars.push_back(band);
          band_stars[band.stars] = true;
          prev = band;
        }
      }
    }
  }

  if (const Node* v = f.opt("rounding")) {
    const Path kp = e.key("rounding");
    static constexpr std::array<std::string_view, 2> names = {"none", "half_up"};
    if (auto r = choice(*v, kp, names, "rounding")) rs.rounding = static_cast<Rounding>(*r);
  }
  if (const Node* v = f.opt("certificate_months")) {
    const Path kp = e.key("certificate_months");
    if (auto x = integer(*v, kp, 1, 240)) rs.certificate_months = static_cast<int>(*x);
  }
  if (const Node* v = f.opt("expiry_notice_days")) {
    const Path kp = e.key("expiry_notice_days");
    if (auto x = integer(*v, kp, 0, 366)) rs.expiry_notice_days = static_cast<int>(*x);
  }

  if (const Node* v = f.opt("mandatory")) {
    const Path mp = e.key("mandatory");
    if (expect_map(*v, mp, "a mapping star -> [criteria]")) {
      std::unordered_map<std::string_view, int> seen;
      for (size_t k = 0; k < v->map_size(); ++k) {
        const Node& key = v->key_at(k);
        const Node& val = v->value_at(k);
        if (!unique_key(seen, key, mp)) continue;
        const Path kp = mp.key(key.value);
        auto star = integer(key, kp, 1, 5);
        std::vector<std::string> criteria;
        if (expect_seq(val, kp, "a list of criteria")) {
          for (size_t j = 0; j < val.items.size(); ++j) {
            const Path cp = kp[j];
            std::string c = code_text(val.items[j], cp, "criterion");
            if (!c.empty()) criteria.push_back(std::move(c));
          }
        }
        if (star) rs.mandatory[static_cast<int>(*star)] = std::move(criteria);
      }
    }
  }

  if (const Node* v = need(f, "levels", e)) {
    const Path lp = e.key("levels");
    levels(*v, lp, rs);
    // Every star a level recognises needs a band that can reach it.
    if (!rs.stars.empty() && v->is_seq()) {
      for (size_t k = 0; k < rs.levels.size() && k < v->items.size(); ++k) {
        for (int s : rs.levels[k].recognizes)
          if (!band_stars[static_cast<size_t>(s)])
            report(v->items[k], lp[k],
                   "recognizes " + std::string(star_word(s)) + " but no star band awards it");
      }
    }
  }

  if (const Node* v = f.opt("documents")) {
    const Path dp = e.key("documents");
    rs.documents = document_lists(*v, dp);
  }
  if (const Node* v = f.opt("documents_by_group")) {
    const Path gp = e.key("documents_by_group");
    if (expect_map(*v, gp, "a mapping product group -> {event: [document kinds]}")) {
      std::vector<std::string_view> groups;  // the groups the product sets use
      for (const auto& [code, ps] : cfg_.product_sets)
        if (!ps.group.empty() && std::find(groups.begin(), groups.end(), ps.group) == groups.end())
          groups.push_back(ps.group);
      std::unordered_map<std::string_view, int> seen;
      for (size_t k = 0; k < v->map_size(); ++k) {
        const Node& key = v->key_at(k);
        const Node& val = v->value_at(k);
        if (!unique_key(seen, key, gp)) continue;
        const Path kp = gp.key(key.value);
        bool known = std::find(groups.begin(), groups.end(), key.value) != groups.end();
        if (!known) {
          if (groups.empty()) {
            report(key, kp,
                   "product group " + quote(key.value) + ": no product set has a group (see product_sets)");
          } else {
            std::string list;
            for (auto g : groups) list += (list.empty() ? "" : ", ") + std::string(g);
            report(key, kp,
                   "unknown product group " + quote(key.value) + did_you_mean(key.value, groups) +
                       "; the product sets' groups are: " + list);
          }
        }
        auto lists = val.is_null() ? std::map<Event, std::vector<std::string>>{} : document_lists(val, kp);
        if (known) rs.documents_by_group[key.value] = std::move(lists);
      }
    }
  }

  if (const Node* v = f.opt("locality_criteria")) {
    const Path cp = e.key("locality_criteria");
    if (expect_seq(*v, cp, "a list of criteria")) {
      for (size_t j = 0; j < v->items.size(); ++j) {
        const Path ip = cp[j];
        std::string c = code_text(v->items[j], ip, "criterion");
        if (!c.empty()) rs.locality_criteria.push_back(std::move(c));
      }
    }
  }
}

std::map<Event, std::vector<std::string>> Loader::document_lists(const Node& v, const Path& dp) {
  static const std::vector<std::string_view> events = event_names();
  std::map<Event, std::vector<std::string>> out;
  if (!expect_map(v, dp, "a mapping event -> [document kinds]")) return out;
  std::unordered_map<std::string_view, int> seen;
  for (size_t k = 0; k < v.map_size(); ++k) {
    const Node& key = v.key_at(k);
    const Node& val = v.value_at(k);
    if (!unique_key(seen, key, dp)) continue;
    const Path kp = dp.key(key.value);
    auto ev = parse_event(key.value);
    if (!ev) report(key, kp, "unknown event " + quote(key.value) + did_you_mean(key.value, events));
    std::vector<std::string> kinds;
    if (!val.is_null() && expect_seq(val, kp, "a list of document kinds")) {
      for (size_t j = 0; j < val.items.size(); ++j) {
        const Path cp = kp[j];
        std::string kind = code_text(val.items[j], cp, "document kind");
        if (kind.empty()) continue;
        if (!cfg_.document_kinds.empty() && !cfg_.document_kinds.count(kind)) {
          std::vector<std::string_view> known;
          for (const auto& [name, label] : cfg_.document_kinds) known.push_back(name);
          report(val.items[j], cp,
                 "unknown document kind " + quote(kind) + did_you_mean(kind, known) +
                     " (not among the configured document kinds)");
          continue;
        }
        kinds.push_back(std::move(kind));
      }
    }
    if (ev) out[*ev] = std::move(kinds);
  }
  return out;
}

void Loader::levels(const Node& n, const Path& lp, RuleSet& rs) {
  if (!expect_seq(n, lp, "a list of levels, lowest first")) return;
  if (n.items.empty()) {
    report(n, lp, "at least one level is required");
    return;
  }
  double total = rs.parts[0] + rs.parts[1] + rs.parts[2];
  std::optional<UnitLevel> prev;
  for (size_t k = 0; k < n.items.size(); ++k) {
    const Node& item = n.items[k];
    const Path e = lp[k];
    if (!expect_map(item, e, "a level {level, kind, ...}")) continue;
    Fields f = fields(item, e, {"level", "kind", "quorum", "recognizes", "forward_min"});
    LevelRule l;
    bool level_ok = false, kind_ok = false;
    if (const Node* v = need(f, "level", e)) {
      const Path kp = e.key("level");
      if (auto x = choice(*v, kp, kLevelNames, "level")) {
        l.level = static_cast<UnitLevel>(*x);
        level_ok = true;
        if (prev && static_cast<int>(l.level) >= static_cast<int>(*prev))
          report(*v, kp,
                 "levels must go from the lowest up: " + quote(v->value) + " cannot follow " +
                     quote(to_string(*prev)));
        else
          prev = l.level;
      }
    }
    if (const Node* v = need(f, "kind", e)) {
      const Path kp = e.key("kind");
      static constexpr std::array<std::string_view, 2> names = {"screen", "council"};
      if (auto x = choice(*v, kp, names, "kind")) {
        l.kind = static_cast<LevelKind>(*x);
        kind_ok = true;
      }
    }
    bool last = k + 1 == n.items.size();
    if (kind_ok && l.kind == LevelKind::council) {
      if (const Node* v = f.opt("quorum")) {
        const Path kp = e.key("quorum");
        if (auto q = integer(*v, kp, 0, 1000)) {
          if (*q < 1)
            report(*v, kp, "a council level needs quorum >= 1");
          else
            l.quorum = static_cast<int>(*q);
        }
      } else {
        const Path kp = e.key("quorum");
        const Node* key = f.key("quorum");
        report(key ? *key : item, kp, "a council level needs quorum >= 1");
      }
      if (const Node* v = f.opt("recognizes")) {
        const Path kp = e.key("recognizes");
        if (expect_seq(*v, kp, "a list of stars, e.g. [3, 4]")) {
          for (size_t j = 0; j < v->items.size(); ++j) {
            const Path sp = kp[j];
            if (auto s = integer(v->items[j], sp, 1, 5)) l.recognizes.push_back(static_cast<int>(*s));
          }
        }
      }
      if (const Node* v = f.opt("forward_min")) {
        const Path kp = e.key("forward_min");
        if (last)
          report(*v, kp, "the highest level has nowhere to forward to");
        else
          l.forward_min = number(*v, kp, 0, total);
      }
    } else if (kind_ok) {
      for (std::string_view key : {"quorum", "recognizes", "forward_min"}) {
        if (const Node* k2 = f.key(key)) {
          const Path kp = e.key(key);
          report(*k2, kp, std::string(key) + " applies to council levels only");
        }
      }
    }
    if (level_ok && kind_ok) rs.levels.push_back(std::move(l));
  }
}

}  // namespace ocop::config::yaml
