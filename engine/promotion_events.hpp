// Engine-internal (not a public header): the events after recognition (spec §10) as the
// executor calls them, and what the scheduler and the executor share. engine/promotion.cpp
// and engine/promotion_notices.cpp define them.
#pragma once

#include <string>
#include <string_view>

#include "ocop/config.hpp"
#include "ocop/executor.hpp"
#include "ocop/notify.hpp"
#include "ocop/promotion_lifecycle.hpp"
#include "ocop/store.hpp"

namespace ocop {

bool is_after_recognition_event(std::string_view name);

// Fires one activity, participation or inspection event inside the caller's transaction.
FireResult fire_after_recognition(const Config& cfg, const AfterRecognition* m, Store& store, const Clock& clock,
                                  const EventRequest& req, bool lean);

// The request-only checks of such an event (exit 2), without a store.
Status validate_after_recognition_request(const Config& cfg, const EventRequest& req);

// The cascades of a certificate's `revoke` (cancel_participation to its open participations,
// close_inspection to its open inspections) and `expire` (close_inspection), in the caller's
// transaction, by the causing event's actor and role. Other events cascade nothing.
Status cascade_certificate_end(const Config& cfg, const AfterRecognition* m, Store& store, const Certificate& cert,
                               CertificateEvent ev, const std::string& actor, const std::string& role, Instant at,
                               const std::string& reason, FireResult& out);

// An e-mail for the outbox, due at once: `key` its dedupe key, `object` what it is about.
OutboxMessage email_message(std::string key, const std::string& to, RenderedMessage text, std::string cause,
                            const std::string& object, Instant at);

// The placeholders every activity message shares: activity, activity_name, venue, starts, ends,
// registration_closes, organiser (the unit's name).
TemplateVars activity_vars(const Config& cfg, const Activity& a);

// open_registration's invitations (template promotion_invite): one digest to each unit of the
// activity's open_to (default: its organiser) listing the products that may apply, and one
// message to each producer user with an address and such a product. Deduplicated per activity
// and address. Returns how many were queued.
int queue_invitations(const Config& cfg, Store& store, const Activity& a, Instant at);

// The certificates that may apply to activity `a` on `day`: in force, valid after its end, with
// at least its min_stars, filed under a unit it is open to. By unit, then id.
std::vector<Certificate> eligible_certificates(const Config& cfg, Store& store, const Activity& a, Date day);

}  // namespace ocop
