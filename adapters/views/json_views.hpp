// The public JSON shapes (spec §8 and docs/design.md), in one place for every front end: the
// CLI's --json output and the HTTP service's bodies are these. Field names and shapes are public
// and frozen: tests/golden/ pins each one, and a change there is a change of the contract.
// Times are written in the province's zone (`offset` minutes east of UTC).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ocop/accounts.hpp"
#include "ocop/app.hpp"

namespace ocop::views {

using nlohmann::json;

// A JSON text for people and scripts: invalid UTF-8 is replaced, never fatal. indent < 0: one line.
std::string dump(const json& j, int indent = 2);

// {"error": {"code", "exit", "message"}}
json error_json(const Status& s);

// spec §8: at least id, state, level, version, unit, product, product_set, rule_set, score,
// stars, certificate.
json dossier_json(const Dossier& d, int offset);
// With a configuration, a revoked one's ground also carries its text.
json certificate_json(const Certificate& c, const Config* config = nullptr);
// What anyone may see of a certificate (GET /api/v1/public/certificates/{code}; docs/public.md).
// `url`: the public verification page (empty: not configured, null).
json public_certificate_json(const PublicCertificate& p, const std::string& url);
// `ocop fire`: the dossier (or certificate) after the event; a duplicate key adds
// "duplicate": true and "first_result": {state, version}.
json fire_json(const FireResult& r, const Config& config);
// `ocop show`: the dossier with unit_now (when merged away), documents and scoresheets.
json dossier_view_json(const DossierView& v, int offset);
json document_json(const DocumentView& d, int offset);
json audit_json(const AuditRecord& r, int offset);
json verification_json(const AuditVerification& v);
json report_json(const Report& r);
json product_json(const ProductHistory& h, const Config& config);

// A message the scheduler queued (`ocop tick`).
json message_json(const OutboxMessage& m);
// A row of the outbox (`ocop outbox`; without "body" in deliver and retry).
json outbox_json(const OutboxMessage& m, int offset);
json tick_json(const TickReport& r);
json cycle_json(const CycleReport& r);
json delivery_json(const DeliveryReport& r, int offset);
json migration_json(const MigrationReport& r, const std::string& plan, bool dry_run);
json import_json(const ImportResult& r, const std::string& file);
// After recognition (spec §10.3). An activity: id, name, kind, unit, venue, state, version, the
// dates, booths, open_to, the policy in force; with totals, booths_selected and by_state.
json activity_json(const Activity& a, int offset);
json activity_summary_json(const ActivitySummary& s, int offset);
// {"activity", "participations", "totals": {booths_selected, support_vnd, revenue_vnd,
// contracts, by_state}}
json activity_view_json(const ActivityView& v, int offset);
json participation_json(const Participation& p, int offset);
json inspection_json(const Inspection& i, int offset);
json inspection_plan_json(const InspectionPlan& p);

// GET /api/v1/config (issue 12): what a front end shows of the configuration. {"province",
// "today", "units": [{code, name, level, parent, valid_from, valid_to, successor, unit_now,
// in_scope}], "rule_set": {id, effective_from, parts {A,B,C}, stars [{stars, min}], levels
// [{level, kind, quorum, recognizes}]} (null when none is in force), "document_kinds": [{kind,
// name}], "product_sets": [{code, group, name}], "roles": {role: [dossier events]}, "rounds":
// [{year, id, level, cutoff, meeting}], "calendar": {weekend [ISO day numbers, 1 = Monday],
// holidays, working_days}, "overdue_after_days": {state: working days}}.
json config_json(const PublishedConfig& p);
// A user's API token (never its secret) and session (its public handle only).
json token_json(const TokenInfo& t, int offset);
json session_json(const SessionInfo& s, int offset, bool current);

}  // namespace ocop::views
