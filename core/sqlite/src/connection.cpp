#include "loa/sqlite/connection.hpp"

#include <sqlite3.h>

namespace loa::sqlite {
namespace {

class SqliteStatement final : public sql::IStatement {
 public:
  SqliteStatement(Database& db, std::string_view sql) : s_(db, sql) {}
  void bind_int(int index, std::int64_t value) override { s_.bind(index, value); }
  void bind_text(int index, std::string_view text) override { s_.bind(index, text); }
  void bind_blob(int index, std::string_view bytes) override { s_.bind_blob(index, bytes); }
  void bind_double(int index, double value) override { s_.bind_double(index, value); }
  void bind_null(int index) override { s_.bind_null(index); }
  bool step() override { return s_.step(); }
  void reset() override { s_.reset(); }
  std::int64_t column_int(int index) const override { return s_.column_int(index); }
  std::string column_text(int index) const override { return s_.column_text(index); }
  double column_double(int index) const override { return s_.column_double(index); }
  std::string column_blob(int index) const override { return s_.column_blob(index); }
  bool column_is_null(int index) const override { return s_.column_is_null(index); }

 private:
  Statement s_;
};

class SqliteConnection final : public sql::IConnection {
 public:
  explicit SqliteConnection(Database db) : db_(std::move(db)) {}
  std::unique_ptr<sql::IStatement> prepare(std::string_view sql) override {
    return std::make_unique<SqliteStatement>(db_, sql);
  }
  void exec(std::string_view sql) override { db_.exec(sql); }
  std::int64_t changes() const override { return db_.changes(); }
  // IMMEDIATE: take the write lock at once, so two writers never deadlock upgrading.
  void begin() override { db_.exec("BEGIN IMMEDIATE"); }
  void commit() override { db_.exec("COMMIT"); }
  void rollback() override { db_.exec("ROLLBACK"); }
  std::int64_t memory_used() const override { return sqlite3_memory_used(); }

 private:
  Database db_;
};

}  // namespace

std::unique_ptr<sql::IConnection> connect(const std::string& path, std::span<const Migration> steps) {
  Database db(path);
  migrate(db, steps);
  return std::make_unique<SqliteConnection>(std::move(db));
}

}  // namespace loa::sqlite
