// Modules loaded on demand: what only some commands need (PostgreSQL's client, the spreadsheet
// writer) lives in a shared module beside `ocop`, so that every other command starts without
// mapping those libraries (issue 10: a command maps about a dozen libraries, not forty).
//
// plugin_symbol(file, symbol, error) loads the module `file` once per process (it stays loaded
// until exit) and returns `symbol` from it. Modules are looked for, in order, in
// $OCOP_PLUGIN_DIR, beside the running executable (the build tree), in ../lib/ocop from it (an
// installed tree: OCOP_PLUGIN_RELATIVE_DIR, the package's /usr/lib/ocop), and in the directory
// CMake installs them to (OCOP_PLUGIN_INSTALL_DIR). When the module or the symbol cannot be
// found, returns nullptr and sets `error` to the rest of a sentence that starts with what the
// module is for and its file name: "could not be loaded; <every place it looked>" and how to
// point at the module, or "has no <symbol> ...". Thread-safe.
#pragma once

#include <string>

namespace ocop {

void* plugin_symbol(const char* file, const char* symbol, std::string& error);

}  // namespace ocop
