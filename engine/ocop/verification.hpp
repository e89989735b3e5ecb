// Certificates anyone can verify (issue 13): each certificate's verification code, and what the
// public may learn of a certificate and of the products in force.
//
// The code. verification_code(secret, id) = the first 20 characters of base32(HMAC-SHA256(secret,
// id)) (RFC 4648 alphabet A-Z2-7, upper case): 100 bits, unguessable without the secret, which is
// 32 random bytes kept in the database (meta "verification_secret", written by migration 9) and
// never shown. The code is derived, not drawn at random, and is kept out of the audit records:
// the chain of a database does not depend on its secret, so two databases that import the same
// events (cli_crash_test: a crashed-and-rerun import against an uninterrupted one) keep equal
// chains hash for hash, while each database's codes are its own. docs/public.md says why.
//
// The codes are public and frozen once printed: a QR code on a label names one for years, so the
// derivation, its length and its alphabet never change, and a database's secret is never
// regenerated (backups carry it).
#pragma once

#include <string>
#include <string_view>

namespace ocop {

inline constexpr std::size_t kVerificationCodeLength = 20;

// HMAC-SHA256(key, message), the 32 raw bytes (OpenSSL).
std::string hmac_sha256(std::string_view key, std::string_view message);

// The certificate's code under the database's secret (see above).
std::string verification_code(std::string_view secret, std::string_view certificate_id);

// A code as a person may type it: upper-cased, spaces and dashes removed. Empty when what is
// left is not kVerificationCodeLength characters of A-Z2-7 (the caller answers "no such code"
// without asking the database).
std::string normalize_verification_code(std::string_view text);

}  // namespace ocop
