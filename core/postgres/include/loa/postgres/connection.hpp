#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loa/sql/connection.hpp"

namespace loa::postgres {

// One step of a schema's history, as for SQLite: applied in order, each in its own
// transaction; the table loa_schema records the last one applied. Append only.
struct Migration {
  int version;           // 1, 2, 3 ... with no gaps
  std::string_view sql;  // statements to run
};

// Connects (libpq connection string or postgresql:// URL), brings the schema up to the
// last step, and returns the connection behind the backend-neutral interface.
// Statements written with SQLite's `?` / `?N` placeholders are mapped to `$N`.
// With no steps the schema is left alone (administration: creating databases, reading
// the catalogue). Throws sql::Error when the server cannot be reached or refuses.
[[nodiscard]] std::unique_ptr<sql::IConnection> connect(const std::string& conninfo,
                                                        std::span<const Migration> steps);

// `?` and `?N` placeholders as `$N` (a bare `?` takes the number after the highest
// seen so far, as SQLite numbers them); text in quotes is left alone. `used`, when
// given, marks each parameter number the statement names.
[[nodiscard]] std::string numbered_placeholders(std::string_view sql, std::vector<bool>* used = nullptr);

}  // namespace loa::postgres
