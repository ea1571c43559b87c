#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace loa::sql {

// One value of a row added in bulk.
struct Cell {
  enum class Kind { null, integer, text, blob };
  Kind kind = Kind::null;
  std::int64_t integer = 0;
  std::string bytes;  // text (UTF-8) or blob

  static Cell of(std::int64_t v) { return {Kind::integer, v, {}}; }
  static Cell of(std::string_view text) { return {Kind::text, 0, std::string(text)}; }
  static Cell blob(std::string_view bytes) { return {Kind::blob, 0, std::string(bytes)}; }
  static Cell null() { return {}; }
};

// Rows for one table, added together (IConnection::insert_rows): the 48 h schedule's
// thousands of plays and their commands. `on_conflict` is the INSERT's own clause ("" or
// "ON CONFLICT DO NOTHING"), which holds for every row however the backend sends them.
struct RowBatch {
  std::string table;
  std::vector<std::string> columns;
  std::string on_conflict;
  std::vector<std::vector<Cell>> rows;

  RowBatch(std::string table_name, std::vector<std::string> column_names, std::string conflict_clause = {})
      : table(std::move(table_name)), columns(std::move(column_names)), on_conflict(std::move(conflict_clause)) {}
  std::vector<Cell>& add() { return rows.emplace_back(); }

  // The INSERT a row at a time, with `?` placeholders.
  [[nodiscard]] std::string insert_sql() const {
    std::string names, marks;
    for (const auto& c : columns) {
      names += (names.empty() ? "" : ", ") + c;
      marks += marks.empty() ? "?" : ", ?";
    }
    return "INSERT INTO " + table + " (" + names + ") VALUES (" + marks + ")" +
           (on_conflict.empty() ? "" : " " + on_conflict);
  }
};

}  // namespace loa::sql
