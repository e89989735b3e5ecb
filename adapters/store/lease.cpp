#include "store/lease.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <soci/soci.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "ocop/store.hpp"
#include "store/soci_store.hpp"

namespace ocop::store {
namespace {

// The advisory lock's key: FNV-1a of "ocop:NAME", kept positive (stable across versions: two
// versions of serve during an upgrade must contend for the same lock).
std::int64_t lock_key(const std::string& name) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : "ocop:" + name) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<std::int64_t>(h & 0x7fffffffffffffffull);
}

class AdvisoryLease : public Lease {
 public:
  AdvisoryLease(std::string connection, std::string shown, const std::string& name)
      : connection_(std::move(connection)), shown_(std::move(shown)), key_(lock_key(name)) {}
  ~AdvisoryLease() override { release(); }

  bool try_acquire(std::string& error) override {
    error.clear();
    if (held_ && still_held(error)) return true;
    error.clear();
    try {
      if (!sql_) {
        // The client probes the server, and (SET below) the server probes the client, so a
        // vanished peer is noticed within ~25 s on either side. The caller's own keywords
        // come after ours and win.
        sql_ = std::make_unique<soci::session>(
            "postgresql", "keepalives=1 keepalives_idle=10 keepalives_interval=5 keepalives_count=3 "
                          "connect_timeout=10 application_name=ocop-scheduler-lease " +
                              connection_);
        *sql_ << "SET tcp_keepalives_idle = 10";
        *sql_ << "SET tcp_keepalives_interval = 5";
        *sql_ << "SET tcp_keepalives_count = 3";
      }
      int got = 0;
      long long key = key_;
      *sql_ << "SELECT CASE WHEN pg_try_advisory_lock(:k) THEN 1 ELSE 0 END", soci::use(key), soci::into(got);
      held_ = got == 1;
      return held_;
    } catch (const std::exception& e) {
      error = "cannot ask " + shown_ + " for the lease: " + e.what();
      sql_.reset();
      held_ = false;
      return false;
    }
  }

  bool still_held(std::string& error) override {
    if (!held_ || !sql_) return false;
    try {
      // A 64-bit advisory key shows in pg_locks as classid (high half), objid (low), objsubid 1.
      long long hi = static_cast<long long>(static_cast<std::uint64_t>(key_) >> 32);
      long long lo = static_cast<long long>(static_cast<std::uint64_t>(key_) & 0xffffffffull);
      int n = 0;
      *sql_ << "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted "
               "AND objsubid = 1 AND classid::bigint = :hi AND objid::bigint = :lo",
          soci::use(hi), soci::use(lo), soci::into(n);
      if (n > 0) return true;
      error = "the advisory lock is no longer held by this connection";
    } catch (const std::exception& e) {
      error = "the lease's connection to " + shown_ + " failed: " + e.what();
    }
    held_ = false;
    sql_.reset();  // the server ends the session and its lock (if it still has them)
    return false;
  }

  void release() override {
    if (sql_ && held_) {
      try {
        long long key = key_;
        int ok = 0;
        *sql_ << "SELECT CASE WHEN pg_advisory_unlock(:k) THEN 1 ELSE 0 END", soci::use(key), soci::into(ok);
      } catch (const std::exception&) {
        // Closing the connection below releases it anyway.
      }
    }
    held_ = false;
    sql_.reset();
  }

  std::string describe() const override {
    return "advisory lock " + std::to_string(key_) + " on " + shown_;
  }

 private:
  const std::string connection_, shown_;
  const std::int64_t key_;
  std::unique_ptr<soci::session> sql_;
  bool held_ = false;
};

class FileLease : public Lease {
 public:
  explicit FileLease(std::string path) : path_(std::move(path)) {}
  ~FileLease() override { release(); }

  bool try_acquire(std::string& error) override {
    error.clear();
    if (fd_ >= 0 && still_held(error)) return true;
    error.clear();
    const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      error = "cannot open the lease file " + path_ + ": " + std::strerror(errno);
      return false;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int e = errno;
      ::close(fd);
      if (e != EWOULDBLOCK) error = "cannot lock " + path_ + ": " + std::strerror(e);
      return false;
    }
    fd_ = fd;
    // Who holds it, for a person looking (`cat`); nothing reads it.
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
      // Informational only.
    }
    return true;
  }

  bool still_held(std::string& error) override {
    if (fd_ < 0) return false;
    // The lock is on the file this descriptor opened; if that file was removed or replaced, a
    // newcomer would lock another file at the same path: this holder gives up first.
    struct stat mine {}, named {};
    if (::fstat(fd_, &mine) == 0 && ::stat(path_.c_str(), &named) == 0 && mine.st_ino == named.st_ino &&
        mine.st_dev == named.st_dev)
      return true;
    error = "the lease file " + path_ + " was removed or replaced";
    ::close(fd_);
    fd_ = -1;
    return false;
  }

  void release() override {
    if (fd_ < 0) return;
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
    fd_ = -1;
  }

  std::string describe() const override { return "flock on " + path_; }

 private:
  const std::string path_;
  int fd_ = -1;
};

}  // namespace

std::unique_ptr<Lease> open_lease(const std::string& db_url, const std::string& name) {
  std::string error;
  const DbUrl u = parse_url(db_url, error);
  if (u.backend.empty()) throw StoreError(error, false);
  if (u.backend == "postgresql") return std::make_unique<AdvisoryLease>(u.connection, redact_url(db_url), name);
  return std::make_unique<FileLease>(u.path + "." + name + ".lock");
}

}  // namespace ocop::store
