#include "ocop/app.hpp"
#include "ocop/authorize.hpp"

#include <algorithm>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "ocop/audit.hpp"
#include "ocop/search.hpp"
#include "ocop/sha256.hpp"
#include "ocop/transaction.hpp"

namespace ocop {

using nlohmann::json;

std::int64_t Report::dossiers() const {
  std::int64_t n = 0;
  for (const auto& [state, count] : dossiers_by_state) n += count;
  return n;
}

Application::Application(const Config& config, Store& store, const Workflows& workflows, const Clock& clock,
                         BlobStore* blobs)
    : config_(config),
      store_(store),
      workflows_(workflows),
      clock_(clock),
      blobs_(blobs),
      executor_(config, workflows.dossiers, workflows.certificates, store, clock) {
  executor_.set_blob_store(blobs);
  executor_.set_after_recognition(workflows.after);
}

Date Application::today() const { return local_date(clock_.now(), config_.province.utc_offset_minutes); }

Status Application::authorize_operator(const std::string& user) const {
  const User* u = config_.user(user);
  if (!u) return Status::Forbidden("unknown user " + user);
  return authorize_actor(config_, *u, "expire", certificate_event_bit(CertificateEvent::expire), today());
}

Result<ReadScope> Application::read_scope(const std::string& user) const {
  Result<ReadScope> r;
  r.status = ReadScope::of_user(config_, user, today(), r.value);
  return r;
}

Status Application::scoped_units(const ReadScope& scope, const std::string& unit,
                                 std::vector<std::string>& out) const {
  if (unit.empty()) {
    out = scope.units();
    return Status::Ok();
  }
  if (!config_.unit(unit)) return Status::BadInput("--unit \"" + unit + "\" is not a configured unit");
  if (!scope.sees(unit))
    return Status::Forbidden("--unit " + unit + " is outside what " + scope.describe() + " may read");
  out = config_.units_under(unit, today());
  std::erase_if(out, [&](const std::string& u) { return !scope.sees(u); });
  return Status::Ok();
}

std::optional<Dossier> Application::dossier_in_scope(const ReadScope& scope, const std::string& id) {
  auto d = store_.load_dossier(id);
  if (d && !scope.sees(d->unit)) d.reset();
  return d;
}

Status Application::object_in_scope(const ReadScope& scope, const std::string& id) {
  bool seen = false;
  if (scope.whole())
    seen = store_.object_id_taken(id) && !store_.archived_dossier(id);  // an archived id stays taken
  else if (auto d = store_.load_dossier(id))
    seen = scope.sees(d->unit);
  else if (auto a = store_.load_activity(id))
    seen = scope.sees_activity(a->unit);
  else if (auto p = store_.load_participation(id))
    seen = scope.sees(p->unit);
  else if (auto i = store_.load_inspection(id))
    seen = scope.sees(i->unit);
  if (seen) return Status::Ok();
  return archived_or(scope, id, Status::NotFound("no dossier, activity, participation, inspection or account " + id));
}

Status Application::archived_or(const ReadScope& scope, const std::string& id, Status not_found) {
  auto a = store_.archived_dossier(id);
  if (!a || !scope.sees(a->unit)) return not_found;
  return Status::NotFound("dossier " + id + " was archived (cycle " + std::to_string(a->year) + ", archive " +
                          a->archive + ", checkpoint record " + std::to_string(a->checkpoint) +
                          "): its records, scoresheets and documents are in that archive's folder "
                          "(docs/operations.md, \"Archive\")");
}

// --- events ------------------------------------------------------------------------------------

FireResult Application::fire(EventRequest req) {
  FireResult r = executor_.fire(req);
  if (blobs_)
    for (const auto& b : req.blobs) blobs_->discard(b);  // refused: the copy goes; accepted: published
  return r;
}

std::vector<FireResult> Application::fire_group(std::vector<EventRequest>& reqs) {
  std::vector<FireResult> out;
  if (reqs.size() == 1) {
    out.push_back(fire(std::move(reqs[0])));
    return out;
  }
  RetryPolicy policy = executor_.retry_policy();
  policy.attempts = std::min(policy.attempts, 2);
  try {
    return with_retry(policy, [&](int) {
      std::vector<FireResult> attempt;
      attempt.reserve(reqs.size());
      Transaction tx(store_);
      for (const auto& r : reqs) attempt.push_back(executor_.fire_in_transaction(r));
      tx.commit();
      return attempt;
    });
  } catch (const std::exception&) {
    // As a batched import does: one by one, each in its own transaction (and retried).
  }
  for (auto& r : reqs) out.push_back(fire(std::move(r)));
  return out;
}

Status Application::stage_attachment(EventRequest& req, std::istream& bytes, std::int64_t size,
                                     const std::string& file_name) {
  if (req.event != "attach")
    return Status::BadInput(
        "--file goes with the attach event only (other events name documents in data.documents)");
  const json* kind = req.data.contains("kind") ? &req.data["kind"] : nullptr;
  if (!kind || !kind->is_string() || kind->get_ref<const std::string&>().empty())
    return Status::BadInput("attach: data.kind is required: the kind of document the file is");
  if (Status st = check_document_policy(config_, kind->get<std::string>(), -1, "attach: data"); !st.ok())
    return st;
  for (const char* k : {"sha256", "bytes"})
    if (req.data.contains(k))
      return Status::BadInput(std::string("attach --file: data.") + k + " comes from the file; leave it out");
  const std::int64_t max = config_.documents.max_bytes;
  if (size > max)
    return Status::BadInput(file_name + " is " + std::to_string(size) + " bytes, over the limit of " +
                            std::to_string(max) + " bytes (documents.max_bytes)");
  if (!blobs_)
    return Status::BadInput(
        "documents of a PostgreSQL database need a directory: set OCOP_DOCUMENTS_DIR or documents.directory "
        "in "
        "the configuration");
  StagedBlob staged;
  if (Status st = blobs_->stage(bytes, max, staged); !st.ok())
    return Status::Error(st.code(), file_name + ": " + st.message());
  if (!req.data.contains("name") || req.data["name"].is_null()) req.data["name"] = file_name;
  req.data["sha256"] = staged.sha256;
  req.data["bytes"] = staged.bytes;
  req.blobs.push_back(staged);
  return Status::Ok();
}

ImportResult Application::import(EventSource& source, const ImportOptions& options,
                                 ImportObserver& observer) {
  ImportResult out;
  const int batch = std::max(1, options.batch);
  executor_.set_lean(true);
  struct Lean {  // the executor builds no results during an import, and again afterwards
    Executor& ex;
    ~Lean() { ex.set_lean(false); }
  } lean{executor_};

  auto refuse = [&](long line, const std::string& key, const Status& st) {
    ++out.refused;
    if (!out.first_code) out.first_code = st.exit_code();
    observer.refused(line, key, st);
  };
  // A refused line, kept until its batch is settled (a batch that rolls back is replayed).
  struct Refusal {
    const EventLine* line;
    Status status;
  };
  struct Counts {
    long applied = 0, skipped = 0;
    std::vector<Refusal> refusals;
    void tally(const EventLine& l, const FireResult& r) {
      if (!r.status.ok())
        refusals.push_back({&l, r.status});
      else if (r.duplicate)
        ++skipped;
      else
        ++applied;
    }
  };

  std::vector<EventLine> pending;
  // Applies the pending events; false when the database failed (out.database_failure says how).
  auto flush = [&]() -> bool {
    if (pending.empty()) return true;
    Counts c;
    bool done = false;
    if (batch > 1) {
      // The whole batch is one transaction: a retryable failure (busy, deadlock, a
      // serialization failure, a key a concurrent importer committed first) rolls all of it
      // back and runs it once more; after that, or after any other failure, its events are
      // applied one by one, each in its own transaction (and retried as fire() does), so
      // that none is lost or applied twice. One by one also ends the deadlocks that batches
      // over the same dossiers in different orders would keep running into.
      RetryPolicy policy = executor_.retry_policy();
      policy.attempts = std::min(policy.attempts, 2);
      try {
        c = with_retry(policy, [&](int) {
          Counts attempt;
          Transaction tx(store_);
          for (const auto& l : pending) attempt.tally(l, executor_.fire_in_transaction(l.req));
          tx.commit();
          return attempt;
        });
        done = true;
      } catch (const std::exception& e) {
        observer.batch_fallback(e.what());
        c = Counts{};
      }
    }
    if (!done) {
      for (const auto& l : pending) {
        FireResult r = executor_.fire(l.req);
        if (r.database_failed) {
          out.database_failure = r.status;
          out.stopped_at_line = l.line;
          break;
        }
        c.tally(l, r);
      }
    }
    out.applied += c.applied;
    out.skipped += c.skipped;
    for (const auto& r : c.refusals) refuse(r.line->line, r.line->req.key, r.status);
    pending.clear();
    return out.database_failure.ok();
  };

  std::vector<EventLine> chunk;
  auto next_lines = [&]() {
    try {
      return source.next(chunk);
    } catch (const std::exception& e) {
      out.read_failure = e.what();
      return false;
    }
  };
  while (out.database_failure.ok() && next_lines()) {
    for (auto& l : chunk) {
      if (!l.status.ok()) {
        if (!flush()) break;  // keep the file's order: everything before this line is applied first
        refuse(l.line, "", l.status);
        continue;
      }
      const long line = l.line;
      pending.push_back(std::move(l));
      if (static_cast<int>(pending.size()) >= batch && !flush()) break;
      observer.progress(line);
    }
  }
  if (out.database_failure.ok()) flush();
  if (out.database_failure.ok() && out.read_failure.empty()) out.read_failure = source.failure();
  if (out.database_failure.ok() && !out.read_failure.empty()) {
    // Reading failed part-way: what was read is applied (and counted); the rest was not read.
    if (!out.first_code) out.first_code = static_cast<int>(Code::internal);
    ++out.refused;
  }
  return out;
}

MigrationReport Application::migrate(const MigrationPlan& plan, const std::string& actor, bool dry_run) {
  Migrator m(config_, store_, clock_);
  try {
    return m.run(plan, actor, dry_run);
  } catch (const StoreError& e) {
    MigrationReport r;
    r.status = Status::Internal(std::string("database: ") + e.what());
    return r;
  }
}

// --- reads -------------------------------------------------------------------------------------

Result<DossierView> Application::show(const ReadScope& scope, const std::string& id) {
  return read<DossierView>([&](DossierView& v) {
    auto d = dossier_in_scope(scope, id);
    if (!d) return archived_or(scope, id, Status::NotFound("dossier " + id + " not found"));
    v.dossier = std::move(*d);
    // A dossier of a unit merged away is listed and scoped under its successor (docs/design.md).
    if (const Unit* now = config_.unit_on(v.dossier.unit, today()); now && now->code != v.dossier.unit)
      v.unit_now = now->code;
    v.documents = store_.documents(id);
    if (!v.dossier.level.empty()) v.scoresheets = store_.scoresheets(id, v.dossier.level);
    return Status::Ok();
  });
}

Status Application::dossier_filter(const ReadScope& scope, const DossierQuery& q, DossierFilter& f) const {
  if (!q.state.empty() && !parse_state(q.state))
    return Status::BadInput("--state \"" + q.state + "\" is not a dossier state");
  if (q.limit < 0) return Status::BadInput("--limit must not be negative");
  f.state = q.state;
  f.level = q.level;
  f.product_set = q.product_set;
  f.year = q.year;
  f.round = q.round;
  f.limit = q.limit;
  f.after = q.after;
  if (Status st = search_words(q.text, f.words); !st.ok()) return st;
  // A unit's dossiers, including those of units merged into it (or below it) by today.
  return scoped_units(scope, q.unit, f.units);
}

Result<std::vector<Dossier>> Application::list(const ReadScope& scope, const DossierQuery& q) {
  return read<std::vector<Dossier>>([&](std::vector<Dossier>& out) {
    DossierFilter f;
    if (Status st = dossier_filter(scope, q, f); !st.ok()) return st;
    out = store_.list_dossiers(f);
    return Status::Ok();
  });
}

Result<std::int64_t> Application::count(const ReadScope& scope, const DossierQuery& q) {
  return read<std::int64_t>([&](std::int64_t& out) {
    DossierFilter f;
    if (Status st = dossier_filter(scope, q, f); !st.ok()) return st;
    f.limit = 0;
    f.after.clear();
    out = store_.count_dossiers(f);
    return Status::Ok();
  });
}

Result<std::vector<AuditRecord>> Application::history(const ReadScope& scope, const std::string& id) {
  return read<std::vector<AuditRecord>>([&](std::vector<AuditRecord>& out) {
    // An account's records carry "user:<id>" (ocop/accounts.hpp).
    const bool account = id.rfind("user:", 0) == 0 && scope.sees_account(id.substr(5)) &&
                         store_.load_account(id.substr(5)).has_value();
    if (!account)
      if (Status st = object_in_scope(scope, id); !st.ok()) return st;
    out = store_.history(id);
    return Status::Ok();
  });
}

Result<std::vector<DocumentView>> Application::documents(const ReadScope& scope, const std::string& id) {
  return read<std::vector<DocumentView>>([&](std::vector<DocumentView>& out) {
    if (!dossier_in_scope(scope, id)) return archived_or(scope, id, Status::NotFound("dossier " + id + " not found"));
    for (auto& doc : store_.documents(id)) {
      DocumentView v;
      auto label = config_.document_kinds.find(doc.kind);
      if (label != config_.document_kinds.end()) v.kind_name = label->second;
      if (blobs_) v.stored = blobs_->contains(doc.sha256);
      v.document = std::move(doc);
      out.push_back(std::move(v));
    }
    return Status::Ok();
  });
}

Status Application::document_bytes(const ReadScope& scope, const std::string& sha256, std::ostream& out) {
  if (!is_sha256_hex(sha256))
    return Status::BadInput("\"" + sha256 + "\" is not a SHA-256 (64 lower-case hex digits)");
  std::optional<Document> doc;
  try {
    doc = store_.find_document(sha256, scope.units());  // whole: any dossier's
  } catch (const StoreError& e) {
    return Status::Internal(std::string("database: ") + e.what());
  }
  if (!doc) return Status::NotFound("no document has SHA-256 " + sha256);
  if (!blobs_)
    return Status::BadInput(
        "documents of a PostgreSQL database need a directory: set OCOP_DOCUMENTS_DIR or documents.directory "
        "in "
        "the configuration");
  if (!blobs_->contains(sha256))
    return Status::NotFound("document " + sha256 + " (" + doc->name + ", dossier " + doc->dossier +
                            ") is recorded, but its bytes are not in the document store: it was attached as "
                            "data only (import, or --data with a sha256), or its file was removed");
  return blobs_->read(sha256, out);
}

Result<std::vector<Certificate>> Application::certificates(const ReadScope& scope,
                                                           const CertificateQuery& q) {
  return read<std::vector<Certificate>>([&](std::vector<Certificate>& out) {
    static const std::set<std::string> states = {"active", "expiring", "expired", "revoked", "superseded"};
    if (!q.state.empty() && !states.count(q.state))
      return Status::BadInput(
          "--state \"" + q.state +
          "\" is not a certificate state (active, expiring, expired, revoked, superseded)");
    if (q.stars != 0 && (q.stars < 1 || q.stars > 5))
      return Status::BadInput("--stars must be 1 to 5, not " + std::to_string(q.stars));
    CertificateFilter f;
    f.state = q.state;
    f.stars = q.stars;
    // The unit, every unit below it, and those merged into it by today.
    if (Status st = scoped_units(scope, q.unit, f.units); !st.ok()) return st;
    if (q.expiring_within_days >= 0) f.valid_until_on_or_before = add_days(today(), q.expiring_within_days);
    out = store_.certificates(f);
    if (q.expiring_within_days >= 0 && q.state.empty()) {
      // "Expiring within" means still in force: ended ones are dropped unless a state is asked for.
      std::erase_if(out, [](const Certificate& c) { return c.state != "active" && c.state != "expiring"; });
    }
    return Status::Ok();
  });
}

Result<ProductHistory> Application::product(const ReadScope& scope, const std::string& product,
                                            const std::string& producer) {
  return read<ProductHistory>(
      [&](ProductHistory& out) { return product_history(store_, product, producer, scope, out); });
}

Result<Report> Application::report(const ReadScope& scope) {
  return read<Report>([&](Report& r) {
    // The counts come grouped by unit from the store (a row per state or stars and unit): the
    // scope keeps its units' rows.
    for (const auto& row : store_.count_by_state_and_unit()) {
      if (!scope.sees(row.b)) continue;
      r.dossiers_by_state[row.a] += row.n;
      r.unit_dossiers_by_state[row.b][row.a] += row.n;
    }
    for (const auto& row : store_.count_certificates_by_stars_and_unit()) {
      if (!scope.sees(row.b)) continue;
      r.certificates_by_stars[row.a] += row.n;
      r.unit_certificates_by_stars[row.b][row.a] += row.n;
    }
    promotion_report(scope, r);
    if (scope.whole()) {
      OutboxCounts o;
      for (const auto& row : store_.count_outbox()) {
        o.by_state[row.a] += row.n;
        if (row.b == "reminder" && row.a == "sent") o.reminders_sent += row.n;
        if (row.b == "reminder" && row.a == "dead") o.reminders_dead += row.n;
      }
      r.outbox = std::move(o);
    }
    return Status::Ok();
  });
}

std::optional<CycleStage> stage_of(State s) {
  switch (s) {
    case State::none: return std::nullopt;
    case State::idea_submitted:
    case State::idea_returned:
    case State::idea_accepted: return CycleStage::idea;
    case State::plan_submitted:
    case State::plan_returned: return CycleStage::plan;
    case State::in_development: return CycleStage::development;
    case State::submitted:
    case State::returned:
    case State::under_review:
    case State::scored: return CycleStage::evaluation;
    case State::recognized: return CycleStage::recognition;
    case State::not_recognized:
    case State::rejected:
    case State::withdrawn: return CycleStage::ended;
  }
  return std::nullopt;
}

std::optional<CycleStage> stage_reached(State s) {
  if (s == State::not_recognized) return CycleStage::evaluation;
  std::optional<CycleStage> at = stage_of(s);
  if (at == CycleStage::ended) return CycleStage::idea;
  return at;
}

Funnel funnel_of(const std::map<std::string, std::int64_t>& dossiers_by_state) {
  Funnel f{};
  for (const auto& [name, n] : dossiers_by_state) {
    std::optional<State> s = parse_state(name);
    if (!s) continue;
    if (std::optional<CycleStage> reached = stage_reached(*s))
      for (int k = 0; k <= static_cast<int>(*reached); ++k) f[static_cast<std::size_t>(k)] += n;
  }
  return f;
}

std::string_view to_string(CycleStage s) {
  switch (s) {
    case CycleStage::idea: return "idea";
    case CycleStage::plan: return "plan";
    case CycleStage::development: return "development";
    case CycleStage::evaluation: return "evaluation";
    case CycleStage::recognition: return "recognition";
    case CycleStage::ended: return "ended";
  }
  return "";
}

namespace {

// Dossiers counted by state (names) counted by the stage they are at now (stage_of).
StageCounts stage_counts(const std::map<std::string, std::int64_t>& by_state) {
  StageCounts row{};
  for (const auto& [name, n] : by_state)
    if (std::optional<State> s = parse_state(name))
      if (std::optional<CycleStage> at = stage_of(*s)) row[static_cast<std::size_t>(*at)] += n;
  return row;
}

// The report's dossiers by stage, per unit and in all, and the funnel (OfficeReport).
void count_stages(OfficeReport& o) {
  for (const auto& [unit, by_state] : o.report.unit_dossiers_by_state) o.unit_stages[unit] = stage_counts(by_state);
  o.stages = stage_counts(o.report.dossiers_by_state);
  o.funnel = funnel_of(o.report.dossiers_by_state);
}

}  // namespace

Result<OfficeReport> Application::office_report(const ReadScope& scope, int expiring_within_days) {
  if (expiring_within_days < 0 || expiring_within_days > 3650)
    return {Status::BadInput("the days before expiry must be 0 to 3650, not " + std::to_string(expiring_within_days)),
            {}};
  Result<OfficeReport> out;
  out.value.as_of = today();
  out.value.expiring_within_days = expiring_within_days;
  Result<Report> rep = report(scope);
  if (!rep.ok()) return {rep.status, {}};
  out.value.report = std::move(rep.value);
  count_stages(out.value);
  CertificateQuery in_force;
  in_force.expiring_within_days = 36500;  // "in force" (active or expiring), whatever its end
  Result<std::vector<Certificate>> certs = certificates(scope, in_force);
  if (!certs.ok()) return {certs.status, {}};
  out.status = read<OfficeReport>([&](OfficeReport&) {
    // A certificate names its product; who makes it is its dossier's producer.
    const Date horizon = add_days(out.value.as_of, expiring_within_days);
    out.value.in_force.reserve(certs.value.size());
    std::vector<std::string> dossiers;
    dossiers.reserve(certs.value.size());
    for (const Certificate& c : certs.value) dossiers.push_back(c.dossier);
    std::vector<std::string> producers = store_.producers_of(dossiers);
    for (std::size_t i = 0; i < certs.value.size(); ++i) {
      Certificate& c = certs.value[i];
      RecognisedProduct p{std::move(c), std::move(producers[i])};
      if (p.certificate.valid_until <= horizon) out.value.expiring.push_back(p);
      out.value.in_force.push_back(std::move(p));
    }
    return Status::Ok();
  }).status;
  return out;
}

Result<CertificateFeed> Application::certificate_feed(std::int64_t before, int limit) {
  if (limit < 1 || limit > 200) return {Status::BadInput("the feed's page is 1 to 200 entries, not " + std::to_string(limit)), {}};
  if (before < 0) return {Status::BadInput("before must be a sequence number, not " + std::to_string(before)), {}};
  return read<CertificateFeed>([&](CertificateFeed& out) {
    std::vector<AuditRecord> records = store_.certificate_events(before, limit + 1);
    if (static_cast<int>(records.size()) > limit) {
      records.resize(limit);
      out.older = records.back().seq;
    }
    for (AuditRecord& r : records) {
      // A certificate's id is its dossier's and the level that issued it; the record names both.
      std::optional<Certificate> c = store_.load_certificate(r.dossier + "/" + r.level);
      if (!c) continue;  // a recognition whose certificate is gone cannot be: skipped, not invented
      std::optional<Dossier> d = store_.load_dossier(r.dossier);
      out.entries.push_back(CertificateFeedEntry{r.seq, r.at, std::move(r.event), std::move(r.hash), std::move(*c),
                                                 d ? d->producer : std::string()});
    }
    return Status::Ok();
  });
}

Result<PublishedConfig> Application::published_config(const ReadScope& scope) const {
  Result<PublishedConfig> r;
  PublishedConfig& p = r.value;
  p.config = &config_;
  p.today = today();
  for (const Unit& u : config_.units()) p.units.push_back(ConfigUnit{&u, config_.unit_on(u.code, p.today), scope.sees(u.code)});
  std::sort(p.units.begin(), p.units.end(),
            [](const ConfigUnit& a, const ConfigUnit& b) { return a.unit->code < b.unit->code; });
  p.rule_set_today = config_.rule_set_on(p.today);
  for (const auto& [year, cycle] : config_.cycles)
    for (const Round& round : cycle.rounds) p.rounds.push_back(ConfigRound{year, &round});
  std::stable_sort(p.rounds.begin(), p.rounds.end(), [](const ConfigRound& a, const ConfigRound& b) {
    return a.year != b.year ? a.year < b.year : a.round->cutoff < b.round->cutoff;
  });
  for (const Reminder& rem : config_.reminders) {
    if (rem.kind != ReminderKind::stalled || !rem.state) continue;
    const std::string state(to_string(*rem.state));
    auto it = p.overdue_after_days.find(state);
    if (it == p.overdue_after_days.end() || rem.after_days < it->second) p.overdue_after_days[state] = rem.after_days;
  }
  return r;
}

// --- the audit trail ---------------------------------------------------------------------------

namespace {
// An archive given to `audit verify --archive`, as the merge reads it.
struct ArchiveSource {
  ArchivedTrail* trail;
  AuditRecord next;
  bool has = false;
  RecordDigest digest;
  bool matched = false;  // its checkpoint was found in the trail
};
}  // namespace

AuditVerification Application::audit_verify(const ReadScope& scope, const std::string& anchor,
                                            const std::vector<ArchivedTrail*>& archives) {
  AuditVerification out;
  if (!scope.whole()) {
    out.status = Status::Forbidden(scope.describe() +
                                   " may not verify the audit chain: it is verified whole, by province-wide "
                                   "readers (the provincial office, its auditors)");
    return out;
  }
  try {
    // Reading (this thread) and hashing (a second one) overlap: PipelinedChainVerifier. Without
    // archives the trail is verified as it is, from the newest checkpoint on (ChainVerifier::
    // expect_checkpoint); with them, their records and the trail's are merged by sequence and
    // verified as one chain from the first record, and each archive is matched with its
    // checkpoint (manifest, count and digest of its records).
    ChainVerifier v;
    if (archives.empty()) v.expect_checkpoint(store_.audit_checkpoint());
    bool anchor_seen = anchor.empty();
    std::optional<std::string> archive_problem;
    std::vector<std::unique_ptr<ArchiveSource>> sources;
    for (ArchivedTrail* t : archives) {
      auto src = std::make_unique<ArchiveSource>();
      src->trail = t;
      src->has = t->next(src->next);
      if (!src->has && !t->problem().empty() && !archive_problem) archive_problem = t->problem();
      sources.push_back(std::move(src));
    }
    {
      PipelinedChainVerifier pipe(v);
      // Feeds the archives' records numbered below `seq`, in order; false to stop.
      auto archived_before = [&](std::int64_t seq) {
        for (;;) {
          ArchiveSource* first = nullptr;
          for (auto& src : sources)
            if (src->has && src->next.seq < seq && (!first || src->next.seq < first->next.seq)) first = src.get();
          if (!first) return true;
          if (!anchor_seen && first->next.hash == anchor) anchor_seen = true;
          first->digest.add(first->next.seq, first->next.hash);
          if (!pipe.feed(first->next)) return false;
          first->has = first->trail->next(first->next);
          if (!first->has && !first->trail->problem().empty()) {
            if (!archive_problem) archive_problem = first->trail->problem();
            return false;
          }
        }
      };
      store_.scan_audit([&](const AuditRecord& r) {
        if (!sources.empty()) {
          if (archive_problem || !archived_before(r.seq)) return false;
          if (r.event == kArchiveEvent && r.dossier.rfind(kArchivePrefix, 0) == 0) {
            const std::string id = r.dossier.substr(std::char_traits<char>::length(kArchivePrefix));
            const nlohmann::json data = nlohmann::json::parse(r.data, nullptr, false);
            auto found = std::find_if(sources.begin(), sources.end(), [&](auto& s) { return s->trail->id() == id; });
            const std::string where = "audit record " + std::to_string(r.seq) + " (checkpoint of archive " + id + ")";
            if (found == sources.end()) {
              archive_problem = where + ": that archive was not given (--archive): every archive of the trail "
                                        "is needed to verify it from its first record";
            } else if (!data.is_object() ||
                       data.value("manifest_sha256", std::string()) != (*found)->trail->manifest_sha256()) {
              archive_problem = where + ": the archive's manifest.json is not the one the checkpoint names "
                                        "(the manifest was changed, or it is another archive)";
            } else {
              (*found)->matched = true;
              const std::int64_t want = data.value("archived_records", std::int64_t{-1});
              const std::string digest = data.value("archived_digest", std::string());
              const std::int64_t have = (*found)->digest.count();
              const std::string got = (*found)->digest.hex();
              if (want != have || digest != got)
                archive_problem = where + ": it says " + std::to_string(want) + " record(s) were archived (digest " +
                                  digest + "), the archive holds " + std::to_string(have) + " (digest " + got + ")";
            }
            if (archive_problem) return false;
          }
        }
        if (!anchor_seen && r.hash == anchor) anchor_seen = true;
        return pipe.feed(r);
      });
      if (!sources.empty() && !archive_problem) archived_before(std::numeric_limits<std::int64_t>::max());
      pipe.finish();
    }
    out.checked = v.checked();
    std::optional<std::string> problem = v.failure();
    if (!problem) problem = archive_problem;
    if (!problem)
      for (auto& src : sources)
        if (!src->matched) {
          problem = "archive " + src->trail->id() +
                    ": no checkpoint in this trail names it (it is from another database, or its checkpoint "
                    "record was removed)";
          break;
        }
    if (!problem && !anchor_seen)
      problem = "no record has the anchored hash " + anchor +
                " (records after it, or it, were removed; or the anchor is from another database)";
    if (!problem) {
      auto mismatches = store_.version_mismatches(5);
      if (!mismatches.empty()) {
        std::string all;
        for (const auto& m : mismatches) all += (all.empty() ? "" : "; ") + m;
        problem = all + " (records were removed or a dossier was altered)";
      }
    }
    out.valid = !problem;
    if (problem)
      out.problem = *problem;
    else
      out.head = v.head();
  } catch (const StoreError& e) {
    out.status = Status::Internal(std::string("database: ") + e.what());
  }
  return out;
}

Status Application::audit_export(const ReadScope& scope,
                                 const std::function<void(const AuditRecord&)>& sink) {
  auto feed = [&](const AuditRecord& r) {
    sink(r);
    return true;
  };
  try {
    if (scope.whole())
      store_.scan_audit(feed);
    else
      store_.scan_audit_of(AuditFilter{scope.units(), scope.activity_units(), "user:" + scope.user()}, feed);
  } catch (const StoreError& e) {
    return Status::Internal(std::string("database: ") + e.what());
  }
  return Status::Ok();
}

// --- the scheduler and the outbox --------------------------------------------------------------

TickReport Application::tick(bool dry_run) {
  executor_.set_lean(true);
  Scheduler scheduler(config_, executor_, workflows_.certificates, workflows_.cycles, store_, clock_);
  TickReport r = scheduler.tick(dry_run);
  executor_.set_lean(false);
  return r;
}

CycleReport Application::cycle(const ReadScope& scope, int year) {
  // One instant for the whole report, however long it takes.
  FixedClock clock(clock_.now());
  Executor ex(config_, workflows_.dossiers, workflows_.certificates, store_, clock);
  Scheduler scheduler(config_, ex, workflows_.certificates, workflows_.cycles, store_, clock);
  return scheduler.cycle_report(
      year == 0 ? year_of(local_date(clock.now(), config_.province.utc_offset_minutes)) : year, scope);
}

Result<DeliveryReport> Application::deliver(int limit, const std::map<std::string, Transport*>& transports) {
  return read<DeliveryReport>([&](DeliveryReport& out) {
    if (limit < 0) return Status::BadInput("--limit must not be negative");
    Dispatcher d(config_, store_, clock_);
    for (const auto& [channel, t] : transports) d.set_transport(channel, t);
    out = d.run(limit);
    return Status::Ok();
  });
}

Result<std::vector<OutboxMessage>> Application::outbox(const ReadScope& scope, const std::string& state,
                                                       int limit) {
  return read<std::vector<OutboxMessage>>([&](std::vector<OutboxMessage>& out) {
    if (!scope.is_operator())
      if (Status st = authorize_operator(scope.user()); !st.ok()) return st;
    if (!state.empty() && !is_outbox_state(state))
      return Status::BadInput("--state \"" + state +
                              "\" is not an outbox state (pending, sending, sent, dead)");
    if (limit < 0) return Status::BadInput("--limit must not be negative");
    out = store_.outbox(state, limit);
    return Status::Ok();
  });
}

Result<OutboxRetry> Application::outbox_retry(std::int64_t id) {
  return read<OutboxRetry>([&](OutboxRetry& out) {
    const std::string name = "outbox message " + std::to_string(id);
    auto before = store_.outbox_message(id);
    if (!before) return Status::NotFound(name + " not found");
    const bool done = with_retry(RetryPolicy{}, [&](int) {
      Transaction tx(store_);
      const bool changed = store_.retry_outbox(id, clock_.now());
      tx.commit();
      return changed;
    });
    auto after = store_.outbox_message(id);
    if (!done) {
      const std::string st = after ? after->state : before->state;
      return Status::Refused(name + " is " + st +
                             (st == "sent" ? ": it was delivered; nothing to retry"
                                           : ": a deliverer holds it; wait until its claim ends"));
    }
    out.before = std::move(*before);
    out.after = std::move(*after);
    return Status::Ok();
  });
}

}  // namespace ocop
