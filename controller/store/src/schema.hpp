#pragma once

#include <array>

#include "loa/sqlite/migrations.hpp"

namespace loa::store {

extern const std::array<sqlite::Migration, 6> kSqliteMigrations;

}  // namespace loa::store
