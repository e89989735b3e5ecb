// After recognition (spec §10) on a real database, SQLite and PostgreSQL: promotion activities,
// participations and inspections through the executor, every guard of §10 with its exit code,
// refusals that change nothing, the cascades of a revocation, an expiry, start_activity and
// cancel_activity, idempotent replays, the scheduler's days and reminders, and the inspection
// round's plan.
#include "fixture.hpp"
#include "ocop/calendar.hpp"
#include "ocop/scheduler.hpp"

using namespace ocop;
using namespace ocop::testing;
using nlohmann::json;

namespace {

// A province 4★ certificate for dossier `id` (80 points) filed under `unit`; `producer` is the
// dossier's producer text.
std::string certificate_for(Db& db, const std::string& id, const std::string& unit = "BX-C0001",
                            const std::string& producer = "HTX Chè Cao Bồ", double a = 32) {
  std::string u = unit;
  for (auto& ch : u) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  json data = new_product(id, unit);
  data["producer"] = producer;
  data["product"] = "Sản phẩm " + id;
  data["registration_type"] = "new";
  data["documents"] = {doc("registration_form"), doc("self_assessment")};
  auto r = db.fire("register", "", "producer." + u, data);
  BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
  BOOST_REQUIRE(db.fire("accept_dossier", id, "officer." + u).status.ok());
  BOOST_REQUIRE(db.fire("forward", id, "officer." + u).status.ok());
  BOOST_REQUIRE(db.fire("accept_dossier", id, "coordinator", {{"round", "2026-1"}}).status.ok());
  score_all(db, id, a, 20, 28);
  BOOST_REQUIRE(db.fire("close_scoring", id, "chair").status.ok());
  r = db.fire("recognize", id, "signer", {{"decision_no", "1187/QĐ-UBND"}, {"decision_date", "2026-03-10"}});
  BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
  return id + "/province";
}

// Plans and opens `data`; returns the activity's id.
std::string open_fair(Db& db, json data = fair()) {
  auto r = db.fire("plan_activity", "", "organiser", std::move(data));
  BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
  const std::string id = r.dossier_id;
  r = db.fire("open_registration", id, "organiser");
  BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
  return id;
}

FireResult apply(Db& db, const std::string& activity, const std::string& cert, int booths = 1,
                 const std::string& actor = "producer.bx-c0001") {
  return db.fire("apply", "", actor, {{"activity", activity}, {"certificate", cert}, {"booths", booths}});
}

Code code(const FireResult& r) { return r.status.code(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(promotion)

BOOST_AUTO_TEST_CASE(a_fair_from_plan_to_close) {
  Db db;
  const std::string c1 = certificate_for(db, "BX-2026-000001");
  const std::string c2 = certificate_for(db, "BX-2026-000002", "BX-C0002", "Cơ sở Mật ong Bản Giốc");
  const std::string c3 = certificate_for(db, "BX-2026-000003", "BX-C0001", "Tổ hợp tác Miến dong");

  auto planned = db.fire("plan_activity", "", "organiser", fair());
  BOOST_REQUIRE_MESSAGE(planned.status.ok(), planned.status.message());
  BOOST_TEST(planned.dossier_id == "BX-XT-2026-001");
  BOOST_TEST(db.view(planned)["state"] == "planned");
  BOOST_TEST(db.view(planned)["booths"] == 3);
  const std::string act = planned.dossier_id;
  const std::size_t outbox_before = db.store->outbox("", 0).size();
  BOOST_REQUIRE(db.fire("open_registration", act, "organiser").status.ok());
  // Invitations: a digest to the province (the organiser's subtree) and one per producer user.
  BOOST_TEST(db.store->outbox("", 0).size() > outbox_before);

  auto p1 = apply(db, act, c1, 2);
  BOOST_REQUIRE_MESSAGE(p1.status.ok(), p1.status.message());
  BOOST_TEST(p1.dossier_id == act + "/BX-2026-000001");
  BOOST_TEST(db.view(p1)["state"] == "applied");
  auto p2 = apply(db, act, c2, 1, "producer.bx-c0002");
  BOOST_REQUIRE_MESSAGE(p2.status.ok(), p2.status.message());
  auto p3 = apply(db, act, c3, 1);
  BOOST_REQUIRE_MESSAGE(p3.status.ok(), p3.status.message());

  auto s1 = db.fire("select", p1.dossier_id, "organiser");
  BOOST_REQUIRE_MESSAGE(s1.status.ok(), s1.status.message());
  // min(⌊2 × 4,000,000 × 50 / 100⌋, 3,000,000)
  BOOST_TEST(db.view(s1)["support_vnd"] == 3000000);
  BOOST_REQUIRE(db.fire("waitlist", p2.dossier_id, "organiser").status.ok());
  BOOST_REQUIRE(db.fire("select", p3.dossier_id, "organiser").status.ok());
  BOOST_TEST(db.store->load_participation(p3.dossier_id)->support_vnd == 2000000);

  BOOST_REQUIRE(db.fire("close_registration", act, "organiser").status.ok());
  auto started = db.fire("start_activity", act, "scheduler");
  BOOST_REQUIRE_MESSAGE(started.status.ok(), started.status.message());
  // The waitlisted one was never selected: declined by the cascade, its own record and version.
  BOOST_TEST(started.cascaded == std::vector<std::string>{p2.dossier_id});
  auto declined = db.store->load_participation(p2.dossier_id);
  BOOST_TEST(declined->state == "declined");
  BOOST_TEST(declined->reason == "không được lựa chọn");
  BOOST_TEST(declined->version == 3);
  auto trail = db.store->history(p2.dossier_id);
  BOOST_REQUIRE(trail.size() == 3u);
  BOOST_TEST(trail.back().event == "decline");
  BOOST_TEST(trail.back().actor == "scheduler");
  BOOST_TEST(trail.back().level == "");

  auto reported = db.fire("report_outcome", p1.dossier_id, "producer.bx-c0001",
                          {{"revenue_vnd", 12500000000LL}, {"contracts", 3}, {"buyers", 40}});
  BOOST_REQUIRE_MESSAGE(reported.status.ok(), reported.status.message());
  BOOST_TEST(db.view(reported)["revenue_vnd"] == 12500000000LL);
  BOOST_REQUIRE(db.fire("finish_activity", act, "scheduler").status.ok());
  // p3 is still selected: the activity cannot close.
  auto early = db.fire("close_activity", act, "organiser");
  BOOST_TEST((code(early) == Code::refused));
  BOOST_TEST(early.status.message().find(p3.dossier_id) != std::string::npos);
  BOOST_REQUIRE(db.fire("mark_no_show", p3.dossier_id, "organiser").status.ok());
  BOOST_REQUIRE(db.fire("close_activity", act, "organiser").status.ok());

  auto cycles = workflows::make_cycle_lifecycle();
  Application app(db.config, *db.store, Workflows{*db.lifecycle, *db.certificates, *cycles, &db.after}, db.clock);
  auto view = app.activity(kOperator, act);
  BOOST_REQUIRE(view.ok());
  // Totals count selected and reported participations only: p1 (reported); p3 is no_show.
  BOOST_TEST(view.value.totals.booths_selected == 2);
  BOOST_TEST(view.value.totals.support_vnd == 3000000);
  BOOST_TEST(view.value.totals.revenue_vnd == 12500000000LL);
  BOOST_TEST(view.value.totals.contracts == 3);
  BOOST_TEST(view.value.totals.by_state.at("no_show") == 1);
  BOOST_TEST(view.value.totals.by_state.at("declined") == 1);
  auto listed = app.activities(kOperator, ActivityQuery{"closed", 2026, "BX"});
  BOOST_REQUIRE(listed.ok());
  BOOST_TEST(listed.value.size() == 1u);
  auto history = app.history(kOperator, act);
  BOOST_REQUIRE(history.ok());
  // plan, open_registration, close_registration, start, finish, close: the refused close left nothing
  BOOST_TEST(history.value.size() == 6u);
  auto rep = app.report(kOperator);
  BOOST_REQUIRE(rep.ok());
  BOOST_TEST(rep.value.promotion.activities == 1);
  BOOST_TEST(rep.value.promotion.participations_selected == 1);
  BOOST_TEST(rep.value.unit_promotion.at("BX-C0001").revenue_vnd == 12500000000LL);
  std::string why;
  BOOST_TEST(db.verify(&why), why);  // every object's version equals its records
}

BOOST_AUTO_TEST_CASE(apply_guards_each_refuse_and_change_nothing) {
  Db db;
  const std::string c1 = certificate_for(db, "BX-2026-000011");
  const std::string c_same = certificate_for(db, "BX-2026-000012");  // the same producer's second product
  const std::string c2 = certificate_for(db, "BX-2026-000013", "BX-C0002", "Cơ sở B");
  json data = fair();
  data["min_stars"] = 5;  // nobody qualifies
  auto strict = db.fire("plan_activity", "", "organiser", data);
  BOOST_REQUIRE(strict.status.ok());
  const std::string act = open_fair(db);
  const std::int64_t records = db.audit_count();

  // 2: the request alone.
  BOOST_TEST((code(db.fire("apply", "", "producer.bx-c0001", {{"activity", act}})) == Code::bad_input));
  BOOST_TEST((code(apply(db, act, c1, 0)) == Code::bad_input));
  BOOST_TEST((code(db.fire("apply", "", "nobody", {{"activity", act}, {"certificate", c1}})) == Code::bad_input));
  BOOST_TEST((code(db.fire("cancel_participation", act + "/BX-2026-000011", "organiser")) == Code::bad_input));
  // 3: what it names exists.
  BOOST_TEST((code(apply(db, "BX-XT-2026-999", c1)) == Code::not_found));
  BOOST_TEST((code(apply(db, act, "BX-2026-999999/province")) == Code::not_found));
  // 6: a producer of another commune.
  BOOST_TEST((code(apply(db, act, c1, 1, "producer.bx-c0002")) == Code::forbidden));
  // 4: stars below the activity's min_stars.
  auto weak = apply(db, strict.dossier_id, c1);
  BOOST_TEST((code(weak) == Code::refused));  // strict is still planned: registration not open
  BOOST_REQUIRE(db.fire("open_registration", strict.dossier_id, "organiser").status.ok());
  weak = apply(db, strict.dossier_id, c1);
  BOOST_TEST((code(weak) == Code::refused));
  BOOST_TEST(weak.status.message().find("stars") != std::string::npos);
  // 4: booths per producer (default policy: 2).
  BOOST_TEST((code(apply(db, act, c1, 3)) == Code::refused));
  const std::int64_t after_refusals = db.audit_count();
  BOOST_TEST(after_refusals == records + 1);  // only strict's open_registration was written
  BOOST_REQUIRE(apply(db, act, c1, 2).status.ok());
  // 4: once per dossier, whatever became of it.
  auto again = apply(db, act, c1, 1);
  BOOST_TEST((code(again) == Code::refused));
  BOOST_TEST(again.status.message().find("already applied") != std::string::npos);
  // The same producer, another product: the producer's booths (2) are used up.
  auto same_producer = apply(db, act, c_same, 1);
  BOOST_TEST((code(same_producer) == Code::refused));
  BOOST_TEST(same_producer.status.message().find("at most 2 per producer") != std::string::npos);
  // 4: open_to: an activity open to BX-C0001 only refuses a BX-C0002 product.
  json only = fair();
  only["open_to"] = {"BX-C0001"};
  const std::string narrow = open_fair(db, only);
  auto outside = apply(db, narrow, c2, 1, "producer.bx-c0002");
  BOOST_TEST((code(outside) == Code::refused));
  BOOST_TEST(outside.status.message().find("open to") != std::string::npos);
  // 4: validity after the activity's end: a fair ending after the certificate.
  json late = fair();
  late["starts"] = "2029-05-01";
  late["ends"] = "2029-05-05";
  const std::string later = open_fair(db, late);
  auto expired_by_then = apply(db, later, c2, 1, "producer.bx-c0002");
  BOOST_TEST((code(expired_by_then) == Code::refused));
  BOOST_TEST(expired_by_then.status.message().find("valid until") != std::string::npos);
  std::string why;
  BOOST_TEST(db.verify(&why), why);
}

BOOST_AUTO_TEST_CASE(plan_activity_checks_its_data) {
  Db db;
  json bad_dates = fair();
  bad_dates["registration_closes"] = "2026-05-01";  // not before starts
  auto r = db.fire("plan_activity", "", "organiser", bad_dates);
  BOOST_TEST((code(r) == Code::bad_input));
  BOOST_TEST(r.status.message().find("in order") != std::string::npos);
  json money = fair();
  money["booth_fee_vnd"] = 1.5;
  r = db.fire("plan_activity", "", "organiser", money);
  BOOST_TEST((code(r) == Code::bad_input));
  BOOST_TEST(r.status.message().find("whole đồng") != std::string::npos);
  json kind = fair();
  kind["kind"] = "party";
  BOOST_TEST((code(db.fire("plan_activity", "", "organiser", kind)) == Code::bad_input));
  json with_docs = fair();
  with_docs["documents"] = {doc("registration_form")};
  r = db.fire("plan_activity", "", "organiser", with_docs);
  BOOST_TEST((code(r) == Code::bad_input));
  BOOST_TEST(r.status.message().find("keep documents") != std::string::npos);
  // A commune's officer may not organise for the province (6).
  BOOST_TEST((code(db.fire("plan_activity", "", "officer.bx-c0001", fair())) == Code::forbidden));
  BOOST_TEST(db.audit_count() == 0);
  // A given id, then the same id again (4).
  json named = fair();
  named["id"] = "HOICHO-XUAN-2026";
  BOOST_REQUIRE(db.fire("plan_activity", "", "organiser", named).status.ok());
  BOOST_TEST((code(db.fire("plan_activity", "", "organiser", named)) == Code::refused));
  // Generated ids count on: the next is 001 (the named one does not share the prefix).
  auto next = db.fire("plan_activity", "", "organiser", fair());
  BOOST_TEST(next.dossier_id == "BX-XT-2026-001");
  auto third = db.fire("plan_activity", "", "organiser", fair());
  BOOST_TEST(third.dossier_id == "BX-XT-2026-002");
}

BOOST_AUTO_TEST_CASE(select_never_exceeds_the_booths) {
  Db db;
  const std::string a1 = certificate_for(db, "BX-2026-000021");
  const std::string a2 = certificate_for(db, "BX-2026-000022", "BX-C0002", "Cơ sở B");
  const std::string act = open_fair(db, fair(2));
  auto p1 = apply(db, act, a1, 2);
  auto p2 = apply(db, act, a2, 1, "producer.bx-c0002");
  BOOST_REQUIRE(p1.status.ok() && p2.status.ok());
  BOOST_REQUIRE(db.fire("select", p1.dossier_id, "organiser").status.ok());
  auto full = db.fire("select", p2.dossier_id, "organiser");
  BOOST_TEST((code(full) == Code::refused));
  BOOST_TEST(full.status.message().find("2 booths") != std::string::npos);
  // A withdrawal frees the booths.
  BOOST_REQUIRE(db.fire("withdraw_application", p1.dossier_id, "producer.bx-c0001", {{"reason", "Ốm"}}).status.ok());
  BOOST_REQUIRE(db.fire("select", p2.dossier_id, "organiser").status.ok());
  // A stale version is a conflict (5).
  EventRequest stale;
  stale.event = "decline";
  stale.dossier = p2.dossier_id;
  stale.actor = "organiser";
  stale.data = {{"reason", "x"}};
  stale.expected_version = 1;
  BOOST_TEST((code(db.ex->fire(stale)) == Code::conflict));
}

BOOST_AUTO_TEST_CASE(keys_make_every_event_idempotent) {
  Db db;
  const std::string c1 = certificate_for(db, "BX-2026-000031");
  auto first = db.fire("plan_activity", "", "organiser", fair(), "k-plan");
  BOOST_REQUIRE(first.status.ok());
  auto replay = db.fire("plan_activity", "", "organiser", fair(), "k-plan");
  BOOST_REQUIRE(replay.status.ok());
  BOOST_TEST(replay.duplicate);
  BOOST_TEST(replay.dossier_id == first.dossier_id);
  BOOST_TEST(db.store->activities(ActivityFilter{}).size() == 1u);
  BOOST_REQUIRE(db.fire("open_registration", first.dossier_id, "organiser", json::object(), "k-open").status.ok());
  BOOST_TEST(db.fire("open_registration", first.dossier_id, "organiser", json::object(), "k-open").duplicate);
  auto ap = db.fire("apply", "", "producer.bx-c0001", {{"activity", first.dossier_id}, {"certificate", c1}}, "k-apply");
  BOOST_REQUIRE(ap.status.ok());
  auto ap2 = db.fire("apply", "", "producer.bx-c0001", {{"activity", first.dossier_id}, {"certificate", c1}}, "k-apply");
  BOOST_TEST(ap2.duplicate);
  BOOST_TEST(ap2.first_result->state == "applied");
  // The same key for another request is bad input.
  BOOST_TEST((code(db.fire("plan_activity", "", "organiser", fair(1), "k-plan")) == Code::bad_input));
}

BOOST_AUTO_TEST_CASE(a_revocation_cancels_participations_and_closes_inspections) {
  Db db;
  const std::string cert = certificate_for(db, "BX-2026-000041");
  const std::string act = open_fair(db);
  auto p = apply(db, act, cert);
  BOOST_REQUIRE(p.status.ok());
  BOOST_REQUIRE(db.fire("select", p.dossier_id, "organiser").status.ok());
  auto insp = db.fire("plan_inspection", "", "inspector", {{"certificate", cert}, {"due", "2026-06-15"}});
  BOOST_REQUIRE_MESSAGE(insp.status.ok(), insp.status.message());
  BOOST_TEST(insp.dossier_id == "BX-C0001-HK-2026-001");

  auto r = db.fire("revoke", cert, "signer",
                   {{"ground", "food_safety"}, {"decision_no", "12/QĐ-UBND"}, {"decision_date", "2026-04-10"}});
  BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
  BOOST_TEST(r.cascaded == (std::vector<std::string>{p.dossier_id, insp.dossier_id}), boost::test_tools::per_element());
  auto cancelled = db.store->load_participation(p.dossier_id);
  BOOST_TEST(cancelled->state == "cancelled");
  BOOST_TEST(cancelled->reason == "Vi phạm quy định về an toàn thực phẩm");
  auto closed = db.store->load_inspection(insp.dossier_id);
  BOOST_TEST(closed->state == "closed");
  BOOST_TEST(db.store->history(p.dossier_id).back().event == "cancel_participation");
  BOOST_TEST(db.store->history(p.dossier_id).back().actor == "signer");
  BOOST_TEST(db.store->history(insp.dossier_id).back().event == "close_inspection");
  // A revoked certificate applies nowhere and is not inspected.
  BOOST_TEST((code(db.fire("plan_inspection", "", "inspector", {{"certificate", cert}, {"due", "2026-07-01"}})) ==
              Code::refused));
  std::string why;
  BOOST_TEST(db.verify(&why), why);
}

BOOST_AUTO_TEST_CASE(an_expiry_closes_inspections_and_leaves_participations) {
  Db db;
  const std::string cert = certificate_for(db, "BX-2026-000051");
  const std::string act = open_fair(db);
  auto p = apply(db, act, cert);
  BOOST_REQUIRE(p.status.ok());
  auto insp = db.fire("plan_inspection", "", "inspector", {{"certificate", cert}, {"due", "2026-06-15"}});
  BOOST_REQUIRE(insp.status.ok());
  auto r = db.fire("expire", cert, "scheduler");
  BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
  BOOST_TEST(r.cascaded == std::vector<std::string>{insp.dossier_id});
  BOOST_TEST(db.store->load_inspection(insp.dossier_id)->state == "closed");
  BOOST_TEST(db.store->load_participation(p.dossier_id)->state == "applied");
}

BOOST_AUTO_TEST_CASE(cancel_activity_cancels_every_open_participation) {
  Db db;
  const std::string c1 = certificate_for(db, "BX-2026-000061");
  const std::string c2 = certificate_for(db, "BX-2026-000062", "BX-C0002", "Cơ sở B");
  const std::string act = open_fair(db);
  auto p1 = apply(db, act, c1);
  auto p2 = apply(db, act, c2, 1, "producer.bx-c0002");
  BOOST_REQUIRE(db.fire("select", p1.dossier_id, "organiser").status.ok());
  BOOST_TEST((code(db.fire("cancel_activity", act, "organiser")) == Code::bad_input));  // needs a reason
  auto r = db.fire("cancel_activity", act, "organiser", {{"reason", "Bão số 3"}});
  BOOST_REQUIRE(r.status.ok());
  BOOST_TEST(r.cascaded.size() == 2u);
  BOOST_TEST(db.store->load_participation(p1.dossier_id)->state == "cancelled");
  BOOST_TEST(db.store->load_participation(p2.dossier_id)->state == "cancelled");
  auto again = db.fire("cancel_activity", act, "organiser", {{"reason", "x"}});
  BOOST_TEST((code(again) == Code::refused));
  BOOST_TEST(again.status.message().find("allowed there: none") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_inspection_round_trip) {
  Db db;
  const std::string cert = certificate_for(db, "BX-2026-000071");
  // The commune's inspector is below the issuing level (province): 6.
  BOOST_TEST((code(db.fire("plan_inspection", "", "inspector.bx-c0001", {{"certificate", cert}, {"due", "2026-06-15"}})) ==
              Code::forbidden));
  BOOST_TEST((code(db.fire("plan_inspection", "", "inspector", {{"certificate", cert}})) == Code::bad_input));
  auto insp = db.fire("plan_inspection", "", "inspector",
                      {{"certificate", cert}, {"due", "2026-06-15"}, {"criteria", {"Nhãn mác", "Chất lượng"}}});
  BOOST_REQUIRE(insp.status.ok());
  const std::string id = insp.dossier_id;
  // record_inspection: result and findings; remedy_days for remedy_required.
  BOOST_TEST((code(db.fire("record_inspection", id, "inspector", {{"result", "remedy_required"}, {"findings", json::array()}})) ==
              Code::bad_input));
  BOOST_TEST((code(db.fire("record_inspection", id, "inspector", {{"result", "fine"}, {"findings", json::array()}})) ==
              Code::bad_input));
  BOOST_TEST((code(db.fire("close_inspection", id, "signer", {{"reason", "x"}})) == Code::refused));  // planned
  db.clock.set(*parse_instant("2026-06-12T09:00:00+07:00", 420));  // a Friday
  auto rec = db.fire("record_inspection", id, "inspector",
                     {{"result", "remedy_required"},
                      {"findings", {{{"criterion", "Nhãn mác"}, {"note", "Thiếu hạn sử dụng"}}}},
                      {"remedy_days", 5}});
  BOOST_REQUIRE_MESSAGE(rec.status.ok(), rec.status.message());
  // Five working days after Friday 12/06: 15, 16, 17, 18, 19 June.
  BOOST_TEST(db.view(rec)["remedy_due"] == "2026-06-19");
  BOOST_TEST(db.view(rec)["findings"][0]["criterion"] == "Nhãn mác");
  auto ok = db.fire("confirm_remedy", id, "inspector", {{"note", "Đã bổ sung nhãn"}});
  BOOST_REQUIRE(ok.status.ok());
  BOOST_TEST(db.view(ok)["state"] == "compliant");
  // A violation needs a configured ground and notifies the province's signers.
  auto insp2 = db.fire("plan_inspection", "", "coordinator", {{"certificate", cert}, {"due", "2026-09-15"}});
  BOOST_REQUIRE(insp2.status.ok());
  BOOST_TEST((code(db.fire("record_inspection", insp2.dossier_id, "inspector",
                           {{"result", "violation"}, {"findings", json::array()}, {"ground", "weather"}})) ==
              Code::bad_input));
  auto v = db.fire("record_inspection", insp2.dossier_id, "inspector",
                   {{"result", "violation"}, {"findings", json::array()}, {"ground", "food_safety"}});
  BOOST_REQUIRE(v.status.ok());
  BOOST_TEST((code(db.fire("close_inspection", insp2.dossier_id, "inspector", {{"reason", "x"}})) == Code::forbidden));
  BOOST_REQUIRE(db.fire("close_inspection", insp2.dossier_id, "signer", {{"reason", "Giữ giấy chứng nhận"}}).status.ok());
  std::string why;
  BOOST_TEST(db.verify(&why), why);
}

BOOST_AUTO_TEST_CASE(the_scheduler_runs_the_activity_days_in_order_and_catches_up) {
  Db db;
  const std::string cert = certificate_for(db, "BX-2026-000081");
  auto planned = db.fire("plan_activity", "", "organiser", fair());
  BOOST_REQUIRE(planned.status.ok());
  const std::string act = planned.dossier_id;
  auto cycles = workflows::make_cycle_lifecycle();
  Scheduler sched(db.config, *db.ex, *db.certificates, *cycles, *db.store, db.clock);
  auto tick_on = [&](const char* day) {
    db.clock.set(*parse_instant(std::string(day) + "T06:00:00+07:00", 420));
    TickReport r = sched.tick(false);
    BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
    return r;
  };
  tick_on("2026-03-31");
  BOOST_TEST(db.store->load_activity(act)->state == "planned");
  tick_on("2026-04-01");
  BOOST_TEST(db.store->load_activity(act)->state == "registration_open");
  auto p = apply(db, act, cert);
  BOOST_REQUIRE(p.status.ok());
  tick_on("2026-04-20");
  BOOST_TEST(db.store->load_activity(act)->state == "registration_open");  // closes the day after
  // No tick until after the end: the days run in order in one tick; the application is declined.
  TickReport r = tick_on("2026-05-06");
  BOOST_TEST(db.store->load_activity(act)->state == "finished");
  BOOST_TEST(r.counts["close_registration"] == 1);
  BOOST_TEST(r.counts["start_activity"] == 1);
  BOOST_TEST(r.counts["finish_activity"] == 1);
  BOOST_TEST(db.store->load_participation(p.dossier_id)->state == "declined");
  r = tick_on("2026-05-06");  // the same day again: nothing twice
  BOOST_TEST(r.transitions.empty());
}

BOOST_AUTO_TEST_CASE(remedy_overdue_waits_for_the_working_day_after_remedy_due) {
  Db db;
  const std::string cert = certificate_for(db, "BX-2026-000091");
  auto insp = db.fire("plan_inspection", "", "inspector", {{"certificate", cert}, {"due", "2026-06-15"}});
  BOOST_REQUIRE(insp.status.ok());
  db.clock.set(*parse_instant("2026-06-08T09:00:00+07:00", 420));  // Monday
  BOOST_REQUIRE(db.fire("record_inspection", insp.dossier_id, "inspector",
                        {{"result", "remedy_required"}, {"findings", json::array()}, {"remedy_days", 4}})
                    .status.ok());
  BOOST_TEST(format_date(*db.store->load_inspection(insp.dossier_id)->remedy_due) == "2026-06-12");  // Friday
  auto cycles = workflows::make_cycle_lifecycle();
  Scheduler sched(db.config, *db.ex, *db.certificates, *cycles, *db.store, db.clock);
  for (const char* day : {"2026-06-12", "2026-06-13", "2026-06-14"}) {  // Friday, the weekend
    db.clock.set(*parse_instant(std::string(day) + "T06:00:00+07:00", 420));
    BOOST_REQUIRE(sched.tick(false).status.ok());
    BOOST_TEST(db.store->load_inspection(insp.dossier_id)->state == "remedy_required");
  }
  db.clock.set(*parse_instant("2026-06-15T06:00:00+07:00", 420));  // Monday
  TickReport r = sched.tick(false);
  BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
  BOOST_TEST(db.store->load_inspection(insp.dossier_id)->state == "overdue");
  BOOST_TEST(r.counts["remedy_overdue"] == 1);
}

BOOST_AUTO_TEST_CASE(the_inspection_plan_never_plans_twice) {
  Db db;
  for (int i = 1; i <= 4; ++i) certificate_for(db, "BX-2026-00010" + std::to_string(i));
  certificate_for(db, "BX-2026-000201", "BX-C0002", "Cơ sở B");
  auto cycles = workflows::make_cycle_lifecycle();
  Application app(db.config, *db.store, Workflows{*db.lifecycle, *db.certificates, *cycles, &db.after}, db.clock);
  InspectionPlanRequest rq{"inspector", 2026, 50, *parse_date("2026-09-30")};
  InspectionPlan first = app.plan_inspections(rq);
  BOOST_REQUIRE_MESSAGE(first.status.ok(), first.status.message());
  // BX-C0001: ⌈50 × 4 / 100⌉ = 2; BX-C0002: ⌈50 × 1 / 100⌉ = 1.
  BOOST_TEST(first.planned == 3);
  InspectionPlan again = app.plan_inspections(rq);
  BOOST_REQUIRE(again.status.ok());
  BOOST_TEST(again.planned == 0);
  rq.share = 100;
  InspectionPlan more = app.plan_inspections(rq);
  BOOST_TEST(more.planned == 2);  // the difference
  BOOST_TEST(db.store->inspections(InspectionFilter{}).size() == 5u);
  rq.share = 0;
  BOOST_TEST((app.plan_inspections(rq).status.code() == Code::bad_input));
}

// Ids are unique across dossiers, activities, participations and inspections (spec §10): a
// dossier may not take an activity's or an inspection's id, given or generated. (It used to:
// the two objects then shared one trail, and `ocop audit verify` reported it broken.)
BOOST_AUTO_TEST_CASE(a_dossier_never_takes_another_objects_id) {
  Db db;
  const std::string cert = certificate_for(db, "BX-2026-000301");
  json named = fair();
  named["id"] = "HOICHO-XUAN-2026";
  BOOST_REQUIRE(db.fire("plan_activity", "", "organiser", named).status.ok());
  auto insp = db.fire("plan_inspection", "", "inspector", {{"certificate", cert}, {"due", "2026-06-15"}, {"id", "HK-1"}});
  BOOST_REQUIRE_MESSAGE(insp.status.ok(), insp.status.message());
  const std::int64_t records = db.audit_count();
  auto over_activity = db.fire("submit_idea", "", "producer.bx-c0001", new_product("HOICHO-XUAN-2026"));
  BOOST_TEST((code(over_activity) == Code::refused));
  BOOST_TEST(over_activity.status.message().find("HOICHO-XUAN-2026") != std::string::npos);
  json reg = new_product("HK-1");
  reg["registration_type"] = "new";
  reg["documents"] = {doc("registration_form"), doc("self_assessment")};
  BOOST_TEST((code(db.fire("register", "", "producer.bx-c0001", reg)) == Code::refused));
  BOOST_TEST(db.audit_count() == records);
  BOOST_TEST(!db.store->load_dossier("HOICHO-XUAN-2026"));
  // A generated dossier id skips one an activity was given.
  json taken = fair();
  taken["id"] = "BX-2026-00002";
  BOOST_REQUIRE(db.fire("plan_activity", "", "organiser", taken).status.ok());
  json idea = new_product("");
  idea.erase("id");
  auto generated = db.fire("submit_idea", "", "producer.bx-c0001", idea);
  BOOST_REQUIRE_MESSAGE(generated.status.ok(), generated.status.message());
  BOOST_TEST(generated.dossier_id == "BX-2026-00003");  // the 2nd dossier of 2026: 00002 is the activity's
  std::string why;
  BOOST_TEST(db.verify(&why), why);
}

BOOST_AUTO_TEST_SUITE_END()
