// A Config whose directory is read on demand (Config::read_directory_from, issue 10): every
// lookup answers as the same Config held in memory, reads each entry once and never the whole
// directory; what needs the whole reads it once; a failing reader changes nothing.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "config/yaml_config.hpp"
#include "ocop/config.hpp"
#include "ocop/store.hpp"

using namespace ocop;

namespace {

// Answers from a Config held in memory, counting every call; `down` makes each call throw as a
// lost database connection does.
struct CountingReader : DirectoryReader {
  explicit CountingReader(const Config& c) : from(c) {}
  const Config& from;
  mutable int unit_reads = 0, user_reads = 0, all_units_reads = 0, all_users_reads = 0;
  bool down = false;

  void check() const {
    if (down) throw StoreError("the database went away", true);
  }
  bool unit(const std::string& code, Unit& out) const override {
    ++unit_reads;
    check();
    const Unit* u = from.unit(code);
    if (u) out = *u;
    return u != nullptr;
  }
  bool user(const std::string& id, User& out) const override {
    ++user_reads;
    check();
    const User* u = from.user(id);
    if (!u) return false;
    out = *u;
    out.events = 0;  // a reader does not fill it
    return true;
  }
  void read_units(std::vector<Unit>& out) const override {
    ++all_units_reads;
    check();
    out = from.units();
  }
  void read_users(std::vector<User>& out) const override {
    ++all_users_reads;
    check();
    out = from.users();
    for (auto& u : out) u.events = 0;
  }
};

Config load(const std::string& file) {
  auto r = config::load_file(std::string(OCOP_SOURCE_DIR) + file);
  BOOST_REQUIRE_MESSAGE(r.ok(), file + " loads");
  return std::move(r.config);
}

// `memory`'s configuration with its directory read on demand through `reader`.
Config on_demand(const Config& memory, std::shared_ptr<CountingReader> reader) {
  Config c = memory;
  c.read_directory_from(std::move(reader), memory.any_user_email());
  c.index();
  return c;
}

std::vector<std::string> codes(const std::vector<const Unit*>& units) {
  std::vector<std::string> out;
  for (const Unit* u : units) out.push_back(u->code);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(directory_on_demand)

BOOST_AUTO_TEST_CASE(lookups_answer_as_in_memory_reading_each_entry_once_and_never_the_whole) {
  // history.yaml: units that end and pass to a successor, a district abolished under its communes.
  const Config memory = load("/tests/data/config/history.yaml");
  auto reader = std::make_shared<CountingReader>(memory);
  const Config lazy = on_demand(memory, reader);
  BOOST_TEST(!lazy.directory_in_memory());
  BOOST_TEST(lazy.any_user_email() == memory.any_user_email());
  for (const char* day : {"2025-01-01", "2025-06-30", "2025-07-01", "2026-12-06"}) {
    const Date d = *parse_date(day);
    for (const Unit& u : memory.units()) {
      BOOST_REQUIRE(lazy.unit(u.code) != nullptr);
      BOOST_TEST(lazy.unit(u.code)->name == u.name);
      const Unit* now = memory.unit_on(u.code, d);
      const Unit* lazy_now = lazy.unit_on(u.code, d);
      BOOST_TEST((now == nullptr) == (lazy_now == nullptr));
      if (now && lazy_now) BOOST_TEST(now->code == lazy_now->code);
      BOOST_TEST(codes(lazy.ancestors_on(u.code, d)) == codes(memory.ancestors_on(u.code, d)),
                 boost::test_tools::per_element());
      for (const Unit& v : memory.units())
        BOOST_TEST(lazy.in_scope(v.code, u.code, d) == memory.in_scope(v.code, u.code, d));
    }
  }
  int with_events = 0;
  for (const User& u : memory.users()) {
    const User* got = lazy.user(u.id);
    BOOST_REQUIRE(got != nullptr);
    BOOST_TEST(got->unit == u.unit);
    BOOST_TEST(got->events == u.events);  // filled from the roles, as index() does
    with_events += got->events != 0u;
  }
  BOOST_TEST(with_events > 0);
  BOOST_TEST(lazy.unit("NO-SUCH-UNIT") == nullptr);
  BOOST_TEST(lazy.unit("NO-SUCH-UNIT") == nullptr);
  BOOST_TEST(lazy.user("nobody") == nullptr);
  // Each code read once, the unknown one too; the whole directory never.
  BOOST_TEST(reader->unit_reads == static_cast<int>(memory.units().size()) + 1);
  BOOST_TEST(reader->user_reads == static_cast<int>(memory.users().size()) + 1);
  BOOST_TEST(reader->all_units_reads == 0);
  BOOST_TEST(reader->all_users_reads == 0);
  BOOST_TEST(!lazy.directory_in_memory());
  // A pointer handed out stays valid and the same for the Config's life.
  const Unit* first = lazy.unit(memory.units().front().code);
  BOOST_TEST(lazy.unit(memory.units().front().code) == first);
}

BOOST_AUTO_TEST_CASE(what_needs_the_whole_reads_it_once_units_and_users_apart) {
  const Config memory = load("/tests/data/config/history.yaml");
  auto reader = std::make_shared<CountingReader>(memory);
  const Config lazy = on_demand(memory, reader);
  const Date d = *parse_date("2025-07-01");
  const std::string top = memory.units().front().code;
  BOOST_TEST(lazy.units_under(top, d) == memory.units_under(top, d), boost::test_tools::per_element());
  BOOST_TEST(reader->all_units_reads == 1);
  BOOST_TEST(reader->all_users_reads == 0);  // units_under needs no user
  BOOST_TEST(!lazy.directory_in_memory());
  for (const Unit& u : memory.units())
    BOOST_TEST(lazy.units_under(u.code, d) == memory.units_under(u.code, d), boost::test_tools::per_element());
  BOOST_TEST(reader->all_units_reads == 1);
  // Lookups now answer from the units read whole, without the reader.
  const int before = reader->unit_reads;
  BOOST_TEST(lazy.unit(top) == &lazy.units().front());
  BOOST_TEST(reader->unit_reads == before);
  // The users: read whole once, by the first thing that needs them.
  for (const User& u : memory.users()) {
    const auto got = lazy.producers_with_email(u.unit);
    const auto want = memory.producers_with_email(u.unit);
    BOOST_REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) BOOST_TEST(got[i]->id == want[i]->id);
  }
  BOOST_TEST(reader->all_users_reads == 1);
  BOOST_TEST(lazy.directory_in_memory());
  BOOST_REQUIRE(lazy.users().size() == memory.users().size());
  for (size_t i = 0; i < memory.users().size(); ++i) {
    BOOST_TEST(lazy.users()[i].id == memory.users()[i].id);
    BOOST_TEST(lazy.users()[i].events == memory.users()[i].events);
  }
  BOOST_TEST(lazy.any_user_email() == memory.any_user_email());
}

BOOST_AUTO_TEST_CASE(a_failing_reader_changes_nothing_and_the_next_call_reads_again) {
  const Config memory = load("/tests/data/config/history.yaml");
  auto reader = std::make_shared<CountingReader>(memory);
  const Config lazy = on_demand(memory, reader);
  const std::string code = memory.units().back().code;
  reader->down = true;
  BOOST_CHECK_THROW(lazy.unit(code), StoreError);
  BOOST_CHECK_THROW(lazy.user(memory.users().front().id), StoreError);
  BOOST_CHECK_THROW(lazy.units(), StoreError);
  BOOST_CHECK_THROW(lazy.producers_with_email(memory.users().front().unit), StoreError);
  BOOST_TEST(!lazy.directory_in_memory());
  reader->down = false;
  // Nothing was kept from the failed calls: not "no such unit", not an empty directory.
  BOOST_REQUIRE(lazy.unit(code) != nullptr);
  BOOST_TEST(lazy.unit(code)->code == code);
  BOOST_TEST(lazy.units().size() == memory.units().size());
  BOOST_TEST(lazy.users().size() == memory.users().size());
  BOOST_TEST(lazy.directory_in_memory());
}

BOOST_AUTO_TEST_CASE(a_copy_reads_through_the_same_reader_and_one_read_whole_holds_its_own) {
  const Config memory = load("/tests/data/config/history.yaml");
  auto reader = std::make_shared<CountingReader>(memory);
  Config lazy = on_demand(memory, reader);
  const std::string code = memory.units().back().code;
  BOOST_REQUIRE(lazy.unit(code));
  Config copy = lazy;  // its own entries: the code is read again, through the same reader
  BOOST_TEST(!copy.directory_in_memory());
  BOOST_REQUIRE(copy.unit(code));
  BOOST_TEST(reader->unit_reads == 2);
  BOOST_TEST(copy.unit(code) != lazy.unit(code));
  // Read whole, then copied: the copy holds the directory and never asks the reader (what the
  // HTTP service does before it shares its Config between threads).
  lazy.read_whole_directory();
  BOOST_TEST(lazy.directory_in_memory());
  BOOST_TEST(lazy.units().size() == memory.units().size());
  BOOST_TEST(lazy.users().size() == memory.users().size());
  const int reads = reader->unit_reads + reader->user_reads + reader->all_units_reads + reader->all_users_reads;
  const Config whole = lazy;
  BOOST_TEST(whole.directory_in_memory());
  BOOST_REQUIRE(whole.unit(code));
  BOOST_TEST(whole.unit(code) == &whole.units().back());
  BOOST_TEST(whole.user(memory.users().front().id) == &whole.users().front());
  BOOST_TEST(reader->unit_reads + reader->user_reads + reader->all_units_reads + reader->all_users_reads == reads);
  // Changing a Config read on demand reads it whole first, then changes its own copy.
  Config edited = copy;
  edited.mutable_units().back().name = "đổi tên";
  edited.index();
  BOOST_TEST(edited.unit(code)->name == "đổi tên");
  BOOST_TEST(copy.unit(code)->name == memory.unit(code)->name);
}

BOOST_AUTO_TEST_CASE(a_command_that_meets_many_entries_reads_the_rest_of_their_kind_at_once) {
  // A chain of 300 units, each the parent of the next, and a user in each.
  Config memory;
  memory.roles["coordinator"] = 1;
  for (int i = 0; i < 300; ++i) {
    Unit u;
    u.code = "U" + std::to_string(i);
    u.name = "Xã " + std::to_string(i);
    if (i > 0) u.parent = "U" + std::to_string(i - 1);
    memory.mutable_units().push_back(u);
    memory.mutable_users().push_back(User{"user." + std::to_string(i), "N", {"coordinator"}, u.code, "", 0});
  }
  memory.index();
  auto reader = std::make_shared<CountingReader>(memory);
  const Config lazy = on_demand(memory, reader);
  std::vector<const Unit*> early;
  for (int i = 0; i < 64; ++i) early.push_back(lazy.unit("U" + std::to_string(i)));
  BOOST_TEST(reader->unit_reads == 64);
  BOOST_TEST(reader->all_units_reads == 0);
  // The 65th distinct unit: all units at once, then no more rows one by one.
  const Unit* u100 = lazy.unit("U100");
  BOOST_REQUIRE(u100 != nullptr);
  BOOST_TEST(u100 == &lazy.units()[100]);
  BOOST_TEST(reader->all_units_reads == 1);
  BOOST_TEST(reader->unit_reads == 64);
  BOOST_TEST(lazy.unit("U299")->name == "Xã 299");
  BOOST_TEST(reader->unit_reads == 64);
  // What was handed out before still stands.
  for (int i = 0; i < 64; ++i) BOOST_TEST(early[i]->code == "U" + std::to_string(i));
  // Ancestors met before and after are each listed once (compared by code, not address).
  const Date d = *parse_date("2026-12-06");
  BOOST_TEST(codes(lazy.ancestors_on("U150", d)) == codes(memory.ancestors_on("U150", d)),
             boost::test_tools::per_element());
  BOOST_TEST(lazy.ancestors_on("U150", d).size() == 16u);  // bounded depth, as in memory
  // Users the same, on their own.
  BOOST_TEST(reader->all_users_reads == 0);
  for (int i = 0; i < 65; ++i) BOOST_REQUIRE(lazy.user("user." + std::to_string(i)));
  BOOST_TEST(reader->user_reads == 64);
  BOOST_TEST(reader->all_users_reads == 1);
  BOOST_TEST(lazy.user("user.200")->events == 1u);
  BOOST_TEST(lazy.directory_in_memory());
}

BOOST_AUTO_TEST_SUITE_END()
