// Moving a district from SQLite to PostgreSQL: every table copied in bulk (COPY, in
// batches of kBatchRows), in an order that satisfies the foreign keys, in one PostgreSQL
// transaction.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "loa/postgres/connection.hpp"
#include "loa/sql/connection.hpp"
#include "loa/sql/row_batch.hpp"
#include "loa/sqlite/connection.hpp"
#include "loa/store/store.hpp"
#include "columns.hpp"
#include "schema.hpp"

namespace loa::store {
namespace {

struct Table {
  const char* name;
  const char* columns;        // as in both schemas (a reserved word quoted)
  std::array<int, 2> blobs;   // indexes of BYTEA columns, -1 for none
};

// Parents before children. zones.parent_id is filled in a second pass, once every zone
// exists: the first pass copies it as NULL.
constexpr int kZoneParent = 3;
const Table kTables[] = {
    {"stations", kStationColumns, {-1, -1}},
    {"zones", "id, name, kind, parent_id, quiet_hours, cap_areas, needs_approval, level", {-1, -1}},
    {"zone_members", "zone_id, station_id", {-1, -1}},
    {"commands", kCommandColumns, {3, 11}},
    {"telemetry", "station_id, device_id, measured_ms, reading", {3, -1}},
    {"alarms", "station_id, alarm_id, device_id, severity, message, raised_ms, cleared_ms, clear_message, acknowledged_by, acknowledged_ms, message_vi, clear_message_vi", {-1, -1}},
    {"clips", kClipColumns, {-1, -1}},
    {"asrun", kAsRunColumns, {-1, -1}},
    {"broadcasts", "id, title, content_kind, clip_sha256, tts_text, relay_url, slot_ms, start_local, time_zone, rrule, exdates, priority, volume, on_preempt, valid_from_ms, valid_until_ms, created_by, created_ms, cancelled_ms, cancelled_by", {-1, -1}},
    {"broadcast_targets", "broadcast_id, target", {-1, -1}},
    {"broadcast_approvals", "broadcast_id, state, zones, submitted_by, submitted_ms, decided_by, decided_ms, note", {-1, -1}},
    {"scheduled_plays", "broadcast_id, station_id, planned_start_ms, command_id", {-1, -1}},
    {"users", "name, password_hash, roles, zones, created_ms", {-1, -1}},
    {"audit_log", "seq, at_ms, \"user\", action, subject, detail, address, result, hash", {-1, -1}},
    {"alerts", kAlertColumns, {-1, -1}},
    {"cap_messages", "sender, identifier, alert_id, received_ms", {-1, -1}},
    {"alert_deliveries", "alert_id, station_id, state, detail, parts_expected, parts_done, first_sound_ms, updated_ms", {-1, -1}},
    {"alert_commands", "alert_id, command_id, station_id", {-1, -1}},
    {"station_pins", "station_id, clip_sha256", {-1, -1}},
    {"api_tokens", "id, \"user\", label, secret_sha256, created_ms, expires_ms", {-1, -1}},
    {"station_licences", "station_id, assigned_khz, tolerance_khz, max_power_w, expires, type_approval, temporary, updated_ms, updated_by, command_id", {-1, -1}},
    {"station_configs", "station_id, version, digest, main, files, note, created_by, created_ms, command_id", {-1, -1}},
    {"live_streams", kLiveStreamColumns, {-1, -1}},
    {"live_stream_targets", "stream_id, station_id", {-1, -1}},
    {"station_links", "station_id, up_ms, down_ms", {-1, -1}},
    {"member_stations", "member_id, station_id, name, zone, state, alarms, playing, last_seen_ms, updated_ms", {-1, -1}},
    {"member_asrun", "member_id, seq, station_id, broadcast_id, content_id, planned_start_ms, actual_start_ms, end_ms, outcome, detail, received_ms", {-1, -1}},
    {"relays", "id, kind, level, definition, created_by, created_ms", {-1, -1}},
    {"relay_members", "relay_id, member_id, command_id, state, local_id, stations, sounding, unreachable, failed, problems, updated_ms", {-1, -1}},
    {"upstream_commands", "command_id, relay_id, kind, outcome, detail, local_id, applied_ms", {-1, -1}},
    {"inbox", "id, level, title, body, zones, sender, received_ms, valid_until_ms, state, decided_by, decided_ms, broadcast_id, clip_sha256", {-1, -1}},
    {"uplink_state", "name, value", {-1, -1}},
    {"agent_releases", "sha256, version, bytes, signature, uploaded_by, uploaded_ms, package", {6, -1}},
    {"agent_rollouts", "id, release_sha256, version, state, canary, confirm_within_ms, reason, created_by, created_ms, updated_ms", {-1, -1}},
    {"rollout_stations", "rollout_id, station_id, canary, state, command_id, detail, updated_ms", {-1, -1}},
};

// Enough rows a batch that a COPY's setup is nothing beside it, few enough that a
// district's year of telemetry is never held in memory whole.
constexpr std::size_t kBatchRows = 20'000;

std::vector<std::string> column_names(const char* columns) {
  std::vector<std::string> names;
  std::string_view rest(columns);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    auto name = rest.substr(0, comma);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    names.emplace_back(name);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return names;
}


}  // namespace

std::vector<std::pair<std::string, std::int64_t>> copy_sqlite_to_postgres(const std::string& sqlite_path,
                                                                          const std::string& conninfo) {
  try {
    auto from = sqlite::connect(sqlite_path, sqlite_migrations());
    auto to = postgres::connect(conninfo, postgres_migrations());
    {
      sql::Statement any(*to, "SELECT COUNT(*) FROM stations");
      if (any.step() && any.column_int(0) > 0) {
        throw StoreError("the PostgreSQL database already holds stations; copy into an empty one");
      }
    }
    std::vector<std::pair<std::string, std::int64_t>> copied;
    sql::Transaction tx(*to);
    for (const auto& t : kTables) {
      const bool zones = std::string_view(t.name) == "zones";
      sql::Statement read(*from, std::string("SELECT ") + t.columns + " FROM " + t.name);
      sql::RowBatch batch(t.name, column_names(t.columns));
      const int count = static_cast<int>(batch.columns.size());
      std::int64_t rows = 0;
      while (read.step()) {
        auto& row = batch.add();
        row.reserve(static_cast<std::size_t>(count));
        for (int i = 0; i < count; ++i) {
          if (read.column_is_null(i) || (zones && i == kZoneParent)) {
            row.push_back(sql::Cell::null());
          } else if (i == t.blobs[0] || i == t.blobs[1]) {
            row.push_back(sql::Cell::blob(read.column_blob(i)));
          } else {
            row.push_back(sql::Cell::of(read.column_text(i)));
          }
        }
        ++rows;
        if (batch.rows.size() >= kBatchRows) {
          to->insert_rows(batch);
          batch.rows.clear();
        }
      }
      to->insert_rows(batch);
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
