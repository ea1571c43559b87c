#pragma once

// The controller's store on SQL: one class, one set of statements, run on SQLite or
// PostgreSQL through loa_sql. Its methods live in one file per aggregate
// (sql_<aggregate>.cpp), beside the interface they implement.

#include <map>
#include <mutex>
#include <type_traits>

#include "loa/sql/connection.hpp"
#include "loa/store/store.hpp"
#include "sql_rows.hpp"

namespace loa::store {

using namespace rows;

class SqlStore final : public Store {
 public:
  explicit SqlStore(std::unique_ptr<sql::IConnection> connection)
      : connection_(std::move(connection)), db_(*connection_) {}

  StoreUse use() const override {
    std::lock_guard lock(mutex_);
    auto out = use_;
    out.library_memory_bytes = db_.memory_used();
    return out;
  }

  std::vector<StationRecord> list_stations() override {
    return guarded([&] {
      std::vector<StationRecord> out;
      sql::Statement s(db_, std::string("SELECT ") + kStationColumns + " FROM stations ORDER BY id");
      while (s.step()) out.push_back(read_station(s));
      return out;
    });
  }

  std::vector<std::string> sounding_station_ids() override {
    return guarded([&] {
      std::vector<std::string> out;
      sql::Statement s(db_, "SELECT id FROM stations WHERE enrollment = 'approved' AND member = 0 ORDER BY id");
      while (s.step()) out.push_back(s.column_text(0));
      return out;
    });
  }

  std::optional<StationRecord> find_station(const std::string& id) override;
  void put_station(const StationRecord& r) override;
  void record_seen(std::span<const SeenUpdate> updates) override;
  void record_links(std::span<const LinkInterval> changes) override;
  std::vector<LinkInterval> list_links(std::int64_t from_ms, std::int64_t until_ms) override;
  void close_open_links() override;
  bool delete_station(const std::string& id) override;
  std::vector<ZoneRecord> list_zones() override;
  std::optional<ZoneRecord> find_zone(const std::string& id) override;
  void put_zone(const ZoneRecord& z) override;
  bool delete_zone(const std::string& id) override;
  void add_command(const CommandRecord& c) override;
  std::optional<CommandRecord> find_command(const std::string& id) override;
  std::vector<CommandRecord> list_commands(const CommandFilter& f) override;
  std::vector<CommandRecord> pending_commands() override;
  void record_sent(const std::string& id, std::int64_t attempts, std::int64_t sent_ms) override;
  void record_sent_many(std::span<const SentRecord> sends) override;
  bool complete_command(const std::string& id, CommandState state, const std::string& detail,
                        std::int64_t completed_ms, const std::string& result) override;
  std::vector<bool> complete_commands(std::span<const Completion> results) override;
  void add_telemetry(const TelemetryRecord& r) override;
  void add_telemetry_many(std::span<const TelemetryRecord> records) override;
  std::vector<TelemetryRecord> list_telemetry(const TelemetryFilter& f) override;
  std::vector<TelemetryRecord> latest_telemetry(const std::string& station_id) override;
  std::size_t downsample_telemetry(std::int64_t before_ms, std::int64_t bucket_ms) override;
  void record_alarm(const std::string& station_id, const std::string& alarm_id, const std::string& device_id,
                    bool active, const std::string& severity, const std::string& message, const std::string& message_vi,
                    std::int64_t at_ms) override;
  std::vector<AlarmRecord> list_alarms(const std::string& station_id, bool open_only, std::size_t limit) override;
  bool acknowledge_alarm(const std::string& station_id, const std::string& alarm_id, const std::string& by,
                         std::int64_t at_ms) override;
  void keep_member_updates(std::span<const MemberUpdate> updates) override;
  std::vector<MemberStationRecord> member_stations(const std::string& member_id) override;
  std::vector<MemberAsRunRecord> member_asrun(const std::string& member_id, std::int64_t from_ms, std::int64_t until_ms,
                                              std::size_t limit) override;
  std::vector<MemberTally> tally_member_asrun(std::int64_t from_ms, std::int64_t until_ms) override;
  void add_relay(const RelayRecord& relay, std::span<const CommandRecord> commands, const AuditRecord& audit) override;
  std::optional<RelayRecord> find_relay(const std::string& id) override;
  std::vector<RelayRecord> list_relays(std::size_t limit) override;
  void set_relay_state(const std::string& command_id, const std::string& state, const std::string& detail,
                       std::int64_t at_ms) override;
  std::vector<AsRunRecord> asrun_after(std::int64_t seq, std::size_t limit) override;
  std::int64_t uplink_cursor(const std::string& name) override;
  void set_uplink_cursor(const std::string& name, std::int64_t value) override;
  std::optional<UpstreamCommandRecord> find_upstream_command(const std::string& command_id) override;
  void put_upstream_command(const UpstreamCommandRecord& command, const InboxRecord* inbox,
                            const AuditRecord& audit) override;
  std::vector<UpstreamCommandRecord> list_upstream_commands(std::size_t limit) override;
  std::vector<InboxRecord> list_inbox(std::optional<InboxState> state, std::size_t limit) override;
  std::optional<InboxRecord> find_inbox(const std::string& id) override;
  bool decide_inbox(const std::string& id, InboxState decision, const std::string& by, std::int64_t at_ms,
                    const std::string& broadcast_id, const AuditRecord& audit) override;
  void add_asrun(const AsRunRecord& r) override;
  void add_asrun_many(std::span<const AsRunRecord> records) override;
  std::vector<AsRunRecord> list_asrun(const std::string& station_id, std::int64_t since_ms, std::size_t limit) override;
  std::vector<AsRunRecord> query_asrun(const AsRunQuery& q) override;
  std::vector<AsRunTally> tally_asrun(std::int64_t from_ms, std::int64_t until_ms) override;
  void put_broadcast(const BroadcastRecord& b) override;
  std::optional<BroadcastRecord> find_broadcast(const std::string& id) override;
  std::vector<BroadcastRecord> list_broadcasts(bool include_cancelled) override;
  bool cancel_broadcast(const std::string& id, const std::string& by, std::int64_t at_ms) override;
  bool decide_approval(const std::string& id, ApprovalState decision, const std::string& by, const std::string& note,
                       std::int64_t at_ms) override;
  void add_scheduled(std::span<const CommandRecord> commands, std::span<const ScheduledPlay> plays) override;
  std::vector<ScheduledPlay> scheduled_plays(std::int64_t from_ms) override;
  std::vector<std::string> stations_scheduled(const std::string& broadcast_id) override;
  void put_user(const UserRecord& u) override;
  std::optional<UserRecord> find_user(const std::string& name) override;
  std::vector<UserRecord> list_users() override;
  bool delete_user(const std::string& name) override;
  void put_session(const SessionRecord& session, std::int64_t now_ms) override;
  std::optional<SessionRecord> find_session(const std::string& id_sha256) override;
  void delete_session(const std::string& id_sha256, std::int64_t now_ms) override;
  void put_token(const ApiTokenRecord& t) override;
  std::optional<ApiTokenRecord> find_token_by_hash(const std::string& secret_sha256) override;
  std::vector<ApiTokenRecord> list_tokens(const std::string& user) override;
  bool delete_token(const std::string& id) override;
  void add_audit(const AuditRecord& a) override;
  std::vector<AuditRecord> list_audit(const std::string& subject, std::size_t limit) override;
  AuditCheck verify_audit() override;
  void put_alert(const AlertRecord& alert, const AuditRecord& audit) override;
  std::optional<AlertRecord> find_alert(const std::string& id) override;
  std::vector<AlertRecord> list_alerts(std::size_t limit) override;
  void deliver_alert(const AlertRecord& alert, std::span<const CommandRecord> commands,
                     std::span<const AlertDelivery> deliveries, const AuditRecord& audit) override;
  void put_deliveries(std::span<const AlertDelivery> deliveries) override;
  std::vector<AlertDelivery> list_deliveries(const std::string& alert_id) override;
  std::vector<AlertCommand> alert_commands(const std::string& alert_id) override;
  void withdraw_commands(std::span<const std::string> ids, const std::string& detail, std::int64_t at_ms) override;
  bool record_cap_message(const std::string& sender, const std::string& identifier, const std::string& alert_id,
                          std::int64_t at_ms) override;
  std::optional<std::string> alert_of_cap(const std::string& sender, const std::string& identifier) override;
  void add_pins(std::span<const CommandRecord> commands,
                std::span<const std::pair<std::string, std::string>> station_clips) override;
  std::vector<std::pair<std::string, std::string>> list_pins() override;
  void put_licence(const LicenceRecord& l, const CommandRecord& command) override;
  std::optional<LicenceRecord> find_licence(const std::string& station_id) override;
  std::vector<LicenceRecord> list_licences() override;
  void add_station_config(const StationConfigRecord& config, const CommandRecord& command) override;
  std::vector<StationConfigRecord> list_station_configs(const std::string& station_id, std::size_t limit) override;
  std::optional<StationConfigRecord> find_station_config(const std::string& station_id, std::uint32_t version) override;
  std::vector<StationConfigRecord> latest_station_configs() override;
  void put_release(const AgentReleaseRecord& release, const std::string& package) override;
  std::optional<AgentReleaseRecord> find_release(const std::string& sha256) override;
  std::vector<AgentReleaseRecord> list_releases() override;
  std::optional<std::string> release_package(const std::string& sha256) override;
  void add_rollout(const RolloutRecord& rollout, std::span<const RolloutStationRecord> stations) override;
  void set_rollout_state(const std::string& id, const std::string& state, const std::string& reason,
                         std::int64_t at_ms) override;
  void update_rollout_stations(std::span<const RolloutStationRecord> stations,
                               std::span<const CommandRecord> commands) override;
  std::optional<RolloutRecord> find_rollout(const std::string& id) override;
  std::vector<RolloutRecord> list_rollouts(std::size_t limit) override;
  std::vector<RolloutStationRecord> rollout_stations(const std::string& rollout_id) override;
  void put_clip(const ClipRecord& c) override;
  std::optional<ClipRecord> find_clip(const std::string& sha256) override;
  std::optional<ClipRecord> find_clip_by_source(const std::string& source_sha256) override;
  std::vector<ClipRecord> list_clips() override;
  bool delete_clip(const std::string& sha256) override;
  void put_clip_bytes(const std::string& sha256, const std::string& bytes) override;
  std::optional<std::string> clip_bytes(const std::string& sha256) override;
  void add_live_stream(const LiveStreamRecord& stream) override;
  bool end_live_stream(const std::string& id, std::int64_t ended_ms, const std::string& by) override;
  std::optional<LiveStreamRecord> find_live_stream(const std::string& id) override;
  std::vector<LiveStreamRecord> list_live_streams(bool running_only, int limit) override;

 private:
  static AsRunRecord read_asrun(sql::Statement& s) {
    AsRunRecord r{s.column_text(0), s.column_text(1), s.column_text(2), s.column_int(3), s.column_int(4), s.column_int(5),
                  s.column_text(6), s.column_text(7), s.column_int(8),  s.column_int(9), s.column_int(10), s.column_int(11)};
    if (!s.column_is_null(12)) r.loudness_dbfs = s.column_double(12);
    if (!s.column_is_null(13)) r.peak_dbfs = s.column_double(13);
    r.longest_silence_ms = s.column_int(14);
    r.dead_air = s.column_int(15) != 0;
    if (!s.column_is_null(16)) r.clock_locked = s.column_int(16) != 0;
    r.seq = s.column_int(17);
    return r;
  }

  std::optional<ZoneRecord> load_zone(const std::string& id) {
    sql::Statement s(db_,
                        "SELECT id, name, CASE WHEN level <> '' THEN level ELSE kind END, COALESCE(parent_id, ''), "
                        "quiet_hours, cap_areas, needs_approval FROM zones WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    ZoneRecord z;
    z.id = s.column_text(0);
    z.name = s.column_text(1);
    z.kind = s.column_text(2);
    z.parent_id = s.column_text(3);
    z.quiet_hours = s.column_text(4);
    z.cap_areas = split_lines(s.column_text(5), '\n');
    z.needs_approval = s.column_int(6) != 0;
    sql::Statement m(db_, "SELECT station_id FROM zone_members WHERE zone_id = ? ORDER BY station_id");
    m.bind(1, id);
    while (m.step()) z.station_ids.push_back(m.column_text(0));
    return z;
  }

  std::vector<LiveStreamRecord> load_live_streams(const std::string& where, const std::string& arg, int limit);

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

  std::vector<RelayRecord> load_relays(const std::string& id, std::size_t limit);
  std::vector<StationConfigRecord> load_station_configs(const std::string& where, const std::string& station_id,
                                                        std::int64_t number, bool with_files);

  void insert_commands(std::span<const CommandRecord> commands) {
    sql::RowBatch rows("commands", {"id", "station_id", "kind", "payload", "state", "created_ms"});
    for (const auto& cmd : commands) {
      rows.add() = {sql::Cell::of(cmd.id), sql::Cell::of(cmd.station_id), sql::Cell::of(cmd.kind),
                    sql::Cell::blob(cmd.payload), sql::Cell::of(to_string(cmd.state)), sql::Cell::of(cmd.created_ms)};
    }
    db_.insert_rows(rows);
    db_.flush();
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
                        "created_by, created_ms, cancelled_ms, cancelled_by, a.state, a.zones, a.submitted_by, "
                        "a.submitted_ms, a.decided_by, a.decided_ms, a.note FROM broadcasts "
                        "LEFT JOIN broadcast_approvals a ON a.broadcast_id = broadcasts.id " +
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
      b.content_kind = parse_content_kind(s.column_text(2)).value_or(ContentKind::clip);
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
      if (!s.column_is_null(20)) {
        b.approval = BroadcastApproval{parse_approval_state(s.column_text(20)).value_or(ApprovalState::pending),
                                       split_lines(s.column_text(21), ','),
                                       s.column_text(22),
                                       s.column_int(23),
                                       s.column_text(24),
                                       s.column_int(25),
                                       s.column_text(26)};
      }
      if (auto it = targets_of.find(b.id); it != targets_of.end()) b.targets = std::move(it->second);
      out.push_back(std::move(b));
    }
    return out;
  }

  // Serializes access to the one connection, counts how long callers waited for it and
  // held it, and turns database failures into StoreError.
  template <typename F>
  std::invoke_result_t<F> guarded(F&& f) {
    const auto asked = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    const auto got = std::chrono::steady_clock::now();
    struct Held {
      StoreUse& use;
      std::chrono::steady_clock::time_point since;
      ~Held() { use.held += std::chrono::steady_clock::now() - since; }
    } held{use_, got};
    ++use_.calls;
    use_.waited += got - asked;
    use_.longest_wait = std::max<std::chrono::nanoseconds>(use_.longest_wait, got - asked);
    try {
      return f();
    } catch (const sql::Error& e) {
      throw StoreError(e.what(), e.is_disk_problem());
    }
  }

  mutable std::mutex mutex_;
  StoreUse use_;  // under mutex_
  std::unique_ptr<sql::IConnection> connection_;
  sql::IConnection& db_;
};

}  // namespace loa::store
