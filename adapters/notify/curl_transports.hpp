// The outbox's transports over libcurl: e-mail by SMTP and the webhook by HTTP POST.
//
// SmtpTransport sends one message per connection to channels.smtp.url (smtp:// or smtps://),
// MAIL FROM channels.smtp.from, RCPT TO the message's recipient, the message built by
// build_mail(). A failure is anything but a completed transaction (connection refused, a 4xx
// or 5xx reply, a timeout).
//
// WebhookTransport POSTs the message's body (JSON) to the message's recipient (the webhook URL
// when it was queued) with
//   Content-Type: application/json; charset=utf-8
//   X-OCOP-Signature: sha256=<hex HMAC-SHA256 of the body under the secret>
//   Idempotency-Key: ocop-<outbox id>      (the same on every attempt)
// The secret is read once, from the environment variable channels.webhook.secret_env; without
// it the transport is unavailable and nothing is sent unsigned. A 2xx answer is success;
// redirects are not followed.
//
// Both time out (10 s to connect, 30 s in all), so a batch of Dispatcher::kBatch sends ends
// well within a claim's lease. Use from one thread; call global_init() once per process first.
#pragma once

#include <map>
#include <string>

#include "ocop/config.hpp"
#include "ocop/dispatch.hpp"

namespace ocop::notify {

// Loads libcurl (dlopen: commands that send nothing never map it) and runs curl_global_init,
// once per process (idempotent, thread-safe). A transport whose libcurl could not be loaded is
// unavailable() with the reason.
void global_init();
// Why libcurl could not be loaded or initialised; empty when it is ready.
std::string curl_unavailable();

class SmtpTransport : public Transport {
 public:
  SmtpTransport(const Channels& channels, const Clock& clock, int offset_minutes);
  std::string unavailable() const override;
  Delivery send(const OutboxMessage& m) override;

 private:
  std::string url_, from_;
  const Clock& clock_;
  int offset_minutes_;
};

class WebhookTransport : public Transport {
 public:
  explicit WebhookTransport(const Channels& channels);
  std::string unavailable() const override;
  Delivery send(const OutboxMessage& m) override;

 private:
  std::string secret_env_;
  std::string secret_;
  bool have_secret_ = false;
};

// Both transports over one configuration, as every deliverer uses them (`ocop deliver`,
// POST /api/v1/deliver, the service's scheduler): by_channel() is what Application::deliver
// takes. Built per run, so that a reloaded configuration takes effect.
class Transports {
 public:
  Transports(const Channels& channels, const Clock& clock, int offset_minutes)
      : smtp_(channels, clock, offset_minutes), webhook_(channels) {}
  std::map<std::string, Transport*> by_channel() { return {{"email", &smtp_}, {"webhook", &webhook_}}; }

 private:
  SmtpTransport smtp_;
  WebhookTransport webhook_;
};

}  // namespace ocop::notify
