#include "store/archive.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <unordered_set>

#include <nlohmann/json.hpp>
#include <soci/soci.h>

#include "ocop/sha256.hpp"
#include "store/backup.hpp"

namespace fs = std::filesystem;

namespace ocop::store {
namespace {

using json = nlohmann::json;
using ordered = nlohmann::ordered_json;

constexpr const char* kFinalStates = "('recognized', 'not_recognized', 'rejected', 'withdrawn')";
constexpr const char* kInForce = "('active', 'expiring')";
// The rows that go with a dossier: table, the column naming the dossier.
constexpr std::pair<const char*, const char*> kRows[] = {
    {"dossiers", "id"}, {"certificates", "dossier"}, {"scoresheets", "dossier"}, {"documents", "dossier"}};

Status io_failed(const std::string& what, const std::string& path) {
  return Status::Internal(what + " " + path + ": " + std::strerror(errno));
}

// A row as a JSON object, column by column (NULL as null).
ordered row_json(const soci::row& r) {
  ordered o = ordered::object();
  for (std::size_t i = 0; i < r.size(); ++i) {
    const auto& p = r.get_properties(i);
    const std::string name = p.get_name();
    if (r.get_indicator(i) == soci::i_null) {
      o[name] = nullptr;
      continue;
    }
    switch (p.get_data_type()) {
      case soci::dt_double:
        o[name] = r.get<double>(i);
        break;
      case soci::dt_integer:
        o[name] = r.get<int>(i);
        break;
      case soci::dt_long_long:
        o[name] = r.get<long long>(i);
        break;
      case soci::dt_unsigned_long_long:
        o[name] = r.get<unsigned long long>(i);
        break;
      default:
        o[name] = r.get<std::string>(i);
    }
  }
  return o;
}

std::string record_line(const AuditRecord& r) {
  ordered o = {{"seq", r.seq},          {"at", r.at_text},       {"actor", r.actor}, {"role", r.role},
               {"dossier", r.dossier},  {"event", r.event},      {"from", r.from_state},
               {"to", r.to_state},      {"level", r.level},      {"data", r.data},
               {"prev_hash", r.prev_hash}, {"hash", r.hash}};
  return o.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A line of audit.jsonl back into a record; false when it is not one.
bool parse_record(const std::string& line, AuditRecord& r) {
  json j = json::parse(line, nullptr, false);
  if (!j.is_object()) return false;
  try {
    r.seq = j.at("seq").get<std::int64_t>();
    r.at_text = j.at("at").get<std::string>();
    auto at = parse_instant(r.at_text, 0);
    if (!at) return false;
    r.at = *at;
    r.actor = j.at("actor").get<std::string>();
    r.role = j.at("role").get<std::string>();
    r.dossier = j.at("dossier").get<std::string>();
    r.event = j.at("event").get<std::string>();
    r.from_state = j.at("from").get<std::string>();
    r.to_state = j.at("to").get<std::string>();
    r.level = j.at("level").get<std::string>();
    r.data = j.at("data").get<std::string>();
    r.prev_hash = j.at("prev_hash").get<std::string>();
    r.hash = j.at("hash").get<std::string>();
  } catch (const json::exception&) {
    return false;
  }
  return true;
}

// A file written through FILE.part, fsynced, then renamed into place.
class SyncedFile {
 public:
  SyncedFile(std::string path) : path_(std::move(path)), part_(path_ + ".part"), out_(part_, std::ios::trunc | std::ios::binary) {}
  std::ofstream& out() { return out_; }
  Status close() {
    out_.close();
    if (!out_) return io_failed("cannot write", part_);
    if (!fsync_path(part_, false) || std::rename(part_.c_str(), path_.c_str()) != 0) return io_failed("cannot write", path_);
    return Status::Ok();
  }

 private:
  std::string path_, part_;
  std::ofstream out_;
};

std::string in_list(const std::vector<std::string>& ids, std::size_t from, std::size_t to) {
  std::string q;
  for (std::size_t i = from; i < to; ++i) {
    q += i == from ? "'" : ", '";
    for (char c : ids[i]) q += c == '\'' ? std::string("''") : std::string(1, c);
    q += "'";
  }
  return q;
}

std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

class FileTrail : public ArchivedTrail {
 public:
  FileTrail(const ArchiveManifest& m, const std::string& path)
      : id_(m.id), sha_(m.sha256), path_(path), in_(path, std::ios::binary) {
    auto f = m.files.find("audit.jsonl");
    if (f != m.files.end()) file_ = f->second;
  }
  const std::string& id() const override { return id_; }
  const std::string& manifest_sha256() const override { return sha_; }
  const std::string& problem() const override { return problem_; }
  bool next(AuditRecord& r) override {
    if (done_) return false;
    if (!std::getline(in_, line_)) {
      done_ = true;
      if (in_.eof() && !in_.bad() && (bytes_ != file_.second || file_hash_.hex() != file_.first))
        problem_ = path_ + " is not the file its manifest names (SHA-256 and size): it was changed";
      return false;
    }
    file_hash_.update(line_.data(), line_.size());
    bytes_ += static_cast<std::int64_t>(line_.size());
    if (!in_.eof()) {
      file_hash_.update("\n", 1);
      ++bytes_;
    }
    ++n_;
    if (!parse_record(line_, r)) {
      problem_ = "archive " + id_ + ": line " + std::to_string(n_) + " of " + path_ + " is not an audit record";
      return false;
    }
    return true;
  }

 private:
  std::string id_, sha_, path_, problem_, line_;
  std::ifstream in_;
  std::int64_t n_ = 0, bytes_ = 0;
  std::pair<std::string, std::int64_t> file_;
  Sha256 file_hash_;
  bool done_ = false;
};

}  // namespace

Status plan_archive(SociStore& s, int until, const std::map<int, Date>& last_days, Date today, ArchivePlan& plan) {
  auto& sql = s.session();
  plan.until = until;
  // Every cycle with dossiers up to `until` must be over.
  {
    soci::rowset<soci::row> years = sql.prepare << "SELECT DISTINCT d.year, c.state FROM dossiers d LEFT JOIN cycles c"
                                                   " ON c.year = d.year WHERE d.year <= "
                                                << until << " ORDER BY d.year";
    for (const auto& r : years) {
      const int year = r.get<int>(0);
      const std::string state = r.get_indicator(1) == soci::i_null ? "" : r.get<std::string>(1);
      if (state == "closed") continue;
      auto last = last_days.find(year);
      const Date last_day = last != last_days.end() ? last->second : make_date(year, 12, 31);
      if (!state.empty())
        return Status::Refused("cycle " + std::to_string(year) + " is still " + state +
                               " (table cycles): it is archived once `ocop tick` has closed it");
      if (!(last_day < today))
        return Status::Refused("cycle " + std::to_string(year) + " is still open: its last day is " +
                               format_date(last_day) + "; it can be archived from the day after");
    }
  }
  const AuditHead head = s.audit_head();
  plan.cut = head;
  plan.id = "until-" + std::to_string(until) + "-cut-" + std::to_string(head.seq);
  // Candidates: final, no certificate in force, no promotion records.
  std::set<std::string> chosen;
  {
    soci::rowset<std::string> ids =
        sql.prepare << std::string("SELECT d.id FROM dossiers d WHERE d.year <= ") + std::to_string(until) +
                           " AND d.state IN " + kFinalStates +
                           " AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.dossier = d.id AND c.state IN " +
                           kInForce +
                           ") AND NOT EXISTS (SELECT 1 FROM participations p WHERE p.dossier = d.id)"
                           " AND NOT EXISTS (SELECT 1 FROM inspections i WHERE i.dossier = d.id)";
    for (const auto& id : ids) chosen.insert(id);
  }
  // A dossier that stays live and builds on a certificate keeps that certificate's dossier live
  // (and so on, to a fixed point).
  std::vector<std::pair<std::string, std::string>> builds;  // (live-or-not dossier, dossier of its base)
  {
    soci::rowset<soci::row> rs = sql.prepare << "SELECT e.id, c.dossier FROM dossiers e JOIN certificates c"
                                                " ON c.id = e.base_certificate";
    for (const auto& r : rs) builds.emplace_back(r.get<std::string>(0), r.get<std::string>(1));
  }
  std::int64_t built_on = 0;
  for (bool again = true; again;) {
    again = false;
    for (const auto& [e, base] : builds)
      if (!chosen.count(e) && chosen.erase(base)) {
        ++built_on;
        again = true;
      }
  }
  plan.dossiers.assign(chosen.begin(), chosen.end());
  // What stays, by reason.
  auto count = [&](const std::string& where) {
    long long n = 0;
    sql << "SELECT COUNT(*) FROM dossiers d WHERE d.year <= " + std::to_string(until) + " AND " + where, soci::into(n);
    return static_cast<std::int64_t>(n);
  };
  plan.kept["not in a final state"] = count(std::string("d.state NOT IN ") + kFinalStates);
  plan.kept["a certificate in force"] =
      count(std::string("d.state IN ") + kFinalStates +
            " AND EXISTS (SELECT 1 FROM certificates c WHERE c.dossier = d.id AND c.state IN " + kInForce + ")");
  plan.kept["promotion participations or inspections"] =
      count(std::string("d.state IN ") + kFinalStates + " AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.dossier = d.id AND c.state IN " +
            kInForce +
            ") AND (EXISTS (SELECT 1 FROM participations p WHERE p.dossier = d.id) OR EXISTS (SELECT 1 FROM "
            "inspections i WHERE i.dossier = d.id))");
  plan.kept["a live dossier builds on its certificate"] = built_on;
  for (auto it = plan.kept.begin(); it != plan.kept.end();) it = it->second ? std::next(it) : plan.kept.erase(it);
  return Status::Ok();
}

Status write_archive(SociStore& s, const ArchivePlan& plan, const std::string& documents_dir, const std::string& dest,
                     const std::string& created_at, const std::string& source, ArchiveManifest& m) {
  std::error_code ec;
  if (fs::exists(dest, ec)) return Status::BadInput("archive directory " + dest + " exists: give a new one");
  if (!fs::create_directory(dest, ec)) return Status::BadInput("cannot create " + dest + ": " + ec.message());
  auto failed = [&](Status st) {
    fs::remove_all(dest, ec);  // never a half archive left to be mistaken for one
    return st;
  };
  m = ArchiveManifest{};
  m.id = plan.id;
  m.created_at = created_at;
  m.source = source;
  m.until = plan.until;
  m.cut = plan.cut;
  m.dossiers = static_cast<std::int64_t>(plan.dossiers.size());
  auto& sql = s.session();
  try {
    // The records: one pass over the trail up to the cut, keeping the archived dossiers' own.
    {
      const std::unordered_set<std::string> ids(plan.dossiers.begin(), plan.dossiers.end());
      SyncedFile f(dest + "/audit.jsonl");
      RecordDigest digest;
      s.scan_audit([&](const AuditRecord& r) {
        if (r.seq > plan.cut.seq) return false;
        if (!ids.count(r.dossier)) return true;
        f.out() << record_line(r) << '\n';
        digest.add(r.seq, r.hash);
        return true;
      });
      if (Status st = f.close(); !st.ok()) return failed(st);
      m.records = digest.count();
      m.records_digest = digest.hex();
    }
    // The rows, table by table, in pages of ids.
    std::set<std::pair<std::string, std::int64_t>> docs;
    for (const auto& [table, column] : kRows) {
      SyncedFile f(dest + "/" + table + ".jsonl");
      for (std::size_t from = 0; from < plan.dossiers.size(); from += 500) {
        const std::size_t to = std::min(plan.dossiers.size(), from + 500);
        soci::rowset<soci::row> rs = sql.prepare << std::string("SELECT * FROM ") + table + " WHERE " + column +
                                                        " IN (" + in_list(plan.dossiers, from, to) + ") ORDER BY " +
                                                        column;
        for (const auto& r : rs) {
          ordered o = row_json(r);
          if (std::string(table) == "documents")
            docs.emplace(o["sha256"].get<std::string>(), o["bytes"].get<std::int64_t>());
          f.out() << o.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
        }
      }
      if (Status st = f.close(); !st.ok()) return failed(st);
    }
    // The documents' bytes.
    for (const auto& [sha, bytes] : docs) {
      const std::string from = documents_dir + "/" + sha.substr(0, 2) + "/" + sha.substr(2);
      if (documents_dir.empty() || !is_sha256_hex(sha) || !fs::exists(from, ec)) {
        m.not_stored.push_back(sha);
        continue;
      }
      const std::string to = dest + "/documents/" + sha.substr(0, 2) + "/" + sha.substr(2);
      if (Status st = copy_checked(from, to, sha, bytes); !st.ok()) return failed(st);
      m.documents.emplace_back(sha, bytes);
    }
  } catch (const std::exception& e) {
    return failed(Status::Internal(std::string("writing the archive: ") + e.what()));
  }
  for (const char* name : {"audit.jsonl", "dossiers.jsonl", "certificates.jsonl", "scoresheets.jsonl", "documents.jsonl"}) {
    auto& [sha, bytes] = m.files[name];
    if (Status st = hash_file(dest + "/" + name, sha, bytes); !st.ok()) return failed(st);
  }
  // The manifest, last.
  ordered j = {{"format", m.format},
               {"kind", "ocop archive"},
               {"id", m.id},
               {"created_at", m.created_at},
               {"source", m.source},
               {"until", m.until},
               {"cut", {{"seq", m.cut.seq}, {"hash", m.cut.hash}}},
               {"dossiers", m.dossiers},
               {"audit", {{"records", m.records}, {"digest", m.records_digest}}},
               {"files", ordered::object()},
               {"documents", ordered::array()}};
  for (const auto& [name, f] : m.files) j["files"][name] = {{"sha256", f.first}, {"bytes", f.second}};
  for (const auto& [sha, bytes] : m.documents) j["documents"].push_back({{"sha256", sha}, {"bytes", bytes}});
  j["not_stored"] = m.not_stored;
  {
    SyncedFile f(dest + "/" + kArchiveManifest);
    f.out() << j.dump(2) << "\n";
    if (Status st = f.close(); !st.ok()) return failed(st);
  }
  fsync_path(dest, true);
  ArchiveManifest back;
  if (Status st = check_archive(dest, back, true); !st.ok())
    return failed(Status::Internal("the archive just written does not check: " + st.message()));
  m.sha256 = back.sha256;
  return Status::Ok();
}

Status check_archive(const std::string& dest, ArchiveManifest& m, bool records) {
  const std::string path = dest + "/" + kArchiveManifest;
  std::error_code ec;
  if (!fs::is_directory(dest, ec)) return Status::BadInput("no archive directory " + dest);
  if (!fs::exists(path, ec))
    return Status::BadInput(dest + " is an incomplete archive (no manifest.json: the run that wrote it stopped "
                                   "before the end, and deleted nothing): remove it and run ocop archive again");
  std::int64_t manifest_bytes = 0;
  if (Status st = hash_file(path, m.sha256, manifest_bytes); !st.ok()) return st;
  std::ifstream in(path);
  json j = json::parse(in, nullptr, false);
  auto bad = [&](const std::string& why) { return Status::Refused(path + ": " + why); };
  if (!j.is_object() || j.value("kind", "") != "ocop archive") return bad("not an ocop archive manifest");
  if (j.value("format", 0) != kArchiveFormat) return bad("unknown format " + j.value("format", json()).dump());
  try {
    m.id = j.at("id").get<std::string>();
    m.created_at = j.value("created_at", "");
    m.source = j.value("source", "");
    m.until = j.at("until").get<int>();
    m.cut.seq = j.at("cut").at("seq").get<std::int64_t>();
    m.cut.hash = j.at("cut").at("hash").get<std::string>();
    m.dossiers = j.at("dossiers").get<std::int64_t>();
    m.records = j.at("audit").at("records").get<std::int64_t>();
    m.records_digest = j.at("audit").at("digest").get<std::string>();
    for (const auto& [name, f] : j.at("files").items())
      m.files[name] = {f.at("sha256").get<std::string>(), f.at("bytes").get<std::int64_t>()};
    for (const auto& d : j.at("documents")) m.documents.emplace_back(d.at("sha256").get<std::string>(), d.at("bytes").get<std::int64_t>());
    m.not_stored = j.value("not_stored", std::vector<std::string>{});
  } catch (const json::exception& e) {
    return bad(std::string("a field is missing or of the wrong type: ") + e.what());
  }
  if (!m.files.count("audit.jsonl")) return bad("it names no audit.jsonl");
  for (const auto& [name, f] : m.files) {
    if (name.find('/') != std::string::npos || name.find("..") != std::string::npos) return bad("a file name " + name);
    // Without `records`, audit.jsonl is hashed as it is read (FileTrail): a record changed
    // there is named by the chain's verification rather than only as a changed file.
    if (!records && name == "audit.jsonl") continue;
    std::string sha;
    std::int64_t bytes = 0;
    if (Status st = hash_file(dest + "/" + name, sha, bytes); !st.ok()) return st;
    if (sha != f.first || bytes != f.second)
      return Status::Refused(dest + "/" + name + " was changed: its SHA-256 or size is not the manifest's");
  }
  for (const auto& [want, want_bytes] : m.documents) {
    if (!is_sha256_hex(want)) return bad("a document's SHA-256 " + want);
    const std::string file = dest + "/documents/" + want.substr(0, 2) + "/" + want.substr(2);
    std::string sha;
    std::int64_t bytes = 0;
    if (Status st = hash_file(file, sha, bytes); !st.ok()) return st;
    if (sha != want || bytes != want_bytes)
      return Status::Refused("document " + file + " was changed: its SHA-256 or size is not the manifest's");
  }
  if (!records) return Status::Ok();
  // Every record against its hash, in order, and the count and digest.
  std::ifstream audit(dest + "/audit.jsonl");
  std::string line;
  AuditRecord r;
  RecordDigest digest;
  std::int64_t n = 0, last = 0;
  while (std::getline(audit, line)) {
    ++n;
    if (!parse_record(line, r))
      return Status::Refused(dest + "/audit.jsonl line " + std::to_string(n) + " is not an audit record");
    if (r.seq <= last || compute_hash(r) != r.hash)
      return Status::Refused(dest + "/audit.jsonl: audit record " + std::to_string(r.seq) +
                             (r.seq <= last ? " is out of order" : " does not match its hash"));
    last = r.seq;
    digest.add(r.seq, r.hash);
  }
  if (digest.count() != m.records || digest.hex() != m.records_digest)
    return Status::Refused(dest + "/audit.jsonl does not hold the records the manifest counts");
  return Status::Ok();
}

bool archive_committed(SociStore& s, const std::string& id) {
  long long n = 0;
  std::string key = id;
  s.session() << "SELECT COUNT(*) FROM archives WHERE id = :id", soci::into(n), soci::use(key);
  return n > 0;
}

Status commit_archive(SociStore& s, const ArchiveManifest& m, const std::string& dest, Instant now,
                      const std::string& actor, std::int64_t& checkpoint) {
  auto& sql = s.session();
  const bool postgresql = s.backend() == "postgresql";
  // The ids, read back from the archive's dossiers.jsonl (the manifest has checked it).
  std::vector<std::pair<std::string, std::pair<std::string, int>>> rows;  // id, (unit, year)
  {
    std::ifstream in(dest + "/dossiers.jsonl");
    std::string line;
    while (std::getline(in, line)) {
      json j = json::parse(line, nullptr, false);
      if (!j.is_object() || !j.contains("id")) return Status::Refused(dest + "/dossiers.jsonl: a line is not a dossier");
      rows.push_back({j["id"].get<std::string>(), {j.value("unit", ""), static_cast<int>(j.value("year", 0LL))}});
    }
  }
  if (static_cast<std::int64_t>(rows.size()) != m.dossiers)
    return Status::Refused(dest + "/dossiers.jsonl does not hold the dossiers the manifest counts");
  s.begin();
  try {
    // PostgreSQL: the chain's lock first, so that no other transaction links a record between
    // the digest of what stays and the checkpoint (SQLite's write lock already excludes them).
    if (postgresql) sql << "SELECT id FROM audit_chain_lock WHERE id = 1 FOR UPDATE";
    auto refuse = [&](const std::string& why) {
      s.rollback();
      return Status::Refused(why + ": nothing was deleted; " + dest +
                             " is left as it is (remove it, and run ocop archive again into a new directory)");
    };
    for (const auto& [id, at] : rows) {
      std::string key = id, unit = at.first, archive = m.id;
      int year = at.second;
      sql << "INSERT INTO archived_dossiers (id, unit, year, archive) VALUES (:i, :u, :y, :a)", soci::use(key),
          soci::use(unit), soci::use(year), soci::use(archive);
    }
    const std::string mine = "(SELECT id FROM archived_dossiers WHERE archive = " + quoted(m.id) + ")";
    {
      long long seq = 0;
      soci::indicator ind = soci::i_null;
      sql << "SELECT MIN(seq) FROM audit WHERE dossier IN " + mine + " AND seq > " + std::to_string(m.cut.seq),
          soci::into(seq, ind);
      if (ind == soci::i_ok)
        return refuse("audit record " + std::to_string(seq) + " was written for an archived dossier after the cut (" +
                      std::to_string(m.cut.seq) + ")");
      std::string hash;
      ind = soci::i_null;
      sql << "SELECT hash FROM audit WHERE seq = " + std::to_string(m.cut.seq), soci::into(hash, ind);
      if (m.cut.seq > 0 && (ind != soci::i_ok || hash != m.cut.hash)) {
        // The cut record may itself be an archived one: it is still here until the delete below.
        return refuse("the trail's record " + std::to_string(m.cut.seq) + " is not the archive's cut (" + m.cut.hash +
                      "): the archive is of another database or of another state of this one");
      }
      long long still = 0;
      sql << std::string("SELECT COUNT(*) FROM dossiers d WHERE d.id IN ") + mine + " AND d.state IN " + kFinalStates +
                 " AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.dossier = d.id AND c.state IN " + kInForce +
                 ") AND NOT EXISTS (SELECT 1 FROM participations p WHERE p.dossier = d.id)"
                 " AND NOT EXISTS (SELECT 1 FROM inspections i WHERE i.dossier = d.id)",
          soci::into(still);
      if (still != m.dossiers)
        return refuse(std::to_string(m.dossiers - still) +
                      " of the archived dossiers are gone or no longer qualify (a certificate in force, promotion "
                      "records, or not final)");
    }
    soci::statement del = (sql.prepare << "DELETE FROM audit WHERE dossier IN " + mine + " AND seq <= " + std::to_string(m.cut.seq));
    del.execute(true);
    if (del.get_affected_rows() != m.records)
      return refuse("the trail holds " + std::to_string(del.get_affected_rows()) + " record(s) of the archived dossiers, the archive " +
                    std::to_string(m.records));
    for (const auto& [table, column] : kRows) sql << std::string("DELETE FROM ") + table + " WHERE " + column + " IN " + mine;
    // The checkpoint: after the records that stayed before it, committed to by their digest.
    RecordDigest retained;
    s.scan_audit([&](const AuditRecord& r) {
      retained.add(r.seq, r.hash);
      return true;
    });
    const AuditHead head = s.audit_head();
    AuditRecord cp;
    cp.seq = head.seq + 1;
    cp.at = now;
    cp.actor = actor;
    cp.role = "operator";
    cp.dossier = std::string(kArchivePrefix) + m.id;
    cp.event = kArchiveEvent;
    json data = {{"archive", m.id},
                 {"until", m.until},
                 {"manifest_sha256", m.sha256},
                 {"cut_seq", m.cut.seq},
                 {"cut_hash", m.cut.hash},
                 {"dossiers", m.dossiers},
                 {"archived_records", m.records},
                 {"archived_digest", m.records_digest},
                 {"retained_records", retained.count()},
                 {"retained_digest", retained.hex()}};
    cp.data = data.dump();
    cp.prev_hash = head.hash;
    cp.hash = compute_hash(cp);
    s.append_audit(cp);
    {
      std::string id = m.id, sha = m.sha256, at = format_instant(now, 0);
      long long seq = cp.seq, dossiers = m.dossiers, records = m.records;
      int until = m.until;
      sql << "INSERT INTO archives (id, until_year, checkpoint, manifest_sha256, dossiers, records, at)"
             " VALUES (:i, :u, :c, :m, :d, :r, :a)",
          soci::use(id), soci::use(until), soci::use(seq), soci::use(sha), soci::use(dossiers), soci::use(records),
          soci::use(at);
    }
    s.commit();
    checkpoint = cp.seq;
  } catch (const std::exception& e) {
    try {
      s.rollback();
    } catch (...) {
    }
    return Status::Internal(std::string("archiving: ") + e.what() + " (rolled back: nothing was deleted)");
  }
  return Status::Ok();
}

std::int64_t purge_documents(SociStore& s, const ArchiveManifest& m, const std::string& documents_dir) {
  if (documents_dir.empty()) return 0;
  std::int64_t removed = 0;
  for (const auto& [sha, bytes] : m.documents) {
    long long n = 0;
    std::string key = sha;
    s.session() << "SELECT COUNT(*) FROM documents WHERE sha256 = :s", soci::into(n), soci::use(key);
    if (n) continue;  // a live dossier has the same bytes
    std::error_code ec;
    if (fs::remove(documents_dir + "/" + sha.substr(0, 2) + "/" + sha.substr(2), ec)) ++removed;
  }
  return removed;
}

std::unique_ptr<ArchivedTrail> open_archived_trail(const std::string& dest, Status& status) {
  ArchiveManifest m;
  status = check_archive(dest, m, false);
  if (!status.ok()) return nullptr;
  return std::make_unique<FileTrail>(m, dest + "/audit.jsonl");
}

}  // namespace ocop::store
