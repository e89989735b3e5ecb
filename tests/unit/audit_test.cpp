#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "ocop/audit.hpp"

using namespace ocop;

namespace {
std::vector<AuditRecord> chain(int n) {
  std::vector<AuditRecord> out;
  std::string prev = kGenesisHash;
  for (int i = 1; i <= n; ++i) {
    AuditRecord r;
    r.seq = i;
    r.at = Instant{1772413200 + i * 60};
    r.actor = "officer.caobo";
    r.role = "screener";
    r.dossier = "TQ-2026-0001";
    r.event = i == 1 ? "submit_idea" : "annotate";
    r.from_state = i == 1 ? "none" : "idea_submitted";
    r.to_state = "idea_submitted";
    r.level = "";
    r.data = R"({"note":"Chè Shan tuyết Cao Bồ"})";
    r.prev_hash = prev;
    r.hash = compute_hash(r);
    prev = r.hash;
    out.push_back(r);
  }
  return out;
}
bool verify(const std::vector<AuditRecord>& recs, std::string* why = nullptr) {
  ChainVerifier v;
  for (const auto& r : recs)
    if (!v.feed(r)) break;
  if (why && v.failure()) *why = *v.failure();
  return v.ok();
}
}  // namespace

BOOST_AUTO_TEST_SUITE(audit_chain)

BOOST_AUTO_TEST_CASE(the_canonical_encoding_is_frozen) {
  AuditRecord r = chain(1)[0];
  BOOST_TEST(canonical_encoding(r) ==
             R"([1,"2026-03-02T01:01:00Z","officer.caobo","screener","TQ-2026-0001","submit_idea","none",)"
             R"("idea_submitted","",{"note":"Chè Shan tuyết Cao Bồ"}])");
  // The hash of this record is pinned: changing the encoding breaks every stored chain.
  BOOST_TEST(r.hash == sha256_hex(kGenesisHash + "\n" + canonical_encoding(r)));
  BOOST_TEST(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(an_intact_chain_verifies) {
  BOOST_TEST(verify(chain(5)));
  ChainVerifier v;
  for (const auto& r : chain(5)) v.feed(r);
  BOOST_TEST(v.checked() == 5);
  BOOST_TEST(v.head() == chain(5).back().hash);
}

BOOST_AUTO_TEST_CASE(an_altered_field_is_found_and_named) {
  for (int field = 0; field < 5; ++field) {
    auto recs = chain(5);
    AuditRecord& r = recs[2];
    switch (field) {
      case 0:
        r.actor = "someone.else";
        break;
      case 1:
        r.data = R"({"note":"Chè Shan tuyết Cao Bồ "})";
        break;
      case 2:
        r.to_state = "idea_accepted";
        break;
      case 3:
        r.at = Instant{r.at.seconds + 1};
        break;
      case 4:
        r.level = "province";
        break;
    }
    std::string why;
    BOOST_TEST(!verify(recs, &why));
    BOOST_TEST(why.find("audit record 3") == 0, why);
  }
}

BOOST_AUTO_TEST_CASE(removed_and_reordered_records_are_found) {
  auto recs = chain(5);
  recs.erase(recs.begin() + 1);
  std::string why;
  BOOST_TEST(!verify(recs, &why));
  BOOST_TEST(why.find("audit record 3") == 0, why);

  recs = chain(5);
  std::swap(recs[1], recs[2]);
  BOOST_TEST(!verify(recs, &why));

  // Renumbering after a removal does not help: the next record's prev_hash breaks.
  recs = chain(5);
  recs.erase(recs.begin() + 1);
  for (size_t i = 0; i < recs.size(); ++i) recs[i].seq = static_cast<std::int64_t>(i + 1);
  BOOST_TEST(!verify(recs, &why));
  BOOST_TEST(why.find("audit record 2") == 0, why);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(audit_encoding)

BOOST_AUTO_TEST_CASE(strings_are_escaped_exactly_as_json_dump_does) {
  AuditRecord r;
  r.seq = 7;
  r.at = Instant{0};
  r.actor = "quote\" backslash\\ newline\n tab\t bell\x07 Việt";
  r.role = "r";
  r.dossier = "d";
  r.event = "annotate";
  r.from_state = "submitted";
  r.to_state = "submitted";
  r.level = "commune";
  r.data = R"({"note":"x"})";
  nlohmann::json expected =
      nlohmann::json::array({7, "1970-01-01T00:00:00Z", r.actor, "r", "d", "annotate", "submitted",
                             "submitted", "commune", nlohmann::json::parse(r.data)});
  BOOST_TEST(canonical_encoding(r) == expected.dump());
}

BOOST_AUTO_TEST_SUITE_END()

// PipelinedChainVerifier (audit verify's two threads) decides exactly what one thread decides:
// the same first failure, count and head, over chains longer than its two batches.
BOOST_AUTO_TEST_SUITE(audit_pipeline)

namespace {
ChainVerifier pipelined(const std::vector<AuditRecord>& recs) {
  ChainVerifier v;
  PipelinedChainVerifier pipe(v);
  for (const auto& r : recs)
    if (!pipe.feed(r)) break;
  pipe.finish();
  return v;
}
}  // namespace

BOOST_AUTO_TEST_CASE(the_pipeline_finds_what_one_thread_finds) {
  const auto intact = chain(5000);
  for (int where : {-1, 0, 2047, 2048, 4095, 4999}) {
    auto recs = intact;
    if (where >= 0) recs[where].to_state = "recognized";
    ChainVerifier one;
    for (const auto& r : recs)
      if (!one.feed(r)) break;
    ChainVerifier two = pipelined(recs);
    BOOST_TEST(one.ok() == two.ok());
    BOOST_TEST(one.checked() == two.checked());
    BOOST_TEST(one.head() == two.head());
    BOOST_TEST(one.failure().value_or("") == two.failure().value_or(""));
    if (where >= 0)
      BOOST_TEST(two.failure().value_or("").find("audit record " + std::to_string(where + 1) + " ") == 0);
  }
}

// The live trail after an archive: records before the checkpoint with gaps, checked on their
// own and against the checkpoint's count and digest; links from the checkpoint on.
BOOST_AUTO_TEST_CASE(a_trail_from_a_checkpoint) {
  auto recs = chain(20);
  // Records 3, 4 and 7 archived; the checkpoint (21) commits to the 17 kept.
  std::vector<AuditRecord> live;
  RecordDigest kept;
  for (const auto& r : recs)
    if (r.seq != 3 && r.seq != 4 && r.seq != 7) {
      live.push_back(r);
      kept.add(r.seq, r.hash);
    }
  AuditRecord cp;
  cp.seq = 21;
  cp.at = Instant{1772413200 + 30 * 60};
  cp.actor = "operator";
  cp.role = "operator";
  cp.dossier = "archive:x";
  cp.event = kArchiveEvent;
  cp.data = nlohmann::json{{"retained_records", kept.count()}, {"retained_digest", kept.hex()}}.dump();
  cp.prev_hash = recs.back().hash;
  cp.hash = compute_hash(cp);
  live.push_back(cp);
  auto check = [](const std::vector<AuditRecord>& t) {
    ChainVerifier v;
    v.expect_checkpoint(21);
    for (const auto& r : t)
      if (!v.feed(r)) break;
    return v;
  };
  BOOST_TEST(check(live).ok());
  BOOST_TEST(check(live).checked() == 18);
  ChainVerifier strict;  // without the checkpoint, the gap is a missing record
  for (const auto& r : live)
    if (!strict.feed(r)) break;
  BOOST_TEST(strict.failure().value_or("").find("audit record 5: expected sequence 3") == 0);
  auto altered = live;
  altered[4].actor = "someone.else";  // record 8, after a gap
  BOOST_TEST(check(altered).failure().value_or("").find("audit record 8 (dossier") == 0);
  auto removed = live;
  removed.erase(removed.begin() + 4);  // record 8 gone: only the digest can tell
  BOOST_TEST(check(removed).failure().value_or("").find("audit record 21 (checkpoint of archive x) says 17") == 0);
  auto swapped = live;
  std::swap(swapped[1], swapped[2]);
  BOOST_TEST(check(swapped).failure().value_or("").find("audit record 2: comes after record 5") == 0);
  auto no_checkpoint = live;
  no_checkpoint.pop_back();
  no_checkpoint.push_back(chain(22).back());  // a record 22 where 21 should be
  BOOST_TEST(check(no_checkpoint).failure().value_or("").find("audit record 21, the checkpoint") == 0);
}

BOOST_AUTO_TEST_SUITE_END()
