// The configuration snapshot stored in the database (adapters/config/config_cache.hpp): a
// command after the first reads the header and the units and users it looks up, not the whole
// directory (issue 10); a newer snapshot does not pull the rows from under a command that began
// with the one before; a damaged or vanished directory is an error that says what to do. On
// SQLite and (integration_postgresql) PostgreSQL.
#include <fstream>

#include "config/config_cache.hpp"
#include "config/config_file.hpp"
#include "config/config_snapshot.hpp"
#include "fixture.hpp"
#include "ocop/app.hpp"
#include "snapshot_round_trip.hpp"

using namespace ocop;
using namespace ocop::testing;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const StoreError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(config_snapshot_stored)

BOOST_AUTO_TEST_CASE(a_stored_snapshot_reads_its_directory_on_demand_and_answers_as_the_file) {
  Db db;
  config::store_snapshot(*db.store, db.config, "fp-1");
  BOOST_TEST(!config::load_snapshot(*db.store, "fp-other").has_value());  // taken from other content
  std::optional<Config> c = config::load_snapshot(*db.store, "fp-1");
  BOOST_REQUIRE(c.has_value());
  BOOST_TEST(!c->directory_in_memory());
  BOOST_TEST(c->any_user_email() == db.config.any_user_email());
  BOOST_TEST(c->rule_sets.size() == db.config.rule_sets.size());

  // `show` of a dossier reads its unit, not the directory.
  BOOST_REQUIRE(db.fire("submit_idea", "", "producer.bx-c0001", new_product("BX-2026-000001")).status.ok());
  auto cycles = workflows::make_cycle_lifecycle();
  Application app(*c, *db.store, Workflows{*db.lifecycle, *db.certificates, *cycles, &db.after}, db.clock);
  auto shown = app.show(kOperator, "BX-2026-000001");
  BOOST_REQUIRE(shown.ok());
  BOOST_TEST(shown.value.dossier.unit == "BX-C0001");
  BOOST_TEST(!c->directory_in_memory());

  // Every unit and user as the file has it, looked up one at a time, then read whole.
  for (const Unit& u : db.config.units()) {
    const Unit* got = c->unit(u.code);
    BOOST_REQUIRE(got != nullptr);
    BOOST_TEST(config::unit_line(*got) == config::unit_line(u));
  }
  for (const User& u : db.config.users()) {
    const User* got = c->user(u.id);
    BOOST_REQUIRE(got != nullptr);
    BOOST_TEST(config::user_line(*got) == config::user_line(u));
    BOOST_TEST(got->events == u.events);
  }
  BOOST_TEST(c->unit("BX-NOWHERE") == nullptr);
  BOOST_TEST(c->user("nobody") == nullptr);
  BOOST_REQUIRE(c->units().size() == db.config.units().size());
  BOOST_REQUIRE(c->users().size() == db.config.users().size());
  for (size_t i = 0; i < c->units().size(); ++i)
    BOOST_TEST(config::unit_line(c->units()[i]) == config::unit_line(db.config.units()[i]));
  for (size_t i = 0; i < c->users().size(); ++i)
    BOOST_TEST(config::user_line(c->users()[i]) == config::user_line(db.config.users()[i]));
  BOOST_TEST(c->directory_in_memory());
  BOOST_TEST(snapshot_text(*c) == snapshot_text(db.config));
}

BOOST_AUTO_TEST_CASE(the_snapshot_before_stays_for_a_running_command_and_older_ones_go) {
  Db db;
  config::store_snapshot(*db.store, db.config, "fp-a");
  std::optional<Config> a = config::load_snapshot(*db.store, "fp-a");  // a command begins with it
  BOOST_REQUIRE(a.has_value());
  const std::string first = db.config.units().front().code, last = db.config.units().back().code;
  BOOST_REQUIRE(a->unit(first));

  config::store_snapshot(*db.store, db.config, "fp-b");  // another process loads a changed file
  BOOST_TEST(!config::load_snapshot(*db.store, "fp-a").has_value());
  BOOST_TEST(config::load_snapshot(*db.store, "fp-b").has_value());
  BOOST_TEST(db.store->has_config_directory("fp-a"));
  BOOST_REQUIRE(a->unit(last) != nullptr);  // still read from its own rows

  config::store_snapshot(*db.store, db.config, "fp-c");  // and again: fp-a's rows go
  BOOST_TEST(!db.store->has_config_directory("fp-a"));
  BOOST_TEST(db.store->has_config_directory("fp-b"));
  BOOST_TEST(db.store->has_config_directory("fp-c"));
  BOOST_TEST(a->unit(first) != nullptr);  // read before: kept
  // A unit it had not read is not answered "none": the command is told to run again.
  const std::string why = error_of([&] { a->unit(db.config.units()[1].code); });
  BOOST_TEST(contains(why, "changed while this command ran"), why);
  BOOST_TEST(contains(error_of([&] { a->users(); }), "run it again"));

  // Storing the same fingerprint again replaces its rows rather than adding to them.
  config::store_snapshot(*db.store, db.config, "fp-c");
  std::optional<Config> c = config::load_snapshot(*db.store, "fp-c");
  BOOST_REQUIRE(c.has_value());
  BOOST_TEST(c->users().size() == db.config.users().size());
}

BOOST_AUTO_TEST_CASE(a_damaged_directory_says_how_to_store_it_again) {
  Db db;
  config::store_snapshot(*db.store, db.config, "fp-1");
  const std::string code = db.config.units().back().code;
  db.store->exec("UPDATE config_directory SET line = 'U\tbroken' WHERE kind = 'U' AND code = '" + code + "'");
  std::optional<Config> c = config::load_snapshot(*db.store, "fp-1");
  BOOST_REQUIRE(c.has_value());
  std::string why = error_of([&] { c->unit(code); });
  BOOST_TEST(contains(why, "damaged"), why);
  BOOST_TEST(contains(why, "ocop init"), why);
  BOOST_TEST(contains(error_of([&] { c->units(); }), "damaged"));

  config::store_snapshot(*db.store, db.config, "fp-2");
  db.store->exec("DELETE FROM config_directory WHERE kind = 'P' AND code = '" + db.config.users().back().id + "'");
  c = config::load_snapshot(*db.store, "fp-2");
  BOOST_REQUIRE(c.has_value());
  why = error_of([&] { c->users(); });
  BOOST_TEST(contains(why, std::to_string(db.config.users().size() - 1) + " users, not " +
                               std::to_string(db.config.users().size())),
             why);
  BOOST_TEST(!c->directory_in_memory());
}

BOOST_AUTO_TEST_CASE(load_config_parses_once_then_reads_the_snapshot_until_the_file_changes) {
  Db db;
  const std::string path = (db.dir / "ocop.yaml").string();
  {
    std::ifstream in(std::string(OCOP_SOURCE_DIR) + "/tests/data/config/gen_workload.yaml");
    std::ofstream out(path);
    out << in.rdbuf();
  }
  std::string content;
  BOOST_REQUIRE(!config::read_config_file(path, content));
  std::string fp;
  BOOST_REQUIRE(!config::fingerprint_config_file(path, fp));
  BOOST_TEST(fp == config::fingerprint(content));  // hashed a piece at a time, the same

  Config first, second, third;
  std::string fp1, fp2, fp3;
  BOOST_REQUIRE(config::load_config(path, first, db.store.get(), &fp1).ok());
  BOOST_TEST(first.directory_in_memory());  // parsed, and the snapshot stored
  BOOST_REQUIRE(config::load_config(path, second, db.store.get(), &fp2).ok());
  BOOST_TEST(!second.directory_in_memory());  // from the snapshot
  BOOST_TEST(fp1 == fp);
  BOOST_TEST(fp2 == fp);
  BOOST_TEST(snapshot_text(second) == snapshot_text(first));

  std::ofstream(path, std::ios::app) << "# changed\n";
  BOOST_REQUIRE(config::load_config(path, third, db.store.get(), &fp3).ok());
  BOOST_TEST(fp3 != fp);
  BOOST_TEST(third.directory_in_memory());  // parsed again

  // A snapshot whose rows are gone is no snapshot: the file is parsed and stored again.
  db.store->exec("DELETE FROM config_directory");
  BOOST_TEST(!config::load_snapshot(*db.store, fp3).has_value());
  Config healed;
  BOOST_REQUIRE(config::load_config(path, healed, db.store.get()).ok());
  BOOST_TEST(healed.directory_in_memory());
  BOOST_TEST(db.store->has_config_directory(fp3));
  BOOST_TEST(config::load_snapshot(*db.store, fp3).has_value());

  // Not a configuration file: refused before anything is read, hashed or stored.
  std::string ignored;
  auto problem = config::fingerprint_config_file(db.dir.string(), ignored);
  BOOST_REQUIRE(problem.has_value());
  BOOST_TEST(contains(problem->to_string(), "a directory"));
  BOOST_TEST(!config::load_config(db.dir.string(), third, db.store.get()).ok());
  BOOST_TEST(!config::load_config("/dev/zero", third, db.store.get()).ok());
}

BOOST_AUTO_TEST_CASE(a_database_that_cannot_store_the_snapshot_only_costs_the_parse) {
  Db db;
  const std::string path = (db.dir / "ocop.yaml").string();
  {
    std::ifstream in(std::string(OCOP_SOURCE_DIR) + "/tests/data/config/gen_workload.yaml");
    std::ofstream out(path);
    out << in.rdbuf();
  }
  Config first;
  BOOST_REQUIRE(config::load_config(path, first, db.store.get()).ok());
  const std::string header = db.store->meta("config_snapshot");
  BOOST_REQUIRE(!header.empty());
  // The rows' table gone: storing the next snapshot fails half-way, after the old rows are
  // deleted and before the header is written; the transaction takes it all back.
  db.store->exec("DROP TABLE config_directory");
  std::ofstream(path, std::ios::app) << "# changed\n";
  for (int run = 0; run < 2; ++run) {  // and the next command, which cannot read the snapshot either
    Config c;
    BOOST_REQUIRE(config::load_config(path, c, db.store.get()).ok());
    BOOST_TEST(c.directory_in_memory());  // parsed
    BOOST_TEST(snapshot_text(c) == snapshot_text(first));
    BOOST_TEST(db.store->meta("config_snapshot") == header);  // the old header, not a new one without rows
  }
}

BOOST_AUTO_TEST_SUITE_END()
