// Text for a terminal: stored or given text never reaches one raw.
//
// A product name, an id on the command line or a message built from them may hold escape
// sequences (ESC [ 2J clears the screen, OSC sets the window title), carriage returns that
// overwrite a line, or bidirectional overrides that reorder what is shown. Everything the CLI
// prints in text mode goes through terminal_text(); JSON output is escaped by the JSON encoder.
#pragma once

#include <string>
#include <string_view>

namespace ocop::cli {

// `s` with every C0 control (TAB, LF and CR as \t \n \r, the others as \x1b), DEL (\x7f), C1
// control (\u0085), U+2028/U+2029 and bidirectional embedding, override and isolate
// (\u202e) written as a visible escape, and every byte that is not valid UTF-8 as \xff.
// Vietnamese and all other printable text is unchanged. `keep_newlines` leaves LF as is (for
// messages that are several lines by design; CR is escaped still).
std::string terminal_text(std::string_view s, bool keep_newlines = false);

// terminal_text(s).c_str() for printf: a short-lived copy. Use it inside one printf call only.
struct Term {
  explicit Term(std::string_view s) : text(terminal_text(s)) {}
  const char* c_str() const { return text.c_str(); }
  std::string text;
};

}  // namespace ocop::cli
