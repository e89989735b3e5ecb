// Loading the modules that `ocop` opens on demand (issue 10): libocop_pgsql.so (pg_plugin.hpp),
// libocop_print.so (print/print_module.hpp) and libocop_xlsx.so (report/workbook.hpp). Looked for,
// in order, in $OCOP_PLUGIN_DIR,
// beside the running executable (the build tree), in ../lib/ocop from it (an installed tree:
// OCOP_PLUGIN_RELATIVE_DIR, the package's /usr/lib/ocop), and in the directory CMake installs it
// to (OCOP_PLUGIN_INSTALL_DIR).
#pragma once

#include <string>

namespace ocop {

// dlopen()s `file` from the first of those directories that has it (kept for the process) and
// returns its handle; null when none has it, with `tried` naming every place and why.
void* open_module(const std::string& file, std::string& tried);

}  // namespace ocop
