// The Secrets port (ocop/accounts.hpp) over libsodium and OpenSSL: argon2id password hashes
// (crypto_pwhash_str, self-describing: a hash keeps the cost it was made with, so changing the
// cost affects only passwords set afterwards), random bytes and 256-bit tokens (randombytes_buf,
// base64url without padding), and HMAC-SHA1 for TOTP (OpenSSL). Thread-safe.
#pragma once

#include <string>

#include "ocop/accounts.hpp"

namespace ocop::security {

// argon2id's cost. `moderate` is libsodium's MODERATE (3 passes, 256 MiB): the default and what
// production uses. `interactive` (2 passes, 64 MiB) is for tests and small machines only; the
// configuration chooses it with security.password_hashing (docs/operations.md).
enum class PasswordCost { moderate, interactive };

class SodiumSecrets : public Secrets {
 public:
  // Throws std::runtime_error when libsodium cannot initialise.
  explicit SodiumSecrets(PasswordCost cost = PasswordCost::moderate);

  // Throws std::runtime_error when the memory argon2id needs cannot be had.
  std::string hash_password(const std::string& password) override;
  bool verify_password(const std::string& encoded, const std::string& password) override;
  std::string random_token() override;
  std::string random_bytes(std::size_t n) override;
  std::string hmac_sha1(const std::string& key, const std::string& message) override;

 private:
  unsigned long long opslimit_;
  std::size_t memlimit_;
};

// "moderate" or "interactive"; false for anything else.
bool parse_password_cost(const std::string& name, PasswordCost& out);

}  // namespace ocop::security
