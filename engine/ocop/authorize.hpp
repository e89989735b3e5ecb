// Who may fire an event, and the audit record an accepted event leaves: one place for every
// machine (dossiers, certificates, migrations; later the promotion and inspection machines).
//
// Spec §2: a configured user one of whose roles lists the event, whose unit is valid that day
// and is the object's unit or an ancestor of it that day. The first check that fails decides
// the message; all of them are Code::forbidden (exit 6). Level bindings (an event bound to the
// dossier's level, `revoke` at the issuing level or above) are the caller's, after these.
#pragma once

#include <string>
#include <string_view>

#include "ocop/config.hpp"
#include "ocop/dossier.hpp"
#include "ocop/names.hpp"
#include "ocop/status.hpp"

namespace ocop {

// The user's first role that lists an event of `bit`; empty when none does.
std::string role_for(const Config& cfg, const User& user, EventMask bit);

// The actor's own unit is valid on `day` (spec §2: a user acts, and reads, only while it is).
Status authorize_unit(const Config& cfg, const User& user, Date day);

// The role and the actor's own unit on `day`.
Status authorize_actor(const Config& cfg, const User& user, std::string_view event, EventMask bit, Date day);

// authorize_actor, then the unit scope over `object_unit` (a unit merged away is named with
// its successor in the message).
Status authorize(const Config& cfg, const User& user, std::string_view event, EventMask bit,
                 const std::string& object_unit, Date day);

// An accepted event's audit record: every field but seq, prev_hash and hash, which the chain
// sets (AuditLog::append_to_chain). `object` is the dossier's id (spec §6, §10).
AuditRecord make_audit_record(Instant at, const std::string& actor, std::string role,
                              const std::string& object, std::string_view event, std::string_view from,
                              std::string_view to, std::string level, std::string data);

}  // namespace ocop
