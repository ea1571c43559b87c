#pragma once

#include <array>

#include "loa/sqlite/migrations.hpp"

namespace loa::store {

extern const std::array<sqlite::Migration, 7> kSqliteMigrations;

}  // namespace loa::store
