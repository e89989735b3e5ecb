// Reading a configuration or migration plan file, within bounds.
#include "config/config_file.hpp"

#include "config/config_snapshot.hpp"
#include "ocop/sha256.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <cerrno>
#include <cstring>

namespace ocop::config {

std::string grouped(std::size_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

namespace {

std::string too_large(std::size_t bytes_at_least, bool exact) {
  return std::string("the file is ") + (exact ? "" : "more than ") + grouped(bytes_at_least) +
         " bytes; a configuration file may be at most 16 MiB (" + grouped(kMaxFileBytes) + " bytes)";
}

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a pipe";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

namespace {

// Reads the regular file `path` to its end, whatever its size said (it may change meanwhile),
// never past kMaxFileBytes, handing each piece to `take`. `buffer` is where the pieces are read:
// its size is the piece's. Returns the problem when there is one ("path: what").
template <class Take>
std::optional<Problem> read_bounded(const std::string& path, char* buffer, std::size_t size, Take take) {
  auto problem = [&](std::string message) { return Problem{path, 0, "", std::move(message)}; };
  // O_NONBLOCK: opening a pipe with no writer must not hang; it is refused below anyway.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) return problem(std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return problem(std::string("cannot open: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return problem(std::string("is ") + kind_of(st.st_mode) + ", not a configuration file");
  if (st.st_size < 0 || static_cast<std::size_t>(st.st_size) > kMaxFileBytes)
    return problem(too_large(static_cast<std::size_t>(st.st_size), true));
  std::size_t total = 0;
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return problem(std::string("cannot read the file: ") + std::strerror(errno));
    }
    if (n == 0) return std::nullopt;
    total += static_cast<std::size_t>(n);
    if (total > kMaxFileBytes) return problem(too_large(kMaxFileBytes, false));
    take(static_cast<std::size_t>(n));
  }
}

}  // namespace

std::optional<Problem> read_config_file(const std::string& path, std::string& content) {
  content.clear();
  std::string piece(64u << 10, '\0');
  auto problem = read_bounded(path, piece.data(), piece.size(), [&](std::size_t n) { content.append(piece, 0, n); });
  if (problem) content.clear();
  return problem;
}

std::optional<Problem> fingerprint_config_file(const std::string& path, std::string& fingerprint) {
  // A small buffer used again for every piece: hashing a 1 MB national configuration touches
  // 64 KiB of memory, not a copy of the file (page faults cost more than the hash; issue 10).
  static constexpr std::size_t kPiece = 64u << 10;
  std::unique_ptr<char[]> buffer(new char[kPiece]);
  Sha256 hash;
  auto problem = read_bounded(path, buffer.get(), kPiece, [&](std::size_t n) { hash.update(buffer.get(), n); });
  if (!problem) fingerprint = fingerprint_of(hash.hex());
  return problem;
}

}  // namespace ocop::config
