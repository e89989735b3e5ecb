// The incremental Sha256 below uses OpenSSL's SHA256_* functions, deprecated in OpenSSL 3 in
// favour of EVP but still there (the same code, without the provider lookup): EVP's first use in
// a process fetches its providers and reads openssl.cnf, about 5 M instructions, more than a
// command such as `ocop show` spends on all its own work (issue 10, bench/README.md). The
// per-thread digest of the audit chain keeps EVP: its process pays that once.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "ocop/sha256.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <stdexcept>

namespace ocop {
namespace {

void hex_into(const unsigned char* md, unsigned len, char* out) {
  static const char* hex = "0123456789abcdef";
  for (unsigned i = 0; i < len; ++i) {
    out[2 * i] = hex[md[i] >> 4];
    out[2 * i + 1] = hex[md[i] & 15];
  }
}

std::string to_hex(const unsigned char* md, unsigned len) {
  std::string out(len * 2, '0');
  hex_into(md, len, out.data());
  return out;
}

// The digest is fetched once per thread and the context reused: EVP_Digest() looks the
// algorithm up and allocates a context on every call, which showed as a tenth of an import's
// CPU (and most of `audit verify`'s hashing).
struct Digest {
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Digest() {
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
  }
};

unsigned digest_parts(std::initializer_list<std::string_view> parts, unsigned char* md) {
  thread_local Digest d;
  unsigned int len = 0;
  if (!d.md || !d.ctx || !EVP_DigestInit_ex(d.ctx, d.md, nullptr))
    throw std::runtime_error("OpenSSL SHA-256 failed");
  for (std::string_view p : parts)
    if (!p.empty() && !EVP_DigestUpdate(d.ctx, p.data(), p.size())) throw std::runtime_error("OpenSSL SHA-256 failed");
  if (!EVP_DigestFinal_ex(d.ctx, md, &len)) throw std::runtime_error("OpenSSL SHA-256 failed");
  return len;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  return to_hex(md, digest_parts({bytes}, md));
}

void sha256_hex_into(std::initializer_list<std::string_view> parts, char* out) {
  unsigned char md[EVP_MAX_MD_SIZE];
  hex_into(md, digest_parts(parts, md), out);
}

bool is_sha256_hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

struct Sha256::Ctx {
  SHA256_CTX sha;
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  if (SHA256_Init(&ctx_->sha) != 1) throw std::runtime_error("OpenSSL: cannot start a SHA-256 digest");
}

Sha256::~Sha256() = default;

void Sha256::update(const void* data, std::size_t n) {
  if (n) SHA256_Update(&ctx_->sha, data, n);
}

std::string Sha256::hex() {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256_Final(md, &ctx_->sha);
  return to_hex(md, SHA256_DIGEST_LENGTH);
}

}  // namespace ocop
