// The health part of SqlStore (see sql_store.hpp).
#include "sql_store.hpp"

namespace loa::store {

void SqlStore::add_telemetry(const TelemetryRecord& r) { add_telemetry_many(std::span(&r, 1)); }

void SqlStore::add_telemetry_many(std::span<const TelemetryRecord> records) {
  if (records.empty()) return;
  guarded([&] {
    sql::Transaction tx(db_);
    sql::Statement s(db_, "INSERT INTO telemetry (station_id, device_id, measured_ms, reading) "
                             "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING");
    for (const auto& r : records) {
      s.bind(1, r.station_id).bind(2, r.device_id).bind(3, r.measured_ms).bind_blob(4, r.reading);
      s.queue();
    }
    db_.flush();
    tx.commit();
    return 0;
  });
}

std::vector<TelemetryRecord> SqlStore::list_telemetry(const TelemetryFilter& f) {
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

std::vector<TelemetryRecord> SqlStore::latest_telemetry(const std::string& station_id) {
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

std::size_t SqlStore::downsample_telemetry(std::int64_t before_ms, std::int64_t bucket_ms) {
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

void SqlStore::record_alarm(const std::string& station_id, const std::string& alarm_id, const std::string& device_id,
                  bool active, const std::string& severity, const std::string& message, const std::string& message_vi,
                  std::int64_t at_ms) {
  guarded([&] {
    if (active) {
      sql::Statement open(db_, "SELECT 1 FROM alarms WHERE station_id = ? AND alarm_id = ? AND cleared_ms IS NULL");
      open.bind(1, station_id).bind(2, alarm_id);
      if (open.step()) return 0;
      sql::Statement s(db_,
                          "INSERT INTO alarms (station_id, alarm_id, device_id, severity, message, raised_ms, message_vi) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
      s.bind(1, station_id).bind(2, alarm_id).bind(3, device_id).bind(4, severity).bind(5, message).bind(6, at_ms);
      s.bind(7, message_vi);
      s.run();
    } else {
      sql::Statement s(db_,
                          "UPDATE alarms SET cleared_ms = ?, clear_message = ?, clear_message_vi = ? "
                          "WHERE station_id = ? AND alarm_id = ? AND cleared_ms IS NULL");
      s.bind(1, at_ms).bind(2, message).bind(3, message_vi).bind(4, station_id).bind(5, alarm_id);
      s.run();
    }
    return 0;
  });
}

std::vector<AlarmRecord> SqlStore::list_alarms(const std::string& station_id, bool open_only, std::size_t limit) {
  return guarded([&] {
    std::vector<AlarmRecord> out;
    sql::Statement s(db_,
                        "SELECT station_id, alarm_id, device_id, severity, message, raised_ms, cleared_ms, "
                        "clear_message, acknowledged_by, acknowledged_ms, message_vi, clear_message_vi FROM alarms "
                        "WHERE (?1 = '' OR station_id = ?1) AND (?2 = 0 OR cleared_ms IS NULL) "
                        "ORDER BY raised_ms DESC LIMIT ?3");
    s.bind(1, station_id).bind(2, static_cast<std::int64_t>(open_only)).bind(3, static_cast<std::int64_t>(limit));
    while (s.step()) {
      out.push_back({s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3), s.column_text(4),
                     s.column_int(5), s.column_optional_int(6), s.column_text(7), s.column_text(8),
                     s.column_optional_int(9), s.column_text(10), s.column_text(11)});
    }
    return out;
  });
}

bool SqlStore::acknowledge_alarm(const std::string& station_id, const std::string& alarm_id, const std::string& by,
                       std::int64_t at_ms) {
  return guarded([&] {
    sql::Statement s(db_,
                        "UPDATE alarms SET acknowledged_by = ?, acknowledged_ms = ? "
                        "WHERE station_id = ? AND alarm_id = ? AND cleared_ms IS NULL");
    s.bind(1, by).bind(2, at_ms).bind(3, station_id).bind(4, alarm_id);
    s.run();
    return db_.changes() > 0;
  });
}

}  // namespace loa::store
