// The application layer (engine/ocop/app.hpp) on a real database: the use cases that used to
// live in the CLI, tested without it (the CLI scripts test them through the binary as well).
#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "fixture.hpp"
#include "ocop/app.hpp"

namespace ocop {
inline std::ostream& operator<<(std::ostream& os, Code c) { return os << code_name(c); }
}  // namespace ocop

using namespace ocop;
using namespace ocop::testing;
using nlohmann::json;

namespace {

// An event file in memory, handed over in chunks of two lines.
class Lines : public EventSource {
 public:
  void add(EventRequest req) {
    lines_.push_back({static_cast<long>(lines_.size() + 1), Status::Ok(), std::move(req)});
  }
  void add_bad(const std::string& why) {
    lines_.push_back({static_cast<long>(lines_.size() + 1), Status::BadInput(why), EventRequest{}});
  }
  bool next(std::vector<EventLine>& out) override {
    out.clear();
    while (pos_ < lines_.size() && out.size() < 2) out.push_back(lines_[pos_++]);
    return !out.empty();
  }
  std::string failure() const override { return ""; }

 private:
  std::vector<EventLine> lines_;
  std::size_t pos_ = 0;
};

struct Refusals : ImportObserver {
  std::vector<std::pair<long, Code>> seen;
  void refused(long line, const std::string&, const Status& st) override {
    seen.emplace_back(line, st.code());
  }
};

EventRequest event(const std::string& name, const std::string& dossier, const std::string& actor, json data,
                   const std::string& key) {
  EventRequest r;
  r.event = name;
  r.dossier = dossier;
  r.actor = actor;
  r.data = std::move(data);
  r.key = key;
  return r;
}

struct App {
  Db db;
  std::unique_ptr<CycleLifecycle> cycles = workflows::make_cycle_lifecycle();
  Application app{db.config, *db.store, Workflows{*db.lifecycle, *db.certificates, *cycles}, db.clock};
};

}  // namespace

BOOST_AUTO_TEST_SUITE(application)

BOOST_AUTO_TEST_CASE(import_applies_skips_and_refuses_in_file_order_at_any_batch) {
  for (int batch : {1, 3}) {
    App a;
    Lines lines;
    lines.add(event("submit_idea", "", "producer.bx-c0001", new_product("BX-2026-000001"), "k1"));
    lines.add(event("accept_idea", "BX-2026-000001", "officer.bx-c0001", json::object(), "k2"));
    lines.add_bad("line 3 is not JSON");
    lines.add(event("accept_idea", "BX-2026-000001", "officer.bx-c0001", json::object(), "k2"));  // a repeat
    lines.add(
        event("submit_plan", "BX-2026-000001", "officer.bx-c0002", json::object(), "k5"));  // out of scope
    lines.add(event("submit_plan", "BX-2026-000001", "producer.bx-c0001", json::object(), "k6"));
    Refusals seen;
    ImportResult r = a.app.import(lines, ImportOptions{batch}, seen);
    BOOST_TEST_CONTEXT("batch " << batch) {
      BOOST_TEST(r.applied == 3);
      BOOST_TEST(r.skipped == 1);
      BOOST_TEST(r.refused == 2);
      BOOST_TEST(r.first_code == 2);  // the first refusal decides the exit code
      BOOST_TEST(r.database_failure.ok());
      BOOST_REQUIRE(seen.seen.size() == 2u);
      BOOST_TEST(seen.seen[0].first == 3);
      BOOST_TEST((seen.seen[1] == std::make_pair(5L, Code::forbidden)));
      BOOST_TEST(a.db.store->load_dossier("BX-2026-000001")->state == State::plan_submitted);
      BOOST_TEST(a.db.verify());
    }
  }
}

BOOST_AUTO_TEST_CASE(reads_validate_their_filters_and_say_what_is_missing) {
  App a;
  BOOST_REQUIRE(a.db.fire("submit_idea", "", "producer.bx-c0001", new_product("BX-2026-000001")).status.ok());
  BOOST_TEST(a.app.show(kOperator, "BX-2026-999999").status.code() == Code::not_found);
  BOOST_TEST(a.app.history(kOperator, "BX-2026-999999").status.code() == Code::not_found);
  BOOST_TEST(a.app.documents(kOperator, "BX-2026-999999").status.code() == Code::not_found);
  DossierQuery bad_state;
  bad_state.state = "no_such_state";
  BOOST_TEST(a.app.list(kOperator, bad_state).status.code() == Code::bad_input);
  DossierQuery by_unit;
  by_unit.unit = "NOWHERE";
  BOOST_TEST(a.app.list(kOperator, by_unit).status.code() == Code::bad_input);
  by_unit.unit = "BX-C0001";
  auto listed = a.app.list(kOperator, by_unit);
  BOOST_REQUIRE(listed.ok());
  BOOST_TEST(listed.value.size() == 1u);
  by_unit.unit = "BX-C0002";
  BOOST_TEST(a.app.list(kOperator, by_unit).value.empty());
  CertificateQuery cq;
  cq.stars = 6;
  BOOST_TEST(a.app.certificates(kOperator, cq).status.code() == Code::bad_input);
  cq = CertificateQuery{};
  cq.state = "lost";
  BOOST_TEST(a.app.certificates(kOperator, cq).status.code() == Code::bad_input);
  std::ostringstream bytes;
  BOOST_TEST(a.app.document_bytes(kOperator, "abc", bytes).code() == Code::bad_input);
  BOOST_TEST(a.app.document_bytes(kOperator, std::string(64, 'a'), bytes).code() == Code::not_found);
  BOOST_TEST(a.app.outbox(kOperator, "lost", 0).status.code() == Code::bad_input);
  BOOST_TEST(a.app.outbox_retry(12345).status.code() == Code::not_found);
  auto shown = a.app.show(kOperator, "BX-2026-000001");
  BOOST_REQUIRE(shown.ok());
  BOOST_TEST(shown.value.dossier.state == State::idea_submitted);
  BOOST_TEST(shown.value.scoresheets.empty());  // no level yet
}

BOOST_AUTO_TEST_CASE(lists_page_by_id_and_count_every_match) {
  App a;
  for (int i = 1; i <= 5; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "BX-2026-%06d", i);
    BOOST_REQUIRE(a.db.fire("submit_idea", "", "producer.bx-c0001", new_product(id)).status.ok());
  }
  DossierQuery q;
  q.unit = "BX-C0001";
  q.limit = 2;
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    auto r = a.app.list(kOperator, q);
    BOOST_REQUIRE(r.ok());
    if (r.value.empty()) break;
    BOOST_TEST(r.value.size() <= 2u);
    for (const auto& d : r.value) seen.push_back(d.id);
    q.after = r.value.back().id;  // the next page: ids after the last one seen
  }
  BOOST_TEST(seen.size() == 5u);
  BOOST_TEST(std::is_sorted(seen.begin(), seen.end()));
  auto n = a.app.count(kOperator, q);  // its limit and `after` do not count
  BOOST_REQUIRE(n.ok());
  BOOST_TEST(n.value == 5);
  q.state = "idea_accepted";
  BOOST_TEST(a.app.count(kOperator, q).value == 0);
  q.state = "dreaming";
  BOOST_TEST(a.app.count(kOperator, q).status.code() == Code::bad_input);
}

BOOST_AUTO_TEST_CASE(a_group_commits_together_and_a_refusal_undoes_no_neighbour) {
  App a;
  std::vector<EventRequest> group;
  group.push_back(event("submit_idea", "", "producer.bx-c0001", new_product("BX-2026-000001"), "g1"));
  group.push_back(event("accept_idea", "BX-2026-000001", "officer.bx-c0001", json::object(), "g2"));  // sees g1
  group.push_back(event("reject", "BX-2026-000001", "producer.bx-c0001", json{{"reason", "x"}}, "g3"));  // forbidden
  group.push_back(event("submit_plan", "BX-2026-000001", "producer.bx-c0001", json::object(), "g4"));
  group.push_back(event("submit_plan", "BX-2026-000001", "producer.bx-c0001", json::object(), "g4"));  // its key again
  group.push_back(event("accept_idea", "BX-2026-000009", "officer.bx-c0001", json::object(), ""));  // not found
  auto results = a.app.fire_group(group);
  BOOST_REQUIRE(results.size() == 6u);
  BOOST_TEST(results[0].status.ok());
  BOOST_TEST(results[1].status.ok());
  BOOST_REQUIRE(results[1].dossier);
  BOOST_TEST(results[1].dossier->version == 2);  // each result is the dossier after its own event
  BOOST_TEST(results[2].status.code() == Code::forbidden);
  BOOST_TEST(results[3].status.ok());
  BOOST_TEST(results[4].status.ok());
  BOOST_TEST(results[4].duplicate);
  BOOST_TEST(results[5].status.code() == Code::not_found);
  auto d = a.db.store->load_dossier("BX-2026-000001");
  BOOST_REQUIRE(d);
  BOOST_TEST(d->state == State::plan_submitted);
  BOOST_TEST(d->version == 3);
  BOOST_TEST(a.db.verify());
  auto h = a.app.history(kOperator, "BX-2026-000001");
  BOOST_TEST(h.value.size() == 3u);  // submit_idea, accept_idea, submit_plan: nothing else written
}

BOOST_AUTO_TEST_CASE(operators_are_users_whose_role_lists_the_schedulers_expire) {
  App a;
  BOOST_TEST(a.app.authorize_operator("scheduler").ok());
  BOOST_TEST(a.app.authorize_operator("officer.bx-c0001").code() == Code::forbidden);
  BOOST_TEST(a.app.authorize_operator("nobody").code() == Code::forbidden);
}

BOOST_AUTO_TEST_CASE(report_and_verification) {
  App a;
  to_province_review(a.db, "BX-2026-000001");
  score_all(a.db, "BX-2026-000001", 30, 20, 25);  // 75: 4 stars
  BOOST_REQUIRE(a.db.fire("close_scoring", "BX-2026-000001", "chair").status.ok());
  BOOST_REQUIRE(a.db.fire("recognize", "BX-2026-000001", "signer",
                          {{"decision_no", "1/QĐ-UBND"}, {"decision_date", "2026-03-02"}})
                    .status.ok());
  BOOST_REQUIRE(a.db.fire("submit_idea", "", "producer.bx-c0002", new_product("BX-2026-000002", "BX-C0002"))
                    .status.ok());
  auto rep = a.app.report(kOperator);
  BOOST_REQUIRE(rep.ok());
  BOOST_TEST(rep.value.dossiers() == 2);
  BOOST_TEST(rep.value.dossiers_by_state["recognized"] == 1);
  BOOST_TEST(rep.value.certificates_by_stars["4"] == 1);
  BOOST_TEST(rep.value.unit_dossiers_by_state["BX-C0002"]["idea_submitted"] == 1);

  CertificateQuery expiring;
  expiring.expiring_within_days = 5000;
  BOOST_TEST(a.app.certificates(kOperator, expiring).value.size() == 1u);
  expiring.expiring_within_days = 10;  // valid 36 months: not within 10 days
  BOOST_TEST(a.app.certificates(kOperator, expiring).value.empty());

  AuditVerification v = a.app.audit_verify(kOperator, "");
  BOOST_TEST(v.valid);
  BOOST_TEST(v.checked == a.db.audit_count());
  AuditVerification anchored = a.app.audit_verify(kOperator, v.head);
  BOOST_TEST(anchored.valid);
  AuditVerification foreign = a.app.audit_verify(kOperator, std::string(64, 'f'));
  BOOST_TEST(!foreign.valid);
  BOOST_TEST(foreign.problem.find("anchored hash") != std::string::npos);
  long exported = 0;
  BOOST_TEST(a.app.audit_export(kOperator, [&](const AuditRecord&) { ++exported; }).ok());
  BOOST_TEST(exported == a.db.audit_count());
}

BOOST_AUTO_TEST_CASE(an_attachment_needs_a_kind_and_a_blob_store) {
  App a;
  BOOST_REQUIRE(a.db.fire("submit_idea", "", "producer.bx-c0001", new_product("BX-2026-000001")).status.ok());
  EventRequest req = event("attach", "BX-2026-000001", "producer.bx-c0001", json::object(), "");
  std::istringstream bytes("%PDF-1.4");
  BOOST_TEST(a.app.stage_attachment(req, bytes, 8, "a.pdf").code() == Code::bad_input);  // no kind
  req.data["kind"] = "business_plan";
  BOOST_TEST(a.app.stage_attachment(req, bytes, 8, "a.pdf").message().find("need a directory") !=
             std::string::npos);  // this Application has no blob store
  EventRequest other = event("annotate", "BX-2026-000001", "producer.bx-c0001", {{"kind", "x"}}, "");
  BOOST_TEST(a.app.stage_attachment(other, bytes, 8, "a.pdf").code() == Code::bad_input);
  BOOST_TEST(a.db.audit_count() == 1);  // nothing written
}

BOOST_AUTO_TEST_SUITE_END()
