// A Store that forwards every call to another one and fails on purpose, to test every retry and
// rollback path: a StoreError on the Nth call (of all calls, or of one named method such as
// "commit" or "append_to_chain"), retryable or not, once or from then on; and a lost connection
// (every call after the Nth throws a non-retryable StoreError, as the SOCI store reports a
// server that went away). It counts the calls by method name, so a test can assert what was
// attempted.
//
// A failing call throws before it is forwarded: the wrapped store never sees it (a failed
// commit commits nothing; the caller's Transaction then rolls back). When the connection is
// lost inside a transaction, the wrapped store's transaction is rolled back at once, as a
// database server discards the transaction of a connection that went away. Not modelled: a
// commit that succeeded on the server but whose answer was lost.
//
// The executor writes audit records through append_to_chain, which this wrapper forwards as one
// call (so that the wrapped store links records its own way): name "append_to_chain" to fail
// the audit write. Method names are the Store's own ("load_dossier", "enqueue", "begin", ...).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ocop/store.hpp"

namespace ocop::testing {

class FaultyStore : public Store {
 public:
  explicit FaultyStore(Store& inner) : inner_(inner) {}

  enum class Repeat { once, always };

  // Throws a StoreError on the `nth` call (1 = the first) of `method` ("" = any call, counted
  // over all methods), and with Repeat::always on every such call after it too. Calls are
  // counted from this wrapper's construction or the last reset_counts(). Several faults may be
  // armed at once; the first that matches a call throws.
  void fail(const std::string& method, int nth, bool retryable, Repeat repeat = Repeat::once);
  // After the `nth` call of `method` ("" = any call), the connection is lost: that call
  // succeeds, every later call of any method throws a non-retryable StoreError.
  void lose_connection_after(const std::string& method, int nth);
  // Disarms every fault (a lost connection stays lost).
  void clear_faults();
  // Forgets the counts (and the call log); armed faults then count from zero.
  void reset_counts();

  // Calls made (forwarded or failed): of `method`, or of any method.
  int calls(const std::string& method) const;
  int calls() const { return total_; }
  // Every call's method name, in order.
  const std::vector<std::string>& log() const { return log_; }
  // Errors thrown on purpose so far.
  int faults_thrown() const { return thrown_; }
  bool connection_lost() const { return lost_; }

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

  // AuditLog
  AuditHead audit_head() override;
  void append_audit(const AuditRecord& r) override;
  void append_to_chain(AuditRecord r) override;
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

 private:
  struct Fault {
    std::string method;
    int nth = 1;
    bool retryable = true;
    Repeat repeat = Repeat::once;
  };
  // Counts the call and throws when a fault or the lost connection says so.
  void enter(const char* method);
  void lose();

  Store& inner_;
  std::vector<Fault> faults_;
  std::string lose_method_;
  int lose_after_ = -1;  // -1: not armed
  int lose_seen_ = 0;
  bool lost_ = false;
  bool in_tx_ = false;  // the wrapped store has a transaction open
  int total_ = 0;
  int thrown_ = 0;
  std::map<std::string, int> counts_;
  std::vector<std::string> log_;
};

}  // namespace ocop::testing
