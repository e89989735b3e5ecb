#include "store/damaged_database.hpp"

#include "store/soci_store.hpp"

namespace ocop::store {

namespace {
// SQLite's texts for SQLITE_NOTADB and SQLITE_CORRUPT (sqlite3ErrStr) and a damaged schema.
const char* const kDamage[] = {"file is not a database", "database disk image is malformed",
                               "malformed database schema", "file is encrypted or is not a database"};
}  // namespace

bool is_damaged_database_error(const std::string& error) {
  for (const char* d : kDamage)
    if (error.find(d) != std::string::npos) return true;
  return false;
}

std::optional<std::string> damaged_database_message(const std::string& url, const std::string& error) {
  if (!is_damaged_database_error(error)) return std::nullopt;
  std::string url_error;
  const DbUrl u = parse_url(url, url_error);
  if (u.backend != "sqlite3") return std::nullopt;
  std::string said;
  for (const char* d : kDamage)
    if (error.find(d) != std::string::npos) {
      said = d;
      break;
    }
  return "database file " + u.path + " is not an OCOP database, or it is damaged (SQLite: " + said +
         "). If it is the right file, restore it from a backup copy, or recover "
         "what is readable with `sqlite3 .recover`, then run `ocop audit verify`: see docs/operations.md, "
         "\"A damaged database\".";
}

}  // namespace ocop::store
