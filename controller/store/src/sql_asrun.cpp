// The asrun part of SqlStore (see sql_store.hpp).
#include "sql_store.hpp"

namespace loa::store {

void SqlStore::add_asrun(const AsRunRecord& r) { add_asrun_many(std::span(&r, 1)); }

void SqlStore::add_asrun_many(std::span<const AsRunRecord> records) {
  if (records.empty()) return;
  guarded([&] {
    sql::Transaction tx(db_);
    // Each row takes the next number in the order of recording, which a member
    // controller's uplink follows (rows are written by one thread, the control loop's).
    std::int64_t seq = 0;
    {
      sql::Statement last(db_, "SELECT COALESCE(MAX(seq), 0) FROM asrun");
      if (last.step()) seq = last.column_int(0);
    }
    sql::Statement s(db_,
                        "INSERT INTO asrun (station_id, broadcast_id, content_id, planned_start_ms, "
                        "actual_start_ms, end_ms, outcome, detail, actual_start_ns, frames_played, frames_concealed, "
                        "longest_gap_ms, loudness_dbfs, peak_dbfs, longest_silence_ms, dead_air, clock_locked, seq) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
    for (const auto& r : records) {
      s.bind(1, r.station_id).bind(2, r.broadcast_id).bind(3, r.content_id).bind(4, r.planned_start_ms);
      s.bind(5, r.actual_start_ms).bind(6, r.end_ms).bind(7, r.outcome).bind(8, r.detail);
      s.bind(9, r.actual_start_ns).bind(10, r.frames_played).bind(11, r.frames_concealed).bind(12, r.longest_gap_ms);
      if (r.loudness_dbfs) s.bind_double(13, *r.loudness_dbfs); else s.bind_null(13);
      if (r.peak_dbfs) s.bind_double(14, *r.peak_dbfs); else s.bind_null(14);
      s.bind(15, r.longest_silence_ms).bind(16, static_cast<std::int64_t>(r.dead_air));
      if (r.clock_locked) s.bind(17, static_cast<std::int64_t>(*r.clock_locked)); else s.bind_null(17);
      s.bind(18, ++seq);
      s.queue();
    }
    db_.flush();
    tx.commit();
    return 0;
  });
}

std::vector<AsRunRecord> SqlStore::list_asrun(const std::string& station_id, std::int64_t since_ms, std::size_t limit) {
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

std::vector<AsRunRecord> SqlStore::query_asrun(const AsRunQuery& q) {
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

std::vector<AsRunTally> SqlStore::tally_asrun(std::int64_t from_ms, std::int64_t until_ms) {
  return guarded([&] {
    std::vector<AsRunTally> out;
    // An alert plays at once: its rows have no planned start, and count when they sounded.
    sql::Statement s(db_, std::string("SELECT station_id, content_id, outcome, ") + kAsRunTallySums +
                              " FROM asrun WHERE " + kAsRunInPeriod +
                              " GROUP BY station_id, content_id, outcome ORDER BY station_id, content_id, outcome");
    s.bind(1, from_ms).bind(2, until_ms);
    while (s.step()) {
      out.push_back({s.column_text(0), s.column_text(1), s.column_text(2), s.column_int(3), s.column_int(4),
                     s.column_int(5)});
    }
    return out;
  });
}

}  // namespace loa::store
