#include "store/file_blob_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <vector>

#include "ocop/sha256.hpp"

namespace ocop::store {
namespace {

constexpr std::size_t kBlock = 64 * 1024;

std::string errno_text(int e) { return std::strerror(e); }

std::string parent_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// fsync of a directory: makes the names created in it (or renamed into it) durable.
int sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  int rc = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return rc;
}

// Creates `dir` (and missing parents) and makes each new name durable. 0 or an errno.
int ensure_dir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0750) == 0) return sync_dir(parent_of(dir));
  if (errno == EEXIST) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) return errno;
    return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
  }
  if (errno != ENOENT) return errno;
  const std::string parent = parent_of(dir);
  if (parent == dir) return ENOENT;
  if (int rc = ensure_dir(parent)) return rc;
  if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) return errno;
  return sync_dir(parent);
}

int write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return 0;
}

// Reads `fd` from its start to the end, hashing it and, when `out` is given, copying it there.
// 0 or an errno.
int hash_fd(int fd, Sha256& hash, std::ostream* out) {
  if (::lseek(fd, 0, SEEK_SET) != 0) return errno;
  std::vector<char> buf(kBlock);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return 0;
    hash.update(buf.data(), static_cast<std::size_t>(n));
    if (out) out->write(buf.data(), n);
  }
}

// The SHA-256 of the file at `path`, or "" when it cannot be read.
std::string hash_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  Sha256 h;
  int rc = hash_fd(fd, h, nullptr);
  ::close(fd);
  return rc ? std::string() : h.hex();
}

std::string random_name() {
  static const char* hex = "0123456789abcdef";
  std::random_device rd;
  std::string s = std::to_string(::getpid()) + "-";
  for (int i = 0; i < 16; ++i) s += hex[rd() & 15];
  return s;
}

}  // namespace

std::string documents_dir(const DbUrl& url, const std::string& configured, const std::string& from_env) {
  if (!from_env.empty()) return from_env;
  if (!configured.empty()) return configured;
  if (url.backend == "sqlite3" && !url.path.empty()) return url.path + ".documents";
  return {};
}

FileBlobStore::FileBlobStore(std::string root) : root_(std::move(root)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

std::string FileBlobStore::path_of(const std::string& sha256) const {
  return root_ + "/" + sha256.substr(0, 2) + "/" + sha256.substr(2);
}

Status FileBlobStore::stage(std::istream& in, std::int64_t max_bytes, StagedBlob& out) {
  if (!in) return Status::BadInput("cannot read the file");
  const std::string tmp = root_ + "/tmp";
  if (int rc = ensure_dir(tmp))
    return Status::Internal("cannot create the documents directory " + tmp + ": " + errno_text(rc));
  std::string path;
  int fd = -1;
  for (int attempt = 0; fd < 0; ++attempt) {
    path = tmp + "/" + random_name() + ".part";
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0 && (errno != EEXIST || attempt > 8))
      return Status::Internal("cannot create " + path + ": " + errno_text(errno));
  }
  auto fail = [&](Status s) {
    ::close(fd);
    ::unlink(path.c_str());
    return s;
  };
  Sha256 hash;
  std::int64_t total = 0;
  std::vector<char> buf(kBlock);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const std::streamsize n = in.gcount();
    if (n <= 0) break;
    total += n;
    if (total > max_bytes)
      return fail(Status::BadInput("the file is larger than the limit of " + std::to_string(max_bytes) +
                                   " bytes (documents.max_bytes)"));
    hash.update(buf.data(), static_cast<std::size_t>(n));
    if (int rc = write_all(fd, buf.data(), static_cast<std::size_t>(n)))
      return fail(Status::Internal("cannot write " + path + ": " + errno_text(rc)));
  }
  if (in.bad()) return fail(Status::BadInput("cannot read the file to the end"));
  // Stored bytes are never changed in place: read-only, and on disk before they get a name.
  if (::fchmod(fd, 0440) != 0 || ::fsync(fd) != 0)
    return fail(Status::Internal("cannot write " + path + ": " + errno_text(errno)));
  if (::close(fd) != 0) {
    int e = errno;
    ::unlink(path.c_str());
    return Status::Internal("cannot write " + path + ": " + errno_text(e));
  }
  out.sha256 = hash.hex();
  out.bytes = total;
  out.handle = path;
  return Status::Ok();
}

Status FileBlobStore::publish(const StagedBlob& blob) {
  if (!is_sha256_hex(blob.sha256))
    return Status::Internal("publish: \"" + blob.sha256 + "\" is not a SHA-256");
  const std::string final_path = path_of(blob.sha256);
  // Content the store already holds is kept as it is, unless those bytes were damaged: then the
  // new copy (which does hash to the name) replaces them.
  if (hash_file(final_path) == blob.sha256) {
    discard(blob);
    return Status::Ok();
  }
  const std::string dir = parent_of(final_path);
  if (int rc = ensure_dir(dir))
    return Status::Internal("cannot create the documents directory " + dir + ": " + errno_text(rc));
  if (::rename(blob.handle.c_str(), final_path.c_str()) != 0) {
    int e = errno;
    if (e == ENOENT && hash_file(final_path) == blob.sha256) return Status::Ok();  // published before
    return Status::Internal("cannot store document " + blob.sha256 + " as " + final_path + ": " +
                            errno_text(e));
  }
  if (int rc = sync_dir(dir))
    return Status::Internal("cannot sync the documents directory " + dir + ": " + errno_text(rc));
  return Status::Ok();
}

void FileBlobStore::discard(const StagedBlob& blob) noexcept {
  if (!blob.handle.empty()) ::unlink(blob.handle.c_str());
}

bool FileBlobStore::contains(const std::string& sha256) {
  if (!is_sha256_hex(sha256)) return false;
  struct stat st {};
  return ::stat(path_of(sha256).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Status FileBlobStore::read(const std::string& sha256, std::ostream& out) {
  if (!is_sha256_hex(sha256))
    return Status::BadInput("\"" + sha256 + "\" is not a SHA-256 (64 lower-case hex digits)");
  const std::string path = path_of(sha256);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT)
      return Status::NotFound("no bytes are stored for document " + sha256 + " (looked for " + path + ")");
    return Status::Internal("cannot read " + path + ": " + errno_text(e));
  }
  auto damaged = [&](const std::string& got, const char* when) {
    return Status::Refused("the stored bytes of document " + sha256 + " do not match their SHA-256 (" + when +
                           " they hash to " + got + "): " + path +
                           " was damaged or altered; restore it from the backup of the documents directory");
  };
  // Checked before a single byte goes out, then hashed again while copied (the file could be
  // replaced in between).
  Sha256 first;
  if (int rc = hash_fd(fd, first, nullptr)) {
    ::close(fd);
    return Status::Internal("cannot read " + path + ": " + errno_text(rc));
  }
  if (std::string got = first.hex(); got != sha256) {
    ::close(fd);
    return damaged(got, "now");
  }
  Sha256 second;
  int rc = hash_fd(fd, second, &out);
  ::close(fd);
  if (rc) return Status::Internal("cannot read " + path + ": " + errno_text(rc));
  out.flush();
  if (!out) return Status::Internal("cannot write document " + sha256 + " to the output");
  if (std::string got = second.hex(); got != sha256) return damaged(got, "while copied,");
  return Status::Ok();
}

}  // namespace ocop::store
