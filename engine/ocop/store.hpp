// The store port: what the engine needs from a database, split by role (transactions, dossiers
// and events, the audit log, the outbox, the scheduler's reads, the read model for lists and
// reports). adapters/store implements all of it with SOCI over SQLite and PostgreSQL;
// tests/support has an in-memory one and a fault-injecting wrapper.
//
// One Store is one connection and is used from one thread. Writes happen only inside
// begin()/commit(). Inside a write transaction, a dossier or certificate once loaded cannot
// change under the transaction until it ends: SQLite's begin() takes the database's write
// lock at once (BEGIN IMMEDIATE); PostgreSQL (READ COMMITTED) locks each dossier and
// certificate row it loads (SELECT ... FOR UPDATE), so writers of different dossiers run in
// parallel and writers of the same dossier queue. Several processes may share a database.
// Database failures are thrown as StoreError; `retryable` marks the ones a caller may retry
// as a whole transaction, after rolling back: SQLite busy/locked; PostgreSQL serialization
// failure (40001), deadlock (40P01), lock not available (55P03) and unique violation (23505:
// every unique key the engine writes is one it looked up first in the same transaction, so a
// violation means a concurrent transaction committed the same key; the retry sees it).
// A lost connection is not retryable: the Store is unusable afterwards.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ocop/dossier.hpp"
#include "ocop/outbox.hpp"
#include "ocop/promotion.hpp"

namespace ocop {

class StoreError : public std::runtime_error {
 public:
  StoreError(const std::string& what, bool retryable) : std::runtime_error(what), retryable_(retryable) {}
  bool retryable() const { return retryable_; }

 private:
  bool retryable_;
};

// A dossier moved into an archive (`ocop archive`, docs/operations.md "Archive"): what stays in
// the live database to say so.
struct ArchivedDossier {
  std::string id, unit, archive;  // archive: the archive's id (its manifest's, its checkpoint's)
  int year = 0;
  std::int64_t checkpoint = 0;  // the checkpoint record's sequence number
};

struct AuditHead {
  std::int64_t seq = 0;  // 0: empty chain
  std::string hash;      // kGenesisHash when empty
};

// Empty strings and zeros do not filter.
struct DossierFilter {
  std::string state, level, product_set, rule_set;
  std::vector<std::string> units;  // filed under any of these (empty: any unit)
  int year = 0;
  std::string product, producer;  // exact names (indexed together, product first)
  std::string base_certificate;   // dossiers that upgrade or re-evaluate this certificate
  std::string round;              // the evaluation round (Dossier::round)
  // Text search (ocop/search.hpp): every word, already folded by fold_text (lower-case ASCII
  // letters for Vietnamese ones, no marks), occurs in fold_text(product + " " + producer).
  // A database store folds the stored names in SQL with fold_replacements(), the same table.
  std::vector<std::string> words;
  std::string after;              // keyset paging: only ids greater than this (lists are by id)
  int limit = 0;                  // 0 = no limit
};

// Certificates in (valid_until, id) order. Every criterion given must hold; an empty one is no
// criterion.
struct CertificateFilter {
  std::string state;
  std::vector<std::string> states;  // any of these states (with `state`: both must hold)
  std::vector<std::string> units;  // any of these units; empty = all
  int stars = 0;
  int min_stars = 0;
  std::optional<Date> valid_until_on_or_before;
  std::optional<Date> valid_until_after;
  std::string dossier;  // the certificates one dossier was issued
  // Only id, dossier, product, unit, stars, valid_until and state are read, in no particular
  // order (the other fields may be empty): what an invitation lists, for thousands of rows.
  bool brief = false;
};

// The audit records of some objects only (a reader's scope, ocop/read_scope.hpp). An empty list
// or account names nothing: a filter with nothing in it matches no record.
struct AuditFilter {
  std::vector<std::string> units;           // dossiers, participations, inspections filed under these
  std::vector<std::string> activity_units;  // activities organised by these
  std::string account;                      // "user:<id>": that account's records
};

// Counts for the cycle report.
struct CountRow {
  std::string a, b;  // grouping keys
  std::int64_t n = 0;
};

// Transactions. Writes happen only between begin() and commit(); callers use ocop::Transaction
// (ocop/transaction.hpp), which rolls back unless committed, never these three directly.
class TransactionPort {
 public:
  virtual ~TransactionPort() = default;
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;
};

// Dossiers and what an event writes with them: scoresheets, documents, certificates, keys.
class DossierStore {
 public:
  virtual ~DossierStore() = default;

  // --- dossiers ---
  virtual std::optional<Dossier> load_dossier(const std::string& id) = 0;
  // The producer of each dossier of `ids`, in their order (empty where there is no such
  // dossier): what a list of certificates shows beside each, without loading every dossier.
  virtual std::vector<std::string> producers_of(const std::vector<std::string>& ids) {
    std::vector<std::string> out;
    out.reserve(ids.size());
    for (const std::string& id : ids) {
      std::optional<Dossier> d = load_dossier(id);
      out.push_back(d ? d->producer : std::string());
    }
    return out;
  }
  // The dossier `id` if it was archived (it is then no longer loaded); a store without archives
  // has none.
  virtual std::optional<ArchivedDossier> archived_dossier(const std::string&) { return std::nullopt; }
  virtual void insert_dossier(const Dossier& d) = 0;
  // Writes `d` over `before` if the stored version is still `before.version`; false means it
  // is not (a conflict). Columns equal in both may be left alone (fewer index writes).
  virtual bool update_dossier(const Dossier& d, const Dossier& before) = 0;
  virtual std::int64_t count_dossiers_created(int year) = 0;

  // --- scoresheets, documents ---
  virtual std::vector<Scoresheet> scoresheets(const std::string& dossier, const std::string& level) = 0;
  virtual void put_scoresheet(const Scoresheet& s) = 0;  // replaces the member's sheet
  virtual std::vector<std::string> document_kinds(const std::string& dossier) = 0;
  virtual void add_document(const Document& d) = 0;
  virtual std::vector<Document> documents(const std::string& dossier) = 0;
  // The earliest document recorded with these bytes, held by a dossier filed under any of
  // `units` (empty: any dossier), if any.
  virtual std::optional<Document> find_document(const std::string& sha256,
                                                const std::vector<std::string>& units) = 0;

  // --- certificates ---
  virtual std::optional<Certificate> load_certificate(const std::string& id) = 0;
  // Writes a new certificate with its verification code, verification_code(the database's
  // secret, c.id) (ocop/verification.hpp), in a column of its own: never in an audit record.
  virtual void insert_certificate(const Certificate& c) = 0;
  // Writes a certificate's state, superseded_by and revocation fields (the rest never changes).
  virtual void update_certificate(const Certificate& c) = 0;

  // --- idempotency ---
  virtual std::optional<std::string> find_key(const std::string& key) = 0;
  virtual void put_key(const std::string& key, const std::string& dossier, const std::string& result) = 0;
};

// The hash-chained audit trail (ocop/audit.hpp).
class AuditLog {
 public:
  virtual ~AuditLog() = default;

  // --- audit ---
  // The newest record's sequence number and hash (committed, or appended by this transaction
  // with append_audit).
  virtual AuditHead audit_head() = 0;
  // The sequence number of the newest archive's checkpoint record (ocop/audit.hpp,
  // ChainVerifier::expect_checkpoint); 0 when nothing was ever archived.
  virtual std::int64_t audit_checkpoint() { return 0; }
  // Appends `r` exactly as given (seq, prev_hash and hash already set) in the caller's
  // transaction.
  virtual void append_audit(const AuditRecord& r) = 0;
  // Appends `r` (every field but seq, prev_hash and hash) to the chain in the caller's
  // transaction, linked to the record before it: seq = head + 1, prev_hash = head's hash,
  // hash = compute_hash. When it is linked is the store's choice, but always under a lock
  // that makes the chain one total order: this default links at once (right for SQLite,
  // whose write transaction already excludes every other writer); the PostgreSQL store links
  // a transaction's records at commit(), under the chain's row lock, so that lock is the last
  // one a transaction takes and is held only for the inserts and the COMMIT (docs/design.md).
  // `r`'s seq and hash are therefore not reported back.
  virtual void append_to_chain(AuditRecord r);
  virtual std::vector<AuditRecord> history(const std::string& dossier) = 0;
  // The actor of the dossier's first audit record (who created it); empty when it has none.
  virtual std::string dossier_creator(const std::string& dossier) = 0;
  // Feeds every record in sequence order until `fn` returns false.
  virtual void scan_audit(const std::function<bool(const AuditRecord&)>& fn) = 0;
  // The same, for the records of the objects `f` names only (selected in the query: the trail is
  // read in pages as scan_audit reads it, never loaded whole).
  virtual void scan_audit_of(const AuditFilter& f, const std::function<bool(const AuditRecord&)>& fn) = 0;
  // Dossiers, activities, participations, inspections and accounts (whose records carry
  // "user:<id>") whose version differs from the number of audit records they have (every
  // accepted event adds one of each): records removed from the trail, even from its tail, show
  // here. Then records of an id that is none of these. At most `limit` descriptions of each of the two kinds.
  virtual std::vector<std::string> version_mismatches(int limit) = 0;
  // The records that recognise, revoke or expire a certificate (events "recognize", "revoke",
  // "expire"), newest first, with a sequence number below `before_seq` (0: from the newest), at
  // most `limit` (the public feed of certificates; an index keeps it fast on millions).
  virtual std::vector<AuditRecord> certificate_events(std::int64_t before_seq, int limit) = 0;
};

// The notification outbox (ocop/outbox.hpp, ocop/dispatch.hpp).
class OutboxStore {
 public:
  virtual ~OutboxStore() = default;

  // --- the outbox (ocop/outbox.hpp) ---
  // Queues `m` (its id is set) in the caller's transaction, unless a message with the same
  // dedupe_key exists: then nothing is written and the answer is false.
  virtual bool enqueue(OutboxMessage& m) = 0;
  // Messages in `state` (empty: all), oldest first; at most `limit` (0: no limit).
  virtual std::vector<OutboxMessage> outbox(const std::string& state, int limit) = 0;
  virtual std::optional<OutboxMessage> outbox_message(std::int64_t id) = 0;
  // Delivery (ocop/dispatch.hpp), each inside the caller's transaction:
  // claim_outbox takes up to `limit` messages of `channels` that are due (pending with
  // next_attempt_at <= now, or sending with a lease that ran out before now and attempts left),
  // oldest due first, skipping rows another transaction holds (PostgreSQL: FOR UPDATE SKIP
  // LOCKED; SQLite has one writer), and marks them sending, claimed_by `worker` until
  // `lease_until`, attempts + 1. It first marks dead the messages of `channels` whose lease ran
  // out on their last attempt (attempts >= max_attempts).
  virtual std::vector<OutboxMessage> claim_outbox(const std::vector<std::string>& channels, Instant now,
                                                  Instant lease_until, const std::string& worker, int limit,
                                                  int max_attempts) = 0;
  // Writes a claimed message's outcome (state, attempts, next_attempt_at, last_error, sent_at)
  // and ends the claim, if `worker` still holds it; false when it does not (the lease ran out
  // and another deliverer took the message): nothing is written then.
  virtual bool settle_outbox(const OutboxMessage& m, const std::string& worker) = 0;
  // Pending messages of `channel` due at `now` that cannot be sent (the channel is not
  // configured, the webhook secret is missing): records `error` on them, changes nothing else,
  // and returns how many there are.
  virtual int hold_outbox(const std::string& channel, Instant now, const std::string& error) = 0;
  // A dead or pending message back to pending, due at `now`, attempts 0. False when the
  // message is sending or sent (nothing written).
  virtual bool retry_outbox(std::int64_t id, Instant now) = 0;
  // Every message counted by (state, kind): kind "reminder" for messages a reminder rule made
  // (cause starting "reminder "), "other" for the rest.
  virtual std::vector<CountRow> count_outbox() = 0;
};

// What the scheduler reads and records (ocop/scheduler.hpp).
class SchedulerReads {
 public:
  virtual ~SchedulerReads() = default;

  // --- the scheduler (ocop tick; ocop/scheduler.hpp) ---
  // Dossiers in any of `states`, and, when `entered_before` is set, that entered their state
  // before it; in state_since order. Reads the (state, state_since) index, never the table.
  virtual std::vector<Dossier> dossiers_waiting(const std::vector<State>& states,
                                                std::optional<Instant> entered_before) = 0;
  // A cycle's stored state name (cycle_lifecycle.hpp); nullopt when none is stored (planned).
  virtual std::optional<std::string> cycle_state(int year) = 0;
  // Moves a cycle from state `from` to `to` in the caller's transaction; `at` is when it changed.
  // False, writing nothing, when the stored state is no longer `from` (a parallel tick moved the
  // cycle first; an absent row is `planned`). Waits for a concurrent writer of the row.
  virtual bool put_cycle_state(int year, const std::string& from, const std::string& to, Instant at) = 0;
  // The latest day a tick was recorded for, if any.
  virtual std::optional<Date> last_tick() = 0;
  // Records (or, for the same day, replaces) a tick's day, time and summary (JSON text).
  virtual void record_tick(Date day, Instant at, const std::string& summary) = 0;
  // Dossiers of one cycle (`year`), counted by (state, unit).
  virtual std::vector<CountRow> count_year_by_state_and_unit(int year) = 0;
};

// Reads for people: lists, certificates and the report's counts. A new report touches only this
// side.
class ReadModel {
 public:
  virtual ~ReadModel() = default;

  // --- reads for people ---
  virtual std::vector<Dossier> list_dossiers(const DossierFilter& f) = 0;
  // How many dossiers list_dossiers would return without `limit` (and with `after`). The
  // default counts a full list; a database store counts in SQL.
  virtual std::int64_t count_dossiers(const DossierFilter& f) {
    DossierFilter all = f;
    all.limit = 0;
    return static_cast<std::int64_t>(list_dossiers(all).size());
  }
  // counts grouped by (state, unit) or (stars, unit) of active certificates
  virtual std::vector<CountRow> count_by_state_and_unit() = 0;
  virtual std::vector<CountRow> count_certificates_by_stars_and_unit() = 0;
  virtual std::vector<Certificate> certificates(const CertificateFilter& f) = 0;
  // The certificate whose verification code is exactly `code` (ocop/verification.hpp), if any.
  virtual std::optional<Certificate> certificate_by_code(const std::string& code) = 0;
  // A certificate's verification code; empty when there is no such certificate.
  virtual std::string verification_code_of(const std::string& certificate_id) = 0;
};

// After recognition (spec §10): activities, participations, inspections. Loads inside a write
// transaction lock the row as load_dossier does (PostgreSQL: FOR UPDATE), so the events of one
// activity queue on its row: every participation event loads its activity first, which is what
// keeps the booths within the activity's and the producer's limits under concurrency. Updates
// are conditional on the stored version (false: someone changed it first, nothing written); they
// write every field but the object's identity (listed at each), which never changes. Their ids
// order byte by byte on every backend (PostgreSQL: the id columns are COLLATE "C", whatever the
// database's collation), which the orderings and count_ids_with_prefix's range rely on.
class PromotionStore {
 public:
  virtual ~PromotionStore() = default;
  // Whether `id` is taken by a dossier, an activity, a participation or an inspection.
  virtual bool object_id_taken(const std::string& id) = 0;

  virtual std::optional<Activity> load_activity(const std::string& id) = 0;
  // A second activity with the same id is a StoreError (its primary key).
  virtual void insert_activity(const Activity& a) = 0;
  // Writes every field but id, unit and created_at.
  virtual bool update_activity(const Activity& a, std::int64_t expected_version) = 0;
  // How many activities and inspections have an id that starts with PREFIX + "-" (PREFIX is
  // "UNIT-XT-YYYY" or "UNIT-HK-YYYY"): a generated id's number is one more (then the next
  // free one). Reads the ids' primary keys as a range, never the tables.
  virtual std::int64_t count_ids_with_prefix(const std::string& prefix) = 0;
  // Ordered by starts, then id. `day_from`/`day_to`: at least one of registration_opens,
  // registration_closes, starts and ends lies within them (a bound not given does not bound).
  virtual std::vector<Activity> activities(const ActivityFilter& f) = 0;
  // Activities in any of `states` with `column` (registration_opens, registration_closes,
  // starts or ends; any other name is a StoreError) on or before `day`, ordered by that column
  // then id (the scheduler). No states: none.
  virtual std::vector<Activity> activities_due(const std::vector<std::string>& states,
                                               const std::string& column, Date day) = 0;

  virtual std::optional<Participation> load_participation(const std::string& id) = 0;
  // A second participation with the same id, or of the same (activity, dossier), is a StoreError.
  virtual void insert_participation(const Participation& p) = 0;
  // Writes every field but id, activity, dossier, certificate, product, producer, unit and
  // created_at.
  virtual bool update_participation(const Participation& p, std::int64_t expected_version) = 0;
  // Ordered by activity, then id. `activity_states` and `ends_on_or_before` need the
  // participation's activity to exist.
  virtual std::vector<Participation> participations(const ParticipationFilter& f) = 0;

  virtual std::optional<Inspection> load_inspection(const std::string& id) = 0;
  virtual void insert_inspection(const Inspection& i) = 0;
  // Writes every field but id, certificate, dossier, product, unit, level and created_at.
  virtual bool update_inspection(const Inspection& i, std::int64_t expected_version) = 0;
  // Ordered by due, then id. A `remedy_due` bound leaves out inspections without one.
  virtual std::vector<Inspection> inspections(const InspectionFilter& f) = 0;
};

// --- accounts (ocop/accounts.hpp): sign-in state, shared by every process of a database ---

// One configured user's sign-in state. `version` counts the user's audit records (dossier
// "user:<id>"), as a dossier's version counts its own: audit verify compares the two.
struct Account {
  std::string user;
  std::int64_t version = 0;
  std::string password_hash;  // argon2id encoding (Secrets); empty: no password set
  std::optional<Instant> password_set_at;
  int failures = 0;                    // consecutive failed sign-ins since the last success or lock-out
  std::optional<Instant> locked_until;  // a lock-out in force until then
  std::string totp_secret;             // base32; empty: no second factor enrolled
  std::int64_t totp_last_step = 0;     // the last 30-second step accepted (never accepted twice)
  Instant created_at, updated_at;
};

// A server-side session: only the SHA-256 of its id is stored.
struct StoredSession {
  std::string id_hash;
  std::string user;
  Instant created_at, last_seen, expires_at;  // expires_at: the absolute timeout
  bool second_factor = false;
  std::string address;
};

// An API token: `id` is public; only the SHA-256 of the secret is stored.
struct ApiToken {
  std::string id;
  std::string hash;
  std::string user;
  Instant created_at, expires_at;
  std::optional<Instant> revoked_at;
  std::string note;
  std::string created_by;
};

// A one-time invitation to set a password: only the SHA-256 of its secret is stored.
struct Invitation {
  std::string hash;
  std::string user;
  Instant created_at, expires_at;
  std::optional<Instant> used_at;
};

// Accounts, sessions, tokens, invitations and failed sign-ins (migration 8). Writes happen in
// the caller's transaction. Loads inside a write transaction lock their row (PostgreSQL: FOR
// UPDATE), so two processes counting failures of one account, or using one invitation, queue.
class AccountStore {
 public:
  virtual ~AccountStore() = default;
  // Inserts a fresh account (version 0, nothing set) unless one exists; never changes one.
  virtual void create_account(const std::string& user, Instant now) = 0;
  virtual std::optional<Account> load_account(const std::string& user) = 0;
  // Writes every field of an existing account but `user` and `created_at`.
  virtual void update_account(const Account& a) = 0;

  virtual std::optional<StoredSession> load_session(const std::string& id_hash) = 0;
  virtual void insert_session(const StoredSession& s) = 0;
  virtual void touch_session(const std::string& id_hash, Instant last_seen) = 0;
  // How many sessions were deleted.
  virtual int delete_session(const std::string& id_hash) = 0;
  virtual int delete_sessions_of(const std::string& user) = 0;
  // Sessions whose absolute or idle timeout passed (housekeeping); how many.
  virtual int delete_sessions_expired(Instant now, Instant idle_before) = 0;

  virtual std::optional<ApiToken> load_token(const std::string& id) = 0;
  virtual std::optional<ApiToken> load_token_by_hash(const std::string& hash) = 0;
  virtual void insert_token(const ApiToken& t) = 0;
  // Marks a token revoked at `at`; false when there is none or it is revoked already.
  virtual bool revoke_token(const std::string& id, Instant at) = 0;
  // A user's tokens ("" : everyone's), by created_at then id.
  virtual std::vector<ApiToken> tokens_of(const std::string& user) = 0;
  // A user's sessions (expired ones not yet purged included), by created_at then id_hash.
  virtual std::vector<StoredSession> sessions_of(const std::string& user) = 0;

  virtual std::optional<Invitation> load_invitation(const std::string& hash) = 0;
  virtual void insert_invitation(const Invitation& i) = 0;
  // Marks it used at `at`; false when there is none or it was used already.
  virtual bool use_invitation(const std::string& hash, Instant at) = 0;
  // Deletes the user's invitations that were never used; how many.
  virtual int delete_unused_invitations(const std::string& user) = 0;

  // Failed sign-ins by address (per-address throttling). `user` is the name as given, for
  // people who read the table; it is never trusted.
  virtual void record_login_failure(const std::string& address, const std::string& user, Instant at) = 0;
  virtual std::int64_t count_login_failures(const std::string& address, Instant since) = 0;
  virtual int purge_login_failures(Instant before) = 0;
};

// The whole port, by role. One Store is one connection, used from one thread (see above).
class Store : public TransactionPort,
              public DossierStore,
              public AuditLog,
              public OutboxStore,
              public SchedulerReads,
              public ReadModel,
              public PromotionStore,
              public AccountStore {};

}  // namespace ocop
