// The schema's numbered migrations (adapters/store/migrations.cpp) on a database that already
// holds work: a database built and used at the schema before a migration gets it from
// `migrate()` (what `ocop init` runs), keeps everything it held, and then stores what the
// migration is for. On SQLite and (integration_postgresql) PostgreSQL.
#include <algorithm>

#include "faulty_store.hpp"
#include "fixture.hpp"
#include "ocop/transaction.hpp"
#include "ocop/verification.hpp"
#include "promotion_samples.hpp"
#include "store/migrations.hpp"

using namespace ocop;
using namespace ocop::testing;

namespace {
// The store as a build of schema 6 used it, for today's executor to do that build's work: an
// id was taken only by a dossier (migration 7 adds the activities, participations and
// inspections whose ids a dossier may not take either).
// Its certificates had no verification code (migration 9 adds the column and fills it).
struct Schema6Store : FaultyStore {
  explicit Schema6Store(store::SociStore& s) : FaultyStore(s), sql(s) {}
  bool object_id_taken(const std::string& id) override { return load_dossier(id).has_value(); }
  void insert_certificate(const Certificate& c) override {
    auto q = [](const std::string& v) { return "'" + v + "'"; };  // the test's values hold no quote
    sql.exec("INSERT INTO certificates (id, dossier, product, product_set, unit, stars, level, decision_no,"
             " decision_date, issued_on, valid_until, state) VALUES (" +
             q(c.id) + ", " + q(c.dossier) + ", " + q(c.product) + ", " + q(c.product_set) + ", " + q(c.unit) + ", " +
             std::to_string(c.stars) + ", " + q(c.level) + ", " + q(c.decision_no) + ", " +
             q(format_date(c.decision_date)) + ", " + q(format_date(c.issued_on)) + ", " +
             q(format_date(c.valid_until)) + ", " + q(c.state) + ")");
  }
  store::SociStore& sql;
};
// How many migrations are numbered after 6 (numbers may have gaps while branches are merged).
int migrations_after_6() {
  const auto& all = store::migrations();
  return static_cast<int>(std::count_if(all.begin(), all.end(), [](const auto& m) { return m.version > 6; }));
}
}  // namespace

BOOST_AUTO_TEST_SUITE(schema_migrations)

BOOST_AUTO_TEST_CASE(migration_7_applies_on_a_database_of_schema_6_in_use) {
  Db fixture;       // the configuration, machines and clock; its own database is not used here
  struct Scratch {  // a second database, removed however the test ends
    std::filesystem::path dir = temp_dir();
    std::string pg_name;
    std::string url = fresh_database(dir, pg_name);
    ~Scratch() {
      drop_database(pg_name);
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } scratch;
  const std::string& url = scratch.url;
  {
    auto old = store::open(url);
    BOOST_TEST(old->migrate(6) == 6);
    BOOST_TEST(old->schema_version() == 6);
    BOOST_TEST(old->pending_migrations() == migrations_after_6());
    // Work done at schema 6: dossiers through the engine, a certificate among them.
    Schema6Store at6(*old);
    Executor ex(fixture.config, *fixture.lifecycle, *fixture.certificates, at6, fixture.clock);
    auto fire = [&](const std::string& event, const std::string& dossier, const std::string& actor,
                    nlohmann::json data = nlohmann::json::object()) {
      EventRequest req;
      req.event = event;
      req.dossier = dossier;
      req.actor = actor;
      req.data = std::move(data);
      fixture.clock.set(Instant{fixture.clock.now().seconds + 3600});
      FireResult r = ex.fire(req);
      BOOST_REQUIRE_MESSAGE(r.status.ok(), event + " " + dossier + ": " + r.status.message());
    };
    const std::string id = "BX-2026-000007";
    auto data = new_product(id);
    data["registration_type"] = "new";
    data["documents"] = {doc("registration_form"), doc("self_assessment")};
    fire("register", "", "producer.bx-c0001", data);
    fire("accept_dossier", id, "officer.bx-c0001");
    fire("assess", id, "officer.bx-c0001", {{"locality", {{"origin", 2}}}});
    fire("forward", id, "officer.bx-c0001");
    fire("accept_dossier", id, "coordinator", {{"round", "2026-1"}});
    for (int i = 1; i <= 5; ++i)
      fire("score", id, "member." + std::to_string(i), {{"A", 38}, {"B", 23}, {"C", 33}});
    fire("close_scoring", id, "chair");
    fire("recognize", id, "signer", {{"decision_no", "1/QĐ-UBND"}, {"decision_date", "2026-10-30"}});
    BOOST_TEST(old->history(id).size() == static_cast<size_t>(old->load_dossier(id)->version));
    // Before migration 7 its tables are not there.
    BOOST_CHECK_THROW(old->load_activity("BX-XT-2026-001"), StoreError);
  }

  auto s = store::open(url);  // a later build opens the same database
  BOOST_TEST(s->schema_version() == 6);
  BOOST_TEST(s->migrate() == migrations_after_6());  // 7 and every later one
  BOOST_TEST(s->schema_version() == store::SociStore::latest_schema_version());
  BOOST_TEST(s->pending_migrations() == 0);
  BOOST_TEST(s->migrate() == 0);
  // What it held is intact: the dossier, its certificate, the chain and the versions.
  auto d = s->load_dossier("BX-2026-000007");
  BOOST_REQUIRE(d);
  BOOST_TEST(d->state == State::recognized);
  BOOST_REQUIRE(s->load_certificate(d->certificate));
  BOOST_TEST(s->load_certificate(d->certificate)->state == "active");
  // Migration 9 gave the certificate issued before it its verification code, from the secret.
  const std::string code = s->verification_code_of(d->certificate);
  BOOST_TEST(code == verification_code(s->meta("verification_secret"), d->certificate));
  BOOST_TEST(code.size() == kVerificationCodeLength);
  BOOST_REQUIRE(s->certificate_by_code(code));
  BOOST_TEST(s->certificate_by_code(code)->id == d->certificate);
  BOOST_TEST(s->meta("verification_secret").size() == 64u);
  BOOST_TEST(s->history(d->id).size() == static_cast<size_t>(d->version));
  BOOST_TEST(s->version_mismatches(10).empty());
  // Migration 12 folded the names of the dossier filed before it: the list's search finds it
  // ("Chè Shan tuyết Cao Bồ" by "HTX Chè Cao Bồ") as it finds those filed after.
  DossierFilter words;
  words.words = {"shan", "bo", "htx"};
  BOOST_TEST(dossier_ids(s->list_dossiers(words)) == std::vector<std::string>{"BX-2026-000007"},
             boost::test_tools::per_element());
  words.words = {"shan", "xyzzy"};
  BOOST_TEST(s->list_dossiers(words).empty());
  ChainVerifier v;
  s->scan_audit([&](const AuditRecord& r) { return v.feed(r); });
  BOOST_TEST(v.ok());

  // And it stores spec §10's objects, money of 64 bits exactly.
  Activity a = sample_activity("BX-XT-2026-001", "BX", make_date(2026, 11, 20));
  Participation p = sample_participation(a.id, d->id, "reported");
  p.certificate = d->certificate;
  p.support_vnd = 9'000'000'000'000'000LL;
  p.revenue_vnd = 8'999'999'999'999'999LL;
  p.contracts = 4'294'967'296LL;
  Inspection i = sample_inspection("BX-C0001-HK-2027-001", d->certificate, make_date(2027, 3, 1));
  {
    Transaction tx(*s);
    BOOST_TEST(!s->object_id_taken(a.id));
    BOOST_TEST(s->object_id_taken(d->id));
    s->insert_activity(a);
    s->insert_participation(p);
    s->insert_inspection(i);
    tx.commit();
  }
  BOOST_TEST(testing::text(*s->load_activity(a.id)) == testing::text(a));
  BOOST_TEST(testing::text(*s->load_participation(p.id)) == testing::text(p));
  BOOST_TEST(testing::text(*s->load_inspection(i.id)) == testing::text(i));
  BOOST_TEST(s->count_ids_with_prefix("BX-XT-2026") == 1);
  BOOST_TEST(s->version_mismatches(10).size() == 3u);  // three objects at version 1, no records yet
}

BOOST_AUTO_TEST_SUITE_END()
