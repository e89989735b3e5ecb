// Accounts on a real database (SQLite, and PostgreSQL in integration_postgresql): migration 8's
// tables through the SOCI store, two connections sharing sessions, lock-outs, tokens and
// invitations (as two `ocop serve` processes would), and `audit verify` over account records
// mixed with dossier events, including a removed account record.
#include <boost/test/unit_test.hpp>

#include "fixture.hpp"
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

BOOST_AUTO_TEST_SUITE_END()
