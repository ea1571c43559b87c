#pragma once

#include <array>

#include "loa/postgres/connection.hpp"
#include "loa/sqlite/migrations.hpp"

namespace loa::store {

extern const std::array<sqlite::Migration, 11> kSqliteMigrations;
extern const std::array<postgres::Migration, 3> kPostgresMigrations;

}  // namespace loa::store
