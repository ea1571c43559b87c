// The controller's store: one set of SQL statements, run on SQLite (the embedded
// default) or PostgreSQL (larger districts) through loa_sql. The SQL is the common
// ground of both: `?` placeholders, ON CONFLICT upserts, no backend's own functions.
#include "loa/postgres/connection.hpp"
#include "loa/sqlite/connection.hpp"
#include "loa/store/store.hpp"
#include "schema.hpp"
#include "sql_store.hpp"

namespace loa::store {

const char* to_string(Enrollment e) {
  switch (e) {
    case Enrollment::pending: return "pending";
    case Enrollment::approved: return "approved";
    case Enrollment::rejected: return "rejected";
    case Enrollment::revoked: return "revoked";
  }
  return "pending";
}

std::optional<Enrollment> parse_enrollment(const std::string& text) {
  for (auto e : {Enrollment::pending, Enrollment::approved, Enrollment::rejected, Enrollment::revoked}) {
    if (text == to_string(e)) return e;
  }
  return std::nullopt;
}

const char* to_string(ApprovalState s) {
  switch (s) {
    case ApprovalState::pending: return "pending";
    case ApprovalState::approved: return "approved";
    case ApprovalState::returned: return "returned";
  }
  return "pending";
}

std::optional<ApprovalState> parse_approval_state(const std::string& text) {
  for (auto s : {ApprovalState::pending, ApprovalState::approved, ApprovalState::returned}) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

const char* to_string(CommandState s) {
  switch (s) {
    case CommandState::pending: return "pending";
    case CommandState::applied: return "applied";
    case CommandState::failed: return "failed";
    case CommandState::rejected: return "rejected";
  }
  return "pending";
}

std::optional<CommandState> parse_command_state(const std::string& text) {
  for (auto s : {CommandState::pending, CommandState::applied, CommandState::failed, CommandState::rejected}) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

const char* to_string(ContentKind k) { return k == ContentKind::relay ? "relay" : "clip"; }

std::optional<ContentKind> parse_content_kind(const std::string& text) {
  for (auto k : {ContentKind::clip, ContentKind::relay}) {
    if (text == to_string(k)) return k;
  }
  return std::nullopt;
}

int sqlite_schema_version() { return schema_version(); }

std::unique_ptr<Store> open_sqlite_store(const std::string& path) {
  try {
    auto connection = sqlite::connect(path, sqlite_migrations());
    // SQLite's own cache is 2 MB. An alert writes a row per station into the index of
    // commands by station, which touches most of its pages; once the index outgrows the
    // cache, each alert reads them back and the push slows as the store grows. 8 MB
    // holds them for a province's fleet (measured with alert_bench --stations 5000).
    // The controller has one connection.
    connection->exec("PRAGMA cache_size=-8192");
    return std::make_unique<SqlStore>(std::move(connection));
  } catch (const sql::Error& e) {
    throw StoreError(e.what());
  }
}

std::unique_ptr<Store> open_postgres_store(const std::string& conninfo) {
  try {
    return std::make_unique<SqlStore>(postgres::connect(conninfo, postgres_migrations()));
  } catch (const sql::Error& e) {
    throw StoreError(e.what());
  }
}

}  // namespace loa::store
