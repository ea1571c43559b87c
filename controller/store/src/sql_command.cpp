// The command part of SqlStore (see sql_store.hpp).
#include "sql_store.hpp"

namespace loa::store {

void SqlStore::add_command(const CommandRecord& c) {
  guarded([&] {
    insert_commands(std::span(&c, 1));
    return 0;
  });
}

std::optional<CommandRecord> SqlStore::find_command(const std::string& id) {
  return guarded([&]() -> std::optional<CommandRecord> {
    sql::Statement s(db_, std::string("SELECT ") + kCommandColumns + " FROM commands WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_command(s);
  });
}

std::vector<CommandRecord> SqlStore::list_commands(const CommandFilter& f) {
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

std::vector<CommandRecord> SqlStore::pending_commands() {
  return guarded([&] {
    std::vector<CommandRecord> out;
    sql::Statement s(db_, std::string("SELECT ") + kCommandColumns +
                                 " FROM commands WHERE state = 'pending' ORDER BY created_ms, id");
    while (s.step()) out.push_back(read_command(s));
    return out;
  });
}

void SqlStore::record_sent(const std::string& id, std::int64_t attempts, std::int64_t sent_ms) {
  guarded([&] {
    sql::Statement s(db_, "UPDATE commands SET attempts = ?, last_sent_ms = ? WHERE id = ?");
    s.bind(1, attempts).bind(2, sent_ms).bind(3, id);
    s.run();
    return 0;
  });
}

void SqlStore::record_sent_many(std::span<const SentRecord> sends) {
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

bool SqlStore::complete_command(const std::string& id, CommandState state, const std::string& detail,
                      std::int64_t completed_ms, const std::string& result) {
  const Completion one{id, state, detail, completed_ms, result};
  return complete_commands(std::span(&one, 1)).front();
}

std::vector<bool> SqlStore::complete_commands(std::span<const Completion> results) {
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

void SqlStore::add_scheduled(std::span<const CommandRecord> commands, std::span<const ScheduledPlay> plays) {
  guarded([&] {
    sql::Transaction tx(db_);
    insert_commands(commands);
    sql::RowBatch rows("scheduled_plays", {"broadcast_id", "station_id", "planned_start_ms", "command_id"},
                       "ON CONFLICT DO NOTHING");
    for (const auto& play : plays) {
      rows.add() = {sql::Cell::of(play.broadcast_id), sql::Cell::of(play.station_id), sql::Cell::of(play.planned_start_ms),
                    sql::Cell::of(play.command_id)};
    }
    db_.insert_rows(rows);
    db_.flush();
    tx.commit();
    return 0;
  });
}

void SqlStore::withdraw_commands(std::span<const std::string> ids, const std::string& detail, std::int64_t at_ms) {
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

}  // namespace loa::store
