#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "loa/sql/connection.hpp"

// Keeps sqlite3's C types out of every other header.
struct sqlite3;
struct sqlite3_stmt;

namespace loa::sqlite {

// A failure reported by SQLite, with its (extended) result code. SQLITE_FULL and
// SQLITE_IOERR (the disk, not the caller, at fault) are sql::Error's disk problems.
class SqliteError : public sql::Error {
 public:
  SqliteError(int code, const std::string& message);
  [[nodiscard]] int code() const { return code_; }

 private:
  int code_;
};

class Database;

// A prepared statement. Move-only; finalized on destruction.
class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binds by 1-based index. Returns *this so binds chain.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_double(int index, double value);
  Statement& bind_null(int index);
  Statement& bind_optional(int index, const std::optional<std::string>& text);
  Statement& bind_optional(int index, const std::optional<std::int64_t>& value);

  // Advances: true while a row is available, false when done.
  [[nodiscard]] bool step();
  // Runs a statement that returns no rows.
  void run();
  void reset();

  [[nodiscard]] std::int64_t column_int(int index) const;
  [[nodiscard]] std::string column_text(int index) const;
  [[nodiscard]] double column_double(int index) const;
  [[nodiscard]] std::string column_blob(int index) const;
  [[nodiscard]] bool column_is_null(int index) const;
  [[nodiscard]] std::optional<std::string> column_optional_text(int index) const;
  [[nodiscard]] std::optional<std::int64_t> column_optional_int(int index) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// An open database file. Move-only; closed on destruction. Checked at open (PRAGMA
// quick_check: a damaged file throws, saying how to recover), then in WAL mode with
// every commit synced (synchronous=FULL), foreign keys on and a busy timeout, which is
// how every Loa store wants it.
class Database {
 public:
  explicit Database(const std::string& path);
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  void exec(std::string_view sql);
  [[nodiscard]] std::int64_t changes() const;
  [[nodiscard]] sqlite3* handle() const { return db_; }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  void check_integrity();

  sqlite3* db_ = nullptr;
  std::string path_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back if destroyed before commit().
class Transaction {
 public:
  explicit Transaction(Database& db);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace loa::sqlite
