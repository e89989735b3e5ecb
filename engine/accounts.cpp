// Accounts: sign-in, sessions, API tokens, invitations, TOTP (ocop/accounts.hpp).
#include "ocop/accounts.hpp"
#include "ocop/url.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "ocop/audit.hpp"
#include "ocop/limits.hpp"
#include "ocop/sha256.hpp"

namespace ocop {

namespace {

constexpr std::size_t kMaxUserBytes = 128;
constexpr std::size_t kMaxSecretBytes = 128;    // a session id, token or invitation as given
constexpr std::size_t kMaxPasswordBytes = 1024;  // bytes; and at most 128 characters
constexpr std::size_t kMaxPasswordChars = 128;
constexpr std::size_t kMaxAddressBytes = 100;
constexpr std::size_t kMaxNoteBytes = 200;
constexpr std::int64_t kTouchEverySeconds = 60;  // a session's last_seen is written at most this often
constexpr std::int64_t kTotpStep = 30;
const char* const kTokenPrefix = "ocop_";

Instant plus(Instant t, std::int64_t seconds) { return Instant{t.seconds + seconds}; }
std::string utc(Instant t) { return format_instant(t, 0); }


std::size_t utf8_chars(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

// A name a person or a front end gives (user, actor, address, note): valid UTF-8, bounded, no
// character limits.hpp refuses.
Status check_text(const std::string& s, std::size_t max_bytes, const std::string& what, bool allow_empty) {
  if (s.empty()) return allow_empty ? Status::Ok() : Status::BadInput(what + " is empty");
  if (s.size() > max_bytes) return Status::BadInput(what + " is longer than " + std::to_string(max_bytes) + " bytes");
  if (!valid_utf8(s)) return Status::BadInput(what + " is not valid UTF-8");
  return check_name(s, what);
}

bool equal_constant_time(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d |= static_cast<unsigned char>(a[i] ^ b[i]);
  return d == 0;
}

std::optional<std::string> base32_decode(const std::string& text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char ch : text) {
    int v;
    if (ch >= 'A' && ch <= 'Z')
      v = ch - 'A';
    else if (ch >= '2' && ch <= '7')
      v = ch - '2' + 26;
    else
      return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xFF);
      bits -= 8;
    }
  }
  return out;
}

std::string session_credential(const std::string& id_hash) { return id_hash.substr(0, 16); }

}  // namespace

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string base32_encode(const std::string& bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

std::string totp_code(Secrets& secrets, const std::string& key, std::int64_t step) {
  std::string counter(8, '\0');
  auto c = static_cast<std::uint64_t>(step);
  for (int i = 7; i >= 0; --i) {
    counter[static_cast<std::size_t>(i)] = static_cast<char>(c & 0xFF);
    c >>= 8;
  }
  const std::string mac = secrets.hmac_sha1(key, counter);
  if (mac.size() != 20) return {};
  const int offset = static_cast<unsigned char>(mac[19]) & 0x0F;
  const std::uint32_t binary = (static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset]) & 0x7F) << 24) |
                               (static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset + 1])) << 16) |
                               (static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset + 2])) << 8) |
                               static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset + 3]));
  std::string code = std::to_string(binary % 1000000);
  return std::string(6 - code.size(), '0') + code;
}

bool needs_second_factor(const Config& config, const SessionPolicy& policy, const std::string& user) {
  const User* u = config.user(user);
  if (!u) return false;
  for (const auto& r : u->roles)
    if (std::find(policy.second_factor_roles.begin(), policy.second_factor_roles.end(), r) !=
        policy.second_factor_roles.end())
      return true;
  return false;
}

Status bind_actor(EventRequest& req, const Principal& principal) {
  if (principal.user.empty()) return Status::Forbidden(kNotSignedIn);
  if (req.actor.empty()) {
    req.actor = principal.user;
    return Status::Ok();
  }
  if (req.actor != principal.user)
    return Status::Forbidden("the request's actor \"" + req.actor + "\" is not the signed-in user \"" +
                             principal.user + "\": nobody acts in another's name");
  return Status::Ok();
}

// --- EngineAccounts ---------------------------------------------------------------------------

EngineAccounts::EngineAccounts(const Config& config, Store& store, Secrets& secrets, const Clock& clock,
                               SessionPolicy policy)
    : config_(config), store_(store), secrets_(secrets), clock_(clock), policy_(std::move(policy)) {}

template <typename T, typename F>
Result<T> EngineAccounts::write(F&& f) {
  try {
    return with_retry(retry_, [&](int) {
      Transaction tx(store_);
      Result<T> r = f();
      tx.commit();  // a refusal commits what it recorded (failures, lock-outs)
      return r;
    });
  } catch (const StoreError& e) {
    Result<T> r;
    r.status = Status::Internal(std::string("database: ") + e.what());
    return r;
  }
}

namespace {
struct Nothing {};
template <typename T>
Result<T> failed(Status s) {
  Result<T> r;
  r.status = std::move(s);
  return r;
}
}  // namespace

Status EngineAccounts::check_user(const std::string& user) const {
  if (Status s = check_text(user, kMaxUserBytes, "user", false); !s.ok()) return s;
  if (!config_.user(user)) return Status::NotFound("no configured user \"" + user + "\"");
  return Status::Ok();
}

Status EngineAccounts::check_password(const std::string& password) const {
  if (password.size() > kMaxPasswordBytes || utf8_chars(password) > kMaxPasswordChars)
    return Status::BadInput("the password is longer than " + std::to_string(kMaxPasswordChars) + " characters");
  if (!valid_utf8(password)) return Status::BadInput("the password is not valid UTF-8");
  if (password.find('\0') != std::string::npos) return Status::BadInput("the password holds a NUL character");
  if (utf8_chars(password) < static_cast<std::size_t>(policy_.min_password_length))
    return Status::BadInput("the password is shorter than " + std::to_string(policy_.min_password_length) +
                            " characters");
  return Status::Ok();
}

void EngineAccounts::audit(const std::string& user, const std::string& actor, const std::string& event,
                           nlohmann::json data, Instant at) {
  AuditRecord rec;
  rec.at = at;
  rec.actor = actor;
  rec.dossier = "user:" + user;
  rec.event = event;
  rec.data = data.dump();
  chain_and_append(store_, rec);
}

Account EngineAccounts::lock_account(const std::string& user, Instant now) {
  store_.create_account(user, now);
  auto a = store_.load_account(user);
  if (!a) throw StoreError("the account of " + user + " vanished inside its transaction", true);
  return *a;
}

std::optional<std::int64_t> EngineAccounts::totp_step(const Account& a, const std::string& code, Instant now) {
  auto key = base32_decode(a.totp_secret);
  if (!key || key->empty()) return std::nullopt;
  const std::int64_t step = now.seconds / kTotpStep;
  std::optional<std::int64_t> found;
  for (std::int64_t s = step - 1; s <= step + 1; ++s)
    if (equal_constant_time(totp_code(secrets_, *key, s), code)) found = s;
  return found;
}

// --- sign-in ----------------------------------------------------------------------------------

Result<LoginResult> EngineAccounts::login(const LoginRequest& req) {
  if (Status s = check_text(req.user, kMaxUserBytes, "user", false); !s.ok()) return failed<LoginResult>(s);
  if (req.password.size() > kMaxPasswordBytes)
    return failed<LoginResult>(Status::BadInput("the password is longer than " +
                                                std::to_string(kMaxPasswordBytes) + " bytes"));
  if (!req.totp.empty() &&
      (req.totp.size() != 6 || !std::all_of(req.totp.begin(), req.totp.end(), [](char c) { return c >= '0' && c <= '9'; })))
    return failed<LoginResult>(Status::BadInput("the code must be 6 digits"));
  if (Status s = check_text(req.address, kMaxAddressBytes, "address", true); !s.ok()) return failed<LoginResult>(s);

  const Instant now = clock_.now();
  const Instant window_start = plus(now, -60LL * policy_.lockout_minutes);
  const User* user = config_.user(req.user);
  std::optional<Account> before;
  try {
    // Per address: too many failures in the window refuse at once, whoever is named.
    if (!req.address.empty() &&
        store_.count_login_failures(req.address, window_start) >= policy_.address_failures)
      return failed<LoginResult>(Status::Forbidden(kSignInFailed));
    if (user) before = store_.load_account(req.user);
  } catch (const StoreError& e) {
    return failed<LoginResult>(Status::Internal(std::string("database: ") + e.what()));
  }

  // The argon2 work is done whatever the account: an unknown user, or one without a password,
  // is verified against a dummy hash of the same cost, so the answer's time tells nothing.
  const bool has_hash = before && !before->password_hash.empty();
  if (!has_hash && dummy_hash_.empty()) dummy_hash_ = secrets_.hash_password(secrets_.random_token());
  const std::string verified_hash = has_hash ? before->password_hash : dummy_hash_;
  const bool password_ok = secrets_.verify_password(verified_hash, req.password) && has_hash;

  return write<LoginResult>([&]() -> Result<LoginResult> {
    if (!user) {
      if (!req.address.empty()) store_.record_login_failure(req.address, req.user, now);
      store_.purge_login_failures(window_start);
      return failed<LoginResult>(Status::Forbidden(kSignInFailed));
    }
    Account a = lock_account(req.user, now);
    nlohmann::json where = nlohmann::json::object();
    if (!req.address.empty()) where["address"] = req.address;

    auto fail = [&](const char* reason) -> Result<LoginResult> {
      if (!req.address.empty()) store_.record_login_failure(req.address, req.user, now);
      store_.purge_login_failures(window_start);
      nlohmann::json d = where;
      d["reason"] = reason;
      audit(req.user, req.user, "login_failed", d, now);
      ++a.version;
      if (std::string(reason) != "locked" && ++a.failures >= policy_.lockout_failures) {
        a.failures = 0;
        a.locked_until = plus(now, 60LL * policy_.lockout_minutes);
        nlohmann::json l = where;
        l["until"] = utc(*a.locked_until);
        audit(req.user, req.user, "locked_out", l, now);
        ++a.version;
      }
      a.updated_at = now;
      store_.update_account(a);
      return failed<LoginResult>(Status::Forbidden(kSignInFailed));
    };

    if (a.locked_until && now < *a.locked_until) return fail("locked");
    if (a.locked_until) a.locked_until.reset();  // the lock-out is over
    // The hash verified must still be the account's (a password set meanwhile: try again).
    if (!password_ok || a.password_hash != verified_hash) return fail(has_hash ? "password" : "no_password");
    bool second = false;
    if (needs_second_factor(config_, policy_, req.user)) {
      if (a.totp_secret.empty()) return fail("no_second_factor_enrolled");
      if (req.totp.empty()) return failed<LoginResult>(Status::Forbidden(kSecondFactorRequired));
      auto step = totp_step(a, req.totp, now);
      if (!step) return fail("code");
      if (*step <= a.totp_last_step) return fail("code_replayed");
      a.totp_last_step = *step;
      second = true;
    }

    Result<LoginResult> r;
    StoredSession s;
    r.value.session = secrets_.random_token();
    s.id_hash = sha256_hex(r.value.session);
    s.user = req.user;
    s.created_at = s.last_seen = now;
    s.expires_at = plus(now, 3600LL * policy_.absolute_hours);
    s.second_factor = second;
    s.address = req.address;
    store_.delete_sessions_expired(now, plus(now, -60LL * policy_.idle_minutes));
    store_.insert_session(s);
    nlohmann::json d = where;
    d["session"] = session_credential(s.id_hash);
    if (second) d["second_factor"] = true;
    audit(req.user, req.user, "login", d, now);
    ++a.version;
    a.failures = 0;
    a.updated_at = now;
    store_.update_account(a);
    r.value.principal = Principal{req.user, "session", session_credential(s.id_hash), second};
    return r;
  });
}

Result<Principal> EngineAccounts::authenticate_session(const std::string& session) {
  if (session.empty() || session.size() > kMaxSecretBytes) return failed<Principal>(Status::Forbidden(kNotSignedIn));
  const std::string h = sha256_hex(session);
  const Instant now = clock_.now();
  std::optional<StoredSession> s;
  try {
    s = store_.load_session(h);
  } catch (const StoreError& e) {
    return failed<Principal>(Status::Internal(std::string("database: ") + e.what()));
  }
  if (!s) return failed<Principal>(Status::Forbidden(kNotSignedIn));
  const bool expired = !(now < s->expires_at) || now.seconds - s->last_seen.seconds >= 60LL * policy_.idle_minutes;
  // A user removed from the configuration, or one whose roles now need a second factor the
  // session never gave, is signed out.
  const bool invalid = !config_.user(s->user) || (needs_second_factor(config_, policy_, s->user) && !s->second_factor);
  if (expired || invalid) {
    auto r = write<Nothing>([&]() -> Result<Nothing> {
      store_.delete_session(h);
      return {};
    });
    if (!r.ok()) return failed<Principal>(r.status);
    return failed<Principal>(Status::Forbidden(kNotSignedIn));
  }
  if (now.seconds - s->last_seen.seconds >= kTouchEverySeconds) {
    auto r = write<Nothing>([&]() -> Result<Nothing> {
      store_.touch_session(h, now);
      return {};
    });
    if (!r.ok()) return failed<Principal>(r.status);
  }
  Result<Principal> r;
  r.value = Principal{s->user, "session", session_credential(h), s->second_factor};
  return r;
}

Result<Principal> EngineAccounts::authenticate_token(const std::string& token) {
  if (token.size() > kMaxSecretBytes || token.rfind(kTokenPrefix, 0) != 0)
    return failed<Principal>(Status::Forbidden(kNotSignedIn));
  const Instant now = clock_.now();
  std::optional<ApiToken> t;
  try {
    t = store_.load_token_by_hash(sha256_hex(token));
  } catch (const StoreError& e) {
    return failed<Principal>(Status::Internal(std::string("database: ") + e.what()));
  }
  if (!t || t->revoked_at || !(now < t->expires_at) || !config_.user(t->user))
    return failed<Principal>(Status::Forbidden(kNotSignedIn));
  Result<Principal> r;
  r.value = Principal{t->user, "token", t->id, true};
  return r;
}

Status EngineAccounts::logout(const std::string& session) {
  if (session.empty() || session.size() > kMaxSecretBytes) return Status::Ok();
  const std::string h = sha256_hex(session);
  return write<Nothing>([&]() -> Result<Nothing> {
           store_.delete_session(h);
           return {};
         })
      .status;
}

Status EngineAccounts::logout_everywhere(const std::string& user, const std::string& actor) {
  if (Status s = check_user(user); !s.ok()) return s;
  if (Status s = check_text(actor, kMaxUserBytes, "actor", false); !s.ok()) return s;
  const Instant now = clock_.now();
  return write<Nothing>([&]() -> Result<Nothing> {
           Account a = lock_account(user, now);
           const int n = store_.delete_sessions_of(user);
           audit(user, actor, "signed_out_everywhere", {{"sessions", n}}, now);
           ++a.version;
           a.updated_at = now;
           store_.update_account(a);
           return {};
         })
      .status;
}

// --- passwords and invitations ----------------------------------------------------------------

Status EngineAccounts::set_password(const std::string& user, const std::string& password, const std::string& actor) {
  if (Status s = check_user(user); !s.ok()) return s;
  if (Status s = check_text(actor, kMaxUserBytes, "actor", false); !s.ok()) return s;
  if (Status s = check_password(password); !s.ok()) return s;
  const std::string hash = secrets_.hash_password(password);
  const Instant now = clock_.now();
  return write<Nothing>([&]() -> Result<Nothing> {
           Account a = lock_account(user, now);
           a.password_hash = hash;
           a.password_set_at = now;
           a.failures = 0;
           a.locked_until.reset();
           const int ended = store_.delete_sessions_of(user);
           store_.delete_unused_invitations(user);
           audit(user, actor, "password_set", {{"via", "operator"}, {"sessions_ended", ended}}, now);
           ++a.version;
           a.updated_at = now;
           store_.update_account(a);
           return {};
         })
      .status;
}

Result<int> EngineAccounts::set_demo_passwords(const std::string& password, const std::string& actor) {
  if (Status s = check_text(actor, kMaxUserBytes, "actor", false); !s.ok()) return failed<int>(s);
  if (Status s = check_password(password); !s.ok()) return failed<int>(s);
  const std::string hash = secrets_.hash_password(password);
  const Instant now = clock_.now();
  return write<int>([&]() -> Result<int> {
    Result<int> r;
    for (const User& u : config_.users()) {
      Account a = lock_account(u.id, now);
      a.password_hash = hash;
      a.password_set_at = now;
      a.failures = 0;
      a.locked_until.reset();
      const int ended = store_.delete_sessions_of(u.id);
      audit(u.id, actor, "password_set", {{"via", "demo"}, {"sessions_ended", ended}}, now);
      ++a.version;
      a.updated_at = now;
      store_.update_account(a);
      ++r.value;
    }
    return r;
  });
}

Result<std::string> EngineAccounts::invite(const std::string& user, const std::string& actor) {
  if (Status s = check_user(user); !s.ok()) return failed<std::string>(s);
  if (Status s = check_text(actor, kMaxUserBytes, "actor", false); !s.ok()) return failed<std::string>(s);
  const Instant now = clock_.now();
  const std::string secret = secrets_.random_token();
  return write<std::string>([&]() -> Result<std::string> {
    Account a = lock_account(user, now);
    store_.delete_unused_invitations(user);  // the newest invitation is the only one good
    Invitation inv;
    inv.hash = sha256_hex(secret);
    inv.user = user;
    inv.created_at = now;
    inv.expires_at = plus(now, 3600LL * policy_.invitation_hours);
    store_.insert_invitation(inv);
    audit(user, actor, "invited", {{"expires", utc(inv.expires_at)}}, now);
    ++a.version;
    a.updated_at = now;
    store_.update_account(a);
    Result<std::string> r;
    r.value = secret;
    return r;
  });
}

Status EngineAccounts::accept_invitation(const std::string& secret, const std::string& password) {
  static const char* kUnknown = "the invitation is unknown or expired: ask for a new one";
  if (secret.empty() || secret.size() > kMaxSecretBytes) return Status::Forbidden(kUnknown);
  const std::string h = sha256_hex(secret);
  const Instant now = clock_.now();
  std::optional<Invitation> inv;
  try {
    inv = store_.load_invitation(h);
  } catch (const StoreError& e) {
    return Status::Internal(std::string("database: ") + e.what());
  }
  if (!inv || !(now < inv->expires_at) || !config_.user(inv->user)) return Status::Forbidden(kUnknown);
  if (inv->used_at) return Status::Conflict("the invitation was used already: ask for a new one");
  if (Status s = check_password(password); !s.ok()) return s;  // before it is used up
  const std::string hash = secrets_.hash_password(password);
  return write<Nothing>([&]() -> Result<Nothing> {
           if (!store_.use_invitation(h, now))
             return failed<Nothing>(Status::Conflict("the invitation was used already: ask for a new one"));
           Account a = lock_account(inv->user, now);
           a.password_hash = hash;
           a.password_set_at = now;
           a.failures = 0;
           a.locked_until.reset();
           const int ended = store_.delete_sessions_of(inv->user);
           audit(inv->user, inv->user, "password_set", {{"via", "invitation"}, {"sessions_ended", ended}}, now);
           ++a.version;
           a.updated_at = now;
           store_.update_account(a);
           return {};
         })
      .status;
}

// --- API tokens -------------------------------------------------------------------------------

Result<TokenCreated> EngineAccounts::create_token(const std::string& user, int expires_days, const std::string& actor,
                                                  const std::string& note) {
  if (Status s = check_user(user); !s.ok()) return failed<TokenCreated>(s);
  if (Status s = check_text(actor, kMaxUserBytes, "actor", false); !s.ok()) return failed<TokenCreated>(s);
  if (Status s = check_text(note, kMaxNoteBytes, "note", true); !s.ok()) return failed<TokenCreated>(s);
  if (expires_days < 1 || expires_days > policy_.max_token_days)
    return failed<TokenCreated>(Status::BadInput("a token expires in 1 to " + std::to_string(policy_.max_token_days) +
                                                 " days, not " + std::to_string(expires_days)));
  const Instant now = clock_.now();
  ApiToken t;
  // 64 random bits in hex: an id a shell never takes for an option (base64url may start with '-').
  t.id = sha256_hex(secrets_.random_token()).substr(0, 16);
  const std::string secret = kTokenPrefix + secrets_.random_token();
  t.hash = sha256_hex(secret);
  t.user = user;
  t.created_at = now;
  t.expires_at = plus(now, 86400LL * expires_days);
  t.note = note;
  t.created_by = actor;
  return write<TokenCreated>([&]() -> Result<TokenCreated> {
    Account a = lock_account(user, now);
    store_.insert_token(t);
    nlohmann::json d = {{"token", t.id}, {"expires", utc(t.expires_at)}};
    if (!note.empty()) d["note"] = note;
    audit(user, actor, "token_created", d, now);
    ++a.version;
    a.updated_at = now;
    store_.update_account(a);
    Result<TokenCreated> r;
    r.value = TokenCreated{t.id, secret, t.expires_at};
    return r;
  });
}

Result<std::vector<TokenInfo>> EngineAccounts::tokens(const std::string& user) {
  if (!user.empty())
    if (Status s = check_user(user); !s.ok()) return failed<std::vector<TokenInfo>>(s);
  Result<std::vector<TokenInfo>> r;
  try {
    for (const ApiToken& t : store_.tokens_of(user))
      r.value.push_back(TokenInfo{t.id, t.user, t.created_at, t.expires_at, t.revoked_at.has_value(), t.note});
  } catch (const StoreError& e) {
    r.status = Status::Internal(std::string("database: ") + e.what());
  }
  return r;
}

Status EngineAccounts::revoke_token(const std::string& id, const std::string& actor) {
  if (Status s = check_text(id, kMaxSecretBytes, "token id", false); !s.ok()) return s;
  if (Status s = check_text(actor, kMaxUserBytes, "actor", false); !s.ok()) return s;
  const Instant now = clock_.now();
  return write<Nothing>([&]() -> Result<Nothing> {
           auto t = store_.load_token(id);
           if (!t) return failed<Nothing>(Status::NotFound("no token \"" + id + "\""));
           if (t->revoked_at)
             return failed<Nothing>(Status::Refused("token " + id + " was revoked already, at " + utc(*t->revoked_at)));
           Account a = lock_account(t->user, now);
           store_.revoke_token(id, now);
           audit(t->user, actor, "token_revoked", {{"token", id}}, now);
           ++a.version;
           a.updated_at = now;
           store_.update_account(a);
           return {};
         })
      .status;
}

Result<std::vector<SessionInfo>> EngineAccounts::sessions(const std::string& user) {
  if (Status s = check_user(user); !s.ok()) return failed<std::vector<SessionInfo>>(s);
  Result<std::vector<SessionInfo>> r;
  try {
    const Instant now = clock_.now();
    for (const StoredSession& s : store_.sessions_of(user)) {
      // Ended (as authenticate_session decides); purged later.
      if (!(now < s.expires_at) || now.seconds - s.last_seen.seconds >= 60LL * policy_.idle_minutes) continue;
      r.value.push_back(
          SessionInfo{session_credential(s.id_hash), s.created_at, s.last_seen, s.expires_at, s.second_factor, s.address});
    }
  } catch (const StoreError& e) {
    r.status = Status::Internal(std::string("database: ") + e.what());
  }
  return r;
}

Status EngineAccounts::revoke_own_token(const std::string& user, const std::string& id) {
  if (Status s = check_user(user); !s.ok()) return s;
  if (Status s = check_text(id, kMaxSecretBytes, "token id", false); !s.ok()) return s;
  try {
    // A token's owner never changes: checked before the write, which revokes it as the user.
    auto t = store_.load_token(id);
    if (!t || t->user != user) return Status::NotFound("no token \"" + id + "\"");
  } catch (const StoreError& e) {
    return Status::Internal(std::string("database: ") + e.what());
  }
  return revoke_token(id, user);
}

// --- TOTP -------------------------------------------------------------------------------------

Result<TotpEnrolment> EngineAccounts::enrol_totp(const std::string& user, const std::string& actor) {
  if (Status s = check_user(user); !s.ok()) return failed<TotpEnrolment>(s);
  if (Status s = check_text(actor, kMaxUserBytes, "actor", false); !s.ok()) return failed<TotpEnrolment>(s);
  const Instant now = clock_.now();
  const std::string secret = base32_encode(secrets_.random_bytes(20));
  return write<TotpEnrolment>([&]() -> Result<TotpEnrolment> {
    Account a = lock_account(user, now);
    a.totp_secret = secret;
    a.totp_last_step = 0;
    audit(user, actor, "totp_enrolled", nlohmann::json::object(), now);
    ++a.version;
    a.updated_at = now;
    store_.update_account(a);
    const std::string issuer = "OCOP " + config_.province.code;
    Result<TotpEnrolment> r;
    r.value.secret = secret;
    r.value.uri = "otpauth://totp/" + url_encode(issuer) + ":" + url_encode(user) + "?secret=" + secret +
                  "&issuer=" + url_encode(issuer) + "&algorithm=SHA1&digits=6&period=30";
    return r;
  });
}

}  // namespace ocop
