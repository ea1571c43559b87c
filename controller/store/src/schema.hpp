#pragma once

#include <array>

#include "loa/sqlite/migrations.hpp"

namespace loa::store {

extern const std::array<sqlite::Migration, 9> kSqliteMigrations;

}  // namespace loa::store
