// The application layer: one typed call per use case, for every front end.
//
// The CLI (adapters/cli) and the HTTP service parse a request, call one method here, and render
// its typed result (adapters/views renders JSON; each front end renders its own text). Every
// rule of a use case (filters and their validation, "expiring within" meaning still in force,
// the report's totals, audit verification with its anchor and version check, the import's
// batching, rollback and one-by-one fallback, staging an attachment under the document policy,
// an outbox retry) lives here or below, never in a front end, so that two front ends cannot
// disagree. Expected failures come back as a Status in the result (codes: ocop/status.hpp);
// database failures come back as Code::internal; nothing here throws for an expected outcome.
//
// Who reads. Every read takes the reader's ReadScope (ocop/read_scope.hpp): the HTTP service
// builds it from the signed-in user (read_scope), the CLI passes ReadScope::unrestricted() (its
// operator reads everything). A single object outside the scope answers exactly as an absent
// one (not found, 3, with the same message), so that its existence does not leak; lists, counts
// and totals hold only what is in the scope, filtered in the store's query.
//
// Threads and connections. An Application uses one Store (one database connection) and is used
// from one thread at a time; calls on one Application never run at once. A long-lived process
// builds one Application per connection (per worker thread, or per request from a pool) over
// the same Config; any number of Applications, in one process or many, may work on one database
// at once: the store's locks and the executor's versions decide (docs/design.md, concurrency).
//
// What is cached, and when it is refreshed. The Config is immutable and read by reference: the
// caller keeps it alive for the Application's life, and a reload (SIGHUP, a new file) means new
// Applications over the new Config, while calls in flight finish on the old one. A Config whose
// directory is read on demand (ocop/config.hpp) keeps the units and users it has read; one
// shared by Applications on several threads is read whole first, so that it never reads through
// a connection that is not its thread's. The Store caches its prepared statements per
// connection for its own life. Nothing else is cached
// between calls: every call reads the database afresh, so a call sees every commit that finished
// before it began.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "ocop/audit.hpp"
#include "ocop/blobs.hpp"
#include "ocop/certificate_lifecycle.hpp"
#include "ocop/config.hpp"
#include "ocop/cycle_lifecycle.hpp"
#include "ocop/dispatch.hpp"
#include "ocop/dossier.hpp"
#include "ocop/executor.hpp"
#include "ocop/lifecycle.hpp"
#include "ocop/migration.hpp"
#include "ocop/product.hpp"
#include "ocop/read_scope.hpp"
#include "ocop/scheduler.hpp"
#include "ocop/status.hpp"
#include "ocop/store.hpp"

namespace ocop {

// A use case's value and how it went; `value` is meaningful only when status is ok.
template <typename T>
struct Result {
  Status status;
  T value{};
  bool ok() const { return status.ok(); }
};

// The machines the engine drives (workflows/ builds them; the engine only knows the ports).
struct Workflows {
  const Lifecycle& dossiers;
  const CertificateLifecycle& certificates;
  const CycleLifecycle& cycles;
  const AfterRecognition* after = nullptr;  // spec §10's machines; without them those events fail
};

// --- reads ---------------------------------------------------------------------------------

// One dossier with what a person looks at beside it.
struct DossierView {
  Dossier dossier;
  std::string unit_now;                 // its unit's successor today, when the unit merged away
  std::vector<Document> documents;      // in the order attached
  std::vector<Scoresheet> scoresheets;  // at its current level (none before it has a level)
};

// `ocop list`: empty strings and zeros do not filter.
struct DossierQuery {
  std::string state, level, product_set;
  std::string unit;  // that unit, the units below it and those merged into it by today (within
                     // the reader's scope: a unit outside it is forbidden, 6)
  int year = 0;
  std::string round;  // the evaluation round (a configured round's id)
  // Words to find, accent- and case-insensitively, in the product's and the producer's names
  // ("che shan tuyet" finds "Chè Shan tuyết"; ocop/search.hpp): every word must occur. At most
  // 200 bytes of UTF-8 and 8 words (bad input, 2, otherwise).
  std::string text;
  int limit = 0;      // 0: no limit
  std::string after;  // keyset paging: only ids greater than this (the list is by id)
};

struct CertificateQuery {
  std::string state;              // empty: any
  std::string unit;               // as DossierQuery::unit
  int stars = 0;                  // 0: any
  int expiring_within_days = -1;  // >= 0: valid_until within that many days, and still in force
                                  // unless a state is asked for
};

struct DocumentView {
  Document document;
  std::string kind_name;       // the configured label; empty when the kind is not configured
  std::optional<bool> stored;  // are the bytes in the blob store? unknown without one
};

struct AuditVerification {
  Status status;  // internal: the database failed; otherwise ok even when the chain is broken
  bool valid = false;
  std::int64_t checked = 0;  // records read
  std::string head;          // the newest record's hash (valid chains)
  std::string problem;       // why it is not valid
};

// The report's part after recognition, per organising or product unit.
struct PromotionUnitRow {
  std::int64_t activities = 0;               // activities the unit organises
  std::int64_t participations_selected = 0;  // its products' selected and reported participations
  std::int64_t support_vnd = 0, revenue_vnd = 0, contracts = 0;
  std::map<std::string, std::int64_t> inspections_by_result;  // its products' inspections: result or state
};

// The outbox's messages, counted (for the dashboard: whole scopes only).
struct OutboxCounts {
  std::map<std::string, std::int64_t> by_state;  // pending, sending, sent, dead
  std::int64_t reminders_sent = 0;               // sent messages a reminder rule made
  std::int64_t reminders_dead = 0;
};

// `ocop report`: totals and per unit.
struct Report {
  std::map<std::string, std::int64_t> dossiers_by_state;
  std::map<std::string, std::int64_t> certificates_by_stars;  // active certificates, by stars
  std::map<std::string, std::map<std::string, std::int64_t>> unit_dossiers_by_state;
  std::map<std::string, std::map<std::string, std::int64_t>> unit_certificates_by_stars;
  std::map<std::string, PromotionUnitRow> unit_promotion;  // spec §10.3: units with any
  PromotionUnitRow promotion;                              // the province's totals
  std::optional<OutboxCounts> outbox;  // whole scopes only (the outbox is the province's)
  std::int64_t dossiers() const;  // every dossier
};

// A recognised product as provincial offices list it: the certificate and the dossier's
// producer (a certificate names the product, not who makes it).
struct RecognisedProduct {
  Certificate certificate;
  std::string producer;
};

// The public feed of certificates (issue 13): what integrators (e-commerce, provincial portals)
// follow to stay current. Newest first, by the audit record's sequence number.
struct CertificateFeedEntry {
  std::int64_t seq = 0;     // the audit record's
  Instant at;               // when the event was recorded
  std::string event;        // recognize | revoke | expire
  std::string hash;         // the audit record's hash (an integrator may check it against the chain)
  Certificate certificate;  // as it is now (a recognised one may have been revoked since)
  std::string producer;     // its dossier's
};

struct CertificateFeed {
  std::vector<CertificateFeedEntry> entries;
  std::int64_t older = 0;  // the `before` of the next page; 0 when there is none
};

// The cycle's stages as the yearly report shows them (the lifecycle of spec §2, grouped): the
// idea, the plan, product development, evaluation (submitted to a council, returned, under
// review, scored), recognition; `ended`: closed without recognition (not recognised, rejected,
// withdrawn).
enum class CycleStage : std::uint8_t { idea, plan, development, evaluation, recognition, ended };
inline constexpr int kCycleStageCount = 6;
inline constexpr int kFunnelStageCount = 5;  // idea .. recognition: the stages a dossier passes through
using StageCounts = std::array<std::int64_t, kCycleStageCount>;

// The stage a dossier in state `s` is at now; nullopt for State::none (not a stored state).
std::optional<CycleStage> stage_of(State s);
// The furthest stage a dossier in state `s` is known to have reached (idea .. recognition): its
// stage, except that not_recognized reached evaluation, and rejected and withdrawn count as
// having reached the idea only (their state does not say at which stage they ended).
std::optional<CycleStage> stage_reached(State s);
// "idea", "plan", "development", "evaluation", "recognition", "ended".
std::string_view to_string(CycleStage s);
// The cycle's funnel from dossiers counted by state (names, as Report has them): how many
// reached each stage idea .. recognition (stage_reached, that stage or a later one); [0] counts
// every dossier. The one rule behind the yearly report's chart, `ocop report --json`'s "funnel"
// and the dashboard's.
using Funnel = std::array<std::int64_t, kFunnelStageCount>;
Funnel funnel_of(const std::map<std::string, std::int64_t>& dossiers_by_state);

// `ocop report --format xlsx|pdf` and `GET /api/v1/report?format=xlsx|pdf`: the report, the
// products in force and those whose certificate ends within `expiring_within_days`, all within
// the scope; for the yearly report's charts, the dossiers by stage and the cycle's funnel
// (computed from report.dossiers_by_state, so the same numbers).
struct OfficeReport {
  Date as_of;  // today, in the province's zone
  int expiring_within_days = 90;
  Report report;
  std::vector<RecognisedProduct> in_force;  // active and expiring certificates, by id
  std::vector<RecognisedProduct> expiring;  // of them, valid_until <= as_of + expiring_within_days
  StageCounts stages{};                             // dossiers at each stage now (stage_of)
  std::map<std::string, StageCounts> unit_stages;   // the same per unit with dossiers
  // Dossiers that reached each stage idea .. recognition (stage_reached, that stage or a later
  // one): funnel[0] counts every dossier, funnel[4] the recognised ones.
  Funnel funnel{};
};

// --- after recognition (spec §10.3) ---

// `ocop activities`: empty strings and zeros do not filter.
struct ActivityQuery {
  std::string state;
  int year = 0;      // the year of `starts`
  std::string unit;  // organised by that unit or below (as DossierQuery::unit)
};

// Participations counted for an activity: booths, money and outcomes of `selected` and
// `reported` participations only; every participation by state.
struct ActivityTotals {
  std::int64_t booths_selected = 0;
  std::int64_t support_vnd = 0;
  std::int64_t revenue_vnd = 0;
  std::int64_t contracts = 0;
  std::map<std::string, std::int64_t> by_state;
};

struct ActivitySummary {
  Activity activity;
  ActivityTotals totals;
};

// `ocop activity ID`.
struct ActivityView {
  Activity activity;
  std::vector<Participation> participations;  // by id
  ActivityTotals totals;
};

struct InspectionQuery {
  std::string state;
  int year = 0;  // the year of `due`
  std::string unit;
};

// `ocop inspections plan`.
struct InspectionPlanRequest {
  std::string actor;
  int year = 0;      // the inspections' round (their ids take the year of `due`; this names the round)
  int share = 0;     // percent, 1..100, of each unit's certificates in force
  Date due;          // the inspections' due date; units valid on it
};

struct InspectionPlanUnit {
  std::string unit;
  std::int64_t in_force = 0;     // certificates in force filed under it
  std::int64_t wanted = 0;       // ceil(share * in_force / 100)
  std::int64_t already = 0;      // of them, inspected or planned within 24 months before `due`
  std::vector<std::string> planned;  // inspections planned now
};

struct InspectionPlan {
  std::vector<InspectionPlanUnit> units;  // units with certificates in force, by code
  std::int64_t planned = 0;
  Status status;  // the first refusal of plan_inspection, if any (planning stops there)
};

// What a front end needs of the configuration to show what the engine will decide (issue 12's
// GET /api/v1/config): names and shapes only, never users, e-mail addresses, channels or
// secrets. Pointers into the Config the Application holds.
struct ConfigUnit {
  const Unit* unit = nullptr;
  const Unit* now = nullptr;  // the unit it belongs to today (itself while valid; its successor's
                              // after a merger; null when none is valid today)
  bool in_scope = false;      // the reader sees its dossiers
};

struct ConfigRound {
  int year = 0;
  const Round* round = nullptr;
};

struct PublishedConfig {
  const Config* config = nullptr;
  Date today;
  std::vector<ConfigUnit> units;           // every configured unit, current and ended, by code
  const RuleSet* rule_set_today = nullptr;  // the rule set in force today (may be null)
  std::vector<ConfigRound> rounds;         // every cycle's rounds, by year then cutoff
  // The stalled reminders' thresholds: state -> working days after which a dossier waiting in
  // it is overdue (the smallest after_days of the `stalled` rules naming the state).
  std::map<std::string, int> overdue_after_days;
};

struct OutboxRetry {
  OutboxMessage before, after;
};

// --- the public face (issue 13; docs/public.md) ---

// How many days before valid_until a certificate in force is shown as expiring to the public.
inline constexpr int kPublicExpiringDays = 90;

// What anyone may learn of a certificate, without signing in: no scores, no reasons but the
// revocation's ground, no documents, no person, nothing of the dossier but its producer.
struct PublicCertificate {
  std::string code;  // the verification code (ocop/verification.hpp)
  std::string id;
  // Its state today: in_force, expiring (in force, valid_until within kPublicExpiringDays),
  // expired (ended by expiry, or valid_until reached though the scheduler has not yet run),
  // revoked, superseded.
  std::string status;
  int days_left = 0;  // in force: days from today to valid_until
  std::string product, product_set, product_set_name, producer;
  std::string unit, unit_name;  // the unit the product's dossier is filed under
  int stars = 0;
  std::string level;  // the issuing level: commune, district, province, central
  std::string decision_no;
  Date decision_date, issued_on, valid_until;
  std::string revocation_ground, revocation_ground_name, revocation_decision_no;  // revoked
  std::optional<Date> revoked_on;
  // superseded: the certificate that replaced it (its code, so a page can link to it)
  std::string superseded_by, superseded_by_code, superseded_by_level;
  int superseded_by_stars = 0;
};

// --- the import ----------------------------------------------------------------------------

// One line of an event file (spec §9), parsed.
struct EventLine {
  long line = 0;  // 1-based line number in the file
  Status status;  // not ok: the line is not a valid event (the request is empty)
  EventRequest req;
};

// Where an import's lines come from (adapters/cli reads a file ahead on a second thread).
class EventSource {
 public:
  virtual ~EventSource() = default;
  // Moves the next lines, in order, into `out` (replacing its contents); false at the end. May
  // throw what reading threw (out of memory); the import reports it as a read failure.
  virtual bool next(std::vector<EventLine>& out) = 0;
  // After next() returned false: why reading stopped before the end; empty at the end.
  virtual std::string failure() const = 0;
};

struct ImportOptions {
  int batch = 1;  // events per transaction
};

// Told of each refusal as it is settled (in line order within a batch) and of progress.
class ImportObserver {
 public:
  virtual ~ImportObserver() = default;
  virtual void refused(long line, const std::string& key, const Status& status) = 0;
  virtual void progress(long /*line*/) {}
  // A batch rolled back and is applied one event at a time (what happened, for a warning).
  virtual void batch_fallback(const std::string& /*why*/) {}
};

struct ImportResult {
  long applied = 0, skipped = 0, refused = 0;
  int first_code = 0;        // the exit code of the first refusal (0: none)
  Status database_failure;   // not ok: the import stopped here; everything counted is committed
  long stopped_at_line = 0;  // the line that failed (database_failure)
  std::string read_failure;  // reading stopped part-way (what was read is applied and counted)
};

// --- the application ------------------------------------------------------------------------

class Application {
 public:
  // `blobs` may be null (no document directory: attachments with bytes and `document_bytes`
  // then fail with a clear message). None is owned; all outlive the Application.
  Application(const Config& config, Store& store, const Workflows& workflows, const Clock& clock,
              BlobStore* blobs = nullptr);

  const Config& config() const { return config_; }
  // The province's date now, by the clock.
  Date today() const;

  // --- events ---
  // Fires one event in its own transaction (spec §2, §3). Staged blobs the request carries are
  // published if it is accepted and discarded either way.
  FireResult fire(EventRequest req);
  // Group commit (issue 11): fires several events, in order, in one transaction, and returns
  // each one's result once that transaction is durable. A refused event writes nothing and does
  // not undo its neighbours (the executor checks before it writes); a later event sees the
  // earlier ones (same dossier, same key). A database failure rolls the group back; after one
  // more try the events are fired one by one, each in its own transaction, so that none is lost
  // or applied twice. Requests with staged blobs are not grouped: fire() them.
  std::vector<FireResult> fire_group(std::vector<EventRequest>& reqs);
  // Checks an attachment (kind, size) against the document policy and stages its bytes in the
  // blob store, filling data.name (default `file_name`), data.sha256 and data.bytes and adding
  // the staged blob to `req`; `size` is the size when known beforehand (< 0: unknown).
  Status stage_attachment(EventRequest& req, std::istream& bytes, std::int64_t size,
                          const std::string& file_name);
  // Applies a file of events (spec §9) in transactions of `batch` events; see ImportResult.
  ImportResult import(EventSource& source, const ImportOptions& options, ImportObserver& observer);
  // Moves dossiers in flight by a plan (ocop/migration.hpp).
  MigrationReport migrate(const MigrationPlan& plan, const std::string& actor, bool dry_run);

  // --- reads ---
  // The scope of `user` reading today (ocop/read_scope.hpp): forbidden (6) when they are not a
  // configured user or their unit is not valid today.
  Result<ReadScope> read_scope(const std::string& user) const;

  // Each read below sees what `scope` sees (the header's "Who reads").
  Result<DossierView> show(const ReadScope& scope, const std::string& id);
  Result<std::vector<Dossier>> list(const ReadScope& scope, const DossierQuery& query);
  // How many dossiers match the query's filters (its limit and `after` do not count).
  Result<std::int64_t> count(const ReadScope& scope, const DossierQuery& query);
  // The records of a dossier, an activity, a participation, an inspection or an account
  // ("user:<id>": province-wide readers and the user themself).
  Result<std::vector<AuditRecord>> history(const ReadScope& scope, const std::string& id);
  Result<std::vector<DocumentView>> documents(const ReadScope& scope, const std::string& id);
  // Writes a stored document's exact bytes to `out` (not found: 3; damaged: 4). A document is
  // readable when some dossier in the scope holds it.
  Status document_bytes(const ReadScope& scope, const std::string& sha256, std::ostream& out);
  Result<std::vector<Certificate>> certificates(const ReadScope& scope, const CertificateQuery& query);
  Result<ProductHistory> product(const ReadScope& scope, const std::string& product,
                                 const std::string& producer);
  // Totals and rows over the scope's units only; the outbox's counts for a whole scope.
  Result<Report> report(const ReadScope& scope);
  // The report with the lists offices send (OfficeReport). `expiring_within_days` 0..3650 (else 2).
  // The counts and the lists are read one after the other, not in one snapshot (a read must not
  // take SQLite's write lock): on a quiet database the report's certificates_by_stars counts
  // exactly `in_force`; an event between the reads may make them differ by that event.
  Result<OfficeReport> office_report(const ReadScope& scope, int expiring_within_days = 90);
  // Certificates recognised, revoked and expired, newest first: `limit` (1..200, else 2) records
  // with a sequence number below `before` (0: from the newest). Public: it holds only what a
  // certificate shows (no scores, reasons other than the revocation's ground, documents or
  // people), so it takes no scope; the whole province's.
  Result<CertificateFeed> certificate_feed(std::int64_t before, int limit);
  // What the configuration publishes to a signed-in reader (PublishedConfig); every reader gets
  // the same units and rules, each unit marked in or out of their scope.
  Result<PublishedConfig> published_config(const ReadScope& scope) const;

  // --- after recognition (spec §10.3) ---
  // Activities organised in the scope or announced to it (ReadScope::sees_activity), each with
  // the totals of the participations in the scope.
  Result<std::vector<ActivitySummary>> activities(const ReadScope& scope, const ActivityQuery& query);
  Result<ActivityView> activity(const ReadScope& scope, const std::string& id);
  Result<std::vector<Inspection>> inspections(const ReadScope& scope, const InspectionQuery& query);
  // Plans the round: in each unit valid on `due`, the ceil(share x n / 100) oldest (issued_on,
  // then id) of its n certificates in force, less those with an inspection due within the 24
  // months before `due` (or later), each planned by plan_inspection as `actor` in its own
  // transaction with the key "plan/<year>/<certificate>". Run twice, it plans nothing twice.
  InspectionPlan plan_inspections(const InspectionPlanRequest& request);

  // --- the public face (issue 13): no sign-in, no scope ---
  // The certificate of a verification code as anyone may see it today (not found, 3, for a code
  // that is malformed or names no certificate: the same answer either way).
  Result<PublicCertificate> verify_certificate(const std::string& code);
  // The same view of a certificate by its id, for a reader who sees its dossier (the CLI's QR
  // code and printed certificate): not found, 3, otherwise.
  Result<PublicCertificate> public_certificate(const ReadScope& scope, const std::string& id);

  // --- the audit trail ---
  // Recomputes the chain in sequence order, streaming (memory stays flat); `anchor`, when not
  // empty, is a head published earlier that must still be in the chain. The whole chain is
  // verified or nothing: forbidden (6, in `status`) unless the scope is whole (ReadScope::whole).
  // `archives` (audit verify --archive, docs/operations.md "Archive"): the trail's archives;
  // given, the chain is verified from its first record through them, each matched with its
  // checkpoint; none, from the newest checkpoint on (ChainVerifier::expect_checkpoint).
  AuditVerification audit_verify(const ReadScope& scope, const std::string& anchor,
                                 const std::vector<ArchivedTrail*>& archives = {});
  // Feeds every record the scope sees, in sequence order, to `sink`: a whole scope, every
  // record; any other, the records of the objects it sees and of the reader's own account.
  Status audit_export(const ReadScope& scope, const std::function<void(const AuditRecord&)>& sink);

  // --- the scheduler and the outbox ---
  // Whether `user` may run the scheduler's work on request (tick, deliver, the outbox: the HTTP
  // service's operator routes; the CLI's operator is whoever runs it): a configured user one of
  // whose roles lists the scheduler's `expire`, with a unit valid today. Forbidden otherwise.
  Status authorize_operator(const std::string& user) const;
  TickReport tick(bool dry_run);
  // The cycle's counts, waiting dossiers and overdue lines of the scope's units. Year 0: the
  // clock's year.
  CycleReport cycle(const ReadScope& scope, int year);
  // Sends due messages through the transports given (channel name -> transport).
  Result<DeliveryReport> deliver(int limit, const std::map<std::string, Transport*>& transports);
  // The outbox: operators only (the CLI's, or a user authorize_operator accepts; forbidden, 6).
  Result<std::vector<OutboxMessage>> outbox(const ReadScope& scope, const std::string& state, int limit);
  Result<OutboxRetry> outbox_retry(std::int64_t id);

  // Executor settings for bulk work and tests.
  void set_retry_policy(RetryPolicy p) { executor_.set_retry_policy(p); }

 private:
  // Runs a read; a database failure becomes Code::internal.
  template <typename T, typename F>
  Result<T> read(F&& f) {
    Result<T> r;
    try {
      r.status = f(r.value);
    } catch (const StoreError& e) {
      r.status = Status::Internal(std::string("database: ") + e.what());
    }
    return r;
  }
  void promotion_report(const ReadScope& scope, Report& r);
  PublicCertificate public_view(const Certificate& c);
  // The store's filter for a list query (its unit widened to the units below and merged into it).
  Status dossier_filter(const ReadScope& scope, const DossierQuery& q, DossierFilter& f) const;
  ActivityTotals totals_of(const std::vector<Participation>& ps) const;
  // A store filter's units for the scope and a `--unit` filter: without one, the scope's units
  // (none: any, for a whole scope); with one, the units under it that the scope sees (bad input,
  // 2, when it is not a configured unit; forbidden, 6, when it is outside the scope). Never
  // empty for a restricted scope.
  Status scoped_units(const ReadScope& scope, const std::string& unit, std::vector<std::string>& out) const;
  // Whether the scope sees the object `id` (a dossier, an activity, a participation or an
  // inspection; not found, 3, when there is none or it is outside the scope).
  Status object_in_scope(const ReadScope& scope, const std::string& id);
  // `not_found`, or, when `id` is a dossier the scope saw and it was archived, a NotFound saying
  // so and where it went.
  Status archived_or(const ReadScope& scope, const std::string& id, Status not_found);
  // The dossier `id` when the scope sees it.
  std::optional<Dossier> dossier_in_scope(const ReadScope& scope, const std::string& id);

  const Config& config_;
  Store& store_;
  Workflows workflows_;
  const Clock& clock_;
  BlobStore* blobs_;
  Executor executor_;
};

}  // namespace ocop
