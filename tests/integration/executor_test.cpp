// The executor on a real SQLite file: the whole lifecycle, refusals, atomicity, idempotency,
// conflicts between two sessions and tamper detection.
#include <set>

#include "fixture.hpp"
#include "ocop/sha256.hpp"

using namespace ocop;
using namespace ocop::testing;
using nlohmann::json;

BOOST_AUTO_TEST_SUITE(executor)

BOOST_AUTO_TEST_CASE(a_product_goes_from_idea_to_five_stars) {
  Db db;
  const std::string id = "BX-2026-000001";
  BOOST_REQUIRE(db.fire("submit_idea", "", "producer.bx-c0001", new_product(id)).status.ok());
  BOOST_REQUIRE(db.fire("accept_idea", id, "officer.bx-c0001").status.ok());
  BOOST_REQUIRE(db.fire("submit_plan", id, "producer.bx-c0001").status.ok());
  BOOST_REQUIRE(db.fire("approve_plan", id, "officer.bx-c0001").status.ok());
  auto r = db.fire(
      "register", id, "producer.bx-c0001",
      {{"registration_type", "new"}, {"documents", {doc("registration_form"), doc("self_assessment")}}});
  BOOST_REQUIRE(r.status.ok());
  BOOST_TEST(db.view(r)["state"] == "submitted");
  BOOST_TEST(db.view(r)["rule_set"] == "R148_1489");
  BOOST_TEST(db.view(r)["level"] == "commune");
  BOOST_REQUIRE(db.fire("accept_dossier", id, "officer.bx-c0001").status.ok());
  BOOST_REQUIRE(db.fire("assess", id, "officer.bx-c0001", {{"locality", {{"origin", 2}}}}).status.ok());
  r = db.fire("forward", id, "officer.bx-c0001");
  BOOST_REQUIRE(r.status.ok());
  BOOST_TEST(db.view(r)["level"] == "province");
  BOOST_REQUIRE(db.fire("accept_dossier", id, "coordinator").status.ok());  // next open round
  BOOST_TEST(db.store->load_dossier(id)->round == "2026-1");
  score_all(db, id, 38, 23, 33);  // 94
  r = db.fire("close_scoring", id, "chair");
  BOOST_REQUIRE(r.status.ok());
  BOOST_TEST(db.view(r)["score"] == 94.0);
  BOOST_TEST(db.view(r)["stars"] == 5);
  r = db.fire("recognize", id, "signer", {{"decision_no", "1/QĐ-UBND"}, {"decision_date", "2026-10-30"}});
  BOOST_REQUIRE(r.status.ok());
  BOOST_TEST(db.view(r)["stars"] == 4);  // capped at the province's highest star
  auto cert = db.store->load_certificate(db.view(r)["certificate"].get<std::string>());
  BOOST_REQUIRE(cert);
  BOOST_TEST(cert->stars == 4);
  BOOST_TEST(format_date(cert->valid_until) == "2029-10-30");
  BOOST_REQUIRE(db.fire("forward", id, "coordinator").status.ok());
  BOOST_REQUIRE(db.fire("accept_dossier", id, "central.coordinator", {{"round", "2026-C"}}).status.ok());
  score_all(db, id, 38, 24, 34, 5, "central.member.");
  BOOST_REQUIRE(db.fire("close_scoring", id, "central.chair").status.ok());
  r = db.fire("recognize", id, "central.signer",
              {{"decision_no", "9/QĐ-BNNMT"}, {"decision_date", "2026-12-20"}});
  BOOST_REQUIRE(r.status.ok());
  BOOST_TEST(db.view(r)["stars"] == 5);
  BOOST_TEST(db.store->load_certificate(cert->id)->state == "superseded");
  BOOST_TEST(db.store->load_certificate(cert->id)->superseded_by ==
             db.view(r)["certificate"].get<std::string>());
  BOOST_TEST(db.store->history(id).size() == 25u);
  BOOST_TEST(db.verify());
}

BOOST_AUTO_TEST_CASE(central_refusal_keeps_the_provincial_certificate) {
  Db db;
  const std::string id = "BX-2026-000002";
  to_province_review(db, id);
  score_all(db, id, 38, 23, 33);
  BOOST_REQUIRE(db.fire("close_scoring", id, "chair").status.ok());
  BOOST_REQUIRE(db.fire("recognize", id, "signer", {{"decision_no", "2/QĐ"}, {"decision_date", "2026-10-30"}})
                    .status.ok());
  BOOST_REQUIRE(db.fire("forward", id, "coordinator").status.ok());
  BOOST_REQUIRE(db.fire("accept_dossier", id, "central.coordinator", {{"round", "2026-C"}}).status.ok());
  score_all(db, id, 30, 20, 30, 5, "central.member.");
  BOOST_REQUIRE(db.fire("close_scoring", id, "central.chair").status.ok());
  auto r = db.fire("not_recognize", id, "central.chair", {{"reason", "chưa đạt 5 sao"}});
  BOOST_REQUIRE(r.status.ok());
  BOOST_TEST(db.view(r)["state"] == "recognized");
  BOOST_TEST(db.view(r)["stars"] == 4);
  BOOST_TEST(db.store->load_certificate(id + "/province")->state == "active");
}

BOOST_AUTO_TEST_CASE(refusals_say_why_and_write_nothing) {
  Db db;
  const std::string id = "BX-2026-000003";
  BOOST_REQUIRE(db.fire("submit_idea", "", "producer.bx-c0001", new_product(id)).status.ok());
  auto before = db.audit_count();

  auto r = db.fire("approve_plan", id, "officer.bx-c0001");
  BOOST_TEST(int(r.status.code()) == 4);
  BOOST_TEST(r.status.message().find("in state idea_submitted") != std::string::npos, r.status.message());
  BOOST_TEST(r.status.message().find("accept_idea") != std::string::npos, r.status.message());

  r = db.fire("accept_idea", id, "officer.bx-c0002");  // another commune's officer
  BOOST_TEST(int(r.status.code()) == 6, r.status.message());
  r = db.fire("accept_idea", id, "producer.bx-c0001");  // a producer cannot accept
  BOOST_TEST(int(r.status.code()) == 6, r.status.message());
  r = db.fire("accept_idea", "BX-2026-999999", "officer.bx-c0001");
  BOOST_TEST(int(r.status.code()) == 3, r.status.message());
  r = db.fire("accept_idea", id, "nobody");
  BOOST_TEST(int(r.status.code()) == 2, r.status.message());
  r = db.fire("return_idea", id, "officer.bx-c0001");  // reason is required
  BOOST_TEST(int(r.status.code()) == 2, r.status.message());
  r = db.fire("fly_away", id, "officer.bx-c0001");
  BOOST_TEST(int(r.status.code()) == 2, r.status.message());
  // The order of checks: a forbidden actor learns nothing about the state.
  r = db.fire("approve_plan", id, "officer.bx-c0002");
  BOOST_TEST(int(r.status.code()) == 6, r.status.message());
  r = db.fire("submit_idea", "", "producer.bx-c0001", new_product(id));
  BOOST_TEST(int(r.status.code()) == 4, r.status.message());  // already exists

  BOOST_TEST(db.audit_count() == before);
  BOOST_TEST(db.store->load_dossier(id)->version == 1);
  BOOST_TEST(db.verify());
}

BOOST_AUTO_TEST_CASE(guards_refuse_with_their_reason) {
  Db db;
  const std::string id = "BX-2026-000004";
  to_province_review(db, id);
  score_all(db, id, 20, 15, 20, 4);  // 55, four sheets
  auto r = db.fire("close_scoring", id, "chair");
  BOOST_TEST(int(r.status.code()) == 4);
  BOOST_TEST(r.status.message().find("quorum") != std::string::npos, r.status.message());
  BOOST_REQUIRE(db.fire("score", id, "member.5", {{"A", 20}, {"B", 15}, {"C", 20}}).status.ok());
  BOOST_REQUIRE(db.fire("close_scoring", id, "chair").status.ok());
  r = db.fire("forward", id, "coordinator");
  BOOST_TEST(int(r.status.code()) == 4);
  BOOST_TEST(r.status.message().find("forward_min 90") != std::string::npos, r.status.message());
  r = db.fire("score", id, "member.1", {{"A", 41}, {"B", 1}, {"C", 1}});
  BOOST_TEST(int(r.status.code()) == 2, r.status.message());  // over part A's maximum

  // A 2★ result cannot be recognised; not_recognize ends it.
  const std::string low = "BX-2026-000005";
  to_province_review(db, low);
  score_all(db, low, 10, 10, 10);
  BOOST_REQUIRE(db.fire("close_scoring", low, "chair").status.ok());
  r = db.fire("recognize", low, "signer", {{"decision_no", "3/QĐ"}, {"decision_date", "2026-10-30"}});
  BOOST_TEST(int(r.status.code()) == 4);
  BOOST_TEST(r.status.message().find("2★") != std::string::npos, r.status.message());
  BOOST_TEST(db.view(db.fire("not_recognize", low, "chair", {{"reason", "chưa đạt"}}))["state"] ==
             "not_recognized");
  // Missing required documents at register.
  auto data = new_product("BX-2026-000006");
  data["registration_type"] = "new";
  data["documents"] = {doc("registration_form")};
  r = db.fire("register", "", "producer.bx-c0001", data);
  BOOST_TEST(int(r.status.code()) == 4);
  BOOST_TEST(r.status.message().find("self_assessment") != std::string::npos, r.status.message());
  BOOST_TEST(!db.store->load_dossier("BX-2026-000006"));
}

BOOST_AUTO_TEST_CASE(a_failure_before_commit_leaves_nothing) {
  Db db;
  const std::string id = "BX-2026-000007";
  BOOST_REQUIRE(db.fire("submit_idea", "", "producer.bx-c0001", new_product(id)).status.ok());
  auto head = db.store->audit_head();
  db.ex->set_before_commit_hook([] { throw StoreError("injected failure after the state update", false); });
  auto r = db.fire("accept_idea", id, "officer.bx-c0001");
  BOOST_TEST(int(r.status.code()) == 1);
  db.ex->set_before_commit_hook(nullptr);
  BOOST_TEST(db.store->load_dossier(id)->state == State::idea_submitted);
  BOOST_TEST(db.store->load_dossier(id)->version == 1);
  BOOST_TEST(db.store->audit_head().seq == head.seq);
  BOOST_TEST(db.store->history(id).size() == 1u);
  // A register that would have written documents and a new dossier leaves none either.
  auto data = new_product("BX-2026-000008");
  data["registration_type"] = "new";
  data["documents"] = {doc("registration_form"), doc("self_assessment")};
  db.ex->set_before_commit_hook([] { throw std::runtime_error("crash"); });
  BOOST_TEST(!db.fire("register", "", "producer.bx-c0001", data).status.ok());
  db.ex->set_before_commit_hook(nullptr);
  BOOST_TEST(!db.store->load_dossier("BX-2026-000008"));
  BOOST_TEST(db.store->documents("BX-2026-000008").empty());
  BOOST_TEST(db.verify());
  BOOST_TEST(db.fire("accept_idea", id, "officer.bx-c0001").status.ok());
  BOOST_TEST(db.verify());
}

BOOST_AUTO_TEST_CASE(the_same_key_twice_returns_the_first_result) {
  Db db;
  const std::string id = "BX-2026-000009";
  auto first = db.fire("submit_idea", "", "producer.bx-c0001", new_product(id), "k-1");
  BOOST_REQUIRE(first.status.ok());
  auto again = db.fire("submit_idea", "", "producer.bx-c0001", new_product(id), "k-1");
  BOOST_TEST(again.status.ok());
  BOOST_TEST(again.duplicate);
  BOOST_TEST(db.view(again)["id"] == db.view(first)["id"]);
  BOOST_TEST(db.view(again)["state"] == db.view(first)["state"]);
  BOOST_TEST(db.view(again)["version"] == db.view(first)["version"]);
  BOOST_REQUIRE(db.fire("accept_idea", id, "officer.bx-c0001", json::object(), "k-2").status.ok());
  auto dup = db.fire("accept_idea", id, "officer.bx-c0001", json::object(), "k-2");
  BOOST_TEST(dup.duplicate);
  BOOST_TEST(db.view(dup)["version"] == 2);
  BOOST_TEST(db.audit_count() == 2);
}

BOOST_AUTO_TEST_CASE(two_sessions_conflict_on_a_stale_version) {
  Db db;
  const std::string id = "BX-2026-000010";
  BOOST_REQUIRE(db.fire("submit_idea", "", "producer.bx-c0001", new_product(id)).status.ok());
  // A second coordinator's session on the same file reads version 1...
  auto other = store::open(db.url);
  Executor ex2(db.config, *db.lifecycle, *db.certificates, *other, db.clock);
  std::int64_t seen = other->load_dossier(id)->version;
  // ...the first session moves the dossier on...
  BOOST_REQUIRE(db.fire("return_idea", id, "officer.bx-c0001", {{"reason", "bổ sung mô tả"}}).status.ok());
  // ...and the second one's action, based on what it saw, is a conflict.
  EventRequest req;
  req.event = "accept_idea";
  req.dossier = id;
  req.actor = "officer.bx-c0001";
  req.expected_version = seen;
  FireResult r = ex2.fire(req);
  BOOST_TEST(int(r.status.code()) == 5, r.status.message());
  BOOST_TEST(db.store->load_dossier(id)->state == State::idea_returned);
  req.expected_version = 2;
  req.event = "resubmit_idea";
  req.actor = "producer.bx-c0001";
  BOOST_TEST(ex2.fire(req).status.ok());
  BOOST_TEST(db.verify());
}

BOOST_AUTO_TEST_CASE(tampering_with_the_stored_trail_is_detected) {
  for (int how = 0; how < 5; ++how) {
    Db db;
    const std::string id = "BX-2026-000011";
    BOOST_REQUIRE(db.fire("submit_idea", "", "producer.bx-c0001", new_product(id)).status.ok());
    BOOST_REQUIRE(db.fire("return_idea", id, "officer.bx-c0001", {{"reason", "thiếu"}}).status.ok());
    BOOST_REQUIRE(db.fire("resubmit_idea", id, "producer.bx-c0001").status.ok());
    BOOST_REQUIRE(db.fire("accept_idea", id, "officer.bx-c0001").status.ok());
    BOOST_REQUIRE(db.verify());
    switch (how) {
      case 0:
        db.store->exec("UPDATE audit SET actor = 'intruder' WHERE seq = 2");
        break;
      case 1:
        db.store->exec("UPDATE audit SET data = '{\"reason\":\"khác\"}' WHERE seq = 2");
        break;
      case 2:
        db.store->exec("DELETE FROM audit WHERE seq = 3");
        break;
      case 3:
        db.store->exec("DELETE FROM audit WHERE seq = 4");
        break;  // the tail
      case 4:   // reorder: swap two records' sequence numbers
        db.store->exec("UPDATE audit SET seq = 100 WHERE seq = 2");
        db.store->exec("UPDATE audit SET seq = 2 WHERE seq = 3");
        db.store->exec("UPDATE audit SET seq = 3 WHERE seq = 100");
        break;
    }
    std::string why;
    BOOST_TEST(!db.verify(&why), "tampering " << how << " must be detected");
  }
}

BOOST_AUTO_TEST_CASE(documents_ride_on_any_event) {
  Db db;
  const std::string id = "BX-2026-000020";
  auto data = new_product(id);
  data["documents"] = {doc("idea_sketch")};
  BOOST_REQUIRE(db.fire("submit_idea", "", "producer.bx-c0001", data).status.ok());
  BOOST_REQUIRE(
      db.fire("accept_idea", id, "officer.bx-c0001", {{"documents", {doc("minutes")}}}).status.ok());
  auto docs = db.store->documents(id);
  BOOST_REQUIRE(docs.size() == 2u);
  std::set<std::string> kinds;
  for (const auto& d : docs) kinds.insert(d.kind);
  BOOST_TEST(kinds.count("idea_sketch") == 1u);
  BOOST_TEST(kinds.count("minutes") == 1u);
  // A refused event attaches nothing.
  BOOST_TEST(!db.fire("approve_plan", id, "officer.bx-c0001", {{"documents", {doc("x")}}}).status.ok());
  BOOST_TEST(db.store->documents(id).size() == 2u);
}

BOOST_AUTO_TEST_CASE(keys_and_ids_tell_nothing_to_the_unauthorised) {
  Db db;
  const std::string id = "BX-2026-000021";
  BOOST_REQUIRE(db.fire("submit_idea", "", "producer.bx-c0001", new_product(id), "key-21").status.ok());
  // Another commune's producer reusing the id, or the key, is forbidden before anything else.
  auto r = db.fire("submit_idea", "", "producer.bx-c0002", new_product(id));
  BOOST_TEST(int(r.status.code()) == 6, r.status.message());
  r = db.fire("submit_idea", "", "member.1", new_product(id));
  BOOST_TEST(int(r.status.code()) == 6, r.status.message());
  r = db.fire("accept_idea", id, "officer.bx-c0002", json::object(), "key-21");
  BOOST_TEST(int(r.status.code()) == 6, r.status.message());
  // The right actor reusing a key for another request is told so.
  r = db.fire("accept_idea", id, "officer.bx-c0001", json::object(), "key-21");
  BOOST_TEST(int(r.status.code()) == 2, r.status.message());
  BOOST_TEST(r.status.message().find("different request") != std::string::npos, r.status.message());
  BOOST_TEST(db.store->load_dossier(id)->state == State::idea_submitted);
}

BOOST_AUTO_TEST_CASE(malformed_values_are_bad_input) {
  Db db;
  auto bad_id = new_product("");
  BOOST_TEST(int(db.fire("submit_idea", "", "producer.bx-c0001", bad_id).status.code()) == 2);
  bad_id["id"] = "BX 2026/1";
  BOOST_TEST(int(db.fire("submit_idea", "", "producer.bx-c0001", bad_id).status.code()) == 2);
  bad_id["id"] = 42;
  BOOST_TEST(int(db.fire("submit_idea", "", "producer.bx-c0001", bad_id).status.code()) == 2);
  bad_id["id"] = nullptr;  // null: as if absent, an id is generated
  auto generated = db.fire("submit_idea", "", "producer.bx-c0001", bad_id);
  BOOST_TEST(generated.status.ok(), generated.status.message());
  BOOST_TEST(generated.dossier_id == "BX-2026-00001");
  auto bad_utf8 = new_product("BX-2026-000022");
  bad_utf8["product"] = std::string("Ch\xe8");
  BOOST_TEST(int(db.fire("submit_idea", "", "producer.bx-c0001", bad_utf8).status.code()) == 2);
  const std::string id = "BX-2026-000023";
  auto data = new_product(id);
  data["registration_type"] = "new";
  data["documents"] = {doc("registration_form"), doc("self_assessment")};
  BOOST_REQUIRE(db.fire("register", "", "producer.bx-c0001", data).status.ok());
  BOOST_REQUIRE(db.fire("accept_dossier", id, "officer.bx-c0001").status.ok());
  BOOST_REQUIRE(db.fire("forward", id, "officer.bx-c0001").status.ok());
  auto r = db.fire("accept_dossier", id, "coordinator", {{"round", "2026-C"}});  // a central round
  BOOST_TEST(int(r.status.code()) == 2, r.status.message());
  BOOST_TEST(db.audit_count() == 4);
}

BOOST_AUTO_TEST_CASE(an_upgrade_may_only_build_on_a_certificate_in_scope) {
  Db db;
  to_province_review(db, "BX-2026-000024");
  score_all(db, "BX-2026-000024", 25, 15, 20);
  BOOST_REQUIRE(db.fire("close_scoring", "BX-2026-000024", "chair").status.ok());
  BOOST_REQUIRE(db.fire("recognize", "BX-2026-000024", "signer",
                        {{"decision_no", "5/QĐ"}, {"decision_date", "2026-10-30"}})
                    .status.ok());
  auto data = new_product("BX-2026-000025", "BX-C0002");
  data["registration_type"] = "upgrade";
  data["certificate"] = "BX-2026-000024/province";
  data["documents"] = {doc("registration_form"), doc("self_assessment")};
  auto r = db.fire("register", "", "producer.bx-c0002", data);
  BOOST_TEST(int(r.status.code()) == 4, r.status.message());
  BOOST_TEST(r.status.message().find("outside") != std::string::npos, r.status.message());
  data["certificate"] = "BX-2026-999999/province";
  r = db.fire("register", "", "producer.bx-c0002", data);
  BOOST_TEST(int(r.status.code()) == 4, r.status.message());
  // The certificate's own commune may upgrade it; recognition supersedes it.
  data = new_product("BX-2026-000026", "BX-C0001");
  data["registration_type"] = "upgrade";
  data["certificate"] = "BX-2026-000024/province";
  data["documents"] = {doc("registration_form"), doc("self_assessment")};
  BOOST_REQUIRE(db.fire("register", "", "producer.bx-c0001", data).status.ok());
  BOOST_REQUIRE(db.fire("accept_dossier", "BX-2026-000026", "officer.bx-c0001").status.ok());
  BOOST_REQUIRE(db.fire("forward", "BX-2026-000026", "officer.bx-c0001").status.ok());
  BOOST_REQUIRE(db.fire("accept_dossier", "BX-2026-000026", "coordinator").status.ok());
  score_all(db, "BX-2026-000026", 32, 20, 28);
  BOOST_REQUIRE(db.fire("close_scoring", "BX-2026-000026", "chair").status.ok());
  BOOST_REQUIRE(db.fire("recognize", "BX-2026-000026", "signer",
                        {{"decision_no", "6/QĐ"}, {"decision_date", "2026-11-30"}})
                    .status.ok());
  auto old = db.store->load_certificate("BX-2026-000024/province");
  BOOST_TEST(old->state == "superseded");
  BOOST_TEST(old->superseded_by == "BX-2026-000026/province");
}

BOOST_AUTO_TEST_CASE(tampering_with_time_or_versions_is_detected) {
  for (int how = 0; how < 2; ++how) {
    Db db;
    BOOST_REQUIRE(db.fire("submit_idea", "", "producer.bx-c0001", new_product("BX-2026-000027")).status.ok());
    BOOST_REQUIRE(db.fire("accept_idea", "BX-2026-000027", "officer.bx-c0001").status.ok());
    BOOST_REQUIRE(db.verify());
    if (how == 0)  // the same instant written another way
      db.store->exec("UPDATE audit SET at = '2026-03-02T09:00:00+07:00' WHERE seq = 1");
    else
      db.store->exec("UPDATE dossiers SET version = 1");  // pretend the second event never happened
    BOOST_TEST(!db.verify(), "tampering " << how << " must be detected");
  }
}

BOOST_AUTO_TEST_CASE(a_keyed_event_replayed_after_it_moved_the_dossier_up_a_level_is_a_duplicate) {
  // An import run again after a crash replays events that already moved their dossiers on:
  // the commune's `forward` is level-bound, and the dossier is now at the province.
  Db db;
  const std::string id = "BX-2026-000050";
  auto data = new_product(id);
  data["registration_type"] = "new";
  data["documents"] = {doc("registration_form"), doc("self_assessment")};
  BOOST_REQUIRE(db.fire("register", "", "producer.bx-c0001", data, "r-1").status.ok());
  BOOST_REQUIRE(db.fire("accept_dossier", id, "officer.bx-c0001", json::object(), "r-2").status.ok());
  BOOST_REQUIRE(
      db.fire("assess", id, "officer.bx-c0001", {{"locality", {{"origin", 2}}}}, "r-3").status.ok());
  BOOST_REQUIRE(db.fire("forward", id, "officer.bx-c0001", json::object(), "r-4").status.ok());
  BOOST_REQUIRE(db.store->load_dossier(id)->level == "province");
  for (const char* key : {"r-2", "r-3", "r-4"}) {
    const std::string event = key == std::string("r-2")   ? "accept_dossier"
                              : key == std::string("r-3") ? "assess"
                                                          : "forward";
    auto again = db.fire(event, id, "officer.bx-c0001",
                         event == "assess" ? json{{"locality", {{"origin", 2}}}} : json::object(), key);
    BOOST_TEST(again.status.ok(), key << ": " << again.status.message());
    BOOST_TEST(again.duplicate, key);
  }
  // Without its key the same event is what it is now: forbidden at the province level.
  BOOST_TEST(int(db.fire("forward", id, "officer.bx-c0001").status.code()) == 6);
  BOOST_TEST(db.audit_count() == 4);
}

// Events of one batch share a transaction, and the store hands a dossier read or written in it
// back from memory (soci_store.cpp, tx_dossiers): what it hands back must be what the database
// holds, after an update, after a refused event, and never across a rollback.
BOOST_AUTO_TEST_CASE(a_batch_reads_its_own_writes_and_nothing_of_a_rolled_back_one) {
  Db db;
  const std::string id = "BX-2026-000031";
  auto req = [&](const std::string& event, const std::string& dossier, const std::string& actor,
                 json data = json::object()) {
    EventRequest r;
    r.event = event;
    r.dossier = dossier;
    r.actor = actor;
    r.data = std::move(data);
    return r;
  };
  db.store->begin();
  BOOST_REQUIRE(
      db.ex->fire_in_transaction(req("submit_idea", "", "producer.bx-c0001", new_product(id))).status.ok());
  BOOST_REQUIRE(db.ex->fire_in_transaction(req("accept_idea", id, "officer.bx-c0001")).status.ok());
  // Refused in the state the batch has reached (idea_accepted), not the one the database had.
  auto refused = db.ex->fire_in_transaction(req("accept_idea", id, "officer.bx-c0001"));
  BOOST_TEST(int(refused.status.code()) == 4);
  BOOST_TEST(refused.status.message().find("idea_accepted") != std::string::npos, refused.status.message());
  BOOST_REQUIRE(db.ex->fire_in_transaction(req("submit_plan", id, "producer.bx-c0001")).status.ok());
  auto in_tx = db.store->load_dossier(id);
  db.store->commit();
  auto stored = db.store->load_dossier(id);
  BOOST_REQUIRE(in_tx && stored);
  BOOST_TEST(in_tx->version == 3);
  BOOST_TEST(to_string(in_tx->state) == to_string(stored->state));
  BOOST_TEST(nlohmann::json(views::dossier_json(*in_tx, 420)).dump() ==
             nlohmann::json(views::dossier_json(*stored, 420)).dump());

  // A batch rolled back: the next transaction reads the database, not what the batch had.
  db.store->begin();
  BOOST_REQUIRE(
      db.ex->fire_in_transaction(req("return_plan", id, "officer.bx-c0001", {{"reason", "bổ sung"}}))
          .status.ok());
  BOOST_TEST(db.store->load_dossier(id)->version == 4);
  db.store->rollback();
  db.store->begin();
  BOOST_TEST(db.store->load_dossier(id)->version == 3);
  BOOST_TEST(to_string(db.store->load_dossier(id)->state) == "plan_submitted");
  // exec() may change anything: what was read before it is read again.
  db.store->exec("UPDATE dossiers SET version = 7 WHERE id = '" + id + "'");
  BOOST_TEST(db.store->load_dossier(id)->version == 7);
  db.store->rollback();
  BOOST_TEST(db.store->load_dossier(id)->version == 3);
  BOOST_TEST(db.verify());
}

// A key's row keeps 32 hex digits of its request's fingerprint; rows written before that kept
// all 64, and both are still recognised, for the same request and against a different one.
BOOST_AUTO_TEST_CASE(keys_recorded_with_a_full_fingerprint_still_answer) {
  Db db;
  const std::string id = "BX-2026-000032";
  auto first = db.fire("submit_idea", "", "producer.bx-c0001", new_product(id), "key-32");
  BOOST_REQUIRE(first.status.ok());
  auto stored = json::parse(db.store->find_key("key-32").value());
  BOOST_TEST(stored["request"].get<std::string>().size() == 32u);
  BOOST_TEST(stored["id"] == id);
  BOOST_TEST(stored["version"] == 1);
  // The row as an earlier version wrote it: the whole fingerprint.
  const std::string full = sha256_hex("submit_idea\n\nproducer.bx-c0001\n" + new_product(id).dump());
  BOOST_REQUIRE(full.compare(0, 32, stored["request"].get<std::string>()) == 0);
  stored["request"] = full;
  db.store->exec("UPDATE idempotency SET result = '" + stored.dump() + "' WHERE key = 'key-32'");
  auto again = db.fire("submit_idea", "", "producer.bx-c0001", new_product(id), "key-32");
  BOOST_TEST(again.status.ok(), again.status.message());
  BOOST_TEST(again.duplicate);
  auto other = db.fire("accept_idea", id, "officer.bx-c0001", json::object(), "key-32");
  BOOST_TEST(int(other.status.code()) == 2, other.status.message());
  // A stored fingerprint of another length is nobody's.
  stored["request"] = full.substr(0, 20);
  db.store->exec("UPDATE idempotency SET result = '" + stored.dump() + "' WHERE key = 'key-32'");
  BOOST_TEST(int(db.fire("submit_idea", "", "producer.bx-c0001", new_product(id), "key-32").status.code()) ==
             2);
  BOOST_TEST(db.audit_count() == 1);
}

BOOST_AUTO_TEST_SUITE_END()
