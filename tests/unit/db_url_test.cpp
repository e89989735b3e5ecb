#include <boost/test/unit_test.hpp>

#include "store/soci_store.hpp"

using ocop::store::parse_url;
using ocop::store::redact_url;

BOOST_AUTO_TEST_SUITE(db_url)

BOOST_AUTO_TEST_CASE(sqlite_urls_name_a_file) {
  std::string err;
  BOOST_TEST(parse_url("sqlite:ocop.db", err).path == "ocop.db");
  BOOST_TEST(parse_url("sqlite:///var/lib/ocop/ocop.db", err).path == "/var/lib/ocop/ocop.db");
  BOOST_TEST(parse_url("ocop.db", err).backend == "sqlite3");
  BOOST_TEST(parse_url("sqlite:", err).backend.empty());
  BOOST_TEST(!err.empty());
  err.clear();
  BOOST_TEST(parse_url("mysql://u:secret@h/db", err).backend.empty());
  BOOST_TEST(err.find("secret") == std::string::npos, err);
}

BOOST_AUTO_TEST_CASE(postgresql_urls_become_libpq_keywords) {
  std::string err;
  auto u = parse_url("postgresql://ocop:p%40ss'w@db.example.vn:5433/ocop%20prod?sslmode=require", err);
  BOOST_TEST(u.backend == "postgresql");
  BOOST_TEST(u.connection ==
             "host='db.example.vn' port='5433' user='ocop' password='p@ss\\'w' dbname='ocop prod' "
             "sslmode='require'");
  u = parse_url("postgresql://postgres@[::1]:5999/ocop", err);
  BOOST_TEST(u.connection == "host='::1' port='5999' user='postgres' dbname='ocop'");
  u = parse_url("postgresql://%2Fvar%2Frun%2Fpostgresql/ocop", err);
  BOOST_TEST(u.connection == "host='/var/run/postgresql' dbname='ocop'");
  BOOST_TEST(parse_url("postgresql://h/db?bad key=1", err).backend.empty());
}

BOOST_AUTO_TEST_CASE(passwords_never_reach_messages) {
  BOOST_TEST(redact_url("postgresql://ocop:secret@h:5432/db") == "postgresql://ocop:***@h:5432/db");
  BOOST_TEST(redact_url("postgresql://ocop@h/db") == "postgresql://ocop@h/db");
  BOOST_TEST(redact_url("sqlite:ocop.db") == "sqlite:ocop.db");
}

BOOST_AUTO_TEST_SUITE_END()
