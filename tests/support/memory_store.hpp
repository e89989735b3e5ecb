// An in-memory Store for fast engine tests: the executor, the scheduler, the dispatcher and the
// migrator run on it without a database.
//
// It follows the SOCI store (adapters/store/soci_store.cpp) method by method: the same filters
// and orderings (list_dossiers by id; dossiers_waiting by state_since, then id; documents by at,
// kind, name; certificates by valid_until, id; the outbox by id, a claim by next_attempt_at, id),
// the same keys (a dossier, certificate, idempotency key or audit seq written twice is a
// StoreError, as a primary key violation is; an outbox dedupe_key written twice is `false`), the
// same version check in update_dossier (and the same columns written: never unit, product,
// product_set, producer, year, created_at), the same for activities, participations and
// inspections (spec §10: their orders, filters, unique (activity, dossier), the columns an update
// leaves alone, ids compared byte by byte), the same claim, lease, settle, hold and retry rules,
// the same cycle-state upsert and the audit chain linked at once (AuditLog::append_to_chain's
// default, as on SQLite). Its transactions are real: begin() copies the whole state, rollback()
// restores that copy, commit() keeps what was written. Reads see the transaction's own writes.
// Every write outside begin()/commit(), a begin() inside a transaction and a commit() or
// rollback() outside one throw std::logic_error: a test that forgets a transaction fails loudly.
//
// What it does not model: more than one connection (there is one state and one transaction, so
// no locks, no busy or serialization errors, no concurrent writers; use FaultyStore to inject
// those errors), the PostgreSQL store's audit linking at commit(), text that a database would
// refuse (invalid UTF-8 on PostgreSQL), NULL versus empty text beyond what the SOCI store itself
// maps (empty strings and absent times read back as the SOCI store reads NULLs), storage limits,
// durability, and the cost of anything (begin() copies everything: fine for tests, not for
// benchmarks). Outbox ids restart after a rollback as SQLite's do.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "ocop/store.hpp"

namespace ocop::testing {

class MemoryStore : public Store {
 public:
  MemoryStore() = default;

  bool in_transaction() const { return snapshot_.has_value(); }
  // Transactions committed and rolled back so far (for tests that count them).
  int commits() const { return commits_; }
  int rollbacks() const { return rollbacks_; }

  // TransactionPort
  void begin() override;
  void commit() override;
  void rollback() override;

  // DossierStore
  std::optional<Dossier> load_dossier(const std::string& id) override;
  void insert_dossier(const Dossier& d) override;
  bool update_dossier(const Dossier& d, const Dossier& before) override;
  std::int64_t count_dossiers_created(int year) override;
  std::vector<Scoresheet> scoresheets(const std::string& dossier, const std::string& level) override;
  void put_scoresheet(const Scoresheet& s) override;
  std::vector<std::string> document_kinds(const std::string& dossier) override;
  void add_document(const Document& d) override;
  std::vector<Document> documents(const std::string& dossier) override;
  std::optional<Document> find_document(const std::string& sha256,
                                        const std::vector<std::string>& units) override;
  std::optional<Certificate> load_certificate(const std::string& id) override;
  void insert_certificate(const Certificate& c) override;
  void update_certificate(const Certificate& c) override;
  std::optional<std::string> find_key(const std::string& key) override;
  void put_key(const std::string& key, const std::string& dossier, const std::string& result) override;

  // AuditLog (append_to_chain: the default, linked at once)
  AuditHead audit_head() override;
  void append_audit(const AuditRecord& r) override;
  std::vector<AuditRecord> history(const std::string& dossier) override;
  std::string dossier_creator(const std::string& dossier) override;
  void scan_audit(const std::function<bool(const AuditRecord&)>& fn) override;
  void scan_audit_of(const AuditFilter& f, const std::function<bool(const AuditRecord&)>& fn) override;
  std::vector<std::string> version_mismatches(int limit) override;
  std::vector<AuditRecord> certificate_events(std::int64_t before_seq, int limit) override;

  // OutboxStore
  bool enqueue(OutboxMessage& m) override;
  std::vector<OutboxMessage> outbox(const std::string& state, int limit) override;
  std::optional<OutboxMessage> outbox_message(std::int64_t id) override;
  std::vector<OutboxMessage> claim_outbox(const std::vector<std::string>& channels, Instant now,
                                          Instant lease_until, const std::string& worker, int limit,
                                          int max_attempts) override;
  bool settle_outbox(const OutboxMessage& m, const std::string& worker) override;
  int hold_outbox(const std::string& channel, Instant now, const std::string& error) override;
  bool retry_outbox(std::int64_t id, Instant now) override;
  std::vector<CountRow> count_outbox() override;

  // SchedulerReads
  std::vector<Dossier> dossiers_waiting(const std::vector<State>& states,
                                        std::optional<Instant> entered_before) override;
  std::optional<std::string> cycle_state(int year) override;
  bool put_cycle_state(int year, const std::string& from, const std::string& to, Instant at) override;
  std::optional<Date> last_tick() override;
  void record_tick(Date day, Instant at, const std::string& summary) override;
  std::vector<CountRow> count_year_by_state_and_unit(int year) override;

  // ReadModel
  std::vector<Dossier> list_dossiers(const DossierFilter& f) override;
  std::vector<CountRow> count_by_state_and_unit() override;
  std::vector<CountRow> count_certificates_by_stars_and_unit() override;
  std::vector<Certificate> certificates(const CertificateFilter& f) override;
  std::optional<Certificate> certificate_by_code(const std::string& code) override;
  std::string verification_code_of(const std::string& certificate_id) override;

  // PromotionStore
  bool object_id_taken(const std::string& id) override;
  std::optional<Activity> load_activity(const std::string& id) override;
  void insert_activity(const Activity& a) override;
  bool update_activity(const Activity& a, std::int64_t expected_version) override;
  std::int64_t count_ids_with_prefix(const std::string& prefix) override;
  std::vector<Activity> activities(const ActivityFilter& f) override;
  std::vector<Activity> activities_due(const std::vector<std::string>& states, const std::string& column,
                                       Date day) override;
  std::optional<Participation> load_participation(const std::string& id) override;
  void insert_participation(const Participation& p) override;
  bool update_participation(const Participation& p, std::int64_t expected_version) override;
  std::vector<Participation> participations(const ParticipationFilter& f) override;
  std::optional<Inspection> load_inspection(const std::string& id) override;
  void insert_inspection(const Inspection& i) override;
  bool update_inspection(const Inspection& i, std::int64_t expected_version) override;
  std::vector<Inspection> inspections(const InspectionFilter& f) override;

  // AccountStore
  void create_account(const std::string& user, Instant now) override;
  std::optional<Account> load_account(const std::string& user) override;
  void update_account(const Account& a) override;
  std::optional<StoredSession> load_session(const std::string& id_hash) override;
  void insert_session(const StoredSession& s) override;
  void touch_session(const std::string& id_hash, Instant last_seen) override;
  int delete_session(const std::string& id_hash) override;
  int delete_sessions_of(const std::string& user) override;
  int delete_sessions_expired(Instant now, Instant idle_before) override;
  std::optional<ApiToken> load_token(const std::string& id) override;
  std::optional<ApiToken> load_token_by_hash(const std::string& hash) override;
  void insert_token(const ApiToken& t) override;
  bool revoke_token(const std::string& id, Instant at) override;
  std::vector<ApiToken> tokens_of(const std::string& user) override;
  std::vector<StoredSession> sessions_of(const std::string& user) override;
  std::optional<Invitation> load_invitation(const std::string& hash) override;
  void insert_invitation(const Invitation& i) override;
  bool use_invitation(const std::string& hash, Instant at) override;
  int delete_unused_invitations(const std::string& user) override;
  void record_login_failure(const std::string& address, const std::string& user, Instant at) override;
  std::int64_t count_login_failures(const std::string& address, Instant since) override;
  int purge_login_failures(Instant before) override;

  // What a tick recorded for `day` (tests): the time and the summary; nullopt when none.
  std::optional<std::pair<Instant, std::string>> tick(Date day) const;

 private:
  struct OutboxRow {
    OutboxMessage m;                     // claimed_by empty and lease_until {} when NULL
    std::optional<Instant> lease_until;  // NULL unless sending
  };
  struct CycleRow {
    std::string state;
    std::optional<Instant> opened_at, closed_at;
  };
  struct Data {
    std::map<std::string, Dossier> dossiers;  // by id
    std::map<std::tuple<std::string, std::string, std::string>, Scoresheet>
        scoresheets;                                                  // dossier, level, member
    std::vector<Document> documents;                                  // in insertion order
    std::map<std::string, Certificate> certificates;                  // by id
    std::map<std::int64_t, AuditRecord> audit;                        // by seq
    std::map<std::string, std::pair<std::string, std::string>> keys;  // key -> dossier, result
    std::map<std::int64_t, OutboxRow> outbox;                         // by id
    std::int64_t last_outbox_id = 0;
    std::map<int, CycleRow> cycles;
    std::map<std::int32_t, std::pair<Instant, std::string>> ticks;  // day -> at, summary
    std::map<std::string, Activity> activities;                     // by id
    std::map<std::string, Participation> participations;            // by id
    std::map<std::string, Inspection> inspections;                  // by id
    std::map<std::string, Account> accounts;                        // by user
    std::map<std::string, StoredSession> sessions;                  // by id_hash
    std::map<std::string, ApiToken> tokens;                         // by id
    std::map<std::string, Invitation> invitations;                  // by hash
    std::vector<std::tuple<std::string, std::string, Instant>> login_failures;  // address, user, at
  };

  void require_transaction(const char* what) const;

  Data data_;
  std::optional<Data> snapshot_;  // the state at begin(): set inside a transaction
  int commits_ = 0, rollbacks_ = 0;
};

}  // namespace ocop::testing
