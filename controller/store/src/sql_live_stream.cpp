// The live-stream part of SqlStore (see sql_store.hpp).
#include "columns.hpp"
#include "sql_store.hpp"

namespace loa::store {

void SqlStore::add_live_stream(const LiveStreamRecord& l) {
  guarded([&] {
    sql::Transaction tx(db_);
    sql::Statement s(db_, std::string("INSERT INTO live_streams (") + kLiveStreamColumns +
                              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, l.id).bind(2, l.source).bind(3, l.broadcast_id).bind(4, l.priority).bind_double(5, l.volume);
    s.bind(6, l.on_preempt).bind(7, l.started_ms).bind(8, l.started_by).bind_optional(9, l.ended_ms);
    s.bind(10, l.ended_by);
    s.run();
    sql::Statement add(db_, "INSERT INTO live_stream_targets (stream_id, station_id) VALUES (?, ?) ON CONFLICT DO NOTHING");
    for (const auto& station : l.station_ids) {
      add.bind(1, l.id).bind(2, station);
      add.run();
    }
    tx.commit();
    return 0;
  });
}

bool SqlStore::end_live_stream(const std::string& id, std::int64_t ended_ms, const std::string& by) {
  return guarded([&] {
    sql::Statement s(db_, "UPDATE live_streams SET ended_ms = ?, ended_by = ? WHERE id = ? AND ended_ms IS NULL");
    s.bind(1, ended_ms).bind(2, by).bind(3, id);
    s.run();
    return db_.changes() > 0;
  });
}

std::optional<LiveStreamRecord> SqlStore::find_live_stream(const std::string& id) {
  return guarded([&]() -> std::optional<LiveStreamRecord> {
    auto found = load_live_streams("WHERE id = ?1", id, 1);
    if (found.empty()) return std::nullopt;
    return std::move(found.front());
  });
}

std::vector<LiveStreamRecord> SqlStore::list_live_streams(bool running_only, int limit) {
  return guarded([&] { return load_live_streams(running_only ? "WHERE ended_ms IS NULL" : "", "", limit); });
}

std::vector<LiveStreamRecord> SqlStore::load_live_streams(const std::string& where, const std::string& arg, int limit) {
  std::vector<LiveStreamRecord> out;
  sql::Statement s(db_, std::string("SELECT ") + kLiveStreamColumns + " FROM live_streams " + where +
                            " ORDER BY started_ms DESC, id LIMIT " + std::to_string(std::max(limit, 0)));
  if (!arg.empty()) s.bind(1, arg);
  while (s.step()) {
    LiveStreamRecord l;
    l.id = s.column_text(0);
    l.source = s.column_text(1);
    l.broadcast_id = s.column_text(2);
    l.priority = s.column_text(3);
    l.volume = s.column_double(4);
    l.on_preempt = s.column_text(5);
    l.started_ms = s.column_int(6);
    l.started_by = s.column_text(7);
    l.ended_ms = s.column_optional_int(8);
    l.ended_by = s.column_text(9);
    out.push_back(std::move(l));
  }
  sql::Statement targets(db_, "SELECT station_id FROM live_stream_targets WHERE stream_id = ? ORDER BY station_id");
  for (auto& l : out) {
    targets.bind(1, l.id);
    while (targets.step()) l.station_ids.push_back(targets.column_text(0));
    targets.reset();
  }
  return out;
}

}  // namespace loa::store
