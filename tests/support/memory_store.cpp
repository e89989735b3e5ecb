#include "memory_store.hpp"
#include "ocop/verification.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "ocop/audit.hpp"
#include "ocop/search.hpp"

namespace ocop::testing {

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// The SOCI store refuses channel names that are not plain lower-case (they go into its SQL).
void check_channels(const std::vector<std::string>& channels) {
  for (const auto& c : channels)
    if (c.empty() || c.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos)
      throw StoreError("outbox: channel name \"" + c + "\" is not plain lower-case", false);
}

AuditRecord as_read(const AuditRecord& r) {
  AuditRecord out = r;
  out.at_text = format_instant(r.at, 0);  // what the SOCI store stores and reads back
  return out;
}

}  // namespace

void MemoryStore::require_transaction(const char* what) const {
  if (!snapshot_)
    throw std::logic_error(std::string("MemoryStore::") + what +
                           " outside a transaction (writes need begin())");
}

// --- transactions ----------------------------------------------------------------------------

void MemoryStore::begin() {
  if (snapshot_) throw std::logic_error("MemoryStore::begin inside a transaction");
  snapshot_ = data_;
}

void MemoryStore::commit() {
  if (!snapshot_) throw std::logic_error("MemoryStore::commit outside a transaction");
  snapshot_.reset();
  ++commits_;
}

void MemoryStore::rollback() {
  if (!snapshot_) throw std::logic_error("MemoryStore::rollback outside a transaction");
  data_ = std::move(*snapshot_);
  snapshot_.reset();
  ++rollbacks_;
}

// --- dossiers --------------------------------------------------------------------------------

std::optional<Dossier> MemoryStore::load_dossier(const std::string& id) {
  auto it = data_.dossiers.find(id);
  if (it == data_.dossiers.end()) return std::nullopt;
  return it->second;
}

void MemoryStore::insert_dossier(const Dossier& d) {
  require_transaction("insert_dossier");
  if (data_.dossiers.count(d.id))
    throw StoreError("inserting a dossier: UNIQUE constraint failed: dossiers.id", false);
  data_.dossiers.emplace(d.id, d);
}

bool MemoryStore::update_dossier(const Dossier& d, const Dossier& before) {
  require_transaction("update_dossier");
  auto it = data_.dossiers.find(d.id);
  if (it == data_.dossiers.end() || it->second.version != before.version) return false;
  Dossier& row = it->second;
  // The columns the SOCI store's UPDATE names: always these ...
  row.version = d.version;
  row.rule_set = d.rule_set;
  row.registration_type = d.registration_type;
  row.score = d.score;
  row.certificate = d.certificate;
  row.round = d.round;
  row.assessment = d.assessment;
  row.updated_at = d.updated_at;
  // ... and each indexed group only when it differs between `d` and `before`.
  if (d.state != before.state || d.state_since != before.state_since) {
    row.state = d.state;
    row.state_since = d.state_since;
  }
  if (d.level_index != before.level_index || d.level != before.level ||
      d.base_certificate != before.base_certificate) {
    row.level_index = d.level_index;
    row.level = d.level;
    row.base_certificate = d.base_certificate;
  }
  if (d.stars != before.stars) row.stars = d.stars;
  return true;
}

std::int64_t MemoryStore::count_dossiers_created(int year) {
  std::int64_t n = 0;
  for (const auto& [id, d] : data_.dossiers) n += d.year == year ? 1 : 0;
  return n;
}

std::vector<Scoresheet> MemoryStore::scoresheets(const std::string& dossier, const std::string& level) {
  std::vector<Scoresheet> out;
  for (auto it = data_.scoresheets.lower_bound({dossier, level, ""});
       it != data_.scoresheets.end() && std::get<0>(it->first) == dossier && std::get<1>(it->first) == level;
       ++it)
    out.push_back(it->second);  // by member
  return out;
}

void MemoryStore::put_scoresheet(const Scoresheet& s) {
  require_transaction("put_scoresheet");
  data_.scoresheets[{s.dossier, s.level, s.member}] = s;
}

std::vector<std::string> MemoryStore::document_kinds(const std::string& dossier) {
  std::set<std::string> kinds;
  for (const auto& d : data_.documents)
    if (d.dossier == dossier) kinds.insert(d.kind);
  return {kinds.begin(), kinds.end()};
}

void MemoryStore::add_document(const Document& d) {
  require_transaction("add_document");
  data_.documents.push_back(d);
}

std::vector<Document> MemoryStore::documents(const std::string& dossier) {
  std::vector<Document> out;
  for (const auto& d : data_.documents)
    if (d.dossier == dossier) out.push_back(d);
  std::stable_sort(out.begin(), out.end(), [](const Document& a, const Document& b) {
    return std::tie(a.at.seconds, a.kind, a.name) < std::tie(b.at.seconds, b.kind, b.name);
  });
  return out;
}

std::optional<Document> MemoryStore::find_document(const std::string& sha256,
                                                   const std::vector<std::string>& units) {
  const Document* best = nullptr;
  for (const auto& d : data_.documents) {
    if (d.sha256 != sha256) continue;
    if (!units.empty()) {  // JOIN dossiers: a document of a missing dossier is left out
      auto holder = data_.dossiers.find(d.dossier);
      if (holder == data_.dossiers.end() || !contains(units, holder->second.unit)) continue;
    }
    if (!best || std::tie(d.at.seconds, d.dossier) < std::tie(best->at.seconds, best->dossier)) best = &d;
  }
  if (!best) return std::nullopt;
  return *best;
}

// --- certificates ----------------------------------------------------------------------------

std::optional<Certificate> MemoryStore::load_certificate(const std::string& id) {
  auto it = data_.certificates.find(id);
  if (it == data_.certificates.end()) return std::nullopt;
  return it->second;
}

void MemoryStore::insert_certificate(const Certificate& c) {
  require_transaction("insert_certificate");
  if (data_.certificates.count(c.id))
    throw StoreError("writing a certificate: UNIQUE constraint failed: certificates.id", false);
  data_.certificates.emplace(c.id, c);
}

void MemoryStore::update_certificate(const Certificate& c) {
  require_transaction("update_certificate");
  auto it = data_.certificates.find(c.id);
  if (it == data_.certificates.end()) return;  // UPDATE ... WHERE id: no row, nothing written
  Certificate& row = it->second;
  row.state = c.state;
  row.superseded_by = c.superseded_by;
  row.revocation_ground = c.revocation_ground;
  row.revocation_decision_no = c.revocation_decision_no;
  row.revoked_on = c.revoked_on;
}

// The in-memory database's verification secret: fixed (tests compare codes across runs).
static const char* const kMemoryVerificationSecret = "memory-store-verification-secret";

std::optional<Certificate> MemoryStore::certificate_by_code(const std::string& code) {
  for (const auto& [id, c] : data_.certificates)
    if (verification_code(kMemoryVerificationSecret, id) == code) return c;
  return std::nullopt;
}

std::string MemoryStore::verification_code_of(const std::string& certificate_id) {
  if (!data_.certificates.count(certificate_id)) return {};
  return verification_code(kMemoryVerificationSecret, certificate_id);
}

std::vector<Certificate> MemoryStore::certificates(const CertificateFilter& f) {
  std::vector<Certificate> out;
  for (const auto& [id, c] : data_.certificates) {
    if (!f.state.empty() && c.state != f.state) continue;
    if (!f.states.empty() && !contains(f.states, c.state)) continue;
    if (!f.units.empty() && !contains(f.units, c.unit)) continue;
    if (f.stars && c.stars != f.stars) continue;
    if (c.stars < f.min_stars) continue;
    if (!f.dossier.empty() && c.dossier != f.dossier) continue;
    if (f.valid_until_on_or_before && !(c.valid_until <= *f.valid_until_on_or_before)) continue;
    if (f.valid_until_after && !(c.valid_until > *f.valid_until_after)) continue;
    out.push_back(c);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Certificate& a, const Certificate& b) { return a.valid_until < b.valid_until; });
  return out;  // by valid_until, then id (the map's order); brief reads may have any order
}

// --- idempotency -----------------------------------------------------------------------------

std::optional<std::string> MemoryStore::find_key(const std::string& key) {
  auto it = data_.keys.find(key);
  if (it == data_.keys.end()) return std::nullopt;
  return it->second.second;
}

void MemoryStore::put_key(const std::string& key, const std::string& dossier, const std::string& result) {
  require_transaction("put_key");
  if (data_.keys.count(key))
    throw StoreError("writing an idempotency key: UNIQUE constraint failed: idempotency.key", false);
  data_.keys.emplace(key, std::make_pair(dossier, result));
}

// --- audit -----------------------------------------------------------------------------------

AuditHead MemoryStore::audit_head() {
  if (data_.audit.empty()) return AuditHead{0, kGenesisHash};
  const auto& last = data_.audit.rbegin()->second;
  return AuditHead{last.seq, last.hash};
}

void MemoryStore::append_audit(const AuditRecord& r) {
  require_transaction("append_audit");
  if (data_.audit.count(r.seq))
    throw StoreError("appending to the audit trail: UNIQUE constraint failed: audit.seq", false);
  AuditRecord stored = r;
  stored.at_text.clear();
  data_.audit.emplace(r.seq, std::move(stored));
}

std::vector<AuditRecord> MemoryStore::history(const std::string& dossier) {
  std::vector<AuditRecord> out;
  for (const auto& [seq, r] : data_.audit)
    if (r.dossier == dossier) out.push_back(as_read(r));
  return out;
}

std::string MemoryStore::dossier_creator(const std::string& dossier) {
  for (const auto& [seq, r] : data_.audit)
    if (r.dossier == dossier) return r.actor;
  return {};
}

void MemoryStore::scan_audit(const std::function<bool(const AuditRecord&)>& fn) {
  for (const auto& [seq, r] : data_.audit)
    if (!fn(as_read(r))) return;
}

void MemoryStore::scan_audit_of(const AuditFilter& f, const std::function<bool(const AuditRecord&)>& fn) {
  // An object filed under one of `units` (or organised by one of `activity_units`).
  auto filed = [&](const auto& table, const std::string& id, const std::vector<std::string>& units) {
    auto it = table.find(id);
    return it != table.end() && contains(units, it->second.unit);
  };
  for (const auto& [seq, r] : data_.audit) {
    const bool in =
        (!f.account.empty() && r.dossier == f.account) || filed(data_.dossiers, r.dossier, f.units) ||
        filed(data_.participations, r.dossier, f.units) || filed(data_.inspections, r.dossier, f.units) ||
        filed(data_.activities, r.dossier, f.activity_units);
    if (in && !fn(as_read(r))) return;
  }
}

std::vector<AuditRecord> MemoryStore::certificate_events(std::int64_t before_seq, int limit) {
  std::vector<AuditRecord> out;
  for (auto it = data_.audit.rbegin(); it != data_.audit.rend() && static_cast<int>(out.size()) < limit; ++it) {
    const AuditRecord& r = it->second;
    if (before_seq > 0 && it->first >= before_seq) continue;
    if (r.event == "recognize" || r.event == "revoke" || r.event == "expire") out.push_back(as_read(r));
  }
  return out;
}

std::vector<std::string> MemoryStore::version_mismatches(int limit) {
  std::map<std::string, std::int64_t> records;
  for (const auto& [seq, r] : data_.audit) ++records[r.dossier];
  std::vector<std::string> out;
  auto compare = [&](const char* kind, const std::string& id, std::int64_t version) {
    if (static_cast<int>(out.size()) >= limit) return;
    const std::int64_t have = records.count(id) ? records[id] : 0;
    if (version == have) return;
    out.push_back(std::string(kind) + " " + id + " is at version " + std::to_string(version) +
                  " but the trail holds " + std::to_string(have) + " record(s) of it");
  };
  // Dossiers, then activities, participations, inspections (each by id), at most `limit` in all.
  for (const auto& [id, d] : data_.dossiers) compare("dossier", id, d.version);
  for (const auto& [id, a] : data_.activities) compare("activity", id, a.version);
  for (const auto& [id, p] : data_.participations) compare("participation", id, p.version);
  for (const auto& [id, i] : data_.inspections) compare("inspection", id, i.version);
  for (const auto& [id, a] : data_.accounts) compare("account", "user:" + id, a.version);
  int n = 0;
  for (const auto& [id, count] : records) {
    if (n >= limit) break;
    if (data_.dossiers.count(id) || data_.activities.count(id) || data_.participations.count(id) ||
        data_.inspections.count(id) || (id.rfind("user:", 0) == 0 && data_.accounts.count(id.substr(5))))
      continue;
    out.push_back("the trail has records of " + id + ", which is not in the database");
    ++n;
  }
  return out;
}

// --- outbox ----------------------------------------------------------------------------------

bool MemoryStore::enqueue(OutboxMessage& m) {
  require_transaction("enqueue");
  for (const auto& [id, row] : data_.outbox)
    if (row.m.dedupe_key == m.dedupe_key) return false;
  OutboxRow row;
  row.m.id = ++data_.last_outbox_id;
  row.m.dedupe_key = m.dedupe_key;
  row.m.channel = m.channel;
  row.m.recipient = m.recipient;
  row.m.subject = m.subject;
  row.m.body = m.body;
  row.m.cause = m.cause;
  row.m.dossier = m.dossier;
  row.m.created_at = m.created_at;
  row.m.state = "pending";
  row.m.attempts = 0;
  row.m.next_attempt_at = m.next_attempt_at;
  data_.outbox.emplace(row.m.id, row);
  m.id = row.m.id;
  m.state = "pending";
  m.attempts = 0;
  return true;
}

std::vector<OutboxMessage> MemoryStore::outbox(const std::string& state, int limit) {
  std::vector<OutboxMessage> out;
  for (const auto& [id, row] : data_.outbox) {
    if (limit > 0 && static_cast<int>(out.size()) >= limit) break;
    if (state.empty() || row.m.state == state) out.push_back(row.m);
  }
  return out;
}

std::vector<CountRow> MemoryStore::count_outbox() {
  std::map<std::pair<std::string, std::string>, std::int64_t> n;
  for (const auto& [id, row] : data_.outbox)
    ++n[{row.m.state, row.m.cause.rfind("reminder ", 0) == 0 ? "reminder" : "other"}];
  std::vector<CountRow> out;
  for (const auto& [k, v] : n) out.push_back(CountRow{k.first, k.second, v});
  return out;
}

std::optional<OutboxMessage> MemoryStore::outbox_message(std::int64_t id) {
  auto it = data_.outbox.find(id);
  if (it == data_.outbox.end()) return std::nullopt;
  return it->second.m;
}

std::vector<OutboxMessage> MemoryStore::claim_outbox(const std::vector<std::string>& channels, Instant now,
                                                     Instant lease_until, const std::string& worker,
                                                     int limit, int max_attempts) {
  require_transaction("claim_outbox");
  std::vector<OutboxMessage> out;
  if (channels.empty() || limit <= 0) return out;
  check_channels(channels);
  // A claim whose deliverer died on the message's last attempt: dead.
  for (auto& [id, row] : data_.outbox) {
    if (row.m.state == "sending" && row.lease_until && *row.lease_until < now &&
        row.m.attempts >= max_attempts && contains(channels, row.m.channel)) {
      row.m.state = "dead";
      row.m.last_error =
          "the deliverer stopped during the last attempt (its claim ran out); the message may or may "
          "not have arrived";
      row.m.claimed_by.clear();
      row.m.lease_until = Instant{};
      row.lease_until.reset();
    }
  }
  std::vector<OutboxRow*> due;
  for (auto& [id, row] : data_.outbox) {
    if (!contains(channels, row.m.channel)) continue;
    const bool pending = row.m.state == "pending" && !(now < row.m.next_attempt_at);
    const bool expired = row.m.state == "sending" && row.lease_until && *row.lease_until < now &&
                         row.m.attempts < max_attempts;
    if (pending || expired) due.push_back(&row);
  }
  std::stable_sort(due.begin(), due.end(), [](const OutboxRow* a, const OutboxRow* b) {
    return a->m.next_attempt_at < b->m.next_attempt_at;  // then id: the map's order
  });
  if (static_cast<int>(due.size()) > limit) due.resize(static_cast<size_t>(limit));
  for (OutboxRow* row : due) {
    row->m.state = "sending";
    row->m.claimed_by = worker;
    row->m.lease_until = lease_until;
    row->lease_until = lease_until;
    row->m.attempts += 1;
    out.push_back(row->m);
  }
  return out;
}

bool MemoryStore::settle_outbox(const OutboxMessage& m, const std::string& worker) {
  require_transaction("settle_outbox");
  auto it = data_.outbox.find(m.id);
  if (it == data_.outbox.end()) return false;
  OutboxRow& row = it->second;
  if (row.m.state != "sending" || row.m.claimed_by != worker) return false;
  row.m.state = m.state;
  row.m.attempts = m.attempts;
  row.m.next_attempt_at = m.next_attempt_at;
  row.m.last_error = m.last_error;
  row.m.sent_at = m.state == "sent" ? m.sent_at : Instant{};
  row.m.claimed_by.clear();
  row.m.lease_until = Instant{};
  row.lease_until.reset();
  return true;
}

int MemoryStore::hold_outbox(const std::string& channel, Instant now, const std::string& error) {
  require_transaction("hold_outbox");
  int n = 0;
  for (auto& [id, row] : data_.outbox) {
    if (row.m.state != "pending" || row.m.channel != channel || now < row.m.next_attempt_at) continue;
    row.m.last_error = error;
    ++n;
  }
  return n;
}

bool MemoryStore::retry_outbox(std::int64_t id, Instant now) {
  require_transaction("retry_outbox");
  auto it = data_.outbox.find(id);
  if (it == data_.outbox.end()) return false;
  OutboxRow& row = it->second;
  if (row.m.state != "pending" && row.m.state != "dead") return false;
  row.m.state = "pending";
  row.m.attempts = 0;
  row.m.next_attempt_at = now;
  row.m.claimed_by.clear();
  row.m.lease_until = Instant{};
  row.lease_until.reset();
  return true;
}

// --- the scheduler ---------------------------------------------------------------------------

std::vector<Dossier> MemoryStore::dossiers_waiting(const std::vector<State>& states,
                                                   std::optional<Instant> entered_before) {
  std::vector<Dossier> out;
  for (const auto& [id, d] : data_.dossiers) {
    if (std::find(states.begin(), states.end(), d.state) == states.end()) continue;
    if (entered_before && !(d.state_since < *entered_before)) continue;
    out.push_back(d);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Dossier& a, const Dossier& b) { return a.state_since < b.state_since; });
  return out;  // by state_since, then id (the map's order)
}

std::optional<std::string> MemoryStore::cycle_state(int year) {
  auto it = data_.cycles.find(year);
  if (it == data_.cycles.end()) return std::nullopt;
  return it->second.state;
}

bool MemoryStore::put_cycle_state(int year, const std::string& from, const std::string& to, Instant at) {
  require_transaction("put_cycle_state");
  auto it = data_.cycles.find(year);
  if (it == data_.cycles.end()) {  // INSERT: an absent row is written whatever `from` says
    CycleRow row;
    row.state = to;
    if (to == "open") row.opened_at = at;
    if (to == "closed") row.closed_at = at;
    data_.cycles.emplace(year, row);
    return true;
  }
  CycleRow& row = it->second;  // ON CONFLICT DO UPDATE ... WHERE state = from
  if (row.state != from) return false;
  row.state = to;
  if (!row.opened_at && to == "open") row.opened_at = at;
  if (!row.closed_at && to == "closed") row.closed_at = at;
  return true;
}

std::optional<Date> MemoryStore::last_tick() {
  if (data_.ticks.empty()) return std::nullopt;
  return Date{data_.ticks.rbegin()->first};
}

void MemoryStore::record_tick(Date day, Instant at, const std::string& summary) {
  require_transaction("record_tick");
  data_.ticks[day.days] = {at, summary};
}

std::optional<std::pair<Instant, std::string>> MemoryStore::tick(Date day) const {
  auto it = data_.ticks.find(day.days);
  if (it == data_.ticks.end()) return std::nullopt;
  return it->second;
}

std::vector<CountRow> MemoryStore::count_year_by_state_and_unit(int year) {
  std::map<std::pair<std::string, std::string>, std::int64_t> n;
  for (const auto& [id, d] : data_.dossiers)
    if (d.year == year) ++n[{std::string(to_string(d.state)), d.unit}];
  std::vector<CountRow> out;
  for (const auto& [k, v] : n) out.push_back(CountRow{k.first, k.second, v});
  return out;
}

// --- reads for people ------------------------------------------------------------------------

std::vector<Dossier> MemoryStore::list_dossiers(const DossierFilter& f) {
  std::vector<Dossier> out;
  for (const auto& [id, d] : data_.dossiers) {
    if (f.limit > 0 && static_cast<int>(out.size()) >= f.limit) break;
    if (!f.state.empty() && to_string(d.state) != f.state) continue;
    if (!f.units.empty() && !contains(f.units, d.unit)) continue;
    if (!f.level.empty() && d.level != f.level) continue;
    if (!f.product_set.empty() && d.product_set != f.product_set) continue;
    if (!f.rule_set.empty() && d.rule_set != f.rule_set) continue;
    if (f.year && d.year != f.year) continue;
    if (!f.product.empty() && d.product != f.product) continue;
    if (!f.producer.empty() && d.producer != f.producer) continue;
    if (!f.base_certificate.empty() && d.base_certificate != f.base_certificate) continue;
    if (!f.round.empty() && d.round != f.round) continue;
    if (!f.words.empty()) {
      const std::string hay = fold_text(d.product + " " + d.producer);
      bool all = true;
      for (const auto& w : f.words) all = all && hay.find(w) != std::string::npos;
      if (!all) continue;
    }
    if (!f.after.empty() && !(id > f.after)) continue;
    out.push_back(d);
  }
  return out;
}

std::vector<CountRow> MemoryStore::count_by_state_and_unit() {
  std::map<std::pair<std::string, std::string>, std::int64_t> n;
  for (const auto& [id, d] : data_.dossiers) ++n[{std::string(to_string(d.state)), d.unit}];
  std::vector<CountRow> out;
  for (const auto& [k, v] : n) out.push_back(CountRow{k.first, k.second, v});
  return out;
}

std::vector<CountRow> MemoryStore::count_certificates_by_stars_and_unit() {
  std::map<std::pair<int, std::string>, std::int64_t> n;
  for (const auto& [id, c] : data_.certificates)
    if (c.state == "active" || c.state == "expiring") ++n[{c.stars, c.unit}];
  std::vector<CountRow> out;
  for (const auto& [k, v] : n) out.push_back(CountRow{std::to_string(k.first), k.second, v});
  return out;
}

// --- after recognition (spec §10) -----------------------------------------------------------

namespace {

bool in_range(Date d, const std::optional<Date>& from, const std::optional<Date>& to) {
  return (!from || !(d < *from)) && (!to || !(*to < d));
}

template <class T>
void keep_first(std::vector<T>& v, int limit) {
  if (limit > 0 && static_cast<int>(v.size()) > limit) v.resize(static_cast<size_t>(limit));
}

}  // namespace

bool MemoryStore::object_id_taken(const std::string& id) {
  return data_.dossiers.count(id) || data_.activities.count(id) || data_.participations.count(id) ||
         data_.inspections.count(id);
}

std::optional<Activity> MemoryStore::load_activity(const std::string& id) {
  auto it = data_.activities.find(id);
  if (it == data_.activities.end()) return std::nullopt;
  return it->second;
}

void MemoryStore::insert_activity(const Activity& a) {
  require_transaction("insert_activity");
  if (data_.activities.count(a.id))
    throw StoreError("inserting an activity: UNIQUE constraint failed: activities.id", false);
  data_.activities.emplace(a.id, a);
}

bool MemoryStore::update_activity(const Activity& a, std::int64_t expected_version) {
  require_transaction("update_activity");
  auto it = data_.activities.find(a.id);
  if (it == data_.activities.end() || it->second.version != expected_version) return false;
  Activity& row = it->second;
  const std::string unit = row.unit;  // never written by an update, nor are id and created_at
  const Instant created_at = row.created_at;
  row = a;
  row.unit = unit;
  row.created_at = created_at;
  return true;
}

std::int64_t MemoryStore::count_ids_with_prefix(const std::string& prefix) {
  // Byte by byte, as the SOCI store's range [PREFIX-, PREFIX.) of each primary key.
  const std::string lo = prefix + "-", hi = prefix + ".";
  std::int64_t n = 0;
  for (auto it = data_.activities.lower_bound(lo); it != data_.activities.end() && it->first < hi; ++it) ++n;
  for (auto it = data_.inspections.lower_bound(lo); it != data_.inspections.end() && it->first < hi; ++it)
    ++n;
  return n;
}

std::vector<Activity> MemoryStore::activities(const ActivityFilter& f) {
  std::vector<Activity> out;
  for (const auto& [id, a] : data_.activities) {
    if (!f.state.empty() && a.state != f.state) continue;
    if (!f.states.empty() && !contains(f.states, a.state)) continue;
    if (!f.units.empty() && !contains(f.units, a.unit)) continue;
    if (f.year && year_of(a.starts) != f.year) continue;
    if ((f.day_from || f.day_to) && !in_range(a.registration_opens, f.day_from, f.day_to) &&
        !in_range(a.registration_closes, f.day_from, f.day_to) && !in_range(a.starts, f.day_from, f.day_to) &&
        !in_range(a.ends, f.day_from, f.day_to))
      continue;
    out.push_back(a);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Activity& a, const Activity& b) { return a.starts < b.starts; });
  keep_first(out, f.limit);
  return out;  // by starts, then id (the map's order)
}

std::vector<Activity> MemoryStore::activities_due(const std::vector<std::string>& states,
                                                  const std::string& column, Date day) {
  Date Activity::*date = nullptr;
  if (column == "registration_opens") date = &Activity::registration_opens;
  if (column == "registration_closes") date = &Activity::registration_closes;
  if (column == "starts") date = &Activity::starts;
  if (column == "ends") date = &Activity::ends;
  if (!date) throw StoreError("activities_due: \"" + column + "\" is not one of an activity's dates", false);
  std::vector<Activity> out;
  for (const auto& [id, a] : data_.activities)
    if (contains(states, a.state) && a.*date <= day) out.push_back(a);
  std::stable_sort(out.begin(), out.end(),
                   [&](const Activity& a, const Activity& b) { return a.*date < b.*date; });
  return out;  // by the column, then id
}

std::optional<Participation> MemoryStore::load_participation(const std::string& id) {
  auto it = data_.participations.find(id);
  if (it == data_.participations.end()) return std::nullopt;
  return it->second;
}

void MemoryStore::insert_participation(const Participation& p) {
  require_transaction("insert_participation");
  if (data_.participations.count(p.id))
    throw StoreError("inserting a participation: UNIQUE constraint failed: participations.id", false);
  for (const auto& [id, other] : data_.participations)
    if (other.activity == p.activity && other.dossier == p.dossier)
      throw StoreError(
          "inserting a participation: UNIQUE constraint failed: participations.activity, "
          "participations.dossier",
          false);
  data_.participations.emplace(p.id, p);
}

bool MemoryStore::update_participation(const Participation& p, std::int64_t expected_version) {
  require_transaction("update_participation");
  auto it = data_.participations.find(p.id);
  if (it == data_.participations.end() || it->second.version != expected_version) return false;
  Participation& row = it->second;
  // The columns the SOCI store's UPDATE names (never id, activity, dossier, certificate,
  // product, producer, unit, created_at).
  row.state = p.state;
  row.version = p.version;
  row.booths = p.booths;
  row.support_vnd = p.support_vnd;
  row.revenue_vnd = p.revenue_vnd;
  row.contracts = p.contracts;
  row.buyers = p.buyers;
  row.note = p.note;
  row.reason = p.reason;
  row.updated_at = p.updated_at;
  row.state_since = p.state_since;
  return true;
}

std::vector<Participation> MemoryStore::participations(const ParticipationFilter& f) {
  std::vector<Participation> out;
  const bool join = !f.activity_states.empty() || f.ends_on_or_before.has_value();
  for (const auto& [id, p] : data_.participations) {
    if (!f.activity.empty() && p.activity != f.activity) continue;
    if (!f.certificate.empty() && p.certificate != f.certificate) continue;
    if (!f.dossier.empty() && p.dossier != f.dossier) continue;
    if (!f.producer.empty() && p.producer != f.producer) continue;
    if (!f.states.empty() && !contains(f.states, p.state)) continue;
    if (!f.units.empty() && !contains(f.units, p.unit)) continue;
    if (join) {  // JOIN activities: a participation whose activity is missing is left out
      auto a = data_.activities.find(p.activity);
      if (a == data_.activities.end()) continue;
      if (!f.activity_states.empty() && !contains(f.activity_states, a->second.state)) continue;
      if (f.ends_on_or_before && *f.ends_on_or_before < a->second.ends) continue;
    }
    out.push_back(p);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Participation& a, const Participation& b) { return a.activity < b.activity; });
  keep_first(out, f.limit);
  return out;  // by activity, then id (the map's order)
}

std::optional<Inspection> MemoryStore::load_inspection(const std::string& id) {
  auto it = data_.inspections.find(id);
  if (it == data_.inspections.end()) return std::nullopt;
  return it->second;
}

void MemoryStore::insert_inspection(const Inspection& i) {
  require_transaction("insert_inspection");
  if (data_.inspections.count(i.id))
    throw StoreError("inserting an inspection: UNIQUE constraint failed: inspections.id", false);
  data_.inspections.emplace(i.id, i);
}

bool MemoryStore::update_inspection(const Inspection& i, std::int64_t expected_version) {
  require_transaction("update_inspection");
  auto it = data_.inspections.find(i.id);
  if (it == data_.inspections.end() || it->second.version != expected_version) return false;
  Inspection& row = it->second;
  // Everything but id, certificate, dossier, product, unit, level and created_at.
  row.state = i.state;
  row.version = i.version;
  row.due = i.due;
  row.remedy_due = i.remedy_due;
  row.recorded_on = i.recorded_on;
  row.result = i.result;
  row.criteria = i.criteria;
  row.findings = i.findings;
  row.team = i.team;
  row.ground = i.ground;
  row.note = i.note;
  row.reason = i.reason;
  row.updated_at = i.updated_at;
  row.state_since = i.state_since;
  return true;
}

std::vector<Inspection> MemoryStore::inspections(const InspectionFilter& f) {
  std::vector<Inspection> out;
  for (const auto& [id, i] : data_.inspections) {
    if (!f.state.empty() && i.state != f.state) continue;
    if (!f.states.empty() && !contains(f.states, i.state)) continue;
    if (!f.units.empty() && !contains(f.units, i.unit)) continue;
    if (!f.certificate.empty() && i.certificate != f.certificate) continue;
    if (f.year && year_of(i.due) != f.year) continue;
    if (!in_range(i.due, f.due_from, f.due_to)) continue;
    if (f.remedy_due_from || f.remedy_due_to) {  // NULL compares false
      if (!i.remedy_due || !in_range(*i.remedy_due, f.remedy_due_from, f.remedy_due_to)) continue;
    }
    out.push_back(i);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Inspection& a, const Inspection& b) { return a.due < b.due; });
  keep_first(out, f.limit);
  return out;  // by due, then id (the map's order)
}

// --- accounts (the SOCI store's migration 8) --------------------------------------------------

void MemoryStore::create_account(const std::string& user, Instant now) {
  require_transaction("create_account");
  if (data_.accounts.count(user)) return;
  Account a;
  a.user = user;
  a.created_at = a.updated_at = now;
  data_.accounts.emplace(user, a);
}

std::optional<Account> MemoryStore::load_account(const std::string& user) {
  auto it = data_.accounts.find(user);
  if (it == data_.accounts.end()) return std::nullopt;
  return it->second;
}

void MemoryStore::update_account(const Account& a) {
  require_transaction("update_account");
  auto it = data_.accounts.find(a.user);
  if (it == data_.accounts.end()) return;  // an UPDATE of no row
  const Instant created = it->second.created_at;
  it->second = a;
  it->second.created_at = created;
}

std::optional<StoredSession> MemoryStore::load_session(const std::string& id_hash) {
  auto it = data_.sessions.find(id_hash);
  if (it == data_.sessions.end()) return std::nullopt;
  return it->second;
}

void MemoryStore::insert_session(const StoredSession& s) {
  require_transaction("insert_session");
  if (!data_.sessions.emplace(s.id_hash, s).second) throw StoreError("insert_session: duplicate id", false);
}

void MemoryStore::touch_session(const std::string& id_hash, Instant last_seen) {
  require_transaction("touch_session");
  auto it = data_.sessions.find(id_hash);
  if (it != data_.sessions.end() && it->second.last_seen < last_seen) it->second.last_seen = last_seen;
}

int MemoryStore::delete_session(const std::string& id_hash) {
  require_transaction("delete_session");
  return static_cast<int>(data_.sessions.erase(id_hash));
}

int MemoryStore::delete_sessions_of(const std::string& user) {
  require_transaction("delete_sessions_of");
  int n = 0;
  for (auto it = data_.sessions.begin(); it != data_.sessions.end();)
    if (it->second.user == user) {
      it = data_.sessions.erase(it);
      ++n;
    } else {
      ++it;
    }
  return n;
}

int MemoryStore::delete_sessions_expired(Instant now, Instant idle_before) {
  require_transaction("delete_sessions_expired");
  int n = 0;
  for (auto it = data_.sessions.begin(); it != data_.sessions.end();)
    if (!(now < it->second.expires_at) || !(idle_before < it->second.last_seen)) {
      it = data_.sessions.erase(it);
      ++n;
    } else {
      ++it;
    }
  return n;
}

std::optional<ApiToken> MemoryStore::load_token(const std::string& id) {
  auto it = data_.tokens.find(id);
  if (it == data_.tokens.end()) return std::nullopt;
  return it->second;
}

std::optional<ApiToken> MemoryStore::load_token_by_hash(const std::string& hash) {
  for (const auto& [id, t] : data_.tokens)
    if (t.hash == hash) return t;
  return std::nullopt;
}

void MemoryStore::insert_token(const ApiToken& t) {
  require_transaction("insert_token");
  if (load_token_by_hash(t.hash) || !data_.tokens.emplace(t.id, t).second)
    throw StoreError("insert_token: duplicate id or hash", false);
}

bool MemoryStore::revoke_token(const std::string& id, Instant at) {
  require_transaction("revoke_token");
  auto it = data_.tokens.find(id);
  if (it == data_.tokens.end() || it->second.revoked_at) return false;
  it->second.revoked_at = at;
  return true;
}

std::vector<ApiToken> MemoryStore::tokens_of(const std::string& user) {
  std::vector<ApiToken> out;
  for (const auto& [id, t] : data_.tokens)
    if (user.empty() || t.user == user) out.push_back(t);
  std::stable_sort(out.begin(), out.end(), [](const ApiToken& a, const ApiToken& b) {
    return a.created_at.seconds != b.created_at.seconds ? a.created_at < b.created_at : a.id < b.id;
  });
  return out;
}

std::vector<StoredSession> MemoryStore::sessions_of(const std::string& user) {
  std::vector<StoredSession> out;
  for (const auto& [h, sess] : data_.sessions)
    if (sess.user == user) out.push_back(sess);
  std::stable_sort(out.begin(), out.end(), [](const StoredSession& a, const StoredSession& b) {
    return a.created_at.seconds != b.created_at.seconds ? a.created_at < b.created_at : a.id_hash < b.id_hash;
  });
  return out;
}

std::optional<Invitation> MemoryStore::load_invitation(const std::string& hash) {
  auto it = data_.invitations.find(hash);
  if (it == data_.invitations.end()) return std::nullopt;
  return it->second;
}

void MemoryStore::insert_invitation(const Invitation& i) {
  require_transaction("insert_invitation");
  if (!data_.invitations.emplace(i.hash, i).second) throw StoreError("insert_invitation: duplicate", false);
}

bool MemoryStore::use_invitation(const std::string& hash, Instant at) {
  require_transaction("use_invitation");
  auto it = data_.invitations.find(hash);
  if (it == data_.invitations.end() || it->second.used_at) return false;
  it->second.used_at = at;
  return true;
}

int MemoryStore::delete_unused_invitations(const std::string& user) {
  require_transaction("delete_unused_invitations");
  int n = 0;
  for (auto it = data_.invitations.begin(); it != data_.invitations.end();)
    if (it->second.user == user && !it->second.used_at) {
      it = data_.invitations.erase(it);
      ++n;
    } else {
      ++it;
    }
  return n;
}

void MemoryStore::record_login_failure(const std::string& address, const std::string& user, Instant at) {
  require_transaction("record_login_failure");
  data_.login_failures.emplace_back(address, user, at);
}

std::int64_t MemoryStore::count_login_failures(const std::string& address, Instant since) {
  std::int64_t n = 0;
  for (const auto& [a, u, at] : data_.login_failures)
    if (a == address && !(at < since)) ++n;
  return n;
}

int MemoryStore::purge_login_failures(Instant before) {
  require_transaction("purge_login_failures");
  const auto n = data_.login_failures.size();
  data_.login_failures.erase(std::remove_if(data_.login_failures.begin(), data_.login_failures.end(),
                                            [&](const auto& f) { return std::get<2>(f) < before; }),
                             data_.login_failures.end());
  return static_cast<int>(n - data_.login_failures.size());
}

}  // namespace ocop::testing
