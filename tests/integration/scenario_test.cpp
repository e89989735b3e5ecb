// Runs the declarative scenario files in tests/scenarios/*.scn (see tests/scenarios/README.md):
// each line fires an event and states the expected outcome, or checks the fields of a dossier,
// a certificate, or an object after recognition (activity, participation, inspection).
#include <fstream>
#include <regex>

#include "config/yaml_config.hpp"
#include "fixture.hpp"
#include "ocop/migration.hpp"
#include "ocop/rules.hpp"
#include "ocop/scheduler.hpp"

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

// `field=value field="a value with spaces" ...` as pairs; false when it does not parse.
bool parse_fields(const std::string& text, std::vector<std::pair<std::string, std::string>>& out) {
  size_t i = 0;
  while (true) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i == text.size()) return true;
    size_t eq = text.find('=', i);
    if (eq == std::string::npos || eq == i || text.find_first_of(" \t", i) < eq) return false;
    std::string key = text.substr(i, eq - i), value;
    i = eq + 1;
    if (i < text.size() && text[i] == '"') {
      size_t close = text.find('"', i + 1);
      if (close == std::string::npos) return false;
      value = text.substr(i + 1, close - i - 1);
      i = close + 1;
    } else {
      size_t end = text.find_first_of(" \t", i);
      value = text.substr(i, end == std::string::npos ? std::string::npos : end - i);
      i = end == std::string::npos ? text.size() : end;
    }
    out.emplace_back(std::move(key), std::move(value));
  }
}

// Returns the number of checks made; reports failures through BOOST_ERROR with file:line.
int run_scenario(const std::filesystem::path& file) {
  std::ifstream in(file);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " << file);
  std::unique_ptr<Db> db;
  std::string line;
  int n = 0, checks = 0;
  // Aliases of generated ids: `F1 plan_activity ...` makes F1 stand for the new activity's id.
  std::map<std::string, std::string> aliases;
  // Replaces each /-separated part of `text` that is an alias (F1/H1 -> BX-XT-2026-001/H1).
  auto resolve = [&](const std::string& text) {
    std::string out;
    for (size_t from = 0;;) {
      size_t slash = text.find('/', from);
      std::string part = text.substr(from, slash == std::string::npos ? std::string::npos : slash - from);
      auto it = aliases.find(part);
      out += it == aliases.end() ? part : it->second;
      if (slash == std::string::npos) return out;
      out += '/';
      from = slash + 1;
    }
  };
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
  // tick DAY [-> count=N ...]   (the scheduler as of DAY, 06:00 local; counts of its report)
  static const std::regex tick_re(R"(^tick\s+(\d{4}-\d{2}-\d{2})(?:\s+->\s+(.*))?$)");
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
      // A dossier, a certificate (DOSSIER/LEVEL), an activity, a participation or an inspection.
      const std::string id = resolve(m[1]);
      json j;
      std::string held;
      if (auto d = db->store->load_dossier(id)) {
        j = views::dossier_json(*d, 420);
        held = d->certificate;
      } else if (auto c = db->store->load_certificate(id)) {
        j = views::certificate_json(*c);
      } else if (auto a = db->store->load_activity(id)) {
        j = views::activity_json(*a, 420);
        ParticipationFilter counted;  // as `ocop activities` counts them
        counted.activity = id;
        counted.states = {"selected", "reported"};
        std::int64_t booths = 0;
        for (const auto& p : db->store->participations(counted)) booths += p.booths;
        j["booths_selected"] = booths;
      } else if (auto p = db->store->load_participation(id)) {
        j = views::participation_json(*p, 420);
      } else if (auto i = db->store->load_inspection(id)) {
        j = views::inspection_json(*i, 420);
      } else {
        BOOST_ERROR(where << ": no dossier, certificate, activity, participation or inspection " << id);
        continue;
      }
      std::vector<std::pair<std::string, std::string>> fields;
      BOOST_REQUIRE_MESSAGE(parse_fields(m[2], fields),
                            where << ": check wants field=value or field=\"value\"");
      for (const auto& [key, want] : fields) {
        const json* v = &j;  // a.b looks inside objects (revocation.ground), a.0 inside lists
        for (size_t from = 0; v;) {
          size_t dot = key.find('.', from);
          std::string part = key.substr(from, dot == std::string::npos ? std::string::npos : dot - from);
          if (v->is_array()) {
            const bool index = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
            v = index && std::stoul(part) < v->size() ? &(*v)[std::stoul(part)] : nullptr;
          } else {
            v = v->is_object() && v->contains(part) ? &(*v)[part] : nullptr;
          }
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
      for (const auto& r : db->store->history(resolve(m[1]))) got += (got.empty() ? "" : " ") + r.event;
      BOOST_CHECK_MESSAGE(got == trim(m[2]),
                          where << ": history of " << m[1] << " is " << got << ", expected " << m[2]);
      ++checks;
      continue;
    }
    if (std::regex_match(line, m, tick_re)) {
      auto t = parse_instant(m[1].str() + "T06:00:00+07:00", 420);
      BOOST_REQUIRE_MESSAGE(t, where << ": bad day");
      db->clock.set(*t);
      auto cycles = workflows::make_cycle_lifecycle();
      Scheduler sched(db->config, *db->ex, *db->certificates, *cycles, *db->store, db->clock);
      TickReport r = sched.tick(false);
      std::string notes;
      for (const auto& note : r.notes) notes += "\n  " + note;
      BOOST_CHECK_MESSAGE(r.status.ok(), where << ": the tick failed: " << r.status.message() << notes);
      std::vector<std::pair<std::string, std::string>> counts;
      BOOST_REQUIRE_MESSAGE(parse_fields(m[2], counts), where << ": tick wants -> kind=N ...");
      for (const auto& [kind, want] : counts) {
        auto it = r.counts.find(kind);
        const std::string got = std::to_string(it == r.counts.end() ? 0 : it->second);
        BOOST_CHECK_MESSAGE(got == want,
                            where << ": tick counted " << got << " " << kind << ", expected " << want);
      }
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
    // After recognition: plan_activity and plan_inspection create an object whose id the engine
    // generates (m[1] becomes its alias); apply creates ACTIVITY/DOSSIER (m[1], aliases resolved).
    const bool planning = req.event == "plan_activity" || req.event == "plan_inspection";
    const bool applying = req.event == "apply";
    if (creating) {
      req.data["id"] = m[1];
    } else if (planning || applying) {
      for (const char* name : {"activity", "certificate"})
        if (req.data.is_object() && req.data.contains(name) && req.data[name].is_string())
          req.data[name] = resolve(req.data[name].get<std::string>());
    } else {
      req.dossier = resolve(m[1]);
    }
    db->clock.set(Instant{db->clock.now().seconds + 3600});
    FireResult r = db->ex->fire(req);
    if (r.status.ok() && planning) {
      auto [it, fresh] = aliases.emplace(m[1], r.dossier_id);
      BOOST_CHECK_MESSAGE(fresh || it->second == r.dossier_id,
                          where << ": " << m[1] << " stands for " << it->second << " already");
    }
    if (r.status.ok() && applying)
      BOOST_CHECK_MESSAGE(r.dossier_id == resolve(m[1]),
                          where << ": the participation is " << r.dossier_id << ", not " << resolve(m[1]));
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
      BOOST_CHECK_MESSAGE(!r.duplicate,
                          where << ": expected " << want << ", got a duplicate (a replayed key)");
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
