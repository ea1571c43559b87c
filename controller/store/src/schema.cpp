#include "schema.hpp"

namespace loa::store {

// Append only: a released step is never edited; a change to the schema is a new step.
const std::array<sqlite::Migration, 11> kSqliteMigrations{{
    {1, R"sql(
CREATE TABLE stations (
  id               TEXT PRIMARY KEY,
  name             TEXT NOT NULL DEFAULT '',
  commune          TEXT NOT NULL DEFAULT '',
  location         TEXT NOT NULL DEFAULT '',
  public_key       TEXT NOT NULL DEFAULT '',
  enrollment       TEXT NOT NULL CHECK (enrollment IN ('pending','approved','rejected','revoked')),
  last_seen_ms     INTEGER,
  last_address     TEXT NOT NULL DEFAULT '',
  software_version TEXT NOT NULL DEFAULT '',
  created_ms       INTEGER NOT NULL
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
  payload           BLOB NOT NULL,
  state             TEXT NOT NULL CHECK (state IN ('pending','applied','failed','rejected')),
  created_ms        INTEGER NOT NULL,
  attempts          INTEGER NOT NULL DEFAULT 0,
  last_sent_ms      INTEGER,
  completed_ms      INTEGER,
  result_detail     TEXT NOT NULL DEFAULT '',
  duplicate_results INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX commands_by_station ON commands(station_id, created_ms);
CREATE INDEX commands_pending ON commands(state) WHERE state = 'pending';
)sql"},
    {2, R"sql(
CREATE TABLE telemetry (
  station_id  TEXT NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
  device_id   TEXT NOT NULL,
  measured_ms INTEGER NOT NULL,
  reading     BLOB NOT NULL,
  PRIMARY KEY (station_id, device_id, measured_ms)
) WITHOUT ROWID;
CREATE TABLE alarms (
  station_id      TEXT NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
  alarm_id        TEXT NOT NULL,
  device_id       TEXT NOT NULL DEFAULT '',
  severity        TEXT NOT NULL,
  message         TEXT NOT NULL,
  raised_ms       INTEGER NOT NULL,
  cleared_ms      INTEGER,
  clear_message   TEXT NOT NULL DEFAULT '',
  acknowledged_by TEXT NOT NULL DEFAULT '',
  acknowledged_ms INTEGER,
  PRIMARY KEY (station_id, alarm_id, raised_ms)
);
CREATE INDEX alarms_open ON alarms(station_id) WHERE cleared_ms IS NULL;
)sql"},
    {3, R"sql(
ALTER TABLE commands ADD COLUMN result BLOB NOT NULL DEFAULT x'';
)sql"},
    {4, R"sql(
CREATE TABLE clips (
  sha256        TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  duration_ms   INTEGER NOT NULL,
  bytes         INTEGER NOT NULL,
  source_lufs   REAL NOT NULL,
  gain_db       REAL NOT NULL,
  source_format TEXT NOT NULL,
  created_ms    INTEGER NOT NULL
);
)sql"},
    {5, R"sql(
CREATE TABLE asrun (
  station_id       TEXT NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
  broadcast_id     TEXT NOT NULL,
  content_id       TEXT NOT NULL,
  planned_start_ms INTEGER NOT NULL,
  actual_start_ms  INTEGER NOT NULL,
  end_ms           INTEGER NOT NULL,
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
  slot_ms        INTEGER NOT NULL DEFAULT 0,
  start_local    TEXT NOT NULL,
  time_zone      TEXT NOT NULL,
  rrule          TEXT NOT NULL DEFAULT '',
  exdates        TEXT NOT NULL DEFAULT '',
  priority       TEXT NOT NULL CHECK (priority IN ('relay','normal','priority','live','emergency')),
  volume         REAL NOT NULL DEFAULT 1.0,
  on_preempt     TEXT NOT NULL CHECK (on_preempt IN ('drop','resume')),
  valid_from_ms  INTEGER NOT NULL DEFAULT 0,
  valid_until_ms INTEGER NOT NULL DEFAULT 0,
  created_by     TEXT NOT NULL DEFAULT '',
  created_ms     INTEGER NOT NULL,
  cancelled_ms   INTEGER,
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
  planned_start_ms INTEGER NOT NULL,
  command_id       TEXT NOT NULL,
  PRIMARY KEY (broadcast_id, station_id, planned_start_ms)
);
CREATE INDEX scheduled_plays_by_time ON scheduled_plays (planned_start_ms);
)sql"},
    {7, R"sql(
ALTER TABLE asrun ADD COLUMN actual_start_ns  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE asrun ADD COLUMN frames_played    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE asrun ADD COLUMN frames_concealed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE asrun ADD COLUMN longest_gap_ms   INTEGER NOT NULL DEFAULT 0;
)sql"},
    {8, R"sql(
CREATE TABLE users (
  name          TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  roles         TEXT NOT NULL DEFAULT '',
  zones         TEXT NOT NULL DEFAULT '',
  created_ms    INTEGER NOT NULL
);
CREATE TABLE audit_log (
  seq     INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms   INTEGER NOT NULL,
  user    TEXT NOT NULL,
  action  TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail  TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  result  INTEGER NOT NULL DEFAULT 0,
  hash    TEXT NOT NULL
);
CREATE INDEX audit_by_subject ON audit_log (subject, seq);
ALTER TABLE zones ADD COLUMN cap_areas TEXT NOT NULL DEFAULT '';
CREATE TABLE alerts (
  id             TEXT PRIMARY KEY,
  state          TEXT NOT NULL CHECK (state IN ('draft','confirmed','issued','updated','cancelled','all_clear','expired')),
  version        INTEGER NOT NULL DEFAULT 1,
  definition     TEXT NOT NULL,
  created_by     TEXT NOT NULL,
  created_ms     INTEGER NOT NULL,
  confirmed_by   TEXT NOT NULL DEFAULT '',
  issued_ms      INTEGER NOT NULL DEFAULT 0,
  ended_by       TEXT NOT NULL DEFAULT '',
  ended_ms       INTEGER NOT NULL DEFAULT 0,
  expires_ms     INTEGER NOT NULL
);
CREATE INDEX alerts_by_created ON alerts (created_ms);
CREATE TABLE cap_messages (
  sender      TEXT NOT NULL,
  identifier  TEXT NOT NULL,
  alert_id    TEXT NOT NULL DEFAULT '',
  received_ms INTEGER NOT NULL,
  PRIMARY KEY (sender, identifier)
);
CREATE TABLE alert_deliveries (
  alert_id       TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  station_id     TEXT NOT NULL,
  state          TEXT NOT NULL,
  detail         TEXT NOT NULL DEFAULT '',
  parts_expected INTEGER NOT NULL DEFAULT 0,
  parts_done     INTEGER NOT NULL DEFAULT 0,
  first_sound_ms INTEGER NOT NULL DEFAULT 0,
  updated_ms     INTEGER NOT NULL,
  PRIMARY KEY (alert_id, station_id)
);
CREATE TABLE alert_commands (
  alert_id   TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  command_id TEXT NOT NULL,
  station_id TEXT NOT NULL,
  PRIMARY KEY (alert_id, command_id)
) WITHOUT ROWID;
CREATE TABLE station_pins (
  station_id  TEXT NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
  clip_sha256 TEXT NOT NULL,
  PRIMARY KEY (station_id, clip_sha256)
);
)sql"},
    {9, R"sql(
CREATE TABLE api_tokens (
  id            TEXT PRIMARY KEY,
  user          TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  label         TEXT NOT NULL DEFAULT '',
  secret_sha256 TEXT NOT NULL UNIQUE,
  created_ms    INTEGER NOT NULL,
  expires_ms    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_by_user ON api_tokens (user);
)sql"},
    {10, R"sql(
CREATE TABLE station_licences (
  station_id    TEXT PRIMARY KEY REFERENCES stations(id) ON DELETE CASCADE,
  assigned_khz  REAL NOT NULL,
  tolerance_khz REAL NOT NULL,
  max_power_w   REAL NOT NULL,
  expires       TEXT NOT NULL,
  type_approval TEXT NOT NULL DEFAULT '',
  temporary     INTEGER NOT NULL DEFAULT 0,
  updated_ms    INTEGER NOT NULL,
  updated_by    TEXT NOT NULL DEFAULT '',
  command_id    TEXT NOT NULL DEFAULT ''
);
)sql"},
    {11, R"sql(
ALTER TABLE clips ADD COLUMN source_sha256 TEXT NOT NULL DEFAULT '';
CREATE INDEX clips_by_source ON clips (source_sha256) WHERE source_sha256 <> '';
)sql"},
}};

}  // namespace loa::store
