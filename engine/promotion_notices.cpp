// Invitations to a promotion activity (spec §10.1, open_registration).
#include <algorithm>
#include <map>
#include <set>

#include "ocop/notify.hpp"
#include "ocop/reminders.hpp"
#include "promotion_events.hpp"

namespace ocop {

OutboxMessage email_message(std::string key, const std::string& to, RenderedMessage text, std::string cause,
                            const std::string& object, Instant at) {
  OutboxMessage m;
  m.dedupe_key = std::move(key);
  m.channel = "email";
  m.recipient = to;
  m.subject = std::move(text.subject);
  m.body = std::move(text.body);
  m.cause = std::move(cause);
  m.dossier = object;
  m.created_at = at;
  m.next_attempt_at = at;
  return m;
}

TemplateVars activity_vars(const Config& cfg, const Activity& a) {
  TemplateVars v;
  v["activity"] = a.id;
  v["activity_name"] = a.name;
  v["venue"] = a.venue;
  v["starts"] = date_vi(a.starts);
  v["ends"] = date_vi(a.ends);
  v["registration_closes"] = date_vi(a.registration_closes);
  const Unit* u = cfg.unit(a.unit);
  v["organiser"] = u ? u->name : a.unit;
  return v;
}

std::vector<Certificate> eligible_certificates(const Config& cfg, Store& store, const Activity& a, Date day) {
  const std::vector<std::string> open_to = a.open_to.empty() ? std::vector<std::string>{a.unit} : a.open_to;
  std::set<std::string> units;
  for (const auto& u : open_to)
    for (auto& c : cfg.units_under(u, day)) units.insert(std::move(c));
  // Whether a unit is in open_to that day: asked once per unit, not once per certificate (a
  // province has a hundred communes and thousands of certificates).
  std::map<std::string, bool> eligible_unit;
  auto in_open_to = [&](const std::string& unit) {
    auto [it, fresh] = eligible_unit.try_emplace(unit, false);
    if (fresh)
      for (const auto& u : open_to) it->second = it->second || cfg.in_scope(u, unit, day);
    return it->second;
  };
  // The certificates in force that the activity's policy admits, in one read. Open to the whole
  // tree (a national fair), no list of units: the store then searches by state and validity
  // instead of seeking each of the country's units.
  CertificateFilter f;
  f.states = {"active", "expiring"};
  if (units.size() < cfg.units().size()) f.units.assign(units.begin(), units.end());
  f.min_stars = a.policy.min_stars;
  f.valid_until_after = a.ends;
  f.brief = true;  // sorted below
  std::vector<Certificate> found;
  for (Certificate& c : store.certificates(f))
    if (in_open_to(c.unit)) found.push_back(std::move(c));
  // By unit, then id: the order is sorted on positions, and each certificate moved once.
  std::vector<std::size_t> order(found.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    const Certificate& cx = found[x];
    const Certificate& cy = found[y];
    return cx.unit != cy.unit ? cx.unit < cy.unit : cx.id < cy.id;
  });
  std::vector<Certificate> out;
  out.reserve(found.size());
  for (std::size_t i : order) out.push_back(std::move(found[i]));
  return out;
}

namespace {

std::string product_line(const Certificate& c) {
  return "- " + c.product + " (" + std::to_string(c.stars) + " sao, giấy chứng nhận " + c.id + ", hiệu lực đến " +
         date_vi(c.valid_until) + ")";
}

}  // namespace

int queue_invitations(const Config& cfg, Store& store, const Activity& a, Instant at) {
  const Date day = local_date(at, cfg.province.utc_offset_minutes);
  const std::vector<Certificate> certs = eligible_certificates(cfg, store, a, day);
  TemplateVars vars = activity_vars(cfg, a);
  vars["province"] = cfg.province.name;
  vars["office"] = "Văn phòng Điều phối Chương trình OCOP tỉnh " + cfg.province.name;
  vars["date"] = date_vi(day);

  int queued = 0;
  auto send = [&](const std::string& key, const Recipient& r, const std::vector<const Certificate*>& list) {
    std::string lines;
    for (std::size_t i = 0; i < list.size() && i < text::kDigestMaxEntries; ++i)
      lines += (lines.empty() ? "" : "\n") + product_line(*list[i]);
    if (std::string more = text::more_entries(list.size(), "sản phẩm"); !more.empty()) lines += "\n" + more;
    vars["recipient_name"] = r.name;
    vars["count"] = std::to_string(list.size());
    vars["products"] = lines;
    OutboxMessage m = email_message(key, r.email, render(cfg, "promotion_invite", vars),
                                    "activity " + a.id + " open_registration", a.id, at);
    if (store.enqueue(m)) ++queued;
  };

  // One digest per unit the activity is open to, listing its products that may apply.
  const std::vector<std::string> open_to = a.open_to.empty() ? std::vector<std::string>{a.unit} : a.open_to;
  for (const auto& u : open_to) {
    std::vector<const Certificate*> list;
    const std::string* last = nullptr;  // certs come by unit: in_scope once per unit
    bool in = false;
    for (const auto& c : certs) {
      if (!last || *last != c.unit) {
        last = &c.unit;
        in = cfg.in_scope(u, c.unit, day);
      }
      if (in) list.push_back(&c);
    }
    auto r = unit_recipient(cfg, u, day);
    if (!r || list.empty()) continue;
    send("invite/" + a.id + "/unit/" + u, *r, list);
  }
  // One message per producer user with an address and such a product.
  std::map<std::string, std::pair<Recipient, std::vector<const Certificate*>>> producers;
  for (const auto& c : certs) {
    Dossier d;
    d.id = c.dossier;
    d.unit = c.unit;
    for (const Recipient& r : producer_recipients(cfg, store, d, day)) {
      auto& slot = producers[r.email];
      slot.first = r;
      slot.second.push_back(&c);
    }
  }
  for (const auto& [email, entry] : producers) send("invite/" + a.id + "/email/" + email, entry.first, entry.second);
  return queued;
}

}  // namespace ocop
