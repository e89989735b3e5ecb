#include "ocop/verification.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "ocop/accounts.hpp"  // base32_encode

namespace ocop {

std::string hmac_sha256(std::string_view key, std::string_view message) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(message.data()), message.size(), md, &len))
    throw std::runtime_error("OpenSSL HMAC-SHA256 failed");
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string verification_code(std::string_view secret, std::string_view certificate_id) {
  return base32_encode(hmac_sha256(secret, certificate_id)).substr(0, kVerificationCodeLength);
}

std::string normalize_verification_code(std::string_view text) {
  if (text.size() > 4 * kVerificationCodeLength) return {};
  std::string out;
  for (char c : text) {
    if (c == ' ' || c == '-') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'))) return {};
    out += c;
  }
  return out.size() == kVerificationCodeLength ? out : std::string();
}

}  // namespace ocop
