#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "loa/store/records.hpp"

namespace loa::store {

// Where the controller keeps what must survive a restart. Narrow on purpose: a
// PostgreSQL implementation slots in behind it without touching the callers. Methods
// throw StoreError when the backend fails (disk full, I/O error); callers answer the
// request with an error and lose nothing already committed.
class IStore {
 public:
  virtual ~IStore() = default;

  // Stations
  [[nodiscard]] virtual std::vector<StationRecord> list_stations() = 0;
  [[nodiscard]] virtual std::optional<StationRecord> find_station(const std::string& id) = 0;
  // Inserts or replaces every field except last-seen data.
  virtual void put_station(const StationRecord& station) = 0;
  virtual void record_seen(std::span<const SeenUpdate> updates) = 0;
  [[nodiscard]] virtual bool delete_station(const std::string& id) = 0;

  // Zones
  [[nodiscard]] virtual std::vector<ZoneRecord> list_zones() = 0;
  [[nodiscard]] virtual std::optional<ZoneRecord> find_zone(const std::string& id) = 0;
  // Inserts or replaces a zone, members included. Unknown station ids are an error.
  virtual void put_zone(const ZoneRecord& zone) = 0;
  [[nodiscard]] virtual bool delete_zone(const std::string& id) = 0;

  // Commands
  virtual void add_command(const CommandRecord& command) = 0;
  [[nodiscard]] virtual std::optional<CommandRecord> find_command(const std::string& id) = 0;
  [[nodiscard]] virtual std::vector<CommandRecord> list_commands(const CommandFilter& filter) = 0;
  [[nodiscard]] virtual std::vector<CommandRecord> pending_commands() = 0;
  virtual void record_sent(const std::string& id, std::int64_t attempts, std::int64_t sent_ms) = 0;
  // Many sends in one transaction (a busy loop writes them together, not one by one).
  virtual void record_sent_many(std::span<const SentRecord> sends) = 0;
  // Many results in one transaction; for each, whether it was new (see complete_command).
  [[nodiscard]] virtual std::vector<bool> complete_commands(std::span<const Completion> results) = 0;
  // Records the agent's result. Returns false if the command was already complete (a
  // repeated result), in which case only the duplicate counter moves.
  [[nodiscard]] virtual bool complete_command(const std::string& id, CommandState state,
                                              const std::string& detail, std::int64_t completed_ms,
                                              const std::string& result = {}) = 0;

  // Station health
  // Stores telemetry; a repeated report (same station, device, time) is ignored.
  virtual void add_telemetry(const TelemetryRecord& record) = 0;
  // Oldest first.
  [[nodiscard]] virtual std::vector<TelemetryRecord> list_telemetry(const TelemetryFilter& filter) = 0;
  // The latest report of each device of a station.
  [[nodiscard]] virtual std::vector<TelemetryRecord> latest_telemetry(const std::string& station_id) = 0;
  // Keeps one report per device per `bucket_ms` for reports older than `before_ms`.
  // Returns how many were removed.
  virtual std::size_t downsample_telemetry(std::int64_t before_ms, std::int64_t bucket_ms) = 0;
  // A raise opens an occurrence (a repeated raise of an open one is ignored); a clear
  // closes the open one.
  virtual void record_alarm(const std::string& station_id, const std::string& alarm_id, const std::string& device_id,
                            bool active, const std::string& severity, const std::string& message,
                            std::int64_t at_ms) = 0;
  [[nodiscard]] virtual std::vector<AlarmRecord> list_alarms(const std::string& station_id, bool open_only,
                                                             std::size_t limit) = 0;
  // Acknowledges the open occurrence; false when there is none.
  [[nodiscard]] virtual bool acknowledge_alarm(const std::string& station_id, const std::string& alarm_id,
                                               const std::string& by, std::int64_t at_ms) = 0;

  // As-run log. A repeated report (same station, broadcast, content, planned start) is ignored.
  virtual void add_asrun(const AsRunRecord& record) = 0;
  // Newest first.
  [[nodiscard]] virtual std::vector<AsRunRecord> list_asrun(const std::string& station_id, std::int64_t since_ms,
                                                            std::size_t limit) = 0;

  // As-run entries matching a query, oldest first.
  [[nodiscard]] virtual std::vector<AsRunRecord> query_asrun(const AsRunQuery& query) = 0;

  // Broadcasts. Inserts or replaces one, targets included.
  virtual void put_broadcast(const BroadcastRecord& broadcast) = 0;
  [[nodiscard]] virtual std::optional<BroadcastRecord> find_broadcast(const std::string& id) = 0;
  // Newest first.
  [[nodiscard]] virtual std::vector<BroadcastRecord> list_broadcasts(bool include_cancelled) = 0;
  // Marks it cancelled; false when there is no such broadcast or it already was.
  [[nodiscard]] virtual bool cancel_broadcast(const std::string& id, const std::string& by, std::int64_t at_ms) = 0;
  // Stores commands and the plays they carry in one transaction, so a restart never
  // re-sends an occurrence nor forgets one it sent.
  virtual void add_scheduled(std::span<const CommandRecord> commands, std::span<const ScheduledPlay> plays) = 0;
  // Plays sent with a planned start at or after `from_ms`.
  [[nodiscard]] virtual std::vector<ScheduledPlay> scheduled_plays(std::int64_t from_ms) = 0;
  // Stations that were sent any play of a broadcast.
  [[nodiscard]] virtual std::vector<std::string> stations_scheduled(const std::string& broadcast_id) = 0;

  // Users
  virtual void put_user(const UserRecord& user) = 0;
  [[nodiscard]] virtual std::optional<UserRecord> find_user(const std::string& name) = 0;
  [[nodiscard]] virtual std::vector<UserRecord> list_users() = 0;
  [[nodiscard]] virtual bool delete_user(const std::string& name) = 0;  // and the user's tokens

  // API tokens
  virtual void put_token(const ApiTokenRecord& token) = 0;
  [[nodiscard]] virtual std::optional<ApiTokenRecord> find_token_by_hash(const std::string& secret_sha256) = 0;
  // One user's tokens, or everyone's for an empty name; oldest first.
  [[nodiscard]] virtual std::vector<ApiTokenRecord> list_tokens(const std::string& user) = 0;
  [[nodiscard]] virtual bool delete_token(const std::string& id) = 0;

  // Audit log. Newest first; an empty subject lists every entry.
  virtual void add_audit(const AuditRecord& entry) = 0;
  [[nodiscard]] virtual std::vector<AuditRecord> list_audit(const std::string& subject, std::size_t limit) = 0;
  // Recomputes every entry's hash from the first.
  [[nodiscard]] virtual AuditCheck verify_audit() = 0;

  // Alerts. Each change of an alert is stored with its audit entry in one transaction.
  virtual void put_alert(const AlertRecord& alert, const AuditRecord& audit) = 0;
  [[nodiscard]] virtual std::optional<AlertRecord> find_alert(const std::string& id) = 0;
  // Newest first.
  [[nodiscard]] virtual std::vector<AlertRecord> list_alerts(std::size_t limit) = 0;
  // Stores the alert, the commands that deliver it, where each station stands, and the
  // audit entry in one transaction: after a crash it was either sent to all or to none.
  virtual void deliver_alert(const AlertRecord& alert, std::span<const CommandRecord> commands,
                             std::span<const AlertDelivery> deliveries, const AuditRecord& audit) = 0;
  virtual void put_deliveries(std::span<const AlertDelivery> deliveries) = 0;
  [[nodiscard]] virtual std::vector<AlertDelivery> list_deliveries(const std::string& alert_id) = 0;
  [[nodiscard]] virtual std::vector<AlertCommand> alert_commands(const std::string& alert_id) = 0;
  // Closes pending commands that must no longer be sent (an alert cancelled before they
  // reached their station). Commands already complete are left alone.
  virtual void withdraw_commands(std::span<const std::string> ids, const std::string& detail, std::int64_t at_ms) = 0;
  // Records a CAP message by sender and identifier. False when it was seen before.
  [[nodiscard]] virtual bool record_cap_message(const std::string& sender, const std::string& identifier,
                                                const std::string& alert_id, std::int64_t at_ms) = 0;
  // Whether a CAP message was seen: the alert made from it (empty when none was).
  [[nodiscard]] virtual std::optional<std::string> alert_of_cap(const std::string& sender,
                                                                const std::string& identifier) = 0;

  // Clips every station keeps for good (attention tones, standard messages): the
  // commands that pin them, stored with the record that they were sent.
  virtual void add_pins(std::span<const CommandRecord> commands,
                        std::span<const std::pair<std::string, std::string>> station_clips) = 0;
  // (station, clip) pairs already sent.
  [[nodiscard]] virtual std::vector<std::pair<std::string, std::string>> list_pins() = 0;

  // Licences. A new version is stored with the command that sends it, in one
  // transaction: the controller never holds a licence its station will not be sent.
  virtual void put_licence(const LicenceRecord& licence, const CommandRecord& command) = 0;
  [[nodiscard]] virtual std::optional<LicenceRecord> find_licence(const std::string& station_id) = 0;
  [[nodiscard]] virtual std::vector<LicenceRecord> list_licences() = 0;

  // Clips (metadata; the files live beside the store)
  virtual void put_clip(const ClipRecord& clip) = 0;
  [[nodiscard]] virtual std::optional<ClipRecord> find_clip(const std::string& sha256) = 0;
  // The clip made from this upload with these settings (ClipRecord::source_sha256).
  [[nodiscard]] virtual std::optional<ClipRecord> find_clip_by_source(const std::string& source_sha256) = 0;
  [[nodiscard]] virtual std::vector<ClipRecord> list_clips() = 0;
  [[nodiscard]] virtual bool delete_clip(const std::string& sha256) = 0;
};

class StoreError : public std::runtime_error {
 public:
  explicit StoreError(const std::string& message, bool disk_problem = false)
      : std::runtime_error(message), disk_problem_(disk_problem) {}
  // The disk is full or failing (not a constraint or a lost connection): reads may
  // still work, writes will not until someone makes room.
  [[nodiscard]] bool is_disk_problem() const { return disk_problem_; }

 private:
  bool disk_problem_;
};

// Opens (creating if needed) the SQLite store at `path` and brings its schema up to
// date. Thread-safe: calls are serialized on one connection.
[[nodiscard]] std::unique_ptr<IStore> open_sqlite_store(const std::string& path);

// Connects to PostgreSQL (a libpq connection string or postgresql:// URL) and brings
// its schema up to date. The same statements as the SQLite store; thread-safe alike.
[[nodiscard]] std::unique_ptr<IStore> open_postgres_store(const std::string& conninfo);

// Copies every record of a SQLite store into an empty PostgreSQL one, in one
// transaction (all or nothing). Returns the rows copied per table.
std::vector<std::pair<std::string, std::int64_t>> copy_sqlite_to_postgres(const std::string& sqlite_path,
                                                                          const std::string& conninfo);

// Schema version the SQLite store migrates to.
[[nodiscard]] int sqlite_schema_version();

}  // namespace loa::store
