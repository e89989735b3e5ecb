// Notifications end to end inside the engine, on a real SQLite file: what the executor queues
// with an event (and only with an accepted one), and how the dispatcher claims, retries,
// buries and re-sends messages, with transports that fail on purpose; and every message of a
// simulated year (the sample province's events, ticked every morning) read for what an empty
// value could leave in it.
#include <fstream>
#include <functional>
#include <map>
#include <stdexcept>

#include "cycle_machine.hpp"
#include "fixture.hpp"
#include "message_checks.hpp"
#include "ocop/dispatch.hpp"
#include "ocop/notify.hpp"
#include "ocop/scheduler.hpp"

namespace ocop {
// How Boost.Test prints what it compares here (internal to this file).
static std::ostream& boost_test_print_type(std::ostream& o, const Instant& t) {
  return o << format_instant(t, 0);
}
static std::ostream& boost_test_print_type(std::ostream& o, const Code& c) { return o << code_name(c); }
}  // namespace ocop

using namespace ocop;
using ocop::testing::Db;
using ocop::testing::doc;
using ocop::testing::new_product;
using ocop::testing::score_all;
using ocop::testing::to_province_review;

namespace {

const char* kProducerMail = "htx.checaobo@bx.example.vn";
const char* kHook = "http://127.0.0.1:9/ocop";

// The synthetic province with an address for the producer of BX-C0001 and a webhook.
void with_addresses(Db& db, bool webhook = true) {
  for (auto& u : db.config.mutable_users())
    if (u.id == "producer.bx-c0001") u.email = kProducerMail;
  db.config.index();  // a changed Config is indexed again (config.hpp)
  if (webhook) db.config.channels.webhook_url = kHook;
}

void registered(Db& db, const std::string& id, const std::string& actor = "producer.bx-c0001") {
  auto data = new_product(id);
  data["registration_type"] = "new";
  data["documents"] = {doc("registration_form"), doc("self_assessment")};
  auto r = db.fire("register", "", actor, data);
  BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
}

nlohmann::json return_data() {
  return {{"reason", "Thiếu phiếu kết quả kiểm nghiệm chất lượng sản phẩm"},
          {"missing", {"test_report", "label"}}};
}

std::vector<OutboxMessage> of_channel(const std::vector<OutboxMessage>& all, const std::string& channel) {
  std::vector<OutboxMessage> out;
  for (const auto& m : all)
    if (m.channel == channel) out.push_back(m);
  return out;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A transport whose answers the test decides.
struct FakeTransport : Transport {
  std::function<Delivery(const OutboxMessage&)> answer = [](const OutboxMessage&) {
    return Delivery{true, ""};
  };
  std::string why_unavailable;
  std::vector<OutboxMessage> seen;
  std::string unavailable() const override { return why_unavailable; }
  Delivery send(const OutboxMessage& m) override {
    seen.push_back(m);
    return answer(m);
  }
};

// Queues one e-mail (and nothing else) directly, like the scheduler does.
std::int64_t queue_mail(Db& db, const std::string& key, Instant at) {
  OutboxMessage m;
  m.dedupe_key = key;
  m.channel = "email";
  m.recipient = "ubnd@bx.example.vn";
  m.subject = "Nhắc việc";
  m.body = "Kính gửi";
  m.cause = "test";
  m.created_at = at;
  m.next_attempt_at = at;
  db.store->begin();
  BOOST_REQUIRE(db.store->enqueue(m));
  db.store->commit();
  return m.id;
}

Instant plus(Instant t, std::int64_t s) { return Instant{t.seconds + s}; }

}  // namespace

BOOST_AUTO_TEST_SUITE(event_notifications)

BOOST_AUTO_TEST_CASE(a_returned_dossier_tells_its_producer_why) {
  Db db;
  with_addresses(db);
  registered(db, "BX-2026-N0001");
  BOOST_TEST(db.store->outbox("", 0).empty());  // registering tells nobody
  auto r = db.fire("return_dossier", "BX-2026-N0001", "officer.bx-c0001", return_data());
  BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
  const std::int64_t version = db.store->load_dossier("BX-2026-N0001")->version;
  const std::string event_id = "BX-2026-N0001/v" + std::to_string(version);
  auto all = db.store->outbox("", 0);
  BOOST_REQUIRE_EQUAL(all.size(), 2u);
  auto mail = of_channel(all, "email");
  BOOST_REQUIRE_EQUAL(mail.size(), 1u);
  const OutboxMessage& m = mail[0];
  BOOST_TEST(m.recipient == kProducerMail);
  BOOST_TEST(m.dedupe_key == "event/" + event_id + "/email/" + kProducerMail);
  BOOST_TEST(m.dossier == "BX-2026-N0001");
  BOOST_TEST(m.state == "pending");
  BOOST_TEST(m.attempts == 0);
  BOOST_TEST(m.created_at == db.store->history("BX-2026-N0001").back().at);
  BOOST_TEST(m.next_attempt_at == m.created_at);
  BOOST_TEST(
      m.subject ==
      "[OCOP] Hồ sơ đánh giá, phân hạng sản phẩm \"Chè Shan tuyết Cao Bồ\" được trả lại để hoàn thiện");
  BOOST_TEST(contains(m.body, "Kính gửi Chủ thể BX-C0001,"));
  BOOST_TEST(contains(m.body, "Lý do: Thiếu phiếu kết quả kiểm nghiệm chất lượng sản phẩm"));
  BOOST_TEST(contains(m.body, "- test_report\n- label"));  // this configuration names no kinds
  BOOST_TEST(contains(m.body, "ở cấp xã ngày 02/03/2026"));
  BOOST_TEST(contains(m.body, "HTX Chè Cao Bồ (mã hồ sơ BX-2026-N0001, Xã C0001)"));
  BOOST_TEST(contains(m.cause, "BX-2026-N0001 return_dossier"));

  auto hook = of_channel(all, "webhook");
  BOOST_REQUIRE_EQUAL(hook.size(), 1u);
  BOOST_TEST(hook[0].recipient == kHook);
  BOOST_TEST(hook[0].dedupe_key == "event/" + event_id + "/webhook");
  auto body = nlohmann::json::parse(hook[0].body);
  BOOST_TEST(body["type"] == "dossier.returned");
  BOOST_TEST(body["event"] == "return_dossier");
  BOOST_TEST(body["version"] == version);
  BOOST_TEST(body["to"] == "returned");
  BOOST_TEST(body["data"]["missing"] == nlohmann::json({"test_report", "label"}));
  BOOST_TEST(body["notified"] == nlohmann::json({kProducerMail}));
  BOOST_TEST(contains(body["text"].get<std::string>(), "Lý do:"));
}

BOOST_AUTO_TEST_CASE(returns_of_ideas_and_plans_notify_too) {
  Db db;
  with_addresses(db, false);
  auto r = db.fire("submit_idea", "", "producer.bx-c0001", new_product("BX-2026-N0002"));
  BOOST_REQUIRE(r.status.ok());
  BOOST_REQUIRE(db.fire("return_idea", "BX-2026-N0002", "officer.bx-c0001", {{"reason", "Ý tưởng chưa rõ"}})
                    .status.ok());
  auto all = db.store->outbox("", 0);
  BOOST_REQUIRE_EQUAL(all.size(), 1u);  // no webhook configured: the e-mail only
  BOOST_TEST(all[0].subject ==
             "[OCOP] Ý tưởng sản phẩm \"Chè Shan tuyết Cao Bồ\" được trả lại để hoàn thiện");
  BOOST_TEST(contains(all[0].body, "Tài liệu cần bổ sung:\n(không có)"));
  BOOST_REQUIRE(db.fire("resubmit_idea", "BX-2026-N0002", "producer.bx-c0001").status.ok());
  BOOST_REQUIRE(db.fire("accept_idea", "BX-2026-N0002", "officer.bx-c0001").status.ok());
  BOOST_REQUIRE(db.fire("submit_plan", "BX-2026-N0002", "producer.bx-c0001").status.ok());
  BOOST_REQUIRE(
      db.fire("return_plan", "BX-2026-N0002", "officer.bx-c0001", {{"reason", "Thiếu dự toán"}}).status.ok());
  all = db.store->outbox("", 0);
  BOOST_REQUIRE_EQUAL(all.size(), 2u);
  BOOST_TEST(contains(all[1].subject, "Phương án sản xuất kinh doanh"));
  BOOST_TEST(all[1].dedupe_key != all[0].dedupe_key);
}

BOOST_AUTO_TEST_CASE(a_recognition_tells_the_producer_and_the_unit) {
  Db db;
  with_addresses(db);
  to_province_review(db, "BX-2026-N0003");
  score_all(db, "BX-2026-N0003", 30, 20, 25);  // 75: 4 stars
  BOOST_REQUIRE(db.fire("close_scoring", "BX-2026-N0003", "chair").status.ok());
  BOOST_TEST(db.store->outbox("", 0).empty());
  auto r = db.fire("recognize", "BX-2026-N0003", "signer",
                   {{"decision_no", "12/QĐ-UBND"}, {"decision_date", "2026-07-20"}});
  BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
  auto mail = of_channel(db.store->outbox("", 0), "email");
  BOOST_REQUIRE_EQUAL(mail.size(), 2u);
  BOOST_TEST(mail[0].recipient == kProducerMail);
  BOOST_TEST(mail[1].recipient == "bx-c0001@bx.example.vn");  // the unit's address
  for (const auto& m : mail) {
    BOOST_TEST(m.subject == "[OCOP] Sản phẩm \"Chè Shan tuyết Cao Bồ\" được công nhận 4 sao");
    BOOST_TEST(contains(m.body, "đạt 4 sao OCOP ở cấp tỉnh theo Quyết định số 12/QĐ-UBND ngày 20/07/2026"));
    BOOST_TEST(
        contains(m.body, "Giấy chứng nhận số BX-2026-N0003/province có giá trị đến hết ngày 20/07/2029"));
  }
  BOOST_TEST(contains(mail[0].body, "Kính gửi Chủ thể BX-C0001,"));
  BOOST_TEST(contains(mail[1].body, "Kính gửi Xã C0001,"));
  auto hook = of_channel(db.store->outbox("", 0), "webhook");
  BOOST_REQUIRE_EQUAL(hook.size(), 1u);
  auto body = nlohmann::json::parse(hook[0].body);
  BOOST_TEST(body["type"] == "dossier.recognized");
  BOOST_TEST(body["certificate"]["id"] == "BX-2026-N0003/province");
  BOOST_TEST(body["certificate"]["stars"] == 4);
}

BOOST_AUTO_TEST_CASE(without_the_creators_address_the_units_producers_are_told) {
  Db db;
  with_addresses(db, false);
  registered(db, "BX-2026-N0004", "coordinator");  // filed by the province, who has no address
  BOOST_REQUIRE(db.fire("return_dossier", "BX-2026-N0004", "officer.bx-c0001", return_data()).status.ok());
  auto all = db.store->outbox("", 0);
  BOOST_REQUIRE_EQUAL(all.size(), 1u);
  BOOST_TEST(all[0].recipient == kProducerMail);  // the producer account of BX-C0001

  Db none;  // nobody with an address: a return queues nothing
  registered(none, "BX-2026-N0005");
  BOOST_REQUIRE(none.fire("return_dossier", "BX-2026-N0005", "officer.bx-c0001", return_data()).status.ok());
  BOOST_TEST(none.store->outbox("", 0).empty());
}

BOOST_AUTO_TEST_CASE(a_refused_or_rolled_back_or_repeated_event_queues_nothing) {
  Db db;
  with_addresses(db);
  registered(db, "BX-2026-N0006");
  // Refused: bad input (no reason), forbidden (another commune's officer), the wrong state.
  BOOST_TEST(db.fire("return_dossier", "BX-2026-N0006", "officer.bx-c0001", {{"missing", {"label"}}})
                 .status.code() == Code::bad_input);
  BOOST_TEST(db.fire("return_dossier", "BX-2026-N0006", "officer.bx-c0002", return_data()).status.code() ==
             Code::forbidden);
  BOOST_TEST(db.fire("return_idea", "BX-2026-N0006", "officer.bx-c0001", {{"reason", "x"}}).status.code() ==
             Code::refused);
  BOOST_TEST(db.store->outbox("", 0).empty());
  // Rolled back: the event fails after its writes and before the commit.
  db.ex->set_before_commit_hook([] { throw StoreError("disk I/O error (injected)", false); });
  auto failed = db.fire("return_dossier", "BX-2026-N0006", "officer.bx-c0001", return_data(), "k-return");
  BOOST_TEST(failed.status.code() == Code::internal);
  BOOST_TEST(db.store->outbox("", 0).empty());
  BOOST_TEST(db.store->load_dossier("BX-2026-N0006")->state == State::submitted);
  db.ex->set_before_commit_hook(nullptr);
  // Accepted once, then the same key again: the repeat writes nothing.
  BOOST_REQUIRE(
      db.fire("return_dossier", "BX-2026-N0006", "officer.bx-c0001", return_data(), "k-return").status.ok());
  BOOST_TEST(db.store->outbox("", 0).size() == 2u);
  auto again = db.fire("return_dossier", "BX-2026-N0006", "officer.bx-c0001", return_data(), "k-return");
  BOOST_TEST(again.status.ok());
  BOOST_TEST(again.duplicate);
  BOOST_TEST(db.store->outbox("", 0).size() == 2u);
  // Events that notify nobody.
  BOOST_REQUIRE(db.fire("resubmit", "BX-2026-N0006", "producer.bx-c0001").status.ok());
  BOOST_REQUIRE(db.fire("annotate", "BX-2026-N0006", "officer.bx-c0001", {{"note", "đã nhận"}}).status.ok());
  BOOST_TEST(db.store->outbox("", 0).size() == 2u);
  BOOST_TEST(db.verify());
}

BOOST_AUTO_TEST_CASE(a_configured_template_is_used) {
  Db db;
  with_addresses(db, false);
  db.config.templates["dossier_returned"] = MessageTemplate{"Trả lại {dossier}: {reason}", ""};
  registered(db, "BX-2026-N0007");
  BOOST_REQUIRE(db.fire("return_dossier", "BX-2026-N0007", "officer.bx-c0001", return_data()).status.ok());
  auto all = db.store->outbox("", 0);
  BOOST_REQUIRE_EQUAL(all.size(), 1u);
  BOOST_TEST(all[0].subject == "Trả lại BX-2026-N0007: Thiếu phiếu kết quả kiểm nghiệm chất lượng sản phẩm");
  BOOST_TEST(contains(all[0].body, "Kính gửi"));  // default body
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(dispatcher)

BOOST_AUTO_TEST_CASE(a_due_message_is_sent_once) {
  Db db;
  const Instant t0 = db.clock.now();
  const auto id = queue_mail(db, "d1", t0);
  queue_mail(db, "later", plus(t0, 3600));  // not due yet
  FakeTransport mail;
  Dispatcher d(db.config, *db.store, db.clock);
  d.set_transport("email", &mail);
  auto r = d.run(0);
  BOOST_TEST(r.sent == 1);
  BOOST_TEST(r.failed == 0);
  BOOST_REQUIRE_EQUAL(mail.seen.size(), 1u);
  BOOST_TEST(mail.seen[0].id == id);
  BOOST_TEST(mail.seen[0].state == "sending");  // claimed while it was sent
  BOOST_TEST(mail.seen[0].attempts == 1);
  auto m = db.store->outbox_message(id);
  BOOST_TEST(m->state == "sent");
  BOOST_TEST(m->attempts == 1);
  BOOST_TEST(m->sent_at == t0);
  BOOST_TEST(m->claimed_by.empty());
  BOOST_TEST(d.run(0).sent == 0);  // nothing twice
  BOOST_TEST(mail.seen.size() == 1u);
}

BOOST_AUTO_TEST_CASE(failures_back_off_and_the_third_try_succeeds) {
  Db db;
  const Instant t0 = db.clock.now();
  const auto id = queue_mail(db, "flaky", t0);
  FakeTransport mail;
  mail.answer = [&](const OutboxMessage&) {
    return mail.seen.size() < 3 ? Delivery{false, "SMTP 451 try later"} : Delivery{true, ""};
  };
  Dispatcher d(db.config, *db.store, db.clock);
  d.set_transport("email", &mail);
  BOOST_TEST(d.run(0).failed == 1);
  auto m = db.store->outbox_message(id);
  BOOST_TEST(m->state == "pending");
  BOOST_TEST(m->attempts == 1);
  BOOST_TEST(m->next_attempt_at == plus(t0, 60));
  BOOST_TEST(m->last_error == "SMTP 451 try later");
  db.clock.set(plus(t0, 59));
  BOOST_TEST(d.run(0).messages.empty());  // not yet
  db.clock.set(plus(t0, 60));
  BOOST_TEST(d.run(0).failed == 1);
  BOOST_TEST(db.store->outbox_message(id)->next_attempt_at == plus(t0, 60 + 120));
  db.clock.set(plus(t0, 180));
  BOOST_TEST(d.run(0).sent == 1);
  m = db.store->outbox_message(id);
  BOOST_TEST(m->state == "sent");
  BOOST_TEST(m->attempts == 3);
  BOOST_TEST(mail.seen.size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_receiver_that_never_recovers_ends_dead_and_can_be_retried) {
  Db db;
  db.config.channels.max_attempts = 3;
  Instant t = db.clock.now();
  const auto id = queue_mail(db, "down", t);
  FakeTransport mail;
  mail.answer = [](const OutboxMessage&) { return Delivery{false, "connection refused"}; };
  Dispatcher d(db.config, *db.store, db.clock);
  d.set_transport("email", &mail);
  for (int i = 1; i <= 3; ++i) {
    auto r = d.run(0);
    BOOST_TEST(r.messages.size() == 1u);
    BOOST_TEST((i < 3 ? r.failed : r.dead) == 1);
    t = plus(t, 24 * 3600);
    db.clock.set(t);
  }
  auto m = db.store->outbox_message(id);
  BOOST_TEST(m->state == "dead");
  BOOST_TEST(m->attempts == 3);
  BOOST_TEST(m->last_error == "connection refused");
  BOOST_TEST(d.run(0).messages.empty());  // the dead stay dead
  BOOST_TEST(db.store->outbox("dead", 0).size() == 1u);
  // Retried by hand: pending now, attempts from zero; a sent message cannot be retried.
  db.store->begin();
  BOOST_TEST(db.store->retry_outbox(id, t));
  db.store->commit();
  m = db.store->outbox_message(id);
  BOOST_TEST(m->state == "pending");
  BOOST_TEST(m->attempts == 0);
  mail.answer = [](const OutboxMessage&) { return Delivery{true, ""}; };
  BOOST_TEST(d.run(0).sent == 1);
  db.store->begin();
  BOOST_TEST(!db.store->retry_outbox(id, t));
  db.store->commit();
}

BOOST_AUTO_TEST_CASE(an_unavailable_channel_holds_its_messages_without_an_attempt) {
  Db db;
  const auto id = queue_mail(db, "held", db.clock.now());
  FakeTransport mail;
  mail.why_unavailable = "environment variable X is not set";
  Dispatcher d(db.config, *db.store, db.clock);
  d.set_transport("email", &mail);
  auto r = d.run(0);
  BOOST_TEST(r.held == 1);
  BOOST_TEST(r.unavailable.at("email") == "environment variable X is not set");
  BOOST_TEST(mail.seen.empty());
  auto m = db.store->outbox_message(id);
  BOOST_TEST(m->state == "pending");
  BOOST_TEST(m->attempts == 0);
  BOOST_TEST(m->last_error == "environment variable X is not set");
}

BOOST_AUTO_TEST_CASE(a_deliverer_that_dies_after_sending_leaves_a_claim_the_next_run_takes_after_its_lease) {
  Db db;
  const Instant t0 = db.clock.now();
  const auto id = queue_mail(db, "crash", t0);
  FakeTransport mail;
  {
    Dispatcher dying(db.config, *db.store, db.clock);
    dying.set_transport("email", &mail);
    dying.set_after_send_hook([](const OutboxMessage&) { throw std::runtime_error("killed"); });
    BOOST_CHECK_THROW(dying.run(0), std::runtime_error);
  }
  auto m = db.store->outbox_message(id);
  BOOST_TEST(m->state == "sending");
  BOOST_TEST(m->lease_until == plus(t0, Dispatcher::kLeaseSeconds));
  Dispatcher next(db.config, *db.store, db.clock);
  next.set_transport("email", &mail);
  BOOST_TEST(next.run(0).messages.empty());  // the claim still holds
  db.clock.set(plus(t0, Dispatcher::kLeaseSeconds + 1));
  BOOST_TEST(next.run(0).sent == 1);
  BOOST_REQUIRE_EQUAL(mail.seen.size(), 2u);
  BOOST_TEST(idempotency_key(mail.seen[0]) == idempotency_key(mail.seen[1]));  // the receiver can tell
  m = db.store->outbox_message(id);
  BOOST_TEST(m->state == "sent");
  BOOST_TEST(m->attempts == 2);
}

BOOST_AUTO_TEST_CASE(a_claim_that_ran_out_is_not_settled_by_its_old_holder) {
  Db db;
  const Instant t0 = db.clock.now();
  const auto id = queue_mail(db, "slow", t0);
  FakeTransport mail;
  FixedClock later(plus(t0, Dispatcher::kLeaseSeconds + 1));
  Dispatcher other(db.config, *db.store, later);
  other.set_worker("other");
  other.set_transport("email", &mail);
  Dispatcher slow(db.config, *db.store, db.clock);
  slow.set_worker("slow");
  slow.set_transport("email", &mail);
  mail.answer = [&](const OutboxMessage& m) {
    if (m.claimed_by == "slow") BOOST_TEST(other.run(0).sent == 1);  // meanwhile, past the lease
    return Delivery{true, ""};
  };
  auto r = slow.run(0);
  BOOST_REQUIRE_EQUAL(r.messages.size(), 1u);
  BOOST_TEST(r.messages[0].lost_claim);
  BOOST_TEST(r.sent == 0);
  auto m = db.store->outbox_message(id);
  BOOST_TEST(m->state == "sent");
  BOOST_TEST(m->sent_at == later.now());  // as the other deliverer recorded it
}

BOOST_AUTO_TEST_CASE(a_claim_that_ran_out_on_the_last_attempt_is_dead) {
  Db db;
  db.config.channels.max_attempts = 1;
  const Instant t0 = db.clock.now();
  const auto id = queue_mail(db, "last", t0);
  FakeTransport mail;
  {
    Dispatcher dying(db.config, *db.store, db.clock);
    dying.set_transport("email", &mail);
    dying.set_after_send_hook([](const OutboxMessage&) { throw std::runtime_error("killed"); });
    BOOST_CHECK_THROW(dying.run(0), std::runtime_error);
  }
  db.clock.set(plus(t0, Dispatcher::kLeaseSeconds + 1));
  Dispatcher next(db.config, *db.store, db.clock);
  next.set_transport("email", &mail);
  BOOST_TEST(next.run(0).messages.empty());
  auto m = db.store->outbox_message(id);
  BOOST_TEST(m->state == "dead");
  BOOST_TEST(contains(m->last_error, "claim ran out"));
}

BOOST_AUTO_TEST_CASE(a_limit_and_channels_are_respected) {
  Db db;
  const Instant t0 = db.clock.now();
  for (int i = 0; i < 25; ++i) queue_mail(db, "m" + std::to_string(i), t0);
  OutboxMessage hook;
  hook.dedupe_key = "w";
  hook.channel = "webhook";
  hook.recipient = kHook;
  hook.body = "{}";
  hook.created_at = hook.next_attempt_at = t0;
  db.store->begin();
  db.store->enqueue(hook);
  db.store->commit();
  FakeTransport mail;
  Dispatcher d(db.config, *db.store, db.clock);
  d.set_transport("email", &mail);  // no webhook transport: webhook messages are left alone
  BOOST_TEST(d.run(12).sent == 12);
  BOOST_TEST(d.run(0).sent == 13);
  BOOST_TEST(db.store->outbox("pending", 0).size() == 1u);
  BOOST_TEST(db.store->outbox("pending", 0)[0].channel == "webhook");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(every_message_of_a_year)

// The shipped sample (config/sample.yaml) and its 2026 events (config/sample-events.jsonl),
// imported day by day with `ocop tick` every morning at 07:00 from 01/01/2026 to 10/01/2027, then
// every morning of 2029 until the certificates' expiry notices are out. Every producer user whose
// position in the list is odd has no name (the configuration allows it), so greetings meet an
// empty recipient too. Then every e-mail, and the subject and text of every webhook message, is
// read: returns of ideas and plans happen before `register` gives the dossier a level, so their
// {level_name} is empty ("đã được trả lại ở  ngày ..." before optional segments).
BOOST_AUTO_TEST_CASE(no_message_shows_an_empty_value) {
  Db db(std::string(OCOP_SOURCE_DIR) + "/config/sample.yaml");
  int producers = 0;
  for (auto& u : db.config.mutable_users())
    if (std::find(u.roles.begin(), u.roles.end(), "producer") != u.roles.end() && producers++ % 2 == 1)
      u.name.clear();
  db.config.index();
  const int offset = db.config.province.utc_offset_minutes;

  std::map<int, std::vector<EventRequest>> by_day;  // Date::days -> the day's events, in file order
  std::ifstream in(std::string(OCOP_SOURCE_DIR) + "/config/sample-events.jsonl");
  BOOST_REQUIRE(in);
  int events = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line);
    EventRequest req;
    req.key = j.at("key").get<std::string>();
    req.event = j.at("event").get<std::string>();
    req.dossier = j.value("dossier", "");
    req.actor = j.at("actor").get<std::string>();
    req.data = j.value("data", nlohmann::json::object());
    req.at = parse_instant(j.at("at").get<std::string>(), offset);
    BOOST_REQUIRE(req.at);
    by_day[local_date(*req.at, offset).days].push_back(std::move(req));
    ++events;
  }
  BOOST_REQUIRE(events > 1000);

  auto cycles = workflows::make_cycle_lifecycle();
  Scheduler scheduler{db.config, *db.ex, *db.certificates, *cycles, *db.store, db.clock};
  auto tick = [&](Date d) {
    db.clock.set(*parse_instant(format_date(d) + "T07:00:00+07:00", offset));
    TickReport r = scheduler.tick(false);
    BOOST_TEST(r.status.ok(), "tick " << format_date(d) << ": " << r.status.message());
  };
  int refused = 0;
  for (Date d = make_date(2026, 1, 1); d <= make_date(2027, 1, 10); d = add_days(d, 1)) {
    tick(d);
    for (const auto& req : by_day[d.days]) {
      // The scheduler's own events in the file (an activity's days) are the tick's here: it
      // fired them at 07:00 already.
      if (req.actor == db.config.scheduler_actor) continue;
      db.clock.set(*req.at);
      FireResult r = db.ex->fire(req);
      if (!r.status.ok()) {
        ++refused;
        BOOST_TEST_MESSAGE(req.key << " " << req.event << ": " << r.status.message());
      }
    }
  }
  BOOST_TEST(refused == 0);
  for (Date d = make_date(2029, 5, 1); d <= make_date(2029, 12, 31); d = add_days(d, 1)) tick(d);

  // Each kind of message, by a word of its default subject.
  const std::vector<std::pair<std::string, std::string>> kinds = {
      {"return_idea", "[OCOP] Ý tưởng sản phẩm"},
      {"return_plan", "[OCOP] Phương án sản xuất kinh doanh"},
      {"return_dossier", "[OCOP] Hồ sơ đánh giá, phân hạng sản phẩm"},
      {"dossier_recognized", "được công nhận"},
      {"reminder_stalled", "[OCOP] Nhắc việc"},
      {"reminder_milestone", "[OCOP] Nhắc hạn"},
      {"cycle_start", "[OCOP] Khởi động"},
      {"cycle_closed", "[OCOP] Kết thúc"},
      {"certificate_notice", "[OCOP] Thông báo: giấy chứng nhận"},
      {"promotion_invite", "[OCOP] Mời đăng ký tham gia"},
      {"participation_selected", "được chọn tham gia"},
      {"participation_declined", "không được lựa chọn"},
      {"inspection_violation", "[OCOP] Hậu kiểm: sản phẩm"},
      {"reminder_promotion_outcome", "chưa được báo cáo"},
      {"reminder_inspection_due", "[OCOP] Nhắc lịch hậu kiểm"},
      {"reminder_remedy_due", "[OCOP] Nhắc hạn khắc phục"}};
  std::map<std::string, int> seen;
  int read = 0, bad = 0;
  for (const auto& m : db.store->outbox("", 0)) {
    std::string subject = m.subject, body = m.body;
    if (m.channel == "webhook") {
      auto j = nlohmann::json::parse(m.body);
      subject = j.at("subject").get<std::string>();
      body = j.at("text").get<std::string>();
    }
    ++read;
    for (const auto& [kind, mark] : kinds)
      if (subject.find(mark) != std::string::npos) ++seen[kind];
    std::vector<std::string> problems;
    if (subject.find('\n') != std::string::npos) problems.push_back("a subject of several lines");
    for (const auto& p : ocop::testing::message_text_problems(subject)) problems.push_back("subject: " + p);
    for (const auto& p : ocop::testing::message_text_problems(body)) problems.push_back("body: " + p);
    if (problems.empty()) continue;
    if (++bad <= 10) {  // the first few in full; then only the count
      std::string all;
      for (const auto& p : problems) all += "\n  " + p;
      BOOST_ERROR(m.channel << " " << m.dedupe_key << ":" << all << "\n--- subject: " << subject
                            << "\n--- body:\n"
                            << body);
    }
  }
  BOOST_TEST_MESSAGE(read << " messages read");
  BOOST_TEST(bad == 0, bad << " of " << read << " messages show an empty value");
  for (const auto& [kind, mark] : kinds)
    BOOST_TEST(seen[kind] > 0, kind << ": " << seen[kind] << " messages");
}

BOOST_AUTO_TEST_SUITE_END()
