#include "ocop/authorize.hpp"

namespace ocop {

std::string role_for(const Config& cfg, const User& user, EventMask bit) {
  for (const auto& r : user.roles) {
    auto it = cfg.roles.find(r);
    if (it != cfg.roles.end() && (it->second & bit)) return r;
  }
  return {};
}

Status authorize_actor(const Config& cfg, const User& user, std::string_view event, EventMask bit, Date day) {
  if (!(user.events & bit)) {
    std::string roles;
    for (const auto& r : user.roles) roles += (roles.empty() ? "" : ", ") + r;
    return Status::Forbidden(user.id + " may not fire " + std::string(event) + ": none of their roles (" +
                             roles + ") allows it");
  }
  return authorize_unit(cfg, user, day);
}

Status authorize_unit(const Config& cfg, const User& user, Date day) {
  if (const Unit* au = cfg.unit(user.unit); !au || !au->valid_on(day))
    return Status::Forbidden(user.id + "'s unit " + user.unit + " is not valid on " + format_date(day));
  return Status::Ok();
}

Status authorize(const Config& cfg, const User& user, std::string_view event, EventMask bit,
                 const std::string& object_unit, Date day) {
  if (Status s = authorize_actor(cfg, user, event, bit, day); !s.ok()) return s;
  if (!cfg.in_scope(user.unit, object_unit, day)) {
    const Unit* now = cfg.unit_on(object_unit, day);
    return Status::Forbidden(
        user.id + " (unit " + user.unit + ") has no authority over unit " + object_unit +
        (now && now->code != object_unit ? " (since merged into " + now->code + ")" : std::string()));
  }
  return Status::Ok();
}

AuditRecord make_audit_record(Instant at, const std::string& actor, std::string role,
                              const std::string& object, std::string_view event, std::string_view from,
                              std::string_view to, std::string level, std::string data) {
  AuditRecord rec;
  rec.at = at;
  rec.actor = actor;
  rec.role = std::move(role);
  rec.dossier = object;
  rec.event = std::string(event);
  rec.from_state = std::string(from);
  rec.to_state = std::string(to);
  rec.level = std::move(level);
  rec.data = std::move(data);
  return rec;
}

}  // namespace ocop
