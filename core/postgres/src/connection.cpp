#include "loa/postgres/connection.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

namespace loa::postgres {
namespace {

constexpr unsigned kByteaOid = 17;  // pg_type.oid of bytea
constexpr unsigned kTextOid = 25;   // and of text

// SQLSTATE classes 53 (insufficient resources: disk full, out of memory) and 58
// (system error: I/O) are the server's machine at fault, not the statement.
bool disk_state(const char* sqlstate) {
  return sqlstate && (std::string_view(sqlstate).starts_with("53") || std::string_view(sqlstate).starts_with("58"));
}

// A query result, cleared when it goes.
struct Result {
  PGresult* r = nullptr;
  Result() = default;
  explicit Result(PGresult* result) : r(result) {}
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  Result(Result&& other) noexcept : r(other.r) { other.r = nullptr; }
  Result& operator=(Result&& other) noexcept {
    if (this != &other) {
      PQclear(r);
      r = other.r;
      other.r = nullptr;
    }
    return *this;
  }
  ~Result() { PQclear(r); }
};

// Throws unless the result is a success; returns it otherwise.
Result checked(PGconn* conn, PGresult* raw, std::string_view context) {
  Result result(raw);
  const auto status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  std::string message(context);
  message += ": ";
  message += raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  throw sql::Error(message, raw && disk_state(PQresultErrorField(raw, PG_DIAG_SQLSTATE)));
}

class PgConnection;

class PgStatement final : public sql::IStatement {
 public:
  PgStatement(PgConnection& connection, std::string_view sql);
  PgStatement(const PgStatement&) = delete;
  PgStatement& operator=(const PgStatement&) = delete;
  ~PgStatement() override;

  void bind_int(int index, std::int64_t value) override { set(index, std::to_string(value), 0); }
  void bind_text(int index, std::string_view text) override { set(index, std::string(text), 0); }
  void bind_blob(int index, std::string_view bytes) override { set(index, std::string(bytes), 1); }
  void bind_double(int index, double value) override {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", value);
    set(index, text, 0);
  }
  void bind_null(int index) override {
    grow(index);
    values_[static_cast<std::size_t>(index - 1)].reset();
  }

  bool step() override;
  void reset() override {
    result_ = Result();
    row_ = -1;
  }

  std::int64_t column_int(int index) const override {
    const char* text = value(index);
    std::int64_t out = 0;
    std::from_chars(text, text + std::strlen(text), out);
    return out;
  }
  std::string column_text(int index) const override { return value(index); }
  double column_double(int index) const override { return std::strtod(value(index), nullptr); }
  std::string column_blob(int index) const override {
    if (PQftype(result_.r, index) != kByteaOid) return value(index);
    std::size_t length = 0;
    unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(value(index)), &length);
    if (!bytes) throw sql::Error("out of memory reading a bytea column");
    std::string out(reinterpret_cast<const char*>(bytes), length);
    PQfreemem(bytes);
    return out;
  }
  bool column_is_null(int index) const override { return PQgetisnull(result_.r, row_, index) != 0; }

 private:
  void grow(int index) {
    if (index < 1) throw sql::Error("parameter index " + std::to_string(index));
    const auto n = static_cast<std::size_t>(index);
    if (values_.size() < n) {
      values_.resize(n);
      formats_.resize(n, 0);
    }
  }
  void set(int index, std::string value, int format) {
    grow(index);
    values_[static_cast<std::size_t>(index - 1)] = std::move(value);
    formats_[static_cast<std::size_t>(index - 1)] = format;
  }
  const char* value(int index) const { return PQgetvalue(result_.r, row_, index); }

  PgConnection& connection_;
  std::vector<bool> used_;  // parameters the statement names (filled with sql_, so first)
  std::string sql_;
  // A statement run more than once (rows inserted in a loop) is prepared on the server
  // at its second run, so it is parsed and planned once, not once per row.
  int runs_ = 0;
  std::string prepared_name_;
  std::vector<std::optional<std::string>> values_;
  std::vector<int> formats_;
  Result result_;
  int row_ = -1;
};

class PgConnection final : public sql::IConnection {
 public:
  explicit PgConnection(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    if (!conn_) throw sql::Error("postgresql: out of memory");
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string message = std::string("postgresql: cannot connect: ") + PQerrorMessage(conn_);
      while (!message.empty() && message.back() == '\n') message.pop_back();
      PQfinish(conn_);
      throw sql::Error(message);
    }
    // Notices ("already exists, skipping" and the like) are not for the log.
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
  }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection() override { PQfinish(conn_); }

  std::unique_ptr<sql::IStatement> prepare(std::string_view sql) override {
    ensure_connected();
    return std::make_unique<PgStatement>(*this, sql);
  }
  void exec(std::string_view sql) override {
    ensure_connected();
    auto result = checked(conn_, PQexec(conn_, std::string(sql).c_str()), "exec");
    note_changes(result.r);
  }
  std::int64_t changes() const override { return changes_; }
  void begin() override { exec("BEGIN"); }
  void commit() override { exec("COMMIT"); }
  void rollback() override { exec("ROLLBACK"); }

  PGconn* handle() { return conn_; }
  void note_changes(PGresult* r) {
    const char* n = PQcmdTuples(r);
    changes_ = (n && *n) ? std::strtoll(n, nullptr, 10) : 0;
  }

 private:
  // A server restart or a dropped link leaves the connection bad: reconnect before the
  // next statement (a transaction in progress is lost with it, and says so).
  void ensure_connected() {
    if (PQstatus(conn_) == CONNECTION_OK) return;
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) {
      throw sql::Error(std::string("postgresql: connection lost: ") + PQerrorMessage(conn_));
    }
  }

  PGconn* conn_;
  std::int64_t changes_ = 0;
};

PgStatement::PgStatement(PgConnection& connection, std::string_view sql)
    : connection_(connection), sql_(numbered_placeholders(sql, &used_)) {}

PgStatement::~PgStatement() {
  if (prepared_name_.empty()) return;
  auto* conn = connection_.handle();
  if (PQstatus(conn) != CONNECTION_OK) return;
  // In a failed transaction this is refused; the server drops it with the connection.
  PQclear(PQexec(conn, ("DEALLOCATE " + prepared_name_).c_str()));
}

bool PgStatement::step() {
  if (!result_.r) {
    std::vector<const char*> values(values_.size());
    std::vector<int> lengths(values_.size());
    // A parameter bound but not named by the statement (an optional filter left out)
    // has no type to infer: it is sent as text, which the server then ignores.
    std::vector<unsigned> types(values_.size(), 0);
    for (std::size_t i = 0; i < values_.size(); ++i) {
      values[i] = values_[i] ? values_[i]->data() : nullptr;
      lengths[i] = values_[i] ? static_cast<int>(values_[i]->size()) : 0;
      if (i >= used_.size() || !used_[i]) types[i] = kTextOid;
    }
    auto* conn = connection_.handle();
    const int n = static_cast<int>(values_.size());
    if (runs_++ == 1) {
      static std::atomic<std::uint64_t> next_name{0};
      const auto name = "loa_" + std::to_string(++next_name);
      (void)checked(conn, PQprepare(conn, name.c_str(), sql_.c_str(), n, types.data()), "prepare");
      prepared_name_ = name;
    }
    result_ = checked(conn,
                      prepared_name_.empty()
                          ? PQexecParams(conn, sql_.c_str(), n, types.data(), values.data(), lengths.data(),
                                         formats_.data(), 0)
                          : PQexecPrepared(conn, prepared_name_.c_str(), n, values.data(), lengths.data(),
                                           formats_.data(), 0),
                      "query");
    connection_.note_changes(result_.r);
    row_ = -1;
  }
  ++row_;
  return row_ < PQntuples(result_.r);
}

}  // namespace

std::string numbered_placeholders(std::string_view sql, std::vector<bool>* used) {
  std::string out;
  out.reserve(sql.size() + 16);
  int highest = 0;
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote) {
      out += c;
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out += c;
      continue;
    }
    if (c != '?') {
      out += c;
      continue;
    }
    std::size_t end = i + 1;
    while (end < sql.size() && sql[end] >= '0' && sql[end] <= '9') ++end;
    int number = highest + 1;
    if (end > i + 1) std::from_chars(sql.data() + i + 1, sql.data() + end, number);
    highest = std::max(highest, number);
    if (used && number > 0) {
      if (used->size() < static_cast<std::size_t>(number)) used->resize(static_cast<std::size_t>(number));
      (*used)[static_cast<std::size_t>(number - 1)] = true;
    }
    out += '$' + std::to_string(number);
    i = end - 1;
  }
  return out;
}

std::unique_ptr<sql::IConnection> connect(const std::string& conninfo, std::span<const Migration> steps) {
  auto connection = std::make_unique<PgConnection>(conninfo);
  if (steps.empty()) return connection;
  // One controller migrates at a time (two starting together wait for each other).
  connection->exec("SELECT pg_advisory_lock(770077)");
  connection->exec("CREATE TABLE IF NOT EXISTS loa_schema (version INTEGER NOT NULL)");
  int current = 0;
  {
    sql::Statement s(*connection, "SELECT COALESCE(MAX(version), 0) FROM loa_schema");
    if (s.step()) current = static_cast<int>(s.column_int(0));
  }
  const int last = steps.back().version;
  if (current > last) {
    connection->exec("SELECT pg_advisory_unlock(770077)");
    throw sql::Error("the database's schema is version " + std::to_string(current) + ", newer than this build's " +
                     std::to_string(last) + ": upgrade Loa");
  }
  for (const auto& step : steps) {
    if (step.version <= current) continue;
    sql::Transaction tx(*connection);
    connection->exec(step.sql);
    sql::Statement mark(*connection, "INSERT INTO loa_schema (version) VALUES (?)");
    mark.bind(1, static_cast<std::int64_t>(step.version));
    mark.run();
    tx.commit();
  }
  connection->exec("SELECT pg_advisory_unlock(770077)");
  return connection;
}

}  // namespace loa::postgres
