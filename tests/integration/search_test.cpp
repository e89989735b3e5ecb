// The dossier list's text search and round filter (issue 12) on a real database, SQLite and
// PostgreSQL: accent- and case-insensitive words in the product's and the producer's names,
// found by the store's query over every dossier in the reader's scope (not a page), counted and
// paged like any other filter; the engine's fold (ocop/search.hpp) and the database's agree.
#include <boost/test/unit_test.hpp>

#include "fixture.hpp"
#include "ocop/search.hpp"

namespace ocop {
static std::ostream& boost_test_print_type(std::ostream& o, const Code& c) { return o << code_name(c); }
}  // namespace ocop

using namespace ocop;
using namespace ocop::testing;
using nlohmann::json;

namespace {

std::vector<std::string> ids(const std::vector<Dossier>& ds) { return dossier_ids(ds); }

struct Searching {
  Db db;
  std::unique_ptr<CycleLifecycle> cycles = workflows::make_cycle_lifecycle();
  Application app{db.config, *db.store, Workflows{*db.lifecycle, *db.certificates, *cycles, &db.after}, db.clock};

  ReadScope scope(const std::string& user) {
    auto r = app.read_scope(user);
    BOOST_REQUIRE_MESSAGE(r.ok(), user + ": " + r.status.message());
    return r.value;
  }
  void idea(const std::string& id, const std::string& unit, const std::string& product, const std::string& producer) {
    json data = new_product(id, unit);
    data["product"] = product;
    data["producer"] = producer;
    auto r = db.fire("submit_idea", "", "producer." + std::string(unit == "BX-C0001" ? "bx-c0001" : "bx-c0002"), data);
    BOOST_REQUIRE_MESSAGE(r.status.ok(), id + ": " + r.status.message());
  }
  std::vector<std::string> found(const ReadScope& s, const std::string& text, DossierQuery q = {}) {
    q.text = text;
    auto r = app.list(s, q);
    BOOST_REQUIRE_MESSAGE(r.ok(), text + ": " + r.status.message());
    return ids(r.value);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(search)

BOOST_AUTO_TEST_CASE(folding_is_the_same_in_the_engine_and_the_table) {
  BOOST_TEST(fold_text("Chè Shan tuyết") == "che shan tuyet");
  BOOST_TEST(fold_text("ĐẶC SẢN Đồng Văn") == "dac san dong van");
  BOOST_TEST(fold_text("Mật ong bạc hà, Hợp tác xã Ưu Việt") == "mat ong bac ha, hop tac xa uu viet");
  // NFD input (the marks as combining characters) folds the same.
  BOOST_TEST(fold_text("Che\xcc\x80 Shan tuye\xcc\x82\xcc\x81t") == "che shan tuyet");
  BOOST_TEST(fold_replacements().size() == 67u * 2 + 8);
  std::vector<std::string> w;
  BOOST_TEST(search_words("  CHÈ\tshan  ", w).ok());
  BOOST_TEST(w == (std::vector<std::string>{"che", "shan"}), boost::test_tools::per_element());
  BOOST_TEST(search_words("", w).ok());
  BOOST_TEST(w.empty());
  BOOST_TEST(search_words("a b c d e f g h i", w).code() == Code::bad_input);
  BOOST_TEST(search_words(std::string(201, 'a'), w).code() == Code::bad_input);
  BOOST_TEST(search_words("\xff\xfe", w).code() == Code::bad_input);
}

BOOST_AUTO_TEST_CASE(words_are_found_in_product_and_producer_names_over_the_whole_scope) {
  Searching s;
  s.idea("BX-2026-000101", "BX-C0001", "Chè Shan tuyết Cao Bồ", "HTX Chè Cao Bồ");
  s.idea("BX-2026-000102", "BX-C0001", "Mật ong bạc hà", "Hộ Đặng Văn Đức");
  s.idea("BX-2026-000103", "BX-C0001", "Bưởi", "HTX 100% Cam_sành");
  s.idea("BX-2026-000105", "BX-C0001", "Cam sành Hàm Yên", "HTX Hàm Yên");
  s.idea("BX-2026-000104", "BX-C0002", "Chè Shan tuyết Lũng Phìn", "HTX Lũng Phìn");
  const ReadScope aud = s.scope("auditor"), p1 = s.scope("producer.bx-c0001");
  using V = std::vector<std::string>;

  BOOST_TEST(s.found(aud, "che shan tuyet") == (V{"BX-2026-000101", "BX-2026-000104"}), boost::test_tools::per_element());
  BOOST_TEST(s.found(aud, "CHÈ   SHAN") == (V{"BX-2026-000101", "BX-2026-000104"}), boost::test_tools::per_element());
  // The producer's name too; every word must occur, in any order, across both names.
  BOOST_TEST(s.found(aud, "dang duc") == V{"BX-2026-000102"}, boost::test_tools::per_element());
  BOOST_TEST(s.found(aud, "bac ha duc") == V{"BX-2026-000102"}, boost::test_tools::per_element());
  BOOST_TEST(s.found(aud, "phin cao").empty());
  // % and _ are characters, not LIKE's wildcards ("m_sanh" would match "cam sanh", "c%m" "cam"); a
  // backslash too.
  BOOST_TEST(s.found(aud, "100%") == V{"BX-2026-000103"}, boost::test_tools::per_element());
  BOOST_TEST(s.found(aud, "m_sanh") == V{"BX-2026-000103"}, boost::test_tools::per_element());
  BOOST_TEST(s.found(aud, "%").size() == 1u);
  BOOST_TEST(s.found(aud, "c%m").empty());
  BOOST_TEST(s.found(aud, "cam\\").empty());
  // The reader's scope holds: the other commune's tea is not found.
  BOOST_TEST(s.found(p1, "che shan tuyet") == V{"BX-2026-000101"}, boost::test_tools::per_element());
  // Counted and paged like any filter.
  DossierQuery q;
  q.text = "che";
  BOOST_TEST(s.app.count(aud, q).value == 2);
  BOOST_TEST(s.app.count(p1, q).value == 1);
  q.limit = 1;
  const V first = s.found(aud, "che", q);
  BOOST_TEST(first == V{"BX-2026-000101"}, boost::test_tools::per_element());
  q.after = first.back();
  BOOST_TEST(s.found(aud, "che", q) == V{"BX-2026-000104"}, boost::test_tools::per_element());
  // Bad input changes nothing and says what.
  q = DossierQuery{};
  q.text = "a b c d e f g h i";
  auto bad = s.app.list(aud, q);
  BOOST_TEST(bad.status.code() == Code::bad_input);
  BOOST_TEST(bad.status.message().find("words") != std::string::npos);
  q.text = "\xc3\x28";
  BOOST_TEST(s.app.count(aud, q).status.code() == Code::bad_input);
}

BOOST_AUTO_TEST_CASE(the_round_filter_lists_a_rounds_dossiers) {
  Searching s;
  to_province_review(s.db, "BX-2026-000201");
  s.idea("BX-2026-000202", "BX-C0001", "Miến dong", "HTX Miến");
  auto shown = s.app.show(s.scope("auditor"), "BX-2026-000201");
  BOOST_REQUIRE(shown.ok());
  BOOST_TEST(shown.value.dossier.round == "2026-1");
  DossierQuery q;
  q.round = "2026-1";
  BOOST_TEST(ids(s.app.list(s.scope("auditor"), q).value) == std::vector<std::string>{"BX-2026-000201"},
             boost::test_tools::per_element());
  BOOST_TEST(s.app.count(s.scope("auditor"), q).value == 1);
  q.round = "2026-C";
  BOOST_TEST(s.app.list(s.scope("auditor"), q).value.empty());
}

BOOST_AUTO_TEST_SUITE_END()
