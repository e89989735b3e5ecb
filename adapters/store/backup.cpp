#include "store/backup.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include <nlohmann/json.hpp>

#include "ocop/sha256.hpp"
#include "store/file_blob_store.hpp"

namespace fs = std::filesystem;

namespace ocop::store {
namespace {

Status io_error(const std::string& what, const std::string& path) {
  return Status::Internal(what + " " + path + ": " + std::strerror(errno));
}

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, SqliteCloser>;

Status open_db(const std::string& path, int flags, Db& out) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  out.reset(db);
  if (rc != SQLITE_OK)
    return Status::BadInput("cannot open SQLite database " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
  sqlite3_busy_timeout(db, 30000);
  return Status::Ok();
}

}  // namespace

bool fsync_path(const std::string& path, bool directory) {
  int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

// The SHA-256 and size of a file, streamed.
Status hash_file(const std::string& path, std::string& sha, std::int64_t& bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Refused("missing " + path);
  Sha256 h;
  std::vector<char> buf(1 << 16);
  bytes = 0;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto n = in.gcount();
    if (n > 0) h.update(buf.data(), static_cast<std::size_t>(n)), bytes += n;
  }
  if (in.bad()) return io_error("cannot read", path);
  sha = h.hex();
  return Status::Ok();
}

// Copies `from` to `to` through `to`.part (fsynced, then renamed), checking the SHA-256 and
// size of what it copied against `sha` and `bytes` (a mismatch: Refused, naming `from`).
Status copy_checked(const std::string& from, const std::string& to, const std::string& sha, std::int64_t bytes) {
  std::ifstream in(from, std::ios::binary);
  if (!in) return Status::Refused("missing " + from);
  const std::string part = to + ".part";
  std::error_code ec;
  fs::create_directories(fs::path(to).parent_path(), ec);
  if (ec) return Status::Internal("cannot create " + fs::path(to).parent_path().string() + ": " + ec.message());
  {
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    if (!out) return io_error("cannot write", part);
    Sha256 h;
    std::vector<char> buf(1 << 16);
    std::int64_t n_total = 0;
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      const auto n = in.gcount();
      if (n <= 0) continue;
      h.update(buf.data(), static_cast<std::size_t>(n));
      out.write(buf.data(), n);
      n_total += n;
    }
    out.close();
    if (in.bad() || !out) {
      fs::remove(part, ec);
      return io_error("cannot copy", from);
    }
    if (n_total != bytes || h.hex() != sha) {
      fs::remove(part, ec);
      return Status::Refused(from + " is damaged: its SHA-256 or size is not the one recorded (" + sha + ", " +
                             std::to_string(bytes) + " bytes)");
    }
  }
  if (!fsync_path(part, false)) return io_error("cannot sync", part);
  if (std::rename(part.c_str(), to.c_str()) != 0) return io_error("cannot rename", part);
  fsync_path(fs::path(to).parent_path().string(), true);
  return Status::Ok();
}

Status copy_database(const std::string& source_path, const std::string& dest) {
  std::error_code ec;
  if (fs::exists(dest, ec)) return Status::BadInput("backup directory " + dest + " exists: give a new one");
  if (!fs::exists(source_path, ec)) return Status::BadInput("no SQLite database at " + source_path);
  if (!fs::create_directory(dest, ec)) return Status::Internal("cannot create " + dest + ": " + ec.message());
  Db src, dst;
  if (Status st = open_db(source_path, SQLITE_OPEN_READONLY, src); !st.ok()) return st;
  const std::string to = dest + "/" + kBackupDatabase;
  if (Status st = open_db(to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, dst); !st.ok()) return st;
  // One step over every page: the copy is the snapshot of one read transaction, taken while
  // writers go on (WAL).
  sqlite3_backup* b = sqlite3_backup_init(dst.get(), "main", src.get(), "main");
  if (!b) return Status::Internal("cannot back up " + source_path + ": " + sqlite3_errmsg(dst.get()));
  int rc;
  while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(50);
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) return Status::Internal("cannot back up " + source_path + ": " + sqlite3_errstr(rc));
  dst.reset();
  if (!fsync_path(to, false) || !fsync_path(dest, true)) return io_error("cannot sync", to);
  return Status::Ok();
}

Status copy_documents(const std::string& documents_dir, const std::string& dest, BackupManifest& manifest) {
  Db db;
  if (Status st = open_db(dest + "/" + kBackupDatabase, SQLITE_OPEN_READONLY, db); !st.ok()) return st;
  sqlite3_stmt* q = nullptr;
  if (sqlite3_prepare_v2(db.get(), "SELECT sha256, MAX(bytes) FROM documents GROUP BY sha256 ORDER BY sha256", -1, &q,
                         nullptr) != SQLITE_OK)
    return Status::Internal(std::string("cannot list the documents: ") + sqlite3_errmsg(db.get()));
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> guard(q, sqlite3_finalize);
  manifest.documents.clear();
  int rc;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    const auto* s = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
    manifest.documents.push_back({s ? s : "", sqlite3_column_int64(q, 1)});
  }
  if (rc != SQLITE_DONE) return Status::Internal(std::string("cannot list the documents: ") + sqlite3_errmsg(db.get()));
  std::vector<BackupDocument> named;
  named.swap(manifest.documents);
  manifest.not_stored.clear();
  FileBlobStore from(documents_dir), to(dest + "/" + kBackupDocuments);
  std::error_code ec;
  for (const auto& d : named) {
    if (!is_sha256_hex(d.sha256)) return Status::Refused("the database names a document \"" + d.sha256 + "\" that is not a SHA-256");
    const std::string source = from.path_of(d.sha256);
    if (documents_dir.empty() || !fs::exists(source, ec)) {
      manifest.not_stored.push_back(d.sha256);
      continue;
    }
    if (Status st = copy_checked(source, to.path_of(d.sha256), d.sha256, d.bytes); !st.ok())
      return Status::Refused("document " + d.sha256 + ": " + st.message());
    manifest.documents.push_back(d);
  }
  return Status::Ok();
}

Status write_manifest(const std::string& dest, BackupManifest& m) {
  const std::string db = dest + "/" + kBackupDatabase;
  std::error_code ec;
  for (const char* side : {"-wal", "-shm"}) {  // left by the verification's connection, if empty
    const std::string p = db + side;
    if (fs::exists(p, ec) && (side[1] == 's' || fs::file_size(p, ec) == 0)) fs::remove(p, ec);
  }
  if (fs::exists(db + "-wal", ec)) return Status::Internal(db + "-wal was not checkpointed: the copy is not one file");
  if (Status st = hash_file(db, m.database_sha256, m.database_bytes); !st.ok()) return st;
  nlohmann::ordered_json j = {{"format", m.format},
                              {"created_at", m.created_at},
                              {"source", m.source},
                              {"schema_version", m.schema_version},
                              {"simulation", m.simulation},
                              {"audit", {{"records", m.audit_records}, {"head", m.audit_head}}},
                              {"database", {{"file", kBackupDatabase}, {"bytes", m.database_bytes}, {"sha256", m.database_sha256}}},
                              {"documents", nlohmann::ordered_json::array()}};
  for (const auto& d : m.documents) j["documents"].push_back({{"sha256", d.sha256}, {"bytes", d.bytes}});
  j["not_stored"] = m.not_stored;
  const std::string path = dest + "/" + kBackupManifest, part = path + ".part";
  {
    std::ofstream out(part, std::ios::trunc);
    out << j.dump(2) << "\n";
    if (!out) return io_error("cannot write", part);
  }
  if (!fsync_path(part, false) || std::rename(part.c_str(), path.c_str()) != 0) return io_error("cannot write", path);
  fsync_path(dest, true);
  return Status::Ok();
}

Status check_backup(const std::string& src, BackupManifest& m) {
  const std::string path = src + "/" + kBackupManifest;
  std::ifstream in(path);
  std::error_code ec;
  if (!in)
    return fs::is_directory(src, ec)
               ? Status::Refused(src + " has no " + kBackupManifest + ": an incomplete backup (the manifest is written last)")
               : Status::BadInput("no backup directory at " + src);
  try {
    auto j = nlohmann::json::parse(in);
    m.format = j.at("format").get<int>();
    if (m.format != kBackupFormat)
      return Status::BadInput(path + ": backup format " + std::to_string(m.format) + " is not one this ocop reads (" +
                              std::to_string(kBackupFormat) + ")");
    m.created_at = j.at("created_at").get<std::string>();
    m.source = j.at("source").get<std::string>();
    m.schema_version = j.at("schema_version").get<int>();
    m.simulation = j.at("simulation").get<bool>();
    m.audit_records = j.at("audit").at("records").get<std::int64_t>();
    m.audit_head = j.at("audit").at("head").get<std::string>();
    m.database_bytes = j.at("database").at("bytes").get<std::int64_t>();
    m.database_sha256 = j.at("database").at("sha256").get<std::string>();
    m.documents.clear();
    for (const auto& d : j.at("documents")) m.documents.push_back({d.at("sha256").get<std::string>(), d.at("bytes").get<std::int64_t>()});
    m.not_stored = j.value("not_stored", std::vector<std::string>{});
  } catch (const std::exception& e) {
    return Status::Refused(path + " is damaged: " + e.what());
  }
  std::string sha;
  std::int64_t bytes = 0;
  const std::string db = src + "/" + kBackupDatabase;
  if (Status st = hash_file(db, sha, bytes); !st.ok()) return st;
  if (sha != m.database_sha256 || bytes != m.database_bytes)
    return Status::Refused(db + " is damaged: its SHA-256 or size is not the manifest's");
  FileBlobStore docs(src + "/" + kBackupDocuments);
  for (const auto& d : m.documents) {
    if (!is_sha256_hex(d.sha256)) return Status::Refused(path + ": \"" + d.sha256 + "\" is not a SHA-256");
    const std::string p = docs.path_of(d.sha256);
    if (Status st = hash_file(p, sha, bytes); !st.ok()) return Status::Refused("document " + d.sha256 + ": " + st.message());
    if (sha != d.sha256 || bytes != d.bytes) return Status::Refused(p + " is damaged: its SHA-256 or size is not the manifest's");
  }
  return Status::Ok();
}

Status restore_files(const std::string& src, const BackupManifest& m, const std::string& db_path,
                     const std::string& documents_dir, std::vector<std::string>& created) {
  std::error_code ec;
  for (const char* side : {"", "-wal", "-journal"})
    if (fs::exists(db_path + side, ec))
      return Status::BadInput("a database exists at " + db_path + side + ": a restore never overwrites one");
  created.clear();
  auto undo = [&](Status st) {
    remove_restored(created, documents_dir);
    return st;
  };
  if (Status st = copy_checked(src + "/" + kBackupDatabase, db_path, m.database_sha256, m.database_bytes); !st.ok())
    return undo(st);
  created.push_back(db_path);
  FileBlobStore from(src + "/" + kBackupDocuments), to(documents_dir);
  for (const auto& d : m.documents) {
    const std::string target = to.path_of(d.sha256);
    if (fs::exists(target, ec)) continue;  // named by its hash: the same bytes (checked when stored)
    if (Status st = copy_checked(from.path_of(d.sha256), target, d.sha256, d.bytes); !st.ok()) return undo(st);
    created.push_back(target);
  }
  return Status::Ok();
}

void remove_restored(std::vector<std::string>& created, const std::string& documents_dir) {
  std::error_code ec;
  for (auto it = created.rbegin(); it != created.rend(); ++it) {
    fs::remove(*it, ec);
    for (const char* side : {"-wal", "-shm"}) fs::remove(*it + side, ec);
    // the hash's two-digit directory, then the root, when nothing else is in them
    for (fs::path dir = fs::path(*it).parent_path(); !documents_dir.empty() && dir.string().rfind(documents_dir, 0) == 0;
         dir = dir.parent_path()) {
      if (!fs::is_empty(dir, ec) || !fs::remove(dir, ec)) break;
      if (dir == fs::path(documents_dir)) break;
    }
  }
  created.clear();
}

}  // namespace ocop::store
