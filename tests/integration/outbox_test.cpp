// The outbox table: a message is queued once per dedupe key, inside the caller's transaction.
#include "fixture.hpp"

using namespace ocop;
using ocop::testing::Db;

namespace {
OutboxMessage message(const std::string& key) {
  OutboxMessage m;
  m.dedupe_key = key;
  m.channel = "email";
  m.recipient = "ubnd.vietquang@example.vn";
  m.subject = "Nhắc việc OCOP: hồ sơ chờ xử lý";
  m.body = "Kính gửi UBND xã Việt Quang,\n2 hồ sơ đang chờ.";
  m.cause = "reminder stalled-submitted";
  m.created_at = *parse_instant("2026-03-02T08:00:00+07:00", 420);
  m.next_attempt_at = m.created_at;
  return m;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(outbox)

BOOST_AUTO_TEST_CASE(a_dedupe_key_queues_one_message) {
  Db db;
  db.store->begin();
  OutboxMessage a = message("reminder/stalled-submitted/BX-C0001/2026-03-02");
  BOOST_TEST(db.store->enqueue(a));
  BOOST_TEST(a.id > 0);
  OutboxMessage again = message("reminder/stalled-submitted/BX-C0001/2026-03-02");
  again.body = "something else";
  BOOST_TEST(!db.store->enqueue(again));  // nothing written
  OutboxMessage b = message("reminder/stalled-submitted/BX-C0002/2026-03-02");
  BOOST_TEST(db.store->enqueue(b));
  BOOST_TEST(b.id > a.id);
  db.store->commit();
  auto all = db.store->outbox("", 0);
  BOOST_REQUIRE(all.size() == 2u);
  BOOST_TEST(all[0].body == a.body);  // the first one stays, UTF-8 intact
  BOOST_TEST(all[0].state == "pending");
  BOOST_TEST(all[0].dossier.empty());
  BOOST_TEST(db.store->outbox("sent", 0).empty());
  BOOST_TEST(db.store->outbox("pending", 1).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_rolled_back_transaction_queues_nothing) {
  Db db;
  db.store->begin();
  OutboxMessage a = message("k1");
  a.dossier = "BX-2026-000001";
  BOOST_TEST(db.store->enqueue(a));
  db.store->rollback();
  BOOST_TEST(db.store->outbox("", 0).empty());
  db.store->begin();
  BOOST_TEST(db.store->enqueue(a));  // the key is free again
  db.store->commit();
  BOOST_TEST(db.store->outbox("", 0).at(0).dossier == "BX-2026-000001");
}

BOOST_AUTO_TEST_CASE(messages_are_counted_by_state) {
  Db db;
  BOOST_TEST(db.store->outbox_counts().empty());
  db.store->begin();
  for (int i = 0; i < 3; ++i) {
    OutboxMessage m = message("count/" + std::to_string(i));
    BOOST_REQUIRE(db.store->enqueue(m));
  }
  db.store->commit();
  // One claimed for sending: it leaves pending.
  db.store->begin();
  auto claimed = db.store->claim_outbox({"email"}, *parse_instant("2026-03-02T09:00:00+07:00", 420),
                                        *parse_instant("2026-03-02T09:10:00+07:00", 420), "w1", 1, 5);
  db.store->commit();
  BOOST_REQUIRE(claimed.size() == 1u);
  auto counts = db.store->outbox_counts();
  BOOST_TEST(counts.size() == 2u);
  BOOST_TEST(counts["pending"] == 2);
  BOOST_TEST(counts["sending"] == 1);
}

BOOST_AUTO_TEST_SUITE_END()
