// What a person is told when the SQLite file behind --db is not a database or is damaged
// (truncated, a flipped header byte, pages of garbage): instead of the driver's text
// ("sqlite3_statement_backend::prepare: file is not a database"), which file, what that means
// and where the way back is written (docs/operations.md, "A damaged database").
#pragma once

#include <optional>
#include <string>

namespace ocop::store {

// Whether a StoreError's text is SQLite saying that the file is not a database or is damaged.
bool is_damaged_database_error(const std::string& error);

// The message for `url` when `error` is such an error; nullopt otherwise (the caller keeps
// its own message: a PostgreSQL error, a locked file, a full disk...).
std::optional<std::string> damaged_database_message(const std::string& url, const std::string& error);

}  // namespace ocop::store
