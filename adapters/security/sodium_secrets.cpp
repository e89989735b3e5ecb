#include "security/sodium_secrets.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace ocop::security {

bool parse_password_cost(const std::string& name, PasswordCost& out) {
  if (name == "moderate") {
    out = PasswordCost::moderate;
    return true;
  }
  if (name == "interactive") {
    out = PasswordCost::interactive;
    return true;
  }
  return false;
}

SodiumSecrets::SodiumSecrets(PasswordCost cost) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  if (cost == PasswordCost::moderate) {
    opslimit_ = crypto_pwhash_OPSLIMIT_MODERATE;
    memlimit_ = crypto_pwhash_MEMLIMIT_MODERATE;
  } else {
    opslimit_ = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    memlimit_ = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  }
}

std::string SodiumSecrets::hash_password(const std::string& password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), opslimit_, memlimit_,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("argon2id: not enough memory to hash a password");
  return std::string(out);
}

bool SodiumSecrets::verify_password(const std::string& encoded, const std::string& password) {
  if (encoded.empty() || encoded.size() >= crypto_pwhash_STRBYTES) return false;
  // crypto_pwhash_str_verify wants a NUL-terminated buffer of the encoding.
  return crypto_pwhash_str_verify(encoded.c_str(), password.data(), password.size()) == 0;
}

std::string SodiumSecrets::random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (n) randombytes_buf(out.data(), n);
  return out;
}

std::string SodiumSecrets::random_token() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char out[64];
  sodium_bin2base64(out, sizeof out, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(bytes, sizeof bytes);
  return std::string(out);  // 43 characters
}

std::string SodiumSecrets::hmac_sha1(const std::string& key, const std::string& message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &len))
    throw std::runtime_error("HMAC-SHA1 failed");
  return std::string(reinterpret_cast<const char*>(out), len);
}

}  // namespace ocop::security
