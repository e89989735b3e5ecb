// SHA-256 over OpenSSL, as lower-case hex: the audit chain's hashes, the configuration's
// fingerprint and the names of stored documents (content addressing).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

namespace ocop {

// hex(SHA-256(bytes)): 64 lower-case hex digits.
std::string sha256_hex(std::string_view bytes);

// hex(SHA-256(the parts, one after the other)) written into out[0..63]: no allocation (one
// digest context per thread, reused). The audit chain's verification hashes with it.
void sha256_hex_into(std::initializer_list<std::string_view> parts, char* out);

// True for 64 lower-case hex digits: the form every stored SHA-256 takes.
bool is_sha256_hex(std::string_view s);

// An incremental SHA-256, for content read in pieces (a file streamed a block at a time, never
// loaded whole). One object hashes one content; not thread-safe.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, std::size_t n);
  // The digest of everything fed so far, as 64 hex digits. Ends the hash: call it once.
  std::string hex();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace ocop
