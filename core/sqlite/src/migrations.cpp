#include "loa/sqlite/migrations.hpp"

#include <string>

namespace loa::sqlite {

int migrate(Database& db, std::span<const Migration> steps) {
  int current = 0;
  {
    Statement version(db, "PRAGMA user_version");
    if (version.step()) current = static_cast<int>(version.column_int(0));
  }
  const int latest = steps.empty() ? 0 : steps.back().version;
  if (current > latest) {
    throw SqliteError(0, db.path() + ": schema version " + std::to_string(current) +
                             " is newer than this program knows (" + std::to_string(latest) +
                             "); refusing to use it");
  }
  for (const auto& step : steps) {
    if (step.version <= current) continue;
    Transaction tx(db);
    db.exec(step.sql);
    db.exec("PRAGMA user_version = " + std::to_string(step.version));
    tx.commit();
    current = step.version;
  }
  return current;
}

}  // namespace loa::sqlite
