#include "loa/agent/agent_state.hpp"

#include <algorithm>
#include <array>
#include <mutex>

#include "loa/sqlite/database.hpp"
#include "loa/sqlite/migrations.hpp"

namespace loa::agent {
namespace {

namespace v1 = ::loa::v1;

// Append only: a released step is never edited.
const std::array<sqlite::Migration, 5> kMigrations{{
    {1, R"sql(
CREATE TABLE applied_commands (
  command_id TEXT PRIMARY KEY,
  result     BLOB NOT NULL        -- serialized loa.v1.CommandResult
);
CREATE TABLE command_journal (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  command_id TEXT NOT NULL,
  kind       TEXT NOT NULL,
  outcome    TEXT NOT NULL,
  detail     TEXT NOT NULL,
  applied_ms INTEGER NOT NULL
);
CREATE TABLE outbox (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  envelope   BLOB NOT NULL        -- serialized loa.v1.Envelope, report_seq unset
);
)sql"},
    {2, R"sql(
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'report';
CREATE INDEX outbox_by_kind ON outbox(kind, seq);
)sql"},
    {3, R"sql(
CREATE TABLE waiting_plays (
  play_key TEXT PRIMARY KEY,   -- broadcast|clip|start_at_ms
  play     BLOB NOT NULL       -- serialized loa.v1.Play
);
)sql"},
    {4, R"sql(
CREATE TABLE licence (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  licence BLOB NOT NULL        -- serialized loa.v1.SetLicence
);
CREATE TABLE compliance_mutes (
  device_id TEXT PRIMARY KEY   -- muted by the agent for a band or licence violation
);
)sql"},
    {5, R"sql(
ALTER TABLE command_journal ADD COLUMN controller_epoch INTEGER NOT NULL DEFAULT 0;
)sql"},
}};

std::string play_key(const std::string& broadcast, const std::string& clip, std::int64_t start) {
  return broadcast + "|" + clip + "|" + std::to_string(start);
}

const char* outcome_name(v1::CommandResult::Outcome o) {
  switch (o) {
    case v1::CommandResult::OUTCOME_APPLIED: return "applied";
    case v1::CommandResult::OUTCOME_FAILED: return "failed";
    case v1::CommandResult::OUTCOME_REJECTED: return "rejected";
    default: return "unspecified";
  }
}

void set_report_seq(v1::Envelope& env, std::uint64_t seq) {
  switch (env.body_case()) {
    case v1::Envelope::kCommandResult: env.mutable_command_result()->set_report_seq(seq); break;
    case v1::Envelope::kTelemetry: env.mutable_telemetry()->set_report_seq(seq); break;
    case v1::Envelope::kAlarm: env.mutable_alarm()->set_report_seq(seq); break;
    case v1::Envelope::kPlaybackReport: env.mutable_playback_report()->set_report_seq(seq); break;
    default: break;
  }
}

}  // namespace

struct AgentState::Impl {
  explicit Impl(const std::string& path) : db(path) { sqlite::migrate(db, kMigrations); }
  std::mutex mutex;
  sqlite::Database db;
  std::uint64_t controller_epoch = 0;

  std::uint64_t insert_outbox(const v1::Envelope& env, std::string_view kind = "report") {
    sqlite::Statement s(db, "INSERT INTO outbox (envelope, kind) VALUES (?, ?)");
    s.bind_blob(1, env.SerializeAsString()).bind(2, kind);
    s.run();
    sqlite::Statement id(db, "SELECT last_insert_rowid()");
    (void)id.step();
    return static_cast<std::uint64_t>(id.column_int(0));
  }
};

AgentState::AgentState(const std::string& path) : impl_(std::make_unique<Impl>(path)) {}
AgentState::~AgentState() = default;

std::optional<v1::CommandResult> AgentState::applied_result(const std::string& command_id) {
  std::lock_guard lock(impl_->mutex);
  sqlite::Statement s(impl_->db, "SELECT result FROM applied_commands WHERE command_id = ?");
  s.bind(1, command_id);
  if (!s.step()) return std::nullopt;
  v1::CommandResult result;
  if (!result.ParseFromString(s.column_blob(0))) return std::nullopt;
  return result;
}

v1::CommandResult AgentState::record_applied(const v1::Command& command, std::string_view kind,
                                             v1::CommandResult result) {
  std::lock_guard lock(impl_->mutex);
  sqlite::Transaction tx(impl_->db);
  sqlite::Statement applied(impl_->db, "INSERT INTO applied_commands (command_id, result) VALUES (?, ?)");
  applied.bind(1, command.id()).bind_blob(2, result.SerializeAsString());
  applied.run();
  sqlite::Statement journal(impl_->db,
                            "INSERT INTO command_journal (command_id, kind, outcome, detail, applied_ms, controller_epoch) "
                            "VALUES (?, ?, ?, ?, ?, ?)");
  journal.bind(1, command.id()).bind(2, kind).bind(3, std::string_view(outcome_name(result.outcome())));
  journal.bind(4, result.detail()).bind(5, result.applied_at_ms());
  journal.bind(6, static_cast<std::int64_t>(impl_->controller_epoch));
  journal.run();
  v1::Envelope env;
  *env.mutable_command_result() = result;
  auto seq = impl_->insert_outbox(env);
  tx.commit();
  result.set_report_seq(seq);
  return result;
}

std::uint64_t AgentState::enqueue(v1::Envelope envelope) {
  std::lock_guard lock(impl_->mutex);
  return impl_->insert_outbox(envelope);
}

std::uint64_t AgentState::enqueue_telemetry(const v1::Telemetry& telemetry, std::uint32_t keep_at_most) {
  std::lock_guard lock(impl_->mutex);
  v1::Envelope env;
  *env.mutable_telemetry() = telemetry;
  sqlite::Transaction tx(impl_->db);
  auto seq = impl_->insert_outbox(env, "telemetry");
  sqlite::Statement trim(impl_->db,
                         "DELETE FROM outbox WHERE kind = 'telemetry' AND seq <= "
                         "(SELECT seq FROM outbox WHERE kind = 'telemetry' ORDER BY seq DESC LIMIT 1 OFFSET ?)");
  trim.bind(1, static_cast<std::int64_t>(keep_at_most));
  trim.run();
  tx.commit();
  return seq;
}

std::vector<OutboxEntry> AgentState::outbox_after(std::uint64_t after, std::size_t limit) {
  std::lock_guard lock(impl_->mutex);
  std::vector<OutboxEntry> out;
  sqlite::Statement s(impl_->db, "SELECT seq, envelope FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?");
  s.bind(1, static_cast<std::int64_t>(after)).bind(2, static_cast<std::int64_t>(limit));
  while (s.step()) {
    OutboxEntry e;
    e.seq = static_cast<std::uint64_t>(s.column_int(0));
    if (!e.envelope.ParseFromString(s.column_blob(1))) continue;  // cannot happen: we wrote it
    set_report_seq(e.envelope, e.seq);
    out.push_back(std::move(e));
  }
  return out;
}

std::uint64_t AgentState::outbox_size() {
  std::lock_guard lock(impl_->mutex);
  sqlite::Statement s(impl_->db, "SELECT COUNT(*) FROM outbox");
  (void)s.step();
  return static_cast<std::uint64_t>(s.column_int(0));
}

void AgentState::acknowledge(std::uint64_t seq) {
  std::lock_guard lock(impl_->mutex);
  sqlite::Statement s(impl_->db, "DELETE FROM outbox WHERE seq <= ?");
  s.bind(1, static_cast<std::int64_t>(seq));
  s.run();
}

void AgentState::set_controller_epoch(std::uint64_t epoch) {
  std::lock_guard lock(impl_->mutex);
  impl_->controller_epoch = epoch;
}

void AgentState::record_refused(const v1::Command& command, std::uint64_t epoch, const std::string& detail) {
  const auto* action = v1::Command::descriptor()->FindFieldByNumber(static_cast<int>(command.action_case()));
  std::lock_guard lock(impl_->mutex);
  sqlite::Statement journal(impl_->db,
                            "INSERT INTO command_journal (command_id, kind, outcome, detail, applied_ms, controller_epoch) "
                            "VALUES (?, ?, 'refused_stale_controller', ?, CAST((julianday('now') - 2440587.5) * 86400000 "
                            "AS INTEGER), ?)");
  journal.bind(1, command.id()).bind(2, action ? action->name() : std::string("none")).bind(3, detail);
  journal.bind(4, static_cast<std::int64_t>(epoch));
  journal.run();
}

std::vector<JournalEntry> AgentState::journal(std::size_t limit) {
  std::lock_guard lock(impl_->mutex);
  std::vector<JournalEntry> out;
  sqlite::Statement s(impl_->db,
                      "SELECT seq, command_id, kind, outcome, detail, applied_ms, controller_epoch FROM command_journal "
                      "ORDER BY seq DESC LIMIT ?");
  s.bind(1, static_cast<std::int64_t>(limit));
  while (s.step()) {
    out.push_back({s.column_int(0), s.column_text(1), s.column_text(2), s.column_text(3), s.column_text(4),
                   s.column_int(5), static_cast<std::uint64_t>(s.column_int(6))});
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace loa::agent

namespace loa::agent {

void AgentState::keep_waiting_play(const v1::Play& play) {
  std::lock_guard lock(impl_->mutex);
  sqlite::Statement s(impl_->db, "INSERT OR REPLACE INTO waiting_plays (play_key, play) VALUES (?, ?)");
  s.bind(1, play_key(play.broadcast_id(), play.stream_id().empty() ? play.clip_sha256() : play.stream_id(),
                    play.start_at_ms())).bind_blob(2, play.SerializeAsString());
  s.run();
}

void AgentState::forget_waiting_play(const std::string& broadcast_id, const std::string& clip_sha256,
                                     std::int64_t start_at_ms) {
  std::lock_guard lock(impl_->mutex);
  sqlite::Statement s(impl_->db, "DELETE FROM waiting_plays WHERE play_key = ?");
  s.bind(1, play_key(broadcast_id, clip_sha256, start_at_ms));
  s.run();
}

void AgentState::forget_waiting_plays(const std::string& broadcast_id) {
  std::lock_guard lock(impl_->mutex);
  // The key starts with the broadcast id and '|' (ids never hold '|').
  sqlite::Statement s(impl_->db, "DELETE FROM waiting_plays WHERE ?1 = '' OR substr(play_key, 1, length(?1) + 1) = ?1 || '|'");
  s.bind(1, broadcast_id);
  s.run();
}

std::vector<v1::Play> AgentState::waiting_plays() {
  std::lock_guard lock(impl_->mutex);
  std::vector<v1::Play> out;
  sqlite::Statement s(impl_->db, "SELECT play FROM waiting_plays");
  while (s.step()) {
    v1::Play p;
    if (p.ParseFromString(s.column_blob(0))) out.push_back(std::move(p));
  }
  return out;
}

void AgentState::keep_licence(const v1::SetLicence& licence) {
  std::lock_guard lock(impl_->mutex);
  sqlite::Statement s(impl_->db, "INSERT OR REPLACE INTO licence (id, licence) VALUES (1, ?)");
  s.bind_blob(1, licence.SerializeAsString());
  s.run();
}

std::optional<v1::SetLicence> AgentState::licence() {
  std::lock_guard lock(impl_->mutex);
  sqlite::Statement s(impl_->db, "SELECT licence FROM licence WHERE id = 1");
  v1::SetLicence licence;
  if (!s.step() || !licence.ParseFromString(s.column_blob(0))) return std::nullopt;
  return licence;
}

void AgentState::set_compliance_mute(const std::string& device_id, bool muted) {
  std::lock_guard lock(impl_->mutex);
  sqlite::Statement s(impl_->db, muted ? "INSERT OR IGNORE INTO compliance_mutes (device_id) VALUES (?)"
                                       : "DELETE FROM compliance_mutes WHERE device_id = ?");
  s.bind(1, device_id);
  s.run();
}

std::vector<std::string> AgentState::compliance_mutes() {
  std::lock_guard lock(impl_->mutex);
  std::vector<std::string> out;
  sqlite::Statement s(impl_->db, "SELECT device_id FROM compliance_mutes");
  while (s.step()) out.push_back(s.column_text(0));
  return out;
}

}  // namespace loa::agent
