#include "faulty_store.hpp"

namespace ocop::testing {

void FaultyStore::fail(const std::string& method, int nth, bool retryable, Repeat repeat) {
  faults_.push_back(Fault{method, nth, retryable, repeat});
}

void FaultyStore::lose_connection_after(const std::string& method, int nth) {
  lose_method_ = method;
  lose_after_ = nth;
  lose_seen_ = 0;
}

void FaultyStore::clear_faults() {
  faults_.clear();
  lose_after_ = -1;
}

void FaultyStore::reset_counts() {
  total_ = 0;
  counts_.clear();
  log_.clear();
  lose_seen_ = 0;
}

int FaultyStore::calls(const std::string& method) const {
  auto it = counts_.find(method);
  return it == counts_.end() ? 0 : it->second;
}

void FaultyStore::lose() {
  lost_ = true;
  if (in_tx_) {  // the server discards the transaction of a connection that went away
    in_tx_ = false;
    inner_.rollback();
  }
}

void FaultyStore::enter(const char* method) {
  ++total_;
  const int n = ++counts_[method];
  log_.emplace_back(method);
  if (!lost_ && lose_after_ >= 0 && lose_seen_ >= lose_after_) lose();
  if (lost_) {
    ++thrown_;
    throw StoreError(
        std::string(method) + ": the connection to the database server was lost (injected by FaultyStore)",
        false);
  }
  if (lose_after_ >= 0 && (lose_method_.empty() || lose_method_ == method)) ++lose_seen_;
  for (const Fault& f : faults_) {
    const int c = f.method.empty() ? total_ : (f.method == method ? n : 0);
    if (c == 0) continue;
    if (c == f.nth || (f.repeat == Repeat::always && c > f.nth)) {
      ++thrown_;
      throw StoreError(std::string(method) + ": " + (f.retryable ? "database is locked" : "disk I/O error") +
                           " (injected by FaultyStore, call " + std::to_string(c) + ")",
                       f.retryable);
    }
  }
}

// --- transactions ----------------------------------------------------------------------------

void FaultyStore::begin() {
  enter("begin");
  inner_.begin();
  in_tx_ = true;
}

void FaultyStore::commit() {
  enter("commit");
  inner_.commit();
  in_tx_ = false;
}

void FaultyStore::rollback() {
  enter("rollback");
  in_tx_ = false;
  inner_.rollback();
}

// --- forwarded calls -------------------------------------------------------------------------

std::optional<Dossier> FaultyStore::load_dossier(const std::string& id) {
  enter("load_dossier");
  return inner_.load_dossier(id);
}
void FaultyStore::insert_dossier(const Dossier& d) {
  enter("insert_dossier");
  inner_.insert_dossier(d);
}
bool FaultyStore::update_dossier(const Dossier& d, const Dossier& before) {
  enter("update_dossier");
  return inner_.update_dossier(d, before);
}
std::int64_t FaultyStore::count_dossiers_created(int year) {
  enter("count_dossiers_created");
  return inner_.count_dossiers_created(year);
}
std::vector<Scoresheet> FaultyStore::scoresheets(const std::string& dossier, const std::string& level) {
  enter("scoresheets");
  return inner_.scoresheets(dossier, level);
}
void FaultyStore::put_scoresheet(const Scoresheet& s) {
  enter("put_scoresheet");
  inner_.put_scoresheet(s);
}
std::vector<std::string> FaultyStore::document_kinds(const std::string& dossier) {
  enter("document_kinds");
  return inner_.document_kinds(dossier);
}
void FaultyStore::add_document(const Document& d) {
  enter("add_document");
  inner_.add_document(d);
}
std::vector<Document> FaultyStore::documents(const std::string& dossier) {
  enter("documents");
  return inner_.documents(dossier);
}
std::optional<Document> FaultyStore::find_document(const std::string& sha256,
                                                   const std::vector<std::string>& units) {
  enter("find_document");
  return inner_.find_document(sha256, units);
}
std::optional<Certificate> FaultyStore::load_certificate(const std::string& id) {
  enter("load_certificate");
  return inner_.load_certificate(id);
}
void FaultyStore::insert_certificate(const Certificate& c) {
  enter("insert_certificate");
  inner_.insert_certificate(c);
}
void FaultyStore::update_certificate(const Certificate& c) {
  enter("update_certificate");
  inner_.update_certificate(c);
}
std::optional<std::string> FaultyStore::find_key(const std::string& key) {
  enter("find_key");
  return inner_.find_key(key);
}
void FaultyStore::put_key(const std::string& key, const std::string& dossier, const std::string& result) {
  enter("put_key");
  inner_.put_key(key, dossier, result);
}

AuditHead FaultyStore::audit_head() {
  enter("audit_head");
  return inner_.audit_head();
}
void FaultyStore::append_audit(const AuditRecord& r) {
  enter("append_audit");
  inner_.append_audit(r);
}
void FaultyStore::append_to_chain(AuditRecord r) {
  enter("append_to_chain");
  inner_.append_to_chain(std::move(r));
}
std::vector<AuditRecord> FaultyStore::history(const std::string& dossier) {
  enter("history");
  return inner_.history(dossier);
}
std::string FaultyStore::dossier_creator(const std::string& dossier) {
  enter("dossier_creator");
  return inner_.dossier_creator(dossier);
}
void FaultyStore::scan_audit(const std::function<bool(const AuditRecord&)>& fn) {
  enter("scan_audit");
  inner_.scan_audit(fn);
}
void FaultyStore::scan_audit_of(const AuditFilter& f, const std::function<bool(const AuditRecord&)>& fn) {
  enter("scan_audit_of");
  inner_.scan_audit_of(f, fn);
}
std::vector<std::string> FaultyStore::version_mismatches(int limit) {
  enter("version_mismatches");
  return inner_.version_mismatches(limit);
}
std::vector<AuditRecord> FaultyStore::certificate_events(std::int64_t before_seq, int limit) {
  enter("certificate_events");
  return inner_.certificate_events(before_seq, limit);
}

bool FaultyStore::enqueue(OutboxMessage& m) {
  enter("enqueue");
  return inner_.enqueue(m);
}
std::vector<OutboxMessage> FaultyStore::outbox(const std::string& state, int limit) {
  enter("outbox");
  return inner_.outbox(state, limit);
}
std::optional<OutboxMessage> FaultyStore::outbox_message(std::int64_t id) {
  enter("outbox_message");
  return inner_.outbox_message(id);
}
std::vector<OutboxMessage> FaultyStore::claim_outbox(const std::vector<std::string>& channels, Instant now,
                                                     Instant lease_until, const std::string& worker,
                                                     int limit, int max_attempts) {
  enter("claim_outbox");
  return inner_.claim_outbox(channels, now, lease_until, worker, limit, max_attempts);
}
bool FaultyStore::settle_outbox(const OutboxMessage& m, const std::string& worker) {
  enter("settle_outbox");
  return inner_.settle_outbox(m, worker);
}
int FaultyStore::hold_outbox(const std::string& channel, Instant now, const std::string& error) {
  enter("hold_outbox");
  return inner_.hold_outbox(channel, now, error);
}
bool FaultyStore::retry_outbox(std::int64_t id, Instant now) {
  enter("retry_outbox");
  return inner_.retry_outbox(id, now);
}

std::vector<Dossier> FaultyStore::dossiers_waiting(const std::vector<State>& states,
                                                   std::optional<Instant> entered_before) {
  enter("dossiers_waiting");
  return inner_.dossiers_waiting(states, entered_before);
}
std::optional<std::string> FaultyStore::cycle_state(int year) {
  enter("cycle_state");
  return inner_.cycle_state(year);
}
bool FaultyStore::put_cycle_state(int year, const std::string& from, const std::string& to, Instant at) {
  enter("put_cycle_state");
  return inner_.put_cycle_state(year, from, to, at);
}
std::optional<Date> FaultyStore::last_tick() {
  enter("last_tick");
  return inner_.last_tick();
}
void FaultyStore::record_tick(Date day, Instant at, const std::string& summary) {
  enter("record_tick");
  inner_.record_tick(day, at, summary);
}
std::vector<CountRow> FaultyStore::count_year_by_state_and_unit(int year) {
  enter("count_year_by_state_and_unit");
  return inner_.count_year_by_state_and_unit(year);
}

std::vector<Dossier> FaultyStore::list_dossiers(const DossierFilter& f) {
  enter("list_dossiers");
  return inner_.list_dossiers(f);
}
std::vector<CountRow> FaultyStore::count_by_state_and_unit() {
  enter("count_by_state_and_unit");
  return inner_.count_by_state_and_unit();
}
std::vector<CountRow> FaultyStore::count_certificates_by_stars_and_unit() {
  enter("count_certificates_by_stars_and_unit");
  return inner_.count_certificates_by_stars_and_unit();
}
std::optional<Certificate> FaultyStore::certificate_by_code(const std::string& code) {
  enter("certificate_by_code");
  return inner_.certificate_by_code(code);
}

std::string FaultyStore::verification_code_of(const std::string& certificate_id) {
  enter("verification_code_of");
  return inner_.verification_code_of(certificate_id);
}

std::vector<Certificate> FaultyStore::certificates(const CertificateFilter& f) {
  enter("certificates");
  return inner_.certificates(f);
}

bool FaultyStore::object_id_taken(const std::string& id) {
  enter("object_id_taken");
  return inner_.object_id_taken(id);
}
std::optional<Activity> FaultyStore::load_activity(const std::string& id) {
  enter("load_activity");
  return inner_.load_activity(id);
}
void FaultyStore::insert_activity(const Activity& a) {
  enter("insert_activity");
  inner_.insert_activity(a);
}
bool FaultyStore::update_activity(const Activity& a, std::int64_t expected_version) {
  enter("update_activity");
  return inner_.update_activity(a, expected_version);
}
std::int64_t FaultyStore::count_ids_with_prefix(const std::string& prefix) {
  enter("count_ids_with_prefix");
  return inner_.count_ids_with_prefix(prefix);
}
std::vector<Activity> FaultyStore::activities(const ActivityFilter& f) {
  enter("activities");
  return inner_.activities(f);
}
std::vector<Activity> FaultyStore::activities_due(const std::vector<std::string>& states,
                                                  const std::string& column, Date day) {
  enter("activities_due");
  return inner_.activities_due(states, column, day);
}
std::optional<Participation> FaultyStore::load_participation(const std::string& id) {
  enter("load_participation");
  return inner_.load_participation(id);
}
void FaultyStore::insert_participation(const Participation& p) {
  enter("insert_participation");
  inner_.insert_participation(p);
}
bool FaultyStore::update_participation(const Participation& p, std::int64_t expected_version) {
  enter("update_participation");
  return inner_.update_participation(p, expected_version);
}
std::vector<Participation> FaultyStore::participations(const ParticipationFilter& f) {
  enter("participations");
  return inner_.participations(f);
}
std::optional<Inspection> FaultyStore::load_inspection(const std::string& id) {
  enter("load_inspection");
  return inner_.load_inspection(id);
}
void FaultyStore::insert_inspection(const Inspection& i) {
  enter("insert_inspection");
  inner_.insert_inspection(i);
}
bool FaultyStore::update_inspection(const Inspection& i, std::int64_t expected_version) {
  enter("update_inspection");
  return inner_.update_inspection(i, expected_version);
}
std::vector<Inspection> FaultyStore::inspections(const InspectionFilter& f) {
  enter("inspections");
  return inner_.inspections(f);
}

// --- accounts ---------------------------------------------------------------------------------

void FaultyStore::create_account(const std::string& user, Instant now) {
  enter("create_account");
  inner_.create_account(user, now);
}

std::optional<Account> FaultyStore::load_account(const std::string& user) {
  enter("load_account");
  return inner_.load_account(user);
}

void FaultyStore::update_account(const Account& a) {
  enter("update_account");
  inner_.update_account(a);
}

std::optional<StoredSession> FaultyStore::load_session(const std::string& id_hash) {
  enter("load_session");
  return inner_.load_session(id_hash);
}

void FaultyStore::insert_session(const StoredSession& s) {
  enter("insert_session");
  inner_.insert_session(s);
}

void FaultyStore::touch_session(const std::string& id_hash, Instant last_seen) {
  enter("touch_session");
  inner_.touch_session(id_hash, last_seen);
}

int FaultyStore::delete_session(const std::string& id_hash) {
  enter("delete_session");
  return inner_.delete_session(id_hash);
}

int FaultyStore::delete_sessions_of(const std::string& user) {
  enter("delete_sessions_of");
  return inner_.delete_sessions_of(user);
}

int FaultyStore::delete_sessions_expired(Instant now, Instant idle_before) {
  enter("delete_sessions_expired");
  return inner_.delete_sessions_expired(now, idle_before);
}

std::optional<ApiToken> FaultyStore::load_token(const std::string& id) {
  enter("load_token");
  return inner_.load_token(id);
}

std::optional<ApiToken> FaultyStore::load_token_by_hash(const std::string& hash) {
  enter("load_token_by_hash");
  return inner_.load_token_by_hash(hash);
}

void FaultyStore::insert_token(const ApiToken& t) {
  enter("insert_token");
  inner_.insert_token(t);
}

bool FaultyStore::revoke_token(const std::string& id, Instant at) {
  enter("revoke_token");
  return inner_.revoke_token(id, at);
}

std::vector<ApiToken> FaultyStore::tokens_of(const std::string& user) {
  enter("tokens_of");
  return inner_.tokens_of(user);
}

std::optional<Invitation> FaultyStore::load_invitation(const std::string& hash) {
  enter("load_invitation");
  return inner_.load_invitation(hash);
}

void FaultyStore::insert_invitation(const Invitation& i) {
  enter("insert_invitation");
  inner_.insert_invitation(i);
}

bool FaultyStore::use_invitation(const std::string& hash, Instant at) {
  enter("use_invitation");
  return inner_.use_invitation(hash, at);
}

int FaultyStore::delete_unused_invitations(const std::string& user) {
  enter("delete_unused_invitations");
  return inner_.delete_unused_invitations(user);
}

void FaultyStore::record_login_failure(const std::string& address, const std::string& user, Instant at) {
  enter("record_login_failure");
  inner_.record_login_failure(address, user, at);
}

std::int64_t FaultyStore::count_login_failures(const std::string& address, Instant since) {
  enter("count_login_failures");
  return inner_.count_login_failures(address, since);
}

int FaultyStore::purge_login_failures(Instant before) {
  enter("purge_login_failures");
  return inner_.purge_login_failures(before);
}

std::vector<CountRow> FaultyStore::count_outbox() {
  enter("count_outbox");
  return inner_.count_outbox();
}

std::vector<StoredSession> FaultyStore::sessions_of(const std::string& user) {
  enter("sessions_of");
  return inner_.sessions_of(user);
}

}  // namespace ocop::testing
