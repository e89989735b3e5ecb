// Accounts: who is signed in (issue 11). The sign-in use cases of the application layer, for
// every front end that authenticates people (the HTTP service; the CLI sets passwords and
// creates tokens for the operator who runs it).
//
// Contract (the HTTP service and the CLI rely on these names; the implementation may add to them):
//  - Only users of the configuration have accounts. A password is stored as an argon2id
//    encoding (Secrets port); session ids and API tokens are 256-bit random values shown once
//    and stored only as their SHA-256.
//  - Every expected failure is a Status: bad_input (a password too short or too long, a bad
//    TOTP code format), not_found (no such user, token), forbidden (wrong credentials, locked,
//    expired, revoked: one message that does not tell which), conflict (an invitation used).
//    A failed sign-in never says whether the user exists.
//  - Sign-ins, failures, lock-outs, password changes, invitations, tokens created and revoked
//    and "sign out everywhere" are audit records in the one hash chain (dossier = "user:<id>",
//    event = login, login_failed, locked_out, password_set, invited, token_created,
//    token_revoked, signed_out_everywhere; data never holds a secret).
//  - Time comes from the Clock; a simulation database's clock makes expiry testable.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ocop/app.hpp"
#include "ocop/time.hpp"

namespace ocop {

// Port: password hashing and randomness (libsodium in adapters/). Thread-safe.
class Secrets {
 public:
  virtual ~Secrets() = default;
  // argon2id (libsodium's MODERATE-or-stronger limits), as a self-describing encoded string.
  virtual std::string hash_password(const std::string& password) = 0;
  virtual bool verify_password(const std::string& encoded, const std::string& password) = 0;
  // 32 random bytes, base64url without padding (43 characters).
  virtual std::string random_token() = 0;
};

// The authenticated caller of a request: the actor of everything it does.
struct Principal {
  std::string user;        // a configured user id
  std::string via;         // "session" or "token"
  std::string credential;  // the session's or token's id (never the secret itself)
  bool second_factor = false;  // TOTP verified in this session (always true for tokens of users who need none)
};

struct LoginRequest {
  std::string user;
  std::string password;
  std::string totp;     // required for users whose roles need a second factor
  std::string address;  // the client's address, for throttling and the audit record
};

struct LoginResult {
  std::string session;  // the raw session id, for the __Host- cookie; shown once
  Principal principal;
};

struct TokenCreated {
  std::string id;     // public, listed, used to revoke
  std::string token;  // the secret, shown once
  Instant expires;
};

struct TokenInfo {
  std::string id;
  std::string user;
  Instant created;
  Instant expires;
  bool revoked = false;
  std::string note;
};

// How long sessions live and when sign-in is throttled (configuration `security:`; these are
// the defaults, documented in config/README).
struct SessionPolicy {
  int idle_minutes = 30;
  int absolute_hours = 12;
  int lockout_failures = 5;     // consecutive failures of one account before a lock-out
  int lockout_minutes = 15;
  int address_failures = 20;    // failures from one address per lockout window
  int min_password_length = 12;
};

class Accounts {
 public:
  virtual ~Accounts() = default;
  virtual Result<LoginResult> login(const LoginRequest& req) = 0;
  // The session's principal; refreshes its idle timer. forbidden when unknown or expired.
  virtual Result<Principal> authenticate_session(const std::string& session) = 0;
  // The bearer token's principal. forbidden when unknown, expired or revoked.
  virtual Result<Principal> authenticate_token(const std::string& token) = 0;
  virtual Status logout(const std::string& session) = 0;
  virtual Status logout_everywhere(const std::string& user, const std::string& actor) = 0;
  virtual Status set_password(const std::string& user, const std::string& password, const std::string& actor) = 0;
  virtual Result<std::string> invite(const std::string& user, const std::string& actor) = 0;  // the one-time secret
  virtual Status accept_invitation(const std::string& secret, const std::string& password) = 0;
  virtual Result<TokenCreated> create_token(const std::string& user, int expires_days, const std::string& actor,
                                            const std::string& note) = 0;
  virtual Result<std::vector<TokenInfo>> tokens(const std::string& user) = 0;  // "" : every user's
  virtual Status revoke_token(const std::string& id, const std::string& actor) = 0;
};

}  // namespace ocop
