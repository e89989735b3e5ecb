// Percent-encoding for URLs the engine and its front ends write (otpauth:// URIs, the public
// catalogue's links).
#pragma once

#include <string>

namespace ocop {

// RFC 3986: every byte but the unreserved ones (A-Z a-z 0-9 - . _ ~) as %XX.
std::string url_encode(const std::string& s);

}  // namespace ocop
