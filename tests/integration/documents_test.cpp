// Documents through the executor, on the shipped sample configuration: configured kinds and
// the size limit, required kinds by product group, stored bytes published with the event and
// only with it, and nothing written when any of that fails.
#include <sstream>

#include "fixture.hpp"
#include "store/file_blob_store.hpp"

using namespace ocop;
using namespace ocop::testing;
using nlohmann::json;

namespace {

const std::string kSample = std::string(OCOP_SOURCE_DIR) + "/config/sample.yaml";
const std::string kProducer = "producer.chiemhoa";

json product(const std::string& id, const std::string& product_set) {
  return {{"id", id},
          {"product", product_set == "community_tourism" ? "Homestay Chiêm Hóa" : "Chè Shan tuyết Chiêm Hóa"},
          {"product_set", product_set},
          {"producer", "HTX Chiêm Hóa"},
          {"unit", "TQ-CHIEMHOA"},
          {"registration_type", "new"}};
}

json meta(const std::string& kind, std::int64_t bytes = 1234) {
  return {{"kind", kind}, {"name", kind + ".pdf"}, {"sha256", sha256_hex(kind)}, {"bytes", bytes}};
}

// A dossier registered directly (food, with every document it needs).
void registered(Db& db, const std::string& id) {
  auto data = product(id, "tea");
  data["documents"] = {meta("registration_form"), meta("self_assessment"), meta("samples")};
  BOOST_REQUIRE(db.fire("register", "", kProducer, data).status.ok());
}

// A publish that always fails (a full disk, a lost mount).
class FailingBlobs : public BlobStore {
 public:
  Status stage(std::istream&, std::int64_t, StagedBlob&) override { return Status::Internal("no"); }
  Status publish(const StagedBlob&) override {
    return Status::Internal("documents directory: No space left on device");
  }
  void discard(const StagedBlob&) noexcept override {}
  bool contains(const std::string&) override { return false; }
  Status read(const std::string&, std::ostream&) override { return Status::NotFound("no"); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(documents)

BOOST_AUTO_TEST_CASE(required_kinds_depend_on_the_product_group) {
  Db db(kSample);
  // A food product without samples is refused, naming the missing kind.
  auto food = product("TQ-2026-9001", "tea");
  food["documents"] = {meta("registration_form"), meta("self_assessment")};
  auto r = db.fire("register", "", kProducer, food);
  BOOST_TEST(static_cast<int>(r.status.code()) == static_cast<int>(Code::refused));
  BOOST_TEST(r.status.message().find("required documents missing for register: samples") != std::string::npos,
             r.status.message());
  BOOST_TEST(!db.store->load_dossier("TQ-2026-9001"));
  BOOST_TEST(db.audit_count() == 0);
  // With them it passes.
  food["documents"].push_back(meta("samples"));
  BOOST_TEST(db.fire("register", "", kProducer, food).status.ok());
  // Community tourism (group tourism) sends no samples.
  auto tourism = product("TQ-2026-9002", "community_tourism");
  tourism["documents"] = {meta("registration_form"), meta("self_assessment")};
  r = db.fire("register", "", kProducer, tourism);
  BOOST_TEST(r.status.ok(), r.status.message());
  // ...but still the forms: the group's list replaces the rule set's, it does not waive it.
  auto bare = product("TQ-2026-9003", "community_tourism");
  bare["documents"] = {meta("registration_form")};
  r = db.fire("register", "", kProducer, bare);
  BOOST_TEST(r.status.message().find("missing for register: self_assessment") != std::string::npos,
             r.status.message());
  BOOST_TEST(db.verify());
}

BOOST_AUTO_TEST_CASE(an_unconfigured_kind_or_an_oversized_document_is_bad_input_and_writes_nothing) {
  Db db(kSample);
  registered(db, "TQ-2026-9010");
  const auto version = db.store->load_dossier("TQ-2026-9010")->version;
  const auto records = db.audit_count();
  auto r = db.fire("attach", "TQ-2026-9010", kProducer, meta("video"));
  BOOST_TEST(static_cast<int>(r.status.code()) == static_cast<int>(Code::bad_input));
  BOOST_TEST(r.status.message().find("\"video\" is not a configured document kind") != std::string::npos,
             r.status.message());
  r = db.fire("attach", "TQ-2026-9010", kProducer, meta("photo", db.config.documents.max_bytes + 1));
  BOOST_TEST(static_cast<int>(r.status.code()) == static_cast<int>(Code::bad_input));
  BOOST_TEST(r.status.message().find("documents.max_bytes") != std::string::npos, r.status.message());
  // The same checks for documents riding on another event.
  r = db.fire("annotate", "TQ-2026-9010", kProducer,
              {{"note", "x"}, {"documents", {meta("photo"), meta("video")}}});
  BOOST_TEST(r.status.message().find("data.documents[1].kind") != std::string::npos, r.status.message());
  // A declared hash must be 64 lower-case hex digits, a size not negative.
  auto upper = meta("photo");
  upper["sha256"] = std::string(64, 'A');
  BOOST_TEST(static_cast<int>(db.fire("attach", "TQ-2026-9010", kProducer, upper).status.code()) == 2);
  BOOST_TEST(
      static_cast<int>(db.fire("attach", "TQ-2026-9010", kProducer, meta("photo", -1)).status.code()) == 2);
  BOOST_TEST(db.store->load_dossier("TQ-2026-9010")->version == version);
  BOOST_TEST(db.audit_count() == records);
  BOOST_TEST(db.store->documents("TQ-2026-9010").size() == 3u);
  // Within the limit, a configured kind, declared only (no bytes held): accepted.
  BOOST_TEST(
      db.fire("attach", "TQ-2026-9010", kProducer, meta("photo", db.config.documents.max_bytes)).status.ok());
}

BOOST_AUTO_TEST_CASE(stored_bytes_are_published_with_the_event_and_only_with_it) {
  Db db(kSample);
  registered(db, "TQ-2026-9020");
  store::FileBlobStore blobs((db.dir / "ocop.db.documents").string());
  db.ex->set_blob_store(&blobs);
  static const char raw[] = "%PDF-1.7\0\xff\xfe phiếu kiểm nghiệm\n";  // a NUL, bytes that are not UTF-8
  const std::string content(raw, sizeof raw - 1);

  auto request = [&](const std::string& actor, StagedBlob& staged) {
    std::istringstream in(content);
    BOOST_REQUIRE(blobs.stage(in, db.config.documents.max_bytes, staged).ok());
    EventRequest req;
    req.event = "attach";
    req.dossier = "TQ-2026-9020";
    req.actor = actor;
    req.data = {{"kind", "test_report"},
                {"name", "Phiếu kết quả kiểm nghiệm.pdf"},
                {"sha256", staged.sha256},
                {"bytes", staged.bytes}};
    req.blobs = {staged};
    return req;
  };

  // Refused (an officer may not attach): nothing is published, the staged copy is dropped.
  StagedBlob refused;
  auto r = db.ex->fire(request("officer.chiemhoa", refused));
  BOOST_TEST(static_cast<int>(r.status.code()) == static_cast<int>(Code::forbidden));
  blobs.discard(refused);
  BOOST_TEST(!blobs.contains(refused.sha256));

  StagedBlob staged;
  r = db.ex->fire(request(kProducer, staged));
  blobs.discard(staged);
  BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
  BOOST_TEST(staged.sha256 == sha256_hex(content));
  BOOST_TEST(blobs.contains(staged.sha256));
  std::ostringstream out;
  BOOST_REQUIRE(blobs.read(staged.sha256, out).ok());
  BOOST_TEST((out.str() == content));
  // The audit record carries the hash; the documents table and find_document know it.
  auto last = db.store->history("TQ-2026-9020").back();
  BOOST_TEST(last.event == "attach");
  BOOST_TEST(json::parse(last.data)["sha256"] == staged.sha256);
  auto found = db.store->find_document(staged.sha256, {});
  BOOST_REQUIRE(found);
  BOOST_TEST(found->dossier == "TQ-2026-9020");
  BOOST_TEST(found->name == "Phiếu kết quả kiểm nghiệm.pdf");
  BOOST_TEST(!db.store->find_document(sha256_hex("never attached"), {}));
  BOOST_TEST(db.verify());
}

BOOST_AUTO_TEST_CASE(a_failed_publish_writes_nothing) {
  Db db(kSample);
  registered(db, "TQ-2026-9030");
  const auto version = db.store->load_dossier("TQ-2026-9030")->version;
  const auto records = db.audit_count();
  EventRequest req;
  req.event = "attach";
  req.dossier = "TQ-2026-9030";
  req.actor = kProducer;
  req.data = meta("photo");
  req.blobs = {StagedBlob{sha256_hex("photo"), 1234, "/nowhere"}};
  // No blob store at all: an internal error, not a record without its bytes.
  auto r = db.ex->fire(req);
  BOOST_TEST(static_cast<int>(r.status.code()) == static_cast<int>(Code::internal));
  FailingBlobs failing;
  db.ex->set_blob_store(&failing);
  r = db.ex->fire(req);
  BOOST_TEST(static_cast<int>(r.status.code()) == static_cast<int>(Code::internal));
  BOOST_TEST(r.status.message().find("No space left") != std::string::npos);
  BOOST_TEST(db.store->load_dossier("TQ-2026-9030")->version == version);
  BOOST_TEST(db.audit_count() == records);
  BOOST_TEST(db.store->documents("TQ-2026-9030").size() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
