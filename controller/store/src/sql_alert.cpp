// The alert part of SqlStore (see sql_store.hpp).
#include "sql_store.hpp"

namespace loa::store {

void SqlStore::put_alert(const AlertRecord& alert, const AuditRecord& audit) {
  guarded([&] {
    sql::Transaction tx(db_);
    upsert_alert(alert);
    insert_audit(audit);
    tx.commit();
    return 0;
  });
}

std::optional<AlertRecord> SqlStore::find_alert(const std::string& id) {
  return guarded([&]() -> std::optional<AlertRecord> {
    sql::Statement s(db_, std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_alert(s);
  });
}

std::vector<AlertRecord> SqlStore::list_alerts(std::size_t limit) {
  return guarded([&] {
    std::vector<AlertRecord> out;
    sql::Statement s(db_, std::string("SELECT ") + kAlertColumns +
                                 " FROM alerts ORDER BY created_ms DESC, id LIMIT ?");
    s.bind(1, static_cast<std::int64_t>(limit));
    while (s.step()) out.push_back(read_alert(s));
    return out;
  });
}

void SqlStore::deliver_alert(const AlertRecord& alert, std::span<const CommandRecord> commands,
                   std::span<const AlertDelivery> deliveries, const AuditRecord& audit) {
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

void SqlStore::put_deliveries(std::span<const AlertDelivery> deliveries) {
  guarded([&] {
    sql::Transaction tx(db_);
    upsert_deliveries(deliveries);
    tx.commit();
    return 0;
  });
}

std::vector<AlertDelivery> SqlStore::list_deliveries(const std::string& alert_id) {
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

std::vector<AlertCommand> SqlStore::alert_commands(const std::string& alert_id) {
  return guarded([&] {
    std::vector<AlertCommand> out;
    sql::Statement s(db_, "SELECT command_id, alert_id, station_id FROM alert_commands WHERE alert_id = ?");
    s.bind(1, alert_id);
    while (s.step()) out.push_back({s.column_text(0), s.column_text(1), s.column_text(2)});
    return out;
  });
}

bool SqlStore::record_cap_message(const std::string& sender, const std::string& identifier, const std::string& alert_id,
                        std::int64_t at_ms) {
  return guarded([&] {
    sql::Statement s(db_,
                        "INSERT INTO cap_messages (sender, identifier, alert_id, received_ms) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING");
    s.bind(1, sender).bind(2, identifier).bind(3, alert_id).bind(4, at_ms);
    s.run();
    return db_.changes() > 0;
  });
}

std::optional<std::string> SqlStore::alert_of_cap(const std::string& sender, const std::string& identifier) {
  return guarded([&]() -> std::optional<std::string> {
    sql::Statement s(db_, "SELECT alert_id FROM cap_messages WHERE sender = ? AND identifier = ?");
    s.bind(1, sender).bind(2, identifier);
    if (!s.step()) return std::nullopt;
    return s.column_text(0);
  });
}

void SqlStore::add_pins(std::span<const CommandRecord> commands,
              std::span<const std::pair<std::string, std::string>> station_clips) {
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

std::vector<std::pair<std::string, std::string>> SqlStore::list_pins() {
  return guarded([&] {
    std::vector<std::pair<std::string, std::string>> out;
    sql::Statement s(db_, "SELECT station_id, clip_sha256 FROM station_pins");
    while (s.step()) out.emplace_back(s.column_text(0), s.column_text(1));
    return out;
  });
}

}  // namespace loa::store
