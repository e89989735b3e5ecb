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
