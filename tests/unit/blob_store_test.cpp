// The content-addressed file blob store: names are the SHA-256 of the bytes, bytes come back
// unchanged, a limit is a limit, identical content is stored once, damage is detected.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "ocop/sha256.hpp"
#include "store/file_blob_store.hpp"

using namespace ocop;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("ocop-blobs-" + std::to_string(rd()));
  }
  ~TempDir() {
    std::error_code ec;
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path, ec);
  }
};

// Files under `dir` (recursively), directories left out.
std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       ++it)
    if (it->is_regular_file()) out.push_back(it->path());
  return out;
}

std::string file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Binary content: NUL bytes, bytes that are not UTF-8, and more than one 64 KiB block.
std::string awkward_bytes(size_t n) {
  std::string s;
  s.reserve(n);
  std::mt19937 rng(7);
  for (size_t i = 0; i < n; ++i) s += static_cast<char>(rng() & 0xFF);
  s[0] = '\0';
  s[1] = '\xff';
  s[2] = '\xc3';  // a lone UTF-8 lead byte
  s[3] = '(';
  return s;
}

Status put(store::FileBlobStore& blobs, const std::string& content, StagedBlob& staged,
           std::int64_t max = 1 << 30) {
  std::istringstream in(content);
  Status s = blobs.stage(in, max, staged);
  if (!s.ok()) return s;
  return blobs.publish(staged);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(blob_store)

BOOST_AUTO_TEST_CASE(sha256_known_values_and_pieces) {
  // FIPS 180-2's example, computed independently of this code.
  BOOST_TEST(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  BOOST_TEST(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const std::string big = awkward_bytes(300000);
  Sha256 h;
  for (size_t at = 0; at < big.size(); at += 7777)
    h.update(big.data() + at, std::min<size_t>(7777, big.size() - at));
  BOOST_TEST(h.hex() == sha256_hex(big));
  BOOST_TEST(is_sha256_hex(sha256_hex("x")));
  BOOST_TEST(!is_sha256_hex(std::string(64, 'A')));
  BOOST_TEST(!is_sha256_hex(std::string(63, 'a')));
}

BOOST_AUTO_TEST_CASE(a_blob_is_named_by_the_sha256_of_its_bytes_and_comes_back_unchanged) {
  TempDir t;
  store::FileBlobStore blobs(t.path.string());
  const std::string content = awkward_bytes(200001);  // four blocks and a bit
  StagedBlob staged;
  BOOST_REQUIRE(put(blobs, content, staged).ok());
  BOOST_TEST(staged.sha256 == sha256_hex(content));
  BOOST_TEST(staged.bytes == static_cast<std::int64_t>(content.size()));
  const fs::path stored = t.path / staged.sha256.substr(0, 2) / staged.sha256.substr(2);
  BOOST_TEST(blobs.path_of(staged.sha256) == stored.string());
  BOOST_REQUIRE(fs::is_regular_file(stored));
  BOOST_TEST(sha256_hex(file_bytes(stored)) ==
             stored.parent_path().filename().string() + stored.filename().string());
  BOOST_TEST(files_under(t.path).size() == 1u);  // nothing left in the scratch area
  BOOST_TEST(blobs.contains(staged.sha256));

  std::ostringstream out;
  BOOST_REQUIRE(blobs.read(staged.sha256, out).ok());
  BOOST_TEST((out.str() == content));  // byte for byte, NULs and all

  // An empty file is content too.
  StagedBlob empty;
  BOOST_REQUIRE(put(blobs, "", empty).ok());
  BOOST_TEST(empty.sha256 == sha256_hex(""));
  BOOST_TEST(empty.bytes == 0);
}

BOOST_AUTO_TEST_CASE(identical_content_is_stored_once) {
  TempDir t;
  store::FileBlobStore blobs(t.path.string());
  StagedBlob a, b;
  BOOST_REQUIRE(put(blobs, "Phiếu đăng ký sản phẩm OCOP", a).ok());
  BOOST_REQUIRE(put(blobs, "Phiếu đăng ký sản phẩm OCOP", b).ok());
  BOOST_TEST(a.sha256 == b.sha256);
  BOOST_TEST(files_under(t.path).size() == 1u);
  // Publishing the same staged blob again (a retried transaction) is harmless.
  BOOST_TEST(blobs.publish(a).ok());
  BOOST_TEST(files_under(t.path).size() == 1u);
}

BOOST_AUTO_TEST_CASE(content_over_the_limit_is_refused_and_leaves_nothing) {
  TempDir t;
  store::FileBlobStore blobs(t.path.string());
  const std::string content = awkward_bytes(100000);
  StagedBlob staged;
  std::istringstream over(content);
  Status s = blobs.stage(over, 99999, staged);
  BOOST_TEST(static_cast<int>(s.code()) == static_cast<int>(Code::bad_input));
  BOOST_TEST(s.message().find("99999") != std::string::npos);
  BOOST_TEST(files_under(t.path).empty());
  std::istringstream exact(content);
  BOOST_TEST(blobs.stage(exact, 100000, staged).ok());  // the limit itself is allowed
  BOOST_TEST(files_under(t.path).size() == 1u);         // staged, not yet named
  BOOST_TEST(!blobs.contains(staged.sha256));
  blobs.discard(staged);  // the event was refused
  BOOST_TEST(files_under(t.path).empty());
  blobs.discard(staged);  // twice is fine
}

BOOST_AUTO_TEST_CASE(damaged_bytes_are_detected_and_nothing_is_written) {
  TempDir t;
  store::FileBlobStore blobs(t.path.string());
  const std::string content = awkward_bytes(70000);
  StagedBlob staged;
  BOOST_REQUIRE(put(blobs, content, staged).ok());
  const fs::path stored = blobs.path_of(staged.sha256);
  fs::permissions(stored, fs::perms::owner_write, fs::perm_options::add);
  {
    std::fstream f(stored, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(12345);
    f.put('\x42' ^ content[12345]);
  }
  std::ostringstream out;
  Status s = blobs.read(staged.sha256, out);
  BOOST_TEST(static_cast<int>(s.code()) == static_cast<int>(Code::refused));
  BOOST_TEST(s.message().find("do not match") != std::string::npos);
  BOOST_TEST(out.str().empty());
  // The same content attached again repairs the stored copy.
  StagedBlob again;
  BOOST_REQUIRE(put(blobs, content, again).ok());
  std::ostringstream out2;
  BOOST_REQUIRE(blobs.read(staged.sha256, out2).ok());
  BOOST_TEST((out2.str() == content));
  // A truncated copy is damage too.
  fs::permissions(stored, fs::perms::owner_write, fs::perm_options::add);
  fs::resize_file(stored, 100);
  std::ostringstream out3;
  BOOST_TEST(static_cast<int>(blobs.read(staged.sha256, out3).code()) == static_cast<int>(Code::refused));
}

BOOST_AUTO_TEST_CASE(unknown_names_and_unreadable_input) {
  TempDir t;
  store::FileBlobStore blobs(t.path.string());
  std::ostringstream out;
  BOOST_TEST(static_cast<int>(blobs.read(sha256_hex("nothing"), out).code()) ==
             static_cast<int>(Code::not_found));
  BOOST_TEST(static_cast<int>(blobs.read("ABC", out).code()) == static_cast<int>(Code::bad_input));
  BOOST_TEST(!blobs.contains("../../etc/passwd"));
  std::ifstream missing(t.path / "no-such-file");
  StagedBlob staged;
  BOOST_TEST(static_cast<int>(blobs.stage(missing, 100, staged).code()) == static_cast<int>(Code::bad_input));
}

BOOST_AUTO_TEST_CASE(where_the_documents_live) {
  std::string err;
  auto sqlite = store::parse_url("sqlite:/var/lib/ocop/ocop.db", err);
  auto pg = store::parse_url("postgresql://ocop@127.0.0.1:5432/ocop", err);
  BOOST_TEST(store::documents_dir(sqlite, "", "") == "/var/lib/ocop/ocop.db.documents");
  BOOST_TEST(store::documents_dir(sqlite, "/srv/docs", "") == "/srv/docs");
  BOOST_TEST(store::documents_dir(sqlite, "/srv/docs", "/mnt/env") == "/mnt/env");
  BOOST_TEST(store::documents_dir(pg, "", "").empty());
  BOOST_TEST(store::documents_dir(pg, "/srv/docs", "") == "/srv/docs");
}

BOOST_AUTO_TEST_SUITE_END()
