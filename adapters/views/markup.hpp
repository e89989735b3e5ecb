// Text inside HTML and XML (the public pages, the Atom feed): &, <, >, " and ' as entities, and
// the control characters XML 1.0 forbids (all below U+0020 but tab, newline and carriage return)
// as U+FFFD, so that a name holding one still makes a well-formed document.
#pragma once

#include <string>

namespace ocop::views {

std::string escape_markup(const std::string& s);

}  // namespace ocop::views
