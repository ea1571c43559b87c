// The schedule part of SqlStore (see sql_store.hpp).
#include "sql_store.hpp"

namespace loa::store {

void SqlStore::put_broadcast(const BroadcastRecord& b) {
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
    s.bind(1, b.id).bind(2, b.title).bind(3, to_string(b.content_kind)).bind(4, b.clip_sha256).bind(5, b.tts_text);
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
    if (b.approval) {
      const auto& a = *b.approval;
      sql::Statement approval(db_,
                              "INSERT INTO broadcast_approvals (broadcast_id, state, zones, submitted_by, submitted_ms, "
                              "decided_by, decided_ms, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                              "ON CONFLICT (broadcast_id) DO UPDATE SET state = excluded.state, zones = excluded.zones, "
                              "submitted_by = excluded.submitted_by, submitted_ms = excluded.submitted_ms, "
                              "decided_by = excluded.decided_by, decided_ms = excluded.decided_ms, note = excluded.note");
      approval.bind(1, b.id).bind(2, std::string_view(to_string(a.state))).bind(3, join_lines(a.zones, ','));
      approval.bind(4, a.submitted_by).bind(5, a.submitted_ms).bind(6, a.decided_by).bind(7, a.decided_ms).bind(8, a.note);
      approval.run();
    }
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

std::optional<BroadcastRecord> SqlStore::find_broadcast(const std::string& id) {
  return guarded([&]() -> std::optional<BroadcastRecord> {
    auto found = load_broadcasts("WHERE id = ?1", id);
    if (found.empty()) return std::nullopt;
    return found.front();
  });
}

std::vector<BroadcastRecord> SqlStore::list_broadcasts(bool include_cancelled) {
  return guarded([&] {
    return load_broadcasts(include_cancelled ? "WHERE ?1 = ?1" : "WHERE ?1 = ?1 AND cancelled_ms IS NULL", "");
  });
}

bool SqlStore::cancel_broadcast(const std::string& id, const std::string& by, std::int64_t at_ms) {
  return guarded([&] {
    sql::Statement s(db_,
                        "UPDATE broadcasts SET cancelled_ms = ?2, cancelled_by = ?3 WHERE id = ?1 AND cancelled_ms IS NULL");
    s.bind(1, id).bind(2, at_ms).bind(3, by);
    s.run();
    return db_.changes() > 0;
  });
}

bool SqlStore::decide_approval(const std::string& id, ApprovalState decision, const std::string& by,
                               const std::string& note, std::int64_t at_ms) {
  return guarded([&] {
    sql::Transaction tx(db_);
    // Only a pending approval of a broadcast not cancelled meanwhile is settled.
    sql::Statement s(db_,
                     "UPDATE broadcast_approvals SET state = ?2, decided_by = ?3, decided_ms = ?4, note = ?5 "
                     "WHERE broadcast_id = ?1 AND state = 'pending' AND broadcast_id IN "
                     "(SELECT id FROM broadcasts WHERE cancelled_ms IS NULL)");
    s.bind(1, id).bind(2, std::string_view(to_string(decision))).bind(3, by).bind(4, at_ms).bind(5, note);
    s.run();
    if (db_.changes() == 0) return false;
    if (decision == ApprovalState::returned) {
      sql::Statement cancel(db_, "UPDATE broadcasts SET cancelled_ms = ?2, cancelled_by = ?3 WHERE id = ?1");
      cancel.bind(1, id).bind(2, at_ms).bind(3, by);
      cancel.run();
    }
    tx.commit();
    return true;
  });
}

std::vector<ScheduledPlay> SqlStore::scheduled_plays(std::int64_t from_ms) {
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

std::vector<std::string> SqlStore::stations_scheduled(const std::string& broadcast_id) {
  return guarded([&] {
    std::vector<std::string> out;
    sql::Statement s(db_, "SELECT DISTINCT station_id FROM scheduled_plays WHERE broadcast_id = ? ORDER BY 1");
    s.bind(1, broadcast_id);
    while (s.step()) out.push_back(s.column_text(0));
    return out;
  });
}

}  // namespace loa::store
