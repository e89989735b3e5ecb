// Reading a configuration or migration plan file, within bounds.
#include "config/config_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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

std::optional<Problem> read_config_file(const std::string& path, std::string& content) {
  content.clear();
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
  // Read to the end, whatever the size said (the file may change meanwhile), but never past
  // the bound.
  content.resize(static_cast<std::size_t>(st.st_size) + 1);
  std::size_t got = 0;
  for (;;) {
    if (got == content.size()) {
      if (content.size() > kMaxFileBytes) {
        content.clear();
        return problem(too_large(kMaxFileBytes, false));
      }
      content.resize(std::min(kMaxFileBytes + 1, content.size() * 2));
    }
    ssize_t n = ::read(fd.get(), content.data() + got, content.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      content.clear();
      return problem(std::string("cannot read the file: ") + std::strerror(e));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  content.resize(got);
  return std::nullopt;
}

}  // namespace ocop::config
