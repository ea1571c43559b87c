#pragma once

#include <span>

#include "loa/postgres/connection.hpp"
#include "loa/sqlite/migrations.hpp"

namespace loa::store {

// The schema's history, one step per version, in SQLite's words.
std::span<const sqlite::Migration> sqlite_migrations();
// The same history in PostgreSQL's words, numbered as PostgreSQL databases record it.
std::span<const postgres::Migration> postgres_migrations();
// The last step's version (SQLite's numbering).
int schema_version();

}  // namespace loa::store
