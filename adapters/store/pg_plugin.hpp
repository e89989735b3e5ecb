// The PostgreSQL module's interface (adapters/store/pg/sqlstate_plugin.cpp, libocop_pgsql.so).
//
// ocop_pg_sqlstate(e, out): when `e` is a server error of SOCI's PostgreSQL backend, writes its
// SQLSTATE (five characters and a NUL; `out` holds kSqlstateSize) and returns 1; returns 0
// for any other exception.
//
// The store looks for the module, in order, in $OCOP_PLUGIN_DIR, beside the running executable
// (the build tree), in ../lib/ocop from it (an installed tree: OCOP_PLUGIN_RELATIVE_DIR, the
// package's /usr/lib/ocop), and in the directory CMake installs it to
// (OCOP_PLUGIN_INSTALL_DIR); opening a PostgreSQL database without it fails and names every
// place it looked.
#pragma once

#include <cstddef>
#include <exception>

namespace ocop {
inline constexpr std::size_t kSqlstateSize = 6;
inline constexpr const char* kPgPluginFile = "libocop_pgsql.so";
inline constexpr const char* kPgSqlstateSymbol = "ocop_pg_sqlstate";
using PgSqlstateFn = int (*)(const std::exception*, char*);
}  // namespace ocop
