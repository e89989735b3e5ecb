// The application layer's public face (issue 13, docs/public.md): what anyone may learn of a
// certificate, decided here and nowhere else, so that the HTTP page, its JSON and the printed
// certificate cannot disagree on what is public.
#include "ocop/app.hpp"
#include "ocop/catalogue.hpp"
#include "ocop/verification.hpp"

namespace ocop {

PublicCertificate Application::public_view(const Certificate& c) {
  return public_certificate_view(config_, store_, c, today());
}

Result<PublicCertificate> Application::verify_certificate(const std::string& code) {
  return read<PublicCertificate>([&](PublicCertificate& out) {
    const std::string normal = normalize_verification_code(code);
    auto c = normal.empty() ? std::nullopt : store_.certificate_by_code(normal);
    if (!c) return Status::NotFound("no certificate has the verification code \"" + code + "\"");
    out = public_view(*c);
    return Status::Ok();
  });
}

Result<PublicCertificate> Application::public_certificate(const ReadScope& scope, const std::string& id) {
  return read<PublicCertificate>([&](PublicCertificate& out) {
    auto c = store_.load_certificate(id);
    if (!c || !dossier_in_scope(scope, c->dossier)) return Status::NotFound("certificate " + id + " not found");
    out = public_view(*c);
    return Status::Ok();
  });
}

}  // namespace ocop
