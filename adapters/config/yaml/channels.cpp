// The `channels` section: how notifications are sent.
#include "config/yaml/loader.hpp"

namespace ocop::config::yaml {

void Loader::channels(const Node& n, const Path& p) {
  if (!expect_map(n, p, "a mapping {smtp, webhook, max_attempts}")) return;
  Fields f = fields(n, p, {"smtp", "webhook", "max_attempts"});
  Channels& ch = cfg_.channels;
  if (const Node* v = f.opt("smtp")) {
    const Path sp = p.key("smtp");
    if (expect_map(*v, sp, "a mapping {url, from}")) {
      Fields sf = fields(*v, sp, {"url", "from"});
      if (const Node* u = need(sf, "url", sp)) {
        const Path kp = sp.key("url");
        if (auto s = text(*u, kp)) {
          if (starts_with(*s, "smtp://") || starts_with(*s, "smtps://"))
            ch.smtp_url = *s;
          else
            report(*u, kp, "expected an smtp:// or smtps:// URL, got " + quote(*s));
        }
      }
      if (const Node* u = need(sf, "from", sp)) {
        const Path kp = sp.key("from");
        if (auto s = text(*u, kp)) {
          if (valid_email(*s))
            ch.smtp_from = *s;
          else
            report(*u, kp, "invalid email address " + quote(*s));
        }
      }
    }
  }
  if (const Node* v = f.opt("webhook")) {
    const Path wp = p.key("webhook");
    if (expect_map(*v, wp, "a mapping {url, secret_env}")) {
      Fields wf = fields(*v, wp, {"url", "secret_env"});
      if (const Node* u = need(wf, "url", wp)) {
        const Path kp = wp.key("url");
        if (auto s = text(*u, kp)) {
          if (starts_with(*s, "http://") || starts_with(*s, "https://"))
            ch.webhook_url = *s;
          else
            report(*u, kp, "expected an http:// or https:// URL, got " + quote(*s));
        }
      }
      if (const Node* u = wf.opt("secret_env")) {
        const Path kp = wp.key("secret_env");
        if (auto s = text(*u, kp)) {
          bool ok =
              !(s->front() >= '0' && s->front() <= '9') && std::all_of(s->begin(), s->end(), [](char c) {
                return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
              });
          if (ok)
            ch.webhook_secret_env = *s;
          else
            report(*u, kp, "expected an environment variable name, got " + quote(*s));
        }
      }
    }
  }
  if (const Node* v = f.opt("max_attempts")) {
    const Path kp = p.key("max_attempts");
    if (auto x = integer(*v, kp, 1, 100)) ch.max_attempts = static_cast<int>(*x);
  }
}

// The `templates` section: template name -> {subject, body}, each optional, overriding the

}  // namespace ocop::config::yaml
