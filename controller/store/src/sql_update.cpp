// The agent updates part of SqlStore (see sql_store.hpp and update_store.hpp).
#include "sql_store.hpp"

namespace loa::store {
namespace {

constexpr const char* kReleaseColumns = "sha256, version, bytes, signature, uploaded_by, uploaded_ms";
constexpr const char* kRolloutColumns =
    "id, release_sha256, version, state, canary, confirm_within_ms, reason, created_by, created_ms, updated_ms";
constexpr const char* kRolloutStationColumns = "rollout_id, station_id, canary, state, command_id, detail, updated_ms";

AgentReleaseRecord read_release(sql::Statement& s) {
  AgentReleaseRecord r;
  r.sha256 = s.column_text(0);
  r.version = s.column_text(1);
  r.bytes = static_cast<std::uint64_t>(s.column_int(2));
  r.signature = s.column_text(3);
  r.uploaded_by = s.column_text(4);
  r.uploaded_ms = s.column_int(5);
  return r;
}

RolloutRecord read_rollout(sql::Statement& s) {
  RolloutRecord r;
  r.id = s.column_text(0);
  r.release_sha256 = s.column_text(1);
  r.version = s.column_text(2);
  r.state = s.column_text(3);
  r.canary = s.column_text(4);
  r.confirm_within_ms = static_cast<std::uint32_t>(s.column_int(5));
  r.reason = s.column_text(6);
  r.created_by = s.column_text(7);
  r.created_ms = s.column_int(8);
  r.updated_ms = s.column_int(9);
  return r;
}

}  // namespace

void SqlStore::put_release(const AgentReleaseRecord& r, const std::string& package) {
  guarded([&] {
    sql::Statement s(db_, std::string("INSERT INTO agent_releases (") + kReleaseColumns +
                              ", package) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(sha256) DO UPDATE SET "
                              "signature = excluded.signature, uploaded_by = excluded.uploaded_by, "
                              "uploaded_ms = excluded.uploaded_ms");
    s.bind(1, r.sha256).bind(2, r.version).bind(3, static_cast<std::int64_t>(r.bytes)).bind(4, r.signature);
    s.bind(5, r.uploaded_by).bind(6, r.uploaded_ms).bind_blob(7, package);
    s.run();
    return 0;
  });
}

std::optional<AgentReleaseRecord> SqlStore::find_release(const std::string& sha256) {
  return guarded([&]() -> std::optional<AgentReleaseRecord> {
    sql::Statement s(db_, std::string("SELECT ") + kReleaseColumns + " FROM agent_releases WHERE sha256 = ?");
    s.bind(1, sha256);
    if (!s.step()) return std::nullopt;
    return read_release(s);
  });
}

std::vector<AgentReleaseRecord> SqlStore::list_releases() {
  return guarded([&] {
    std::vector<AgentReleaseRecord> out;
    sql::Statement s(db_, std::string("SELECT ") + kReleaseColumns + " FROM agent_releases ORDER BY uploaded_ms DESC");
    while (s.step()) out.push_back(read_release(s));
    return out;
  });
}

std::optional<std::string> SqlStore::release_package(const std::string& sha256) {
  return guarded([&]() -> std::optional<std::string> {
    sql::Statement s(db_, "SELECT package FROM agent_releases WHERE sha256 = ?");
    s.bind(1, sha256);
    if (!s.step()) return std::nullopt;
    return s.column_blob(0);
  });
}

void SqlStore::add_rollout(const RolloutRecord& r, std::span<const RolloutStationRecord> stations) {
  guarded([&] {
    sql::Transaction tx(db_);
    sql::Statement s(db_, std::string("INSERT INTO agent_rollouts (") + kRolloutColumns +
                              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, r.id).bind(2, r.release_sha256).bind(3, r.version).bind(4, r.state).bind(5, r.canary);
    s.bind(6, static_cast<std::int64_t>(r.confirm_within_ms)).bind(7, r.reason).bind(8, r.created_by);
    s.bind(9, r.created_ms).bind(10, r.updated_ms);
    s.run();
    sql::Statement row(db_, std::string("INSERT INTO rollout_stations (") + kRolloutStationColumns +
                                ") VALUES (?, ?, ?, ?, ?, ?, ?)");
    for (const auto& st : stations) {
      row.reset();
      row.bind(1, r.id).bind(2, st.station_id).bind(3, std::int64_t{st.canary ? 1 : 0}).bind(4, st.state);
      row.bind(5, st.command_id).bind(6, st.detail).bind(7, st.updated_ms);
      row.run();
    }
    tx.commit();
    return 0;
  });
}

void SqlStore::set_rollout_state(const std::string& id, const std::string& state, const std::string& reason,
                                 std::int64_t at_ms) {
  guarded([&] {
    sql::Statement s(db_, "UPDATE agent_rollouts SET state = ?, reason = ?, updated_ms = ? WHERE id = ?");
    s.bind(1, state).bind(2, reason).bind(3, at_ms).bind(4, id);
    s.run();
    return 0;
  });
}

void SqlStore::update_rollout_stations(std::span<const RolloutStationRecord> stations,
                                       std::span<const CommandRecord> commands) {
  guarded([&] {
    sql::Transaction tx(db_);
    insert_commands(commands);
    sql::Statement s(db_, "UPDATE rollout_stations SET state = ?, command_id = ?, detail = ?, updated_ms = ? "
                          "WHERE rollout_id = ? AND station_id = ?");
    for (const auto& st : stations) {
      s.reset();
      s.bind(1, st.state).bind(2, st.command_id).bind(3, st.detail).bind(4, st.updated_ms);
      s.bind(5, st.rollout_id).bind(6, st.station_id);
      s.run();
    }
    tx.commit();
    return 0;
  });
}

std::optional<RolloutRecord> SqlStore::find_rollout(const std::string& id) {
  return guarded([&]() -> std::optional<RolloutRecord> {
    sql::Statement s(db_, std::string("SELECT ") + kRolloutColumns + " FROM agent_rollouts WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_rollout(s);
  });
}

std::vector<RolloutRecord> SqlStore::list_rollouts(std::size_t limit) {
  return guarded([&] {
    std::vector<RolloutRecord> out;
    sql::Statement s(db_, std::string("SELECT ") + kRolloutColumns +
                              " FROM agent_rollouts ORDER BY created_ms DESC, id DESC LIMIT ?");
    s.bind(1, static_cast<std::int64_t>(limit == 0 ? 1000 : limit));
    while (s.step()) out.push_back(read_rollout(s));
    return out;
  });
}

std::vector<RolloutStationRecord> SqlStore::rollout_stations(const std::string& rollout_id) {
  return guarded([&] {
    std::vector<RolloutStationRecord> out;
    sql::Statement s(db_, std::string("SELECT ") + kRolloutStationColumns +
                              " FROM rollout_stations WHERE rollout_id = ? ORDER BY canary DESC, station_id");
    s.bind(1, rollout_id);
    while (s.step()) {
      RolloutStationRecord r;
      r.rollout_id = s.column_text(0);
      r.station_id = s.column_text(1);
      r.canary = s.column_int(2) != 0;
      r.state = s.column_text(3);
      r.command_id = s.column_text(4);
      r.detail = s.column_text(5);
      r.updated_ms = s.column_int(6);
      out.push_back(std::move(r));
    }
    return out;
  });
}

}  // namespace loa::store
