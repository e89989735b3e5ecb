// Hostile event data (ocop/limits.hpp) refused by the executor itself, whatever front end built
// the request: too deep, too big, control characters in names and ids. Nothing is written:
// no dossier, no audit record, no key, the dossier's version unchanged, the chain verifies.
#include "fixture.hpp"
#include "ocop/limits.hpp"

using namespace ocop;
using namespace ocop::testing;
using nlohmann::json;

namespace {
json deep(int levels) {  // an object holding arrays: `levels` levels in all
  json v = json::array();
  for (int i = 2; i < levels; ++i) v = json::array({v});
  return json{{"x", v}};
}
}  // namespace

BOOST_AUTO_TEST_SUITE(hostile_input)

BOOST_AUTO_TEST_CASE(refused_data_writes_nothing) {
  Db db;
  const std::string id = "BX-2026-000001";
  BOOST_REQUIRE(db.fire("submit_idea", "", "producer.bx-c0001", new_product(id)).status.ok());
  const auto before = db.audit_count();

  auto expect_refused = [&](const FireResult& r, const std::string& says) {
    BOOST_TEST(int(r.status.code()) == 2, r.status.message());
    BOOST_TEST(r.status.message().find(says) != std::string::npos, r.status.message());
  };
  // Too deep, on a dossier and when creating one.
  expect_refused(db.fire("annotate", id, "producer.bx-c0001", deep(17)), "more than 16 levels deep");
  json p = new_product("BX-2026-000002");
  p["extra"] = deep(40);
  expect_refused(db.fire("submit_idea", "", "producer.bx-c0001", p), "more than 16 levels deep");
  // Too big: a note of 64 KiB and a little more is over once quoted.
  expect_refused(db.fire("annotate", id, "producer.bx-c0001",
                         {{"note", std::string(limits::kMaxDataBytes, 'x')}}, "k-big"),
                 "over the limit of 65536 bytes");
  // Control characters in names and ids.
  p = new_product("BX-2026-000003");
  p["product"] = "Cam\x1b[2J\x1b]0;owned\x07";
  expect_refused(db.fire("submit_idea", "", "producer.bx-c0001", p), "data.product contains U+001B");
  p = new_product("BX-2026-000004");
  p["producer"] = "HTX\r\nerror: forged";
  expect_refused(db.fire("submit_idea", "", "producer.bx-c0001", p), "data.producer contains U+000D");
  p = new_product("BX-2026-000005");
  p["unit"] = "BX-C0001\xe2\x80\xae";
  expect_refused(db.fire("submit_idea", "", "producer.bx-c0001", p), "data.unit contains U+202E");
  expect_refused(db.fire("annotate", id + "\x1b[2J", "producer.bx-c0001", {{"note", "x"}}),
                 "the dossier (or certificate) id contains U+001B");
  expect_refused(db.fire("annotate", id, "producer.bx-c0001", {{"note", "ok"}}, "key\n2"),
                 "the idempotency key contains U+000A");
  expect_refused(db.fire("revoke", id + "/province\x1b", "signer", {{"ground", "x"}}),
                 "certificate) id contains U+001B");

  BOOST_TEST(db.audit_count() == before);
  BOOST_TEST(db.store->load_dossier(id)->version == 1);
  for (const char* other : {"BX-2026-000002", "BX-2026-000003", "BX-2026-000004", "BX-2026-000005"})
    BOOST_TEST(!db.store->load_dossier(other).has_value());
  BOOST_TEST(!db.store->find_key("k-big").has_value());
  BOOST_TEST(db.verify());

  // Free text keeps its lines; the same note within the bound is applied.
  auto r = db.fire("annotate", id, "producer.bx-c0001", {{"note", "dòng 1\ndòng 2\tcột"}});
  BOOST_TEST(r.status.ok(), r.status.message());
  r = db.fire("annotate", id, "producer.bx-c0001", {{"note", std::string(limits::kMaxDataBytes - 20, 'x')}});
  BOOST_TEST(r.status.ok(), r.status.message());
  BOOST_TEST(db.audit_count() == before + 2);
  BOOST_TEST(db.verify());
}

// scan_audit pages by 5,000 records, and on PostgreSQL also by 16 MiB of data: 300 records of
// 60 KB (18 MB) cross a page end there; every record comes once, in order, and verifies.
BOOST_AUTO_TEST_CASE(the_trail_is_read_in_pages_bounded_by_bytes) {
  Db db;
  const std::string id = "BX-2026-000001";
  BOOST_REQUIRE(db.fire("submit_idea", "", "producer.bx-c0001", new_product(id)).status.ok());
  for (int i = 0; i < 300; ++i)
    BOOST_REQUIRE(db.fire("annotate", id, "producer.bx-c0001", {{"note", std::string(60000, 'a' + i % 26)}})
                      .status.ok());
  std::int64_t expected = 1, seen = 0;
  bool in_order = true;
  db.store->scan_audit([&](const AuditRecord& r) {
    in_order = in_order && r.seq == expected++;
    ++seen;
    return true;
  });
  BOOST_TEST(in_order);
  BOOST_TEST(seen == 301);
  std::string why;
  BOOST_TEST(db.verify(&why), why);
}

BOOST_AUTO_TEST_SUITE_END()
