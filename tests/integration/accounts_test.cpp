// Accounts on a real database (SQLite, and PostgreSQL in integration_postgresql): migration 8's
// tables through the SOCI store, two connections sharing sessions, lock-outs, tokens and
// invitations (as two `ocop serve` processes would), and `audit verify` over account records
// mixed with dossier events, including a removed account record.
#include <boost/test/unit_test.hpp>

#include "fixture.hpp"
#include "memory_store.hpp"
#include "ocop/accounts.hpp"
#include "ocop/sha256.hpp"
#include "security/sodium_secrets.hpp"

namespace ocop {
// How Boost.Test prints what it compares here (internal to this file).
static std::ostream& boost_test_print_type(std::ostream& o, const Code& c) { return o << code_name(c); }
static std::ostream& boost_test_print_type(std::ostream& o, const Instant& t) { return o << format_instant(t, 0); }
}  // namespace ocop

using namespace ocop;
using namespace ocop::testing;

namespace {

const std::string kPassword = "correct horse battery";

struct AccountsDb : Db {
  security::SodiumSecrets secrets{security::PasswordCost::interactive};
  SessionPolicy policy;
  EngineAccounts accounts{config, *store, secrets, clock, policy};
  // A second connection to the same database, as a second process would have.
  std::unique_ptr<store::SociStore> other_store = store::open(url);
  EngineAccounts other{config, *other_store, secrets, clock, policy};
  ~AccountsDb() { other_store.reset(); }
  LoginRequest req(const std::string& user, const std::string& password, const std::string& code = "") {
    return LoginRequest{user, password, code, "192.0.2.1"};
  }
};


// Deterministic secrets, so that the same work on two stores writes the same rows and records.
class CountingSecrets : public Secrets {
 public:
  std::string hash_password(const std::string& password) override { return "fake$" + sha256_hex(password); }
  bool verify_password(const std::string& encoded, const std::string& password) override {
    return encoded == "fake$" + sha256_hex(password);
  }
  std::string random_token() override {
    std::string t = "tok" + std::to_string(++n_);
    return t + std::string(43 - t.size(), 'x');
  }
  std::string random_bytes(std::size_t n) override { return std::string(n, static_cast<char>('a' + ++n_ % 26)); }
  std::string hmac_sha1(const std::string& key, const std::string& message) override {
    return real_.hmac_sha1(key, message);
  }

 private:
  int n_ = 0;
  security::SodiumSecrets real_{security::PasswordCost::interactive};
};

// Everything the accounts left in a store, as text.
std::string accounts_text(Store& s, const std::vector<std::string>& users, const std::vector<std::string>& sessions) {
  std::string out;
  auto t = [](const std::optional<Instant>& i) { return i ? std::to_string(i->seconds) : std::string("-"); };
  for (const auto& u : users) {
    auto a = s.load_account(u);
    if (!a) {
      out += u + ": none\n";
      continue;
    }
    out += a->user + "|" + std::to_string(a->version) + "|" + a->password_hash + "|" + t(a->password_set_at) + "|" +
           std::to_string(a->failures) + "|" + t(a->locked_until) + "|" + a->totp_secret + "|" +
           std::to_string(a->totp_last_step) + "|" + std::to_string(a->created_at.seconds) + "|" +
           std::to_string(a->updated_at.seconds) + "\n";
  }
  for (const auto& h : sessions) {
    auto x = s.load_session(sha256_hex(h));
    out += x ? x->user + "|" + std::to_string(x->created_at.seconds) + "|" + std::to_string(x->last_seen.seconds) +
                   "|" + std::to_string(x->expires_at.seconds) + "|" + (x->second_factor ? "2" : "1") + "|" +
                   x->address + "\n"
             : "session gone\n";
  }
  for (const auto& tk : s.tokens_of(""))
    out += tk.id + "|" + tk.hash + "|" + tk.user + "|" + std::to_string(tk.created_at.seconds) + "|" +
           std::to_string(tk.expires_at.seconds) + "|" + t(tk.revoked_at) + "|" + tk.note + "|" + tk.created_by + "\n";
  out += "failures " + std::to_string(s.count_login_failures("192.0.2.1", Instant{0})) + "\n";
  s.scan_audit([&](const AuditRecord& r) {
    out += std::to_string(r.seq) + " " + r.dossier + " " + r.event + " " + r.actor + " " + r.data + " " + r.hash + "\n";
    return true;
  });
  for (const auto& m : s.version_mismatches(10)) out += "mismatch " + m + "\n";
  return out;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(accounts_store)

BOOST_AUTO_TEST_CASE(sessions_are_shared_by_every_connection) {
  BackendCheck check;
  AccountsDb db;
  BOOST_REQUIRE(db.accounts.set_password("coordinator", kPassword, "cli:root").ok());
  auto s = db.accounts.login(db.req("coordinator", kPassword));
  BOOST_REQUIRE_MESSAGE(s.ok(), s.status.message());
  auto p = db.other.authenticate_session(s.value.session);
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status.message());
  BOOST_TEST(p.value.user == "coordinator");
  // The idle timer is refreshed through the other connection and seen by the first.
  db.clock.set(Instant{db.clock.now().seconds + 25 * 60});
  BOOST_TEST(db.other.authenticate_session(s.value.session).ok());
  db.clock.set(Instant{db.clock.now().seconds + 25 * 60});
  BOOST_TEST(db.accounts.authenticate_session(s.value.session).ok());
  // Signed out everywhere on one connection: gone for the other.
  BOOST_TEST(db.other.logout_everywhere("coordinator", "coordinator").ok());
  BOOST_TEST(db.accounts.authenticate_session(s.value.session).status.code() == Code::forbidden);
  std::string why;
  BOOST_TEST(db.verify(&why), why);
}

BOOST_AUTO_TEST_CASE(a_lock_out_counts_failures_from_every_connection) {
  BackendCheck check;
  AccountsDb db;
  BOOST_REQUIRE(db.accounts.set_password("coordinator", kPassword, "cli:root").ok());
  for (int i = 0; i < 5; ++i) {
    auto& a = i % 2 ? db.other : db.accounts;
    BOOST_TEST(a.login(db.req("coordinator", "wrong password!!")).status.code() == Code::forbidden);
  }
  auto acc = db.store->load_account("coordinator");
  BOOST_REQUIRE(acc);
  BOOST_TEST(acc->locked_until.has_value());
  BOOST_TEST(acc->version == 7);  // password_set, 5 x login_failed, locked_out
  BOOST_TEST(db.other.login(db.req("coordinator", kPassword)).status.code() == Code::forbidden);
  db.clock.set(Instant{db.clock.now().seconds + 15 * 60});
  BOOST_TEST(db.other.login(db.req("coordinator", kPassword)).ok());
  std::string why;
  BOOST_TEST(db.verify(&why), why);
}

BOOST_AUTO_TEST_CASE(tokens_and_invitations_round_trip) {
  BackendCheck check;
  AccountsDb db;
  auto t = db.accounts.create_token("coordinator", 30, "cli:root", "cổng thông tin huyện");
  BOOST_REQUIRE_MESSAGE(t.ok(), t.status.message());
  BOOST_TEST(db.other.authenticate_token(t.value.token).value.user == "coordinator");
  auto list = db.other.tokens("");
  BOOST_REQUIRE(list.ok());
  BOOST_REQUIRE(list.value.size() == 1u);
  BOOST_TEST(list.value[0].note == "cổng thông tin huyện");
  BOOST_TEST(list.value[0].expires == t.value.expires);
  BOOST_TEST(!list.value[0].revoked);
  BOOST_TEST(db.other.revoke_token(t.value.id, "cli:root").ok());
  BOOST_TEST(db.accounts.authenticate_token(t.value.token).status.code() == Code::forbidden);
  BOOST_TEST(db.accounts.revoke_token(t.value.id, "cli:root").code() == Code::refused);
  BOOST_TEST(db.accounts.tokens("coordinator").value.at(0).revoked);

  auto inv = db.accounts.invite("signer", "cli:root");
  BOOST_REQUIRE(inv.ok());
  BOOST_TEST(db.other.accept_invitation(inv.value, kPassword).ok());
  BOOST_TEST(db.accounts.accept_invitation(inv.value, kPassword).code() == Code::conflict);
  // A signer needs a second factor: enrol, then sign in with the code.
  auto e = db.accounts.enrol_totp("signer", "cli:root");
  BOOST_REQUIRE(e.ok());
  BOOST_TEST(db.accounts.login(db.req("signer", kPassword)).status.message() == std::string(kSecondFactorRequired));
  {
    // The stored secret is what the URI carries.
    auto acc = db.store->load_account("signer");
    BOOST_REQUIRE(acc);
    BOOST_TEST(acc->totp_secret == e.value.secret);
  }
  std::string why;
  BOOST_TEST(db.verify(&why), why);
}

// What a user may do to their own account (the web application's account screen): list their
// sessions in force, revoke their own tokens only.
BOOST_AUTO_TEST_CASE(a_user_lists_their_sessions_and_revokes_only_their_own_tokens) {
  BackendCheck check;
  AccountsDb db;
  BOOST_REQUIRE(db.accounts.set_password("coordinator", kPassword, "cli:root").ok());
  auto s1 = db.accounts.login(db.req("coordinator", kPassword));
  BOOST_REQUIRE_MESSAGE(s1.ok(), s1.status.message());
  db.clock.set(Instant{db.clock.now().seconds + 60});
  auto s2 = db.other.login(db.req("coordinator", kPassword));
  BOOST_REQUIRE(s2.ok());
  auto listed = db.other.sessions("coordinator");
  BOOST_REQUIRE(listed.ok());
  BOOST_REQUIRE(listed.value.size() == 2u);
  BOOST_TEST(listed.value[0].id == s1.value.principal.credential);  // the public handle, oldest first
  BOOST_TEST(listed.value[1].id == s2.value.principal.credential);
  BOOST_TEST(listed.value[0].address == "192.0.2.1");
  BOOST_TEST(db.accounts.sessions("signer").value.empty());
  BOOST_TEST(db.accounts.sessions("nobody").status.code() == Code::not_found);
  // An idle session is no longer listed (30 minutes idle): s2 is refreshed, s1 is not.
  db.clock.set(Instant{db.clock.now().seconds + 29 * 60});
  BOOST_TEST(db.accounts.authenticate_session(s2.value.session).ok());
  db.clock.set(Instant{db.clock.now().seconds + 2 * 60});
  listed = db.accounts.sessions("coordinator");
  BOOST_REQUIRE(listed.value.size() == 1u);
  BOOST_TEST(listed.value[0].id == s2.value.principal.credential);

  auto mine = db.accounts.create_token("coordinator", 30, "cli:root", "");
  auto theirs = db.accounts.create_token("signer", 30, "cli:root", "");
  BOOST_REQUIRE(mine.ok() && theirs.ok());
  // Another user's token answers as an unknown one, and stays in force.
  auto refused = db.accounts.revoke_own_token("coordinator", theirs.value.id);
  BOOST_TEST(refused.code() == Code::not_found);
  BOOST_TEST(refused.message() == "no token \"" + theirs.value.id + "\"");  // as an unknown one's
  BOOST_TEST(db.accounts.revoke_own_token("coordinator", "no-such-token").message() == "no token \"no-such-token\"");
  BOOST_TEST(db.accounts.authenticate_token(theirs.value.token).ok());
  BOOST_TEST(db.other.revoke_own_token("coordinator", mine.value.id).ok());
  BOOST_TEST(db.accounts.authenticate_token(mine.value.token).status.code() == Code::forbidden);
  BOOST_TEST(db.accounts.revoke_own_token("coordinator", mine.value.id).code() == Code::refused);
  // Revoked by the user themself: the audit record's actor.
  bool by_user = false;
  for (const auto& r : db.store->history("user:coordinator"))
    by_user = by_user || (r.event == "token_revoked" && r.actor == "coordinator");
  BOOST_TEST(by_user);
  std::string why;
  BOOST_TEST(db.verify(&why), why);
}

BOOST_AUTO_TEST_CASE(audit_verify_counts_account_records) {
  BackendCheck check;
  AccountsDb db;
  BOOST_REQUIRE(db.fire("submit_idea", "", "coordinator", new_product("BX-2026-00001")).status.ok());
  BOOST_REQUIRE(db.accounts.set_password("coordinator", kPassword, "cli:root").ok());
  BOOST_REQUIRE(db.fire("annotate", "BX-2026-00001", "coordinator", {{"note", "ok"}}).status.ok());
  BOOST_REQUIRE(db.accounts.login(db.req("coordinator", kPassword)).ok());
  std::string why;
  BOOST_TEST(db.verify(&why), why);
  // The account's newest record, the tail of the chain, removed: the chain still links, but the
  // account's version no longer matches its records.
  const auto head = db.store->audit_head();
  BOOST_REQUIRE(db.store->history("user:coordinator").back().seq == head.seq);
  db.store->exec("DELETE FROM audit WHERE seq = " + std::to_string(head.seq));
  why.clear();
  BOOST_TEST(!db.verify(&why));
  BOOST_TEST(why.find("account user:coordinator") != std::string::npos, why);
}


BOOST_AUTO_TEST_CASE(the_memory_store_keeps_accounts_as_the_database_does) {
  BackendCheck check;
  Db db;
  MemoryStore memory;
  std::vector<std::string> sessions[2];
  std::string texts[2];
  for (int k = 0; k < 2; ++k) {
    Store& s = k == 0 ? static_cast<Store&>(*db.store) : static_cast<Store&>(memory);
    CountingSecrets secrets;
    FixedClock clock{*parse_instant("2026-03-02T08:00:00Z", 0)};
    EngineAccounts a(db.config, s, secrets, clock, SessionPolicy{});
    auto step = [&](std::int64_t seconds) { clock.set(Instant{clock.now().seconds + seconds}); };
    auto login = [&](const std::string& user, const std::string& pw, const std::string& code = "") {
      auto r = a.login(LoginRequest{user, pw, code, "192.0.2.1"});
      if (r.ok()) sessions[k].push_back(r.value.session);
      return r.status.code();
    };
    BOOST_TEST(a.set_password("coordinator", kPassword, "cli:root").ok());
    BOOST_TEST(login("coordinator", kPassword) == Code::ok);
    BOOST_TEST(login("nobody", kPassword) == Code::forbidden);
    for (int i = 0; i < 5; ++i) BOOST_TEST(login("coordinator", "wrong password!!") == Code::forbidden);
    step(16 * 60);
    BOOST_TEST(login("coordinator", kPassword) == Code::ok);
    step(60);
    BOOST_TEST(a.authenticate_session(sessions[k].back()).ok());  // touched
    auto t1 = a.create_token("coordinator", 30, "cli:root", "cổng huyện");
    step(1);
    auto t2 = a.create_token("signer", 1, "cli:root", "");
    BOOST_TEST((t1.ok() && t2.ok()));
    BOOST_TEST(a.revoke_token(t1.value.id, "cli:root").ok());
    auto inv = a.invite("signer", "cli:root");
    BOOST_TEST(a.accept_invitation(inv.value, kPassword).ok());
    auto e = a.enrol_totp("signer", "cli:root");
    BOOST_REQUIRE(e.ok());
    BOOST_TEST(login("signer", kPassword) == Code::forbidden);
    std::string key = "";
    // The code from the secret the store holds: base32 of 20 bytes.
    for (std::size_t i = 0, bits = 0, buf = 0; i < e.value.secret.size(); ++i) {
      const char ch = e.value.secret[i];
      buf = (buf << 5) | static_cast<std::size_t>(ch >= 'A' ? ch - 'A' : ch - '2' + 26);
      bits += 5;
      if (bits >= 8) {
        key += static_cast<char>((buf >> (bits - 8)) & 0xFF);
        bits -= 8;
      }
    }
    BOOST_TEST(login("signer", kPassword, totp_code(secrets, key, clock.now().seconds / 30)) == Code::ok);
    BOOST_TEST(a.logout(sessions[k].front()).ok());
    BOOST_TEST(a.logout_everywhere("signer", "cli:root").ok());
    texts[k] = accounts_text(s, {"coordinator", "signer", "nobody"}, sessions[k]);
  }
  BOOST_TEST(texts[0] == texts[1]);
  // It compared something: the records and rows are there.
  for (const char* what : {" locked_out ", " token_revoked ", " totp_enrolled ", " signed_out_everywhere ", "fake$",
                           "cổng huyện", "failures 6", "session gone"})
    BOOST_TEST(texts[0].find(what) != std::string::npos, what);
  BOOST_TEST(texts[0].find("mismatch") == std::string::npos, texts[0]);
}

BOOST_AUTO_TEST_SUITE_END()
