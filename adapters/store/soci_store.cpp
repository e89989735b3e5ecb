#include "store/soci_store.hpp"
#include "store/sqlite_handle.hpp"
#include "store/sqlite_wal_vfs.hpp"

#include <dlfcn.h>
#include <sqlite3.h>

#include <soci/soci.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <set>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "ocop/audit.hpp"
#include "ocop/executor.hpp"
#include "ocop/limits.hpp"
#include "ocop/verification.hpp"
#include "ocop/search.hpp"
#include "store/migrations.hpp"
#include "store/modules.hpp"
#include "store/pg_plugin.hpp"

namespace ocop::store {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// SQLite: busy or locked (another connection holds the write lock past busy_timeout).
bool retryable_message(const std::string& m) {
  const std::string s = lower(m);
  return s.find("database is locked") != std::string::npos ||
         s.find("database is busy") != std::string::npos ||
         s.find("database table is locked") != std::string::npos;
}

// The PostgreSQL module's reader of SQLSTATEs (pg_plugin.hpp); set once, by the first
// PostgreSQL database opened, before any of its errors can be raised.
std::atomic<PgSqlstateFn> g_pg_sqlstate{nullptr};

// PostgreSQL's SQLSTATE, when the error is the server's (empty otherwise).
std::string sqlstate(const std::exception& e) {
  char out[kSqlstateSize];
  PgSqlstateFn fn = g_pg_sqlstate.load(std::memory_order_acquire);
  if (fn && fn(&e, out)) return out;
  return "";
}

// The directory of the running executable ("" when /proc is not there).
// Loads libocop_pgsql.so once per process (pg_plugin.hpp says where it is looked for); the
// reason, naming every place tried, when it is not found.
std::string load_pg_plugin() {
  static const std::string error = [] {
    std::string tried;
    if (void* lib = open_module(kPgPluginFile, tried)) {
      if (auto fn = reinterpret_cast<PgSqlstateFn>(dlsym(lib, kPgSqlstateSymbol))) {
        g_pg_sqlstate.store(fn, std::memory_order_release);
        return std::string();
      }
      tried += std::string("; ") + kPgPluginFile + ": no " + kPgSqlstateSymbol;
    }
    return "PostgreSQL support (" + std::string(kPgPluginFile) + ") could not be loaded" + tried +
           " (set OCOP_PLUGIN_DIR to the directory that holds it)";
  }();
  return error;
}

// Which failures a caller may retry as a whole transaction (store.hpp): serialization
// failure, deadlock, lock not available, and a unique violation (a key that a concurrent
// transaction committed between our look-up and our insert) on PostgreSQL; busy or locked
// on SQLite.
bool retryable(const std::exception& e) {
  const std::string state = sqlstate(e);
  if (!state.empty()) return state == "40001" || state == "40P01" || state == "55P03" || state == "23505";
  return retryable_message(e.what());
}

// The connection to the server is gone (the server stopped, the network failed): class 08,
// or libpq's own report of a closed connection.
bool connection_lost(const std::exception& e) {
  const std::string state = sqlstate(e);
  if (state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03") return true;
  const std::string m = lower(e.what());
  return m.find("server closed the connection") != std::string::npos ||
         m.find("no connection to the server") != std::string::npos ||
         m.find("connection failed") != std::string::npos;
}

// Set when a statement failed; the next rollback then drops the prepared statements. SOCI
// 4.0's PostgreSQL backend allocates a bound text parameter's buffer before executing and frees
// it only when the execution completes: a statement that failed and is executed again leaks the
// previous buffer (LeakSanitizer found it under lock timeouts). A fresh statement does not.
thread_local bool t_statement_failed = false;

[[noreturn]] void rethrow(const std::exception& e, const char* what) {
  t_statement_failed = true;
  if (connection_lost(e))
    throw StoreError(
        std::string(what) + ": the connection to the database server was lost (is it running?): " + e.what(),
        false);
  throw StoreError(std::string(what) + ": " + e.what(), retryable(e));
}

// A single-row query is stepped to its end, so that SQLite ends the statement's implicit read
// transaction instead of holding an old snapshot until the statement is next executed (which
// would make this connection's next BEGIN IMMEDIATE fail with "database is locked").
void finish(soci::statement& st) {
  while (st.fetch()) {
  }
}

std::string ts(Instant t) { return format_instant(t, 0); }

// A cell of a dynamic row as text, whatever type the backend reports.
std::string cell(const soci::row& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) return "";
  switch (r.get_properties(i).get_data_type()) {
    case soci::dt_string:
      return r.get<std::string>(i);
    case soci::dt_integer:
      return std::to_string(r.get<int>(i));
    case soci::dt_long_long:
      return std::to_string(r.get<long long>(i));
    case soci::dt_unsigned_long_long:
      return std::to_string(r.get<unsigned long long>(i));
    case soci::dt_double:
      return std::to_string(r.get<double>(i));
    default:
      return "";
  }
}
Instant parse_ts(const std::string& s) { return parse_instant(s, 0).value_or(Instant{}); }

// Whether every text is one PostgreSQL accepts as a parameter (SQLite: always).
bool all_utf8(bool sqlite, std::initializer_list<const std::string*> texts,
              std::initializer_list<const std::vector<std::string>*> lists = {}) {
  if (sqlite) return true;
  for (const auto* t : texts)
    if (!valid_utf8(*t)) return false;
  for (const auto* l : lists)
    for (const auto& t : *l)
      if (!valid_utf8(t)) return false;
  return true;
}

// " AND p.state IN (:p_state0, :p_state1)", binding each of `values` (which must outlive the
// statement). The placeholders are named after the column: SQLite takes two of the same name for
// one parameter.
void in_list(std::string& q, soci::statement& st, const std::string& column,
             const std::vector<std::string>& values) {
  std::string name = column;
  std::replace(name.begin(), name.end(), '.', '_');
  q += " AND " + column + " IN (";
  for (size_t i = 0; i < values.size(); ++i) {
    q += (i ? ", :" : ":") + name + std::to_string(i);
    st.exchange(soci::use(values[i]));
  }
  q += ")";
}

}  // namespace

std::string redact_url(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto at = url.find('@', scheme + 3);
  auto colon = url.find(':', scheme + 3);
  if (at == std::string::npos || colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

DbUrl parse_url(const std::string& url, std::string& error) {
  DbUrl u;
  auto starts = [&](const char* p) { return url.rfind(p, 0) == 0; };
  if (starts("postgresql://") || starts("postgres://")) {
    // SOCI hands libpq a keyword string; translate user:password@host:port/dbname?k=v.
    u.backend = "postgresql";
    std::string rest = url.substr(url.find("://") + 3);
    std::string query;
    if (auto q = rest.find('?'); q != std::string::npos) {
      query = rest.substr(q + 1);
      rest.resize(q);
    }
    std::string auth, hostport = rest, db;
    if (auto at = rest.rfind('@'); at != std::string::npos) {
      auth = rest.substr(0, at);
      hostport = rest.substr(at + 1);
    }
    if (auto slash = hostport.find('/'); slash != std::string::npos) {
      db = hostport.substr(slash + 1);
      hostport.resize(slash);
    }
    auto decode = [](const std::string& v) {  // percent-encoding, as in libpq's URIs
      std::string out;
      for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '%' && i + 2 < v.size() && std::isxdigit(static_cast<unsigned char>(v[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(v[i + 2]))) {
          out += static_cast<char>(std::stoi(v.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          out += v[i];
        }
      }
      return out;
    };
    bool bad_key = false;
    auto kw = [&](const std::string& k, const std::string& raw) {
      if (raw.empty()) return;
      if (k.empty() || k.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos) {
        bad_key = true;
        return;
      }
      const std::string v = decode(raw);
      std::string esc;
      for (char ch : v) esc += (ch == '\\' || ch == '\'') ? std::string("\\") + ch : std::string(1, ch);
      u.connection += std::string(u.connection.empty() ? "" : " ") + k + "='" + esc + "'";
    };
    if (!hostport.empty() && hostport[0] == '[') {  // [IPv6]:port
      auto close = hostport.find(']');
      kw("host", hostport.substr(1, close == std::string::npos ? std::string::npos : close - 1));
      if (close != std::string::npos && close + 1 < hostport.size() && hostport[close + 1] == ':')
        kw("port", hostport.substr(close + 2));
    } else if (auto colon = hostport.rfind(':'); colon != std::string::npos) {
      kw("host", hostport.substr(0, colon));
      kw("port", hostport.substr(colon + 1));
    } else {
      kw("host", hostport);
    }
    if (auto colon = auth.find(':'); colon != std::string::npos) {
      kw("user", auth.substr(0, colon));
      kw("password", auth.substr(colon + 1));
    } else {
      kw("user", auth);
    }
    kw("dbname", db);
    for (size_t pos = 0; pos < query.size();) {
      size_t amp = query.find('&', pos);
      std::string pair = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
      if (auto eq = pair.find('='); eq != std::string::npos) kw(pair.substr(0, eq), pair.substr(eq + 1));
      if (amp == std::string::npos) break;
      pos = amp + 1;
    }
    if (bad_key) {
      error = "database URL has a parameter that is not a libpq keyword (letters and _ only)";
      return {};
    }
  } else if (starts("sqlite:") || url.find(':') == std::string::npos) {
    u.backend = "sqlite3";
    u.path = starts("sqlite:") ? url.substr(7) : url;
    if (u.path.rfind("//", 0) == 0) u.path = u.path.substr(2);
    if (u.path.empty()) {
      error = "database URL \"" + redact_url(url) + "\" names no file (use sqlite:PATH)";
      return {};
    }
    u.connection = "db=\"" + u.path + "\" timeout=30";
  } else {
    error = "database URL \"" + redact_url(url) + "\" is not understood: use sqlite:PATH or postgresql://...";
    return {};
  }
  return u;
}

// Row buffers bound by reference to the prepared statements.
struct DossierRow {
  std::string id, state, unit, product, product_set, producer, rule_set, level, registration_type,
      base_certificate, certificate, round, assessment, created_at, updated_at, state_since;
  long long version = 0, expected = 0;
  int year = 0, level_index = -1, stars = 0;
  double score = 0;
  soci::indicator i_rule_set = soci::i_null, i_level = soci::i_null, i_registration_type = soci::i_null,
                  i_base_certificate = soci::i_null, i_score = soci::i_null, i_stars = soci::i_null,
                  i_certificate = soci::i_null, i_round = soci::i_null, i_assessment = soci::i_null;
};

struct CertRow {
  std::string id, dossier, product, product_set, unit, level, decision_no, decision_date, issued_on,
      valid_until, state, superseded_by, revocation_ground, revocation_decision_no, revoked_on;
  int stars = 0;
  soci::indicator i_superseded_by = soci::i_null, i_revocation_ground = soci::i_null,
                  i_revocation_decision_no = soci::i_null, i_revoked_on = soci::i_null;
};

struct AuditRow {
  long long seq = 0;
  std::string at, actor, role, dossier, event, from_state, to_state, level, data, prev_hash, hash;
};

// After recognition (spec §10): one buffer per table, bound by reference to its statements.
// Empty optional texts are stored as NULL and read back empty, as on dossiers.
struct ActivityRow {
  std::string id, name, kind, unit, venue, state, registration_opens, registration_closes, starts, ends,
      open_to, reason, created_at, updated_at, state_since;
  long long version = 0, expected = 0, booth_fee_vnd = 0, support_cap_vnd = 0;
  int booths = 0, min_stars = 0, max_booths_per_producer = 0, support_percent = 0;
  soci::indicator i_reason = soci::i_null;
};

struct ParticipationRow {
  std::string id, activity, dossier, certificate, product, producer, unit, state, note, reason, created_at,
      updated_at, state_since;
  long long version = 0, expected = 0, support_vnd = 0, revenue_vnd = 0, contracts = 0, buyers = 0;
  int booths = 0;
  soci::indicator i_revenue_vnd = soci::i_null, i_contracts = soci::i_null, i_buyers = soci::i_null,
                  i_note = soci::i_null, i_reason = soci::i_null;
};

struct InspectionRow {
  std::string id, certificate, dossier, product, unit, level, state, due, remedy_due, recorded_on, result,
      criteria, findings, team, ground, note, reason, created_at, updated_at, state_since;
  long long version = 0, expected = 0;
  soci::indicator i_remedy_due = soci::i_null, i_recorded_on = soci::i_null, i_result = soci::i_null,
                  i_team = soci::i_null, i_ground = soci::i_null, i_note = soci::i_null,
                  i_reason = soci::i_null;
};

// Each table's columns in one list: f(name, buffer, indicator or nullptr, identity). Identity
// columns are never written by an update (store.hpp); `version` is, as the new version. The
// lists give the SELECT, INSERT and UPDATE texts and their bindings, always in this order.
template <class F>
void activity_columns(ActivityRow& r, F&& f) {
  f("id", r.id, nullptr, true);
  f("name", r.name, nullptr, false);
  f("kind", r.kind, nullptr, false);
  f("unit", r.unit, nullptr, true);
  f("venue", r.venue, nullptr, false);
  f("state", r.state, nullptr, false);
  f("version", r.version, nullptr, false);
  f("registration_opens", r.registration_opens, nullptr, false);
  f("registration_closes", r.registration_closes, nullptr, false);
  f("starts", r.starts, nullptr, false);
  f("ends", r.ends, nullptr, false);
  f("booths", r.booths, nullptr, false);
  f("open_to", r.open_to, nullptr, false);
  f("min_stars", r.min_stars, nullptr, false);
  f("max_booths_per_producer", r.max_booths_per_producer, nullptr, false);
  f("booth_fee_vnd", r.booth_fee_vnd, nullptr, false);
  f("support_percent", r.support_percent, nullptr, false);
  f("support_cap_vnd", r.support_cap_vnd, nullptr, false);
  f("reason", r.reason, &r.i_reason, false);
  f("created_at", r.created_at, nullptr, true);
  f("updated_at", r.updated_at, nullptr, false);
  f("state_since", r.state_since, nullptr, false);
}

template <class F>
void participation_columns(ParticipationRow& r, F&& f) {
  f("id", r.id, nullptr, true);
  f("activity", r.activity, nullptr, true);
  f("dossier", r.dossier, nullptr, true);
  f("certificate", r.certificate, nullptr, true);
  f("product", r.product, nullptr, true);
  f("producer", r.producer, nullptr, true);
  f("unit", r.unit, nullptr, true);
  f("state", r.state, nullptr, false);
  f("version", r.version, nullptr, false);
  f("booths", r.booths, nullptr, false);
  f("support_vnd", r.support_vnd, nullptr, false);
  f("revenue_vnd", r.revenue_vnd, &r.i_revenue_vnd, false);
  f("contracts", r.contracts, &r.i_contracts, false);
  f("buyers", r.buyers, &r.i_buyers, false);
  f("note", r.note, &r.i_note, false);
  f("reason", r.reason, &r.i_reason, false);
  f("created_at", r.created_at, nullptr, true);
  f("updated_at", r.updated_at, nullptr, false);
  f("state_since", r.state_since, nullptr, false);
}

template <class F>
void inspection_columns(InspectionRow& r, F&& f) {
  f("id", r.id, nullptr, true);
  f("certificate", r.certificate, nullptr, true);
  f("dossier", r.dossier, nullptr, true);
  f("product", r.product, nullptr, true);
  f("unit", r.unit, nullptr, true);
  f("level", r.level, nullptr, true);
  f("state", r.state, nullptr, false);
  f("version", r.version, nullptr, false);
  f("due", r.due, nullptr, false);
  f("remedy_due", r.remedy_due, &r.i_remedy_due, false);
  f("recorded_on", r.recorded_on, &r.i_recorded_on, false);
  f("result", r.result, &r.i_result, false);
  f("criteria", r.criteria, nullptr, false);
  f("findings", r.findings, nullptr, false);
  f("team", r.team, &r.i_team, false);
  f("ground", r.ground, &r.i_ground, false);
  f("note", r.note, &r.i_note, false);
  f("reason", r.reason, &r.i_reason, false);
  f("created_at", r.created_at, nullptr, true);
  f("updated_at", r.updated_at, nullptr, false);
  f("state_since", r.state_since, nullptr, false);
}

// "a, b, c" (each prefixed, e.g. "p."), the SELECT list of a table.
template <class Row, class Columns>
std::string column_names(Row& r, Columns columns, const std::string& prefix = "") {
  std::string out;
  columns(r, [&](const char* name, auto&, soci::indicator*, bool) {
    out += (out.empty() ? "" : ", ") + prefix + name;
  });
  return out;
}

template <class Row, class Columns>
void bind_into(soci::statement& st, Row& r, Columns columns) {
  columns(r, [&](const char*, auto& v, soci::indicator* ind, bool) {
    if (ind)
      st.exchange(soci::into(v, *ind));
    else
      st.exchange(soci::into(v));
  });
}

// Binds the columns (all, or only those an update writes) as parameters, in list order.
template <class Row, class Columns>
void bind_use(soci::statement& st, Row& r, Columns columns, bool updated_only) {
  columns(r, [&](const char*, auto& v, soci::indicator* ind, bool identity) {
    if (updated_only && identity) return;
    if (ind)
      st.exchange(soci::use(v, *ind));
    else
      st.exchange(soci::use(v));
  });
}

// "INSERT INTO t (a, b) VALUES (:a, :b)"
template <class Row, class Columns>
std::string insert_sql(const char* table, Row& r, Columns columns) {
  std::string values;
  columns(r, [&](const char* name, auto&, soci::indicator*, bool) {
    values += (values.empty() ? ":" : ", :") + std::string(name);
  });
  return std::string("INSERT INTO ") + table + " (" + column_names(r, columns) + ") VALUES (" + values + ")";
}

// "UPDATE t SET a = :a, ... WHERE id = :id AND version = :expected": every column but the
// identity ones.
template <class Row, class Columns>
std::string update_sql(const char* table, Row& r, Columns columns) {
  std::string set;
  columns(r, [&](const char* name, auto&, soci::indicator*, bool identity) {
    if (!identity) set += (set.empty() ? "" : ", ") + std::string(name) + " = :" + name;
  });
  return std::string("UPDATE ") + table + " SET " + set + " WHERE id = :id AND version = :expected";
}

struct ActivityColumns {
  template <class F>
  void operator()(ActivityRow& r, F&& f) const {
    activity_columns(r, std::forward<F>(f));
  }
};
struct ParticipationColumns {
  template <class F>
  void operator()(ParticipationRow& r, F&& f) const {
    participation_columns(r, std::forward<F>(f));
  }
};
struct InspectionColumns {
  template <class F>
  void operator()(InspectionRow& r, F&& f) const {
    inspection_columns(r, std::forward<F>(f));
  }
};

struct SociStore::Impl {
  // The head of the audit chain as this transaction left it after its last append; valid only
  // inside the transaction that wrote it (it holds the write lock), cleared at every boundary.
  std::optional<AuditHead> head_in_tx;
  // The dossiers this transaction has read or written, as the database now holds them (the
  // row round-trips exactly: times are whole seconds, scores doubles). A dossier read again in
  // the same transaction (a batch's events often share one) comes from here: the transaction
  // holds SQLite's write lock, or on PostgreSQL the row's lock (FOR UPDATE), so nobody else can
  // have changed it. Cleared at every transaction boundary and by exec().
  std::unordered_map<std::string, Dossier> tx_dossiers;
  void forget_transaction() {
    head_in_tx.reset();
    tx_dossiers.clear();
  }
  DbUrl url;
  soci::session sql;
  bool sqlite = true;
  // Between begin() and commit()/rollback(). PostgreSQL: loads lock their rows (FOR UPDATE).
  bool in_tx = false;
  // PostgreSQL: this transaction's records for the chain, linked and inserted at commit()
  // under the chain's lock (append_to_chain).
  std::vector<AuditRecord> unlinked;

  // hot-path statements, prepared on first use
  std::string key_buf, dossier_buf, level_buf, member_buf, kind_buf, str_buf, str_buf2;
  std::string names_folded;  // insert_dossier's
  // The database's verification secret (meta, migration 9), read at the first certificate
  // written; and the code bound to the insert.
  std::string verification_secret, verification_code;
  double a = 0, b = 0, c = 0;
  long long n = 0;
  DossierRow row;
  CertRow cert;
  AuditRow audit;
  Document doc;
  std::string doc_at;
  long long doc_bytes = 0;

  std::unique_ptr<soci::statement> st_load, st_insert, st_sheets, st_put_sheet, st_doc_kinds, st_add_doc,
      st_load_cert, st_insert_cert, st_update_cert, st_head, st_append, st_find_key, st_put_key, st_begin,
      st_commit, st_load_locked, st_load_cert_locked, st_chain_lock, st_enqueue, st_creator, st_token_by_hash,
      st_documents;
  std::unique_ptr<soci::statement> st_update_by_mask[8];
  // load_token_by_hash's columns (every API request signs in with a token: prepared once).
  struct {
    std::string hash, id, user, created, expires, revoked, note, by;
    soci::indicator revoked_ind = soci::i_ok, note_ind = soci::i_ok, by_ind = soci::i_ok;
  } tok;
  // documents()' row (every GET of a dossier lists them: prepared once).
  struct {
    std::string dossier, kind, name, sha256, at;
    long long bytes = 0;
  } docs;
  // After recognition: loads ([1]: locked, inside a write transaction on PostgreSQL), inserts,
  // conditional updates, the id look-ups.
  ActivityRow act;
  ParticipationRow par;
  InspectionRow ins;
  std::string id_buf, lo_buf, hi_buf;
  std::unique_ptr<soci::statement> st_load_act[2], st_load_par[2], st_load_ins[2], st_insert_act,
      st_insert_par, st_insert_ins, st_update_act, st_update_par, st_update_ins, st_id_taken, st_id_prefix;
  // Forgets every prepared statement (they are prepared again on their next use).
  void drop_statements() {
    for (auto* st : {&st_load_act[0], &st_load_act[1], &st_load_par[0], &st_load_par[1], &st_load_ins[0],
                     &st_load_ins[1], &st_insert_act, &st_insert_par, &st_insert_ins, &st_update_act,
                     &st_update_par, &st_update_ins, &st_id_taken, &st_id_prefix})
      st->reset();
    for (auto* st : {&st_load,        &st_insert,           &st_sheets,      &st_put_sheet,   &st_doc_kinds,
                     &st_add_doc,     &st_load_cert,        &st_insert_cert, &st_update_cert, &st_head,
                     &st_append,      &st_find_key,         &st_put_key,     &st_begin,       &st_commit,
                     &st_load_locked, &st_load_cert_locked, &st_chain_lock,  &st_enqueue,     &st_creator,
                     &st_token_by_hash, &st_documents})
      st->reset();
    for (auto& st : st_update_by_mask) st.reset();
  }
  // enqueue's and dossier_creator's bound values (their statements are prepared once)
  struct {
    std::string key, channel, recipient, subject, body, cause, dossier, created, next, creator;
    soci::indicator dossier_ind = soci::i_ok, id_ind = soci::i_ok, creator_ind = soci::i_ok;
    long long id = 0;
  } ob;

  void bind_dossier_out(soci::statement& st) {
    st.exchange(soci::into(row.id));
    st.exchange(soci::into(row.state));
    st.exchange(soci::into(row.version));
    st.exchange(soci::into(row.unit));
    st.exchange(soci::into(row.product));
    st.exchange(soci::into(row.product_set));
    st.exchange(soci::into(row.producer));
    st.exchange(soci::into(row.year));
    st.exchange(soci::into(row.rule_set, row.i_rule_set));
    st.exchange(soci::into(row.level_index));
    st.exchange(soci::into(row.level, row.i_level));
    st.exchange(soci::into(row.registration_type, row.i_registration_type));
    st.exchange(soci::into(row.base_certificate, row.i_base_certificate));
    st.exchange(soci::into(row.score, row.i_score));
    st.exchange(soci::into(row.stars, row.i_stars));
    st.exchange(soci::into(row.certificate, row.i_certificate));
    st.exchange(soci::into(row.round, row.i_round));
    st.exchange(soci::into(row.assessment, row.i_assessment));
    st.exchange(soci::into(row.created_at));
    st.exchange(soci::into(row.updated_at));
    st.exchange(soci::into(row.state_since));
  }
  static constexpr const char* kDossierColumns =
      "id, state, version, unit, product, product_set, producer, year, rule_set, level_index, level,"
      " registration_type, base_certificate, score, stars, certificate, round, assessment,"
      " created_at, updated_at, state_since";

  Dossier dossier_from_row() const {
    Dossier d;
    d.id = row.id;
    d.state = parse_state(row.state).value_or(State::none);
    d.version = row.version;
    d.unit = row.unit;
    d.product = row.product;
    d.product_set = row.product_set;
    d.producer = row.producer;
    d.year = row.year;
    d.rule_set = row.i_rule_set == soci::i_ok ? row.rule_set : "";
    d.level_index = row.level_index;
    d.level = row.i_level == soci::i_ok ? row.level : "";
    d.registration_type = row.i_registration_type == soci::i_ok ? row.registration_type : "";
    d.base_certificate = row.i_base_certificate == soci::i_ok ? row.base_certificate : "";
    if (row.i_score == soci::i_ok) d.score = row.score;
    if (row.i_stars == soci::i_ok) d.stars = row.stars;
    d.certificate = row.i_certificate == soci::i_ok ? row.certificate : "";
    d.round = row.i_round == soci::i_ok ? row.round : "";
    d.assessment = row.i_assessment == soci::i_ok ? row.assessment : "";
    d.created_at = parse_ts(row.created_at);
    d.updated_at = parse_ts(row.updated_at);
    d.state_since = parse_ts(row.state_since);
    return d;
  }

  void dossier_to_row(const Dossier& d) {
    auto opt = [](const std::string& v, std::string& dst, soci::indicator& ind) {
      dst = v;
      ind = v.empty() ? soci::i_null : soci::i_ok;
    };
    row.id = d.id;
    row.state = std::string(to_string(d.state));
    row.version = d.version;
    row.unit = d.unit;
    row.product = d.product;
    row.product_set = d.product_set;
    row.producer = d.producer;
    row.year = d.year;
    opt(d.rule_set, row.rule_set, row.i_rule_set);
    row.level_index = d.level_index;
    opt(d.level, row.level, row.i_level);
    opt(d.registration_type, row.registration_type, row.i_registration_type);
    opt(d.base_certificate, row.base_certificate, row.i_base_certificate);
    row.score = d.score.value_or(0);
    row.i_score = d.score ? soci::i_ok : soci::i_null;
    row.stars = d.stars.value_or(0);
    row.i_stars = d.stars ? soci::i_ok : soci::i_null;
    opt(d.certificate, row.certificate, row.i_certificate);
    opt(d.round, row.round, row.i_round);
    opt(d.assessment, row.assessment, row.i_assessment);
    row.created_at = ts(d.created_at);
    row.updated_at = ts(d.updated_at);
    row.state_since = ts(d.state_since);
  }

  void bind_dossier_in(soci::statement& st) {
    st.exchange(soci::use(row.id));
    st.exchange(soci::use(row.state));
    st.exchange(soci::use(row.version));
    st.exchange(soci::use(row.unit));
    st.exchange(soci::use(row.product));
    st.exchange(soci::use(row.product_set));
    st.exchange(soci::use(row.producer));
    st.exchange(soci::use(row.year));
    st.exchange(soci::use(row.rule_set, row.i_rule_set));
    st.exchange(soci::use(row.level_index));
    st.exchange(soci::use(row.level, row.i_level));
    st.exchange(soci::use(row.registration_type, row.i_registration_type));
    st.exchange(soci::use(row.base_certificate, row.i_base_certificate));
    st.exchange(soci::use(row.score, row.i_score));
    st.exchange(soci::use(row.stars, row.i_stars));
    st.exchange(soci::use(row.certificate, row.i_certificate));
    st.exchange(soci::use(row.round, row.i_round));
    st.exchange(soci::use(row.assessment, row.i_assessment));
    st.exchange(soci::use(row.created_at));
    st.exchange(soci::use(row.updated_at));
    st.exchange(soci::use(row.state_since));
  }

  void prepare(soci::statement& st, const std::string& q) {
    st.prepare(q);
    st.define_and_bind();
  }

  void bind_cert_out(soci::statement& st) {
    st.exchange(soci::into(cert.id));
    st.exchange(soci::into(cert.dossier));
    st.exchange(soci::into(cert.product));
    st.exchange(soci::into(cert.product_set));
    st.exchange(soci::into(cert.unit));
    st.exchange(soci::into(cert.stars));
    st.exchange(soci::into(cert.level));
    st.exchange(soci::into(cert.decision_no));
    st.exchange(soci::into(cert.decision_date));
    st.exchange(soci::into(cert.issued_on));
    st.exchange(soci::into(cert.valid_until));
    st.exchange(soci::into(cert.state));
    st.exchange(soci::into(cert.superseded_by, cert.i_superseded_by));
    st.exchange(soci::into(cert.revocation_ground, cert.i_revocation_ground));
    st.exchange(soci::into(cert.revocation_decision_no, cert.i_revocation_decision_no));
    st.exchange(soci::into(cert.revoked_on, cert.i_revoked_on));
  }
  static constexpr const char* kCertColumns =
      "id, dossier, product, product_set, unit, stars, level, decision_no, decision_date, issued_on,"
      " valid_until, state, superseded_by, revocation_ground, revocation_decision_no, revoked_on";
  // CertificateFilter::brief: the columns an invitation lists.
  void bind_cert_brief_out(soci::statement& st) {
    st.exchange(soci::into(cert.id));
    st.exchange(soci::into(cert.dossier));
    st.exchange(soci::into(cert.product));
    st.exchange(soci::into(cert.unit));
    st.exchange(soci::into(cert.stars));
    st.exchange(soci::into(cert.valid_until));
    st.exchange(soci::into(cert.state));
  }
  static constexpr const char* kCertBriefColumns = "id, dossier, product, unit, stars, valid_until, state";
  Certificate cert_brief_from_row() const {
    Certificate c;
    c.id = cert.id;
    c.dossier = cert.dossier;
    c.product = cert.product;
    c.unit = cert.unit;
    c.stars = cert.stars;
    c.valid_until = parse_date(cert.valid_until).value_or(Date{});
    c.state = cert.state;
    return c;
  }
  Certificate cert_from_row() const {
    Certificate c;
    c.id = cert.id;
    c.dossier = cert.dossier;
    c.product = cert.product;
    c.product_set = cert.product_set;
    c.unit = cert.unit;
    c.stars = cert.stars;
    c.level = cert.level;
    c.decision_no = cert.decision_no;
    c.decision_date = parse_date(cert.decision_date).value_or(Date{});
    c.issued_on = parse_date(cert.issued_on).value_or(Date{});
    c.valid_until = parse_date(cert.valid_until).value_or(Date{});
    c.state = cert.state;
    c.superseded_by = cert.i_superseded_by == soci::i_ok ? cert.superseded_by : "";
    c.revocation_ground = cert.i_revocation_ground == soci::i_ok ? cert.revocation_ground : "";
    c.revocation_decision_no = cert.i_revocation_decision_no == soci::i_ok ? cert.revocation_decision_no : "";
    if (cert.i_revoked_on == soci::i_ok) c.revoked_on = parse_date(cert.revoked_on);
    return c;
  }
  // The fields update_certificate writes (and insert_certificate too).
  void cert_mutable_to_row(const Certificate& c) {
    auto opt = [](const std::string& v, std::string& dst, soci::indicator& ind) {
      dst = v;
      ind = v.empty() ? soci::i_null : soci::i_ok;
    };
    cert.state = c.state;
    opt(c.superseded_by, cert.superseded_by, cert.i_superseded_by);
    opt(c.revocation_ground, cert.revocation_ground, cert.i_revocation_ground);
    opt(c.revocation_decision_no, cert.revocation_decision_no, cert.i_revocation_decision_no);
    opt(c.revoked_on ? format_date(*c.revoked_on) : std::string(), cert.revoked_on, cert.i_revoked_on);
  }

  void bind_audit_out(soci::statement& st) {
    st.exchange(soci::into(audit.seq));
    st.exchange(soci::into(audit.at));
    st.exchange(soci::into(audit.actor));
    st.exchange(soci::into(audit.role));
    st.exchange(soci::into(audit.dossier));
    st.exchange(soci::into(audit.event));
    st.exchange(soci::into(audit.from_state));
    st.exchange(soci::into(audit.to_state));
    st.exchange(soci::into(audit.level));
    st.exchange(soci::into(audit.data));
    st.exchange(soci::into(audit.prev_hash));
    st.exchange(soci::into(audit.hash));
  }
  bool archives_known = false;  // SociStore::has_archives
  static constexpr const char* kAuditColumns =
      "seq, at, actor, role, dossier, event, from_state, to_state, level, data, prev_hash, hash";
  // Moves the row's data out (the next fetch fills the buffer again): one copy of a large record.
  AuditRecord audit_from_row() {
    AuditRecord r;
    r.seq = audit.seq;
    r.at = parse_ts(audit.at);
    r.at_text = audit.at;
    r.actor = audit.actor;
    r.role = audit.role;
    r.dossier = audit.dossier;
    r.event = audit.event;
    r.from_state = audit.from_state;
    r.to_state = audit.to_state;
    r.level = audit.level;
    r.data = std::move(audit.data);
    r.prev_hash = audit.prev_hash;
    r.hash = audit.hash;
    return r;
  }
};

namespace {
// Process-wide SQLite settings, made once before the library initialises (SOCI's backend and
// this adapter share the one libsqlite3). A connection here is used by one thread at a time
// (spec of Store), so SQLite's own mutexes are not needed, and its memory statistics, which
// take a global mutex on every allocation, are off. If the library was initialised already
// (by another component), sqlite3_config refuses and the defaults stay: correct, only slower.
// ocop_fold(TEXT): the engine's fold_text (ocop/search.hpp), for the dossier list's search;
// NULL stays NULL.
void sqlite_fold(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const unsigned char* text = sqlite3_value_text(argv[0]);
  if (!text) {
    sqlite3_result_null(ctx);
    return;
  }
  const std::string folded =
      fold_text(std::string_view(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_value_bytes(argv[0]))));
  sqlite3_result_text(ctx, folded.data(), static_cast<int>(folded.size()), SQLITE_TRANSIENT);
}

int register_sqlite_functions(sqlite3* db, char** /*error*/, const void* /*api*/) {
  return sqlite3_create_function_v2(db, "ocop_fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                    sqlite_fold, nullptr, nullptr, nullptr);
}

void configure_sqlite_library() {
  static const bool once = [] {
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    // A commit's WAL frames in one write (sqlite_wal_vfs.hpp), as the default VFS.
    register_coalescing_wal_vfs();
    // ocop_fold() on every connection opened from now on (SOCI's too: one libsqlite3).
    sqlite3_auto_extension(reinterpret_cast<void (*)(void)>(register_sqlite_functions));
    return true;
  }();
  (void)once;
}
}  // namespace

SociStore::SociStore() : impl_(std::make_unique<Impl>()) {}
SociStore::~SociStore() = default;

std::unique_ptr<SociStore> open(const std::string& url) {
  std::string error;
  DbUrl u = parse_url(url, error);
  if (u.backend.empty()) throw StoreError(error, false);
  std::unique_ptr<SociStore> s(new SociStore());
  s->impl_->url = u;
  const std::string shown = redact_url(url);
  s->impl_->sqlite = u.backend == "sqlite3";
  if (s->impl_->sqlite) configure_sqlite_library();
  if (!s->impl_->sqlite)
    if (std::string e = load_pg_plugin(); !e.empty()) throw StoreError("cannot open database " + shown + ": " + e, false);
  try {
    s->impl_->sql.open(u.backend, u.connection);
    if (s->impl_->sqlite) {
      s->impl_->sql << "PRAGMA journal_mode=WAL";
      s->impl_->sql << "PRAGMA synchronous=FULL";
      s->impl_->sql << "PRAGMA busy_timeout=30000";
      // 9 MiB of page cache: a batch of 1,000 imported events dirties ~1,800 pages (7 MiB), and
      // what it reads besides should stay cached; the process stays under 30 MiB (bench/README.md).
      // The WAL is checkpointed every 16,000 pages (~64 MiB) rather than
      // SQLite's 1,000: a page rewritten by many commits (an index leaf, the audit's last page)
      // is copied into the database once per checkpoint, and each checkpoint's fsync of the
      // database is paid 16 times less often (bench/README.md: ~10 % at --batch 1, ~6 % at
      // --batch 1000). The WAL file reaches ~64 MiB between checkpoints.
      s->impl_->sql << "PRAGMA cache_size=-9216";
      s->impl_->sql << "PRAGMA wal_autocheckpoint=16000";
    } else {
      // Doubles (scores) come back exactly as written, also from servers before PostgreSQL 12,
      // whose default printed 15 digits: a dossier read in a transaction is the one it wrote.
      s->impl_->sql << "SET extra_float_digits = 3";
    }
  } catch (const std::exception& e) {
    rethrow(e, ("cannot open database " + shown).c_str());
  }
  // A database a newer ocop has migrated is refused before anything reads or writes it: this
  // binary does not know its tables (an upgrade rolled back, an old copy of the program).
  if (const int v = s->schema_version(), latest = SociStore::latest_schema_version(); v > latest)
    throw StoreError("cannot open database " + shown + ": its schema version is " + std::to_string(v) +
                         ", newer than this ocop knows (" + std::to_string(latest) +
                         "): it was migrated by a newer version of ocop; run that version (or a later one)",
                     false);
  return s;
}

const std::string& SociStore::backend() const { return impl_->url.backend; }

int SociStore::latest_schema_version() { return migrations().back().version; }

int SociStore::pending_migrations() {
  if (schema_version() == 0) return static_cast<int>(migrations().size());
  try {
    std::set<int> done;
    soci::rowset<int> rs = impl_->sql.prepare << "SELECT version FROM schema_migrations";
    for (int v : rs) done.insert(v);
    int n = 0;
    for (const auto& m : migrations()) n += done.count(m.version) ? 0 : 1;
    return n;
  } catch (const std::exception& e) {
    rethrow(e, "reading the applied migrations");
  }
}

int SociStore::schema_version() {
  try {
    int v = 0;
    soci::indicator ind = soci::i_null;
    if (impl_->sqlite) {
      int exists = 0;
      impl_->sql << "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='schema_migrations'",
          soci::into(exists);
      if (!exists) return 0;
    } else {
      int exists = 0;
      impl_->sql << "SELECT COUNT(*) FROM information_schema.tables WHERE table_name='schema_migrations'"
                    " AND table_schema=current_schema()",
          soci::into(exists);
      if (!exists) return 0;
    }
    impl_->sql << "SELECT MAX(version) FROM schema_migrations", soci::into(v, ind);
    return ind == soci::i_ok ? v : 0;
  } catch (const std::exception& e) {
    rethrow(e, "reading the schema version");
  }
}

int SociStore::migrate(int up_to) {
  int applied = 0;
  try {
    impl_->sql << "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                  " description TEXT NOT NULL, applied_at TEXT NOT NULL)";
    std::set<int> done;
    {
      soci::rowset<int> rs = impl_->sql.prepare << "SELECT version FROM schema_migrations";
      for (int v : rs) done.insert(v);
    }
    for (const auto& m : migrations()) {
      if (done.count(m.version) || m.version > up_to) continue;
      begin();
      const auto& stmts = !impl_->sqlite && !m.postgresql.empty() ? m.postgresql : m.sqlite;
      for (std::string q : stmts) {
        if (!impl_->sqlite) {
          if (auto at = q.find(" WITHOUT ROWID"); at != std::string::npos) q.erase(at, 14);
          if (auto at = q.find("INTEGER PRIMARY KEY"); at != std::string::npos) q.replace(at, 7, "BIGINT");
        }
        impl_->sql << q;
      }
      if (m.version == 9) backfill_verification_codes();
      std::string desc = m.description;
      std::string now = ts(SystemClock().now());
      int version = m.version;
      impl_->sql << "INSERT INTO schema_migrations (version, description, applied_at) VALUES (:v, :d, :t)",
          soci::use(version), soci::use(desc), soci::use(now);
      commit();
      ++applied;
    }
    if (applied) impl_->st_insert.reset();  // prepared for the schema before (names_folded)
  } catch (const std::exception& e) {
    try {
      rollback();
    } catch (...) {
    }
    if (auto* se = dynamic_cast<const StoreError*>(&e)) throw *se;
    rethrow(e, "applying migrations");
  }
  return applied;
}

std::string SociStore::meta(const std::string& key) {
  try {
    std::string v;
    soci::indicator ind = soci::i_null;
    std::string k = key;
    impl_->sql << "SELECT value FROM meta WHERE key = :k", soci::into(v, ind), soci::use(k);
    return impl_->sql.got_data() && ind == soci::i_ok ? v : "";
  } catch (const std::exception& e) {
    rethrow(e, "reading meta");
  }
}

void SociStore::set_meta(const std::string& key, const std::string& value) {
  try {
    std::string k = key, v = value;
    impl_->sql << "INSERT INTO meta (key, value) VALUES (:k, :v) ON CONFLICT (key) DO UPDATE SET value = "
                  "excluded.value",
        soci::use(k), soci::use(v);
  } catch (const std::exception& e) {
    rethrow(e, "writing meta");
  }
}

void SociStore::store_config_snapshot(const std::string& header, const std::string& snapshot,
                                      const std::vector<DirectoryRow>& rows, const std::string& keep) {
  Transaction tx(*this);
  try {
    auto& I = *impl_;
    std::string snap = snapshot, kept = keep;
    I.sql << "DELETE FROM config_directory WHERE snapshot <> :kept OR snapshot = :snap", soci::use(kept),
        soci::use(snap);
    // Bound as arrays: one statement executed for a thousand rows at a time.
    constexpr std::size_t kBatch = 1000;
    std::vector<std::string> snaps, kinds, codes, lines;
    std::vector<long long> positions;
    for (std::size_t from = 0; from < rows.size(); from += kBatch) {
      const std::size_t to = std::min(rows.size(), from + kBatch);
      snaps.assign(to - from, snapshot);
      kinds.clear(), codes.clear(), lines.clear(), positions.clear();
      for (std::size_t i = from; i < to; ++i) {
        kinds.emplace_back(1, rows[i].kind);
        codes.push_back(rows[i].code);
        lines.push_back(rows[i].line);
        positions.push_back(static_cast<long long>(i));
      }
      I.sql << "INSERT INTO config_directory (snapshot, kind, code, position, line)"
               " VALUES (:s, :k, :c, :p, :l)",
          soci::use(snaps), soci::use(kinds), soci::use(codes), soci::use(positions), soci::use(lines);
    }
    std::string k = "config_snapshot", v = header;
    I.sql << "INSERT INTO meta (key, value) VALUES (:k, :v) ON CONFLICT (key) DO UPDATE SET value = "
             "excluded.value",
        soci::use(k), soci::use(v);
  } catch (const std::exception& e) {
    rethrow(e, "storing the configuration snapshot");
  }
  tx.commit();
}

std::optional<std::string> SociStore::config_directory_line(const std::string& snapshot, char kind,
                                                           const std::string& code) {
  auto& I = *impl_;
  if (!I.sqlite && !valid_utf8(code)) return std::nullopt;  // PostgreSQL refuses such a parameter
  try {
    std::string snap = snapshot, k(1, kind), c = code, line;
    soci::indicator ind = soci::i_null;
    I.sql << "SELECT line FROM config_directory WHERE snapshot = :s AND kind = :k AND code = :c",
        soci::into(line, ind), soci::use(snap), soci::use(k), soci::use(c);
    if (!I.sql.got_data() || ind != soci::i_ok) return std::nullopt;
    return line;
  } catch (const std::exception& e) {
    rethrow(e, "reading the configuration's directory");
  }
}

bool SociStore::has_config_directory(const std::string& snapshot) {
  try {
    std::string snap = snapshot;
    int one = 0;
    impl_->sql << "SELECT 1 FROM config_directory WHERE snapshot = :s LIMIT 1", soci::into(one), soci::use(snap);
    return impl_->sql.got_data();
  } catch (const std::exception& e) {
    rethrow(e, "reading the configuration's directory");
  }
}

void SociStore::scan_config_directory(const std::string& snapshot, char kind,
                                      const std::function<void(const std::string& line)>& fn) {
  try {
    std::string snap = snapshot, k(1, kind);
    std::vector<std::string> lines(1000);  // fetched a thousand rows at a time
    soci::statement st = (impl_->sql.prepare << "SELECT line FROM config_directory WHERE snapshot = :s AND kind = :k"
                                                 " ORDER BY position",
                          soci::into(lines), soci::use(snap), soci::use(k));
    st.execute();
    while (st.fetch()) {
      for (const auto& line : lines) fn(line);
      lines.resize(1000);
    }
  } catch (const StoreError&) {
    throw;
  } catch (const std::exception& e) {
    rethrow(e, "reading the configuration's directory");
  }
}

void SociStore::begin() {
  try {
    auto& I = *impl_;
    if (!I.st_begin) {
      // Prepared once: a transaction per event is the common case. Cached only once prepared.
      // PostgreSQL stays at READ COMMITTED: each statement sees what committed before it, and
      // the rows a transaction depends on are locked as it loads them (store.hpp).
      auto begin = std::make_unique<soci::statement>(I.sql);
      begin->alloc();
      I.prepare(*begin, I.sqlite ? "BEGIN IMMEDIATE" : "BEGIN");
      auto commit = std::make_unique<soci::statement>(I.sql);
      commit->alloc();
      I.prepare(*commit, "COMMIT");
      I.st_commit = std::move(commit);
      I.st_begin = std::move(begin);
    }
    I.forget_transaction();
    I.unlinked.clear();
    I.st_begin->execute(true);
    I.in_tx = true;
  } catch (const std::exception& e) {
    rethrow(e, "beginning a transaction");
  }
}

// PostgreSQL: links the transaction's records to the chain and inserts them. The lock on
// audit_chain_lock's one row (migration 6) is waited for here, as the transaction's last lock,
// and held to its COMMIT; the head is read after the lock is granted, so under READ COMMITTED
// it is the head the previous holder committed.
void SociStore::link_unlinked() {
  auto& I = *impl_;
  if (I.unlinked.empty()) return;
  std::vector<AuditRecord> records = std::move(I.unlinked);
  I.unlinked.clear();
  try {
    if (!I.st_chain_lock) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      fresh->exchange(soci::into(I.n));
      I.prepare(*fresh, "SELECT id FROM audit_chain_lock WHERE id = 1 FOR UPDATE");
      I.st_chain_lock = std::move(fresh);  // cached only once prepared
    }
    if (!I.st_chain_lock->execute(true))
      throw StoreError("the audit chain's lock row is missing (audit_chain_lock): run `ocop init`", false);
    finish(*I.st_chain_lock);
  } catch (const StoreError&) {
    throw;
  } catch (const std::exception& e) {
    rethrow(e, "locking the audit chain");
  }
  I.head_in_tx.reset();
  for (auto& r : records) Store::append_to_chain(std::move(r));
}

void SociStore::append_to_chain(AuditRecord r) {
  auto& I = *impl_;
  if (I.sqlite || !I.in_tx) {
    Store::append_to_chain(std::move(r));
    return;
  }
  I.unlinked.push_back(std::move(r));
}

void SociStore::commit() {
  link_unlinked();  // throws with the transaction still open: the caller rolls it back
  impl_->forget_transaction();
  impl_->in_tx = false;
  try {
    if (impl_->st_commit)
      impl_->st_commit->execute(true);
    else
      impl_->sql << "COMMIT";
  } catch (const std::exception& e) {
    rethrow(e, "committing");
  }
}
void SociStore::rollback() {
  impl_->forget_transaction();
  impl_->unlinked.clear();
  impl_->in_tx = false;
  try {
    impl_->sql << "ROLLBACK";
  } catch (const std::exception& e) {
    rethrow(e, "rolling back");
  }
  if (t_statement_failed) {  // after the ROLLBACK: PostgreSQL deallocates them in a live transaction
    t_statement_failed = false;
    impl_->drop_statements();
  }
}

void SociStore::exec(const std::string& q) {
  impl_->forget_transaction();
  try {
    impl_->sql << q;
  } catch (const std::exception& e) {
    rethrow(e, "executing SQL");
  }
}

std::optional<Dossier> SociStore::load_dossier(const std::string& id) {
  // PostgreSQL refuses text that is not UTF-8 as a parameter (an error, where SQLite simply finds
  // nothing), and no stored key can hold it: "not found" without asking.
  if (!impl_->sqlite && !valid_utf8(id)) return std::nullopt;
  auto& I = *impl_;
  if (I.in_tx) {
    if (auto it = I.tx_dossiers.find(id); it != I.tx_dossiers.end()) return it->second;
  }
  try {
    const bool lock = I.in_tx && !I.sqlite;
    auto& slot = lock ? I.st_load_locked : I.st_load;
    if (!slot) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      I.bind_dossier_out(*fresh);
      fresh->exchange(soci::use(I.dossier_buf));
      I.prepare(*fresh, std::string("SELECT ") + Impl::kDossierColumns + " FROM dossiers WHERE id = :id" +
                            (lock ? " FOR UPDATE" : ""));
      slot = std::move(fresh);  // cached only once prepared
    }
    I.dossier_buf = id;
    if (!slot->execute(true)) return std::nullopt;
    Dossier d = I.dossier_from_row();
    finish(*slot);
    if (I.in_tx) I.tx_dossiers.insert_or_assign(id, d);
    return d;
  } catch (const std::exception& e) {
    rethrow(e, "loading a dossier");
  }
}

void SociStore::insert_dossier(const Dossier& d) {
  auto& I = *impl_;
  try {
    if (!I.st_insert) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      I.bind_dossier_in(*fresh);
      // A database not yet migrated to 12 has no names_folded (migration 12 fills it for the
      // rows it finds; migrate() prepares this statement again afterwards).
      const bool folded = schema_version() >= 12;
      if (folded) fresh->exchange(soci::use(I.names_folded));
      I.prepare(*fresh, std::string("INSERT INTO dossiers (") + Impl::kDossierColumns + (folded ? ", names_folded" : "") +
                            ") VALUES (:id, :state, :version, :unit, :product, :product_set, :producer,"
                            " :year, :rule_set, :level_index, :level, :registration_type, :base_certificate,"
                            " :score, :stars, :certificate, :round, :assessment, :created_at, :updated_at,"
                            " :state_since" + (folded ? ", :names_folded" : "") + ")");
      I.st_insert = std::move(fresh);  // cached only once prepared
    }
    I.dossier_to_row(d);
    // What the list's search compares (migration 12): the names never change after this.
    I.names_folded = fold_text(d.product + " " + d.producer);
    I.st_insert->execute(true);
    if (I.in_tx) I.tx_dossiers.insert_or_assign(d.id, d);
  } catch (const std::exception& e) {
    rethrow(e, "inserting a dossier");
  }
}

bool SociStore::update_dossier(const Dossier& d, const Dossier& before) {
  auto& I = *impl_;
  try {
    // SQLite rewrites every index on a column named in SET, changed or not, and each index
    // page rewritten is a page in the WAL and in the commit's fsync. So the indexed columns
    // are named only when they change: one prepared form per combination of the three groups.
    // base_certificate (indexed for `product show`) changes only at `register`, with the level.
    const int mask = (d.state != before.state || d.state_since != before.state_since ? 1 : 0) |
                     (d.level_index != before.level_index || d.level != before.level ||
                              d.base_certificate != before.base_certificate
                          ? 2
                          : 0) |
                     (d.stars != before.stars ? 4 : 0);
    auto& slot = I.st_update_by_mask[mask];
    if (!slot) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      auto& st = *fresh;
      std::string q =
          "UPDATE dossiers SET version = :version, rule_set = :rule_set,"
          " registration_type = :registration_type,"
          " score = :score, certificate = :certificate, round = :round, assessment = :assessment,"
          " updated_at = :updated_at";
      st.exchange(soci::use(I.row.version));
      st.exchange(soci::use(I.row.rule_set, I.row.i_rule_set));
      st.exchange(soci::use(I.row.registration_type, I.row.i_registration_type));
      st.exchange(soci::use(I.row.score, I.row.i_score));
      st.exchange(soci::use(I.row.certificate, I.row.i_certificate));
      st.exchange(soci::use(I.row.round, I.row.i_round));
      st.exchange(soci::use(I.row.assessment, I.row.i_assessment));
      st.exchange(soci::use(I.row.updated_at));
      if (mask & 1) {
        q += ", state = :state, state_since = :state_since";
        st.exchange(soci::use(I.row.state));
        st.exchange(soci::use(I.row.state_since));
      }
      if (mask & 2) {
        q += ", level_index = :level_index, level = :level, base_certificate = :base_certificate";
        st.exchange(soci::use(I.row.level_index));
        st.exchange(soci::use(I.row.level, I.row.i_level));
        st.exchange(soci::use(I.row.base_certificate, I.row.i_base_certificate));
      }
      if (mask & 4) {
        q += ", stars = :stars";
        st.exchange(soci::use(I.row.stars, I.row.i_stars));
      }
      q += " WHERE id = :id AND version = :expected";
      st.exchange(soci::use(I.row.id));
      st.exchange(soci::use(I.row.expected));
      I.prepare(st, q);
      slot = std::move(fresh);  // cached only once prepared
    }
    I.dossier_to_row(d);
    I.row.expected = before.version;
    slot->execute(true);
    auto cached = I.tx_dossiers.find(d.id);
    if (slot->get_affected_rows() != 1) {
      if (cached != I.tx_dossiers.end()) I.tx_dossiers.erase(cached);
      return false;
    }
    if (cached != I.tx_dossiers.end())
      cached->second = d;  // reuses the strings' storage
    else if (I.in_tx)
      I.tx_dossiers.emplace(d.id, d);
    return true;
  } catch (const std::exception& e) {
    I.tx_dossiers.erase(d.id);  // whatever the row is now, it is read again
    rethrow(e, "updating a dossier");
  }
}

std::int64_t SociStore::count_dossiers_created(int year) {
  try {
    long long n = 0;
    impl_->sql << "SELECT COUNT(*) FROM dossiers WHERE year = :y", soci::into(n), soci::use(year);
    return n;
  } catch (const std::exception& e) {
    rethrow(e, "counting dossiers");
  }
}

std::vector<Scoresheet> SociStore::scoresheets(const std::string& dossier, const std::string& level) {
  auto& I = *impl_;
  std::vector<Scoresheet> out;
  try {
    if (!I.st_sheets) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      fresh->exchange(soci::into(I.member_buf));
      fresh->exchange(soci::into(I.a));
      fresh->exchange(soci::into(I.b));
      fresh->exchange(soci::into(I.c));
      fresh->exchange(soci::use(I.dossier_buf));
      fresh->exchange(soci::use(I.level_buf));
      I.prepare(*fresh,
                "SELECT member, a, b, c FROM scoresheets WHERE dossier = :d AND level = :l ORDER BY member");
      I.st_sheets = std::move(fresh);  // cached only once prepared
    }
    I.dossier_buf = dossier;
    I.level_buf = level;
    if (I.st_sheets->execute(true)) {
      do {
        out.push_back(Scoresheet{dossier, level, I.member_buf, I.a, I.b, I.c});
      } while (I.st_sheets->fetch());
    }
  } catch (const std::exception& e) {
    rethrow(e, "reading scoresheets");
  }
  return out;
}

void SociStore::put_scoresheet(const Scoresheet& s) {
  auto& I = *impl_;
  try {
    if (!I.st_put_sheet) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      fresh->exchange(soci::use(I.dossier_buf));
      fresh->exchange(soci::use(I.level_buf));
      fresh->exchange(soci::use(I.member_buf));
      fresh->exchange(soci::use(I.a));
      fresh->exchange(soci::use(I.b));
      fresh->exchange(soci::use(I.c));
      I.prepare(*fresh,
                "INSERT INTO scoresheets (dossier, level, member, a, b, c) VALUES (:d, :l, :m, :a, :b, :c)"
                " ON CONFLICT (dossier, level, member) DO UPDATE SET a = excluded.a, b = excluded.b,"
                " c = excluded.c");
      I.st_put_sheet = std::move(fresh);  // cached only once prepared
    }
    I.dossier_buf = s.dossier;
    I.level_buf = s.level;
    I.member_buf = s.member;
    I.a = s.a;
    I.b = s.b;
    I.c = s.c;
    I.st_put_sheet->execute(true);
  } catch (const std::exception& e) {
    rethrow(e, "writing a scoresheet");
  }
}

std::vector<std::string> SociStore::document_kinds(const std::string& dossier) {
  auto& I = *impl_;
  std::vector<std::string> out;
  try {
    if (!I.st_doc_kinds) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      fresh->exchange(soci::into(I.kind_buf));
      fresh->exchange(soci::use(I.dossier_buf));
      I.prepare(*fresh, "SELECT DISTINCT kind FROM documents WHERE dossier = :d");
      I.st_doc_kinds = std::move(fresh);  // cached only once prepared
    }
    I.dossier_buf = dossier;
    if (I.st_doc_kinds->execute(true)) {
      do {
        out.push_back(I.kind_buf);
      } while (I.st_doc_kinds->fetch());
    }
  } catch (const std::exception& e) {
    rethrow(e, "reading documents");
  }
  return out;
}

void SociStore::add_document(const Document& d) {
  auto& I = *impl_;
  try {
    if (!I.st_add_doc) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      fresh->exchange(soci::use(I.doc.dossier));
      fresh->exchange(soci::use(I.doc.kind));
      fresh->exchange(soci::use(I.doc.name));
      fresh->exchange(soci::use(I.doc.sha256));
      fresh->exchange(soci::use(I.doc_bytes));
      fresh->exchange(soci::use(I.doc_at));
      I.prepare(
          *fresh,
          "INSERT INTO documents (dossier, kind, name, sha256, bytes, at) VALUES (:d, :k, :n, :s, :b, :t)");
      I.st_add_doc = std::move(fresh);  // cached only once prepared
    }
    I.doc = d;
    I.doc_bytes = d.bytes;
    I.doc_at = ts(d.at);
    I.st_add_doc->execute(true);
  } catch (const std::exception& e) {
    rethrow(e, "writing a document");
  }
}

std::vector<Document> SociStore::documents(const std::string& dossier) {
  if (!impl_->sqlite && !valid_utf8(dossier)) return {};
  auto& I = *impl_;
  auto& row = I.docs;
  std::vector<Document> out;
  try {
    if (!I.st_documents) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      fresh->exchange(soci::into(row.kind));
      fresh->exchange(soci::into(row.name));
      fresh->exchange(soci::into(row.sha256));
      fresh->exchange(soci::into(row.bytes));
      fresh->exchange(soci::into(row.at));
      fresh->exchange(soci::use(row.dossier));
      I.prepare(*fresh, "SELECT kind, name, sha256, bytes, at FROM documents WHERE dossier = :d ORDER BY at, kind, name");
      I.st_documents = std::move(fresh);  // cached only once prepared
    }
    row.dossier = dossier;
    for (bool got = I.st_documents->execute(true); got; got = I.st_documents->fetch()) {
      Document doc;
      doc.dossier = dossier;
      doc.kind = row.kind;
      doc.name = row.name;
      doc.sha256 = row.sha256;
      doc.bytes = row.bytes;
      doc.at = parse_ts(row.at);
      out.push_back(std::move(doc));
    }
  } catch (const std::exception& e) {
    rethrow(e, "listing documents");
  }
  return out;
}

std::optional<Document> SociStore::find_document(const std::string& sha256,
                                                 const std::vector<std::string>& units) {
  if (!all_utf8(impl_->sqlite, {&sha256}, {&units})) return std::nullopt;
  try {
    const std::string h = sha256;
    soci::row r;
    soci::statement st(impl_->sql);
    st.alloc();
    st.exchange(soci::into(r));
    st.exchange(soci::use(h));
    std::string q = "SELECT doc.dossier, doc.kind, doc.name, doc.bytes, doc.at FROM documents doc";
    // A scoped reader's: only documents some dossier of theirs holds (documents_sha256, then the
    // dossier's primary key).
    if (!units.empty()) q += " JOIN dossiers d ON d.id = doc.dossier";
    q += " WHERE doc.sha256 = :s";
    if (!units.empty()) in_list(q, st, "d.unit", units);
    q += " ORDER BY doc.at, doc.dossier LIMIT 1";
    impl_->prepare(st, q);
    if (!st.execute(true)) return std::nullopt;
    Document doc;
    doc.dossier = r.get<std::string>(0);
    doc.kind = r.get<std::string>(1);
    doc.name = r.get<std::string>(2);
    doc.sha256 = sha256;
    doc.bytes = std::stoll(cell(r, 3));
    doc.at = parse_ts(r.get<std::string>(4));
    return doc;
  } catch (const std::exception& e) {
    rethrow(e, "finding a document");
  }
  return std::nullopt;
}

bool SociStore::enqueue(OutboxMessage& m) {
  auto& I = *impl_;
  try {
    if (!I.st_enqueue) {
      // Prepared once (an import queues thousands). RETURNING gives the new id, and no row when
      // the dedupe key exists: SQLite 3.35+ and PostgreSQL both have it.
      auto fresh = std::make_unique<soci::statement>(I.sql);
      auto& st = *fresh;
      st.alloc();
      st.exchange(soci::into(I.ob.id, I.ob.id_ind));
      for (std::string* v :
           {&I.ob.key, &I.ob.channel, &I.ob.recipient, &I.ob.subject, &I.ob.body, &I.ob.cause})
        st.exchange(soci::use(*v));
      st.exchange(soci::use(I.ob.dossier, I.ob.dossier_ind));
      st.exchange(soci::use(I.ob.created));
      st.exchange(soci::use(I.ob.next));
      I.prepare(st,
                "INSERT INTO outbox (dedupe_key, channel, recipient, subject, body, cause,"
                " dossier, created_at, state, attempts, next_attempt_at)"
                " VALUES (:k, :ch, :r, :s, :b, :c, :d, :t, 'pending', 0, :n)"
                " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id");
      I.st_enqueue = std::move(fresh);  // cached only once prepared
    }
    I.ob.key = m.dedupe_key;
    I.ob.channel = m.channel;
    I.ob.recipient = m.recipient;
    I.ob.subject = m.subject;
    I.ob.body = m.body;
    I.ob.cause = m.cause;
    I.ob.dossier = m.dossier;
    I.ob.dossier_ind = m.dossier.empty() ? soci::i_null : soci::i_ok;
    I.ob.created = ts(m.created_at);
    I.ob.next = ts(m.next_attempt_at);
    const bool inserted = I.st_enqueue->execute(true);
    const long long id = I.ob.id;
    if (inserted) finish(*I.st_enqueue);
    if (!inserted) return false;
    m.id = id;
    m.state = "pending";
    m.attempts = 0;
    return true;
  } catch (const std::exception& e) {
    rethrow(e, "queueing a notification");
  }
}

namespace {
constexpr const char* kOutboxColumns =
    "id, dedupe_key, channel, recipient, subject, body, cause, dossier, created_at, state, attempts,"
    " next_attempt_at, last_error, sent_at, claimed_by, lease_until";

OutboxMessage outbox_from_row(const soci::row& r) {
  auto opt = [&](std::size_t i) {
    return r.get_indicator(i) == soci::i_null ? std::string() : r.get<std::string>(i);
  };
  OutboxMessage m;
  m.id = std::stoll(cell(r, 0));
  m.dedupe_key = r.get<std::string>(1);
  m.channel = r.get<std::string>(2);
  m.recipient = r.get<std::string>(3);
  m.subject = r.get<std::string>(4);
  m.body = r.get<std::string>(5);
  m.cause = r.get<std::string>(6);
  m.dossier = opt(7);
  m.created_at = parse_ts(r.get<std::string>(8));
  m.state = r.get<std::string>(9);
  m.attempts = static_cast<int>(std::stoll(cell(r, 10)));
  m.next_attempt_at = parse_ts(r.get<std::string>(11));
  m.last_error = opt(12);
  if (r.get_indicator(13) != soci::i_null) m.sent_at = parse_ts(r.get<std::string>(13));
  m.claimed_by = opt(14);
  if (r.get_indicator(15) != soci::i_null) m.lease_until = parse_ts(r.get<std::string>(15));
  return m;
}

// "channel IN ('email', 'webhook')": channel names are the engine's own, checked to be plain.
std::string channel_list(const std::vector<std::string>& channels) {
  std::string out;
  for (const auto& c : channels) {
    if (c.empty() || c.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos)
      throw StoreError("outbox: channel name \"" + c + "\" is not plain lower-case", false);
    out += (out.empty() ? "'" : ", '") + c + "'";
  }
  return "channel IN (" + out + ")";
}
}  // namespace

std::vector<OutboxMessage> SociStore::outbox(const std::string& state, int limit) {
  std::vector<OutboxMessage> out;
  try {
    std::string q = std::string("SELECT ") + kOutboxColumns + " FROM outbox";
    std::string s = state;
    if (!s.empty()) q += " WHERE state = :s";
    q += " ORDER BY id";
    if (limit > 0) q += " LIMIT " + std::to_string(limit);
    if (s.empty()) {
      soci::rowset<soci::row> rs = impl_->sql.prepare << q;
      for (const auto& r : rs) out.push_back(outbox_from_row(r));
    } else {
      soci::rowset<soci::row> rs = (impl_->sql.prepare << q, soci::use(s));
      for (const auto& r : rs) out.push_back(outbox_from_row(r));
    }
  } catch (const std::exception& e) {
    rethrow(e, "reading the outbox");
  }
  return out;
}

std::vector<CountRow> SociStore::count_outbox() {
  std::vector<CountRow> out;
  try {
    soci::rowset<soci::row> rs =
        impl_->sql.prepare << "SELECT state, CASE WHEN cause LIKE 'reminder %' THEN 'reminder' ELSE 'other' END AS kind,"
                              " COUNT(*) FROM outbox GROUP BY state, kind ORDER BY state, kind";
    for (const auto& r : rs) out.push_back(CountRow{cell(r, 0), cell(r, 1), std::stoll(cell(r, 2))});
  } catch (const std::exception& e) {
    rethrow(e, "counting the outbox");
  }
  return out;
}

std::optional<OutboxMessage> SociStore::outbox_message(std::int64_t id) {
  try {
    long long key = id;
    soci::rowset<soci::row> rs =
        (impl_->sql.prepare << std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE id = :id",
         soci::use(key));
    std::optional<OutboxMessage> out;
    for (const auto& r : rs) out = outbox_from_row(r);
    return out;
  } catch (const std::exception& e) {
    rethrow(e, "reading an outbox message");
  }
}

std::vector<OutboxMessage> SociStore::claim_outbox(const std::vector<std::string>& channels, Instant now,
                                                   Instant lease_until, const std::string& worker, int limit,
                                                   int max_attempts) {
  auto& I = *impl_;
  std::vector<OutboxMessage> out;
  if (channels.empty() || limit <= 0) return out;
  try {
    const std::string in_channels = channel_list(channels);
    std::string t_now = ts(now), t_lease = ts(lease_until), w = worker;
    int max = max_attempts;
    // A claim whose deliverer died on the message's last attempt: dead, visibly.
    {
      std::string why =
          "the deliverer stopped during the last attempt (its claim ran out); the message may or may "
          "not have arrived";
      I.sql << "UPDATE outbox SET state = 'dead', last_error = :e, claimed_by = NULL, lease_until = NULL"
               " WHERE state = 'sending' AND lease_until < :now AND attempts >= :max AND " +
                   in_channels,
          soci::use(why), soci::use(t_now), soci::use(max);
    }
    std::string q = "SELECT id FROM outbox WHERE " + in_channels +
                    " AND ((state = 'pending' AND next_attempt_at <= :now)"
                    " OR (state = 'sending' AND lease_until < :now2 AND attempts < :max))"
                    " ORDER BY next_attempt_at, id LIMIT " +
                    std::to_string(limit);
    if (!I.sqlite) q += " FOR UPDATE SKIP LOCKED";  // a concurrent claimer skips these rows
    std::vector<long long> ids;
    {
      std::string t_now2 = t_now;
      soci::rowset<soci::row> rs = (I.sql.prepare << q, soci::use(t_now), soci::use(t_now2), soci::use(max));
      for (const auto& r : rs) ids.push_back(std::stoll(cell(r, 0)));
    }
    for (long long id : ids) {
      soci::statement st =
          (I.sql.prepare << "UPDATE outbox SET state = 'sending', claimed_by = :w, lease_until = :l,"
                            " attempts = attempts + 1 WHERE id = :id AND state IN ('pending', 'sending')",
           soci::use(w), soci::use(t_lease), soci::use(id));
      st.execute(true);
      if (st.get_affected_rows() != 1) continue;
      if (auto m = outbox_message(id)) out.push_back(std::move(*m));
    }
  } catch (const StoreError&) {
    throw;
  } catch (const std::exception& e) {
    rethrow(e, "claiming outbox messages");
  }
  return out;
}

bool SociStore::settle_outbox(const OutboxMessage& m, const std::string& worker) {
  try {
    long long id = m.id;
    int attempts = m.attempts;
    std::string state = m.state, next = ts(m.next_attempt_at), error = m.last_error, sent = ts(m.sent_at),
                w = worker;
    soci::indicator error_ind = error.empty() ? soci::i_null : soci::i_ok;
    soci::indicator sent_ind = m.state == "sent" ? soci::i_ok : soci::i_null;
    soci::statement st =
        (impl_->sql.prepare
             << "UPDATE outbox SET state = :s, attempts = :a, next_attempt_at = :n, last_error = :e,"
                " sent_at = :t, claimed_by = NULL, lease_until = NULL"
                " WHERE id = :id AND state = 'sending' AND claimed_by = :w",
         soci::use(state), soci::use(attempts), soci::use(next), soci::use(error, error_ind),
         soci::use(sent, sent_ind), soci::use(id), soci::use(w));
    st.execute(true);
    return st.get_affected_rows() == 1;
  } catch (const std::exception& e) {
    rethrow(e, "recording a delivery");
  }
}

int SociStore::hold_outbox(const std::string& channel, Instant now, const std::string& error) {
  try {
    std::string c = channel, t = ts(now), e = error;
    soci::statement st =
        (impl_->sql.prepare << "UPDATE outbox SET last_error = :e"
                               " WHERE state = 'pending' AND channel = :c AND next_attempt_at <= :t",
         soci::use(e), soci::use(c), soci::use(t));
    st.execute(true);
    return static_cast<int>(st.get_affected_rows());
  } catch (const std::exception& e) {
    rethrow(e, "holding outbox messages");
  }
}

bool SociStore::retry_outbox(std::int64_t id, Instant now) {
  try {
    long long key = id;
    std::string t = ts(now);
    soci::statement st =
        (impl_->sql.prepare << "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = :t,"
                               " claimed_by = NULL, lease_until = NULL"
                               " WHERE id = :id AND state IN ('pending', 'dead')",
         soci::use(t), soci::use(key));
    st.execute(true);
    return st.get_affected_rows() == 1;
  } catch (const std::exception& e) {
    rethrow(e, "retrying an outbox message");
  }
}

std::vector<std::string> SociStore::producers_of(const std::vector<std::string>& ids) {
  auto& I = *impl_;
  std::vector<std::string> out;
  out.reserve(ids.size());
  try {
    // One statement prepared for the list, one indexed row each (a whole dossier was 21
    // columns and a cached copy per row).
    std::string id, producer;
    soci::indicator ind = soci::i_ok;
    soci::statement st = (I.sql.prepare << "SELECT producer FROM dossiers WHERE id = :id", soci::into(producer, ind),
                          soci::use(id));
    for (const std::string& want : ids) {
      if (!I.sqlite && !valid_utf8(want)) {
        out.emplace_back();
        continue;
      }
      id = want;
      const bool found = st.execute(true) && ind == soci::i_ok;
      out.push_back(found ? producer : std::string());
      if (found) finish(st);
    }
  } catch (const std::exception& e) {
    rethrow(e, "reading the dossiers' producers");
  }
  return out;
}

std::string SociStore::dossier_creator(const std::string& dossier) {
  auto& I = *impl_;
  try {
    if (!I.st_creator) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      fresh->exchange(soci::into(I.ob.creator, I.ob.creator_ind));
      fresh->exchange(soci::use(I.ob.dossier));
      I.prepare(*fresh, "SELECT actor FROM audit WHERE dossier = :d ORDER BY seq LIMIT 1");
      I.st_creator = std::move(fresh);  // cached only once prepared
    }
    I.ob.dossier = dossier;
    if (!I.st_creator->execute(true)) return {};
    std::string actor = I.ob.creator_ind == soci::i_ok ? I.ob.creator : std::string();
    finish(*I.st_creator);
    return actor;
  } catch (const std::exception& e) {
    rethrow(e, "reading a dossier's creator");
  }
}

std::optional<Certificate> SociStore::load_certificate(const std::string& id) {
  if (!impl_->sqlite && !valid_utf8(id)) return std::nullopt;
  auto& I = *impl_;
  try {
    const bool lock = I.in_tx && !I.sqlite;
    auto& slot = lock ? I.st_load_cert_locked : I.st_load_cert;
    if (!slot) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      I.bind_cert_out(*fresh);
      fresh->exchange(soci::use(I.str_buf));
      I.prepare(*fresh, std::string("SELECT ") + Impl::kCertColumns + " FROM certificates WHERE id = :id" +
                            (lock ? " FOR UPDATE" : ""));
      slot = std::move(fresh);  // cached only once prepared
    }
    I.str_buf = id;
    if (!slot->execute(true)) return std::nullopt;
    Certificate c = I.cert_from_row();
    finish(*slot);
    return c;
  } catch (const std::exception& e) {
    rethrow(e, "loading a certificate");
  }
}

std::optional<Certificate> SociStore::certificate_by_code(const std::string& code) {
  if (code.size() != kVerificationCodeLength) return std::nullopt;
  std::string id;
  try {
    soci::indicator ind = soci::i_null;
    std::string k = code;
    impl_->sql << "SELECT id FROM certificates WHERE verification_code = :c", soci::into(id, ind), soci::use(k);
    if (!impl_->sql.got_data() || ind != soci::i_ok) return std::nullopt;
  } catch (const std::exception& e) {
    rethrow(e, "finding a certificate by its verification code");
  }
  return load_certificate(id);
}

std::string SociStore::verification_code_of(const std::string& certificate_id) {
  if (!impl_->sqlite && !valid_utf8(certificate_id)) return {};
  try {
    std::string code;
    soci::indicator ind = soci::i_null;
    std::string k = certificate_id;
    impl_->sql << "SELECT verification_code FROM certificates WHERE id = :id", soci::into(code, ind), soci::use(k);
    return impl_->sql.got_data() && ind == soci::i_ok ? code : std::string();
  } catch (const std::exception& e) {
    rethrow(e, "reading a verification code");
  }
}

// Migration 9: every certificate written before it gets its code, in the migration's transaction.
void SociStore::backfill_verification_codes() {
  const std::string secret = meta("verification_secret");
  if (secret.empty()) throw StoreError("migration 9 wrote no verification secret", false);
  std::vector<std::string> ids;
  {
    soci::rowset<std::string> rs = impl_->sql.prepare << "SELECT id FROM certificates WHERE verification_code IS NULL";
    for (const auto& id : rs) ids.push_back(id);
  }
  std::string id, code;
  soci::statement st = (impl_->sql.prepare << "UPDATE certificates SET verification_code = :c WHERE id = :id",
                        soci::use(code), soci::use(id));
  for (const auto& each : ids) {
    id = each;
    code = verification_code(secret, id);
    st.execute(true);
  }
}

void SociStore::insert_certificate(const Certificate& c) {
  auto& I = *impl_;
  try {
    if (!I.st_insert_cert) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      auto& st = *fresh;
      st.alloc();
      st.exchange(soci::use(I.cert.id));
      st.exchange(soci::use(I.cert.dossier));
      st.exchange(soci::use(I.cert.product));
      st.exchange(soci::use(I.cert.product_set));
      st.exchange(soci::use(I.cert.unit));
      st.exchange(soci::use(I.cert.stars));
      st.exchange(soci::use(I.cert.level));
      st.exchange(soci::use(I.cert.decision_no));
      st.exchange(soci::use(I.cert.decision_date));
      st.exchange(soci::use(I.cert.issued_on));
      st.exchange(soci::use(I.cert.valid_until));
      st.exchange(soci::use(I.cert.state));
      st.exchange(soci::use(I.cert.superseded_by, I.cert.i_superseded_by));
      st.exchange(soci::use(I.cert.revocation_ground, I.cert.i_revocation_ground));
      st.exchange(soci::use(I.cert.revocation_decision_no, I.cert.i_revocation_decision_no));
      st.exchange(soci::use(I.cert.revoked_on, I.cert.i_revoked_on));
      st.exchange(soci::use(I.verification_code));
      I.prepare(st,
                std::string("INSERT INTO certificates (") + Impl::kCertColumns +
                    ", verification_code) VALUES (:id, :dossier, :product, :product_set, :unit, :stars, :level,"
                    " :decision_no, :decision_date, :issued_on, :valid_until, :state, :superseded_by,"
                    " :revocation_ground, :revocation_decision_no, :revoked_on, :verification_code)");
      I.st_insert_cert = std::move(fresh);  // cached only once prepared
    }
    I.cert.id = c.id;
    I.cert.dossier = c.dossier;
    I.cert.product = c.product;
    I.cert.product_set = c.product_set;
    I.cert.unit = c.unit;
    I.cert.stars = c.stars;
    I.cert.level = c.level;
    I.cert.decision_no = c.decision_no;
    I.cert.decision_date = format_date(c.decision_date);
    I.cert.issued_on = format_date(c.issued_on);
    I.cert.valid_until = format_date(c.valid_until);
    I.cert_mutable_to_row(c);
    if (I.verification_secret.empty()) I.verification_secret = meta("verification_secret");
    if (I.verification_secret.empty())
      throw StoreError("the database has no verification secret (meta verification_secret, migration 9)", false);
    I.verification_code = verification_code(I.verification_secret, c.id);
    I.st_insert_cert->execute(true);
  } catch (const std::exception& e) {
    rethrow(e, "writing a certificate");
  }
}

void SociStore::update_certificate(const Certificate& c) {
  auto& I = *impl_;
  try {
    if (!I.st_update_cert) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      auto& st = *fresh;
      st.alloc();
      st.exchange(soci::use(I.cert.state));
      st.exchange(soci::use(I.cert.superseded_by, I.cert.i_superseded_by));
      st.exchange(soci::use(I.cert.revocation_ground, I.cert.i_revocation_ground));
      st.exchange(soci::use(I.cert.revocation_decision_no, I.cert.i_revocation_decision_no));
      st.exchange(soci::use(I.cert.revoked_on, I.cert.i_revoked_on));
      st.exchange(soci::use(I.cert.id));
      I.prepare(st,
                "UPDATE certificates SET state = :state, superseded_by = :superseded_by,"
                " revocation_ground = :revocation_ground, revocation_decision_no = :revocation_decision_no,"
                " revoked_on = :revoked_on WHERE id = :id");
      I.st_update_cert = std::move(fresh);  // cached only once prepared
    }
    I.cert.id = c.id;
    I.cert_mutable_to_row(c);
    I.st_update_cert->execute(true);
  } catch (const std::exception& e) {
    rethrow(e, "updating a certificate");
  }
}

std::vector<Certificate> SociStore::certificates(const CertificateFilter& f) {
  auto& I = *impl_;
  std::vector<Certificate> out;
  try {
    std::string q = std::string("SELECT ") + (f.brief ? Impl::kCertBriefColumns : Impl::kCertColumns) +
                    " FROM certificates";
    // A list of units is searched unit by unit in certificates_unit (unit, state). SQLite's planner,
    // without statistics (the engine never runs ANALYZE), would rather walk certificates_state
    // (state, valid_until) for the order and test every certificate in that state against the
    // list: each open_registration then read every certificate in force in the country (issue 17).
    if (I.sqlite && !f.units.empty()) q += " INDEXED BY certificates_unit";
    q += " WHERE 1=1";
    std::string state = f.state, until, after, dossier = f.dossier;
    std::vector<std::string> states = f.states, units = f.units;  // bound by reference: kept alive here
    int stars = f.stars, min_stars = f.min_stars;
    soci::statement st(I.sql);
    st.alloc();
    if (f.brief)
      I.bind_cert_brief_out(st);
    else
      I.bind_cert_out(st);
    auto any_of = [&](const char* column, const char* name, std::vector<std::string>& values) {
      q += std::string(" AND ") + column + " IN (";
      for (size_t i = 0; i < values.size(); ++i) {
        q += (i ? ", :" : ":") + std::string(name) + std::to_string(i);
        st.exchange(soci::use(values[i]));
      }
      q += ")";
    };
    if (!state.empty()) {
      q += " AND state = :state";
      st.exchange(soci::use(state));
    }
    if (!states.empty()) any_of("state", "s", states);
    if (!units.empty()) any_of("unit", "u", units);
    if (stars) {
      q += " AND stars = :stars";
      st.exchange(soci::use(stars));
    }
    if (min_stars) {
      q += " AND stars >= :min_stars";
      st.exchange(soci::use(min_stars));
    }
    if (!dossier.empty()) {
      q += " AND dossier = :dossier";
      st.exchange(soci::use(dossier));
    }
    if (f.valid_until_on_or_before) {
      until = format_date(*f.valid_until_on_or_before);
      q += " AND valid_until <= :until";
      st.exchange(soci::use(until));
    }
    if (f.valid_until_after) {
      after = format_date(*f.valid_until_after);
      q += " AND valid_until > :after";
      st.exchange(soci::use(after));
    }
    if (!f.brief) q += " ORDER BY valid_until, id";
    I.prepare(st, q);
    if (st.execute(true)) {
      do {
        out.push_back(f.brief ? I.cert_brief_from_row() : I.cert_from_row());
      } while (st.fetch());
    }
  } catch (const std::exception& e) {
    rethrow(e, "listing certificates");
  }
  return out;
}

AuditHead SociStore::audit_head() {
  auto& I = *impl_;
  if (I.head_in_tx) return *I.head_in_tx;
  try {
    if (!I.st_head) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      fresh->exchange(soci::into(I.n));
      fresh->exchange(soci::into(I.str_buf));
      I.prepare(*fresh, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
      I.st_head = std::move(fresh);  // cached only once prepared
    }
    if (!I.st_head->execute(true)) return AuditHead{0, kGenesisHash};
    AuditHead h{I.n, I.str_buf};
    finish(*I.st_head);
    return h;
  } catch (const std::exception& e) {
    rethrow(e, "reading the audit head");
  }
}

namespace {
// SociStore::version_mismatches on SQLite: one pass over the audit_dossier index (every id's
// records counted, in order of id) merged with every object's (id, version) in the same order,
// in one read transaction. The per-object counts (an index seek for each of 200,000 dossiers)
// took 1.5 s of a ten-year trail's 5.3 s `audit verify`; this takes about 0.4 s (bench/README.md,
// "Ten years, national"). Both orders are SQLite's BINARY collation, which is memcmp: the order
// of std::string_view's compare. The problems and their order are PostgreSQL's: at most `limit`
// of the objects (each kind by id), then at most `limit` ids that are no object.
std::vector<std::string> sqlite_version_mismatches(sqlite3* db, int limit, bool archives) {
  struct Stmt {
    sqlite3* db;
    sqlite3_stmt* st = nullptr;
    Stmt(sqlite3* d, const std::string& sql) : db(d) {
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
        throw StoreError(std::string("comparing versions with the audit trail: ") + sqlite3_errmsg(db), false);
    }
    ~Stmt() { sqlite3_finalize(st); }
    bool step() {
      const int rc = sqlite3_step(st);
      if (rc == SQLITE_ROW) return true;
      if (rc == SQLITE_DONE) return false;
      const std::string m = sqlite3_errmsg(db);
      throw StoreError("comparing versions with the audit trail: " + m, retryable_message(m));
    }
    std::string_view text(int col) {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
      return {p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(st, col))};
    }
    std::int64_t number(int col) { return sqlite3_column_int64(st, col); }
  };
  const bool own_transaction = sqlite3_get_autocommit(db) != 0;
  if (own_transaction && sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK)
    throw StoreError(std::string("comparing versions with the audit trail: ") + sqlite3_errmsg(db),
                     retryable_message(sqlite3_errmsg(db)));
  struct End {
    sqlite3* db;
    bool own;
    ~End() {
      if (own) sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    }
  } end{db, own_transaction};
  static const char* const kinds[] = {"dossier", "activity", "participation", "inspection", "account"};
  constexpr int kOrphans = 5, kArchive = 5;
  std::vector<std::string> found[6];
  auto add = [&](int bucket, std::string text) {
    if (static_cast<int>(found[bucket].size()) < limit) found[bucket].push_back(std::move(text));
  };
  Stmt counts(db, "SELECT dossier, COUNT(*) FROM audit GROUP BY dossier ORDER BY dossier");
  // NOT INDEXED: the tables read in their own order and sorted (0.2 s for 200,000 dossiers)
  // rather than their id indexes walked with a lookup of each row's version (0.7 s).
  Stmt objects(db, std::string("SELECT id, version, 0 FROM dossiers NOT INDEXED"
                               " UNION ALL SELECT id, version, 1 FROM activities NOT INDEXED"
                               " UNION ALL SELECT id, version, 2 FROM participations NOT INDEXED"
                               " UNION ALL SELECT id, version, 3 FROM inspections NOT INDEXED"
                               " UNION ALL SELECT 'user:' || id, version, 4 FROM accounts") +
                       (archives ? " UNION ALL SELECT 'archive:' || id, 0, 5 FROM archives" : "") + " ORDER BY 1");
  bool has_count = counts.step(), has_object = objects.step();
  auto mismatch = [&](std::string_view id, std::int64_t n) {
    const int kind = static_cast<int>(objects.number(2));
    const std::int64_t version = objects.number(1);
    if (kind != kArchive && version != n)
      add(kind, std::string(kinds[kind]) + " " + std::string(id) + " is at version " + std::to_string(version) +
                    " but the trail holds " + std::to_string(n) + " record(s) of it");
  };
  while (has_count || has_object) {
    const int cmp = !has_count ? 1 : !has_object ? -1 : counts.text(0).compare(objects.text(0));
    if (cmp < 0) {
      add(kOrphans, "the trail has records of " + std::string(counts.text(0)) + ", which is not in the database");
      has_count = counts.step();
    } else if (cmp > 0) {
      mismatch(objects.text(0), 0);
      has_object = objects.step();
    } else {
      const std::string id(counts.text(0));
      const std::int64_t n = counts.number(1);
      while (has_object && objects.text(0) == id) {
        mismatch(id, n);
        has_object = objects.step();
      }
      has_count = counts.step();
    }
  }
  std::vector<std::string> out;
  for (int kind = 0; kind < kOrphans; ++kind)
    for (auto& text : found[kind])
      if (static_cast<int>(out.size()) < limit) out.push_back(std::move(text));
  for (auto& text : found[kOrphans]) out.push_back(std::move(text));
  return out;
}
}  // namespace

std::vector<std::string> SociStore::version_mismatches(int limit) {
  if (impl_->sqlite)
    if (auto* db = static_cast<sqlite3*>(sqlite_handle(impl_->sql)))
      return sqlite_version_mismatches(db, limit, has_archives());
  std::vector<std::string> out;
  try {
    // Each object's records are counted through audit_dossier (dossier, seq): one index range per
    // object, never the whole trail per object. Dossiers first, then the objects of spec §10
    // (whose records carry their id in `dossier`), at most `limit` in all.
    static const std::pair<const char*, const char*> kinds[] = {{"dossier", "dossiers"},
                                                                {"activity", "activities"},
                                                                {"participation", "participations"},
                                                                {"inspection", "inspections"}};
    for (const auto& [kind, table] : kinds) {
      const int left = limit - static_cast<int>(out.size());
      if (left <= 0) break;
      soci::rowset<soci::row> rs =
          impl_->sql.prepare
          << std::string(
                 "SELECT t.id, t.version, (SELECT COUNT(*) FROM audit a WHERE a.dossier = t.id)"
                 " AS n FROM ") +
                 table +
                 " t WHERE t.version <> (SELECT COUNT(*) FROM audit a WHERE a.dossier = t.id)"
                 " ORDER BY t.id LIMIT " +
                 std::to_string(left);
      for (const auto& r : rs)
        out.push_back(std::string(kind) + " " + cell(r, 0) + " is at version " + cell(r, 1) +
                      " but the trail holds " + cell(r, 2) + " record(s) of it");
    }
    // Accounts: their records carry "user:<id>".
    if (const int left = limit - static_cast<int>(out.size()); left > 0) {
      soci::rowset<soci::row> rs =
          impl_->sql.prepare << "SELECT t.id, t.version, (SELECT COUNT(*) FROM audit a WHERE a.dossier = 'user:' || t.id)"
                                " AS n FROM accounts t WHERE t.version <>"
                                " (SELECT COUNT(*) FROM audit a WHERE a.dossier = 'user:' || t.id)"
                                " ORDER BY t.id LIMIT " +
                                    std::to_string(left);
      for (const auto& r : rs)
        out.push_back("account user:" + cell(r, 0) + " is at version " + cell(r, 1) + " but the trail holds " +
                      cell(r, 2) + " record(s) of it");
    }
    // Records whose id is no object at all: each distinct id once (the audit_dossier index gives
    // them in order), then primary-key probes, instead of probes for every record.
    soci::rowset<soci::row> orphans = impl_->sql.prepare
                                      << "SELECT o.id FROM (SELECT DISTINCT dossier AS id FROM audit) o"
                                         " WHERE NOT EXISTS (SELECT 1 FROM dossiers d WHERE d.id = o.id)"
                                         " AND NOT EXISTS (SELECT 1 FROM activities t WHERE t.id = o.id)"
                                         " AND NOT EXISTS (SELECT 1 FROM participations t WHERE t.id = o.id)"
                                         " AND NOT EXISTS (SELECT 1 FROM inspections t WHERE t.id = o.id)"
                                         " AND NOT (o.id LIKE 'user:%' AND EXISTS"
                                         " (SELECT 1 FROM accounts t WHERE t.id = substr(o.id, 6)))" +
                                             std::string(has_archives() ? " AND NOT (o.id LIKE 'archive:%' AND EXISTS"
                                                                          " (SELECT 1 FROM archives t WHERE t.id = substr(o.id, 9)))"
                                                                        : "") +
                                             " ORDER BY o.id LIMIT " + std::to_string(limit);
    for (const auto& r : orphans)
      out.push_back("the trail has records of " + cell(r, 0) + ", which is not in the database");
  } catch (const std::exception& e) {
    rethrow(e, "comparing versions with the audit trail");
  }
  return out;
}

void SociStore::append_audit(const AuditRecord& r) {
  auto& I = *impl_;
  try {
    if (!I.st_append) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      auto& st = *fresh;
      st.alloc();
      st.exchange(soci::use(I.audit.seq));
      st.exchange(soci::use(I.audit.at));
      st.exchange(soci::use(I.audit.actor));
      st.exchange(soci::use(I.audit.role));
      st.exchange(soci::use(I.audit.dossier));
      st.exchange(soci::use(I.audit.event));
      st.exchange(soci::use(I.audit.from_state));
      st.exchange(soci::use(I.audit.to_state));
      st.exchange(soci::use(I.audit.level));
      st.exchange(soci::use(I.audit.data));
      st.exchange(soci::use(I.audit.prev_hash));
      st.exchange(soci::use(I.audit.hash));
      I.prepare(st,
                std::string("INSERT INTO audit (") + Impl::kAuditColumns +
                    ") VALUES (:seq, :at, :actor, :role, :dossier, :event, :from_state, :to_state, :level,"
                    " :data, :prev_hash, :hash)");
      I.st_append = std::move(fresh);  // cached only once prepared
    }
    I.audit.seq = r.seq;
    I.audit.at = ts(r.at);
    I.audit.actor = r.actor;
    I.audit.role = r.role;
    I.audit.dossier = r.dossier;
    I.audit.event = r.event;
    I.audit.from_state = r.from_state;
    I.audit.to_state = r.to_state;
    I.audit.level = r.level;
    I.audit.data = r.data;
    I.audit.prev_hash = r.prev_hash;
    I.audit.hash = r.hash;
    I.head_in_tx.reset();
    I.st_append->execute(true);
    I.head_in_tx = AuditHead{r.seq, r.hash};
  } catch (const std::exception& e) {
    rethrow(e, "appending to the audit trail");
  }
}

std::vector<AuditRecord> SociStore::history(const std::string& dossier) {
  if (!impl_->sqlite && !valid_utf8(dossier)) return {};
  auto& I = *impl_;
  std::vector<AuditRecord> out;
  try {
    std::string d = dossier;
    soci::statement st(I.sql);
    st.alloc();
    I.bind_audit_out(st);
    st.exchange(soci::use(d));
    I.prepare(st,
              std::string("SELECT ") + Impl::kAuditColumns + " FROM audit WHERE dossier = :d ORDER BY seq");
    if (st.execute(true)) {
      do {
        out.push_back(I.audit_from_row());
      } while (st.fetch());
    }
  } catch (const std::exception& e) {
    rethrow(e, "reading history");
  }
  return out;
}

std::vector<AuditRecord> SociStore::certificate_events(std::int64_t before_seq, int limit) {
  auto& I = *impl_;
  std::vector<AuditRecord> out;
  try {
    long long before = before_seq > 0 ? before_seq : std::numeric_limits<long long>::max();
    int n = limit;
    soci::statement st(I.sql);
    st.alloc();
    I.bind_audit_out(st);
    st.exchange(soci::use(before));
    st.exchange(soci::use(n));
    // The condition is the partial index's own (migration 11, audit_certificate_events).
    I.prepare(st, std::string("SELECT ") + Impl::kAuditColumns +
                      " FROM audit WHERE event IN ('recognize', 'revoke', 'expire') AND seq < :before"
                      " ORDER BY seq DESC LIMIT :n");
    if (st.execute(true)) {
      do {
        out.push_back(I.audit_from_row());
      } while (st.fetch());
    }
  } catch (const std::exception& e) {
    rethrow(e, "reading the certificates' events");
  }
  return out;
}

namespace {
// " AND (...)": the records of the objects `f` names (store.hpp, AuditFilter), each list as a
// subquery on its table's unit; binds from `f`, which must outlive the statement.
void audit_objects(std::string& q, soci::statement& st, const AuditFilter& f) {
  std::string any;
  auto objects = [&](const char* table, const char* alias, const std::vector<std::string>& units) {
    if (units.empty()) return;
    any += any.empty() ? "" : " OR ";
    any += std::string("dossier IN (SELECT ") + alias + ".id FROM " + table + " " + alias + " WHERE 1=1";
    in_list(any, st, std::string(alias) + ".unit", units);
    any += ")";
  };
  objects("dossiers", "d", f.units);
  objects("participations", "p", f.units);
  objects("inspections", "i", f.units);
  objects("activities", "a", f.activity_units);
  if (!f.account.empty()) {
    any += any.empty() ? "dossier = :account" : " OR dossier = :account";
    st.exchange(soci::use(f.account));
  }
  q += any.empty() ? " AND 1=0" : " AND (" + any + ")";
}
}  // namespace

void SociStore::scan_audit(const std::function<bool(const AuditRecord&)>& fn) {
  if (!impl_->sqlite) return scan_audit_matching(nullptr, fn);
  // SQLite: the whole trail through the C API, one record object reused (its strings keep
  // their buffers). SOCI copied every cell into a buffer of its own and then into a new
  // record: most of `audit verify`'s time. Pages of 65,536 records by sequence, as before: each
  // page is its own read, so a long scan does not hold a snapshot (and the WAL) for its whole
  // length.
  auto* db = static_cast<sqlite3*>(sqlite_handle(impl_->sql));
  if (!db) return scan_audit_matching(nullptr, fn);
  sqlite3_stmt* st = nullptr;
  const std::string q = std::string("SELECT ") + Impl::kAuditColumns + " FROM audit WHERE seq > ?1 ORDER BY seq LIMIT 65536";
  if (sqlite3_prepare_v2(db, q.c_str(), -1, &st, nullptr) != SQLITE_OK)
    throw StoreError(std::string("reading the audit trail: ") + sqlite3_errmsg(db), false);
  struct Finalize {
    sqlite3_stmt* st;
    ~Finalize() { sqlite3_finalize(st); }
  } finalize{st};
  auto text = [&](int col, std::string& out) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
    out.assign(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(st, col)));
  };
  AuditRecord r;
  std::int64_t after = 0;
  for (;;) {
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, after);
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      ++n;
      r.seq = sqlite3_column_int64(st, 0);
      text(1, r.at_text);
      r.at = parse_ts(r.at_text);
      text(2, r.actor);
      text(3, r.role);
      text(4, r.dossier);
      text(5, r.event);
      text(6, r.from_state);
      text(7, r.to_state);
      text(8, r.level);
      text(9, r.data);
      text(10, r.prev_hash);
      text(11, r.hash);
      after = r.seq;
      if (!fn(r)) return;
    }
    if (rc != SQLITE_DONE) {
      const std::string m = sqlite3_errmsg(db);
      throw StoreError("reading the audit trail: " + m, retryable_message(m));
    }
    if (n < 65536) return;
  }
}

void SociStore::scan_audit_of(const AuditFilter& f, const std::function<bool(const AuditRecord&)>& fn) {
  if (!all_utf8(impl_->sqlite, {&f.account}, {&f.units, &f.activity_units})) return;
  scan_audit_matching(&f, fn);
}

void SociStore::scan_audit_matching(const AuditFilter* f, const std::function<bool(const AuditRecord&)>& fn) {
  auto& I = *impl_;
  try {
    // Pages by sequence so that memory stays flat on millions of records. SQLite steps one
    // row at a time; PostgreSQL hands a page's rows over at once, so there a page also ends
    // at 16 MiB of data (records stored before ocop/limits.hpp may be large).
    long long after = 0;
    const int page = 5000;
    for (;;) {
      long long upto = std::numeric_limits<long long>::max();
      if (!I.sqlite) {
        long long seq = 0, len = 0, bytes = 0, last = 0;
        soci::statement sizes(I.sql);
        sizes.alloc();
        sizes.exchange(soci::into(seq));
        sizes.exchange(soci::into(len));
        sizes.exchange(soci::use(after));
        std::string q = "SELECT seq, octet_length(data) FROM audit WHERE seq > :after";
        if (f) audit_objects(q, sizes, *f);
        I.prepare(sizes, q + " ORDER BY seq LIMIT " + std::to_string(page));
        if (sizes.execute(true)) {
          do {
            if (last != 0 && bytes + len > (16 << 20)) break;
            bytes += len;
            last = seq;
          } while (sizes.fetch());
        }
        if (last == 0) return;
        upto = last;
      }
      soci::statement st(I.sql);
      st.alloc();
      I.bind_audit_out(st);
      st.exchange(soci::use(after));
      st.exchange(soci::use(upto));
      std::string q =
          std::string("SELECT ") + Impl::kAuditColumns + " FROM audit WHERE seq > :after AND seq <= :upto";
      if (f) audit_objects(q, st, *f);
      I.prepare(st, q + " ORDER BY seq LIMIT " + std::to_string(page));
      int n = 0;
      if (st.execute(true)) {
        do {
          ++n;
          after = I.audit.seq;
          if (!fn(I.audit_from_row())) return;
        } while (st.fetch());
      }
      if (n < page && upto == std::numeric_limits<long long>::max()) return;
      if (n == 0) return;
    }
  } catch (const std::exception& e) {
    rethrow(e, "reading the audit trail");
  }
}

std::optional<ArchivedDossier> SociStore::archived_dossier(const std::string& id) {
  if (!impl_->sqlite && !valid_utf8(id)) return std::nullopt;
  try {
    if (!has_archives()) return std::nullopt;
    ArchivedDossier a;
    soci::indicator ind = soci::i_null;
    std::string key = id;
    long long checkpoint = 0;
    impl_->sql << "SELECT d.id, d.unit, d.year, d.archive, a.checkpoint FROM archived_dossiers d"
                  " JOIN archives a ON a.id = d.archive WHERE d.id = :id",
        soci::into(a.id, ind), soci::into(a.unit), soci::into(a.year), soci::into(a.archive),
        soci::into(checkpoint), soci::use(key);
    if (ind != soci::i_ok) return std::nullopt;
    a.checkpoint = checkpoint;
    return a;
  } catch (const std::exception& e) {
    rethrow(e, "reading an archived dossier");
  }
}

// Whether migration 10 (archives) is applied: a backup of an older version is verified as it is
// (ocop backup, restore), without it.
bool SociStore::has_archives() {
  if (impl_->archives_known) return true;
  long long n = 0;
  if (schema_version() >= 10) impl_->sql << "SELECT COUNT(*) FROM schema_migrations WHERE version = 10", soci::into(n);
  impl_->archives_known = n > 0;
  return impl_->archives_known;
}

std::int64_t SociStore::audit_checkpoint() {
  try {
    if (!has_archives()) return 0;
    long long seq = 0;
    soci::indicator ind = soci::i_null;
    impl_->sql << "SELECT MAX(checkpoint) FROM archives", soci::into(seq, ind);
    return ind == soci::i_ok ? seq : 0;
  } catch (const std::exception& e) {
    rethrow(e, "reading the audit trail's checkpoint");
  }
}

soci::session& SociStore::session() { return impl_->sql; }

std::optional<std::string> SociStore::find_key(const std::string& key) {
  if (!impl_->sqlite && !valid_utf8(key)) return std::nullopt;
  auto& I = *impl_;
  try {
    if (!I.st_find_key) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      fresh->exchange(soci::into(I.str_buf2));
      fresh->exchange(soci::use(I.key_buf));
      I.prepare(*fresh, "SELECT result FROM idempotency WHERE key = :k");
      I.st_find_key = std::move(fresh);  // cached only once prepared
    }
    I.key_buf = key;
    if (!I.st_find_key->execute(true)) return std::nullopt;
    std::string result = I.str_buf2;
    finish(*I.st_find_key);
    return result;
  } catch (const std::exception& e) {
    rethrow(e, "reading an idempotency key");
  }
}

void SociStore::put_key(const std::string& key, const std::string& dossier, const std::string& result) {
  auto& I = *impl_;
  try {
    if (!I.st_put_key) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      fresh->exchange(soci::use(I.key_buf));
      fresh->exchange(soci::use(I.dossier_buf));
      fresh->exchange(soci::use(I.str_buf2));
      I.prepare(*fresh, "INSERT INTO idempotency (key, dossier, result) VALUES (:k, :d, :r)");
      I.st_put_key = std::move(fresh);  // cached only once prepared
    }
    I.key_buf = key;
    I.dossier_buf = dossier;
    I.str_buf2 = result;
    I.st_put_key->execute(true);
  } catch (const std::exception& e) {
    rethrow(e, "writing an idempotency key");
  }
}

namespace {
// The values a dossier filter binds, kept alive (soci::use binds by reference) until the
// statement has run; where() appends the WHERE clause and binds them to `st`.
// A LIKE pattern that finds `word` anywhere (its %, _ and \ escaped with \).
std::string contains_pattern(const std::string& word) {
  std::string p = "%";
  for (char c : word) {
    if (c == '%' || c == '_' || c == '\\') p += '\\';
    p += c;
  }
  return p + "%";
}

struct DossierWhere {
  std::string state, level, ps, rule_set, product, producer, base, round, after;
  std::vector<std::string> units, patterns;
  int year = 0;
  explicit DossierWhere(const DossierFilter& f)
      : state(f.state), level(f.level), ps(f.product_set), rule_set(f.rule_set), product(f.product),
        producer(f.producer), base(f.base_certificate), round(f.round), after(f.after), units(f.units),
        year(f.year) {
    for (const auto& w : f.words) patterns.push_back(contains_pattern(w));
  }
  bool sqlite = true;
  void where(soci::statement& st, std::string& q) {
    q += " WHERE 1=1";
    if (!state.empty()) {
      q += " AND state = :state";
      st.exchange(soci::use(state));
    }
    if (!units.empty()) {
      q += " AND unit IN (";
      for (size_t i = 0; i < units.size(); ++i) {
        q += (i ? ", :u" : ":u") + std::to_string(i);
        st.exchange(soci::use(units[i]));
      }
      q += ")";
    }
    if (!level.empty()) {
      q += " AND level = :level";
      st.exchange(soci::use(level));
    }
    if (!ps.empty()) {
      q += " AND product_set = :ps";
      st.exchange(soci::use(ps));
    }
    if (!rule_set.empty()) {
      q += " AND rule_set = :rs";
      st.exchange(soci::use(rule_set));
    }
    if (year) {
      q += " AND year = :year";
      st.exchange(soci::use(year));
    }
    if (!product.empty()) {
      q += " AND product = :product";
      st.exchange(soci::use(product));
    }
    if (!producer.empty()) {
      q += " AND producer = :producer";
      st.exchange(soci::use(producer));
    }
    if (!base.empty()) {
      q += " AND base_certificate = :base";
      st.exchange(soci::use(base));
    }
    if (!round.empty()) {
      q += " AND round = :round";
      st.exchange(soci::use(round));
    }
    for (size_t i = 0; i < patterns.size(); ++i) {
      q += " AND names_folded LIKE :w" + std::to_string(i) + " ESCAPE '\\'";
      st.exchange(soci::use(patterns[i]));
    }
    if (!after.empty()) {
      q += " AND id > :after";
      st.exchange(soci::use(after));
    }
  }
};

bool filter_is_utf8(const DossierFilter& f) {
  for (const std::string* v :
       {&f.state, &f.level, &f.product_set, &f.rule_set, &f.product, &f.producer, &f.base_certificate, &f.round,
        &f.after})
    if (!valid_utf8(*v)) return false;
  for (const auto& w : f.words)
    if (!valid_utf8(w)) return false;
  for (const auto& u : f.units)
    if (!valid_utf8(u)) return false;
  return true;
}
}  // namespace

std::vector<Dossier> SociStore::list_dossiers(const DossierFilter& f) {
  if (!impl_->sqlite && !filter_is_utf8(f)) return {};
  auto& I = *impl_;
  std::vector<Dossier> out;
  try {
    std::string q = std::string("SELECT ") + Impl::kDossierColumns + " FROM dossiers";
    DossierWhere w(f);
    w.sqlite = I.sqlite;
    soci::statement st(I.sql);
    st.alloc();
    I.bind_dossier_out(st);
    w.where(st, q);
    q += " ORDER BY id";
    if (f.limit > 0) q += " LIMIT " + std::to_string(f.limit);
    I.prepare(st, q);
    if (st.execute(true)) {
      do {
        out.push_back(I.dossier_from_row());
      } while (st.fetch());
    }
  } catch (const std::exception& e) {
    rethrow(e, "listing dossiers");
  }
  return out;
}

std::int64_t SociStore::count_dossiers(const DossierFilter& f) {
  if (!impl_->sqlite && !filter_is_utf8(f)) return 0;
  auto& I = *impl_;
  try {
    std::string q = "SELECT COUNT(*) FROM dossiers";
    DossierWhere w(f);
    w.sqlite = I.sqlite;
    long long n = 0;
    soci::statement st(I.sql);
    st.alloc();
    st.exchange(soci::into(n));
    w.where(st, q);
    I.prepare(st, q);
    st.execute(true);
    return n;
  } catch (const std::exception& e) {
    rethrow(e, "counting dossiers");
  }
}

namespace {
std::vector<CountRow> counts(soci::session& sql, const std::string& q) {
  std::vector<CountRow> out;
  soci::rowset<soci::row> rs = sql.prepare << q;
  for (const auto& r : rs) out.push_back(CountRow{cell(r, 0), cell(r, 1), std::stoll(cell(r, 2))});
  return out;
}
}  // namespace

std::vector<CountRow> SociStore::count_by_state_and_unit() {
  try {
    return counts(impl_->sql,
                  "SELECT state, unit, COUNT(*) FROM dossiers GROUP BY state, unit ORDER BY state, unit");
  } catch (const std::exception& e) {
    rethrow(e, "counting dossiers");
  }
}

std::map<std::string, std::int64_t> SociStore::outbox_counts() {
  try {
    std::map<std::string, std::int64_t> out;
    for (const auto& r : counts(impl_->sql, "SELECT state, '', COUNT(*) FROM outbox GROUP BY state")) out[r.a] = r.n;
    return out;
  } catch (const std::exception& e) {
    rethrow(e, "counting outbox messages");
  }
}

std::vector<CountRow> SociStore::count_certificates_by_stars_and_unit() {
  try {
    return counts(impl_->sql,
                  "SELECT stars, unit, COUNT(*) FROM certificates WHERE state IN ('active', 'expiring')"
                  " GROUP BY stars, unit ORDER BY stars, unit");
  } catch (const std::exception& e) {
    rethrow(e, "counting certificates");
  }
}

}  // namespace ocop::store

namespace ocop::store {

std::vector<Dossier> SociStore::dossiers_waiting(const std::vector<State>& states,
                                                 std::optional<Instant> entered_before) {
  auto& I = *impl_;
  std::vector<Dossier> out;
  if (states.empty()) return out;
  try {
    std::vector<std::string> names;  // bound by reference: kept alive here
    names.reserve(states.size());
    for (State st : states) names.emplace_back(to_string(st));
    std::string before = entered_before ? ts(*entered_before) : std::string();
    soci::statement st(I.sql);
    st.alloc();
    I.bind_dossier_out(st);
    // `state IN (...)` and a range on state_since: both columns of dossiers_state, so the
    // index is searched once per state and the rows come in (state, state_since) order.
    std::string q = std::string("SELECT ") + Impl::kDossierColumns + " FROM dossiers WHERE state IN (";
    for (size_t i = 0; i < names.size(); ++i) {
      q += (i ? ", :s" : ":s") + std::to_string(i);
      st.exchange(soci::use(names[i]));
    }
    q += ")";
    if (entered_before) {
      q += " AND state_since < :before";
      st.exchange(soci::use(before));
    }
    I.prepare(st, q);
    if (st.execute(true)) {
      do {
        out.push_back(I.dossier_from_row());
      } while (st.fetch());
    }
  } catch (const std::exception& e) {
    rethrow(e, "listing waiting dossiers");
  }
  std::stable_sort(out.begin(), out.end(), [](const Dossier& a, const Dossier& b) {
    return a.state_since < b.state_since || (a.state_since == b.state_since && a.id < b.id);
  });
  return out;
}

std::optional<std::string> SociStore::cycle_state(int year) {
  try {
    std::string v;
    soci::indicator ind = soci::i_null;
    long long y = year;
    impl_->sql << "SELECT state FROM cycles WHERE year = :y", soci::into(v, ind), soci::use(y);
    if (!impl_->sql.got_data() || ind != soci::i_ok) return std::nullopt;
    return v;
  } catch (const std::exception& e) {
    rethrow(e, "reading a cycle");
  }
}

bool SociStore::put_cycle_state(int year, const std::string& from, const std::string& to, Instant at) {
  try {
    long long y = year;
    std::string f = from, s = to, t = ts(at);
    // opened_at is set when the cycle opens, closed_at when it closes. The update applies only
    // from the expected state: two ticks racing on one cycle (issue 5) both insert or update the
    // row; the second waits for the first's row (PostgreSQL re-checks the WHERE on the committed
    // row; SQLite's writers are serialised) and then changes nothing.
    soci::statement st =
        (impl_->sql.prepare << "INSERT INTO cycles (year, state, opened_at, closed_at) VALUES (:y, :s,"
                               " CASE WHEN :s1 = 'open' THEN :t1 ELSE NULL END, CASE WHEN :s2 = 'closed' "
                               "THEN :t2 ELSE NULL END)"
                               " ON CONFLICT (year) DO UPDATE SET state = excluded.state,"
                               " opened_at = COALESCE(cycles.opened_at, excluded.opened_at),"
                               " closed_at = COALESCE(cycles.closed_at, excluded.closed_at)"
                               " WHERE cycles.state = :f",
         soci::use(y), soci::use(s), soci::use(s), soci::use(t), soci::use(s), soci::use(t), soci::use(f));
    st.execute(true);
    return st.get_affected_rows() > 0;
  } catch (const std::exception& e) {
    rethrow(e, "writing a cycle");
  }
}

std::optional<Date> SociStore::last_tick() {
  try {
    std::string v;
    soci::indicator ind = soci::i_null;
    impl_->sql << "SELECT MAX(day) FROM ticks", soci::into(v, ind);
    if (!impl_->sql.got_data() || ind != soci::i_ok) return std::nullopt;
    return parse_date(v);
  } catch (const std::exception& e) {
    rethrow(e, "reading the tick log");
  }
}

void SociStore::record_tick(Date day, Instant at, const std::string& summary) {
  try {
    std::string d = format_date(day), t = ts(at), s = summary;
    impl_->sql << "INSERT INTO ticks (day, at, summary) VALUES (:d, :t, :s)"
                  " ON CONFLICT (day) DO UPDATE SET at = excluded.at, summary = excluded.summary",
        soci::use(d), soci::use(t), soci::use(s);
  } catch (const std::exception& e) {
    rethrow(e, "recording a tick");
  }
}

std::vector<CountRow> SociStore::count_year_by_state_and_unit(int year) {
  std::vector<CountRow> out;
  try {
    long long y = year;
    soci::rowset<soci::row> rs =
        (impl_->sql.prepare << "SELECT state, unit, COUNT(*) FROM dossiers WHERE year = :y"
                               " GROUP BY state, unit ORDER BY state, unit",
         soci::use(y));
    for (const auto& r : rs) out.push_back(CountRow{cell(r, 0), cell(r, 1), std::stoll(cell(r, 2))});
  } catch (const std::exception& e) {
    rethrow(e, "counting a cycle's dossiers");
  }
  return out;
}

}  // namespace ocop::store

// --- after recognition (spec §10): activities, participations, inspections -------------------

namespace ocop::store {
namespace {

void opt_text(const std::string& v, std::string& dst, soci::indicator& ind) {
  dst = v;
  ind = v.empty() ? soci::i_null : soci::i_ok;
}
std::string text_or_empty(const std::string& v, soci::indicator ind) { return ind == soci::i_ok ? v : ""; }
Date date_of(const std::string& s) { return parse_date(s).value_or(Date{}); }
void opt_date(const std::optional<Date>& d, std::string& dst, soci::indicator& ind) {
  dst = d ? format_date(*d) : std::string();
  ind = d ? soci::i_ok : soci::i_null;
}
std::optional<Date> date_or_none(const std::string& s, soci::indicator ind) {
  if (ind != soci::i_ok) return std::nullopt;
  return parse_date(s);
}
void opt_int(const std::optional<std::int64_t>& v, long long& dst, soci::indicator& ind) {
  dst = v.value_or(0);
  ind = v ? soci::i_ok : soci::i_null;
}
std::optional<std::int64_t> int_or_none(long long v, soci::indicator ind) {
  if (ind != soci::i_ok) return std::nullopt;
  return v;
}

// open_to: a JSON array of unit codes.
std::string units_json(const std::vector<std::string>& units) {
  return nlohmann::json(units).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
std::vector<std::string> units_from_json(const std::string& text) {
  std::vector<std::string> out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& u : j)
    if (u.is_string()) out.push_back(u.get<std::string>());
  return out;
}

void activity_to_row(const Activity& a, ActivityRow& r) {
  r.id = a.id;
  r.name = a.name;
  r.kind = a.kind;
  r.unit = a.unit;
  r.venue = a.venue;
  r.state = a.state;
  r.version = a.version;
  r.registration_opens = format_date(a.registration_opens);
  r.registration_closes = format_date(a.registration_closes);
  r.starts = format_date(a.starts);
  r.ends = format_date(a.ends);
  r.booths = a.booths;
  r.open_to = units_json(a.open_to);
  r.min_stars = a.policy.min_stars;
  r.max_booths_per_producer = a.policy.max_booths_per_producer;
  r.booth_fee_vnd = a.policy.booth_fee_vnd;
  r.support_percent = a.policy.support_percent;
  r.support_cap_vnd = a.policy.support_cap_vnd;
  opt_text(a.reason, r.reason, r.i_reason);
  r.created_at = ts(a.created_at);
  r.updated_at = ts(a.updated_at);
  r.state_since = ts(a.state_since);
}

Activity activity_from_row(const ActivityRow& r) {
  Activity a;
  a.id = r.id;
  a.name = r.name;
  a.kind = r.kind;
  a.unit = r.unit;
  a.venue = r.venue;
  a.state = r.state;
  a.version = r.version;
  a.registration_opens = date_of(r.registration_opens);
  a.registration_closes = date_of(r.registration_closes);
  a.starts = date_of(r.starts);
  a.ends = date_of(r.ends);
  a.booths = r.booths;
  a.open_to = units_from_json(r.open_to);
  a.policy.min_stars = r.min_stars;
  a.policy.max_booths_per_producer = r.max_booths_per_producer;
  a.policy.booth_fee_vnd = r.booth_fee_vnd;
  a.policy.support_percent = r.support_percent;
  a.policy.support_cap_vnd = r.support_cap_vnd;
  a.reason = text_or_empty(r.reason, r.i_reason);
  a.created_at = parse_ts(r.created_at);
  a.updated_at = parse_ts(r.updated_at);
  a.state_since = parse_ts(r.state_since);
  return a;
}

void participation_to_row(const Participation& p, ParticipationRow& r) {
  r.id = p.id;
  r.activity = p.activity;
  r.dossier = p.dossier;
  r.certificate = p.certificate;
  r.product = p.product;
  r.producer = p.producer;
  r.unit = p.unit;
  r.state = p.state;
  r.version = p.version;
  r.booths = p.booths;
  r.support_vnd = p.support_vnd;
  opt_int(p.revenue_vnd, r.revenue_vnd, r.i_revenue_vnd);
  opt_int(p.contracts, r.contracts, r.i_contracts);
  opt_int(p.buyers, r.buyers, r.i_buyers);
  opt_text(p.note, r.note, r.i_note);
  opt_text(p.reason, r.reason, r.i_reason);
  r.created_at = ts(p.created_at);
  r.updated_at = ts(p.updated_at);
  r.state_since = ts(p.state_since);
}

Participation participation_from_row(const ParticipationRow& r) {
  Participation p;
  p.id = r.id;
  p.activity = r.activity;
  p.dossier = r.dossier;
  p.certificate = r.certificate;
  p.product = r.product;
  p.producer = r.producer;
  p.unit = r.unit;
  p.state = r.state;
  p.version = r.version;
  p.booths = r.booths;
  p.support_vnd = r.support_vnd;
  p.revenue_vnd = int_or_none(r.revenue_vnd, r.i_revenue_vnd);
  p.contracts = int_or_none(r.contracts, r.i_contracts);
  p.buyers = int_or_none(r.buyers, r.i_buyers);
  p.note = text_or_empty(r.note, r.i_note);
  p.reason = text_or_empty(r.reason, r.i_reason);
  p.created_at = parse_ts(r.created_at);
  p.updated_at = parse_ts(r.updated_at);
  p.state_since = parse_ts(r.state_since);
  return p;
}

void inspection_to_row(const Inspection& i, InspectionRow& r) {
  r.id = i.id;
  r.certificate = i.certificate;
  r.dossier = i.dossier;
  r.product = i.product;
  r.unit = i.unit;
  r.level = i.level;
  r.state = i.state;
  r.version = i.version;
  r.due = format_date(i.due);
  opt_date(i.remedy_due, r.remedy_due, r.i_remedy_due);
  opt_date(i.recorded_on, r.recorded_on, r.i_recorded_on);
  opt_text(i.result, r.result, r.i_result);
  r.criteria = i.criteria;
  r.findings = i.findings;
  opt_text(i.team, r.team, r.i_team);
  opt_text(i.ground, r.ground, r.i_ground);
  opt_text(i.note, r.note, r.i_note);
  opt_text(i.reason, r.reason, r.i_reason);
  r.created_at = ts(i.created_at);
  r.updated_at = ts(i.updated_at);
  r.state_since = ts(i.state_since);
}

Inspection inspection_from_row(const InspectionRow& r) {
  Inspection i;
  i.id = r.id;
  i.certificate = r.certificate;
  i.dossier = r.dossier;
  i.product = r.product;
  i.unit = r.unit;
  i.level = r.level;
  i.state = r.state;
  i.version = r.version;
  i.due = date_of(r.due);
  i.remedy_due = date_or_none(r.remedy_due, r.i_remedy_due);
  i.recorded_on = date_or_none(r.recorded_on, r.i_recorded_on);
  i.result = text_or_empty(r.result, r.i_result);
  i.criteria = r.criteria;
  i.findings = r.findings;
  i.team = text_or_empty(r.team, r.i_team);
  i.ground = text_or_empty(r.ground, r.i_ground);
  i.note = text_or_empty(r.note, r.i_note);
  i.reason = text_or_empty(r.reason, r.i_reason);
  i.created_at = parse_ts(r.created_at);
  i.updated_at = parse_ts(r.updated_at);
  i.state_since = parse_ts(r.state_since);
  return i;
}

void prepare_statement(soci::statement& st, const std::string& q) {
  st.prepare(q);
  st.define_and_bind();
}

// Loads one row by id into `row` through a prepared statement cached in `slots` ([1]: FOR
// UPDATE, inside a write transaction on PostgreSQL). False when there is none.
template <class Row, class Columns>
bool load_row(soci::session& sql, bool lock, std::unique_ptr<soci::statement> (&slots)[2], Row& row,
              Columns columns, const char* table, std::string& id_buf, const std::string& id) {
  auto& slot = slots[lock ? 1 : 0];
  if (!slot) {
    auto fresh = std::make_unique<soci::statement>(sql);
    fresh->alloc();
    bind_into(*fresh, row, columns);
    fresh->exchange(soci::use(id_buf));
    prepare_statement(*fresh, "SELECT " + column_names(row, columns) + " FROM " + table + " WHERE id = :id" +
                                  (lock ? " FOR UPDATE" : ""));
    slot = std::move(fresh);  // cached only once prepared
  }
  id_buf = id;
  return slot->execute(true);
}

const char* const kDueColumns[] = {"registration_opens", "registration_closes", "starts", "ends"};

}  // namespace

bool SociStore::object_id_taken(const std::string& id) {
  if (!impl_->sqlite && !valid_utf8(id)) return false;
  auto& I = *impl_;
  try {
    if (!I.st_id_taken) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      fresh->exchange(soci::into(I.n));
      for (int i = 0; i < 5; ++i) fresh->exchange(soci::use(I.id_buf));
      // Five primary-key probes (an archived dossier's id stays taken); the first that finds the id answers.
      prepare_statement(
          *fresh,
          "SELECT 1 FROM dossiers WHERE id = :d UNION ALL SELECT 1 FROM activities WHERE id = :a"
          " UNION ALL SELECT 1 FROM participations WHERE id = :p"
          " UNION ALL SELECT 1 FROM inspections WHERE id = :i"
          " UNION ALL SELECT 1 FROM archived_dossiers WHERE id = :x LIMIT 1");
      I.st_id_taken = std::move(fresh);  // cached only once prepared
    }
    I.id_buf = id;
    if (!I.st_id_taken->execute(true)) return false;
    finish(*I.st_id_taken);
    return true;
  } catch (const std::exception& e) {
    rethrow(e, "looking up an id");
  }
}

std::int64_t SociStore::count_ids_with_prefix(const std::string& prefix) {
  if (!impl_->sqlite && !valid_utf8(prefix)) return 0;
  auto& I = *impl_;
  try {
    if (!I.st_id_prefix) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      fresh->exchange(soci::into(I.n));
      for (int i = 0; i < 2; ++i) {
        fresh->exchange(soci::use(I.lo_buf));
        fresh->exchange(soci::use(I.hi_buf));
      }
      // The ids that start with PREFIX + "-" are exactly those in [PREFIX-, PREFIX.) byte by
      // byte ('.' follows '-'): a range of each primary key, with no LIKE whose `_` and `%` a
      // unit code might hold. The id columns compare byte by byte on both backends (migration 7).
      prepare_statement(*fresh,
                        "SELECT (SELECT COUNT(*) FROM activities WHERE id >= :lo1 AND id < :hi1)"
                        " + (SELECT COUNT(*) FROM inspections WHERE id >= :lo2 AND id < :hi2)");
      I.st_id_prefix = std::move(fresh);  // cached only once prepared
    }
    I.lo_buf = prefix + "-";
    I.hi_buf = prefix + ".";
    I.n = 0;
    if (I.st_id_prefix->execute(true)) finish(*I.st_id_prefix);
    return I.n;
  } catch (const std::exception& e) {
    rethrow(e, "counting ids");
  }
}

std::optional<Activity> SociStore::load_activity(const std::string& id) {
  if (!impl_->sqlite && !valid_utf8(id)) return std::nullopt;
  auto& I = *impl_;
  try {
    if (!load_row(I.sql, I.in_tx && !I.sqlite, I.st_load_act, I.act, ActivityColumns{}, "activities",
                  I.id_buf, id))
      return std::nullopt;
    Activity a = activity_from_row(I.act);
    finish(*I.st_load_act[I.in_tx && !I.sqlite ? 1 : 0]);
    return a;
  } catch (const std::exception& e) {
    rethrow(e, "loading an activity");
  }
}

void SociStore::insert_activity(const Activity& a) {
  auto& I = *impl_;
  try {
    if (!I.st_insert_act) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      bind_use(*fresh, I.act, ActivityColumns{}, false);
      prepare_statement(*fresh, insert_sql("activities", I.act, ActivityColumns{}));
      I.st_insert_act = std::move(fresh);  // cached only once prepared
    }
    activity_to_row(a, I.act);
    I.st_insert_act->execute(true);
  } catch (const std::exception& e) {
    rethrow(e, "inserting an activity");
  }
}

bool SociStore::update_activity(const Activity& a, std::int64_t expected_version) {
  auto& I = *impl_;
  try {
    if (!I.st_update_act) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      bind_use(*fresh, I.act, ActivityColumns{}, true);
      fresh->exchange(soci::use(I.act.id));
      fresh->exchange(soci::use(I.act.expected));
      prepare_statement(*fresh, update_sql("activities", I.act, ActivityColumns{}));
      I.st_update_act = std::move(fresh);  // cached only once prepared
    }
    activity_to_row(a, I.act);
    I.act.expected = expected_version;
    I.st_update_act->execute(true);
    return I.st_update_act->get_affected_rows() == 1;
  } catch (const std::exception& e) {
    rethrow(e, "updating an activity");
  }
}

std::vector<Activity> SociStore::activities(const ActivityFilter& f) {
  auto& I = *impl_;
  if (!all_utf8(I.sqlite, {&f.state}, {&f.units, &f.states})) return {};
  std::vector<Activity> out;
  try {
    // Bound by reference: these live until the statement is done and never move.
    const std::string state = f.state;
    const std::vector<std::string> units = f.units, states = f.states;
    std::string y0, y1, from, to;
    soci::statement st(I.sql);
    st.alloc();
    bind_into(st, I.act, ActivityColumns{});
    std::string q = "SELECT " + column_names(I.act, ActivityColumns{}) + " FROM activities WHERE 1=1";
    if (!state.empty()) {
      q += " AND state = :state";
      st.exchange(soci::use(state));
    }
    if (!states.empty()) in_list(q, st, "state", states);
    if (!units.empty()) in_list(q, st, "unit", units);
    if (f.year) {
      y0 = format_date(make_date(f.year, 1, 1));
      y1 = format_date(make_date(f.year, 12, 31));
      q += " AND starts >= :y0 AND starts <= :y1";
      st.exchange(soci::use(y0));
      st.exchange(soci::use(y1));
    }
    if (f.day_from || f.day_to) {
      if (f.day_from) from = format_date(*f.day_from);
      if (f.day_to) to = format_date(*f.day_to);
      q += " AND (";
      bool first = true;
      for (const char* column : kDueColumns) {
        q += first ? "(" : " OR (";
        first = false;
        if (f.day_from) {
          q += std::string(column) + " >= :from_" + column;
          st.exchange(soci::use(from));
        }
        if (f.day_to) {
          q += std::string(f.day_from ? " AND " : "") + column + " <= :to_" + column;
          st.exchange(soci::use(to));
        }
        q += ")";
      }
      q += ")";
    }
    q += " ORDER BY starts, id";
    if (f.limit > 0) q += " LIMIT " + std::to_string(f.limit);
    prepare_statement(st, q);
    if (st.execute(true)) {
      do {
        out.push_back(activity_from_row(I.act));
      } while (st.fetch());
    }
  } catch (const std::exception& e) {
    rethrow(e, "listing activities");
  }
  return out;
}

std::vector<Activity> SociStore::activities_due(const std::vector<std::string>& states,
                                                const std::string& column, Date day) {
  auto& I = *impl_;
  if (std::find(std::begin(kDueColumns), std::end(kDueColumns), column) == std::end(kDueColumns))
    throw StoreError("activities_due: \"" + column + "\" is not one of an activity's dates", false);
  if (states.empty() || !all_utf8(I.sqlite, {}, {&states})) return {};
  std::vector<Activity> out;
  try {
    const std::vector<std::string> names = states;  // bound by reference
    const std::string until = format_date(day);
    soci::statement st(I.sql);
    st.alloc();
    bind_into(st, I.act, ActivityColumns{});
    // `state IN (...)` and a range on the date: the index (state, column) of migration 7.
    std::string q = "SELECT " + column_names(I.act, ActivityColumns{}) + " FROM activities WHERE 1=1";
    in_list(q, st, "state", names);
    q += " AND " + column + " <= :day ORDER BY " + column + ", id";
    st.exchange(soci::use(until));
    prepare_statement(st, q);
    if (st.execute(true)) {
      do {
        out.push_back(activity_from_row(I.act));
      } while (st.fetch());
    }
  } catch (const std::exception& e) {
    rethrow(e, "listing activities due");
  }
  return out;
}

std::optional<Participation> SociStore::load_participation(const std::string& id) {
  if (!impl_->sqlite && !valid_utf8(id)) return std::nullopt;
  auto& I = *impl_;
  try {
    if (!load_row(I.sql, I.in_tx && !I.sqlite, I.st_load_par, I.par, ParticipationColumns{}, "participations",
                  I.id_buf, id))
      return std::nullopt;
    Participation p = participation_from_row(I.par);
    finish(*I.st_load_par[I.in_tx && !I.sqlite ? 1 : 0]);
    return p;
  } catch (const std::exception& e) {
    rethrow(e, "loading a participation");
  }
}

void SociStore::insert_participation(const Participation& p) {
  auto& I = *impl_;
  try {
    if (!I.st_insert_par) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      bind_use(*fresh, I.par, ParticipationColumns{}, false);
      prepare_statement(*fresh, insert_sql("participations", I.par, ParticipationColumns{}));
      I.st_insert_par = std::move(fresh);  // cached only once prepared
    }
    participation_to_row(p, I.par);
    I.st_insert_par->execute(true);
  } catch (const std::exception& e) {
    rethrow(e, "inserting a participation");
  }
}

bool SociStore::update_participation(const Participation& p, std::int64_t expected_version) {
  auto& I = *impl_;
  try {
    if (!I.st_update_par) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      bind_use(*fresh, I.par, ParticipationColumns{}, true);
      fresh->exchange(soci::use(I.par.id));
      fresh->exchange(soci::use(I.par.expected));
      prepare_statement(*fresh, update_sql("participations", I.par, ParticipationColumns{}));
      I.st_update_par = std::move(fresh);  // cached only once prepared
    }
    participation_to_row(p, I.par);
    I.par.expected = expected_version;
    I.st_update_par->execute(true);
    return I.st_update_par->get_affected_rows() == 1;
  } catch (const std::exception& e) {
    rethrow(e, "updating a participation");
  }
}

std::vector<Participation> SociStore::participations(const ParticipationFilter& f) {
  auto& I = *impl_;
  if (!all_utf8(I.sqlite, {&f.activity, &f.certificate, &f.dossier, &f.producer},
                {&f.states, &f.activity_states, &f.units}))
    return {};
  std::vector<Participation> out;
  try {
    const std::string activity = f.activity, certificate = f.certificate, dossier = f.dossier,
                      producer = f.producer;
    const std::vector<std::string> states = f.states, activity_states = f.activity_states, units = f.units;
    std::string ends;
    const bool join = !activity_states.empty() || f.ends_on_or_before.has_value();
    soci::statement st(I.sql);
    st.alloc();
    bind_into(st, I.par, ParticipationColumns{});
    std::string q = "SELECT " + column_names(I.par, ParticipationColumns{}, "p.") + " FROM participations p";
    if (join) q += " JOIN activities a ON a.id = p.activity";
    q += " WHERE 1=1";
    if (!activity.empty()) {
      q += " AND p.activity = :activity";
      st.exchange(soci::use(activity));
    }
    if (!certificate.empty()) {
      q += " AND p.certificate = :certificate";
      st.exchange(soci::use(certificate));
    }
    if (!dossier.empty()) {
      q += " AND p.dossier = :dossier";
      st.exchange(soci::use(dossier));
    }
    if (!producer.empty()) {
      q += " AND p.producer = :producer";
      st.exchange(soci::use(producer));
    }
    if (!states.empty()) in_list(q, st, "p.state", states);
    if (!activity_states.empty()) in_list(q, st, "a.state", activity_states);
    if (!units.empty()) in_list(q, st, "p.unit", units);
    if (f.ends_on_or_before) {
      ends = format_date(*f.ends_on_or_before);
      q += " AND a.ends <= :ends";
      st.exchange(soci::use(ends));
    }
    q += " ORDER BY p.activity, p.id";
    if (f.limit > 0) q += " LIMIT " + std::to_string(f.limit);
    prepare_statement(st, q);
    if (st.execute(true)) {
      do {
        out.push_back(participation_from_row(I.par));
      } while (st.fetch());
    }
  } catch (const std::exception& e) {
    rethrow(e, "listing participations");
  }
  return out;
}

std::optional<Inspection> SociStore::load_inspection(const std::string& id) {
  if (!impl_->sqlite && !valid_utf8(id)) return std::nullopt;
  auto& I = *impl_;
  try {
    if (!load_row(I.sql, I.in_tx && !I.sqlite, I.st_load_ins, I.ins, InspectionColumns{}, "inspections",
                  I.id_buf, id))
      return std::nullopt;
    Inspection i = inspection_from_row(I.ins);
    finish(*I.st_load_ins[I.in_tx && !I.sqlite ? 1 : 0]);
    return i;
  } catch (const std::exception& e) {
    rethrow(e, "loading an inspection");
  }
}

void SociStore::insert_inspection(const Inspection& i) {
  auto& I = *impl_;
  try {
    if (!I.st_insert_ins) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      bind_use(*fresh, I.ins, InspectionColumns{}, false);
      prepare_statement(*fresh, insert_sql("inspections", I.ins, InspectionColumns{}));
      I.st_insert_ins = std::move(fresh);  // cached only once prepared
    }
    inspection_to_row(i, I.ins);
    I.st_insert_ins->execute(true);
  } catch (const std::exception& e) {
    rethrow(e, "inserting an inspection");
  }
}

bool SociStore::update_inspection(const Inspection& i, std::int64_t expected_version) {
  auto& I = *impl_;
  try {
    if (!I.st_update_ins) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      bind_use(*fresh, I.ins, InspectionColumns{}, true);
      fresh->exchange(soci::use(I.ins.id));
      fresh->exchange(soci::use(I.ins.expected));
      prepare_statement(*fresh, update_sql("inspections", I.ins, InspectionColumns{}));
      I.st_update_ins = std::move(fresh);  // cached only once prepared
    }
    inspection_to_row(i, I.ins);
    I.ins.expected = expected_version;
    I.st_update_ins->execute(true);
    return I.st_update_ins->get_affected_rows() == 1;
  } catch (const std::exception& e) {
    rethrow(e, "updating an inspection");
  }
}

std::vector<Inspection> SociStore::inspections(const InspectionFilter& f) {
  auto& I = *impl_;
  if (!all_utf8(I.sqlite, {&f.state, &f.certificate}, {&f.units, &f.states})) return {};
  std::vector<Inspection> out;
  try {
    const std::string state = f.state, certificate = f.certificate;
    const std::vector<std::string> units = f.units, states = f.states;
    std::string y0, y1, due_from, due_to, remedy_from, remedy_to;
    soci::statement st(I.sql);
    st.alloc();
    bind_into(st, I.ins, InspectionColumns{});
    std::string q = "SELECT " + column_names(I.ins, InspectionColumns{}) + " FROM inspections WHERE 1=1";
    auto bound = [&](const char* condition, std::string& buf, const std::optional<Date>& d) {
      if (!d) return;
      buf = format_date(*d);
      q += condition;
      st.exchange(soci::use(buf));
    };
    if (!state.empty()) {
      q += " AND state = :state";
      st.exchange(soci::use(state));
    }
    if (!states.empty()) in_list(q, st, "state", states);
    if (!units.empty()) in_list(q, st, "unit", units);
    if (!certificate.empty()) {
      q += " AND certificate = :certificate";
      st.exchange(soci::use(certificate));
    }
    if (f.year) {
      bound(" AND due >= :y0", y0, make_date(f.year, 1, 1));
      bound(" AND due <= :y1", y1, make_date(f.year, 12, 31));
    }
    bound(" AND due >= :due_from", due_from, f.due_from);
    bound(" AND due <= :due_to", due_to, f.due_to);
    bound(" AND remedy_due >= :remedy_from", remedy_from, f.remedy_due_from);
    bound(" AND remedy_due <= :remedy_to", remedy_to, f.remedy_due_to);
    q += " ORDER BY due, id";
    if (f.limit > 0) q += " LIMIT " + std::to_string(f.limit);
    prepare_statement(st, q);
    if (st.execute(true)) {
      do {
        out.push_back(inspection_from_row(I.ins));
      } while (st.fetch());
    }
  } catch (const std::exception& e) {
    rethrow(e, "listing inspections");
  }
  return out;
}

}  // namespace ocop::store

// --- accounts (migration 8) --------------------------------------------------------------------
// Few rows and few calls (a sign-in, a session check per request at most once a minute written):
// one-shot statements, not the cached ones of the event path.

namespace ocop::store {
namespace {

std::optional<Instant> opt_ts(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return parse_ts(s);
}

Account account_from_row(const soci::row& r) {
  Account a;
  a.user = cell(r, 0);
  a.version = std::stoll(cell(r, 1));
  a.password_hash = cell(r, 2);
  a.password_set_at = opt_ts(cell(r, 3));
  a.failures = static_cast<int>(std::stoll(cell(r, 4)));
  a.locked_until = opt_ts(cell(r, 5));
  a.totp_secret = cell(r, 6);
  a.totp_last_step = std::stoll(cell(r, 7));
  a.created_at = parse_ts(cell(r, 8));
  a.updated_at = parse_ts(cell(r, 9));
  return a;
}

StoredSession session_from_row(const soci::row& r) {
  StoredSession s;
  s.id_hash = cell(r, 0);
  s.user = cell(r, 1);
  s.created_at = parse_ts(cell(r, 2));
  s.last_seen = parse_ts(cell(r, 3));
  s.expires_at = parse_ts(cell(r, 4));
  s.second_factor = cell(r, 5) == "1";
  s.address = cell(r, 6);
  return s;
}

ApiToken token_from_row(const soci::row& r) {
  ApiToken t;
  t.id = cell(r, 0);
  t.hash = cell(r, 1);
  t.user = cell(r, 2);
  t.created_at = parse_ts(cell(r, 3));
  t.expires_at = parse_ts(cell(r, 4));
  t.revoked_at = opt_ts(cell(r, 5));
  t.note = cell(r, 6);
  t.created_by = cell(r, 7);
  return t;
}

Invitation invitation_from_row(const soci::row& r) {
  Invitation i;
  i.hash = cell(r, 0);
  i.user = cell(r, 1);
  i.created_at = parse_ts(cell(r, 2));
  i.expires_at = parse_ts(cell(r, 3));
  i.used_at = opt_ts(cell(r, 4));
  return i;
}

const char* const kAccountColumns =
    "id, version, password_hash, password_set_at, failures, locked_until, totp_secret, totp_last_step, created_at,"
    " updated_at";
const char* const kSessionColumns = "id_hash, user_id, created_at, last_seen, expires_at, second_factor, address";
const char* const kTokenColumns = "id, hash, user_id, created_at, expires_at, revoked_at, note, created_by";
const char* const kInvitationColumns = "hash, user_id, created_at, expires_at, used_at";

// Text or NULL (empty).
struct NullableText {
  std::string value;
  soci::indicator ind;
  explicit NullableText(std::string v) : value(std::move(v)), ind(value.empty() ? soci::i_null : soci::i_ok) {}
  explicit NullableText(const std::optional<Instant>& t)
      : value(t ? ts(*t) : std::string()), ind(t ? soci::i_ok : soci::i_null) {}
};

}  // namespace

void SociStore::create_account(const std::string& user, Instant now) {
  try {
    std::string id = user, at = ts(now);
    impl_->sql << "INSERT INTO accounts (id, version, failures, totp_last_step, created_at, updated_at)"
                  " VALUES (:id, 0, 0, 0, :c, :u) ON CONFLICT (id) DO NOTHING",
        soci::use(id), soci::use(at), soci::use(at);
  } catch (const std::exception& e) {
    rethrow(e, "creating an account");
  }
}

std::optional<Account> SociStore::load_account(const std::string& user) {
  if (!impl_->sqlite && !valid_utf8(user)) return std::nullopt;
  try {
    std::string id = user;
    soci::row r;
    impl_->sql << std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE id = :id" +
                      (impl_->in_tx && !impl_->sqlite ? " FOR UPDATE" : ""),
        soci::use(id), soci::into(r);
    if (!impl_->sql.got_data()) return std::nullopt;
    return account_from_row(r);
  } catch (const std::exception& e) {
    rethrow(e, "loading an account");
  }
}

void SociStore::update_account(const Account& a) {
  try {
    std::string id = a.user, updated = ts(a.updated_at);
    long long version = a.version, step = a.totp_last_step;
    int failures = a.failures;
    NullableText hash(a.password_hash), set_at(a.password_set_at), locked(a.locked_until), totp(a.totp_secret);
    impl_->sql << "UPDATE accounts SET version = :v, password_hash = :h, password_set_at = :s, failures = :f,"
                  " locked_until = :l, totp_secret = :t, totp_last_step = :st, updated_at = :u WHERE id = :id",
        soci::use(version), soci::use(hash.value, hash.ind), soci::use(set_at.value, set_at.ind), soci::use(failures),
        soci::use(locked.value, locked.ind), soci::use(totp.value, totp.ind), soci::use(step), soci::use(updated),
        soci::use(id);
  } catch (const std::exception& e) {
    rethrow(e, "updating an account");
  }
}

std::optional<StoredSession> SociStore::load_session(const std::string& id_hash) {
  if (!impl_->sqlite && !valid_utf8(id_hash)) return std::nullopt;
  try {
    std::string h = id_hash;
    soci::row r;
    impl_->sql << std::string("SELECT ") + kSessionColumns + " FROM sessions WHERE id_hash = :h", soci::use(h),
        soci::into(r);
    if (!impl_->sql.got_data()) return std::nullopt;
    return session_from_row(r);
  } catch (const std::exception& e) {
    rethrow(e, "loading a session");
  }
}

void SociStore::insert_session(const StoredSession& s) {
  try {
    std::string h = s.id_hash, user = s.user, c = ts(s.created_at), l = ts(s.last_seen), x = ts(s.expires_at);
    int second = s.second_factor ? 1 : 0;
    NullableText address(s.address);
    impl_->sql << "INSERT INTO sessions (id_hash, user_id, created_at, last_seen, expires_at, second_factor, address)"
                  " VALUES (:h, :u, :c, :l, :x, :s, :a)",
        soci::use(h), soci::use(user), soci::use(c), soci::use(l), soci::use(x), soci::use(second),
        soci::use(address.value, address.ind);
  } catch (const std::exception& e) {
    rethrow(e, "inserting a session");
  }
}

void SociStore::touch_session(const std::string& id_hash, Instant last_seen) {
  try {
    std::string h = id_hash, l = ts(last_seen);
    impl_->sql << "UPDATE sessions SET last_seen = :l WHERE id_hash = :h AND last_seen < :l2", soci::use(l),
        soci::use(h), soci::use(l);
  } catch (const std::exception& e) {
    rethrow(e, "touching a session");
  }
}

int SociStore::delete_session(const std::string& id_hash) {
  try {
    std::string h = id_hash;
    soci::statement st = (impl_->sql.prepare << "DELETE FROM sessions WHERE id_hash = :h", soci::use(h));
    st.execute(true);
    return static_cast<int>(st.get_affected_rows());
  } catch (const std::exception& e) {
    rethrow(e, "deleting a session");
  }
}

int SociStore::delete_sessions_of(const std::string& user) {
  try {
    std::string u = user;
    soci::statement st = (impl_->sql.prepare << "DELETE FROM sessions WHERE user_id = :u", soci::use(u));
    st.execute(true);
    return static_cast<int>(st.get_affected_rows());
  } catch (const std::exception& e) {
    rethrow(e, "deleting sessions");
  }
}

int SociStore::delete_sessions_expired(Instant now, Instant idle_before) {
  try {
    std::string n = ts(now), i = ts(idle_before);
    soci::statement st =
        (impl_->sql.prepare << "DELETE FROM sessions WHERE expires_at <= :n OR last_seen <= :i", soci::use(n),
         soci::use(i));
    st.execute(true);
    return static_cast<int>(st.get_affected_rows());
  } catch (const std::exception& e) {
    rethrow(e, "deleting expired sessions");
  }
}

std::optional<ApiToken> SociStore::load_token(const std::string& id) {
  if (!impl_->sqlite && !valid_utf8(id)) return std::nullopt;
  try {
    std::string k = id;
    soci::row r;
    impl_->sql << std::string("SELECT ") + kTokenColumns + " FROM api_tokens WHERE id = :id" +
                      (impl_->in_tx && !impl_->sqlite ? " FOR UPDATE" : ""),
        soci::use(k), soci::into(r);
    if (!impl_->sql.got_data()) return std::nullopt;
    return token_from_row(r);
  } catch (const std::exception& e) {
    rethrow(e, "loading a token");
  }
}

std::optional<ApiToken> SociStore::load_token_by_hash(const std::string& hash) {
  if (!impl_->sqlite && !valid_utf8(hash)) return std::nullopt;
  auto& I = *impl_;
  auto& t = I.tok;
  try {
    if (!I.st_token_by_hash) {
      auto fresh = std::make_unique<soci::statement>(I.sql);
      fresh->alloc();
      fresh->exchange(soci::into(t.id));
      fresh->exchange(soci::into(t.user));
      fresh->exchange(soci::into(t.created));
      fresh->exchange(soci::into(t.expires));
      fresh->exchange(soci::into(t.revoked, t.revoked_ind));
      fresh->exchange(soci::into(t.note, t.note_ind));
      fresh->exchange(soci::into(t.by, t.by_ind));
      fresh->exchange(soci::use(t.hash));
      I.prepare(*fresh,
                "SELECT id, user_id, created_at, expires_at, revoked_at, note, created_by FROM api_tokens "
                "WHERE hash = :h");
      I.st_token_by_hash = std::move(fresh);  // cached only once prepared
    }
    t.hash = hash;
    if (!I.st_token_by_hash->execute(true)) return std::nullopt;
    ApiToken out;
    out.id = t.id;
    out.hash = hash;
    out.user = t.user;
    out.created_at = parse_ts(t.created);
    out.expires_at = parse_ts(t.expires);
    out.revoked_at = t.revoked_ind == soci::i_ok ? opt_ts(t.revoked) : std::nullopt;
    out.note = t.note_ind == soci::i_ok ? t.note : std::string();
    out.created_by = t.by_ind == soci::i_ok ? t.by : std::string();
    finish(*I.st_token_by_hash);
    return out;
  } catch (const std::exception& e) {
    rethrow(e, "loading a token");
  }
}

void SociStore::insert_token(const ApiToken& t) {
  try {
    std::string id = t.id, h = t.hash, u = t.user, c = ts(t.created_at), x = ts(t.expires_at), by = t.created_by;
    NullableText revoked(t.revoked_at), note(t.note);
    impl_->sql << "INSERT INTO api_tokens (id, hash, user_id, created_at, expires_at, revoked_at, note, created_by)"
                  " VALUES (:id, :h, :u, :c, :x, :r, :n, :b)",
        soci::use(id), soci::use(h), soci::use(u), soci::use(c), soci::use(x), soci::use(revoked.value, revoked.ind),
        soci::use(note.value, note.ind), soci::use(by);
  } catch (const std::exception& e) {
    rethrow(e, "inserting a token");
  }
}

bool SociStore::revoke_token(const std::string& id, Instant at) {
  try {
    std::string k = id, a = ts(at);
    soci::statement st =
        (impl_->sql.prepare << "UPDATE api_tokens SET revoked_at = :a WHERE id = :id AND revoked_at IS NULL",
         soci::use(a), soci::use(k));
    st.execute(true);
    return st.get_affected_rows() == 1;
  } catch (const std::exception& e) {
    rethrow(e, "revoking a token");
  }
}

std::vector<ApiToken> SociStore::tokens_of(const std::string& user) {
  std::vector<ApiToken> out;
  if (!impl_->sqlite && !valid_utf8(user)) return out;
  try {
    std::string u = user;
    const std::string q = std::string("SELECT ") + kTokenColumns + " FROM api_tokens WHERE user_id = :u OR :all = 1"
                                                                   " ORDER BY created_at, id";
    int all = user.empty() ? 1 : 0;
    soci::rowset<soci::row> rs = (impl_->sql.prepare << q, soci::use(u), soci::use(all));
    for (const auto& r : rs) out.push_back(token_from_row(r));
  } catch (const std::exception& e) {
    rethrow(e, "listing tokens");
  }
  return out;
}

std::vector<StoredSession> SociStore::sessions_of(const std::string& user) {
  std::vector<StoredSession> out;
  if (!impl_->sqlite && !valid_utf8(user)) return out;
  try {
    std::string u = user;
    soci::rowset<soci::row> rs =
        (impl_->sql.prepare << std::string("SELECT ") + kSessionColumns +
                                   " FROM sessions WHERE user_id = :u ORDER BY created_at, id_hash",
         soci::use(u));
    for (const auto& r : rs) out.push_back(session_from_row(r));
  } catch (const std::exception& e) {
    rethrow(e, "listing sessions");
  }
  return out;
}

std::optional<Invitation> SociStore::load_invitation(const std::string& hash) {
  if (!impl_->sqlite && !valid_utf8(hash)) return std::nullopt;
  try {
    std::string h = hash;
    soci::row r;
    impl_->sql << std::string("SELECT ") + kInvitationColumns + " FROM invitations WHERE hash = :h" +
                      (impl_->in_tx && !impl_->sqlite ? " FOR UPDATE" : ""),
        soci::use(h), soci::into(r);
    if (!impl_->sql.got_data()) return std::nullopt;
    return invitation_from_row(r);
  } catch (const std::exception& e) {
    rethrow(e, "loading an invitation");
  }
}

void SociStore::insert_invitation(const Invitation& i) {
  try {
    std::string h = i.hash, u = i.user, c = ts(i.created_at), x = ts(i.expires_at);
    NullableText used(i.used_at);
    impl_->sql << "INSERT INTO invitations (hash, user_id, created_at, expires_at, used_at)"
                  " VALUES (:h, :u, :c, :x, :used)",
        soci::use(h), soci::use(u), soci::use(c), soci::use(x), soci::use(used.value, used.ind);
  } catch (const std::exception& e) {
    rethrow(e, "inserting an invitation");
  }
}

bool SociStore::use_invitation(const std::string& hash, Instant at) {
  try {
    std::string h = hash, a = ts(at);
    soci::statement st =
        (impl_->sql.prepare << "UPDATE invitations SET used_at = :a WHERE hash = :h AND used_at IS NULL",
         soci::use(a), soci::use(h));
    st.execute(true);
    return st.get_affected_rows() == 1;
  } catch (const std::exception& e) {
    rethrow(e, "using an invitation");
  }
}

int SociStore::delete_unused_invitations(const std::string& user) {
  try {
    std::string u = user;
    soci::statement st =
        (impl_->sql.prepare << "DELETE FROM invitations WHERE user_id = :u AND used_at IS NULL", soci::use(u));
    st.execute(true);
    return static_cast<int>(st.get_affected_rows());
  } catch (const std::exception& e) {
    rethrow(e, "deleting invitations");
  }
}

void SociStore::record_login_failure(const std::string& address, const std::string& user, Instant at) {
  try {
    std::string ad = address, u = user, a = ts(at);
    impl_->sql << "INSERT INTO login_failures (address, user_name, at) VALUES (:ad, :u, :a)", soci::use(ad),
        soci::use(u), soci::use(a);
  } catch (const std::exception& e) {
    rethrow(e, "recording a failed sign-in");
  }
}

std::int64_t SociStore::count_login_failures(const std::string& address, Instant since) {
  if (!impl_->sqlite && !valid_utf8(address)) return 0;
  try {
    std::string ad = address, s = ts(since);
    long long n = 0;
    impl_->sql << "SELECT COUNT(*) FROM login_failures WHERE address = :ad AND at >= :s", soci::use(ad),
        soci::use(s), soci::into(n);
    return n;
  } catch (const std::exception& e) {
    rethrow(e, "counting failed sign-ins");
  }
}

int SociStore::purge_login_failures(Instant before) {
  try {
    std::string b = ts(before);
    soci::statement st = (impl_->sql.prepare << "DELETE FROM login_failures WHERE at < :b", soci::use(b));
    st.execute(true);
    return static_cast<int>(st.get_affected_rows());
  } catch (const std::exception& e) {
    rethrow(e, "purging failed sign-ins");
  }
}

}  // namespace ocop::store
