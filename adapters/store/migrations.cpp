#include "store/migrations.hpp"

#include "ocop/search.hpp"

namespace ocop::store {

namespace {

// Migration 7 (spec §10). Dates are calendar days as text (YYYY-MM-DD, as certificates'
// valid_until), instants as text as on dossiers, money in whole đồng as BIGINT, states as their
// public names. The columns that order rows or bound a range of ids (count_ids_with_prefix) are
// COLLATE BINARY, SQLite's default, spelled out so that PostgreSQL gets COLLATE "C": both then
// compare them byte by byte, as the in-memory store does, whatever the database's collation.
// The indexes serve the filters of PromotionStore (store.hpp) and the scheduler's
// activities_due (each date column with the state). Neither text list is filtered on: open_to
// is a JSON array of unit codes, criteria and findings JSON as the engine writes them.
std::vector<std::string> after_recognition(bool postgresql) {
  std::vector<std::string> sql = {
      "CREATE TABLE activities ("
      " id TEXT COLLATE BINARY PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, unit TEXT NOT NULL,"
      " venue TEXT NOT NULL, state TEXT NOT NULL, version BIGINT NOT NULL,"
      " registration_opens TEXT NOT NULL, registration_closes TEXT NOT NULL,"
      " starts TEXT NOT NULL, ends TEXT NOT NULL, booths INTEGER NOT NULL, open_to TEXT NOT NULL,"
      " min_stars INTEGER NOT NULL, max_booths_per_producer INTEGER NOT NULL,"
      " booth_fee_vnd BIGINT NOT NULL, support_percent INTEGER NOT NULL, support_cap_vnd BIGINT NOT NULL,"
      " reason TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, state_since TEXT NOT NULL)",
      "CREATE INDEX activities_state ON activities (state, starts)",
      "CREATE INDEX activities_unit ON activities (unit)",
      "CREATE INDEX activities_opens ON activities (state, registration_opens)",
      "CREATE INDEX activities_closes ON activities (state, registration_closes)",
      "CREATE INDEX activities_ends ON activities (state, ends)",
      // One product at one activity: id ACTIVITY/DOSSIER, so a dossier applies to an activity
      // once; the unique (activity, dossier) says so in the schema too.
      "CREATE TABLE participations ("
      " id TEXT COLLATE BINARY PRIMARY KEY, activity TEXT COLLATE BINARY NOT NULL, dossier TEXT NOT NULL,"
      " certificate TEXT NOT NULL, product TEXT NOT NULL, producer TEXT NOT NULL, unit TEXT NOT NULL,"
      " state TEXT NOT NULL, version BIGINT NOT NULL, booths INTEGER NOT NULL, support_vnd BIGINT NOT NULL,"
      " revenue_vnd BIGINT, contracts BIGINT, buyers BIGINT, note TEXT, reason TEXT,"
      " created_at TEXT NOT NULL, updated_at TEXT NOT NULL, state_since TEXT NOT NULL)",
      "CREATE UNIQUE INDEX participations_activity_dossier ON participations (activity, dossier)",
      "CREATE INDEX participations_activity ON participations (activity, state)",
      "CREATE INDEX participations_certificate ON participations (certificate, state)",
      "CREATE INDEX participations_dossier ON participations (dossier)",
      "CREATE INDEX participations_producer ON participations (activity, producer)",
      "CREATE TABLE inspections ("
      " id TEXT COLLATE BINARY PRIMARY KEY, certificate TEXT NOT NULL, dossier TEXT NOT NULL,"
      " product TEXT NOT NULL, unit TEXT NOT NULL, level TEXT NOT NULL, state TEXT NOT NULL,"
      " version BIGINT NOT NULL, due TEXT NOT NULL, remedy_due TEXT, recorded_on TEXT, result TEXT,"
      " criteria TEXT NOT NULL, findings TEXT NOT NULL, team TEXT, ground TEXT, note TEXT, reason TEXT,"
      " created_at TEXT NOT NULL, updated_at TEXT NOT NULL, state_since TEXT NOT NULL)",
      "CREATE INDEX inspections_certificate ON inspections (certificate, state)",
      "CREATE INDEX inspections_due ON inspections (state, due)",
      "CREATE INDEX inspections_remedy_due ON inspections (state, remedy_due)",
      "CREATE INDEX inspections_unit ON inspections (unit)",
  };
  if (postgresql)
    for (auto& q : sql)
      for (std::size_t at; (at = q.find("COLLATE BINARY")) != std::string::npos;)
        q.replace(at, 14, "COLLATE \"C\"");
  return sql;
}

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
      {1,
       "dossiers, scoresheets, documents, certificates, audit trail, idempotency keys, meta",
       {
           "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
           // Business data people filter on lives in typed, indexed columns. Only the state index
           // carries the state: the others do not change (and cost no write) when a dossier moves.
           "CREATE TABLE dossiers ("
           " id TEXT PRIMARY KEY, state TEXT NOT NULL, version BIGINT NOT NULL,"
           " unit TEXT NOT NULL, product TEXT NOT NULL, product_set TEXT NOT NULL,"
           " producer TEXT NOT NULL, year INTEGER NOT NULL, rule_set TEXT, level_index INTEGER NOT NULL,"
           " level TEXT, registration_type TEXT, base_certificate TEXT, score DOUBLE PRECISION,"
           " stars INTEGER, certificate TEXT, round TEXT, assessment TEXT,"
           " created_at TEXT NOT NULL, updated_at TEXT NOT NULL, state_since TEXT NOT NULL)",
           "CREATE INDEX dossiers_state ON dossiers (state, state_since)",
           "CREATE INDEX dossiers_unit ON dossiers (unit)",
           "CREATE INDEX dossiers_level ON dossiers (level)",
           "CREATE INDEX dossiers_year ON dossiers (year)",
           "CREATE INDEX dossiers_product_set ON dossiers (product_set)",
           "CREATE INDEX dossiers_stars ON dossiers (stars)",
           "CREATE TABLE scoresheets ("
           " dossier TEXT NOT NULL, level TEXT NOT NULL, member TEXT NOT NULL,"
           " a DOUBLE PRECISION NOT NULL, b DOUBLE PRECISION NOT NULL, c DOUBLE PRECISION NOT NULL,"
           " PRIMARY KEY (dossier, level, member)) WITHOUT ROWID",
           "CREATE TABLE documents ("
           " dossier TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, sha256 TEXT NOT NULL,"
           " bytes BIGINT NOT NULL, at TEXT NOT NULL)",
           "CREATE INDEX documents_dossier ON documents (dossier, kind)",
           "CREATE INDEX documents_sha256 ON documents (sha256)",
           "CREATE TABLE certificates ("
           " id TEXT PRIMARY KEY, dossier TEXT NOT NULL, product TEXT NOT NULL,"
           " product_set TEXT NOT NULL, unit TEXT NOT NULL, stars INTEGER NOT NULL, level TEXT NOT NULL,"
           " decision_no TEXT NOT NULL, decision_date TEXT NOT NULL, issued_on TEXT NOT NULL,"
           " valid_until TEXT NOT NULL, state TEXT NOT NULL, superseded_by TEXT) WITHOUT ROWID",
           "CREATE INDEX certificates_state ON certificates (state, valid_until)",
           "CREATE INDEX certificates_unit ON certificates (unit, state)",
           "CREATE INDEX certificates_dossier ON certificates (dossier)",
           // The audit trail. Append-only: the engine never updates or deletes a row. In SQLite
           // `seq INTEGER PRIMARY KEY` is the table's own key (no second B-tree to write).
           "CREATE TABLE audit ("
           " seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL,"
           " dossier TEXT NOT NULL, event TEXT NOT NULL, from_state TEXT NOT NULL,"
           " to_state TEXT NOT NULL, level TEXT NOT NULL, data TEXT NOT NULL,"
           " prev_hash TEXT NOT NULL, hash TEXT NOT NULL)",
           "CREATE INDEX audit_dossier ON audit (dossier, seq)",
           // The first result of a keyed event: which dossier, and the state and version it reached.
           "CREATE TABLE idempotency (key TEXT PRIMARY KEY, dossier TEXT NOT NULL, result TEXT NOT NULL)"
           " WITHOUT ROWID",
       },
       {}},
      {2,
       "certificate revocation; dossiers by product and by the certificate they build on",
       {
           "ALTER TABLE certificates ADD COLUMN revocation_ground TEXT",
           "ALTER TABLE certificates ADD COLUMN revocation_decision_no TEXT",
           "ALTER TABLE certificates ADD COLUMN revoked_on TEXT",
           // `ocop product show`: a product's dossiers across cycles. Neither column is named in
           // an ordinary UPDATE of a dossier (base_certificate only when it changes), so these
           // cost the event path nothing but the insert.
           "CREATE INDEX dossiers_product ON dossiers (product, producer)",
           "CREATE INDEX dossiers_base_certificate ON dossiers (base_certificate)"
           " WHERE base_certificate IS NOT NULL",
       },
       {}},
      {3,
       "the notification outbox",
       {
           // One row per message, written in the transaction of its cause; `dedupe_key` makes
           // a second enqueue of the same message a no-op. AUTOINCREMENT: an id is never reused.
           "CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, dedupe_key TEXT NOT NULL UNIQUE,"
           " channel TEXT NOT NULL, recipient TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL,"
           " cause TEXT NOT NULL, dossier TEXT, created_at TEXT NOT NULL, state TEXT NOT NULL,"
           " attempts INTEGER NOT NULL, next_attempt_at TEXT NOT NULL, last_error TEXT, sent_at TEXT)",
           "CREATE INDEX outbox_due ON outbox (state, next_attempt_at)",
       },
       {
           "CREATE TABLE outbox (id BIGSERIAL PRIMARY KEY, dedupe_key TEXT NOT NULL UNIQUE,"
           " channel TEXT NOT NULL, recipient TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL,"
           " cause TEXT NOT NULL, dossier TEXT, created_at TEXT NOT NULL, state TEXT NOT NULL,"
           " attempts INTEGER NOT NULL, next_attempt_at TEXT NOT NULL, last_error TEXT, sent_at TEXT)",
           "CREATE INDEX outbox_due ON outbox (state, next_attempt_at)",
       }},
      {4,
       "outbox delivery claims: who is sending a message and until when",
       {
           // `ocop deliver` claims a message (state 'sending') for a lease; a deliverer that dies
           // leaves a lease that runs out, and the next one takes the message again.
           "ALTER TABLE outbox ADD COLUMN claimed_by TEXT",
           "ALTER TABLE outbox ADD COLUMN lease_until TEXT",
       },
       {}},
      {5,
       "the scheduler: cycles' states and the days ticked",
       {
           // One row per cycle that has left `planned` (cycle_lifecycle.hpp).
           "CREATE TABLE cycles (year INTEGER PRIMARY KEY, state TEXT NOT NULL, opened_at TEXT, closed_at "
           "TEXT)",
           // One row per day `ocop tick` ran for (not dry runs): where a missed stretch starts.
           "CREATE TABLE ticks (day TEXT PRIMARY KEY, at TEXT NOT NULL, summary TEXT NOT NULL)",
       },
       {}},
      {6,
       "the audit chain's append lock (PostgreSQL)",
       {},  // SQLite: nothing (BEGIN IMMEDIATE already makes every write transaction exclusive)
       {
           // One row, locked FOR UPDATE by every transaction just before it links its audit
           // records to the chain's head, and held to its COMMIT: the chain is one total order
           // while writers of different dossiers run in parallel up to that point.
           "CREATE TABLE audit_chain_lock (id INTEGER PRIMARY KEY CHECK (id = 1))",
           "INSERT INTO audit_chain_lock (id) VALUES (1)",
       }},
      {7, "after recognition: promotion activities, participations, inspections", after_recognition(false),
       after_recognition(true)},
      {8,
       "accounts: passwords, sessions, API tokens, invitations, failed sign-ins",
       {
           // One row per configured user that ever had a password, session, token or record;
           // `version` counts its audit records ("user:<id>"), which audit verify compares.
           // Secrets are never stored: argon2id encodings of passwords, SHA-256 of session ids,
           // tokens and invitations. The TOTP secret is the exception (HMAC needs it).
           "CREATE TABLE accounts (id TEXT PRIMARY KEY, version BIGINT NOT NULL, password_hash TEXT,"
           " password_set_at TEXT, failures INTEGER NOT NULL, locked_until TEXT, totp_secret TEXT,"
           " totp_last_step BIGINT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)",
           "CREATE TABLE sessions (id_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at TEXT NOT NULL,"
           " last_seen TEXT NOT NULL, expires_at TEXT NOT NULL, second_factor INTEGER NOT NULL, address TEXT)",
           "CREATE INDEX sessions_user ON sessions (user_id)",
           "CREATE INDEX sessions_expires ON sessions (expires_at)",
           "CREATE INDEX sessions_last_seen ON sessions (last_seen)",
           "CREATE TABLE api_tokens (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL,"
           " created_at TEXT NOT NULL, expires_at TEXT NOT NULL, revoked_at TEXT, note TEXT,"
           " created_by TEXT NOT NULL)",
           "CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at)",
           "CREATE TABLE invitations (hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at TEXT NOT NULL,"
           " expires_at TEXT NOT NULL, used_at TEXT)",
           "CREATE INDEX invitations_user ON invitations (user_id)",
           // Failed sign-ins by address, for throttling; rows older than the window are purged.
           "CREATE TABLE login_failures (address TEXT NOT NULL, user_name TEXT NOT NULL, at TEXT NOT NULL)",
           "CREATE INDEX login_failures_address ON login_failures (address, at)",
           "CREATE INDEX login_failures_at ON login_failures (at)",
       },
       {}},
      {9,
       "certificates' verification codes (issue 13)",
       {
           // The code is derived from the database's secret and the certificate's id
           // (ocop/verification.hpp), kept here and never in the audit trail. The secret: 32
           // random bytes from the database's own generator (SQLite's randomblob, ChaCha20 seeded
           // from the operating system; PostgreSQL's gen_random_uuid, pg_strong_random: two UUIDs
           // give 244 random bits), written once; the migration then fills the codes of the
           // certificates already issued (SociStore::migrate).
           "ALTER TABLE certificates ADD COLUMN verification_code TEXT",
           "INSERT INTO meta (key, value) SELECT 'verification_secret', lower(hex(randomblob(32)))"
           " WHERE NOT EXISTS (SELECT 1 FROM meta WHERE key = 'verification_secret')",
           "CREATE UNIQUE INDEX certificates_verification_code ON certificates (verification_code)",
       },
       {
           "ALTER TABLE certificates ADD COLUMN verification_code TEXT",
           "INSERT INTO meta (key, value) SELECT 'verification_secret',"
           " replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')"
           " WHERE NOT EXISTS (SELECT 1 FROM meta WHERE key = 'verification_secret')",
           "CREATE UNIQUE INDEX certificates_verification_code ON certificates (verification_code)",
       }},
      {10,
       "archives: what `ocop archive` moved out, and its checkpoints",
       {
           // One row per archive (adapters/store/archive.hpp): its checkpoint record's sequence
           // number (audit verify starts there), the manifest's SHA-256 the checkpoint names.
           "CREATE TABLE archives (id TEXT PRIMARY KEY, until_year INTEGER NOT NULL, checkpoint BIGINT NOT NULL,"
           " manifest_sha256 TEXT NOT NULL, dossiers BIGINT NOT NULL, records BIGINT NOT NULL, at TEXT NOT NULL)",
           // The archived dossiers' ids stay taken, and reads of them say where they went.
           "CREATE TABLE archived_dossiers (id TEXT PRIMARY KEY, unit TEXT NOT NULL, year INTEGER NOT NULL,"
           " archive TEXT NOT NULL)",
       },
       {}},
      {11,
       "the certificates' feed: an index of the records that recognise, revoke or expire one",
       {
           // A partial index (SQLite and PostgreSQL): the feed's query names the same condition.
           "CREATE INDEX audit_certificate_events ON audit (seq)"
           " WHERE event IN ('recognize', 'revoke', 'expire')",
       },
       {}},
      {12,
       "the dossier list's search: each dossier's product and producer folded once, when it is filed",
       {
           // SociStore::insert_dossier writes it with fold_text; a dossier's names never change.
           // The search then compares stored text instead of folding every row of every query
           // (about 3 µs a row: 0.35 - 0.7 s over 100,000 dossiers; bench/README.md).
           "ALTER TABLE dossiers ADD COLUMN names_folded TEXT NOT NULL DEFAULT ''",
           "UPDATE dossiers SET names_folded = " + fold_sql(true, "product || ' ' || producer"),
       },
       {
           "ALTER TABLE dossiers ADD COLUMN names_folded TEXT NOT NULL DEFAULT ''",
           "UPDATE dossiers SET names_folded = " + fold_sql(false, "product || ' ' || producer"),
       }},
      {13,
       "the configuration snapshot's directory as rows, read one unit or user at a time (issue 10)",
       {
           // SociStore::store_config_snapshot: the header stays in meta; a command then reads
           // the units and users it looks up, not a 700 KB national directory.
           "CREATE TABLE config_directory (snapshot TEXT NOT NULL, kind TEXT NOT NULL, code TEXT NOT NULL,"
           " position INTEGER NOT NULL, line TEXT NOT NULL, PRIMARY KEY (snapshot, kind, code))",
           "CREATE UNIQUE INDEX config_directory_position ON config_directory (snapshot, kind, position)",
       },
       {}},
  };
  return all;
}

std::string fold_sql(bool sqlite, const std::string& text) {
  if (sqlite) return "ocop_fold(" + text + ")";
  static const std::pair<std::string, std::string> table = [] {
    std::string from, to;
    for (const auto& [f, t] : fold_replacements()) {
      from += f;
      to += t;
    }
    return std::make_pair(from, to);
  }();
  return "LOWER(TRANSLATE(" + text + ", '" + table.first + "', '" + table.second + "'))";
}

}  // namespace ocop::store
