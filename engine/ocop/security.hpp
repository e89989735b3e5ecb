// The `security:` section of the configuration (config/README.md): how long sessions live, when
// sign-in is throttled, who needs a second factor. Plain data with the documented defaults; the
// YAML loader fills it, ocop/accounts.hpp applies it.
#pragma once

#include <string>
#include <vector>

namespace ocop {

// How long sessions live and when sign-in is throttled (configuration `security:`; these are
// the defaults, documented in config/README).
struct SessionPolicy {
  int idle_minutes = 30;
  int absolute_hours = 12;
  int lockout_failures = 5;     // consecutive failures of one account before a lock-out
  int lockout_minutes = 15;
  int address_failures = 20;    // failures from one address per lockout window
  int min_password_length = 12;
  // Added with the implementation (same section):
  int invitation_hours = 72;     // an invitation's secret is good this long, once
  int max_token_days = 365;      // the longest an API token may live
  // Users holding any of these roles must sign in with a TOTP code (RFC 6238). A list written in
  // the configuration must name configured roles; the default's `administrator` need not exist.
  std::vector<std::string> second_factor_roles = {"signer", "administrator"};
  // argon2id cost: "moderate" (libsodium's MODERATE limits, the default) or "interactive"
  // (INTERACTIVE: for tests and small machines only; docs/operations.md).
  std::string password_hashing = "moderate";
};

}  // namespace ocop
