// The station part of SqlStore (see sql_store.hpp).
#include "sql_store.hpp"

namespace loa::store {

std::optional<StationRecord> SqlStore::find_station(const std::string& id) {
  return guarded([&]() -> std::optional<StationRecord> {
    sql::Statement s(db_, std::string("SELECT ") + kStationColumns + " FROM stations WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_station(s);
  });
}

void SqlStore::put_station(const StationRecord& r) {
  guarded([&] {
    sql::Statement s(db_,
                        "INSERT INTO stations (id, name, commune, location, public_key, enrollment, created_ms, member) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT(id) DO UPDATE SET name = excluded.name, commune = excluded.commune, "
                        "location = excluded.location, public_key = excluded.public_key, "
                        "enrollment = excluded.enrollment, member = excluded.member");
    s.bind(1, r.id).bind(2, r.name).bind(3, r.commune).bind(4, r.location);
    s.bind(5, r.public_key).bind(6, std::string_view(to_string(r.enrollment))).bind(7, r.created_ms);
    s.bind(8, static_cast<std::int64_t>(r.member));
    s.run();
    return 0;
  });
}

void SqlStore::record_seen(std::span<const SeenUpdate> updates) {
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

bool SqlStore::delete_station(const std::string& id) {
  return guarded([&] {
    sql::Transaction tx(db_);
    // The station row first: on PostgreSQL that waits for a schedule push still storing
    // commands for it (their key check holds the row), so the plays it stored are seen here.
    sql::Statement s(db_, "DELETE FROM stations WHERE id = ?");
    s.bind(1, id);
    s.run();
    const bool deleted = db_.changes() > 0;
    sql::Statement plays(db_, "DELETE FROM scheduled_plays WHERE station_id = ?");
    plays.bind(1, id);
    plays.run();
    sql::Statement links(db_, "DELETE FROM station_links WHERE station_id = ?");
    links.bind(1, id);
    links.run();
    tx.commit();
    return deleted;
  });
}

void SqlStore::record_links(std::span<const LinkInterval> changes) {
  if (changes.empty()) return;
  guarded([&] {
    sql::Transaction tx(db_);
    // A close that arrives for an interval never opened here (a restart between the two)
    // is written whole; an open never undoes a close.
    sql::Statement s(db_,
                     "INSERT INTO station_links (station_id, up_ms, down_ms) VALUES (?, ?, ?) "
                     "ON CONFLICT (station_id, up_ms) DO UPDATE SET down_ms = COALESCE(excluded.down_ms, "
                     "station_links.down_ms)");
    for (const auto& c : changes) {
      s.bind(1, c.station_id).bind(2, c.up_ms);
      if (c.down_ms) {
        s.bind(3, *c.down_ms);
      } else {
        s.bind_null(3);
      }
      s.run();
    }
    tx.commit();
    return 0;
  });
}

std::vector<LinkInterval> SqlStore::list_links(std::int64_t from_ms, std::int64_t until_ms) {
  return guarded([&] {
    std::vector<LinkInterval> out;
    sql::Statement s(db_,
                     "SELECT station_id, up_ms, down_ms FROM station_links WHERE up_ms < ?2 AND "
                     "(down_ms IS NULL OR down_ms > ?1) ORDER BY station_id, up_ms");
    s.bind(1, from_ms).bind(2, until_ms);
    while (s.step()) {
      LinkInterval l{s.column_text(0), s.column_int(1), std::nullopt};
      if (!s.column_is_null(2)) l.down_ms = s.column_int(2);
      out.push_back(std::move(l));
    }
    return out;
  });
}

void SqlStore::close_open_links() {
  guarded([&] {
    sql::Statement s(db_,
                     "UPDATE station_links SET down_ms = (SELECT CASE WHEN s.last_seen_ms > station_links.up_ms "
                     "THEN s.last_seen_ms ELSE station_links.up_ms END FROM stations s WHERE s.id = "
                     "station_links.station_id) WHERE down_ms IS NULL");
    s.run();
    // A station removed since: its interval ends where it began.
    sql::Statement orphans(db_, "UPDATE station_links SET down_ms = up_ms WHERE down_ms IS NULL");
    orphans.run();
    return 0;
  });
}

std::vector<ZoneRecord> SqlStore::list_zones() {
  return guarded([&] {
    std::vector<ZoneRecord> out;
    sql::Statement s(db_, "SELECT id FROM zones ORDER BY id");
    while (s.step()) out.push_back(*load_zone(s.column_text(0)));
    return out;
  });
}

std::optional<ZoneRecord> SqlStore::find_zone(const std::string& id) {
  return guarded([&] { return load_zone(id); });
}

void SqlStore::put_zone(const ZoneRecord& z) {
  guarded([&] {
    sql::Transaction tx(db_);
    sql::Statement s(db_,
                        "INSERT INTO zones (id, name, kind, parent_id, quiet_hours, cap_areas, needs_approval, level) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind, "
                        "parent_id = excluded.parent_id, quiet_hours = excluded.quiet_hours, "
                        "cap_areas = excluded.cap_areas, needs_approval = excluded.needs_approval, level = excluded.level");
    const bool first_kinds = z.kind == "commune" || z.kind == "village" || z.kind == "custom";  // step 1's CHECK
    s.bind(1, z.id).bind(2, z.name).bind(3, first_kinds ? z.kind : std::string("custom")).bind(5, z.quiet_hours);
    s.bind(6, join_lines(z.cap_areas)).bind(7, std::int64_t{z.needs_approval ? 1 : 0}).bind(8, z.kind);
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

bool SqlStore::delete_zone(const std::string& id) {
  return guarded([&] {
    sql::Statement s(db_, "DELETE FROM zones WHERE id = ?");
    s.bind(1, id);
    s.run();
    return db_.changes() > 0;
  });
}

void SqlStore::put_licence(const LicenceRecord& l, const CommandRecord& command) {
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

std::optional<LicenceRecord> SqlStore::find_licence(const std::string& station_id) {
  auto found = load_licences("station_id = ?", station_id);
  if (found.empty()) return std::nullopt;
  return found.front();
}

std::vector<LicenceRecord> SqlStore::list_licences() { return load_licences("? = ''", ""); }

void SqlStore::add_station_config(const StationConfigRecord& c, const CommandRecord& command) {
  guarded([&] {
    sql::Transaction tx(db_);
    insert_commands(std::span(&command, 1));
    sql::Statement s(db_, "INSERT INTO station_configs (station_id, version, digest, main, files, note, created_by, "
                          "created_ms, command_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, c.station_id).bind(2, static_cast<std::int64_t>(c.version)).bind(3, c.digest).bind(4, c.main);
    s.bind(5, c.files).bind(6, c.note).bind(7, c.created_by).bind(8, c.created_ms).bind(9, command.id);
    s.run();
    tx.commit();
    return 0;
  });
}

std::vector<StationConfigRecord> SqlStore::load_station_configs(const std::string& where, const std::string& station_id,
                                                                std::int64_t number, bool with_files) {
  return guarded([&] {
    std::vector<StationConfigRecord> out;
    // The files are the bulk of a row: read only where a caller needs them.
    sql::Statement s(db_, std::string("SELECT station_id, version, digest, main, ") + (with_files ? "files" : "''") +
                              ", note, created_by, created_ms, command_id FROM station_configs c WHERE " + where);
    s.bind(1, station_id).bind(2, number);
    while (s.step()) {
      StationConfigRecord c;
      c.station_id = s.column_text(0);
      c.version = static_cast<std::uint32_t>(s.column_int(1));
      c.digest = s.column_text(2);
      c.main = s.column_text(3);
      c.files = s.column_text(4);
      c.note = s.column_text(5);
      c.created_by = s.column_text(6);
      c.created_ms = s.column_int(7);
      c.command_id = s.column_text(8);
      out.push_back(std::move(c));
    }
    return out;
  });
}

std::vector<StationConfigRecord> SqlStore::list_station_configs(const std::string& station_id, std::size_t limit) {
  return load_station_configs("station_id = ?1 ORDER BY version DESC LIMIT ?2", station_id,
                              limit == 0 ? std::int64_t{1} << 40 : static_cast<std::int64_t>(limit), true);
}

std::optional<StationConfigRecord> SqlStore::find_station_config(const std::string& station_id, std::uint32_t version) {
  auto found = load_station_configs("station_id = ?1 AND version = ?2", station_id, version, true);
  if (found.empty()) return std::nullopt;
  return found.front();
}

std::vector<StationConfigRecord> SqlStore::latest_station_configs() {
  return load_station_configs("(?1 = '' OR ?2 = 0) AND version = (SELECT MAX(version) FROM station_configs l "
                              "WHERE l.station_id = c.station_id) ORDER BY station_id",
                              "", 0, false);
}

}  // namespace loa::store
