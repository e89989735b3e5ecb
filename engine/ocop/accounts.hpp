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

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ocop/app.hpp"
#include "ocop/security.hpp"
#include "ocop/transaction.hpp"
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
  // Added with the implementation: `n` random bytes (a TOTP secret), and HMAC-SHA1 (RFC 2104)
  // of `message` under `key`, 20 raw bytes, for TOTP (RFC 6238). The engine holds no crypto.
  virtual std::string random_bytes(std::size_t n) = 0;
  virtual std::string hmac_sha1(const std::string& key, const std::string& message) = 0;
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

// One of a user's sessions, as the user may see it: never its secret id, only the short public
// handle (the first 16 hex digits of its hash) that audit records and Principal::credential use.
struct SessionInfo {
  std::string id;
  Instant created, last_seen, expires;  // expires: the absolute timeout
  bool second_factor = false;
  std::string address;
};

// SessionPolicy: ocop/security.hpp (configuration `security:`).

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
  // Added for the web application (issue 12), what a signed-in user may do to their own account:
  // their sessions still in force (by created, then id); revoking one of their own tokens, as
  // themselves (a token of another user answers exactly as an unknown one: not found, 3).
  virtual Result<std::vector<SessionInfo>> sessions(const std::string& user) = 0;
  virtual Status revoke_own_token(const std::string& user, const std::string& id) = 0;
};

// --- the engine's implementation ------------------------------------------------------------

// The message of every failed sign-in (wrong or unknown user or password, no password set,
// locked, throttled address, wrong or replayed code): it never tells which.
inline constexpr const char* kSignInFailed = "sign-in failed: wrong user, password or code, or too many attempts";
// The message when the password was right but the user's roles need a TOTP code and none was
// given (forbidden, not counted as a failure): the front end asks for the code and tries again.
inline constexpr const char* kSecondFactorRequired = "a second factor is required: give the 6-digit code";
// The message of an unknown, expired or revoked session or token (forbidden).
inline constexpr const char* kNotSignedIn = "not signed in: the session or token is unknown, expired or revoked";

// Whether `user`'s roles need a second factor under `policy`.
bool needs_second_factor(const Config& config, const SessionPolicy& policy, const std::string& user);

// Makes the request's actor the principal's user: an empty actor becomes it; a different
// non-empty one is forbidden (6), because nobody acts in another's name. The HTTP service calls
// it on every event it fires.
Status bind_actor(EventRequest& req, const Principal& principal);

// RFC 4648 base32 (upper case, no padding), as authenticator apps take TOTP secrets.
std::string base32_encode(const std::string& bytes);
// RFC 6238 TOTP: the 6-digit code of 30-second step `step` (seconds / 30) under `key`.
std::string totp_code(Secrets& secrets, const std::string& key, std::int64_t step);

// A TOTP enrolment: the secret in base32 and the otpauth:// URI an authenticator app scans.
struct TotpEnrolment {
  std::string secret;
  std::string uri;
};

// The engine's Accounts over an AccountStore (the database every process shares: sessions,
// failure counters and lock-outs are rows, never memory), the configuration's users, the
// Secrets port and the Clock. One instance per Store (one connection), used from one thread at a
// time, like Application. The Config must outlive it (a reload: a new instance).
//
// Every write is one transaction under with_retry; password hashing and verification (slow by
// design) run outside any transaction. Audit records: see the contract above; an unknown
// user name's failed sign-in has no account and no audit record (it would let anyone write any
// name into the permanent chain): it is counted by address in login_failures only.
class EngineAccounts : public Accounts {
 public:
  EngineAccounts(const Config& config, Store& store, Secrets& secrets, const Clock& clock, SessionPolicy policy);

  Result<LoginResult> login(const LoginRequest& req) override;
  Result<Principal> authenticate_session(const std::string& session) override;
  Result<Principal> authenticate_token(const std::string& token) override;
  Status logout(const std::string& session) override;
  Status logout_everywhere(const std::string& user, const std::string& actor) override;
  Status set_password(const std::string& user, const std::string& password, const std::string& actor) override;
  Result<std::string> invite(const std::string& user, const std::string& actor) override;
  Status accept_invitation(const std::string& secret, const std::string& password) override;
  Result<TokenCreated> create_token(const std::string& user, int expires_days, const std::string& actor,
                                    const std::string& note) override;
  Result<std::vector<TokenInfo>> tokens(const std::string& user) override;
  Status revoke_token(const std::string& id, const std::string& actor) override;
  Result<std::vector<SessionInfo>> sessions(const std::string& user) override;
  Status revoke_own_token(const std::string& user, const std::string& id) override;

  // Notes on the calls above, as implemented here:
  //  - login: the address is throttled first (no password work then); a locked account, a wrong
  //    password or code, a replayed code (a step not later than the last accepted) and a user
  //    without a password or enrolment are all kSignInFailed; the right password without a
  //    code, for a user who needs one, is kSecondFactorRequired and counts as no failure.
  //  - a token's principal has second_factor = true: tokens are made by an operator (CLI) or,
  //    over HTTP, only from a session that has its second factor (the service's rule).
  //  - revoke_token of a revoked token: refused (4); tokens("nobody"): not_found.
  //  - logout of an unknown session: ok (nothing to do).
  // Enrols (or replaces) the user's TOTP secret; the URI is shown once. Audit: totp_enrolled.
  Result<TotpEnrolment> enrol_totp(const std::string& user, const std::string& actor);
  // Gives every configured user `password` (one hash for all: a demonstration, never production;
  // the CLI allows it on a simulation database only). Audit: password_set {via: demo} per user.
  // The number of users.
  Result<int> set_demo_passwords(const std::string& password, const std::string& actor);
  // The password policy alone (bad_input with the reason), for a front end to check early.
  Status check_password(const std::string& password) const;
  const SessionPolicy& policy() const { return policy_; }

 private:
  Status check_user(const std::string& user) const;
  void audit(const std::string& user, const std::string& actor, const std::string& event, nlohmann::json data,
             Instant at);
  // The account row of a configured user, created when missing, locked for this transaction.
  Account lock_account(const std::string& user, Instant now);
  std::optional<std::int64_t> totp_step(const Account& a, const std::string& code, Instant now);
  template <typename T, typename F>
  Result<T> write(F&& f);

  const Config& config_;
  Store& store_;
  Secrets& secrets_;
  const Clock& clock_;
  SessionPolicy policy_;
  std::string dummy_hash_;  // verified against when there is no real hash (same cost)
  RetryPolicy retry_;
};

}  // namespace ocop
