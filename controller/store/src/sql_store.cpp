// The controller's store: one set of SQL statements, run on SQLite (the embedded
// default) or PostgreSQL (larger districts) through loa_sql. The SQL is the common
// ground of both: `?` placeholders, ON CONFLICT upserts, no backend's own functions.
#include <map>
#include <mutex>
#include <type_traits>

#include "loa/digest/sha256.hpp"
#include "loa/postgres/connection.hpp"
#include "loa/sql/connection.hpp"
#include "loa/sqlite/connection.hpp"
#include "loa/store/store.hpp"
#include "columns.hpp"
#include "schema.hpp"

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

const char* to_string(ZoneKind k) {
  switch (k) {
    case ZoneKind::commune: return "commune";
    case ZoneKind::village: return "village";
    case ZoneKind::custom: return "custom";
  }
  return "custom";
}

std::optional<ZoneKind> parse_zone_kind(const std::string& text) {
  for (auto k : {ZoneKind::commune, ZoneKind::village, ZoneKind::custom}) {
    if (text == to_string(k)) return k;
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

int sqlite_schema_version() { return kSqliteMigrations.back().version; }

namespace {

std::string join_lines(const std::vector<std::string>& items, char separator = '\n') {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

std::vector<std::string> split_lines(const std::string& text, char separator) {
  std::vector<std::string> out;
  for (std::size_t pos = 0; pos < text.size();) {
    auto end = text.find(separator, pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// The hash of an audit entry: SHA-256 over the previous entry's hash and every field,
// each length-prefixed so that no two different entries read alike.
std::string audit_hash(const std::string& previous, const AuditRecord& a) {
  std::string text;
  for (const std::string& field : {previous, std::to_string(a.seq), std::to_string(a.at_ms), a.user, a.action,
                                   a.subject, a.detail, a.address, std::to_string(a.result)}) {
    text += std::to_string(field.size()) + ":" + field + ";";
  }
  return digest::sha256_hex(text);
}

AuditRecord read_audit(const sql::Statement& s) {
  AuditRecord a;
  a.seq = s.column_int(0);
  a.at_ms = s.column_int(1);
  a.user = s.column_text(2);
  a.action = s.column_text(3);
  a.subject = s.column_text(4);
  a.detail = s.column_text(5);
  a.address = s.column_text(6);
  a.result = static_cast<int>(s.column_int(7));
  a.hash = s.column_text(8);
  return a;
}


AlertRecord read_alert(const sql::Statement& s) {
  AlertRecord a;
  a.id = s.column_text(0);
  a.state = s.column_text(1);
  a.version = s.column_int(2);
  a.definition = s.column_text(3);
  a.created_by = s.column_text(4);
  a.created_ms = s.column_int(5);
  a.confirmed_by = s.column_text(6);
  a.issued_ms = s.column_int(7);
  a.ended_by = s.column_text(8);
  a.ended_ms = s.column_int(9);
  a.expires_ms = s.column_int(10);
  return a;
}


StationRecord read_station(const sql::Statement& s) {
  StationRecord r;
  r.id = s.column_text(0);
  r.name = s.column_text(1);
  r.commune = s.column_text(2);
  r.location = s.column_text(3);
  r.public_key = s.column_text(4);
  r.enrollment = parse_enrollment(s.column_text(5)).value_or(Enrollment::pending);
  r.last_seen_ms = s.column_optional_int(6);
  r.last_address = s.column_text(7);
  r.software_version = s.column_text(8);
  r.created_ms = s.column_int(9);
  return r;
}


CommandRecord read_command(const sql::Statement& s) {
  CommandRecord r;
  r.id = s.column_text(0);
  r.station_id = s.column_text(1);
  r.kind = s.column_text(2);
  r.payload = s.column_blob(3);
  r.state = parse_command_state(s.column_text(4)).value_or(CommandState::pending);
  r.created_ms = s.column_int(5);
  r.attempts = s.column_int(6);
  r.last_sent_ms = s.column_optional_int(7);
  r.completed_ms = s.column_optional_int(8);
  r.result_detail = s.column_text(9);
  r.duplicate_results = s.column_int(10);
  r.result = s.column_blob(11);
  return r;
}


ClipRecord read_clip(const sql::Statement& s) {
  return {s.column_text(0), s.column_text(1),   s.column_int(2), s.column_int(3), s.column_double(4),
          s.column_double(5), s.column_text(6), s.column_int(7), s.column_text(8)};
}

// Columns: station_id, device_id, measured_ms, reading.
TelemetryRecord read_telemetry(const sql::Statement& s) {
  return {s.column_text(0), s.column_text(1), s.column_int(2), s.column_blob(3)};
}

class SqlStore final : public IStore {
 public:
  explicit SqlStore(std::unique_ptr<sql::IConnection> connection)
      : connection_(std::move(connection)), db_(*connection_) {}

  std::vector<StationRecord> list_stations() override {
    return guarded([&] {
      std::vector<StationRecord> out;
      sql::Statement s(db_, std::string("SELECT ") + kStationColumns + " FROM stations ORDER BY id");
      while (s.step()) out.push_back(read_station(s));
      return out;
    });
  }

  std::optional<StationRecord> find_station(const std::string& id) override {
    return guarded([&]() -> std::optional<StationRecord> {
      sql::Statement s(db_, std::string("SELECT ") + kStationColumns + " FROM stations WHERE id = ?");
      s.bind(1, id);
      if (!s.step()) return std::nullopt;
      return read_station(s);
    });
  }

  void put_station(const StationRecord& r) override {
    guarded([&] {
      sql::Statement s(db_,
                          "INSERT INTO stations (id, name, commune, location, public_key, enrollment, created_ms) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?) "
                          "ON CONFLICT(id) DO UPDATE SET name = excluded.name, commune = excluded.commune, "
                          "location = excluded.location, public_key = excluded.public_key, "
                          "enrollment = excluded.enrollment");
      s.bind(1, r.id).bind(2, r.name).bind(3, r.commune).bind(4, r.location);
      s.bind(5, r.public_key).bind(6, std::string_view(to_string(r.enrollment))).bind(7, r.created_ms);
      s.run();
      return 0;
    });
  }

  void record_seen(std::span<const SeenUpdate> updates) override {
    if (updates.empty()) return;
    guarded([&] {
      sql::Transaction tx(db_);
      sql::Statement s(db_,
                          "UPDATE stations SET last_seen_ms = ?, last_address = ?, software_version = "
                          "CASE WHEN ? = '' THEN software_version ELSE ? END WHERE id = ?");
      for (const auto& u : updates) {
        s.bind(1, u.last_seen_ms).bind(2, u.address).bind(3, u.software_version);
        s.bind(4, u.software_version).bind(5, u.station_id);
        s.run();
      }
      tx.commit();
      return 0;
    });
  }

  bool delete_station(const std::string& id) override {
    return guarded([&] {
      sql::Statement s(db_, "DELETE FROM stations WHERE id = ?");
      s.bind(1, id);
      s.run();
      return db_.changes() > 0;
    });
  }

  std::vector<ZoneRecord> list_zones() override {
    return guarded([&] {
      std::vector<ZoneRecord> out;
      sql::Statement s(db_, "SELECT id FROM zones ORDER BY id");
      while (s.step()) out.push_back(*load_zone(s.column_text(0)));
      return out;
    });
  }

  std::optional<ZoneRecord> find_zone(const std::string& id) override {
    return guarded([&] { return load_zone(id); });
  }

  void put_zone(const ZoneRecord& z) override {
    guarded([&] {
      sql::Transaction tx(db_);
      sql::Statement s(db_,
                          "INSERT INTO zones (id, name, kind, parent_id, quiet_hours, cap_areas) VALUES (?, ?, ?, ?, ?, ?) "
                          "ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind, "
                          "parent_id = excluded.parent_id, quiet_hours = excluded.quiet_hours, "
                          "cap_areas = excluded.cap_areas");
      s.bind(1, z.id).bind(2, z.name).bind(3, std::string_view(to_string(z.kind))).bind(5, z.quiet_hours);
      s.bind(6, join_lines(z.cap_areas));
      if (z.parent_id.empty()) {
        s.bind_null(4);
      } else {
        s.bind(4, z.parent_id);
      }
      s.run();
      sql::Statement clear(db_, "DELETE FROM zone_members WHERE zone_id = ?");
      clear.bind(1, z.id);
      clear.run();
      sql::Statement add(db_, "INSERT INTO zone_members (zone_id, station_id) VALUES (?, ?)");
      for (const auto& station : z.station_ids) {
        add.bind(1, z.id).bind(2, station);
        add.run();
      }
      tx.commit();
      return 0;
    });
  }

  bool delete_zone(const std::string& id) override {
    return guarded([&] {
      sql::Statement s(db_, "DELETE FROM zones WHERE id = ?");
      s.bind(1, id);
      s.run();
      return db_.changes() > 0;
    });
  }

  void add_command(const CommandRecord& c) override {
    guarded([&] {
      insert_commands(std::span(&c, 1));
      return 0;
    });
  }

  std::optional<CommandRecord> find_command(const std::string& id) override {
    return guarded([&]() -> std::optional<CommandRecord> {
      sql::Statement s(db_, std::string("SELECT ") + kCommandColumns + " FROM commands WHERE id = ?");
      s.bind(1, id);
      if (!s.step()) return std::nullopt;
      return read_command(s);
    });
  }

  std::vector<CommandRecord> list_commands(const CommandFilter& f) override {
    return guarded([&] {
      std::vector<CommandRecord> out;
      sql::Statement s(db_, std::string("SELECT ") + kCommandColumns +
                                   " FROM commands WHERE (?1 = '' OR station_id = ?1) AND (?2 = '' OR state = ?2)"
                                   " ORDER BY created_ms DESC, id LIMIT ?3 OFFSET ?4");
      s.bind(1, f.station_id).bind(2, std::string_view(f.state ? to_string(*f.state) : ""));
      s.bind(3, static_cast<std::int64_t>(f.limit)).bind(4, static_cast<std::int64_t>(f.offset));
      while (s.step()) out.push_back(read_command(s));
      return out;
    });
  }

  std::vector<CommandRecord> pending_commands() override {
    return guarded([&] {
      std::vector<CommandRecord> out;
      sql::Statement s(db_, std::string("SELECT ") + kCommandColumns +
                                   " FROM commands WHERE state = 'pending' ORDER BY created_ms, id");
      while (s.step()) out.push_back(read_command(s));
      return out;
    });
  }

  void record_sent(const std::string& id, std::int64_t attempts, std::int64_t sent_ms) override {
    guarded([&] {
      sql::Statement s(db_, "UPDATE commands SET attempts = ?, last_sent_ms = ? WHERE id = ?");
      s.bind(1, attempts).bind(2, sent_ms).bind(3, id);
      s.run();
      return 0;
    });
  }

  void record_sent_many(std::span<const SentRecord> sends) override {
    guarded([&] {
      sql::Transaction tx(db_);
      sql::Statement s(db_, "UPDATE commands SET attempts = ?, last_sent_ms = ? WHERE id = ?");
      for (const auto& sent : sends) {
        s.bind(1, sent.attempts).bind(2, sent.sent_ms).bind(3, sent.id);
        s.run();
      }
      tx.commit();
      return 0;
    });
  }

  bool complete_command(const std::string& id, CommandState state, const std::string& detail,
                        std::int64_t completed_ms, const std::string& result) override {
    const Completion one{id, state, detail, completed_ms, result};
    return complete_commands(std::span(&one, 1)).front();
  }

  std::vector<bool> complete_commands(std::span<const Completion> results) override {
    return guarded([&] {
      std::vector<bool> fresh;
      fresh.reserve(results.size());
      sql::Transaction tx(db_);
      sql::Statement s(db_,
                          "UPDATE commands SET state = ?, result_detail = ?, completed_ms = ?, result = ? "
                          "WHERE id = ? AND state = 'pending'");
      sql::Statement dup(db_, "UPDATE commands SET duplicate_results = duplicate_results + 1 WHERE id = ?");
      for (const auto& r : results) {
        s.bind(1, std::string_view(to_string(r.state))).bind(2, r.detail).bind(3, r.completed_ms).bind_blob(4, r.result);
        s.bind(5, r.id);
        s.run();
        const bool changed = db_.changes() > 0;
        if (!changed) {
          dup.bind(1, r.id);
          dup.run();
        }
        fresh.push_back(changed);
      }
      tx.commit();
      return fresh;
    });
  }

  void add_telemetry(const TelemetryRecord& r) override {
    guarded([&] {
      sql::Statement s(db_, "INSERT INTO telemetry (station_id, device_id, measured_ms, reading) "
                               "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING");
      s.bind(1, r.station_id).bind(2, r.device_id).bind(3, r.measured_ms).bind_blob(4, r.reading);
      s.run();
      return 0;
    });
  }

  std::vector<TelemetryRecord> list_telemetry(const TelemetryFilter& f) override {
    return guarded([&] {
      std::vector<TelemetryRecord> out;
      sql::Statement s(db_,
                          "SELECT station_id, device_id, measured_ms, reading FROM telemetry "
                          "WHERE station_id = ?1 AND (?2 = '' OR device_id = ?2) AND measured_ms >= ?3 "
                          "AND measured_ms <= ?4 ORDER BY measured_ms, device_id LIMIT ?5");
      s.bind(1, f.station_id).bind(2, f.device_id).bind(3, f.since_ms).bind(4, f.until_ms);
      s.bind(5, static_cast<std::int64_t>(f.limit));
      while (s.step()) out.push_back(read_telemetry(s));
      return out;
    });
  }

  std::vector<TelemetryRecord> latest_telemetry(const std::string& station_id) override {
    return guarded([&] {
      std::vector<TelemetryRecord> out;
      sql::Statement s(db_,
                          "SELECT t.station_id, t.device_id, t.measured_ms, t.reading FROM telemetry t "
                          "JOIN (SELECT device_id, MAX(measured_ms) AS m FROM telemetry WHERE station_id = ?1 "
                          "GROUP BY device_id) l ON l.device_id = t.device_id AND l.m = t.measured_ms "
                          "WHERE t.station_id = ?1 ORDER BY t.device_id");
      s.bind(1, station_id);
      while (s.step()) out.push_back(read_telemetry(s));
      return out;
    });
  }

  std::size_t downsample_telemetry(std::int64_t before_ms, std::int64_t bucket_ms) override {
    return guarded([&] {
      sql::Statement s(db_,
                          "DELETE FROM telemetry WHERE measured_ms < ?1 AND (station_id, device_id, measured_ms) NOT IN "
                          "(SELECT station_id, device_id, MIN(measured_ms) FROM telemetry WHERE measured_ms < ?1 "
                          "GROUP BY station_id, device_id, measured_ms / ?2)");
      s.bind(1, before_ms).bind(2, bucket_ms);
      s.run();
      return static_cast<std::size_t>(db_.changes());
    });
  }

  void record_alarm(const std::string& station_id, const std::string& alarm_id, const std::string& device_id,
                    bool active, const std::string& severity, const std::string& message, std::int64_t at_ms) override {
    guarded([&] {
      if (active) {
        sql::Statement open(db_, "SELECT 1 FROM alarms WHERE station_id = ? AND alarm_id = ? AND cleared_ms IS NULL");
        open.bind(1, station_id).bind(2, alarm_id);
        if (open.step()) return 0;
        sql::Statement s(db_,
                            "INSERT INTO alarms (station_id, alarm_id, device_id, severity, message, raised_ms) "
                            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
        s.bind(1, station_id).bind(2, alarm_id).bind(3, device_id).bind(4, severity).bind(5, message).bind(6, at_ms);
        s.run();
      } else {
        sql::Statement s(db_,
                            "UPDATE alarms SET cleared_ms = ?, clear_message = ? "
                            "WHERE station_id = ? AND alarm_id = ? AND cleared_ms IS NULL");
        s.bind(1, at_ms).bind(2, message).bind(3, station_id).bind(4, alarm_id);
        s.run();
      }
      return 0;
    });
  }

  std::vector<AlarmRecord> list_alarms(const std::string& station_id, bool open_only, std::size_t limit) override {
    return guarded([&] {
      std::vector<AlarmRecord> out;
      sql::Statement s(db_,
                          "SELECT station_id, alarm_id, device_id, severity, message, raised_ms, cleared_ms, "
                          "clear_message, acknowledged_by, acknowledged_ms FROM alarms "
                          "WHERE (?1 = '' OR station_id = ?1) AND (?2 = 0 OR cleared_ms IS NULL) "
                          "ORDER BY raised_ms DESC LIMIT ?3");
      s.bind(1, station_id).bind(2, static_cast<std::int64_t>(open_only)).bind(3, static_cast<std::int64_t>(limit));
      while (s.step()) {
        out.push_back({s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3), s.column_text(4),
                       s.column_int(5), s.column_optional_int(6), s.column_text(7), s.column_text(8),
                       s.column_optional_int(9)});
      }
      return out;
    });
  }

  bool acknowledge_alarm(const std::string& station_id, const std::string& alarm_id, const std::string& by,
                         std::int64_t at_ms) override {
    return guarded([&] {
      sql::Statement s(db_,
                          "UPDATE alarms SET acknowledged_by = ?, acknowledged_ms = ? "
                          "WHERE station_id = ? AND alarm_id = ? AND cleared_ms IS NULL");
      s.bind(1, by).bind(2, at_ms).bind(3, station_id).bind(4, alarm_id);
      s.run();
      return db_.changes() > 0;
    });
  }


  static AsRunRecord read_asrun(sql::Statement& s) {
    return {s.column_text(0), s.column_text(1), s.column_text(2), s.column_int(3), s.column_int(4), s.column_int(5),
            s.column_text(6), s.column_text(7), s.column_int(8),  s.column_int(9), s.column_int(10), s.column_int(11)};
  }

  void add_asrun(const AsRunRecord& r) override {
    guarded([&] {
      sql::Statement s(db_,
                          "INSERT INTO asrun (station_id, broadcast_id, content_id, planned_start_ms, "
                          "actual_start_ms, end_ms, outcome, detail, actual_start_ns, frames_played, frames_concealed, "
                          "longest_gap_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
      s.bind(1, r.station_id).bind(2, r.broadcast_id).bind(3, r.content_id).bind(4, r.planned_start_ms);
      s.bind(5, r.actual_start_ms).bind(6, r.end_ms).bind(7, r.outcome).bind(8, r.detail);
      s.bind(9, r.actual_start_ns).bind(10, r.frames_played).bind(11, r.frames_concealed).bind(12, r.longest_gap_ms);
      s.run();
      return 0;
    });
  }

  std::vector<AsRunRecord> list_asrun(const std::string& station_id, std::int64_t since_ms, std::size_t limit) override {
    return guarded([&] {
      std::vector<AsRunRecord> out;
      sql::Statement s(db_,
                          "SELECT " + std::string(kAsRunColumns) + " FROM asrun WHERE (?1 = '' OR station_id = ?1) AND planned_start_ms >= ?2 "
                          "ORDER BY planned_start_ms DESC LIMIT ?3");
      s.bind(1, station_id).bind(2, since_ms).bind(3, static_cast<std::int64_t>(limit));
      while (s.step()) out.push_back(read_asrun(s));
      return out;
    });
  }

  std::vector<AsRunRecord> query_asrun(const AsRunQuery& q) override {
    return guarded([&] {
      std::vector<AsRunRecord> out;
      std::string sql =
          "SELECT " + std::string(kAsRunColumns) + " FROM asrun WHERE planned_start_ms >= ?1 AND planned_start_ms < ?2";
      // Spelled out only when given, so SQLite can use the broadcast's index.
      if (!q.broadcast_id.empty()) sql += " AND broadcast_id = ?3";
      if (!q.station_ids.empty()) {
        sql += " AND station_id IN (";
        for (std::size_t i = 0; i < q.station_ids.size(); ++i) sql += (i ? ",?" : "?") + std::to_string(5 + i);
        sql += ")";
      }
      sql += " ORDER BY planned_start_ms, station_id LIMIT ?4";
      sql::Statement s(db_, sql);
      s.bind(1, q.since_ms).bind(2, q.until_ms).bind(4, static_cast<std::int64_t>(q.limit));
      if (!q.broadcast_id.empty()) s.bind(3, q.broadcast_id);
      for (std::size_t i = 0; i < q.station_ids.size(); ++i) s.bind(static_cast<int>(5 + i), q.station_ids[i]);
      while (s.step()) out.push_back(read_asrun(s));
      return out;
    });
  }

  void put_broadcast(const BroadcastRecord& b) override {
    guarded([&] {
      sql::Transaction tx(db_);
      sql::Statement s(db_,
                          "INSERT INTO broadcasts (id, title, content_kind, clip_sha256, tts_text, relay_url, "
                          "slot_ms, start_local, time_zone, rrule, exdates, priority, volume, on_preempt, valid_from_ms, "
                          "valid_until_ms, created_by, created_ms, cancelled_ms, cancelled_by) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                          "ON CONFLICT (id) DO UPDATE SET title = excluded.title, content_kind = excluded.content_kind, "
                          "clip_sha256 = excluded.clip_sha256, tts_text = excluded.tts_text, relay_url = excluded.relay_url, "
                          "slot_ms = excluded.slot_ms, start_local = excluded.start_local, time_zone = excluded.time_zone, "
                          "rrule = excluded.rrule, exdates = excluded.exdates, priority = excluded.priority, "
                          "volume = excluded.volume, on_preempt = excluded.on_preempt, valid_from_ms = excluded.valid_from_ms, "
                          "valid_until_ms = excluded.valid_until_ms, created_by = excluded.created_by, "
                          "created_ms = excluded.created_ms, cancelled_ms = excluded.cancelled_ms, "
                          "cancelled_by = excluded.cancelled_by");
      const std::string exdates = join_lines(b.exdates, ',');
      s.bind(1, b.id).bind(2, b.title).bind(3, b.content_kind).bind(4, b.clip_sha256).bind(5, b.tts_text);
      s.bind(6, b.relay_url).bind(7, b.slot_ms).bind(8, b.start_local).bind(9, b.time_zone).bind(10, b.rrule);
      s.bind(11, exdates).bind(12, b.priority).bind_double(13, b.volume).bind(14, b.on_preempt);
      s.bind(15, b.valid_from_ms).bind(16, b.valid_until_ms).bind(17, b.created_by).bind(18, b.created_ms);
      if (b.cancelled_ms) {
        s.bind(19, *b.cancelled_ms);
      } else {
        s.bind_null(19);
      }
      s.bind(20, b.cancelled_by);
      s.run();
      sql::Statement clear(db_, "DELETE FROM broadcast_targets WHERE broadcast_id = ?");
      clear.bind(1, b.id);
      clear.run();
      sql::Statement add(db_, "INSERT INTO broadcast_targets (broadcast_id, target) VALUES (?, ?) ON CONFLICT DO NOTHING");
      for (const auto& t : b.targets) {
        add.bind(1, b.id).bind(2, t);
        add.run();
      }
      tx.commit();
      return 0;
    });
  }

  std::optional<BroadcastRecord> find_broadcast(const std::string& id) override {
    return guarded([&]() -> std::optional<BroadcastRecord> {
      auto found = load_broadcasts("WHERE id = ?1", id);
      if (found.empty()) return std::nullopt;
      return found.front();
    });
  }

  std::vector<BroadcastRecord> list_broadcasts(bool include_cancelled) override {
    return guarded([&] {
      return load_broadcasts(include_cancelled ? "WHERE ?1 = ?1" : "WHERE ?1 = ?1 AND cancelled_ms IS NULL", "");
    });
  }

  bool cancel_broadcast(const std::string& id, const std::string& by, std::int64_t at_ms) override {
    return guarded([&] {
      sql::Statement s(db_,
                          "UPDATE broadcasts SET cancelled_ms = ?2, cancelled_by = ?3 WHERE id = ?1 AND cancelled_ms IS NULL");
      s.bind(1, id).bind(2, at_ms).bind(3, by);
      s.run();
      return db_.changes() > 0;
    });
  }

  void add_scheduled(std::span<const CommandRecord> commands, std::span<const ScheduledPlay> plays) override {
    guarded([&] {
      sql::Transaction tx(db_);
      insert_commands(commands);
      sql::Statement p(db_,
                          "INSERT INTO scheduled_plays (broadcast_id, station_id, planned_start_ms, command_id) "
                          "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING");
      for (const auto& play : plays) {
        p.bind(1, play.broadcast_id).bind(2, play.station_id).bind(3, play.planned_start_ms).bind(4, play.command_id);
        p.run();
      }
      tx.commit();
      return 0;
    });
  }

  std::vector<ScheduledPlay> scheduled_plays(std::int64_t from_ms) override {
    return guarded([&] {
      std::vector<ScheduledPlay> out;
      sql::Statement s(db_,
                          "SELECT broadcast_id, station_id, planned_start_ms, command_id FROM scheduled_plays "
                          "WHERE planned_start_ms >= ? ORDER BY planned_start_ms");
      s.bind(1, from_ms);
      while (s.step()) out.push_back({s.column_text(0), s.column_text(1), s.column_int(2), s.column_text(3)});
      return out;
    });
  }

  std::vector<std::string> stations_scheduled(const std::string& broadcast_id) override {
    return guarded([&] {
      std::vector<std::string> out;
      sql::Statement s(db_, "SELECT DISTINCT station_id FROM scheduled_plays WHERE broadcast_id = ? ORDER BY 1");
      s.bind(1, broadcast_id);
      while (s.step()) out.push_back(s.column_text(0));
      return out;
    });
  }

  void put_user(const UserRecord& u) override {
    guarded([&] {
      sql::Statement s(db_,
                          "INSERT INTO users (name, password_hash, roles, zones, created_ms) VALUES (?, ?, ?, ?, ?) "
                          "ON CONFLICT(name) DO UPDATE SET password_hash = excluded.password_hash, "
                          "roles = excluded.roles, zones = excluded.zones");
      s.bind(1, u.name).bind(2, u.password_hash).bind(3, join_lines(u.roles, ',')).bind(4, join_lines(u.zones, ','));
      s.bind(5, u.created_ms);
      s.run();
      return 0;
    });
  }

  std::optional<UserRecord> find_user(const std::string& name) override {
    auto users = load_users("WHERE name = ?", name);
    if (users.empty()) return std::nullopt;
    return users.front();
  }

  std::vector<UserRecord> list_users() override { return load_users("WHERE ? = ''", ""); }

  bool delete_user(const std::string& name) override {
    return guarded([&] {
      sql::Statement s(db_, "DELETE FROM users WHERE name = ?");
      s.bind(1, name);
      s.run();
      return db_.changes() > 0;
    });
  }

  void put_token(const ApiTokenRecord& t) override {
    guarded([&] {
      sql::Statement s(db_,
                          "INSERT INTO api_tokens (id, \"user\", label, secret_sha256, created_ms, expires_ms) "
                          "VALUES (?, ?, ?, ?, ?, ?)");
      s.bind(1, t.id).bind(2, t.user).bind(3, t.label).bind(4, t.secret_sha256).bind(5, t.created_ms).bind(6, t.expires_ms);
      s.run();
      return 0;
    });
  }

  std::optional<ApiTokenRecord> find_token_by_hash(const std::string& secret_sha256) override {
    auto tokens = load_tokens("secret_sha256 = ?", secret_sha256);
    if (tokens.empty()) return std::nullopt;
    return tokens.front();
  }

  std::vector<ApiTokenRecord> list_tokens(const std::string& user) override {
    return load_tokens("(? = '' OR \"user\" = ?1)", user);
  }

  bool delete_token(const std::string& id) override {
    return guarded([&] {
      sql::Statement s(db_, "DELETE FROM api_tokens WHERE id = ?");
      s.bind(1, id);
      s.run();
      return db_.changes() > 0;
    });
  }

  void add_audit(const AuditRecord& a) override {
    guarded([&] {
      sql::Transaction tx(db_);
      insert_audit(a);
      tx.commit();
      return 0;
    });
  }

  std::vector<AuditRecord> list_audit(const std::string& subject, std::size_t limit) override {
    return guarded([&] {
      std::vector<AuditRecord> out;
      sql::Statement s(db_,
                          "SELECT seq, at_ms, \"user\", action, subject, detail, address, result, hash FROM audit_log "
                          "WHERE (? = '' OR subject = ?) ORDER BY seq DESC LIMIT ?");
      s.bind(1, subject).bind(2, subject).bind(3, static_cast<std::int64_t>(limit));
      while (s.step()) out.push_back(read_audit(s));
      return out;
    });
  }

  AuditCheck verify_audit() override {
    return guarded([&] {
      AuditCheck check;
      std::string previous;
      sql::Statement s(db_,
                          "SELECT seq, at_ms, \"user\", action, subject, detail, address, result, hash FROM audit_log "
                          "ORDER BY seq");
      while (s.step()) {
        const auto entry = read_audit(s);
        ++check.entries;
        if (audit_hash(previous, entry) != entry.hash) {
          check.broken_at = entry.seq;
          break;
        }
        previous = entry.hash;
      }
      return check;
    });
  }

  void put_alert(const AlertRecord& alert, const AuditRecord& audit) override {
    guarded([&] {
      sql::Transaction tx(db_);
      upsert_alert(alert);
      insert_audit(audit);
      tx.commit();
      return 0;
    });
  }

  std::optional<AlertRecord> find_alert(const std::string& id) override {
    return guarded([&]() -> std::optional<AlertRecord> {
      sql::Statement s(db_, std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE id = ?");
      s.bind(1, id);
      if (!s.step()) return std::nullopt;
      return read_alert(s);
    });
  }

  std::vector<AlertRecord> list_alerts(std::size_t limit) override {
    return guarded([&] {
      std::vector<AlertRecord> out;
      sql::Statement s(db_, std::string("SELECT ") + kAlertColumns +
                                   " FROM alerts ORDER BY created_ms DESC, id LIMIT ?");
      s.bind(1, static_cast<std::int64_t>(limit));
      while (s.step()) out.push_back(read_alert(s));
      return out;
    });
  }

  void deliver_alert(const AlertRecord& alert, std::span<const CommandRecord> commands,
                     std::span<const AlertDelivery> deliveries, const AuditRecord& audit) override {
    guarded([&] {
      sql::Transaction tx(db_);
      upsert_alert(alert);
      insert_commands(commands);
      sql::Statement link(db_, "INSERT INTO alert_commands (alert_id, command_id, station_id) VALUES (?, ?, ?)");
      for (const auto& cmd : commands) {
        link.bind(1, alert.id).bind(2, cmd.id).bind(3, cmd.station_id);
        link.run();
      }
      upsert_deliveries(deliveries);
      insert_audit(audit);
      tx.commit();
      return 0;
    });
  }

  void put_deliveries(std::span<const AlertDelivery> deliveries) override {
    guarded([&] {
      sql::Transaction tx(db_);
      upsert_deliveries(deliveries);
      tx.commit();
      return 0;
    });
  }

  std::vector<AlertDelivery> list_deliveries(const std::string& alert_id) override {
    return guarded([&] {
      std::vector<AlertDelivery> out;
      sql::Statement s(db_,
                          "SELECT alert_id, station_id, state, detail, parts_expected, parts_done, first_sound_ms, "
                          "updated_ms FROM alert_deliveries WHERE alert_id = ? ORDER BY station_id");
      s.bind(1, alert_id);
      while (s.step()) {
        out.push_back({s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3), s.column_int(4),
                       s.column_int(5), s.column_int(6), s.column_int(7)});
      }
      return out;
    });
  }

  std::vector<AlertCommand> alert_commands(const std::string& alert_id) override {
    return guarded([&] {
      std::vector<AlertCommand> out;
      sql::Statement s(db_, "SELECT command_id, alert_id, station_id FROM alert_commands WHERE alert_id = ?");
      s.bind(1, alert_id);
      while (s.step()) out.push_back({s.column_text(0), s.column_text(1), s.column_text(2)});
      return out;
    });
  }

  void withdraw_commands(std::span<const std::string> ids, const std::string& detail, std::int64_t at_ms) override {
    guarded([&] {
      sql::Transaction tx(db_);
      sql::Statement s(db_,
                          "UPDATE commands SET state = 'rejected', result_detail = ?, completed_ms = ? "
                          "WHERE id = ? AND state = 'pending'");
      for (const auto& id : ids) {
        s.bind(1, detail).bind(2, at_ms).bind(3, id);
        s.run();
      }
      tx.commit();
      return 0;
    });
  }

  bool record_cap_message(const std::string& sender, const std::string& identifier, const std::string& alert_id,
                          std::int64_t at_ms) override {
    return guarded([&] {
      sql::Statement s(db_,
                          "INSERT INTO cap_messages (sender, identifier, alert_id, received_ms) "
                          "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING");
      s.bind(1, sender).bind(2, identifier).bind(3, alert_id).bind(4, at_ms);
      s.run();
      return db_.changes() > 0;
    });
  }

  std::optional<std::string> alert_of_cap(const std::string& sender, const std::string& identifier) override {
    return guarded([&]() -> std::optional<std::string> {
      sql::Statement s(db_, "SELECT alert_id FROM cap_messages WHERE sender = ? AND identifier = ?");
      s.bind(1, sender).bind(2, identifier);
      if (!s.step()) return std::nullopt;
      return s.column_text(0);
    });
  }

  void add_pins(std::span<const CommandRecord> commands,
                std::span<const std::pair<std::string, std::string>> station_clips) override {
    guarded([&] {
      sql::Transaction tx(db_);
      insert_commands(commands);
      sql::Statement pin(db_, "INSERT INTO station_pins (station_id, clip_sha256) VALUES (?, ?) ON CONFLICT DO NOTHING");
      for (const auto& [station, clip] : station_clips) {
        pin.bind(1, station).bind(2, clip);
        pin.run();
      }
      tx.commit();
      return 0;
    });
  }

  std::vector<std::pair<std::string, std::string>> list_pins() override {
    return guarded([&] {
      std::vector<std::pair<std::string, std::string>> out;
      sql::Statement s(db_, "SELECT station_id, clip_sha256 FROM station_pins");
      while (s.step()) out.emplace_back(s.column_text(0), s.column_text(1));
      return out;
    });
  }

  void put_licence(const LicenceRecord& l, const CommandRecord& command) override {
    guarded([&] {
      sql::Transaction tx(db_);
      insert_commands(std::span(&command, 1));
      sql::Statement s(db_,
                       "INSERT INTO station_licences (station_id, assigned_khz, tolerance_khz, max_power_w, expires, "
                       "type_approval, temporary, updated_ms, updated_by, command_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                       "ON CONFLICT(station_id) DO UPDATE SET assigned_khz = excluded.assigned_khz, "
                       "tolerance_khz = excluded.tolerance_khz, max_power_w = excluded.max_power_w, "
                       "expires = excluded.expires, type_approval = excluded.type_approval, "
                       "temporary = excluded.temporary, updated_ms = excluded.updated_ms, "
                       "updated_by = excluded.updated_by, command_id = excluded.command_id");
      s.bind(1, l.station_id).bind_double(2, l.assigned_khz).bind_double(3, l.tolerance_khz);
      s.bind_double(4, l.max_power_w).bind(5, l.expires).bind(6, l.type_approval);
      s.bind(7, std::int64_t{l.temporary ? 1 : 0}).bind(8, l.updated_ms).bind(9, l.updated_by).bind(10, command.id);
      s.run();
      tx.commit();
      return 0;
    });
  }

  std::optional<LicenceRecord> find_licence(const std::string& station_id) override {
    auto found = load_licences("station_id = ?", station_id);
    if (found.empty()) return std::nullopt;
    return found.front();
  }

  std::vector<LicenceRecord> list_licences() override { return load_licences("? = ''", ""); }

  void put_clip(const ClipRecord& c) override {
    guarded([&] {
      sql::Statement s(db_,
                          "INSERT INTO clips (sha256, name, duration_ms, bytes, source_lufs, gain_db, source_format, "
                          "created_ms, source_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                          "ON CONFLICT(sha256) DO UPDATE SET name = excluded.name");
      s.bind(1, c.sha256).bind(2, c.name).bind(3, c.duration_ms).bind(4, c.bytes);
      s.bind_double(5, c.source_lufs).bind_double(6, c.gain_db).bind(7, c.source_format).bind(8, c.created_ms);
      s.bind(9, c.source_sha256);
      s.run();
      return 0;
    });
  }

  std::optional<ClipRecord> find_clip(const std::string& sha256) override {
    return guarded([&]() -> std::optional<ClipRecord> {
      sql::Statement s(db_, std::string("SELECT ") + kClipColumns + " FROM clips WHERE sha256 = ?");
      s.bind(1, sha256);
      if (!s.step()) return std::nullopt;
      return read_clip(s);
    });
  }

  std::optional<ClipRecord> find_clip_by_source(const std::string& source_sha256) override {
    if (source_sha256.empty()) return std::nullopt;
    return guarded([&]() -> std::optional<ClipRecord> {
      sql::Statement s(db_, std::string("SELECT ") + kClipColumns + " FROM clips WHERE source_sha256 = ? LIMIT 1");
      s.bind(1, source_sha256);
      if (!s.step()) return std::nullopt;
      return read_clip(s);
    });
  }

  std::vector<ClipRecord> list_clips() override {
    return guarded([&] {
      std::vector<ClipRecord> out;
      sql::Statement s(db_, std::string("SELECT ") + kClipColumns + " FROM clips ORDER BY created_ms DESC, sha256");
      while (s.step()) out.push_back(read_clip(s));
      return out;
    });
  }

  bool delete_clip(const std::string& sha256) override {
    return guarded([&] {
      sql::Statement s(db_, "DELETE FROM clips WHERE sha256 = ?");
      s.bind(1, sha256);
      s.run();
      return db_.changes() > 0;
    });
  }

 private:
  std::optional<ZoneRecord> load_zone(const std::string& id) {
    sql::Statement s(db_,
                        "SELECT id, name, kind, COALESCE(parent_id, ''), quiet_hours, cap_areas FROM zones WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    ZoneRecord z;
    z.id = s.column_text(0);
    z.name = s.column_text(1);
    z.kind = parse_zone_kind(s.column_text(2)).value_or(ZoneKind::custom);
    z.parent_id = s.column_text(3);
    z.quiet_hours = s.column_text(4);
    z.cap_areas = split_lines(s.column_text(5), '\n');
    sql::Statement m(db_, "SELECT station_id FROM zone_members WHERE zone_id = ? ORDER BY station_id");
    m.bind(1, id);
    while (m.step()) z.station_ids.push_back(m.column_text(0));
    return z;
  }

  std::vector<UserRecord> load_users(const std::string& where, const std::string& arg) {
    return guarded([&] {
      std::vector<UserRecord> out;
      sql::Statement s(db_, "SELECT name, password_hash, roles, zones, created_ms FROM users " + where +
                                   " ORDER BY name");
      s.bind(1, arg);
      while (s.step()) {
        out.push_back({s.column_text(0), s.column_text(1), split_lines(s.column_text(2), ','),
                       split_lines(s.column_text(3), ','), s.column_int(4)});
      }
      return out;
    });
  }

  std::vector<ApiTokenRecord> load_tokens(const std::string& where, const std::string& arg) {
    return guarded([&] {
      std::vector<ApiTokenRecord> out;
      sql::Statement s(db_, "SELECT id, \"user\", label, secret_sha256, created_ms, expires_ms FROM api_tokens WHERE " +
                                   where + " ORDER BY created_ms, id");
      s.bind(1, arg);
      while (s.step()) {
        out.push_back({s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3), s.column_int(4),
                       s.column_int(5)});
      }
      return out;
    });
  }

  // Appends an entry chained to the last one (the caller holds the lock; a transaction
  // keeps the read of the last hash and the insert together).
  std::vector<LicenceRecord> load_licences(const char* where, const std::string& value) {
    return guarded([&] {
      std::vector<LicenceRecord> out;
      sql::Statement s(db_, std::string("SELECT station_id, assigned_khz, tolerance_khz, max_power_w, expires, "
                                        "type_approval, temporary, updated_ms, updated_by, command_id "
                                        "FROM station_licences WHERE ") + where + " ORDER BY station_id");
      s.bind(1, value);
      while (s.step()) {
        LicenceRecord l;
        l.station_id = s.column_text(0);
        l.assigned_khz = s.column_double(1);
        l.tolerance_khz = s.column_double(2);
        l.max_power_w = s.column_double(3);
        l.expires = s.column_text(4);
        l.type_approval = s.column_text(5);
        l.temporary = s.column_int(6) != 0;
        l.updated_ms = s.column_int(7);
        l.updated_by = s.column_text(8);
        l.command_id = s.column_text(9);
        out.push_back(std::move(l));
      }
      return out;
    });
  }

  void insert_commands(std::span<const CommandRecord> commands) {
    sql::Statement c(db_,
                     "INSERT INTO commands (id, station_id, kind, payload, state, created_ms) "
                     "VALUES (?, ?, ?, ?, ?, ?)");
    for (const auto& cmd : commands) {
      c.bind(1, cmd.id).bind(2, cmd.station_id).bind(3, cmd.kind).bind_blob(4, cmd.payload);
      c.bind(5, std::string_view(to_string(cmd.state))).bind(6, cmd.created_ms);
      c.run();
    }
  }

  void insert_audit(AuditRecord a) {
    sql::Statement last(db_, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    std::string previous;
    a.seq = 1;
    if (last.step()) {
      a.seq = last.column_int(0) + 1;
      previous = last.column_text(1);
    }
    a.hash = audit_hash(previous, a);
    sql::Statement s(db_,
                        "INSERT INTO audit_log (seq, at_ms, \"user\", action, subject, detail, address, result, hash) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, a.seq).bind(2, a.at_ms).bind(3, a.user).bind(4, a.action).bind(5, a.subject).bind(6, a.detail);
    s.bind(7, a.address).bind(8, std::int64_t{a.result}).bind(9, a.hash);
    s.run();
  }

  void upsert_alert(const AlertRecord& a) {
    sql::Statement s(db_,
                        "INSERT INTO alerts (id, state, version, definition, created_by, created_ms, confirmed_by, "
                        "issued_ms, ended_by, ended_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT(id) DO UPDATE SET state = excluded.state, version = excluded.version, "
                        "definition = excluded.definition, confirmed_by = excluded.confirmed_by, "
                        "issued_ms = excluded.issued_ms, ended_by = excluded.ended_by, ended_ms = excluded.ended_ms, "
                        "expires_ms = excluded.expires_ms");
    s.bind(1, a.id).bind(2, a.state).bind(3, a.version).bind(4, a.definition).bind(5, a.created_by);
    s.bind(6, a.created_ms).bind(7, a.confirmed_by).bind(8, a.issued_ms).bind(9, a.ended_by).bind(10, a.ended_ms);
    s.bind(11, a.expires_ms);
    s.run();
  }

  void upsert_deliveries(std::span<const AlertDelivery> deliveries) {
    sql::Statement s(db_,
                        "INSERT INTO alert_deliveries (alert_id, station_id, state, detail, parts_expected, "
                        "parts_done, first_sound_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT(alert_id, station_id) DO UPDATE SET state = excluded.state, "
                        "detail = excluded.detail, parts_expected = excluded.parts_expected, "
                        "parts_done = excluded.parts_done, first_sound_ms = excluded.first_sound_ms, "
                        "updated_ms = excluded.updated_ms");
    for (const auto& d : deliveries) {
      s.bind(1, d.alert_id).bind(2, d.station_id).bind(3, d.state).bind(4, d.detail).bind(5, d.parts_expected);
      s.bind(6, d.parts_done).bind(7, d.first_sound_ms).bind(8, d.updated_ms);
      s.run();
    }
  }

  std::vector<BroadcastRecord> load_broadcasts(const std::string& where, const std::string& arg) {
    std::vector<BroadcastRecord> out;
    sql::Statement s(db_,
                        "SELECT id, title, content_kind, clip_sha256, tts_text, relay_url, slot_ms, start_local, "
                        "time_zone, rrule, exdates, priority, volume, on_preempt, valid_from_ms, valid_until_ms, "
                        "created_by, created_ms, cancelled_ms, cancelled_by FROM broadcasts " +
                            where + " ORDER BY created_ms DESC, id");
    s.bind(1, arg);
    // Every target in one query, not one per broadcast: a round trip each is what a
    // database server makes expensive.
    std::map<std::string, std::vector<std::string>> targets_of;
    sql::Statement targets(db_, "SELECT broadcast_id, target FROM broadcast_targets WHERE broadcast_id IN "
                                "(SELECT id FROM broadcasts " + where + ") ORDER BY broadcast_id, target");
    targets.bind(1, arg);
    while (targets.step()) targets_of[targets.column_text(0)].push_back(targets.column_text(1));
    while (s.step()) {
      BroadcastRecord b;
      b.id = s.column_text(0);
      b.title = s.column_text(1);
      b.content_kind = s.column_text(2);
      b.clip_sha256 = s.column_text(3);
      b.tts_text = s.column_text(4);
      b.relay_url = s.column_text(5);
      b.slot_ms = s.column_int(6);
      b.start_local = s.column_text(7);
      b.time_zone = s.column_text(8);
      b.rrule = s.column_text(9);
      b.exdates = split_lines(s.column_text(10), ',');
      b.priority = s.column_text(11);
      b.volume = s.column_double(12);
      b.on_preempt = s.column_text(13);
      b.valid_from_ms = s.column_int(14);
      b.valid_until_ms = s.column_int(15);
      b.created_by = s.column_text(16);
      b.created_ms = s.column_int(17);
      if (!s.column_is_null(18)) b.cancelled_ms = s.column_int(18);
      b.cancelled_by = s.column_text(19);
      if (auto it = targets_of.find(b.id); it != targets_of.end()) b.targets = std::move(it->second);
      out.push_back(std::move(b));
    }
    return out;
  }

  // Serializes access to the one connection and turns SQLite failures into StoreError.
  template <typename F>
  std::invoke_result_t<F> guarded(F&& f) {
    std::lock_guard lock(mutex_);
    try {
      return f();
    } catch (const sql::Error& e) {
      throw StoreError(e.what(), e.is_disk_problem());
    }
  }

  std::mutex mutex_;
  std::unique_ptr<sql::IConnection> connection_;
  sql::IConnection& db_;
};

}  // namespace

std::unique_ptr<IStore> open_sqlite_store(const std::string& path) {
  try {
    return std::make_unique<SqlStore>(sqlite::connect(path, kSqliteMigrations));
  } catch (const sql::Error& e) {
    throw StoreError(e.what());
  }
}

std::unique_ptr<IStore> open_postgres_store(const std::string& conninfo) {
  try {
    return std::make_unique<SqlStore>(postgres::connect(conninfo, kPostgresMigrations));
  } catch (const sql::Error& e) {
    throw StoreError(e.what());
  }
}

}  // namespace loa::store
