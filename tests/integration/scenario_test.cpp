// Runs the declarative scenario files in tests/scenarios/*.scn (see tests/scenarios/README.md):
// each line fires an event and states the expected outcome, or checks a dossier's fields.
#include <fstream>
#include <regex>
#include <sstream>

#include "config/yaml_config.hpp"
#include "fixture.hpp"
#include "ocop/migration.hpp"
#include "ocop/rules.hpp"

using namespace ocop;
using namespace ocop::testing;
using nlohmann::json;

namespace {

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t"));
  s.erase(s.find_last_not_of(" \t\r") + 1);
  return s;
}

const std::map<std::string, int> kOutcomes = {
    {"bad_input", 2}, {"not_found", 3}, {"refused", 4}, {"conflict", 5}, {"forbidden", 6}};

// Returns the number of checks made; reports failures through BOOST_ERROR with file:line.
int run_scenario(const std::filesystem::path& file) {
  std::ifstream in(file);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " << file);
  std::unique_ptr<Db> db;
  std::string line;
  int n = 0, checks = 0;
  // DOSSIER EVENT by ACTOR [version N] [key K] [JSON] -> OUTCOME ["message part"]
  static const std::regex fire_re(
      R"(^(\S+)\s+(\S+)\s+by\s+(\S+)(?:\s+version\s+(\d+))?(?:\s+key\s+(\S+))?(?:\s+(\{.*\}))?\s+->\s+(\S+)(?:\s+\"(.*)\")?$)");
  static const std::regex check_re(R"(^check\s+(\S+)\s+(.*)$)");
  // migrate PLAN by ACTOR [dry-run] -> ok N | OUTCOME ["message part"]
  static const std::regex migrate_re(
      R"(^migrate\s+(\S+)\s+by\s+(\S+)(\s+dry-run)?\s+->\s+(\S+)(?:\s+(\d+))?(?:\s+\"(.*)\")?$)");
  // list UNIT -> ID ID ...   (what `ocop list --unit UNIT` shows today; "-" for none)
  static const std::regex list_re(R"(^list\s+(\S+)\s+->\s+(.*)$)");
  // history DOSSIER -> EVENT EVENT ...   (the audit records' events, oldest first)
  static const std::regex history_re(R"(^history\s+(\S+)\s+->\s+(.*)$)");
  while (std::getline(in, line)) {
    ++n;
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    const std::string where = file.filename().string() + ":" + std::to_string(n);
    std::smatch m;
    if (line.rfind("config ", 0) == 0) {
      db = std::make_unique<Db>(std::string(OCOP_SOURCE_DIR) + "/" + trim(line.substr(7)));
      continue;
    }
    if (!db) db = std::make_unique<Db>();
    if (line.rfind("at ", 0) == 0) {
      auto t = parse_instant(trim(line.substr(3)), 420);
      BOOST_REQUIRE_MESSAGE(t, where << ": bad time");
      db->clock.set(Instant{t->seconds - 3600});  // Db::fire advances the clock by an hour
      continue;
    }
    if (std::regex_match(line, m, check_re)) {
      // A dossier, or a certificate (DOSSIER/LEVEL).
      json j;
      std::string held;
      if (auto d = db->store->load_dossier(m[1])) {
        j = views::dossier_json(*d, 420);
        held = d->certificate;
      } else if (auto c = db->store->load_certificate(m[1])) {
        j = views::certificate_json(*c);
      } else {
        BOOST_ERROR(where << ": no dossier or certificate " << m[1]);
        continue;
      }
      std::istringstream fields(m[2].str());
      std::string kv;
      while (fields >> kv) {
        auto eq = kv.find('=');
        BOOST_REQUIRE_MESSAGE(eq != std::string::npos, where << ": check wants field=value");
        std::string key = kv.substr(0, eq), want = kv.substr(eq + 1);
        const json* v = &j;  // a.b looks inside objects (revocation.ground)
        for (size_t from = 0; v;) {
          size_t dot = key.find('.', from);
          std::string part = key.substr(from, dot == std::string::npos ? std::string::npos : dot - from);
          v = v->is_object() && v->contains(part) ? &(*v)[part] : nullptr;
          if (dot == std::string::npos) break;
          from = dot + 1;
        }
        std::string got = !v || v->is_null()     ? "-"
                          : v->is_string()       ? v->get<std::string>()
                          : v->is_number_float() ? format_score(v->get<double>())
                                                 : v->dump();
        if (key == "unit_now") {  // the unit it belongs to on the clock's day (units over time)
          const Unit* now = db->config.unit_on(j.value("unit", ""), local_date(db->clock.now(), 420));
          got = now ? now->code : "-";
        }
        if (key == "certificate_state") {
          auto c = db->store->load_certificate(held);
          got = c ? c->state : "-";
        }
        BOOST_CHECK_MESSAGE(got == want,
                            where << ": " << m[1] << "." << key << " is " << got << ", expected " << want);
        ++checks;
      }
      continue;
    }
    if (std::regex_match(line, m, migrate_re)) {
      auto plan = config::load_plan_file(std::string(OCOP_SOURCE_DIR) + "/" + m[1].str());
      BOOST_REQUIRE_MESSAGE(plan.ok(),
                            where << ": the plan loads: " << (plan.ok() ? "" : plan.problems[0].to_string()));
      db->clock.set(Instant{db->clock.now().seconds + 3600});
      Migrator mig(db->config, *db->store, db->clock);
      MigrationReport r = mig.run(plan.plan, m[2], m[3].matched);
      const std::string want = m[4];
      std::string problems;
      for (const auto& p : r.problems) problems += "\n  " + p;
      if (want == "ok") {
        BOOST_CHECK_MESSAGE(r.status.ok(),
                            where << ": migration refused: " << r.status.message() << problems);
        if (m[5].matched)
          BOOST_CHECK_MESSAGE(r.moves.size() == std::stoul(m[5]),
                              where << ": " << r.moves.size() << " dossier(s) moved, expected " << m[5]);
      } else {
        auto it = kOutcomes.find(want);
        BOOST_REQUIRE_MESSAGE(it != kOutcomes.end(), where << ": unknown outcome " << want);
        BOOST_CHECK_MESSAGE(r.status.exit_code() == it->second,
                            where << ": expected " << want << ", got exit " << r.status.exit_code() << ": "
                                  << r.status.message() << problems);
        const std::string msg = m[6];
        if (!msg.empty())
          BOOST_CHECK_MESSAGE(
              (r.status.message() + problems).find(msg) != std::string::npos,
              where << ": message \"" << r.status.message() << problems << "\" lacks \"" << msg << "\"");
      }
      ++checks;
      continue;
    }
    if (std::regex_match(line, m, list_re)) {
      DossierFilter f;
      f.units = db->config.units_under(m[1], local_date(db->clock.now(), 420));
      std::string got;
      for (const auto& d : db->store->list_dossiers(f)) got += (got.empty() ? "" : " ") + d.id;
      if (got.empty()) got = "-";
      BOOST_CHECK_MESSAGE(got == trim(m[2]),
                          where << ": list " << m[1] << " is " << got << ", expected " << m[2]);
      ++checks;
      continue;
    }
    if (std::regex_match(line, m, history_re)) {
      std::string got;
      for (const auto& r : db->store->history(m[1])) got += (got.empty() ? "" : " ") + r.event;
      BOOST_CHECK_MESSAGE(got == trim(m[2]),
                          where << ": history of " << m[1] << " is " << got << ", expected " << m[2]);
      ++checks;
      continue;
    }
    if (line == "verify") {
      std::string why;
      BOOST_CHECK_MESSAGE(db->verify(&why), where << ": audit chain verifies: " << why);
      ++checks;
      continue;
    }
    BOOST_REQUIRE_MESSAGE(std::regex_match(line, m, fire_re), where << ": cannot parse: " << line);
    EventRequest req;
    req.event = m[2];
    req.actor = m[3];
    if (m[4].matched) req.expected_version = std::stoll(m[4]);
    if (m[5].matched) req.key = m[5];
    if (m[6].matched) {
      req.data = json::parse(m[6].str(), nullptr, false);
      BOOST_REQUIRE_MESSAGE(!req.data.is_discarded(), where << ": bad JSON");
    }
    const bool creating =
        (req.event == "submit_idea" || req.event == "register") && req.data.contains("product");
    if (creating)
      req.data["id"] = m[1];
    else
      req.dossier = m[1];
    db->clock.set(Instant{db->clock.now().seconds + 3600});
    FireResult r = db->ex->fire(req);
    const std::string want = m[7], msg = m[8];
    if (auto it = kOutcomes.find(want); it != kOutcomes.end()) {
      BOOST_CHECK_MESSAGE(r.status.exit_code() == it->second,
                          where << ": expected " << want << ", got exit " << r.status.exit_code() << ": "
                                << (r.status.ok() ? db->view(r).dump() : r.status.message()));
      if (!msg.empty())
        BOOST_CHECK_MESSAGE(r.status.message().find(msg) != std::string::npos,
                            where << ": message \"" << r.status.message() << "\" lacks \"" << msg << "\"");
    } else if (want == "duplicate") {
      BOOST_CHECK_MESSAGE(r.status.ok() && r.duplicate, where << ": expected a duplicate");
    } else {
      BOOST_CHECK_MESSAGE(r.status.ok(),
                          where << ": expected " << want << ", refused: " << r.status.message());
      if (r.status.ok())
        BOOST_CHECK_MESSAGE(db->view(r)["state"] == want,
                            where << ": state is " << db->view(r)["state"] << ", expected " << want);
    }
    ++checks;
  }
  return checks;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(scenarios)

BOOST_AUTO_TEST_CASE(every_scenario_file) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(std::string(OCOP_SOURCE_DIR) + "/tests/scenarios"))
    if (e.path().extension() == ".scn") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  BOOST_REQUIRE_MESSAGE(files.size() >= 5, "the scenario files are found");
  for (const auto& f : files) {
    BOOST_TEST_CONTEXT("scenario " << f.filename().string()) {
      int checks = run_scenario(f);
      BOOST_TEST_MESSAGE(f.filename().string() << ": " << checks << " checks");
      BOOST_CHECK_MESSAGE(checks > 0, f.filename().string() << " checks something");
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
