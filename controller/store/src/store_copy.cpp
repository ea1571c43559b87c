// Moving a district from SQLite to PostgreSQL: every table copied row by row, in an
// order that satisfies the foreign keys, in one PostgreSQL transaction.
#include <array>

#include "loa/postgres/connection.hpp"
#include "loa/sql/connection.hpp"
#include "loa/sqlite/connection.hpp"
#include "loa/store/store.hpp"
#include "schema.hpp"

namespace loa::store {
namespace {

struct Table {
  const char* name;
  const char* columns;        // as in both schemas (a reserved word quoted)
  int count;                  // how many
  std::array<int, 2> blobs;   // indexes of BYTEA columns, -1 for none
};

// Parents before children. zones.parent_id is filled in a second pass.
constexpr Table kTables[] = {
    {"stations", "id, name, commune, location, public_key, enrollment, last_seen_ms, last_address, software_version, created_ms", 10, {-1, -1}},
    {"zones", "id, name, kind, NULL, quiet_hours, cap_areas", 6, {-1, -1}},
    {"zone_members", "zone_id, station_id", 2, {-1, -1}},
    {"commands", "id, station_id, kind, payload, state, created_ms, attempts, last_sent_ms, completed_ms, result_detail, duplicate_results, result", 12, {3, 11}},
    {"telemetry", "station_id, device_id, measured_ms, reading", 4, {3, -1}},
    {"alarms", "station_id, alarm_id, device_id, severity, message, raised_ms, cleared_ms, clear_message, acknowledged_by, acknowledged_ms", 10, {-1, -1}},
    {"clips", "sha256, name, duration_ms, bytes, source_lufs, gain_db, source_format, created_ms", 8, {-1, -1}},
    {"asrun", "station_id, broadcast_id, content_id, planned_start_ms, actual_start_ms, end_ms, outcome, detail, actual_start_ns, frames_played, frames_concealed, longest_gap_ms", 12, {-1, -1}},
    {"broadcasts", "id, title, content_kind, clip_sha256, tts_text, relay_url, slot_ms, start_local, time_zone, rrule, exdates, priority, volume, on_preempt, valid_from_ms, valid_until_ms, created_by, created_ms, cancelled_ms, cancelled_by", 20, {-1, -1}},
    {"broadcast_targets", "broadcast_id, target", 2, {-1, -1}},
    {"scheduled_plays", "broadcast_id, station_id, planned_start_ms, command_id", 4, {-1, -1}},
    {"users", "name, password_hash, roles, zones, created_ms", 5, {-1, -1}},
    {"audit_log", "seq, at_ms, \"user\", action, subject, detail, address, result, hash", 9, {-1, -1}},
    {"alerts", "id, state, version, definition, created_by, created_ms, confirmed_by, issued_ms, ended_by, ended_ms, expires_ms", 11, {-1, -1}},
    {"cap_messages", "sender, identifier, alert_id, received_ms", 4, {-1, -1}},
    {"alert_deliveries", "alert_id, station_id, state, detail, parts_expected, parts_done, first_sound_ms, updated_ms", 8, {-1, -1}},
    {"alert_commands", "alert_id, command_id, station_id", 3, {-1, -1}},
    {"station_pins", "station_id, clip_sha256", 2, {-1, -1}},
    {"api_tokens", "id, \"user\", label, secret_sha256, created_ms, expires_ms", 6, {-1, -1}},
};

// The INSERT's column list: the SELECT's, with the zones' NULL placeholder named.
std::string insert_columns(const Table& t) {
  std::string columns = t.columns;
  if (std::string_view(t.name) == "zones") columns = "id, name, kind, parent_id, quiet_hours, cap_areas";
  return columns;
}

}  // namespace

std::vector<std::pair<std::string, std::int64_t>> copy_sqlite_to_postgres(const std::string& sqlite_path,
                                                                          const std::string& conninfo) {
  try {
    auto from = sqlite::connect(sqlite_path, kSqliteMigrations);
    auto to = postgres::connect(conninfo, kPostgresMigrations);
    {
      sql::Statement any(*to, "SELECT COUNT(*) FROM stations");
      if (any.step() && any.column_int(0) > 0) {
        throw StoreError("the PostgreSQL database already holds stations; copy into an empty one");
      }
    }
    std::vector<std::pair<std::string, std::int64_t>> copied;
    sql::Transaction tx(*to);
    for (const auto& t : kTables) {
      std::string marks;
      for (int i = 0; i < t.count; ++i) marks += i ? ", ?" : "?";
      sql::Statement read(*from, std::string("SELECT ") + t.columns + " FROM " + t.name);
      sql::Statement write(*to, std::string("INSERT INTO ") + t.name + " (" + insert_columns(t) + ") VALUES (" + marks + ")");
      std::int64_t rows = 0;
      while (read.step()) {
        for (int i = 0; i < t.count; ++i) {
          if (read.column_is_null(i)) {
            write.bind_null(i + 1);
          } else if (i == t.blobs[0] || i == t.blobs[1]) {
            write.bind_blob(i + 1, read.column_blob(i));
          } else {
            write.bind(i + 1, read.column_text(i));
          }
        }
        write.run();
        ++rows;
      }
      copied.emplace_back(t.name, rows);
    }
    // Zones' parents, now that every zone exists.
    sql::Statement parents(*from, "SELECT id, parent_id FROM zones WHERE parent_id IS NOT NULL");
    sql::Statement set_parent(*to, "UPDATE zones SET parent_id = ? WHERE id = ?");
    while (parents.step()) {
      set_parent.bind(1, parents.column_text(1)).bind(2, parents.column_text(0));
      set_parent.run();
    }
    tx.commit();
    return copied;
  } catch (const sql::Error& e) {
    throw StoreError(e.what());
  }
}

}  // namespace loa::store
