#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "loa/sql/row_batch.hpp"

namespace loa::sql {

// A failure reported by the database. `disk` marks the kind an operator must act on
// (disk full, I/O error), as opposed to a bad statement.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, bool disk = false) : std::runtime_error(message), disk_(disk) {}
  [[nodiscard]] bool is_disk_problem() const { return disk_; }

 private:
  bool disk_;
};

// One backend's prepared statement. Parameters are numbered from 1; statements are
// written with SQLite's `?` and `?N` placeholders, which each backend maps to its own.
class IStatement {
 public:
  virtual ~IStatement() = default;
  virtual void bind_int(int index, std::int64_t value) = 0;
  virtual void bind_text(int index, std::string_view text) = 0;
  virtual void bind_blob(int index, std::string_view bytes) = 0;
  virtual void bind_double(int index, double value) = 0;
  virtual void bind_null(int index) = 0;
  // Runs the statement on the first call, then advances: true while a row is there.
  [[nodiscard]] virtual bool step() = 0;
  // Ready to run again with new bindings.
  virtual void reset() = 0;
  // Runs a statement that returns no rows, perhaps without waiting for its answer: a
  // backend that can (PostgreSQL's pipeline mode) sends rows inserted in a loop one
  // after another, one round trip for many. Its errors come out by the next statement
  // or the commit (flush() says at once); nobody may read changes() after it. Ready to run again afterwards.
  virtual void queue() {
    while (step()) {
    }
    reset();
  }
  [[nodiscard]] virtual std::int64_t column_int(int index) const = 0;
  [[nodiscard]] virtual std::string column_text(int index) const = 0;
  [[nodiscard]] virtual double column_double(int index) const = 0;
  [[nodiscard]] virtual std::string column_blob(int index) const = 0;
  [[nodiscard]] virtual bool column_is_null(int index) const = 0;
};

// One connection to a database. Not thread-safe: a store serializes its calls.
class IConnection {
 public:
  virtual ~IConnection() = default;
  [[nodiscard]] virtual std::unique_ptr<IStatement> prepare(std::string_view sql) = 0;
  virtual void exec(std::string_view sql) = 0;
  // Rows changed by the last statement run.
  [[nodiscard]] virtual std::int64_t changes() const = 0;
  // Waits for every queued run (IStatement::queue) to be answered; throws the first
  // error among them. Call it where the loop of queued runs ends.
  virtual void flush() {}
  // Adds a batch of rows to one table: by default a prepared INSERT queued a row at a
  // time; a backend with a bulk path (PostgreSQL's COPY) sends them as one stream.
  // Errors as queue()'s: by flush() or the commit at the latest.
  virtual void insert_rows(const RowBatch& batch);
  // Memory the database library holds in this process (page cache, statements), in
  // bytes; -1 where it lives in a server of its own.
  [[nodiscard]] virtual std::int64_t memory_used() const { return -1; }
  virtual void begin() = 0;  // a write transaction
  virtual void commit() = 0;
  virtual void rollback() = 0;
};

// A statement as stores use it: binds chain, columns read by index.
class Statement {
 public:
  Statement(IConnection& connection, std::string_view sql) : s_(connection.prepare(sql)) {}

  Statement& bind(int index, std::int64_t value) { s_->bind_int(index, value); return *this; }
  Statement& bind(int index, std::string_view text) { s_->bind_text(index, text); return *this; }
  Statement& bind_blob(int index, std::string_view bytes) { s_->bind_blob(index, bytes); return *this; }
  Statement& bind_double(int index, double value) { s_->bind_double(index, value); return *this; }
  Statement& bind_null(int index) { s_->bind_null(index); return *this; }
  Statement& bind_optional(int index, const std::optional<std::string>& text) {
    return text ? bind(index, *text) : bind_null(index);
  }
  Statement& bind_optional(int index, const std::optional<std::int64_t>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  [[nodiscard]] bool step() { return s_->step(); }
  // Rows inserted in a loop: see IStatement::queue().
  void queue() { s_->queue(); }
  // Runs a statement that returns no rows, then makes it ready to run again.
  void run() {
    while (s_->step()) {
    }
    s_->reset();
  }
  void reset() { s_->reset(); }

  [[nodiscard]] std::int64_t column_int(int index) const { return s_->column_int(index); }
  [[nodiscard]] std::string column_text(int index) const { return s_->column_text(index); }
  [[nodiscard]] double column_double(int index) const { return s_->column_double(index); }
  [[nodiscard]] std::string column_blob(int index) const { return s_->column_blob(index); }
  [[nodiscard]] bool column_is_null(int index) const { return s_->column_is_null(index); }
  [[nodiscard]] std::optional<std::string> column_optional_text(int index) const {
    if (column_is_null(index)) return std::nullopt;
    return column_text(index);
  }
  [[nodiscard]] std::optional<std::int64_t> column_optional_int(int index) const {
    if (column_is_null(index)) return std::nullopt;
    return column_int(index);
  }

 private:
  std::unique_ptr<IStatement> s_;
};

inline void IConnection::insert_rows(const RowBatch& batch) {
  auto s = prepare(batch.insert_sql());
  for (const auto& row : batch.rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      const int at = static_cast<int>(i) + 1;
      switch (row[i].kind) {
        case Cell::Kind::null: s->bind_null(at); break;
        case Cell::Kind::integer: s->bind_int(at, row[i].integer); break;
        case Cell::Kind::text: s->bind_text(at, row[i].bytes); break;
        case Cell::Kind::blob: s->bind_blob(at, row[i].bytes); break;
      }
    }
    s->queue();
  }
}

// A write transaction, rolled back if destroyed before commit().
class Transaction {
 public:
  explicit Transaction(IConnection& connection) : connection_(connection) { connection_.begin(); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (done_) return;
    try {
      connection_.rollback();
    } catch (...) {
      // Nothing more to do: the connection reports the failure on its next use.
    }
  }
  void commit() {
    connection_.commit();
    done_ = true;
  }

 private:
  IConnection& connection_;
  bool done_ = false;
};

}  // namespace loa::sql
