// The SOCI store: the engine's Store port over SQLite (embedded default) or PostgreSQL.
//
// A URL chooses the backend: "sqlite:PATH" (or a bare path) or "postgresql://..." (libpq
// syntax). How writers of several processes are kept apart on each backend: store.hpp and
// docs/design.md (Concurrency). open() applies nothing; migrate() applies the numbered migrations that are
// missing, each in its own transaction, and records them in schema_migrations. SQLite runs in WAL mode with
// synchronous=FULL, so a committed event survives a crash or power loss. Prepared statements for the hot path
// are built once per connection and reused.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ocop/store.hpp"

namespace soci {
class session;
}

namespace ocop::store {

struct DbUrl {
  std::string backend;     // "sqlite3" or "postgresql"
  std::string connection;  // what SOCI's backend takes
  std::string path;        // sqlite: the file
};

// Parses a --db URL; nullopt-like empty backend with `error` set when it is not understood.
DbUrl parse_url(const std::string& url, std::string& error);

// The URL with any password replaced by ***, for messages.
std::string redact_url(const std::string& url);

class SociStore;

// Opens a connection. Throws StoreError when the database cannot be opened.
std::unique_ptr<SociStore> open(const std::string& url);

class SociStore : public Store {
 public:
  ~SociStore() override;

  // The highest schema version applied, 0 for an empty database.
  int schema_version();
  // How many of the known migrations are not applied (numbers may be applied out of order:
  // a database at 6 still gets a later-merged 4).
  int pending_migrations();
  // Applies every missing migration, in number order; returns how many were applied. Those
  // numbered above `up_to` are left out (tests build a database of an earlier schema).
  int migrate(int up_to = std::numeric_limits<int>::max());
  static int latest_schema_version();

  // meta: key/value facts about the database (simulation flag, configuration fingerprint).
  std::string meta(const std::string& key);
  void set_meta(const std::string& key, const std::string& value);

  // The configuration snapshot (config/config_snapshot.hpp): its header in meta
  // "config_snapshot" and its directory in table config_directory, one row per unit or user
  // keyed by the snapshot's fingerprint, its kind ('U' or 'P') and its code or id, kept in
  // configuration order. Written in one transaction; the directories of every other snapshot
  // but `keep`'s are deleted (`keep`: the snapshot stored before, which a command that began
  // with it may still be reading; empty for none).
  struct DirectoryRow {
    char kind;
    std::string code;
    std::string line;
  };
  void store_config_snapshot(const std::string& header, const std::string& snapshot,
                             const std::vector<DirectoryRow>& rows, const std::string& keep);
  // One row's line, or nullopt when the snapshot has none with that kind and code.
  std::optional<std::string> config_directory_line(const std::string& snapshot, char kind, const std::string& code);
  // Whether the snapshot has any row (false: it was never stored, or another was stored since).
  bool has_config_directory(const std::string& snapshot);
  // Every line of that kind, in configuration order.
  void scan_config_directory(const std::string& snapshot, char kind, const std::function<void(const std::string& line)>& fn);

  const std::string& backend() const;

  // Store
  void begin() override;
  void commit() override;
  void rollback() override;
  std::optional<Dossier> load_dossier(const std::string& id) override;
  std::vector<std::string> producers_of(const std::vector<std::string>& ids) override;
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
  std::optional<Certificate> load_certificate(const std::string& id) override;
  void insert_certificate(const Certificate& c) override;
  void update_certificate(const Certificate& c) override;
  std::vector<Certificate> certificates(const CertificateFilter& f) override;
  std::optional<Certificate> certificate_by_code(const std::string& code) override;
  std::string verification_code_of(const std::string& certificate_id) override;
  AuditHead audit_head() override;
  void append_audit(const AuditRecord& r) override;
  // SQLite: links at once. PostgreSQL: at commit(), under the chain's row lock (store.hpp).
  void append_to_chain(AuditRecord r) override;
  std::vector<AuditRecord> history(const std::string& dossier) override;
  std::string dossier_creator(const std::string& dossier) override;
  void scan_audit(const std::function<bool(const AuditRecord&)>& fn) override;
  void scan_audit_of(const AuditFilter& f, const std::function<bool(const AuditRecord&)>& fn) override;
  std::vector<std::string> version_mismatches(int limit) override;
  std::vector<AuditRecord> certificate_events(std::int64_t before_seq, int limit) override;
  std::optional<std::string> find_key(const std::string& key) override;
  void put_key(const std::string& key, const std::string& dossier, const std::string& result) override;
  std::vector<Dossier> list_dossiers(const DossierFilter& f) override;
  std::int64_t count_dossiers(const DossierFilter& f) override;
  std::vector<CountRow> count_by_state_and_unit() override;
  std::vector<CountRow> count_certificates_by_stars_and_unit() override;
  std::vector<Dossier> dossiers_waiting(const std::vector<State>& states,
                                        std::optional<Instant> entered_before) override;
  std::optional<std::string> cycle_state(int year) override;
  bool put_cycle_state(int year, const std::string& from, const std::string& to, Instant at) override;
  std::optional<Date> last_tick() override;
  void record_tick(Date day, Instant at, const std::string& summary) override;
  std::vector<CountRow> count_year_by_state_and_unit(int year) override;
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

  // AccountStore (migration 8; soci_store.cpp's end)
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

  // Outbox messages by state (pending, sending, sent, dead; states without one are absent),
  // for the service's /metrics: one GROUP BY over the (state, next_attempt_at) index.
  std::map<std::string, std::int64_t> outbox_counts();

  // For tests: run raw SQL (tamper with the audit trail, inject faults).
  void exec(const std::string& sql);

  // Archives (adapters/store/archive.hpp).
  std::optional<ArchivedDossier> archived_dossier(const std::string& id) override;
  std::int64_t audit_checkpoint() override;
  // The connection, for the archive's own SQL inside this store's begin()/commit().
  soci::session& session();

 private:
  friend std::unique_ptr<SociStore> open(const std::string& url);
  SociStore();
  void link_unlinked();
  void backfill_verification_codes();
  bool has_archives();  // migration 10 applied (cached once it is)
  // scan_audit (f null) and scan_audit_of.
  void scan_audit_matching(const AuditFilter* f, const std::function<bool(const AuditRecord&)>& fn);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ocop::store
