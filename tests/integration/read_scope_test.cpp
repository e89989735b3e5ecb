// Who may read what (ocop/read_scope.hpp, issue 11) on a real database, SQLite and PostgreSQL:
// every read of the application layer in and out of a reader's scope. A commune's producer and
// officer see their commune's dossiers, documents, certificates, products, activities,
// inspections, records and totals, and nothing of another commune's (a single object answers
// as an absent one, with the same message); province-wide readers see everything; the audit
// chain is verified by province-wide readers only; merged communes' dossiers are their
// successor's; a user whose unit has ended reads nothing.
#include <boost/test/unit_test.hpp>

#include <set>
#include <sstream>

#include "fixture.hpp"
#include "ocop/accounts.hpp"
#include "security/sodium_secrets.hpp"
#include "store/file_blob_store.hpp"

namespace ocop {
static std::ostream& boost_test_print_type(std::ostream& o, const Code& c) { return o << code_name(c); }
}  // namespace ocop

using namespace ocop;
using namespace ocop::testing;
using nlohmann::json;

namespace {

const std::string D1 = "BX-2026-000001";  // BX-C0001, recognised
const std::string D2 = "BX-2026-000002";  // BX-C0002, an idea

std::vector<std::string> ids(const std::vector<Dossier>& ds) { return dossier_ids(ds); }

template <class T>
std::vector<std::string> object_ids(const std::vector<T>& xs) {
  std::vector<std::string> out;
  for (const auto& x : xs) out.push_back(x.id);
  return out;
}

// An application over Db's store with a document directory, and the readers of the test province.
struct Readers {
  Db db;
  std::unique_ptr<CycleLifecycle> cycles = workflows::make_cycle_lifecycle();
  store::FileBlobStore blobs{(db.dir / "documents").string()};
  Application app{db.config, *db.store, Workflows{*db.lifecycle, *db.certificates, *cycles, &db.after},
                  db.clock, &blobs};

  explicit Readers(const std::string& config = std::string(OCOP_SOURCE_DIR) +
                                               "/tests/data/config/gen_workload.yaml")
      : db(config) {}

  ReadScope scope(const std::string& user) {
    auto r = app.read_scope(user);
    BOOST_REQUIRE_MESSAGE(r.ok(), user + ": " + r.status.message());
    return r.value;
  }

  // Attaches `bytes` to `dossier` as `actor`; returns their SHA-256.
  std::string attach(const std::string& dossier, const std::string& actor, const std::string& bytes) {
    EventRequest req;
    req.event = "attach";
    req.dossier = dossier;
    req.actor = actor;
    req.data = {{"kind", "business_plan"}};
    std::istringstream in(bytes);
    BOOST_REQUIRE(app.stage_attachment(req, in, static_cast<std::int64_t>(bytes.size()), "tệp.pdf").ok());
    const std::string sha = req.data["sha256"];
    auto r = app.fire(std::move(req));
    BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
    return sha;
  }
};

// The test province's objects: D1 of BX-C0001 recognised (4★) with a document of its own and
// one shared with D2, an application to the province's fair and an inspection; D2 of BX-C0002 an
// idea with its own document and the shared one; an activity BX-C0002 organises; a record of
// each of two accounts.
struct TwoCommunes : Readers {
  std::string only_d1, only_d2, shared, fair, local_fair, participation, inspection;

  TwoCommunes() {
    to_province_review(db, D1);
    only_d1 = attach(D1, "producer.bx-c0001", "%PDF-1.4 phương án D1");
    shared = attach(D1, "producer.bx-c0001", "%PDF-1.4 giấy phép chung");
    score_all(db, D1, 30, 20, 25);  // 75: 4 stars
    BOOST_REQUIRE(db.fire("close_scoring", D1, "chair").status.ok());
    BOOST_REQUIRE(
        db.fire("recognize", D1, "signer", {{"decision_no", "1/QĐ-UBND"}, {"decision_date", "2026-03-02"}})
            .status.ok());
    BOOST_REQUIRE(db.fire("submit_idea", "", "producer.bx-c0002", new_product(D2, "BX-C0002")).status.ok());
    only_d2 = attach(D2, "producer.bx-c0002", "%PDF-1.4 ý tưởng D2");
    BOOST_REQUIRE(attach(D2, "producer.bx-c0002", "%PDF-1.4 giấy phép chung") == shared);

    json data = ocop::testing::fair(10);
    auto r = db.fire("plan_activity", "", "organiser", data);
    BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
    fair = r.dossier_id;
    BOOST_REQUIRE(db.fire("open_registration", fair, "organiser").status.ok());
    data["unit"] = "BX-C0002";
    data["name"] = "Phiên chợ OCOP xã C0002";
    r = db.fire("plan_activity", "", "organiser", data);
    BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
    local_fair = r.dossier_id;
    r = db.fire("apply", "", "producer.bx-c0001", {{"activity", fair}, {"certificate", D1 + "/province"}});
    BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
    participation = r.dossier_id;
    r = db.fire("plan_inspection", "", "inspector",
                {{"certificate", D1 + "/province"}, {"due", "2026-11-13"}});
    BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
    inspection = r.dossier_id;

    security::SodiumSecrets secrets{security::PasswordCost::interactive};
    EngineAccounts accounts{db.config, *db.store, secrets, db.clock, SessionPolicy{}};
    for (const char* user : {"producer.bx-c0001", "officer.bx-c0002"})
      BOOST_REQUIRE(accounts.logout_everywhere(user, "cli:test").ok());
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(read_scope)

BOOST_AUTO_TEST_CASE(a_scope_is_the_users_unit_and_below_and_province_wide_at_the_province) {
  Readers r;
  const ReadScope p1 = r.scope("producer.bx-c0001");
  BOOST_TEST(!p1.whole());
  BOOST_TEST(p1.units() == std::vector<std::string>{"BX-C0001"}, boost::test_tools::per_element());
  // Its own unit's activities and those its ancestors announce.
  BOOST_TEST(p1.activity_units() == (std::vector<std::string>{"BX", "BX-C0001", "VN"}),
             boost::test_tools::per_element());
  BOOST_TEST(p1.sees("BX-C0001"));
  BOOST_TEST(!p1.sees("BX-C0002"));
  BOOST_TEST(!p1.sees("BX"));
  BOOST_TEST(p1.sees_account("producer.bx-c0001"));
  BOOST_TEST(!p1.sees_account("officer.bx-c0001"));
  for (const char* wide : {"auditor", "coordinator", "central.coordinator"}) {
    const ReadScope s = r.scope(wide);
    BOOST_TEST(s.whole(), wide);
    BOOST_TEST(s.units().empty());  // the store's "any unit"
    BOOST_TEST(s.sees("BX-C0005"));
    BOOST_TEST(s.sees_account("officer.bx-c0002"));
  }
  BOOST_TEST(ReadScope::unrestricted().whole());
  BOOST_TEST(ReadScope::unrestricted().is_operator());
  BOOST_TEST(!r.scope("auditor").is_operator());
  auto nobody = r.app.read_scope("nobody");
  BOOST_TEST(nobody.status.code() == Code::forbidden);
}

BOOST_AUTO_TEST_CASE(single_objects_outside_the_scope_answer_as_absent_ones) {
  TwoCommunes p;
  const ReadScope p1 = p.scope("producer.bx-c0001"), o2 = p.scope("officer.bx-c0002"),
                  aud = p.scope("auditor");

  // Dossiers: show, history, documents.
  BOOST_TEST(p.app.show(p1, D1).ok());
  auto hidden = p.app.show(p1, D2);
  BOOST_TEST(hidden.status.code() == Code::not_found);
  BOOST_TEST(hidden.status.message() == "dossier " + D2 + " not found");  // as an absent one's
  BOOST_TEST(p.app.show(o2, D2).ok());
  BOOST_TEST(p.app.show(aud, D2).ok());
  BOOST_TEST(p.app.history(p1, D2).status.code() == Code::not_found);
  BOOST_TEST(p.app.history(p1, D2).status.message() ==
             "no dossier, activity, participation, inspection or account " + D2);
  BOOST_TEST(p.app.history(o2, D1).status.code() == Code::not_found);
  BOOST_TEST(p.app.history(o2, D2).value.size() == 3u);  // submit_idea, two attachments
  BOOST_TEST(p.app.documents(p1, D2).status.code() == Code::not_found);
  BOOST_TEST(p.app.documents(o2, D2).value.size() == 2u);
  BOOST_TEST(p.app.documents(aud, D1).value.size() == 4u);  // the two registration forms and two files

  // A document by its bytes: readable when a dossier in the scope holds it.
  auto bytes = [&](const ReadScope& s, const std::string& sha) {
    std::ostringstream out;
    Status st = p.app.document_bytes(s, sha, out);
    return std::make_pair(st, out.str());
  };
  auto other = bytes(o2, p.only_d1);
  BOOST_TEST(other.first.code() == Code::not_found);
  BOOST_TEST(other.first.message() == "no document has SHA-256 " + p.only_d1);
  BOOST_TEST(other.second.empty());
  BOOST_TEST(bytes(p1, p.only_d1).second == "%PDF-1.4 phương án D1");
  BOOST_TEST(bytes(p1, p.only_d2).first.code() == Code::not_found);
  BOOST_TEST(bytes(o2, p.shared).second == "%PDF-1.4 giấy phép chung");  // D2 holds it too
  BOOST_TEST(bytes(p1, p.shared).first.ok());
  BOOST_TEST(bytes(aud, p.only_d2).first.ok());

  // Products: a dossier, a certificate or a name, and only what the scope holds of it.
  auto all = p.app.product(kOperator, D2, "");  // same product and producer: both dossiers
  BOOST_REQUIRE(all.ok());
  BOOST_TEST(all.value.dossiers.size() == 2u);
  BOOST_TEST(all.value.certificates.size() == 1u);
  auto mine = p.app.product(o2, "Chè Shan tuyết Cao Bồ", "");
  BOOST_REQUIRE(mine.ok());
  BOOST_TEST(ids(mine.value.dossiers) == std::vector<std::string>{D2}, boost::test_tools::per_element());
  BOOST_TEST(mine.value.certificates.empty());
  BOOST_TEST(p.app.product(o2, D1, "").status.code() == Code::not_found);
  BOOST_TEST(p.app.product(o2, D1 + "/province", "").status.code() == Code::not_found);
  auto p1_product = p.app.product(p1, D2, "");
  BOOST_TEST(p1_product.status.code() == Code::not_found);
  BOOST_TEST(p.app.product(p1, D1, "").value.certificates.size() == 1u);

  // Activities: the scope's own and those announced to it; participations and inspections by
  // their dossier's unit.
  BOOST_TEST(p.app.activity(p1, p.fair).ok());                                    // announced by the province
  BOOST_TEST(p.app.activity(p1, p.local_fair).status.code() == Code::not_found);  // another commune's
  BOOST_TEST(p.app.activity(p1, p.local_fair).status.message() == "activity " + p.local_fair + " not found");
  BOOST_TEST(p.app.activity(o2, p.local_fair).ok());
  BOOST_TEST(p.app.activity(p1, p.fair).value.participations.size() == 1u);
  BOOST_TEST(p.app.activity(o2, p.fair).value.participations.empty());  // only its own
  BOOST_TEST(p.app.activity(o2, p.fair).value.totals.by_state.empty());
  BOOST_TEST(p.app.activity(aud, p.fair).value.participations.size() == 1u);
  BOOST_TEST(p.app.history(p1, p.fair).ok());
  BOOST_TEST(p.app.history(p1, p.local_fair).status.code() == Code::not_found);
  BOOST_TEST(p.app.history(p1, p.participation).ok());
  BOOST_TEST(p.app.history(o2, p.participation).status.code() == Code::not_found);
  BOOST_TEST(p.app.history(p1, p.inspection).ok());
  BOOST_TEST(p.app.history(o2, p.inspection).status.code() == Code::not_found);

  // Accounts: a user's own records, and everyone's for province-wide readers.
  BOOST_TEST(p.app.history(p1, "user:producer.bx-c0001").value.size() == 1u);
  auto foreign = p.app.history(p1, "user:officer.bx-c0002");
  BOOST_TEST(foreign.status.code() == Code::not_found);
  BOOST_TEST(foreign.status.message() ==
             "no dossier, activity, participation, inspection or account user:officer.bx-c0002");
  BOOST_TEST(p.app.history(aud, "user:officer.bx-c0002").value.size() == 1u);
  BOOST_TEST(p.db.verify());
}

BOOST_AUTO_TEST_CASE(lists_counts_and_totals_hold_the_scope_only) {
  TwoCommunes p;
  const ReadScope p1 = p.scope("producer.bx-c0001"), o2 = p.scope("officer.bx-c0002"),
                  aud = p.scope("auditor");

  // Dossiers: filtered in the query; a unit filter within the scope narrows it, one outside is
  // forbidden.
  BOOST_TEST(ids(p.app.list(p1, {}).value) == std::vector<std::string>{D1}, boost::test_tools::per_element());
  BOOST_TEST(ids(p.app.list(o2, {}).value) == std::vector<std::string>{D2}, boost::test_tools::per_element());
  BOOST_TEST(p.app.list(aud, {}).value.size() == 2u);
  BOOST_TEST(p.app.count(p1, {}).value == 1);
  BOOST_TEST(p.app.count(aud, {}).value == 2);
  DossierQuery q;
  q.unit = "BX-C0002";
  BOOST_TEST(p.app.list(p1, q).status.code() == Code::forbidden);
  BOOST_TEST(p.app.count(p1, q).status.code() == Code::forbidden);
  BOOST_TEST(ids(p.app.list(aud, q).value) == std::vector<std::string>{D2}, boost::test_tools::per_element());
  q.unit = "BX";  // above the commune
  BOOST_TEST(p.app.list(o2, q).status.code() == Code::forbidden);
  q.unit = "BX-C0001";
  BOOST_TEST(ids(p.app.list(p1, q).value) == std::vector<std::string>{D1}, boost::test_tools::per_element());
  q.unit = "NOWHERE";
  BOOST_TEST(p.app.list(p1, q).status.code() == Code::bad_input);
  q = DossierQuery{};
  q.state = "recognized";
  BOOST_TEST(p.app.count(o2, q).value == 0);

  // Certificates.
  BOOST_TEST(p.app.certificates(p1, {}).value.size() == 1u);
  BOOST_TEST(p.app.certificates(o2, {}).value.empty());
  BOOST_TEST(p.app.certificates(aud, {}).value.size() == 1u);
  CertificateQuery cq;
  cq.unit = "BX-C0001";
  BOOST_TEST(p.app.certificates(o2, cq).status.code() == Code::forbidden);

  // Activities and inspections.
  std::vector<std::string> seen;
  for (const auto& s : p.app.activities(p1, {}).value) seen.push_back(s.activity.id);
  BOOST_TEST(seen == std::vector<std::string>{p.fair}, boost::test_tools::per_element());
  seen.clear();
  for (const auto& s : p.app.activities(o2, {}).value) {
    seen.push_back(s.activity.id);
    BOOST_TEST(s.totals.by_state.empty());  // D1's application is not its own
  }
  BOOST_TEST(seen.size() == 2u);
  BOOST_TEST(p.app.activities(aud, {}).value.size() == 2u);
  ActivityQuery aq;
  aq.unit = "BX";
  BOOST_TEST(p.app.activities(p1, aq).status.code() == Code::forbidden);
  aq.unit = "BX-C0002";
  BOOST_TEST(p.app.activities(o2, aq).value.size() == 1u);  // its own, not the announced one
  BOOST_TEST(object_ids(p.app.inspections(p1, {}).value) == std::vector<std::string>{p.inspection},
             boost::test_tools::per_element());
  BOOST_TEST(p.app.inspections(o2, {}).value.empty());
  BOOST_TEST(p.app.inspections(aud, {}).value.size() == 1u);

  // The report: totals over the scope's units.
  auto rep1 = p.app.report(p1).value;
  BOOST_TEST(rep1.dossiers() == 1);
  BOOST_TEST(rep1.unit_dossiers_by_state.count("BX-C0002") == 0u);
  BOOST_TEST(rep1.certificates_by_stars["4"] == 1);
  BOOST_TEST(rep1.promotion.activities == 0);  // the fair is the province's
  BOOST_TEST(rep1.promotion.inspections_by_result["planned"] == 1);
  auto rep2 = p.app.report(o2).value;
  BOOST_TEST(rep2.dossiers() == 1);
  BOOST_TEST(rep2.dossiers_by_state["idea_submitted"] == 1);
  BOOST_TEST(rep2.certificates_by_stars.empty());
  BOOST_TEST(rep2.promotion.activities == 1);
  BOOST_TEST(rep2.promotion.inspections_by_result.empty());
  auto all = p.app.report(aud).value;
  BOOST_TEST(all.dossiers() == 2);
  BOOST_TEST(all.promotion.activities == 2);

  // The cycle's counts.
  CycleReport c2 = p.app.cycle(o2, 2026);
  BOOST_REQUIRE(c2.status.ok());
  BOOST_TEST(c2.by_state.size() == 1u);
  BOOST_TEST(c2.by_state["idea_submitted"] == 1);
  BOOST_TEST(c2.by_unit.count("BX-C0001") == 0u);
  std::int64_t n = 0;
  for (const auto& [state, k] : p.app.cycle(aud, 2026).by_state) n += k;
  BOOST_TEST(n == 2);

  // The outbox is the operators'.
  BOOST_TEST(p.app.outbox(p1, "", 0).status.code() == Code::forbidden);
  BOOST_TEST(p.app.outbox(aud, "", 0).status.code() == Code::forbidden);
  BOOST_TEST(p.app.outbox(p.scope("scheduler"), "", 0).ok());
  BOOST_TEST(p.app.outbox(kOperator, "", 0).ok());
}

BOOST_AUTO_TEST_CASE(the_audit_trail_is_verified_whole_and_exported_by_scope) {
  TwoCommunes p;
  const ReadScope p1 = p.scope("producer.bx-c0001"), o2 = p.scope("officer.bx-c0002");
  // Verification is of the whole chain: province-wide readers only.
  for (const char* user : {"producer.bx-c0001", "officer.bx-c0002", "inspector.bx-c0001"}) {
    AuditVerification v = p.app.audit_verify(p.scope(user), "");
    BOOST_TEST(v.status.code() == Code::forbidden, user);
    BOOST_TEST(v.checked == 0);
    BOOST_TEST(v.head.empty());
  }
  for (const char* user : {"auditor", "central.coordinator"}) {
    AuditVerification v = p.app.audit_verify(p.scope(user), "");
    BOOST_TEST(v.status.ok(), user);
    BOOST_TEST(v.valid);
    BOOST_TEST(v.checked == p.db.audit_count());
  }

  // The export: the records of what the scope sees, in sequence order, and the reader's own
  // account's; everything for province-wide readers and the operator.
  auto exported = [&](const ReadScope& s) {
    std::vector<AuditRecord> out;
    BOOST_REQUIRE(p.app.audit_export(s, [&](const AuditRecord& r) { out.push_back(r); }).ok());
    return out;
  };
  auto expect = [&](const ReadScope& s, const std::set<std::string>& objects) {
    std::size_t n = 0;
    for (const auto& id : objects) n += p.app.history(s, id).value.size();
    auto got = exported(s);
    BOOST_TEST(got.size() == n);
    std::int64_t last = 0;
    for (const auto& r : got) {
      BOOST_TEST(objects.count(r.dossier) == 1u, r.dossier);
      BOOST_TEST(r.seq > last);
      last = r.seq;
    }
  };
  expect(p1, {D1, p.fair, p.participation, p.inspection, "user:producer.bx-c0001"});
  expect(o2, {D2, p.fair, p.local_fair, "user:officer.bx-c0002"});
  BOOST_TEST(static_cast<std::int64_t>(exported(p.scope("auditor")).size()) == p.db.audit_count());
  BOOST_TEST(static_cast<std::int64_t>(exported(kOperator).size()) == p.db.audit_count());
}

BOOST_AUTO_TEST_CASE(merged_communes_are_their_successors_and_ended_units_read_nothing) {
  Readers r(std::string(OCOP_SOURCE_DIR) + "/tests/data/config/history.yaml");
  auto idea = [&](const std::string& id, const std::string& unit, const std::string& actor) {
    json data = {{"id", id},
                 {"product", "Sản phẩm " + id},
                 {"product_set", "tea"},
                 {"producer", "HTX " + id},
                 {"unit", unit}};
    auto f = r.db.fire("submit_idea", "", actor, data);
    BOOST_REQUIRE_MESSAGE(f.status.ok(), f.status.message());
  };
  r.db.clock.set(*parse_instant("2025-06-10T08:00:00+07:00", 420));
  idea("VQ-1", "HG-BQ-VIETQUANG", "producer.vietquang");  // merges into TQ-BACQUANG
  idea("TT-1", "HG-BQ-TANTHANH", "officer.bq");           // merges into TQ-TANQUANG
  idea("HS-1", "HG-BQ-HUUSAN", "producer.huusan");        // lives on; its district ends

  // Before the reform the district sees its communes; Hà Giang is not the configured province
  // (Tuyên Quang is), so its coordinator sees its own tree, and does not verify the chain.
  const ReadScope district = r.scope("officer.bq");
  BOOST_TEST(ids(r.app.list(district, {}).value) == (std::vector<std::string>{"HS-1", "TT-1", "VQ-1"}),
             boost::test_tools::per_element());
  const ReadScope hg = r.scope("coordinator.hg");
  BOOST_TEST(!hg.whole());
  BOOST_TEST(r.app.list(hg, {}).value.size() == 3u);
  BOOST_TEST(r.app.audit_verify(hg, "").status.code() == Code::forbidden);

  r.db.clock.set(*parse_instant("2026-03-02T08:00:00+07:00", 420));
  // Users of units that ended read nothing.
  for (const char* gone : {"officer.bq", "producer.vietquang", "coordinator.hg"}) {
    auto s = r.app.read_scope(gone);
    BOOST_TEST(s.status.code() == Code::forbidden, gone);
    BOOST_TEST(s.status.message().find("is not valid on 2026-03-02") != std::string::npos,
               s.status.message());
  }
  // The successor commune sees the dossiers of the communes merged into it, under its own code.
  const ReadScope bq = r.scope("producer.bacquang");
  BOOST_TEST(ids(r.app.list(bq, {}).value) == std::vector<std::string>{"VQ-1"},
             boost::test_tools::per_element());
  auto shown = r.app.show(bq, "VQ-1");
  BOOST_REQUIRE(shown.ok());
  BOOST_TEST(shown.value.unit_now == "TQ-BACQUANG");
  BOOST_TEST(r.app.show(bq, "TT-1").status.code() == Code::not_found);  // Tân Quang's now
  BOOST_TEST(r.app.show(bq, "HS-1").status.code() == Code::not_found);
  BOOST_TEST(r.app.history(bq, "VQ-1").ok());
  DossierQuery q;
  q.unit = "HG-BQ-VIETQUANG";  // merged into it: within its scope
  BOOST_TEST(ids(r.app.list(bq, q).value) == std::vector<std::string>{"VQ-1"},
             boost::test_tools::per_element());
  q.unit = "HG-BQ-TANTHANH";
  BOOST_TEST(r.app.list(bq, q).status.code() == Code::forbidden);
  q.unit = "HG-BQ";  // the old district: not its
  BOOST_TEST(r.app.list(bq, q).status.code() == Code::forbidden);
  // A commune that outlived its district; the province sees everything, history included.
  BOOST_TEST(ids(r.app.list(r.scope("producer.huusan"), {}).value) == std::vector<std::string>{"HS-1"},
             boost::test_tools::per_element());
  const ReadScope tq = r.scope("auditor.tq");
  BOOST_TEST(tq.whole());
  BOOST_TEST(r.app.list(tq, {}).value.size() == 3u);
  q.unit = "HG-BQ";
  BOOST_TEST(r.app.list(tq, q).value.size() == 3u);
  BOOST_TEST(r.app.audit_verify(tq, "").valid);
}

BOOST_AUTO_TEST_SUITE_END()
