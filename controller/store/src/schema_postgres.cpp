#include "schema.hpp"

namespace loa::store {

// The same tables as SQLite's nine steps, in PostgreSQL's types: BIGINT for every
// integer (milliseconds since the epoch do not fit in INTEGER), BYTEA for bytes,
// DOUBLE PRECISION for reals. "user" is quoted: it is a reserved word here.
// Append only, as for SQLite: a change to the schema is a new step in both lists.
const std::array<postgres::Migration, 3> kPostgresMigrations{{
    {1, R"sql(
CREATE TABLE stations (
  id               TEXT PRIMARY KEY,
  name             TEXT NOT NULL DEFAULT '',
  commune          TEXT NOT NULL DEFAULT '',
  location         TEXT NOT NULL DEFAULT '',
  public_key       TEXT NOT NULL DEFAULT '',
  enrollment       TEXT NOT NULL CHECK (enrollment IN ('pending','approved','rejected','revoked')),
  last_seen_ms     BIGINT,
  last_address     TEXT NOT NULL DEFAULT '',
  software_version TEXT NOT NULL DEFAULT '',
  created_ms       BIGINT NOT NULL
);
CREATE TABLE zones (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('commune','village','custom')),
  parent_id   TEXT REFERENCES zones(id) ON DELETE SET NULL,
  quiet_hours TEXT NOT NULL DEFAULT '',
  cap_areas   TEXT NOT NULL DEFAULT ''
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
  payload           BYTEA NOT NULL,
  state             TEXT NOT NULL CHECK (state IN ('pending','applied','failed','rejected')),
  created_ms        BIGINT NOT NULL,
  attempts          BIGINT NOT NULL DEFAULT 0,
  last_sent_ms      BIGINT,
  completed_ms      BIGINT,
  result_detail     TEXT NOT NULL DEFAULT '',
  duplicate_results BIGINT NOT NULL DEFAULT 0,
  result            BYTEA NOT NULL DEFAULT ''::bytea
);
CREATE INDEX commands_by_station ON commands(station_id, created_ms);
CREATE INDEX commands_pending ON commands(state) WHERE state = 'pending';
CREATE TABLE telemetry (
  station_id  TEXT NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
  device_id   TEXT NOT NULL,
  measured_ms BIGINT NOT NULL,
  reading     BYTEA NOT NULL,
  PRIMARY KEY (station_id, device_id, measured_ms)
);
CREATE TABLE alarms (
  station_id      TEXT NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
  alarm_id        TEXT NOT NULL,
  device_id       TEXT NOT NULL DEFAULT '',
  severity        TEXT NOT NULL,
  message         TEXT NOT NULL,
  raised_ms       BIGINT NOT NULL,
  cleared_ms      BIGINT,
  clear_message   TEXT NOT NULL DEFAULT '',
  acknowledged_by TEXT NOT NULL DEFAULT '',
  acknowledged_ms BIGINT,
  PRIMARY KEY (station_id, alarm_id, raised_ms)
);
CREATE INDEX alarms_open ON alarms(station_id) WHERE cleared_ms IS NULL;
CREATE TABLE clips (
  sha256        TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  duration_ms   BIGINT NOT NULL,
  bytes         BIGINT NOT NULL,
  source_lufs   DOUBLE PRECISION NOT NULL,
  gain_db       DOUBLE PRECISION NOT NULL,
  source_format TEXT NOT NULL,
  created_ms    BIGINT NOT NULL
);
CREATE TABLE asrun (
  station_id       TEXT NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
  broadcast_id     TEXT NOT NULL,
  content_id       TEXT NOT NULL,
  planned_start_ms BIGINT NOT NULL,
  actual_start_ms  BIGINT NOT NULL,
  end_ms           BIGINT NOT NULL,
  outcome          TEXT NOT NULL,
  detail           TEXT NOT NULL DEFAULT '',
  actual_start_ns  BIGINT NOT NULL DEFAULT 0,
  frames_played    BIGINT NOT NULL DEFAULT 0,
  frames_concealed BIGINT NOT NULL DEFAULT 0,
  longest_gap_ms   BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (station_id, broadcast_id, content_id, planned_start_ms)
);
CREATE INDEX asrun_by_time ON asrun (planned_start_ms);
CREATE INDEX asrun_by_broadcast ON asrun (broadcast_id, planned_start_ms);
CREATE TABLE broadcasts (
  id             TEXT PRIMARY KEY,
  title          TEXT NOT NULL DEFAULT '',
  content_kind   TEXT NOT NULL CHECK (content_kind IN ('clip','relay')),
  clip_sha256    TEXT NOT NULL DEFAULT '',
  tts_text       TEXT NOT NULL DEFAULT '',
  relay_url      TEXT NOT NULL DEFAULT '',
  slot_ms        BIGINT NOT NULL DEFAULT 0,
  start_local    TEXT NOT NULL,
  time_zone      TEXT NOT NULL,
  rrule          TEXT NOT NULL DEFAULT '',
  exdates        TEXT NOT NULL DEFAULT '',
  priority       TEXT NOT NULL CHECK (priority IN ('relay','normal','priority','live','emergency')),
  volume         DOUBLE PRECISION NOT NULL DEFAULT 1.0,
  on_preempt     TEXT NOT NULL CHECK (on_preempt IN ('drop','resume')),
  valid_from_ms  BIGINT NOT NULL DEFAULT 0,
  valid_until_ms BIGINT NOT NULL DEFAULT 0,
  created_by     TEXT NOT NULL DEFAULT '',
  created_ms     BIGINT NOT NULL,
  cancelled_ms   BIGINT,
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
  planned_start_ms BIGINT NOT NULL,
  command_id       TEXT NOT NULL,
  PRIMARY KEY (broadcast_id, station_id, planned_start_ms)
);
CREATE INDEX scheduled_plays_by_time ON scheduled_plays (planned_start_ms);
CREATE TABLE users (
  name          TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  roles         TEXT NOT NULL DEFAULT '',
  zones         TEXT NOT NULL DEFAULT '',
  created_ms    BIGINT NOT NULL
);
CREATE TABLE audit_log (
  seq     BIGINT PRIMARY KEY,
  at_ms   BIGINT NOT NULL,
  "user"  TEXT NOT NULL,
  action  TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail  TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  result  BIGINT NOT NULL DEFAULT 0,
  hash    TEXT NOT NULL
);
CREATE INDEX audit_by_subject ON audit_log (subject, seq);
CREATE TABLE alerts (
  id             TEXT PRIMARY KEY,
  state          TEXT NOT NULL CHECK (state IN ('draft','confirmed','issued','updated','cancelled','all_clear','expired')),
  version        BIGINT NOT NULL DEFAULT 1,
  definition     TEXT NOT NULL,
  created_by     TEXT NOT NULL,
  created_ms     BIGINT NOT NULL,
  confirmed_by   TEXT NOT NULL DEFAULT '',
  issued_ms      BIGINT NOT NULL DEFAULT 0,
  ended_by       TEXT NOT NULL DEFAULT '',
  ended_ms       BIGINT NOT NULL DEFAULT 0,
  expires_ms     BIGINT NOT NULL
);
CREATE INDEX alerts_by_created ON alerts (created_ms);
CREATE TABLE cap_messages (
  sender      TEXT NOT NULL,
  identifier  TEXT NOT NULL,
  alert_id    TEXT NOT NULL DEFAULT '',
  received_ms BIGINT NOT NULL,
  PRIMARY KEY (sender, identifier)
);
CREATE TABLE alert_deliveries (
  alert_id       TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  station_id     TEXT NOT NULL,
  state          TEXT NOT NULL,
  detail         TEXT NOT NULL DEFAULT '',
  parts_expected BIGINT NOT NULL DEFAULT 0,
  parts_done     BIGINT NOT NULL DEFAULT 0,
  first_sound_ms BIGINT NOT NULL DEFAULT 0,
  updated_ms     BIGINT NOT NULL,
  PRIMARY KEY (alert_id, station_id)
);
CREATE TABLE alert_commands (
  alert_id   TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  command_id TEXT NOT NULL,
  station_id TEXT NOT NULL,
  PRIMARY KEY (alert_id, command_id)
);
CREATE TABLE station_pins (
  station_id  TEXT NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
  clip_sha256 TEXT NOT NULL,
  PRIMARY KEY (station_id, clip_sha256)
);
CREATE TABLE api_tokens (
  id            TEXT PRIMARY KEY,
  "user"        TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  label         TEXT NOT NULL DEFAULT '',
  secret_sha256 TEXT NOT NULL UNIQUE,
  created_ms    BIGINT NOT NULL,
  expires_ms    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_by_user ON api_tokens ("user");
)sql"},
    {2, R"sql(
CREATE TABLE station_licences (
  station_id    TEXT PRIMARY KEY REFERENCES stations(id) ON DELETE CASCADE,
  assigned_khz  DOUBLE PRECISION NOT NULL,
  tolerance_khz DOUBLE PRECISION NOT NULL,
  max_power_w   DOUBLE PRECISION NOT NULL,
  expires       TEXT NOT NULL,
  type_approval TEXT NOT NULL DEFAULT '',
  temporary     BIGINT NOT NULL DEFAULT 0,
  updated_ms    BIGINT NOT NULL,
  updated_by    TEXT NOT NULL DEFAULT '',
  command_id    TEXT NOT NULL DEFAULT ''
);
)sql"},
    {3, R"sql(
ALTER TABLE clips ADD COLUMN source_sha256 TEXT NOT NULL DEFAULT '';
CREATE INDEX clips_by_source ON clips (source_sha256) WHERE source_sha256 <> '';
)sql"},
}};

}  // namespace loa::store
