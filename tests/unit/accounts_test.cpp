// Accounts (ocop/accounts.hpp) on the in-memory store with a fixed clock: sessions and their
// timeouts, lock-out and its end, throttling by address, TOTP (window, replay, RFC 6238 vectors),
// an unknown user indistinguishable from a wrong password, tokens, invitations, the audit records
// and the chain, bind_actor; and the libsodium adapter itself.
#include <boost/test/unit_test.hpp>

#include "faulty_store.hpp"
#include "memory_store.hpp"
#include "ocop/accounts.hpp"
#include "ocop/audit.hpp"
#include "ocop/sha256.hpp"
#include "security/sodium_secrets.hpp"

namespace ocop {
// How Boost.Test prints what it compares here (internal to this file).
static std::ostream& boost_test_print_type(std::ostream& o, const Code& c) { return o << code_name(c); }
}  // namespace ocop

using namespace ocop;
using ocop::testing::FaultyStore;
using ocop::testing::MemoryStore;

namespace {

// Real HMAC and randomness (libsodium, OpenSSL); a cheap password "hash" that counts the
// verifications, so a test can see the argon2 work is done for every sign-in.
class CountingSecrets : public Secrets {
 public:
  std::string hash_password(const std::string& password) override {
    ++hashes;
    return "fake$" + sha256_hex("salt" + password);
  }
  bool verify_password(const std::string& encoded, const std::string& password) override {
    ++verifications;
    return encoded == "fake$" + sha256_hex("salt" + password);
  }
  std::string random_token() override { return real.random_token(); }
  std::string random_bytes(std::size_t n) override { return real.random_bytes(n); }
  std::string hmac_sha1(const std::string& key, const std::string& message) override {
    return real.hmac_sha1(key, message);
  }
  int hashes = 0, verifications = 0;
  security::SodiumSecrets real{security::PasswordCost::interactive};
};

Config test_config() {
  Config c;
  c.province.code = "TQ";
  c.roles["coordinator"] = 0;
  c.roles["signer"] = 0;
  c.mutable_users().push_back(User{"lan", "Lan", {"coordinator"}, "TQ", "", 0});
  c.mutable_users().push_back(User{"ngoc", "Ngọc", {"signer"}, "TQ", "", 0});
  c.index();
  return c;
}

const std::string kPassword = "correct horse battery";

struct Fixture {
  Config config = test_config();
  MemoryStore store;
  CountingSecrets secrets;
  FixedClock clock{*parse_instant("2026-03-02T08:00:00Z", 0)};
  SessionPolicy policy;
  EngineAccounts accounts{config, store, secrets, clock, policy};

  void advance(std::int64_t seconds) { clock.set(Instant{clock.now().seconds + seconds}); }
  LoginRequest req(const std::string& user, const std::string& password, const std::string& address = "10.0.0.1",
                   const std::string& code = "") {
    return LoginRequest{user, password, code, address};
  }
  // The records of user:<id>, in order: their events.
  std::vector<std::string> events(const std::string& user) {
    std::vector<std::string> out;
    for (const auto& r : store.history("user:" + user)) out.push_back(r.event);
    return out;
  }
  // The whole chain verifies and every account's version matches its records.
  void chain_verifies() {
    ChainVerifier v;
    store.scan_audit([&](const AuditRecord& r) { return v.feed(r); });
    BOOST_TEST(v.ok(), v.failure().value_or(""));
    auto mismatches = store.version_mismatches(10);
    BOOST_TEST(mismatches.empty(), (mismatches.empty() ? "" : mismatches.front()));
  }
  std::string code_at(const std::string& user, std::int64_t offset_steps = 0) {
    auto a = store.load_account(user);
    BOOST_REQUIRE(a);
    // base32 decode through the engine's own encoder: encode(decode(x)) == x for our secrets.
    std::string key;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char ch : a->totp_secret) {
      int v = ch >= 'A' && ch <= 'Z' ? ch - 'A' : ch - '2' + 26;
      buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
      bits += 5;
      if (bits >= 8) {
        key += static_cast<char>((buffer >> (bits - 8)) & 0xFF);
        bits -= 8;
      }
    }
    return totp_code(secrets, key, clock.now().seconds / 30 + offset_steps);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(accounts)

BOOST_FIXTURE_TEST_CASE(login_opens_a_session_that_authenticates, Fixture) {
  BOOST_REQUIRE(accounts.set_password("lan", kPassword, "cli:root").ok());
  auto r = accounts.login(req("lan", kPassword));
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status.message());
  BOOST_TEST(r.value.session.size() == 43u);
  BOOST_TEST(r.value.principal.user == "lan");
  BOOST_TEST(r.value.principal.via == "session");
  // Only the SHA-256 of the session id is stored.
  BOOST_TEST(store.load_session(sha256_hex(r.value.session)).has_value());
  BOOST_TEST(!store.load_session(r.value.session).has_value());
  auto p = accounts.authenticate_session(r.value.session);
  BOOST_REQUIRE(p.ok());
  BOOST_TEST(p.value.user == "lan");
  BOOST_TEST(p.value.credential == r.value.principal.credential);
  BOOST_TEST(p.value.credential.find(r.value.session) == std::string::npos);
  BOOST_TEST(accounts.authenticate_session("not-a-session").status.code() == Code::forbidden);
  BOOST_TEST((events("lan") == std::vector<std::string>{"password_set", "login"}));
  chain_verifies();
}

BOOST_FIXTURE_TEST_CASE(idle_and_absolute_timeouts_end_a_session, Fixture) {
  BOOST_REQUIRE(accounts.set_password("lan", kPassword, "cli:root").ok());
  auto r = accounts.login(req("lan", kPassword));
  BOOST_REQUIRE(r.ok());
  // Used every 29 minutes: the idle timer is refreshed and the session lives on.
  for (int i = 0; i < 24; ++i) {
    advance(29 * 60);
    BOOST_REQUIRE_MESSAGE(accounts.authenticate_session(r.value.session).ok(), "after " << (i + 1) * 29 << " min");
  }
  // 24 x 29 min = 11 h 36 min. At 12 h from sign-in the absolute timeout ends it, however used.
  advance(23 * 60);  // 11 h 59 min
  BOOST_TEST(accounts.authenticate_session(r.value.session).ok());
  advance(60);  // 12 h
  BOOST_TEST(accounts.authenticate_session(r.value.session).status.code() == Code::forbidden);
  BOOST_TEST(!store.load_session(sha256_hex(r.value.session)).has_value());  // deleted

  auto r2 = accounts.login(req("lan", kPassword));
  BOOST_REQUIRE(r2.ok());
  advance(29 * 60 + 59);
  BOOST_TEST(accounts.authenticate_session(r2.value.session).ok());
  advance(30 * 60);  // idle for 30 minutes exactly
  BOOST_TEST(accounts.authenticate_session(r2.value.session).status.code() == Code::forbidden);
}

BOOST_FIXTURE_TEST_CASE(logout_and_sign_out_everywhere, Fixture) {
  BOOST_REQUIRE(accounts.set_password("lan", kPassword, "cli:root").ok());
  auto a = accounts.login(req("lan", kPassword));
  auto b = accounts.login(req("lan", kPassword));
  auto c = accounts.login(req("lan", kPassword));
  BOOST_REQUIRE(a.ok() && b.ok() && c.ok());
  BOOST_TEST(accounts.logout(a.value.session).ok());
  BOOST_TEST(accounts.authenticate_session(a.value.session).status.code() == Code::forbidden);
  BOOST_TEST(accounts.authenticate_session(b.value.session).ok());
  BOOST_TEST(accounts.logout(a.value.session).ok());  // again: nothing to do
  BOOST_TEST(accounts.logout_everywhere("lan", "lan").ok());
  BOOST_TEST(accounts.authenticate_session(b.value.session).status.code() == Code::forbidden);
  BOOST_TEST(accounts.authenticate_session(c.value.session).status.code() == Code::forbidden);
  BOOST_TEST(accounts.logout_everywhere("nobody", "lan").code() == Code::not_found);
  auto records = store.history("user:lan");
  BOOST_TEST(records.back().event == "signed_out_everywhere");
  BOOST_TEST(records.back().data == R"({"sessions":2})");
  chain_verifies();
}

BOOST_FIXTURE_TEST_CASE(a_new_password_ends_the_sessions, Fixture) {
  BOOST_REQUIRE(accounts.set_password("lan", kPassword, "cli:root").ok());
  auto a = accounts.login(req("lan", kPassword));
  BOOST_REQUIRE(a.ok());
  BOOST_REQUIRE(accounts.set_password("lan", "another long password", "cli:root").ok());
  BOOST_TEST(accounts.authenticate_session(a.value.session).status.code() == Code::forbidden);
  BOOST_TEST(accounts.login(req("lan", kPassword)).status.code() == Code::forbidden);
  BOOST_TEST(accounts.login(req("lan", "another long password")).ok());
}

BOOST_FIXTURE_TEST_CASE(password_policy, Fixture) {
  BOOST_TEST(accounts.set_password("lan", "short", "cli:root").code() == Code::bad_input);
  BOOST_TEST(accounts.set_password("lan", std::string(11, 'x'), "cli:root").code() == Code::bad_input);
  BOOST_TEST(accounts.set_password("lan", std::string(12, 'x'), "cli:root").ok());
  // 12 characters of Vietnamese are more than 12 bytes and pass.
  BOOST_TEST(accounts.set_password("lan", "mậtkhẩumớiạ1", "cli:root").ok());
  BOOST_TEST(accounts.set_password("lan", std::string(129, 'x'), "cli:root").code() == Code::bad_input);
  BOOST_TEST(accounts.set_password("nobody", kPassword, "cli:root").code() == Code::not_found);
  BOOST_TEST(secrets.hashes == 2);  // refused passwords are never hashed
}

BOOST_FIXTURE_TEST_CASE(unknown_user_is_indistinguishable_from_a_wrong_password, Fixture) {
  BOOST_REQUIRE(accounts.set_password("lan", kPassword, "cli:root").ok());
  const int before = secrets.verifications;
  auto unknown = accounts.login(req("nobody", kPassword));
  auto wrong = accounts.login(req("lan", "wrong password!!"));
  auto no_password = accounts.login(req("ngoc", kPassword));  // configured, no password set
  BOOST_TEST(unknown.status.code() == Code::forbidden);
  BOOST_TEST(wrong.status.code() == Code::forbidden);
  BOOST_TEST(no_password.status.code() == Code::forbidden);
  BOOST_TEST(unknown.status.message() == wrong.status.message());
  BOOST_TEST(no_password.status.message() == wrong.status.message());
  // The password work was done each time (a dummy hash for the unknown user and the one
  // without a password).
  BOOST_TEST(secrets.verifications - before == 3);
  // An unknown name has no account and no audit record; it is counted by address.
  BOOST_TEST(!store.load_account("nobody").has_value());
  BOOST_TEST(store.history("user:nobody").empty());
  BOOST_TEST(store.count_login_failures("10.0.0.1", Instant{0}) == 3);
  BOOST_TEST((events("lan") == std::vector<std::string>{"password_set", "login_failed"}));
  chain_verifies();
}

BOOST_FIXTURE_TEST_CASE(consecutive_failures_lock_the_account_until_the_lock_out_ends, Fixture) {
  BOOST_REQUIRE(accounts.set_password("lan", kPassword, "cli:root").ok());
  for (int i = 0; i < 4; ++i) BOOST_TEST(accounts.login(req("lan", "wrong password!!")).status.code() == Code::forbidden);
  // A success resets the count.
  BOOST_TEST(accounts.login(req("lan", kPassword)).ok());
  for (int i = 0; i < 4; ++i) BOOST_TEST(!accounts.login(req("lan", "wrong password!!")).ok());
  BOOST_TEST(store.load_account("lan")->failures == 4);
  BOOST_TEST(!store.load_account("lan")->locked_until);
  BOOST_TEST(!accounts.login(req("lan", "wrong password!!")).ok());  // the 5th in a row
  BOOST_TEST(store.load_account("lan")->locked_until.has_value());
  BOOST_TEST(events("lan").back() == "locked_out");
  // Locked: the right password is refused, with the same message.
  advance(14 * 60);
  auto locked = accounts.login(req("lan", kPassword));
  BOOST_TEST(locked.status.code() == Code::forbidden);
  BOOST_TEST(locked.status.message() == std::string(kSignInFailed));
  auto last = store.history("user:lan").back();
  BOOST_TEST(last.event == "login_failed");
  BOOST_TEST(last.data.find("\"reason\":\"locked\"") != std::string::npos);
  // 15 minutes after the lock-out it is over.
  advance(60);
  BOOST_TEST(accounts.login(req("lan", kPassword)).ok());
  BOOST_TEST(!store.load_account("lan")->locked_until);
  chain_verifies();
}

BOOST_FIXTURE_TEST_CASE(one_address_is_throttled_whatever_the_names, Fixture) {
  BOOST_REQUIRE(accounts.set_password("lan", kPassword, "cli:root").ok());
  // 20 failures from one address against names that do not exist.
  for (int i = 0; i < 20; ++i) BOOST_TEST(!accounts.login(req("guess" + std::to_string(i), "x", "203.0.113.9")).ok());
  const int verifications = secrets.verifications;
  // Now even the right password from that address is refused, before any password work...
  BOOST_TEST(accounts.login(req("lan", kPassword, "203.0.113.9")).status.code() == Code::forbidden);
  BOOST_TEST(secrets.verifications == verifications);
  // ...while another address signs in.
  BOOST_TEST(accounts.login(req("lan", kPassword, "198.51.100.7")).ok());
  // The window slides: 15 minutes later the address may try again.
  advance(15 * 60 + 1);
  BOOST_TEST(accounts.login(req("lan", kPassword, "203.0.113.9")).ok());
}

BOOST_FIXTURE_TEST_CASE(signers_need_a_second_factor, Fixture) {
  BOOST_REQUIRE(accounts.set_password("ngoc", kPassword, "cli:root").ok());
  // Not enrolled: refused, and recorded.
  BOOST_TEST(accounts.login(req("ngoc", kPassword)).status.code() == Code::forbidden);
  BOOST_TEST(store.history("user:ngoc").back().data.find("no_second_factor_enrolled") != std::string::npos);
  auto e = accounts.enrol_totp("ngoc", "cli:root");
  BOOST_REQUIRE(e.ok());
  BOOST_TEST(e.value.secret.size() == 32u);  // 20 bytes in base32
  BOOST_TEST(e.value.uri.rfind("otpauth://totp/OCOP%20TQ:ngoc?secret=" + e.value.secret, 0) == 0);
  // The right password without a code: asked for the code, not counted as a failure.
  auto no_code = accounts.login(req("ngoc", kPassword));
  BOOST_TEST(no_code.status.code() == Code::forbidden);
  BOOST_TEST(no_code.status.message() == std::string(kSecondFactorRequired));
  BOOST_TEST(store.load_account("ngoc")->failures == 1);  // only the earlier, not enrolled, one
  // A wrong code is a failure; a malformed one is bad input.
  const std::string good = code_at("ngoc");
  const std::string bad = good == "000000" ? "111111" : "000000";
  BOOST_TEST(accounts.login(req("ngoc", kPassword, "10.0.0.1", bad)).status.code() == Code::forbidden);
  BOOST_TEST(accounts.login(req("ngoc", kPassword, "10.0.0.1", "12345")).status.code() == Code::bad_input);
  BOOST_TEST(accounts.login(req("ngoc", kPassword, "10.0.0.1", "12a456")).status.code() == Code::bad_input);
  auto ok = accounts.login(req("ngoc", kPassword, "10.0.0.1", good));
  BOOST_REQUIRE_MESSAGE(ok.ok(), ok.status.message());
  BOOST_TEST(ok.value.principal.second_factor);
  BOOST_TEST(accounts.authenticate_session(ok.value.session).value.second_factor);
  // The same code again (a replay) is refused, within the same 30 seconds.
  auto replay = accounts.login(req("ngoc", kPassword, "10.0.0.1", good));
  BOOST_TEST(replay.status.code() == Code::forbidden);
  BOOST_TEST(store.history("user:ngoc").back().data.find("code_replayed") != std::string::npos);
  // A coordinator needs none.
  BOOST_REQUIRE(accounts.set_password("lan", kPassword, "cli:root").ok());
  auto lan = accounts.login(req("lan", kPassword));
  BOOST_TEST(lan.ok());
  BOOST_TEST(!lan.value.principal.second_factor);
  chain_verifies();
}

BOOST_FIXTURE_TEST_CASE(totp_accepts_one_step_either_side_and_never_an_older_step, Fixture) {
  BOOST_REQUIRE(accounts.set_password("ngoc", kPassword, "cli:root").ok());
  BOOST_REQUIRE(accounts.enrol_totp("ngoc", "cli:root").ok());
  advance(30 * 1000);
  // The previous step's code (clock drift of up to 30 s) is accepted.
  BOOST_TEST(accounts.login(req("ngoc", kPassword, "10.0.0.1", code_at("ngoc", -1))).ok());
  // Two steps away is not.
  BOOST_TEST(!accounts.login(req("ngoc", kPassword, "10.0.0.1", code_at("ngoc", -2))).ok());
  BOOST_TEST(!accounts.login(req("ngoc", kPassword, "10.0.0.1", code_at("ngoc", 2))).ok());
  // The next step's code is accepted; after it, the current step's (older) is not.
  const std::string current = code_at("ngoc");
  BOOST_TEST(accounts.login(req("ngoc", kPassword, "10.0.0.1", code_at("ngoc", 1))).ok());
  BOOST_TEST(!accounts.login(req("ngoc", kPassword, "10.0.0.1", current)).ok());
  // A minute later, a fresh code works.
  advance(60);
  BOOST_TEST(accounts.login(req("ngoc", kPassword, "10.0.0.1", code_at("ngoc"))).ok());
}

BOOST_AUTO_TEST_CASE(totp_matches_rfc_6238) {
  security::SodiumSecrets s(security::PasswordCost::interactive);
  const std::string key = "12345678901234567890";  // RFC 6238 appendix B, SHA-1
  BOOST_TEST(totp_code(s, key, 59 / 30) == "287082");
  BOOST_TEST(totp_code(s, key, 1111111109 / 30) == "081804");
  BOOST_TEST(totp_code(s, key, 1111111111 / 30) == "050471");
  BOOST_TEST(totp_code(s, key, 1234567890 / 30) == "005924");
  BOOST_TEST(totp_code(s, key, 2000000000 / 30) == "279037");
  BOOST_TEST(base32_encode("12345678901234567890") == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

BOOST_FIXTURE_TEST_CASE(tokens_are_shown_once_stored_hashed_listed_and_revocable, Fixture) {
  auto t = accounts.create_token("lan", 30, "cli:root", "district portal");
  BOOST_REQUIRE_MESSAGE(t.ok(), t.status.message());
  BOOST_TEST(t.value.token.rfind("ocop_", 0) == 0);
  BOOST_TEST(t.value.token.find(t.value.id) == std::string::npos);
  auto stored = store.load_token(t.value.id);
  BOOST_REQUIRE(stored);
  BOOST_TEST(stored->hash == sha256_hex(t.value.token));
  auto p = accounts.authenticate_token(t.value.token);
  BOOST_REQUIRE(p.ok());
  BOOST_TEST(p.value.user == "lan");
  BOOST_TEST(p.value.via == "token");
  BOOST_TEST(p.value.credential == t.value.id);
  BOOST_TEST(accounts.authenticate_token(t.value.token + "x").status.code() == Code::forbidden);
  BOOST_TEST(accounts.authenticate_token("").status.code() == Code::forbidden);

  auto list = accounts.tokens("lan");
  BOOST_REQUIRE(list.ok());
  BOOST_REQUIRE(list.value.size() == 1u);
  BOOST_TEST(list.value[0].id == t.value.id);
  BOOST_TEST(list.value[0].note == "district portal");
  BOOST_TEST(accounts.tokens("").value.size() == 1u);
  BOOST_TEST(accounts.tokens("ngoc").value.empty());
  BOOST_TEST(accounts.tokens("nobody").status.code() == Code::not_found);

  BOOST_TEST(accounts.revoke_token(t.value.id, "cli:root").ok());
  BOOST_TEST(accounts.authenticate_token(t.value.token).status.code() == Code::forbidden);
  BOOST_TEST(accounts.revoke_token(t.value.id, "cli:root").code() == Code::refused);
  BOOST_TEST(accounts.revoke_token("no-such-token", "cli:root").code() == Code::not_found);
  BOOST_TEST(accounts.tokens("lan").value[0].revoked);

  BOOST_TEST(accounts.create_token("lan", 0, "cli:root", "").status.code() == Code::bad_input);
  BOOST_TEST(accounts.create_token("lan", 366, "cli:root", "").status.code() == Code::bad_input);
  BOOST_TEST(accounts.create_token("nobody", 30, "cli:root", "").status.code() == Code::not_found);

  // The records name the token's id, never its secret.
  auto records = store.history("user:lan");
  BOOST_TEST((events("lan") == std::vector<std::string>{"token_created", "token_revoked"}));
  for (const auto& r : records) BOOST_TEST(r.data.find(t.value.token) == std::string::npos);
  BOOST_TEST(records[0].actor == "cli:root");
  chain_verifies();
}

BOOST_FIXTURE_TEST_CASE(a_token_expires, Fixture) {
  auto t = accounts.create_token("lan", 1, "cli:root", "");
  BOOST_REQUIRE(t.ok());
  advance(86400 - 1);
  BOOST_TEST(accounts.authenticate_token(t.value.token).ok());
  advance(1);
  BOOST_TEST(accounts.authenticate_token(t.value.token).status.code() == Code::forbidden);
}

BOOST_FIXTURE_TEST_CASE(an_invitation_sets_a_password_once, Fixture) {
  auto inv = accounts.invite("lan", "cli:root");
  BOOST_REQUIRE(inv.ok());
  BOOST_TEST(inv.value.size() == 43u);
  BOOST_TEST(store.load_invitation(sha256_hex(inv.value)).has_value());
  // A password the policy refuses does not use the invitation up.
  BOOST_TEST(accounts.accept_invitation(inv.value, "short").code() == Code::bad_input);
  BOOST_TEST(accounts.accept_invitation(inv.value, kPassword).ok());
  BOOST_TEST(accounts.login(req("lan", kPassword)).ok());
  // Used twice: a conflict.
  BOOST_TEST(accounts.accept_invitation(inv.value, "another long password").code() == Code::conflict);
  BOOST_TEST(accounts.login(req("lan", kPassword)).ok());
  BOOST_TEST(accounts.accept_invitation("made-up", kPassword).code() == Code::forbidden);
  BOOST_TEST(accounts.invite("nobody", "cli:root").status.code() == Code::not_found);
  BOOST_TEST((events("lan") == std::vector<std::string>{"invited", "password_set", "login", "login"}));
  BOOST_TEST(store.history("user:lan")[1].data.find("invitation") != std::string::npos);
  chain_verifies();
}

BOOST_FIXTURE_TEST_CASE(an_invitation_expires_and_a_newer_one_replaces_it, Fixture) {
  auto first = accounts.invite("lan", "cli:root");
  auto second = accounts.invite("lan", "cli:root");
  BOOST_REQUIRE(first.ok() && second.ok());
  BOOST_TEST(accounts.accept_invitation(first.value, kPassword).code() == Code::forbidden);
  advance(72 * 3600);
  BOOST_TEST(accounts.accept_invitation(second.value, kPassword).code() == Code::forbidden);
}

BOOST_FIXTURE_TEST_CASE(demo_passwords_for_every_user, Fixture) {
  auto r = accounts.set_demo_passwords("ocop-demo-2026", "cli:root");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value == 2);
  BOOST_TEST(secrets.hashes == 1);
  BOOST_TEST(accounts.login(req("lan", "ocop-demo-2026")).ok());
  BOOST_TEST(store.history("user:ngoc").back().data.find("demo") != std::string::npos);
  chain_verifies();
}

BOOST_FIXTURE_TEST_CASE(a_removed_user_is_signed_out, Fixture) {
  BOOST_REQUIRE(accounts.set_password("lan", kPassword, "cli:root").ok());
  auto s = accounts.login(req("lan", kPassword));
  auto t = accounts.create_token("lan", 30, "cli:root", "");
  BOOST_REQUIRE(s.ok() && t.ok());
  Config smaller = test_config();
  smaller.mutable_users().erase(smaller.mutable_users().begin());
  smaller.index();
  EngineAccounts reloaded(smaller, store, secrets, clock, policy);
  BOOST_TEST(reloaded.authenticate_session(s.value.session).status.code() == Code::forbidden);
  BOOST_TEST(reloaded.authenticate_token(t.value.token).status.code() == Code::forbidden);
}

BOOST_FIXTURE_TEST_CASE(a_database_failure_is_internal_and_writes_nothing, Fixture) {
  BOOST_REQUIRE(accounts.set_password("lan", kPassword, "cli:root").ok());
  FaultyStore faulty(store);
  EngineAccounts failing(config, faulty, secrets, clock, policy);
  faulty.fail("append_to_chain", 1, false, FaultyStore::Repeat::always);
  auto r = failing.login(req("lan", kPassword));
  BOOST_TEST(r.status.code() == Code::internal);
  BOOST_TEST(store.history("user:lan").size() == 1u);  // only password_set
  faulty.clear_faults();
  // A retryable error is retried.
  faulty.fail("insert_session", 1, true);
  BOOST_TEST(failing.login(req("lan", kPassword)).ok());
  chain_verifies();
}

BOOST_AUTO_TEST_CASE(bind_actor_makes_the_principal_the_actor) {
  Principal p{"lan", "session", "abc", false};
  EventRequest empty;
  BOOST_TEST(bind_actor(empty, p).ok());
  BOOST_TEST(empty.actor == "lan");
  EventRequest same;
  same.actor = "lan";
  BOOST_TEST(bind_actor(same, p).ok());
  EventRequest other;
  other.actor = "ngoc";
  Status s = bind_actor(other, p);
  BOOST_TEST(s.code() == Code::forbidden);
  BOOST_TEST(other.actor == "ngoc");
  BOOST_TEST(bind_actor(empty, Principal{}).code() == Code::forbidden);
}

BOOST_AUTO_TEST_CASE(sodium_secrets_hash_verify_and_random) {
  security::SodiumSecrets s(security::PasswordCost::interactive);
  const std::string h = s.hash_password("correct horse battery");
  BOOST_TEST(h.rfind("$argon2id$", 0) == 0);
  BOOST_TEST(s.verify_password(h, "correct horse battery"));
  BOOST_TEST(!s.verify_password(h, "correct horse batterY"));
  BOOST_TEST(!s.verify_password("", "x"));
  BOOST_TEST(!s.verify_password("garbage", "x"));
  BOOST_TEST(s.hash_password("correct horse battery") != h);  // salted
  const std::string t = s.random_token();
  BOOST_TEST(t.size() == 43u);
  BOOST_TEST(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
             std::string::npos);
  BOOST_TEST(s.random_token() != t);
  BOOST_TEST(s.random_bytes(20).size() == 20u);
  // RFC 2202 test case 2.
  const std::string mac = s.hmac_sha1("Jefe", "what do ya want for nothing?");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : mac) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  BOOST_TEST(out == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

BOOST_AUTO_TEST_SUITE_END()
