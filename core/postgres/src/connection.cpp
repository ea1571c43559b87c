#include "loa/postgres/connection.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "copy_text.hpp"

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

// A row whose key is there already (SQLSTATE 23505), told apart by its code rather than
// its message, which the server words in its own language.
class DuplicateKey : public sql::Error {
 public:
  using sql::Error::Error;
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
  const char* sqlstate = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
  if (sqlstate && std::string_view(sqlstate) == "23505") throw DuplicateKey(message);
  throw sql::Error(message, disk_state(sqlstate));
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
  void queue() override;
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
  // The parameters as libpq takes them.
  struct Params {
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<unsigned> types;
  };
  Params params() const;
  void prepare_on_server(const Params& p);

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
    finish_pipeline();
    ensure_connected();
    return std::make_unique<PgStatement>(*this, sql);
  }
  void exec(std::string_view sql) override {
    finish_pipeline();
    ensure_connected();
    auto result = checked(conn_, PQexec(conn_, std::string(sql).c_str()), "exec");
    note_changes(result.r);
  }
  std::int64_t changes() const override { return changes_; }
  void flush() override { finish_pipeline(); }
  void begin() override { exec("BEGIN"); }
  void commit() override { exec("COMMIT"); }
  void rollback() override { exec("ROLLBACK"); }

  // COPY, the bulk path: rows go as one stream, several times faster than a statement a
  // row even pipelined. COPY has no conflict clause: a batch with one is copied straight
  // in under a savepoint (a conflict is the rare case), and only when that meets a
  // duplicate key goes again through a temporary table and one INSERT … SELECT that
  // carries the clause.
  void insert_rows(const sql::RowBatch& batch) override {
    if (batch.rows.empty()) return;
    finish_pipeline();
    ensure_connected();
    std::string names;
    for (const auto& c : batch.columns) names += (names.empty() ? "" : ", ") + c;
    if (batch.on_conflict.empty()) return copy_in(batch.table, names, batch.rows);
    if (PQtransactionStatus(conn_) == PQTRANS_INTRANS) {
      run("SAVEPOINT loa_bulk");
      try {
        copy_in(batch.table, names, batch.rows);
        run("RELEASE SAVEPOINT loa_bulk");
        return;
      } catch (const DuplicateKey&) {
        run("ROLLBACK TO SAVEPOINT loa_bulk");
      }
    }
    const auto staging = "loa_bulk_" + batch.table;
    run("CREATE TEMP TABLE IF NOT EXISTS " + staging + " (LIKE " + batch.table + " INCLUDING DEFAULTS)");
    run("TRUNCATE " + staging);
    copy_in(staging, names, batch.rows);
    note_changes(run("INSERT INTO " + batch.table + " (" + names + ") SELECT " + names + " FROM " + staging + " " +
                     batch.on_conflict).r);
  }

  PGconn* handle() { return conn_; }

  // Queued runs (PgStatement::queue) go out in pipeline mode; every synchronous call
  // ends the pipeline first and throws the first error of what was queued.
  void enter_pipeline() {
    if (pipelined_ > 0 || PQpipelineStatus(conn_) != PQ_PIPELINE_OFF) return;
    if (PQenterPipelineMode(conn_) != 1) throw sql::Error(std::string("pipeline: ") + PQerrorMessage(conn_));
  }
  void queued() {
    // A sync now and then reads the answers: in blocking mode, a pipeline whose answers
    // are never read can fill both sockets' buffers and stall.
    if (++pipelined_ >= 512) read_pipeline(true);
  }
  void finish_pipeline() {
    if (PQpipelineStatus(conn_) == PQ_PIPELINE_OFF) return;
    read_pipeline(false);
  }
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

  Result run(const std::string& sql) { return checked(conn_, PQexec(conn_, sql.c_str()), "bulk"); }

  void copy_in(const std::string& table, const std::string& names, const std::vector<std::vector<sql::Cell>>& rows) {
    Result start(PQexec(conn_, ("COPY " + table + " (" + names + ") FROM STDIN").c_str()));
    if (PQresultStatus(start.r) != PGRES_COPY_IN) (void)checked(conn_, std::exchange(start.r, nullptr), "copy");
    std::string chunk, failure;
    const auto send = [&] {
      if (failure.empty() && PQputCopyData(conn_, chunk.data(), static_cast<int>(chunk.size())) != 1) {
        failure = PQerrorMessage(conn_);
      }
      chunk.clear();
    };
    for (const auto& row : rows) {
      append_copy_row(chunk, row);
      if (chunk.size() >= 256 * 1024) send();
    }
    if (!chunk.empty()) send();
    if (PQputCopyEnd(conn_, failure.empty() ? nullptr : "client failed") != 1 && failure.empty()) {
      failure = PQerrorMessage(conn_);
    }
    // The answer to the COPY, then nothing.
    std::optional<Result> answer;
    while (PGresult* r = PQgetResult(conn_)) {
      if (!answer) answer.emplace(r);
      else PQclear(r);
    }
    if (!failure.empty()) throw sql::Error("copy: " + failure);
    if (!answer) throw sql::Error(std::string("copy: ") + PQerrorMessage(conn_));
    note_changes((checked(conn_, std::exchange(answer->r, nullptr), "copy")).r);
  }

  // Sends a sync and reads every answer up to it; leaves pipeline mode unless `stay`.
  void read_pipeline(bool stay) {
    pipelined_ = 0;
    std::string error, first_error;
    if (PQpipelineSync(conn_) != 1) error = std::string("pipeline sync: ") + PQerrorMessage(conn_);
    // After a sync the server always answers with its own result, unless the link breaks.
    while (error.empty()) {
      PGresult* r = PQgetResult(conn_);
      if (!r) {
        if (PQstatus(conn_) != CONNECTION_OK) error = std::string("connection lost: ") + PQerrorMessage(conn_);
        continue;  // the end of one query's answers
      }
      const auto status = PQresultStatus(r);
      if (status == PGRES_PIPELINE_SYNC) {
        PQclear(r);
        break;
      }
      if (status == PGRES_FATAL_ERROR && first_error.empty()) first_error = PQresultErrorMessage(r);
      PQclear(r);
    }
    if (error.empty()) error = first_error;
    if (!stay || !error.empty()) (void)PQexitPipelineMode(conn_);
    if (!error.empty()) {
      while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
      throw sql::Error("queued query: " + error);
    }
  }

  PGconn* conn_;
  std::int64_t changes_ = 0;
  int pipelined_ = 0;  // runs sent since the last sync
};

PgStatement::PgStatement(PgConnection& connection, std::string_view sql)
    : connection_(connection), sql_(numbered_placeholders(sql, &used_)) {}

PgStatement::~PgStatement() {
  if (prepared_name_.empty()) return;
  auto* conn = connection_.handle();
  if (PQstatus(conn) != CONNECTION_OK) return;
  try {
    connection_.finish_pipeline();
  } catch (const sql::Error&) {
    return;  // the caller hears of it at its next statement or commit
  }
  // In a failed transaction this is refused; the server drops it with the connection.
  PQclear(PQexec(conn, ("DEALLOCATE " + prepared_name_).c_str()));
}

PgStatement::Params PgStatement::params() const {
  Params p{std::vector<const char*>(values_.size()), std::vector<int>(values_.size()),
           std::vector<unsigned>(values_.size(), 0)};
  // A parameter bound but not named by the statement (an optional filter left out)
  // has no type to infer: it is sent as text, which the server then ignores.
  for (std::size_t i = 0; i < values_.size(); ++i) {
    p.values[i] = values_[i] ? values_[i]->data() : nullptr;
    p.lengths[i] = values_[i] ? static_cast<int>(values_[i]->size()) : 0;
    if (i >= used_.size() || !used_[i]) p.types[i] = kTextOid;
  }
  return p;
}

void PgStatement::prepare_on_server(const Params& p) {
  static std::atomic<std::uint64_t> next_name{0};
  const auto name = "loa_" + std::to_string(++next_name);
  auto* conn = connection_.handle();
  (void)checked(conn, PQprepare(conn, name.c_str(), sql_.c_str(), static_cast<int>(p.values.size()), p.types.data()),
                "prepare");
  prepared_name_ = name;
}

bool PgStatement::step() {
  if (!result_.r) {
    connection_.finish_pipeline();
    const auto p = params();
    auto* conn = connection_.handle();
    const int n = static_cast<int>(values_.size());
    if (runs_++ == 1) prepare_on_server(p);
    result_ = checked(conn,
                      prepared_name_.empty()
                          ? PQexecParams(conn, sql_.c_str(), n, p.types.data(), p.values.data(), p.lengths.data(),
                                         formats_.data(), 0)
                          : PQexecPrepared(conn, prepared_name_.c_str(), n, p.values.data(), p.lengths.data(),
                                           formats_.data(), 0),
                      "query");
    connection_.note_changes(result_.r);
    row_ = -1;
  }
  ++row_;
  return row_ < PQntuples(result_.r);
}

void PgStatement::queue() {
  const auto p = params();
  auto* conn = connection_.handle();
  if (prepared_name_.empty()) {
    connection_.finish_pipeline();  // preparing is a synchronous call
    prepare_on_server(p);
  }
  ++runs_;
  connection_.enter_pipeline();
  if (PQsendQueryPrepared(conn, prepared_name_.c_str(), static_cast<int>(p.values.size()), p.values.data(),
                          p.lengths.data(), formats_.data(), 0) != 1) {
    throw sql::Error(std::string("queue: ") + PQerrorMessage(conn));
  }
  connection_.queued();
  reset();
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
