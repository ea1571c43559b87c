// The federation part of SqlStore (see sql_store.hpp and federation_store.hpp).
#include "sql_store.hpp"

namespace loa::store {

const char* to_string(InboxState s) {
  switch (s) {
    case InboxState::waiting: return "waiting";
    case InboxState::accepted: return "accepted";
    case InboxState::declined: return "declined";
    case InboxState::expired: return "expired";
  }
  return "waiting";
}

std::optional<InboxState> parse_inbox_state(const std::string& text) {
  for (auto s : {InboxState::waiting, InboxState::accepted, InboxState::declined, InboxState::expired}) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

namespace {

constexpr const char* kRelayMemberColumns =
    "relay_id, member_id, command_id, state, local_id, stations, sounding, unreachable, failed, problems, updated_ms";
constexpr const char* kInboxColumns =
    "id, level, title, body, zones, sender, received_ms, valid_until_ms, state, decided_by, decided_ms, broadcast_id, "
    "clip_sha256";

RelayMemberRecord read_relay_member(const sql::Statement& s) {
  RelayMemberRecord m;
  m.relay_id = s.column_text(0);
  m.member_id = s.column_text(1);
  m.command_id = s.column_text(2);
  m.state = s.column_text(3);
  m.local_id = s.column_text(4);
  m.stations = s.column_int(5);
  m.sounding = s.column_int(6);
  m.unreachable = s.column_int(7);
  m.failed = s.column_int(8);
  m.problems = s.column_text(9);
  m.updated_ms = s.column_int(10);
  return m;
}

InboxRecord read_inbox(const sql::Statement& s) {
  InboxRecord r;
  r.id = s.column_text(0);
  r.level = s.column_text(1);
  r.title = s.column_text(2);
  r.body = s.column_text(3);
  r.zones = split_lines(s.column_text(4), ',');
  r.sender = s.column_text(5);
  r.received_ms = s.column_int(6);
  r.valid_until_ms = s.column_int(7);
  r.state = parse_inbox_state(s.column_text(8)).value_or(InboxState::waiting);
  r.decided_by = s.column_text(9);
  r.decided_ms = s.column_int(10);
  r.broadcast_id = s.column_text(11);
  r.clip_sha256 = s.column_text(12);
  return r;
}

}  // namespace

void SqlStore::keep_member_updates(std::span<const MemberUpdate> updates) {
  if (updates.empty()) return;
  guarded([&] {
    sql::Transaction tx(db_);
    sql::Statement forget(db_, "DELETE FROM member_stations WHERE member_id = ?");
    sql::Statement station(db_,
                           "INSERT INTO member_stations (member_id, station_id, name, zone, state, alarms, playing, "
                           "last_seen_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                           "ON CONFLICT (member_id, station_id) DO UPDATE SET name = excluded.name, "
                           "zone = excluded.zone, state = excluded.state, alarms = excluded.alarms, "
                           "playing = excluded.playing, last_seen_ms = excluded.last_seen_ms, "
                           "updated_ms = excluded.updated_ms");
    sql::Statement asrun(db_,
                         "INSERT INTO member_asrun (member_id, seq, station_id, broadcast_id, content_id, "
                         "planned_start_ms, actual_start_ms, end_ms, outcome, detail, received_ms) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
    sql::Statement progress(db_,
                            "UPDATE relay_members SET state = ?, local_id = ?, stations = ?, sounding = ?, "
                            "unreachable = ?, failed = ?, problems = ?, updated_ms = ? "
                            "WHERE relay_id = ? AND member_id = ?");
    for (const auto& u : updates) {
      if (u.complete) {
        forget.bind(1, u.member_id);
        forget.run();
      }
      for (const auto& m : u.stations) {
        station.bind(1, u.member_id).bind(2, m.station_id).bind(3, m.name).bind(4, m.zone).bind(5, m.state);
        station.bind(6, join_lines(m.alarms, ',')).bind(7, m.playing).bind(8, m.last_seen_ms).bind(9, m.updated_ms);
        station.run();
      }
      for (const auto& a : u.asrun) {
        const auto& r = a.row;
        asrun.bind(1, u.member_id).bind(2, a.seq).bind(3, r.station_id).bind(4, r.broadcast_id).bind(5, r.content_id);
        asrun.bind(6, r.planned_start_ms).bind(7, r.actual_start_ms).bind(8, r.end_ms).bind(9, r.outcome);
        asrun.bind(10, r.detail).bind(11, a.received_ms);
        asrun.run();
      }
      for (const auto& p : u.progress) {
        progress.bind(1, p.state).bind(2, p.local_id).bind(3, p.stations).bind(4, p.sounding).bind(5, p.unreachable);
        progress.bind(6, p.failed).bind(7, p.problems).bind(8, p.updated_ms).bind(9, p.relay_id).bind(10, u.member_id);
        progress.run();
      }
    }
    tx.commit();
    return 0;
  });
}

std::vector<MemberStationRecord> SqlStore::member_stations(const std::string& member_id) {
  return guarded([&] {
    std::vector<MemberStationRecord> out;
    sql::Statement s(db_,
                     "SELECT member_id, station_id, name, zone, state, alarms, playing, last_seen_ms, updated_ms "
                     "FROM member_stations WHERE (?1 = '' OR member_id = ?1) ORDER BY member_id, station_id");
    s.bind(1, member_id);
    while (s.step()) {
      out.push_back({s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3), s.column_text(4),
                     split_lines(s.column_text(5), ','), s.column_text(6), s.column_int(7), s.column_int(8)});
    }
    return out;
  });
}

std::vector<MemberAsRunRecord> SqlStore::member_asrun(const std::string& member_id, std::int64_t from_ms,
                                                      std::int64_t until_ms, std::size_t limit) {
  return guarded([&] {
    std::vector<MemberAsRunRecord> out;
    sql::Statement s(db_,
                     "SELECT member_id, seq, station_id, broadcast_id, content_id, planned_start_ms, "
                     "actual_start_ms, end_ms, outcome, detail, received_ms FROM member_asrun "
                     "WHERE (?1 = '' OR member_id = ?1) AND planned_start_ms >= ?2 AND planned_start_ms < ?3 "
                     "ORDER BY planned_start_ms, member_id, seq LIMIT ?4");
    s.bind(1, member_id).bind(2, from_ms).bind(3, until_ms).bind(4, static_cast<std::int64_t>(limit));
    while (s.step()) {
      MemberAsRunRecord a;
      a.member_id = s.column_text(0);
      a.seq = s.column_int(1);
      a.row.station_id = s.column_text(2);
      a.row.broadcast_id = s.column_text(3);
      a.row.content_id = s.column_text(4);
      a.row.planned_start_ms = s.column_int(5);
      a.row.actual_start_ms = s.column_int(6);
      a.row.end_ms = s.column_int(7);
      a.row.outcome = s.column_text(8);
      a.row.detail = s.column_text(9);
      a.received_ms = s.column_int(10);
      out.push_back(std::move(a));
    }
    return out;
  });
}

std::vector<IFederationStore::MemberTally> SqlStore::tally_member_asrun(std::int64_t from_ms, std::int64_t until_ms) {
  return guarded([&] {
    std::vector<MemberTally> out;
    sql::Statement s(db_, std::string("SELECT member_id, station_id, content_id, outcome, ") + kAsRunTallySums +
                              " FROM member_asrun WHERE " + kAsRunInPeriod +
                              " GROUP BY member_id, station_id, content_id, outcome ORDER BY member_id, station_id, content_id");
    s.bind(1, from_ms).bind(2, until_ms);
    while (s.step()) {
      out.push_back({s.column_text(0), {s.column_text(1), s.column_text(2), s.column_text(3), s.column_int(4),
                                        s.column_int(5), s.column_int(6)}});
    }
    return out;
  });
}

void SqlStore::add_relay(const RelayRecord& relay, std::span<const CommandRecord> commands, const AuditRecord& audit) {
  guarded([&] {
    sql::Transaction tx(db_);
    sql::Statement r(db_,
                     "INSERT INTO relays (id, kind, level, definition, created_by, created_ms) VALUES (?, ?, ?, ?, ?, ?)");
    r.bind(1, relay.id).bind(2, relay.kind).bind(3, relay.level).bind(4, relay.definition).bind(5, relay.created_by);
    r.bind(6, relay.created_ms);
    r.run();
    sql::Statement m(db_, std::string("INSERT INTO relay_members (") + kRelayMemberColumns +
                              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& p : relay.members) {
      m.bind(1, p.relay_id).bind(2, p.member_id).bind(3, p.command_id).bind(4, p.state).bind(5, p.local_id);
      m.bind(6, p.stations).bind(7, p.sounding).bind(8, p.unreachable).bind(9, p.failed).bind(10, p.problems);
      m.bind(11, p.updated_ms);
      m.run();
    }
    insert_commands(commands);
    insert_audit(audit);
    tx.commit();
    return 0;
  });
}

std::vector<RelayRecord> SqlStore::load_relays(const std::string& id, std::size_t limit) {
  std::vector<RelayRecord> out;
  sql::Statement s(db_,
                   "SELECT id, kind, level, definition, created_by, created_ms FROM relays WHERE (?1 = '' OR id = ?1) "
                   "ORDER BY created_ms DESC, id LIMIT ?2");
  s.bind(1, id).bind(2, static_cast<std::int64_t>(limit));
  while (s.step()) {
    out.push_back({s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3), s.column_text(4),
                   s.column_int(5), {}});
  }
  sql::Statement m(db_, std::string("SELECT ") + kRelayMemberColumns +
                            " FROM relay_members WHERE relay_id = ? ORDER BY member_id");
  for (auto& r : out) {
    m.bind(1, r.id);
    while (m.step()) r.members.push_back(read_relay_member(m));
    m.reset();
  }
  return out;
}

std::optional<RelayRecord> SqlStore::find_relay(const std::string& id) {
  if (id.empty()) return std::nullopt;
  return guarded([&]() -> std::optional<RelayRecord> {
    auto found = load_relays(id, 1);
    if (found.empty()) return std::nullopt;
    return std::move(found.front());
  });
}

std::vector<RelayRecord> SqlStore::list_relays(std::size_t limit) {
  return guarded([&] { return load_relays("", limit); });
}

void SqlStore::set_relay_state(const std::string& command_id, const std::string& state, const std::string& detail,
                               std::int64_t at_ms) {
  guarded([&] {
    // The member's progress reports say more than its answer: the answer changes only
    // a relay the member has not yet reported on.
    sql::Statement s(db_,
                     "UPDATE relay_members SET state = ?, problems = CASE WHEN ? = '' THEN problems ELSE ? END, "
                     "updated_ms = ? WHERE command_id = ? AND state = 'sent'");
    s.bind(1, state).bind(2, detail).bind(3, detail).bind(4, at_ms).bind(5, command_id);
    s.run();
    return 0;
  });
}

std::vector<AsRunRecord> SqlStore::asrun_after(std::int64_t seq, std::size_t limit) {
  return guarded([&] {
    std::vector<AsRunRecord> out;
    sql::Statement s(db_, std::string("SELECT ") + kAsRunColumns + " FROM asrun WHERE seq > ? ORDER BY seq LIMIT ?");
    s.bind(1, seq).bind(2, static_cast<std::int64_t>(limit));
    while (s.step()) out.push_back(read_asrun(s));
    return out;
  });
}

std::int64_t SqlStore::uplink_cursor(const std::string& name) {
  return guarded([&] {
    sql::Statement s(db_, "SELECT value FROM uplink_state WHERE name = ?");
    s.bind(1, name);
    return s.step() ? s.column_int(0) : std::int64_t{0};
  });
}

void SqlStore::set_uplink_cursor(const std::string& name, std::int64_t value) {
  guarded([&] {
    sql::Statement s(db_,
                     "INSERT INTO uplink_state (name, value) VALUES (?, ?) "
                     "ON CONFLICT (name) DO UPDATE SET value = excluded.value");
    s.bind(1, name).bind(2, value);
    s.run();
    return 0;
  });
}

std::optional<UpstreamCommandRecord> SqlStore::find_upstream_command(const std::string& command_id) {
  return guarded([&]() -> std::optional<UpstreamCommandRecord> {
    sql::Statement s(db_,
                     "SELECT command_id, relay_id, kind, outcome, detail, local_id, applied_ms FROM upstream_commands "
                     "WHERE command_id = ?");
    s.bind(1, command_id);
    if (!s.step()) return std::nullopt;
    return UpstreamCommandRecord{s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3),
                                 s.column_text(4), s.column_text(5), s.column_int(6)};
  });
}

std::vector<UpstreamCommandRecord> SqlStore::list_upstream_commands(std::size_t limit) {
  return guarded([&] {
    std::vector<UpstreamCommandRecord> out;
    sql::Statement s(db_,
                     "SELECT command_id, relay_id, kind, outcome, detail, local_id, applied_ms FROM upstream_commands "
                     "ORDER BY applied_ms DESC, command_id LIMIT ?");
    s.bind(1, static_cast<std::int64_t>(limit));
    while (s.step()) {
      out.push_back({s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3), s.column_text(4),
                     s.column_text(5), s.column_int(6)});
    }
    return out;
  });
}

void SqlStore::put_upstream_command(const UpstreamCommandRecord& c, const InboxRecord* inbox, const AuditRecord& audit) {
  guarded([&] {
    sql::Transaction tx(db_);
    sql::Statement s(db_,
                     "INSERT INTO upstream_commands (command_id, relay_id, kind, outcome, detail, local_id, applied_ms) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, c.command_id).bind(2, c.relay_id).bind(3, c.kind).bind(4, c.outcome).bind(5, c.detail);
    s.bind(6, c.local_id).bind(7, c.applied_ms);
    s.run();
    if (inbox) {
      sql::Statement i(db_, std::string("INSERT INTO inbox (") + kInboxColumns +
                                ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
      i.bind(1, inbox->id).bind(2, inbox->level).bind(3, inbox->title).bind(4, inbox->body);
      i.bind(5, join_lines(inbox->zones, ',')).bind(6, inbox->sender).bind(7, inbox->received_ms);
      i.bind(8, inbox->valid_until_ms).bind(9, std::string_view(to_string(inbox->state))).bind(10, inbox->decided_by);
      i.bind(11, inbox->decided_ms).bind(12, inbox->broadcast_id).bind(13, inbox->clip_sha256);
      i.run();
    }
    insert_audit(audit);
    tx.commit();
    return 0;
  });
}

std::vector<InboxRecord> SqlStore::list_inbox(std::optional<InboxState> state, std::size_t limit) {
  return guarded([&] {
    std::vector<InboxRecord> out;
    sql::Statement s(db_, std::string("SELECT ") + kInboxColumns +
                              " FROM inbox WHERE (?1 = '' OR state = ?1) ORDER BY received_ms DESC, id LIMIT ?2");
    const std::string wanted = state ? to_string(*state) : "";
    s.bind(1, wanted).bind(2, static_cast<std::int64_t>(limit));
    while (s.step()) out.push_back(read_inbox(s));
    return out;
  });
}

std::optional<InboxRecord> SqlStore::find_inbox(const std::string& id) {
  return guarded([&]() -> std::optional<InboxRecord> {
    sql::Statement s(db_, std::string("SELECT ") + kInboxColumns + " FROM inbox WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_inbox(s);
  });
}

bool SqlStore::decide_inbox(const std::string& id, InboxState decision, const std::string& by, std::int64_t at_ms,
                            const std::string& broadcast_id, const AuditRecord& audit) {
  return guarded([&] {
    sql::Transaction tx(db_);
    sql::Statement s(db_,
                     "UPDATE inbox SET state = ?, decided_by = ?, decided_ms = ?, broadcast_id = ? "
                     "WHERE id = ? AND state = 'waiting'");
    s.bind(1, std::string_view(to_string(decision))).bind(2, by).bind(3, at_ms).bind(4, broadcast_id).bind(5, id);
    s.run();
    if (db_.changes() == 0) return false;
    insert_audit(audit);
    tx.commit();
    return true;
  });
}

}  // namespace loa::store
