#include "notify/mail_format.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>

namespace ocop::notify {

std::string base64(std::string_view bytes) {
  if (bytes.empty()) return {};
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

namespace {

bool printable_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

// Length of the UTF-8 sequence that starts with `lead` (1 for a stray continuation byte).
std::size_t utf8_length(unsigned char lead) {
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

}  // namespace

std::string encode_header_value(std::string_view text, std::size_t header_len) {
  if (printable_ascii(text) && header_len + text.size() <= 998) return std::string(text);
  // An encoded word is "=?UTF-8?B?" + base64 + "?=" (12 characters around it), at most 75
  // long: at most 63 characters of base64, so at most 45 bytes of text (a multiple of 3).
  constexpr std::size_t kMaxBytes = 45;
  std::string out;
  std::size_t i = 0, line = header_len;
  while (i < text.size()) {
    std::size_t take = 0;
    while (i + take < text.size()) {
      std::size_t n = utf8_length(static_cast<unsigned char>(text[i + take]));
      if (i + take + n > text.size()) n = text.size() - i - take;
      if (take + n > kMaxBytes) break;
      take += n;
    }
    std::string word = "=?UTF-8?B?" + base64(text.substr(i, take)) + "?=";
    if (!out.empty()) {
      out += "\r\n ";
      line = 1;
    }
    out += word;
    line += word.size();
    i += take;
  }
  return out;
}

std::string rfc5322_date(Instant t, int offset_minutes) {
  static const char* days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::int64_t local = t.seconds + offset_minutes * 60LL;
  const std::int64_t day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  const int sec = static_cast<int>(local - day * 86400);
  const Date d{static_cast<std::int32_t>(day)};
  int y;
  unsigned m, dd;
  civil(d, y, m, dd);
  const int off = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d %c%02d%02d", days[weekday(d)], dd,
                months[m - 1], y, sec / 3600, sec / 60 % 60, sec % 60, offset_minutes < 0 ? '-' : '+',
                off / 60, off % 60);
  return buf;
}

std::string mail_domain(std::string_view address) {
  auto at = address.rfind('@');
  if (at == std::string_view::npos || at + 1 >= address.size()) return "localhost";
  std::string d(address.substr(at + 1));
  if (!d.empty() && d.back() == '>') d.pop_back();
  return d;
}

namespace {
// An address as a header value: no line breaks can slip in.
std::string one_line(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '\r' && c != '\n') out += c;
  return out;
}
}  // namespace

std::string build_mail(const OutboxMessage& m, const std::string& from, Instant date, int offset_minutes) {
  std::string body;
  body.reserve(m.body.size() + m.body.size() / 16);
  for (std::size_t i = 0; i < m.body.size(); ++i) {
    char c = m.body[i];
    if (c == '\r' && i + 1 < m.body.size() && m.body[i + 1] == '\n') continue;  // CRLF: the LF adds it
    if (c == '\n' || c == '\r')
      body += "\r\n";
    else
      body += c;
  }
  const std::string encoded = base64(body);
  std::string out;
  out.reserve(encoded.size() + encoded.size() / 38 + 512);
  out += "Date: " + rfc5322_date(date, offset_minutes) + "\r\n";
  out += "From: " + one_line(from) + "\r\n";
  out += "To: " + one_line(m.recipient) + "\r\n";
  out += "Subject: " + encode_header_value(m.subject, 9) + "\r\n";
  out += "Message-ID: <" + idempotency_key(m) + "@" + one_line(mail_domain(from)) + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: base64\r\n";
  out += "X-OCOP-Outbox-Id: " + std::to_string(m.id) + "\r\n";
  out += "\r\n";
  for (std::size_t i = 0; i < encoded.size(); i += 76) out += encoded.substr(i, 76) + "\r\n";
  return out;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[mac[i] >> 4];
    out += hex[mac[i] & 15];
  }
  return out;
}

std::string webhook_signature(std::string_view secret, std::string_view body) {
  return "sha256=" + hmac_sha256_hex(secret, body);
}

}  // namespace ocop::notify
