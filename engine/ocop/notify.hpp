// Notifications (spec §7): the message templates, who a notification goes to, and the event
// notifications the executor queues in the transaction of their event.
//
// Templates. A template has a name ("dossier_returned"), a subject and a body, both text with
// {placeholders}; `{{` and `}}` stand for literal braces. Every template has Vietnamese defaults
// built in (template_specs()); the configuration's `templates:` section may override the
// subject, the body or both (Config::templates), and the loader checks an override against the
// template's placeholders, so rendering never meets an unknown one. Event notifications and
// the scheduler's digests share this table: a new kind of message adds a TemplateSpec to it
// (engine/notify.cpp) and renders through render().
//
// Optional segments. `{?text}` is a segment: `text` holds words and placeholders (at least one;
// `{{`/`}}` for braces; no segment inside a segment) and is written only when every placeholder
// in it has a value, else it is left out whole: "trả lại{? ở {level_name}} ngày {date}" reads
// "trả lại ở cấp xã ngày 02/03/2026", or, before the dossier has a level, "trả lại ngày
// 02/03/2026". A segment may span lines ("{?Lý do: {reason}\n\n}"). A value that is empty or
// only white space counts as empty, and so does a placeholder given no value: it is never written
// as it is. Where an empty value or a left-out segment stood, the text closes up: no doubled
// space, no space before . , ; : ! ? ), none at the end or the start of a line (so a segment's
// separating space may be inside it or before it). A phrase that needs its value ("ở {level_name}",
// "theo Quyết định số {decision_no}") belongs in a segment; the defaults put every value that can
// be empty in one (a level before `register`, a user without a name, a decision number, ...).
//
// Recipients. A dossier's `producer` is a free-text name, not a user, so "the producer" is
// resolved (producer_recipients): the user who created the dossier (its first audit record's
// actor: the producer's own account, or the coordinator who filed on the producer's behalf),
// if that user has an e-mail; otherwise every user with the `producer` role at the dossier's
// unit as it is on that day (Config::unit_on) who has one. A unit's address is the e-mail of
// the unit valid on that day (a merged commune's successor).
//
// Event notifications (queue_event_notifications). Only these events notify:
//   return_idea, return_plan, return_dossier  -> the producer: template dossier_returned,
//                                                with the reason and the missing documents;
//   recognize                                 -> the producer and the dossier's unit:
//                                                template dossier_recognized.
// Each recipient gets one e-mail; when channels.webhook is configured, one webhook message
// per event carries the event as JSON. Dedupe keys are "event/<dossier>/v<version>/email/<address>"
// and "event/<dossier>/v<version>/webhook" (the dossier's version after the event), so nothing is queued
// twice. Every other event queues nothing and costs nothing (no query).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ocop/config.hpp"
#include "ocop/dossier.hpp"
#include "ocop/store.hpp"

namespace ocop {

// One built-in template: its name, what it is for, the placeholders it may use and its
// Vietnamese defaults.
struct TemplateSpec {
  std::string name;
  std::string description;
  std::vector<std::string> placeholders;
  std::string subject;
  std::string body;
};

// Every template the engine renders, in a fixed order.
const std::vector<TemplateSpec>& template_specs();
const TemplateSpec* find_template(std::string_view name);

// Checks a template text: balanced braces, closed segments, each with a placeholder, and only
// `allowed` placeholders. Returns an empty string when it is good, else the problem ("unknown
// placeholder {x}; known: ...").
std::string check_template_text(std::string_view text, const std::vector<std::string>& allowed);

// Replaces each {name} with vars[name], writes or leaves out each {?segment}, {{ / }} as a brace,
// and closes up what an empty value leaves (see "Optional segments" above). A placeholder
// without a value, or with an empty one, writes nothing. Text that check_template_text refuses
// is rendered placeholder by placeholder, the rest as it is.
using TemplateVars = std::map<std::string, std::string>;
std::string render_text(std::string_view text, const TemplateVars& vars);

struct RenderedMessage {
  std::string subject;
  std::string body;
};
// Renders template `name` with the configuration's override, if any, else the default.
// A name that is not in template_specs() renders empty.
RenderedMessage render(const Config& config, std::string_view name, const TemplateVars& vars);

// Vietnamese words people see: "cấp xã", "02/03/2026".
std::string level_name_vi(std::string_view level);
std::string date_vi(Date d);

// An e-mail recipient: the address and the name to greet.
struct Recipient {
  std::string email;
  std::string name;
};

// The producer of dossier `d` as e-mail recipients (see above); empty when nobody has an
// address. Reads the dossier's first audit record (Store::dossier_creator).
std::vector<Recipient> producer_recipients(const Config& config, Store& store, const Dossier& d, Date day);
// The dossier's unit as it is on `day`, if it has an e-mail.
std::optional<Recipient> unit_recipient(const Config& config, const std::string& unit, Date day);

// Whether `ev` notifies anyone (so the executor asks nothing of the store for other events).
bool event_notifies(Event ev);

// What the executor knows about an accepted event when it queues its notifications.
struct EventNotice {
  const AuditRecord* record = nullptr;       // appended: seq, at, actor, event, from, to, level
  const Dossier* dossier = nullptr;          // after the event
  const nlohmann::json* data = nullptr;      // the event's data
  const Certificate* certificate = nullptr;  // recognize: the certificate issued
};

// Queues the event's notifications (see above) with Store::enqueue, inside the caller's
// transaction. Returns how many messages were queued. Throws StoreError like the store.
int queue_event_notifications(const Config& config, Store& store, Event ev, const EventNotice& n);

// A certificate that ends (`revoke`, `expire`; issue 13's feed for integrators): when
// channels.webhook is configured, one webhook message, {"type": "certificate.revoked" or
// "certificate.expired", "at" (the event's time), "certificate" (as
// `ocop certificates --json` shows it), "dossier", "product", "producer", "unit", "actor", and for
// people "subject" and "text" (Vietnamese) as every webhook body},
// keyed "event/<dossier>/v<version>/webhook" like the dossier's events. A recognition is already
// "dossier.recognized" with its certificate. (Not the record's sequence number or hash: on
// PostgreSQL a record is numbered and chained at commit, after this.) Returns the messages queued (0 or 1); other
// events queue nothing. In the caller's transaction; throws StoreError like the store.
int queue_certificate_webhook(const Config& config, Store& store, CertificateEvent ev, const Certificate& after,
                              const Dossier& dossier, const AuditRecord& rec);

}  // namespace ocop
