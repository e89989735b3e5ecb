// Certificates' life on a real SQLite file (spec §3): revocation (who, on what ground, in which
// order of checks, recorded in the dossier's hash chain), supersession through the certificate
// machine, the scheduler's notice and expiry, filters, and a product's history across cycles.
#include <algorithm>

#include "fixture.hpp"
#include "ocop/product.hpp"

using namespace ocop;
using namespace ocop::testing;
using nlohmann::json;

namespace {

std::string commune_user(const std::string& role, const std::string& unit) {
  std::string u = unit;
  for (auto& ch : u) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return role + "." + u;
}

// Registers `data` (a new dossier, any registration type) and takes it to `scored` at the
// province with five equal sheets of (a, b, c).
void to_province_scored(Db& db, json data, double a, double b, double c) {
  const std::string id = data["id"], unit = data["unit"];
  if (!data.contains("registration_type")) data["registration_type"] = "new";
  data["documents"] = {doc("registration_form"), doc("self_assessment")};
  auto r = db.fire("register", "", commune_user("producer", unit), data);
  BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
  BOOST_REQUIRE(db.fire("accept_dossier", id, commune_user("officer", unit)).status.ok());
  BOOST_REQUIRE(db.fire("forward", id, commune_user("officer", unit)).status.ok());
  BOOST_REQUIRE(db.fire("accept_dossier", id, "coordinator", {{"round", "2026-1"}}).status.ok());
  score_all(db, id, a, b, c);
  BOOST_REQUIRE(db.fire("close_scoring", id, "chair").status.ok());
}

// A dossier recognised by the province (80 points: 4★ unless the scores say otherwise).
std::string province_certificate(Db& db, json data, double a = 32, double b = 20, double c = 28) {
  const std::string id = data["id"];
  to_province_scored(db, std::move(data), a, b, c);
  auto r =
      db.fire("recognize", id, "signer", {{"decision_no", "1187/QĐ-UBND"}, {"decision_date", "2026-10-30"}});
  BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
  return id + "/province";
}

// A 94-point dossier: 4★ from the province, then 5★ from central.
void to_central_five_stars(Db& db, const std::string& id) {
  province_certificate(db, new_product(id), 38, 23, 33);
  BOOST_REQUIRE(db.fire("forward", id, "coordinator").status.ok());
  BOOST_REQUIRE(db.fire("accept_dossier", id, "central.coordinator", {{"round", "2026-C"}}).status.ok());
  score_all(db, id, 38, 24, 34, 5, "central.member.");
  BOOST_REQUIRE(db.fire("close_scoring", id, "central.chair").status.ok());
  auto r = db.fire("recognize", id, "central.signer",
                   {{"decision_no", "5120/QĐ-BNNMT"}, {"decision_date", "2026-12-20"}});
  BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
}

json revocation(const std::string& ground = "fraud") {
  return {{"ground", ground}, {"decision_no", "12/QĐ-UBND"}, {"decision_date", "2027-01-15"}};
}

std::string cert_state(Db& db, const std::string& id) {
  auto c = db.store->load_certificate(id);
  return c ? c->state : "-";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(certificates)

BOOST_AUTO_TEST_CASE(a_province_signer_revokes_a_province_certificate) {
  Db db;
  const std::string id = "BX-2026-000101";
  const std::string cert = province_certificate(db, new_product(id));
  const auto version = db.store->load_dossier(id)->version;
  const auto records = db.audit_count();

  auto r = db.fire("revoke", cert, "signer", revocation("food_safety"));
  BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
  BOOST_TEST(db.view(r)["state"] == "revoked");
  BOOST_TEST(db.view(r)["revocation"]["ground"] == "food_safety");
  BOOST_TEST(db.view(r)["revocation"]["ground_text"] == "Vi phạm quy định về an toàn thực phẩm");
  BOOST_TEST(r.dossier_id == id);

  auto c = db.store->load_certificate(cert);
  BOOST_TEST(c->state == "revoked");
  BOOST_TEST(c->revocation_ground == "food_safety");
  BOOST_TEST(c->revocation_decision_no == "12/QĐ-UBND");
  BOOST_REQUIRE(c->revoked_on.has_value());
  BOOST_TEST(format_date(*c->revoked_on) == "2027-01-15");
  // The dossier keeps its state; its version counts the new record.
  auto d = db.store->load_dossier(id);
  BOOST_TEST(d->state == State::recognized);
  BOOST_TEST(d->certificate == cert);
  BOOST_TEST(d->version == version + 1);
  BOOST_TEST(db.audit_count() == records + 1);
  auto h = db.store->history(id);
  const AuditRecord& last = h.back();
  BOOST_TEST(last.event == "revoke");
  BOOST_TEST(last.from_state == "active");
  BOOST_TEST(last.to_state == "revoked");
  BOOST_TEST(last.level == "province");
  BOOST_TEST(last.role == "signer");
  json data = json::parse(last.data);
  BOOST_TEST(data["certificate"] == cert);
  BOOST_TEST(data["ground"] == "food_safety");
  BOOST_TEST(data["decision_no"] == "12/QĐ-UBND");
  std::string why;
  BOOST_TEST(db.verify(&why), why);  // the chain and every dossier's version against its records
  // Without a decision_date the revocation is dated the day it is fired.
  const std::string other = province_certificate(db, new_product("BX-2026-000102", "BX-C0002"));
  auto no_date = revocation("production_stopped");
  no_date.erase("decision_date");
  BOOST_REQUIRE(db.fire("revoke", other, "central.signer", no_date).status.ok());
  BOOST_TEST(format_date(*db.store->load_certificate(other)->revoked_on) ==
             format_date(local_date(db.clock.now(), 420)));
  BOOST_TEST(db.verify());
}

BOOST_AUTO_TEST_CASE(revocation_refusals_follow_the_spec_order_and_write_nothing) {
  Db db;
  const std::string id = "BX-2026-000103";
  const std::string cert = province_certificate(db, new_product(id));
  // A commune user whose role would allow revoke: still below the issuing level.
  db.config.roles["commune_signer"] = certificate_event_bit(CertificateEvent::revoke);
  db.config.mutable_users().push_back(
      User{"signer.bx-c0001", "Chủ tịch UBND xã", {"commune_signer"}, "BX-C0001", "", 0});
  db.config.index();
  const auto head = db.store->audit_head();
  const auto version = db.store->load_dossier(id)->version;

  struct Case {
    std::string event, cert, actor;
    json data;
    int code;
    std::string says;
  };
  auto no_decision = revocation();
  no_decision.erase("decision_no");
  auto bad_date = revocation();
  bad_date["decision_date"] = "15/01/2027";
  auto other_cert = revocation();
  other_cert["certificate"] = "BX-2026-000001/province";
  const std::vector<Case> cases = {
      {"revoke", cert, "signer", revocation("bad_weather"), 2, "not a configured revocation ground"},
      {"revoke", cert, "signer", {{"decision_no", "1"}}, 2, "data.ground is required"},
      {"revoke", cert, "signer", no_decision, 2, "data.decision_no"},
      {"revoke", cert, "signer", bad_date, 2, "decision_date"},
      {"revoke", cert, "signer", other_cert, 2, "data.certificate"},
      {"revoke", cert, "nobody", revocation(), 2, "unknown actor"},
      {"revoke", "", "signer", revocation(), 2, "needs a certificate"},
      {"supersede", cert, "signer", json::object(), 2, "not fired directly"},
      // The request before the certificate: an unknown certificate with a bad ground is bad input.
      {"revoke", "BX-2026-999999/province", "signer", revocation("bad_weather"), 2, "revocation ground"},
      {"revoke", "BX-2026-999999/province", "signer", revocation(), 3, "not found"},
      // The certificate before the role: anyone learns only that it exists.
      {"revoke", cert, "officer.bx-c0001", revocation(), 6, "none of their roles"},
      {"revoke", cert, "producer.bx-c0001", revocation(), 6, "none of their roles"},
      {"revoke", cert, "signer.bx-c0001", revocation(), 6, "issued at the province level"},
  };
  for (const auto& c : cases) {
    auto r = db.fire(c.event, c.cert, c.actor, c.data);
    BOOST_TEST(r.status.exit_code() == c.code,
               c.event << " " << c.cert << " by " << c.actor << ": " << r.status.message());
    BOOST_TEST(r.status.message().find(c.says) != std::string::npos, r.status.message()
                                                                         << " lacks " << c.says);
  }
  BOOST_TEST(db.store->audit_head().seq == head.seq);
  BOOST_TEST(db.store->load_dossier(id)->version == version);
  BOOST_TEST(cert_state(db, cert) == "active");

  // Revoked once; the second time the state refuses it (after the role check passed).
  BOOST_REQUIRE(db.fire("revoke", cert, "signer", revocation()).status.ok());
  auto r = db.fire("revoke", cert, "signer", revocation("food_safety"));
  BOOST_TEST(r.status.exit_code() == 4, r.status.message());
  BOOST_TEST(r.status.message().find("in state revoked (fraud, 12/QĐ-UBND)") != std::string::npos,
             r.status.message());
  BOOST_TEST(r.status.message().find("none (final state)") != std::string::npos, r.status.message());
  // Still forbidden, not refused, for someone without the right: the state stays private.
  BOOST_TEST(db.fire("revoke", cert, "signer.bx-c0001", revocation()).status.exit_code() == 6);
  BOOST_TEST(db.store->audit_head().seq == head.seq + 1);
  BOOST_TEST(db.store->load_certificate(cert)->revocation_ground == "fraud");
  BOOST_TEST(db.verify());
}

BOOST_AUTO_TEST_CASE(five_stars_from_central_supersede_the_province_four_and_only_central_revokes_them) {
  Db db;
  const std::string id = "BX-2026-000104";
  to_central_five_stars(db, id);
  auto province = db.store->load_certificate(id + "/province");
  BOOST_TEST(province->state == "superseded");
  BOOST_TEST(province->superseded_by == id + "/central");
  BOOST_TEST(cert_state(db, id + "/central") == "active");
  const auto head = db.store->audit_head();

  // A province signer is below the central level that issued the 5★.
  auto r = db.fire("revoke", id + "/central", "signer", revocation());
  BOOST_TEST(r.status.exit_code() == 6, r.status.message());
  BOOST_TEST(r.status.message().find("issued at the central level") != std::string::npos, r.status.message());
  // A superseded certificate cannot be revoked.
  r = db.fire("revoke", id + "/province", "signer", revocation());
  BOOST_TEST(r.status.exit_code() == 4, r.status.message());
  BOOST_TEST(r.status.message().find("superseded by " + id + "/central") != std::string::npos,
             r.status.message());
  BOOST_TEST(db.store->audit_head().seq == head.seq);

  r = db.fire("revoke", id + "/central", "central.signer", revocation("quality_change_unknown"));
  BOOST_TEST(r.status.exit_code() == 2, r.status.message());
  r = db.fire("revoke", id + "/central", "central.signer", revocation());
  BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
  BOOST_TEST(cert_state(db, id + "/central") == "revoked");
  BOOST_TEST(cert_state(db, id + "/province") == "superseded");  // history stays as it was
  BOOST_TEST(db.store->history(id).back().level == "central");
  BOOST_TEST(db.verify());
}

BOOST_AUTO_TEST_CASE(an_upgrade_supersedes_the_named_certificate_unless_it_is_no_longer_in_force) {
  Db db;
  const std::string base = province_certificate(db, new_product("BX-2026-000105"), 25, 15, 20);  // 60: 3★
  BOOST_TEST(db.store->load_certificate(base)->stars == 3);
  auto upgrade = new_product("BX-2026-000106");
  upgrade["registration_type"] = "upgrade";
  upgrade["certificate"] = base;
  const std::string up = province_certificate(db, upgrade);  // 80: 4★
  auto old = db.store->load_certificate(base);
  BOOST_TEST(old->state == "superseded");
  BOOST_TEST(old->superseded_by == up);
  BOOST_TEST(cert_state(db, up) == "active");
  // Superseded is final: no second supersession, no revocation.
  BOOST_TEST(db.fire("revoke", base, "signer", revocation()).status.exit_code() == 4);

  // A certificate revoked while its re-evaluation runs is not superseded by the re-evaluation:
  // it stays revoked, and the new certificate stands on its own evaluation.
  const std::string second = province_certificate(db, new_product("BX-2026-000107", "BX-C0002"), 25, 15, 20);
  auto again = new_product("BX-2026-000108", "BX-C0002");
  again["registration_type"] = "re_evaluation";
  again["certificate"] = second;
  to_province_scored(db, again, 26, 15, 20);
  BOOST_REQUIRE(db.fire("revoke", second, "signer", revocation("production_stopped")).status.ok());
  BOOST_REQUIRE(db.fire("recognize", "BX-2026-000108", "signer",
                        {{"decision_no", "2456/QĐ-UBND"}, {"decision_date", "2026-12-01"}})
                    .status.ok());
  auto revoked = db.store->load_certificate(second);
  BOOST_TEST(revoked->state == "revoked");
  BOOST_TEST(revoked->superseded_by.empty());
  BOOST_TEST(cert_state(db, "BX-2026-000108/province") == "active");
  // And a revoked certificate cannot be the base of a new upgrade.
  auto late = new_product("BX-2026-000109", "BX-C0002");
  late["registration_type"] = "upgrade";
  late["certificate"] = second;
  late["documents"] = {doc("registration_form"), doc("self_assessment")};
  auto r = db.fire("register", "", "producer.bx-c0002", late);
  BOOST_TEST(r.status.exit_code() == 4, r.status.message());
  BOOST_TEST(r.status.message().find("which is revoked") != std::string::npos, r.status.message());
  BOOST_TEST(db.verify());
}

BOOST_AUTO_TEST_CASE(a_revoked_certificate_no_longer_holds_its_dossier_in_recognized) {
  Db db;
  const std::string id = "BX-2026-000110";
  const std::string cert = province_certificate(db, new_product(id), 38, 23, 33);  // 94: forwardable
  BOOST_REQUIRE(db.fire("revoke", cert, "signer", revocation()).status.ok());
  auto r = db.fire("forward", id, "coordinator");
  BOOST_TEST(r.status.exit_code() == 4, r.status.message());
  BOOST_TEST(r.status.message().find("no longer in force") != std::string::npos, r.status.message());

  // Revoked while at central: withdrawing ends the dossier instead of falling back to recognized.
  const std::string id2 = "BX-2026-000111";
  const std::string cert2 = province_certificate(db, new_product(id2, "BX-C0002"), 38, 23, 33);
  BOOST_REQUIRE(db.fire("forward", id2, "coordinator").status.ok());
  BOOST_REQUIRE(db.fire("revoke", cert2, "signer", revocation()).status.ok());
  r = db.fire("withdraw", id2, "producer.bx-c0002", {{"reason", "rút hồ sơ"}});
  BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
  BOOST_TEST(db.view(r)["state"] == "withdrawn");
  BOOST_TEST(db.verify());
}

BOOST_AUTO_TEST_CASE(a_keyed_revocation_is_applied_once) {
  Db db;
  const std::string cert = province_certificate(db, new_product("BX-2026-000112"));
  auto first = db.fire("revoke", cert, "signer", revocation(), "rv-1");
  BOOST_REQUIRE(first.status.ok());
  const auto head = db.store->audit_head();
  auto again = db.fire("revoke", cert, "signer", revocation(), "rv-1");
  BOOST_TEST(again.status.ok(), again.status.message());
  BOOST_TEST(again.duplicate);
  BOOST_TEST(db.view(again)["id"] == cert);
  BOOST_TEST(db.view(again)["first_result"]["state"] == "revoked");
  BOOST_TEST(db.store->audit_head().seq == head.seq);
  auto other = db.fire("revoke", cert, "signer", revocation("food_safety"), "rv-1");
  BOOST_TEST(other.status.exit_code() == 2, other.status.message());
  BOOST_TEST(other.status.message().find("different request") != std::string::npos);
  // A key is told only to someone who may fire the event.
  BOOST_TEST(db.fire("revoke", cert, "officer.bx-c0001", revocation(), "rv-1").status.exit_code() == 6);
  BOOST_TEST(db.verify());
}

BOOST_AUTO_TEST_CASE(notice_and_expire_are_ready_for_the_scheduler) {
  Db db;
  db.config.roles["signer"] |=
      certificate_event_bit(CertificateEvent::notice) | certificate_event_bit(CertificateEvent::expire);
  db.config.index();
  const std::string cert = province_certificate(db, new_product("BX-2026-000113"));
  auto r = db.fire("notice", cert, "signer");
  BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
  BOOST_TEST(db.view(r)["state"] == "expiring");
  r = db.fire("notice", cert, "signer");
  BOOST_TEST(r.status.exit_code() == 4, r.status.message());
  BOOST_TEST(r.status.message().find("allowed there: expire, revoke") != std::string::npos,
             r.status.message());
  BOOST_REQUIRE(db.fire("expire", cert, "signer").status.ok());
  BOOST_TEST(cert_state(db, cert) == "expired");
  BOOST_TEST(db.fire("revoke", cert, "signer", revocation()).status.exit_code() == 4);
  // An expired certificate is not superseded by a later re-evaluation either.
  auto again = new_product("BX-2026-000114");
  again["registration_type"] = "re_evaluation";
  again["certificate"] = cert;
  again["documents"] = {doc("registration_form"), doc("self_assessment")};
  BOOST_TEST(db.fire("register", "", "producer.bx-c0001", again).status.exit_code() == 4);
  auto h = db.store->history("BX-2026-000113");
  BOOST_TEST(h[h.size() - 2].event == "notice");
  BOOST_TEST(h.back().event == "expire");
  BOOST_TEST(h.back().from_state == "expiring");
  BOOST_TEST(db.verify());
}

BOOST_AUTO_TEST_CASE(certificates_filter_by_state_units_stars_and_validity) {
  Db db;
  const std::string a = province_certificate(db, new_product("BX-2026-000115"), 25, 15, 20);  // 3★ C0001
  const std::string b = province_certificate(db, new_product("BX-2026-000116"));              // 4★ C0001
  const std::string c = province_certificate(db, new_product("BX-2026-000117", "BX-C0002"));  // 4★ C0002
  BOOST_REQUIRE(db.fire("revoke", b, "signer", revocation()).status.ok());
  auto ids = [&](const CertificateFilter& f) {
    std::set<std::string> out;
    for (const auto& x : db.store->certificates(f)) out.insert(x.id);
    return out;
  };
  CertificateFilter f;
  BOOST_TEST(ids(f).size() == 3u);
  f.state = "revoked";
  BOOST_TEST((ids(f) == std::set<std::string>{b}));
  f = {};
  f.units = {"BX-C0002"};
  BOOST_TEST((ids(f) == std::set<std::string>{c}));
  const Date day = *parse_date("2026-06-01");
  f.units = db.config.units_under("BX", day);
  BOOST_TEST(f.units.size() == 6u);  // BX and its five communes
  BOOST_TEST(ids(f).size() == 3u);
  BOOST_TEST(db.config.units_under("BX-C0001", day) == std::vector<std::string>{"BX-C0001"});
  BOOST_TEST(db.config.units_under("XX", day).empty());
  f = {};
  f.stars = 4;
  BOOST_TEST((ids(f) == std::set<std::string>{b, c}));
  f = {};
  f.valid_until_on_or_before = parse_date("2029-10-29");
  BOOST_TEST(ids(f).empty());
  f.valid_until_on_or_before = parse_date("2029-10-30");
  BOOST_TEST(ids(f).size() == 3u);
  f = {};
  f.dossier = "BX-2026-000115";
  BOOST_TEST((ids(f) == std::set<std::string>{a}));
  // Any of several states, at least some stars, valid after a day (an invitation's read).
  f = {};
  f.states = {"active", "expiring"};
  BOOST_TEST((ids(f) == std::set<std::string>{a, c}));
  f.min_stars = 4;
  BOOST_TEST((ids(f) == std::set<std::string>{c}));
  f.min_stars = 3;
  f.valid_until_after = parse_date("2029-10-30");
  BOOST_TEST(ids(f).empty());
  f.valid_until_after = parse_date("2029-10-29");
  BOOST_TEST(ids(f).size() == 2u);
  // A brief read finds the same certificates with the fields an invitation lists.
  auto full = db.store->certificates(f);
  f.brief = true;
  auto brief = db.store->certificates(f);
  BOOST_REQUIRE_EQUAL(brief.size(), full.size());
  std::sort(brief.begin(), brief.end(), [](const Certificate& x, const Certificate& y) { return x.id < y.id; });
  std::sort(full.begin(), full.end(), [](const Certificate& x, const Certificate& y) { return x.id < y.id; });
  for (std::size_t i = 0; i < full.size(); ++i) {
    BOOST_TEST(brief[i].id == full[i].id);
    BOOST_TEST(brief[i].dossier == full[i].dossier);
    BOOST_TEST(brief[i].product == full[i].product);
    BOOST_TEST(brief[i].unit == full[i].unit);
    BOOST_TEST(brief[i].stars == full[i].stars);
    BOOST_TEST(format_date(brief[i].valid_until) == format_date(full[i].valid_until));
    BOOST_TEST(brief[i].state == full[i].state);
  }
}

BOOST_AUTO_TEST_CASE(a_product_history_follows_names_producers_and_upgrades) {
  Db db;
  // 2026: Chè Shan tuyết Cao Bồ by HTX Chè Cao Bồ, 3★.
  const std::string first = province_certificate(db, new_product("BX-2026-000120"), 25, 15, 20);
  // Its upgrade under a new name: linked by the certificate it names.
  auto upgrade = new_product("BX-2026-000121");
  upgrade["product"] = "Chè Shan tuyết Cao Bồ thượng hạng";
  upgrade["registration_type"] = "upgrade";
  upgrade["certificate"] = first;
  const std::string second = province_certificate(db, upgrade);
  // The same name and producer filed in another commune (a merged commune): the same product.
  auto moved = new_product("BX-2026-000122", "BX-C0002");
  BOOST_REQUIRE(db.fire("submit_idea", "", "producer.bx-c0002", moved).status.ok());
  // The same name by another producer: another product.
  auto other = new_product("BX-2026-000123", "BX-C0003");
  other["producer"] = "HTX Chè Bản Lìm";
  BOOST_REQUIRE(db.fire("submit_idea", "", "producer.bx-c0003", other).status.ok());

  for (const std::string& seed : {std::string("BX-2026-000120"), second, std::string("BX-2026-000122")}) {
    ProductHistory h;
    BOOST_REQUIRE_MESSAGE(product_history(*db.store, seed, "", ReadScope::unrestricted(), h).ok(), seed);
    std::vector<std::string> dossiers, certs;
    for (const auto& d : h.dossiers) dossiers.push_back(d.id);
    for (const auto& c : h.certificates) certs.push_back(c.id);
    BOOST_TEST((dossiers == std::vector<std::string>{"BX-2026-000120", "BX-2026-000121", "BX-2026-000122"}),
               "from " << seed);
    BOOST_TEST((certs == std::vector<std::string>{first, second}), "from " << seed);
    BOOST_TEST(h.certificates[0].superseded_by == second);
  }
  ProductHistory h;
  Status s = product_history(*db.store, "Chè Shan tuyết Cao Bồ", "", ReadScope::unrestricted(), h);
  BOOST_TEST(s.exit_code() == 2, s.message());  // two producers make one of that name
  BOOST_TEST(s.message().find("HTX Chè Bản Lìm") != std::string::npos, s.message());
  BOOST_TEST(
      product_history(*db.store, "Chè Shan tuyết Cao Bồ", "HTX Chè Bản Lìm", ReadScope::unrestricted(), h)
          .ok());
  BOOST_TEST(h.dossiers.size() == 1u);
  BOOST_TEST(h.dossiers[0].id == "BX-2026-000123");
  BOOST_TEST(
      product_history(*db.store, "Chè Shan tuyết Cao Bồ", "HTX Chè Cao Bồ", ReadScope::unrestricted(), h)
          .ok());
  BOOST_TEST(h.dossiers.size() == 3u);
  BOOST_TEST(product_history(*db.store, "Cà phê", "", ReadScope::unrestricted(), h).exit_code() == 3);
}

BOOST_AUTO_TEST_SUITE_END()
