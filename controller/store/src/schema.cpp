// The controller's schema, written once for both databases. Each step is neutral SQL
// with a few words in braces that each dialect spells its own way:
//   {INT}   a 64-bit integer      (SQLite INTEGER, PostgreSQL BIGINT: milliseconds since
//                                  the epoch do not fit in PostgreSQL's INTEGER)
//   {REAL}  a double              (REAL, DOUBLE PRECISION)
//   {BLOB}  bytes                 (BLOB, BYTEA)
//   {EMPTY_BLOB}                  (x'', ''::bytea)
//   {AUTO_KEY}  a row number kept by the database  (INTEGER PRIMARY KEY AUTOINCREMENT,
//               BIGINT PRIMARY KEY: the store numbers the audit chain itself)
//   {WITHOUT_ROWID}  SQLite's clustered table; nothing in PostgreSQL
// "user" is quoted everywhere: PostgreSQL reserves the word, and SQLite accepts the quotes.
#include "schema.hpp"

#include <string>
#include <vector>

namespace loa::store {

namespace {

enum class Dialect { sqlite, postgres };

struct SchemaStep {
  int version;  // 1, 2, 3 ... with no gaps; SQLite's user_version counts these
  std::string_view sql;
};

// Append only: a released step is never edited; a change to the schema is a new step.
constexpr std::array<SchemaStep, 25> kSchema{{
    {1, R"sql(
CREATE TABLE stations (
  id               TEXT PRIMARY KEY,
  name             TEXT NOT NULL DEFAULT '',
  commune          TEXT NOT NULL DEFAULT '',
  location         TEXT NOT NULL DEFAULT '',
  public_key       TEXT NOT NULL DEFAULT '',
  enrollment       TEXT NOT NULL CHECK (enrollment IN ('pending','approved','rejected','revoked')),
  last_seen_ms     {INT},
  last_address     TEXT NOT NULL DEFAULT '',
  software_version TEXT NOT NULL DEFAULT '',
  created_ms       {INT} NOT NULL
);
CREATE TABLE zones (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('commune','village','custom')),
  parent_id  TEXT REFERENCES zones(id) ON DELETE SET NULL
);
CREATE TABLE zone_members (
  zone_id    TEXT NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
  station_id TEXT NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
  PRIMARY KEY (zone_id, station_id)
);
CREATE TABLE commands (
  id                TEXT PRIMARY KEY,
  station_id        TEXT NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
  kind              TEXT NOT NULL,
  payload           {BLOB} NOT NULL,
  state             TEXT NOT NULL CHECK (state IN ('pending','applied','failed','rejected')),
  created_ms        {INT} NOT NULL,
  attempts          {INT} NOT NULL DEFAULT 0,
  last_sent_ms      {INT},
  completed_ms      {INT},
  result_detail     TEXT NOT NULL DEFAULT '',
  duplicate_results {INT} NOT NULL DEFAULT 0
);
CREATE INDEX commands_by_station ON commands(station_id, created_ms);
CREATE INDEX commands_pending ON commands(state) WHERE state = 'pending';
)sql"},
    {2, R"sql(
CREATE TABLE telemetry (
  station_id  TEXT NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
  device_id   TEXT NOT NULL,
  measured_ms {INT} NOT NULL,
  reading     {BLOB} NOT NULL,
  PRIMARY KEY (station_id, device_id, measured_ms)
){WITHOUT_ROWID};
CREATE TABLE alarms (
  station_id      TEXT NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
  alarm_id        TEXT NOT NULL,
  device_id       TEXT NOT NULL DEFAULT '',
  severity        TEXT NOT NULL,
  message         TEXT NOT NULL,
  raised_ms       {INT} NOT NULL,
  cleared_ms      {INT},
  clear_message   TEXT NOT NULL DEFAULT '',
  acknowledged_by TEXT NOT NULL DEFAULT '',
  acknowledged_ms {INT},
  PRIMARY KEY (station_id, alarm_id, raised_ms)
);
CREATE INDEX alarms_open ON alarms(station_id) WHERE cleared_ms IS NULL;
)sql"},
    {3, R"sql(
ALTER TABLE commands ADD COLUMN result {BLOB} NOT NULL DEFAULT {EMPTY_BLOB};
)sql"},
    {4, R"sql(
CREATE TABLE clips (
  sha256        TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  duration_ms   {INT} NOT NULL,
  bytes         {INT} NOT NULL,
  source_lufs   {REAL} NOT NULL,
  gain_db       {REAL} NOT NULL,
  source_format TEXT NOT NULL,
  created_ms    {INT} NOT NULL
);
)sql"},
    {5, R"sql(
CREATE TABLE asrun (
  station_id       TEXT NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
  broadcast_id     TEXT NOT NULL,
  content_id       TEXT NOT NULL,
  planned_start_ms {INT} NOT NULL,
  actual_start_ms  {INT} NOT NULL,
  end_ms           {INT} NOT NULL,
  outcome          TEXT NOT NULL,
  detail           TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (station_id, broadcast_id, content_id, planned_start_ms)
);
)sql"},
    {6, R"sql(
ALTER TABLE zones ADD COLUMN quiet_hours TEXT NOT NULL DEFAULT '';
CREATE INDEX asrun_by_time ON asrun (planned_start_ms);
CREATE INDEX asrun_by_broadcast ON asrun (broadcast_id, planned_start_ms);
CREATE TABLE broadcasts (
  id             TEXT PRIMARY KEY,
  title          TEXT NOT NULL DEFAULT '',
  content_kind   TEXT NOT NULL CHECK (content_kind IN ('clip','relay')),
  clip_sha256    TEXT NOT NULL DEFAULT '',
  tts_text       TEXT NOT NULL DEFAULT '',
  relay_url      TEXT NOT NULL DEFAULT '',
  slot_ms        {INT} NOT NULL DEFAULT 0,
  start_local    TEXT NOT NULL,
  time_zone      TEXT NOT NULL,
  rrule          TEXT NOT NULL DEFAULT '',
  exdates        TEXT NOT NULL DEFAULT '',
  priority       TEXT NOT NULL CHECK (priority IN ('relay','normal','priority','live','emergency')),
  volume         {REAL} NOT NULL DEFAULT 1.0,
  on_preempt     TEXT NOT NULL CHECK (on_preempt IN ('drop','resume')),
  valid_from_ms  {INT} NOT NULL DEFAULT 0,
  valid_until_ms {INT} NOT NULL DEFAULT 0,
  created_by     TEXT NOT NULL DEFAULT '',
  created_ms     {INT} NOT NULL,
  cancelled_ms   {INT},
  cancelled_by   TEXT NOT NULL DEFAULT ''
);
CREATE TABLE broadcast_targets (
  broadcast_id TEXT NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
  target       TEXT NOT NULL,
  PRIMARY KEY (broadcast_id, target)
);
CREATE TABLE scheduled_plays (
  broadcast_id     TEXT NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
  station_id       TEXT NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
  planned_start_ms {INT} NOT NULL,
  command_id       TEXT NOT NULL,
  PRIMARY KEY (broadcast_id, station_id, planned_start_ms)
);
CREATE INDEX scheduled_plays_by_time ON scheduled_plays (planned_start_ms);
)sql"},
    {7, R"sql(
ALTER TABLE asrun ADD COLUMN actual_start_ns  {INT} NOT NULL DEFAULT 0;
ALTER TABLE asrun ADD COLUMN frames_played    {INT} NOT NULL DEFAULT 0;
ALTER TABLE asrun ADD COLUMN frames_concealed {INT} NOT NULL DEFAULT 0;
ALTER TABLE asrun ADD COLUMN longest_gap_ms   {INT} NOT NULL DEFAULT 0;
)sql"},
    {8, R"sql(
CREATE TABLE users (
  name          TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  roles         TEXT NOT NULL DEFAULT '',
  zones         TEXT NOT NULL DEFAULT '',
  created_ms    {INT} NOT NULL
);
CREATE TABLE audit_log (
  seq     {AUTO_KEY},
  at_ms   {INT} NOT NULL,
  "user"  TEXT NOT NULL,
  action  TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail  TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  result  {INT} NOT NULL DEFAULT 0,
  hash    TEXT NOT NULL
);
CREATE INDEX audit_by_subject ON audit_log (subject, seq);
ALTER TABLE zones ADD COLUMN cap_areas TEXT NOT NULL DEFAULT '';
CREATE TABLE alerts (
  id             TEXT PRIMARY KEY,
  state          TEXT NOT NULL CHECK (state IN ('draft','confirmed','issued','updated','cancelled','all_clear','expired')),
  version        {INT} NOT NULL DEFAULT 1,
  definition     TEXT NOT NULL,
  created_by     TEXT NOT NULL,
  created_ms     {INT} NOT NULL,
  confirmed_by   TEXT NOT NULL DEFAULT '',
  issued_ms      {INT} NOT NULL DEFAULT 0,
  ended_by       TEXT NOT NULL DEFAULT '',
  ended_ms       {INT} NOT NULL DEFAULT 0,
  expires_ms     {INT} NOT NULL
);
CREATE INDEX alerts_by_created ON alerts (created_ms);
CREATE TABLE cap_messages (
  sender      TEXT NOT NULL,
  identifier  TEXT NOT NULL,
  alert_id    TEXT NOT NULL DEFAULT '',
  received_ms {INT} NOT NULL,
  PRIMARY KEY (sender, identifier)
);
CREATE TABLE alert_deliveries (
  alert_id       TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  station_id     TEXT NOT NULL,
  state          TEXT NOT NULL,
  detail         TEXT NOT NULL DEFAULT '',
  parts_expected {INT} NOT NULL DEFAULT 0,
  parts_done     {INT} NOT NULL DEFAULT 0,
  first_sound_ms {INT} NOT NULL DEFAULT 0,
  updated_ms     {INT} NOT NULL,
  PRIMARY KEY (alert_id, station_id)
);
CREATE TABLE alert_commands (
  alert_id   TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  command_id TEXT NOT NULL,
  station_id TEXT NOT NULL,
  PRIMARY KEY (alert_id, command_id)
){WITHOUT_ROWID};
CREATE TABLE station_pins (
  station_id  TEXT NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
  clip_sha256 TEXT NOT NULL,
  PRIMARY KEY (station_id, clip_sha256)
);
)sql"},
    {9, R"sql(
CREATE TABLE api_tokens (
  id            TEXT PRIMARY KEY,
  "user"        TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  label         TEXT NOT NULL DEFAULT '',
  secret_sha256 TEXT NOT NULL UNIQUE,
  created_ms    {INT} NOT NULL,
  expires_ms    {INT} NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_by_user ON api_tokens ("user");
)sql"},
    {10, R"sql(
CREATE TABLE station_licences (
  station_id    TEXT PRIMARY KEY REFERENCES stations(id) ON DELETE CASCADE,
  assigned_khz  {REAL} NOT NULL,
  tolerance_khz {REAL} NOT NULL,
  max_power_w   {REAL} NOT NULL,
  expires       TEXT NOT NULL,
  type_approval TEXT NOT NULL DEFAULT '',
  temporary     {INT} NOT NULL DEFAULT 0,
  updated_ms    {INT} NOT NULL,
  updated_by    TEXT NOT NULL DEFAULT '',
  command_id    TEXT NOT NULL DEFAULT ''
);
)sql"},
    {11, R"sql(
ALTER TABLE clips ADD COLUMN source_sha256 TEXT NOT NULL DEFAULT '';
CREATE INDEX clips_by_source ON clips (source_sha256) WHERE source_sha256 <> '';
)sql"},
    {12, R"sql(
CREATE TABLE live_streams (
  id           TEXT PRIMARY KEY,
  source       TEXT NOT NULL,
  broadcast_id TEXT NOT NULL,
  priority     TEXT NOT NULL CHECK (priority IN ('relay','normal','priority','live','emergency')),
  volume       {REAL} NOT NULL DEFAULT 1.0,
  on_preempt   TEXT NOT NULL CHECK (on_preempt IN ('drop','resume')),
  started_ms   {INT} NOT NULL,
  started_by   TEXT NOT NULL DEFAULT '',
  ended_ms     {INT},
  ended_by     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX live_streams_running ON live_streams (started_ms) WHERE ended_ms IS NULL;
CREATE TABLE live_stream_targets (
  stream_id  TEXT NOT NULL REFERENCES live_streams(id) ON DELETE CASCADE,
  station_id TEXT NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
  PRIMARY KEY (stream_id, station_id)
);
)sql"},
    {13, R"sql(
ALTER TABLE asrun ADD COLUMN loudness_dbfs {REAL};
ALTER TABLE asrun ADD COLUMN peak_dbfs {REAL};
ALTER TABLE asrun ADD COLUMN longest_silence_ms {INT} NOT NULL DEFAULT 0;
ALTER TABLE asrun ADD COLUMN dead_air {INT} NOT NULL DEFAULT 0;
)sql"},
    {14, R"sql(
ALTER TABLE asrun ADD COLUMN clock_locked {INT};
)sql"},
    {15, R"sql(
CREATE TABLE controller_lease (
  name          TEXT PRIMARY KEY,
  holder        TEXT NOT NULL,
  epoch         {INT} NOT NULL,
  expires_at_ms {INT} NOT NULL,
  url           TEXT NOT NULL DEFAULT ''
);
)sql"},
    {16, R"sql(
CREATE TABLE clip_bytes (
  sha256 TEXT PRIMARY KEY REFERENCES clips(sha256) ON DELETE CASCADE,
  bytes  {BLOB} NOT NULL
);
)sql"},
    {17, R"sql(
CREATE TABLE console_sessions (
  id_sha256  TEXT PRIMARY KEY,
  "user"     TEXT NOT NULL,
  expires_ms {INT} NOT NULL
);
)sql"},
    // A scheduled play no longer checks its broadcast and station row by row: on
    // PostgreSQL those two checks were most of the 48 h push (a trigger a row). Broadcasts
    // are cancelled, never deleted; a station's plays go with it (delete_station), and
    // each play's command still checks the station in the same transaction.
    {18, R"sql(
CREATE TABLE scheduled_plays_next (
  broadcast_id     TEXT NOT NULL,
  station_id       TEXT NOT NULL,
  planned_start_ms {INT} NOT NULL,
  command_id       TEXT NOT NULL,
  PRIMARY KEY (broadcast_id, station_id, planned_start_ms)
);
INSERT INTO scheduled_plays_next (broadcast_id, station_id, planned_start_ms, command_id)
  SELECT broadcast_id, station_id, planned_start_ms, command_id FROM scheduled_plays;
DROP TABLE scheduled_plays;
ALTER TABLE scheduled_plays_next RENAME TO scheduled_plays;
CREATE INDEX scheduled_plays_by_time ON scheduled_plays (planned_start_ms);
)sql"},
    // Approval before air: set per zone; a broadcast that sounds in such a zone carries
    // a row here from the transaction that made it, and is not sent until approved.
    {19, R"sql(
ALTER TABLE zones ADD COLUMN needs_approval {INT} NOT NULL DEFAULT 0;
CREATE TABLE broadcast_approvals (
  broadcast_id TEXT PRIMARY KEY REFERENCES broadcasts(id) ON DELETE CASCADE,
  state        TEXT NOT NULL,
  zones        TEXT NOT NULL DEFAULT '',
  submitted_by TEXT NOT NULL,
  submitted_ms {INT} NOT NULL,
  decided_by   TEXT NOT NULL DEFAULT '',
  decided_ms   {INT} NOT NULL DEFAULT 0,
  note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX broadcast_approvals_by_state ON broadcast_approvals (state);
)sql"},
    // Each station's link history, for uptime and disconnect reports.
    {20, R"sql(
CREATE TABLE station_links (
  station_id TEXT NOT NULL,
  up_ms      {INT} NOT NULL,
  down_ms    {INT},
  PRIMARY KEY (station_id, up_ms)
);
CREATE INDEX station_links_by_time ON station_links (up_ms);
)sql"},
    // The tree's levels are configured: a zone's kind is any of them. zones.kind keeps
    // the CHECK of step 1 (dropping it would mean rebuilding a table others refer to),
    // so it holds the kind when it is one of those three and "custom" otherwise; the
    // kind itself is in zones.level.
    {21, R"sql(
ALTER TABLE zones ADD COLUMN level TEXT NOT NULL DEFAULT '';
)sql"},
    // Federation. Above: which enrolled peers are member controllers, their stations as
    // they last said, their as-run (each row once, by the member's seq), and the alerts
    // and bulletins sent down with how each member says they go. Below: the as-run's
    // order of recording (what the uplink sends, acknowledged up to uplink_state's
    // cursor), each command from above applied once, and the inbox of normal bulletins.
    {22, R"sql(
ALTER TABLE stations ADD COLUMN member {INT} NOT NULL DEFAULT 0;
ALTER TABLE asrun ADD COLUMN seq {INT} NOT NULL DEFAULT 0;
CREATE INDEX asrun_by_seq ON asrun (seq);
CREATE TABLE member_stations (
  member_id    TEXT NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
  station_id   TEXT NOT NULL,
  name         TEXT NOT NULL DEFAULT '',
  zone         TEXT NOT NULL DEFAULT '',
  state        TEXT NOT NULL,
  alarms       TEXT NOT NULL DEFAULT '',
  playing      TEXT NOT NULL DEFAULT '',
  last_seen_ms {INT} NOT NULL DEFAULT 0,
  updated_ms   {INT} NOT NULL,
  PRIMARY KEY (member_id, station_id)
);
CREATE TABLE member_asrun (
  member_id        TEXT NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
  seq              {INT} NOT NULL,
  station_id       TEXT NOT NULL,
  broadcast_id     TEXT NOT NULL,
  content_id       TEXT NOT NULL,
  planned_start_ms {INT} NOT NULL,
  actual_start_ms  {INT} NOT NULL,
  end_ms           {INT} NOT NULL,
  outcome          TEXT NOT NULL,
  detail           TEXT NOT NULL DEFAULT '',
  received_ms      {INT} NOT NULL,
  PRIMARY KEY (member_id, seq)
);
CREATE INDEX member_asrun_by_time ON member_asrun (planned_start_ms);
CREATE TABLE relays (
  id         TEXT PRIMARY KEY,
  kind       TEXT NOT NULL,
  level      TEXT NOT NULL,
  definition TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_ms {INT} NOT NULL
);
CREATE TABLE relay_members (
  relay_id    TEXT NOT NULL REFERENCES relays(id) ON DELETE CASCADE,
  member_id   TEXT NOT NULL,
  command_id  TEXT NOT NULL,
  state       TEXT NOT NULL,
  local_id    TEXT NOT NULL DEFAULT '',
  stations    {INT} NOT NULL DEFAULT 0,
  sounding    {INT} NOT NULL DEFAULT 0,
  unreachable {INT} NOT NULL DEFAULT 0,
  failed      {INT} NOT NULL DEFAULT 0,
  problems    TEXT NOT NULL DEFAULT '',
  updated_ms  {INT} NOT NULL,
  PRIMARY KEY (relay_id, member_id)
);
CREATE TABLE upstream_commands (
  command_id TEXT PRIMARY KEY,
  relay_id   TEXT NOT NULL,
  kind       TEXT NOT NULL,
  outcome    TEXT NOT NULL,
  detail     TEXT NOT NULL DEFAULT '',
  local_id   TEXT NOT NULL DEFAULT '',
  applied_ms {INT} NOT NULL
);
CREATE TABLE inbox (
  id             TEXT PRIMARY KEY,
  level          TEXT NOT NULL,
  title          TEXT NOT NULL DEFAULT '',
  body           TEXT NOT NULL,
  zones          TEXT NOT NULL DEFAULT '',
  sender         TEXT NOT NULL DEFAULT '',
  received_ms    {INT} NOT NULL,
  valid_until_ms {INT} NOT NULL,
  state          TEXT NOT NULL,
  decided_by     TEXT NOT NULL DEFAULT '',
  decided_ms     {INT} NOT NULL DEFAULT 0,
  broadcast_id   TEXT NOT NULL DEFAULT '',
  clip_sha256    TEXT NOT NULL DEFAULT ''
);
CREATE TABLE uplink_state (
  name  TEXT PRIMARY KEY,
  value {INT} NOT NULL
);
)sql"},
    // Alarm texts in Vietnamese too, as the station's profiles word them.
    {23, R"sql(
ALTER TABLE alarms ADD COLUMN message_vi TEXT NOT NULL DEFAULT '';
ALTER TABLE alarms ADD COLUMN clear_message_vi TEXT NOT NULL DEFAULT '';
)sql"},
    // Station hardware configurations kept on the controller, every version, each with
    // the command that sent it.
    {24, R"sql(
CREATE TABLE station_configs (
  station_id  TEXT NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
  version     {INT} NOT NULL,
  digest      TEXT NOT NULL,
  main        TEXT NOT NULL,
  files       TEXT NOT NULL,
  note        TEXT NOT NULL DEFAULT '',
  created_by  TEXT NOT NULL DEFAULT '',
  created_ms  {INT} NOT NULL,
  command_id  TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (station_id, version)
);
)sql"},
    // Signed agent releases, with their bytes, and their staged rollouts station by station.
    {25, R"sql(
CREATE TABLE agent_releases (
  sha256       TEXT PRIMARY KEY,
  version      TEXT NOT NULL,
  bytes        {INT} NOT NULL,
  signature    TEXT NOT NULL,
  uploaded_by  TEXT NOT NULL DEFAULT '',
  uploaded_ms  {INT} NOT NULL,
  package      {BLOB} NOT NULL
);
CREATE TABLE agent_rollouts (
  id                 TEXT PRIMARY KEY,
  release_sha256     TEXT NOT NULL REFERENCES agent_releases(sha256),
  version            TEXT NOT NULL,
  state              TEXT NOT NULL,
  canary             TEXT NOT NULL,
  confirm_within_ms  {INT} NOT NULL,
  reason             TEXT NOT NULL DEFAULT '',
  created_by         TEXT NOT NULL DEFAULT '',
  created_ms         {INT} NOT NULL,
  updated_ms         {INT} NOT NULL
);
CREATE TABLE rollout_stations (
  rollout_id  TEXT NOT NULL REFERENCES agent_rollouts(id) ON DELETE CASCADE,
  station_id  TEXT NOT NULL,
  canary      {INT} NOT NULL,
  state       TEXT NOT NULL,
  command_id  TEXT NOT NULL DEFAULT '',
  detail      TEXT NOT NULL DEFAULT '',
  updated_ms  {INT} NOT NULL,
  PRIMARY KEY (rollout_id, station_id)
);
)sql"},
}};


// PostgreSQL came when SQLite's schema was at step 9: its first step is those nine
// together, and each later step is one of its own (SQLite's 10 is its 2, and so on).
// Databases of both kinds in the field record these numbers, so they stay as they are.
constexpr int kStepsInPostgresFirst = 9;

int postgres_version_of(int version) {
  return version <= kStepsInPostgresFirst ? 1 : version - kStepsInPostgresFirst + 1;
}

std::string render(std::string_view neutral, Dialect dialect) {
  struct Word {
    std::string_view token, sqlite, postgres;
  };
  static constexpr Word kWords[] = {
      {"{INT}", "INTEGER", "BIGINT"},
      {"{REAL}", "REAL", "DOUBLE PRECISION"},
      {"{BLOB}", "BLOB", "BYTEA"},
      {"{EMPTY_BLOB}", "x''", "''::bytea"},
      {"{AUTO_KEY}", "INTEGER PRIMARY KEY AUTOINCREMENT", "BIGINT PRIMARY KEY"},
      {"{WITHOUT_ROWID}", " WITHOUT ROWID", ""},
  };
  std::string out;
  out.reserve(neutral.size());
  std::size_t i = 0;
  while (i < neutral.size()) {
    bool replaced = false;
    if (neutral[i] == '{') {
      for (const auto& word : kWords) {
        if (neutral.substr(i, word.token.size()) != word.token) continue;
        out += dialect == Dialect::sqlite ? word.sqlite : word.postgres;
        i += word.token.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += neutral[i++];
  }
  return out;
}

// The rendered texts live as long as the program: migrations hold views of them.
template <typename Migration>
struct Rendered {
  std::vector<std::string> texts;
  std::vector<Migration> steps;
};

}  // namespace

int schema_version() { return kSchema.back().version; }

std::span<const sqlite::Migration> sqlite_migrations() {
  static const Rendered<sqlite::Migration> rendered = [] {
    Rendered<sqlite::Migration> r;
    for (const auto& step : kSchema) r.texts.push_back(render(step.sql, Dialect::sqlite));
    for (std::size_t i = 0; i < kSchema.size(); ++i) r.steps.push_back({kSchema[i].version, r.texts[i]});
    return r;
  }();
  return rendered.steps;
}

std::span<const postgres::Migration> postgres_migrations() {
  static const Rendered<postgres::Migration> rendered = [] {
    Rendered<postgres::Migration> r;
    std::vector<int> versions;
    for (const auto& step : kSchema) {
      const int version = postgres_version_of(step.version);
      if (versions.empty() || versions.back() != version) {
        versions.push_back(version);
        r.texts.emplace_back();
      }
      r.texts.back() += render(step.sql, Dialect::postgres);
    }
    for (std::size_t i = 0; i < versions.size(); ++i) r.steps.push_back({versions[i], r.texts[i]});
    return r;
  }();
  return rendered.steps;
}

}  // namespace loa::store
