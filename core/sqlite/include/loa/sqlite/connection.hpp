#pragma once

#include <memory>
#include <span>
#include <string>

#include "loa/sql/connection.hpp"
#include "loa/sqlite/database.hpp"
#include "loa/sqlite/migrations.hpp"

namespace loa::sqlite {

// A SQLite file as a loa_sql connection: opened, migrated to the last step, and then
// used through the backend-neutral interface.
[[nodiscard]] std::unique_ptr<sql::IConnection> connect(const std::string& path, std::span<const Migration> steps);

}  // namespace loa::sqlite
