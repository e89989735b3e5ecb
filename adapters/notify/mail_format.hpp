// What goes on the wire: the e-mail (RFC 5322 headers, MIME, RFC 2047 encoded words) and the
// webhook's signature. Pure functions, no I/O; the transports (curl_transports.hpp) use them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ocop/outbox.hpp"

namespace ocop::notify {

// Standard base64 (RFC 4648) of `bytes`, one line.
std::string base64(std::string_view bytes);

// A header value for people: kept as it is when it is printable ASCII, else RFC 2047 encoded
// words "=?UTF-8?B?...?=" of at most 75 characters each (never splitting a UTF-8 character),
// folded onto continuation lines ("\r\n "). `header_len` is the length of "Name: " before it.
std::string encode_header_value(std::string_view text, std::size_t header_len);

// "Mon, 02 Mar 2026 08:00:00 +0700" (RFC 5322 date-time) of `t` at the given offset.
std::string rfc5322_date(Instant t, int offset_minutes);

// The domain of an address ("ocop@tuyenquang.example.vn" -> "tuyenquang.example.vn"); "localhost"
// when it has none.
std::string mail_domain(std::string_view address);

// The whole message for SMTP DATA, CRLF line ends: Date, From, To, Subject, Message-ID
// <ocop-<id>@<domain of from>> (the same on every attempt), MIME-Version, Content-Type text/plain;
// charset=UTF-8, Content-Transfer-Encoding base64 (lines of 76), X-OCOP-Outbox-Id, then the body
// (its line ends made CRLF before encoding).
std::string build_mail(const OutboxMessage& m, const std::string& from, Instant date, int offset_minutes);

// Lower-case hex HMAC-SHA256 of `body` under `key` (OpenSSL).
std::string hmac_sha256_hex(std::string_view key, std::string_view body);

// The webhook's signature header value: "sha256=<hex HMAC-SHA256 of the body>".
std::string webhook_signature(std::string_view secret, std::string_view body);

}  // namespace ocop::notify
