#pragma once

#include <span>
#include <string_view>

#include "loa/sqlite/database.hpp"

namespace loa::sqlite {

// One step of a schema's history. Steps are applied in order, each in its own
// transaction, and the database's `PRAGMA user_version` records how many have been
// applied. Append only: an applied step is never edited, a change is a new step.
struct Migration {
  int version;           // 1, 2, 3 ... with no gaps
  std::string_view sql;  // statements to run
};

// Brings the database up to the last step. Returns the version it now has. A database
// written by a newer Loa (a version past the last known step) is refused with an
// error rather than silently used.
int migrate(Database& db, std::span<const Migration> steps);

}  // namespace loa::sqlite
