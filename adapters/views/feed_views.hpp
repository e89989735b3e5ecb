// The certificates' feed (Application::certificate_feed) as Atom (RFC 4287) and as JSON Feed 1.1
// (https://jsonfeed.org/version/1.1): `GET /feeds/certificates.atom` and `.json`.
//
// One entry per event: id "urn:ocop:<province code>:audit:<seq>" (stable: the audit record's
// sequence number), the time it was recorded, a Vietnamese title ("Công nhận sản phẩm OCOP 4
// sao: <product>", "Thu hồi ...", "Hết hiệu lực ..."), a text summary (producer, unit, stars,
// decision, validity; the revocation's ground), the event as a category, and the record's hash.
// The JSON Feed's items carry the certificate as `ocop certificates --json` shows it under
// "_ocop" (with "event", "seq", "hash", "producer"). Links are relative to the service (the
// feed's own URL is their base); `older` pages back with ?before=SEQ&limit=N (rel="next").
#pragma once

#include <string>

#include "ocop/app.hpp"
#include "ocop/config.hpp"

namespace ocop::views {

// `limit`: the page's size, kept in the link to the next page.
std::string certificate_feed_atom(const CertificateFeed& feed, const Config& config, const std::string& self, int limit);
std::string certificate_feed_json(const CertificateFeed& feed, const Config& config, const std::string& self, int limit);

}  // namespace ocop::views
