#pragma once

#include <cstdint>
#include <climits>
#include <optional>
#include <string>
#include <vector>

namespace loa::store {

// Where a station stands in enrollment. Online/offline is not stored: it is what the
// running controller sees, and every station is offline until it says hello.
enum class Enrollment { pending, approved, rejected, revoked };

[[nodiscard]] const char* to_string(Enrollment e);
[[nodiscard]] std::optional<Enrollment> parse_enrollment(const std::string& text);

struct StationRecord {
  std::string id;          // stable id, also the agent's ZeroMQ routing id
  std::string name;        // human name, e.g. "Xã Cẩm Bình – cụm 1"
  std::string commune;     // commune the station belongs to
  std::string location;    // free text or "lat,lon"
  std::string public_key;  // CURVE public key, Z85; empty until known
  Enrollment enrollment = Enrollment::pending;
  std::optional<std::int64_t> last_seen_ms;
  std::string last_address;      // peer IP address of the last connection
  std::string software_version;  // from the last hello
  std::int64_t created_ms = 0;
  bool member = false;  // a member controller below this one, enrolled like a station
};


// What a broadcast sounds: a clip from the library (also a text read aloud into one),
// or a programme relayed live from a URL.
enum class ContentKind { clip, relay };
[[nodiscard]] const char* to_string(ContentKind k);
[[nodiscard]] std::optional<ContentKind> parse_content_kind(const std::string& text);

struct ZoneRecord {
  std::string id;
  std::string name;
  std::string kind = "custom";  // a level of the province's tree (fleet::TreeLevels), or "custom"
  std::string parent_id;             // empty at the top
  std::vector<std::string> station_ids;  // members, sorted
  std::string quiet_hours;           // "22:00-05:00" local time: only emergencies then; empty = none
  // CAP areas that mean this zone: "valueName=value" for a geocode (e.g.
  // "ISO3166-2=VN-46"), anything else an areaDesc matched without regard to case.
  std::vector<std::string> cap_areas;
  // Broadcasts that sound here wait for an approver of this zone before they air.
  bool needs_approval = false;
};

enum class CommandState { pending, applied, failed, rejected };
[[nodiscard]] const char* to_string(CommandState s);
[[nodiscard]] std::optional<CommandState> parse_command_state(const std::string& text);

struct CommandRecord {
  std::string id;
  std::string station_id;
  std::string kind;     // "ping", "set_log_level", ... for listings
  std::string payload;  // serialized loa.v1.Command
  CommandState state = CommandState::pending;
  std::int64_t created_ms = 0;
  std::int64_t attempts = 0;            // times sent
  std::optional<std::int64_t> last_sent_ms;
  std::optional<std::int64_t> completed_ms;
  std::string result_detail;
  std::int64_t duplicate_results = 0;   // results that said "applied before"
  std::string result;                   // serialized loa.v1.CommandResult, once there is one
};

// A send of a command, for its attempt counter.
struct SentRecord {
  std::string id;
  std::int64_t attempts = 0;
  std::int64_t sent_ms = 0;
};

// A station's result for a command.
struct Completion {
  std::string id;
  CommandState state = CommandState::applied;
  std::string detail;
  std::int64_t completed_ms = 0;
  std::string result;  // serialized loa.v1.CommandResult
};

struct CommandFilter {
  std::string station_id;                  // empty = all
  std::optional<CommandState> state;       // nullopt = all
  std::size_t limit = 100;
  std::size_t offset = 0;
};

// Last-seen updates are written in batches: a heartbeat per station every few seconds
// must not cost a disk write each.
struct SeenUpdate {
  std::string station_id;
  std::int64_t last_seen_ms = 0;
  std::string address;
  std::string software_version;
};

// One stretch of a station's link being up: from its first word to when it fell silent
// or said goodbye; open while it is still up. What uptime is reckoned from.
struct LinkInterval {
  std::string station_id;
  std::int64_t up_ms = 0;
  std::optional<std::int64_t> down_ms;
};

// As-run rows counted together: one station, one content item, one outcome, and how
// long they sounded.
struct AsRunTally {
  std::string station_id;
  std::string content_id;
  std::string outcome;
  std::int64_t count = 0;
  std::int64_t sounded = 0;     // of them, those whose sound began
  std::int64_t sounded_ms = 0;  // how long they sounded, all together
};

// One telemetry report of one device, kept as the agent sent it.
struct TelemetryRecord {
  std::string station_id;
  std::string device_id;
  std::int64_t measured_ms = 0;
  std::string reading;  // serialized loa.v1.Telemetry
};

struct TelemetryFilter {
  std::string station_id;
  std::string device_id;  // empty = all devices
  std::int64_t since_ms = 0;
  std::int64_t until_ms = INT64_MAX;
  std::size_t limit = 1000;
};

// One alarm occurrence: raised, and later cleared; acknowledged by a person.
struct AlarmRecord {
  std::string station_id;
  std::string alarm_id;   // "amp.over_temperature"
  std::string device_id;
  std::string severity;   // info, warning, critical
  std::string message;    // the raise message (with readings)
  std::int64_t raised_ms = 0;
  std::optional<std::int64_t> cleared_ms;
  std::string clear_message;
  std::string acknowledged_by;
  std::optional<std::int64_t> acknowledged_ms;
  std::string message_vi;        // both in Vietnamese, where the station words them
  std::string clear_message_vi;
};

// A clip in the library: the file is <clips dir>/<sha256>.opus (Ogg/Opus, mono 48 kHz,
// loudness-normalised); the record says what it is.
struct ClipRecord {
  std::string sha256;          // of the stored Ogg/Opus file; the clip's id
  std::string name;            // what the operator called it
  std::int64_t duration_ms = 0;
  std::int64_t bytes = 0;
  double source_lufs = 0;      // loudness of the upload
  double gain_db = 0;          // gain applied to reach the target
  std::string source_format;   // e.g. audio/mpeg
  std::int64_t created_ms = 0;
  // Of what was uploaded, with the transcoding settings: the same file uploaded again
  // finds this clip (the encoded file differs each time: Ogg streams get a random
  // serial number). Empty for clips stored before it was kept.
  std::string source_sha256;
};

// What actually played on a station (one playout), as the station reported it.
struct AsRunRecord {
  std::string station_id;
  std::string broadcast_id;
  std::string content_id;
  std::int64_t planned_start_ms = 0;
  std::int64_t actual_start_ms = 0;  // 0 = never sounded
  std::int64_t end_ms = 0;
  std::string outcome;  // played, preempted, failed, missed, stopped
  std::string detail;
  std::int64_t actual_start_ns = 0;  // the first sample's instant on the shared clock
  // Live streams: frames played, frames concealed (lost or late), longest gap.
  std::int64_t frames_played = 0;
  std::int64_t frames_concealed = 0;
  std::int64_t longest_gap_ms = 0;
  // Proof of play, measured at the station's output: mean loudness and peak (dBFS;
  // none when nothing was measured), the longest silence, and whether it was dead air.
  std::optional<double> loudness_dbfs{};
  std::optional<double> peak_dbfs{};
  std::int64_t longest_silence_ms = 0;
  bool dead_air = false;
  // A live play: whether the station was locked to the controller's clock all through
  // (none when it does not follow that clock, or for older rows).
  std::optional<bool> clock_locked{};
  std::int64_t seq = 0;  // the order this controller recorded it in (0: before federation)
};

// A broadcast as the operator defined it: what, to whom, when (once or recurring), how.
// Its occurrences are computed from it (see loa::schedule), never stored one by one
// except as the plays already sent to stations (ScheduledPlay).
// Where a broadcast that needed approval stands. Returned is final: the broadcast is
// cancelled with it, and a corrected one is a new broadcast.
enum class ApprovalState { pending, approved, returned };
[[nodiscard]] const char* to_string(ApprovalState s);
[[nodiscard]] std::optional<ApprovalState> parse_approval_state(const std::string& text);

struct BroadcastApproval {
  ApprovalState state = ApprovalState::pending;
  std::vector<std::string> zones;  // the zones that asked for it, when it was made
  std::string submitted_by;
  std::int64_t submitted_ms = 0;
  std::string decided_by;
  std::int64_t decided_ms = 0;
  std::string note;  // the reason it was sent back, or the approver's remark
};

struct BroadcastRecord {
  std::string id;
  std::string title;
  ContentKind content_kind = ContentKind::clip;
  std::string clip_sha256;            // with clip
  std::string tts_text;               // the text, when the clip was made from it
  std::string relay_url;              // with relay
  std::int64_t slot_ms = 0;           // air time reserved; 0 = the clip's length
  std::string start_local;            // "2026-11-24T06:00:00", in time_zone
  std::string time_zone = "Asia/Ho_Chi_Minh";
  std::string rrule;                  // RFC 5545; empty = once
  std::vector<std::string> exdates;   // local date-times or dates skipped
  std::string priority = "normal";    // relay, normal, priority, live, emergency
  double volume = 1.0;                // 0-1 of full scale
  std::string on_preempt = "drop";    // drop or resume
  std::int64_t valid_from_ms = 0;     // occurrences before this are not aired; 0 = no bound
  std::int64_t valid_until_ms = 0;    // nor after this; 0 = no bound
  std::vector<std::string> targets;   // "all", "station:ID", "zone:ID"
  std::string created_by;
  std::int64_t created_ms = 0;
  std::optional<std::int64_t> cancelled_ms;
  std::string cancelled_by;
  std::optional<BroadcastApproval> approval;  // none: it needed none

  // Whether its plays may be sent: it needed no approval, or has it.
  [[nodiscard]] bool may_air() const { return !approval || approval->state == ApprovalState::approved; }
};

// One occurrence of a broadcast already handed to a station as a Play command.
struct ScheduledPlay {
  std::string broadcast_id;
  std::string station_id;
  std::int64_t planned_start_ms = 0;
  std::string command_id;
};

struct AsRunQuery {
  std::vector<std::string> station_ids;  // empty = every station
  std::string broadcast_id;              // empty = every broadcast
  std::int64_t since_ms = 0;             // planned start at or after
  std::int64_t until_ms = INT64_MAX;     // and before
  std::size_t limit = 1000;
};

// A console session as the store keeps it: by the SHA-256 of its secret, never the
// secret, so that the other controller of a pair knows it after a failover.
struct SessionRecord {
  std::string id_sha256;
  std::string user;
  std::int64_t expires_ms = 0;
};

// A console or API user. Roles: admin, operator, emergency, technician, viewer.
struct UserRecord {
  std::string name;
  std::string password_hash;        // libsodium crypto_pwhash_str (Argon2id)
  std::vector<std::string> roles;
  std::vector<std::string> zones;   // scope; empty = every zone
  std::int64_t created_ms = 0;
};

// A user's API token for scripts. Only the token's SHA-256 is kept: the secret is shown
// once, when it is made.
struct ApiTokenRecord {
  std::string id;           // public, for listing and revoking
  std::string user;
  std::string label;
  std::string secret_sha256;
  std::int64_t created_ms = 0;
  std::int64_t expires_ms = 0;  // 0 = until revoked
};

// Who did what to what, when, from where, and with what result. Never updated nor
// deleted by the controller; each entry's hash covers it and the entry before, so an
// edit or a removal anywhere breaks the chain (see verify_audit).
struct AuditRecord {
  std::int64_t seq = 0;  // given by the store
  std::int64_t at_ms = 0;
  std::string user;
  std::string action;   // e.g. "alert.create", "alert.confirm", "denied", "http.post"
  std::string subject;  // e.g. the alert id, or the request path
  std::string detail;
  std::string address;  // the client's address, when it came over HTTP
  int result = 0;       // the HTTP status, when it came over HTTP
  std::string hash;     // given by the store: SHA-256 of the previous hash and this entry
};

[[nodiscard]] inline AuditRecord audit_entry(std::int64_t at_ms, std::string user, std::string action,
                                             std::string subject, std::string detail = {}, std::string address = {},
                                             int result = 0) {
  AuditRecord a;
  a.at_ms = at_ms;
  a.user = std::move(user);
  a.action = std::move(action);
  a.subject = std::move(subject);
  a.detail = std::move(detail);
  a.address = std::move(address);
  a.result = result;
  return a;
}

// Where the audit chain breaks: the first entry whose hash does not match.
struct AuditCheck {
  std::int64_t entries = 0;
  std::optional<std::int64_t> broken_at;  // seq of the first bad entry
};

// An emergency alert. Its definition (severity, targets, content, repeats) is JSON owned
// by loa::alerts; the store keeps it whole, with the fields it is looked up by.
struct AlertRecord {
  std::string id;
  std::string state = "draft";  // draft, confirmed, issued, updated, cancelled, all_clear, expired
  std::int64_t version = 1;     // grows with each update
  std::string definition;       // JSON
  std::string created_by;
  std::int64_t created_ms = 0;
  std::string confirmed_by;
  std::int64_t issued_ms = 0;
  std::string ended_by;         // who cancelled it or gave the all-clear
  std::int64_t ended_ms = 0;
  std::int64_t expires_ms = 0;
};

// Where one station stands with one alert.
struct AlertDelivery {
  std::string alert_id;
  std::string station_id;
  std::string state;             // sent, acknowledged, playing, played, failed, stopped
  std::string detail;            // why it failed, what stopped it
  std::int64_t parts_expected = 0;  // plays it was sent (tone and content, every repeat)
  std::int64_t parts_done = 0;      // of which it has reported the end
  std::int64_t first_sound_ms = 0;
  std::int64_t updated_ms = 0;
};

// A command that carries part of an alert.
struct AlertCommand {
  std::string command_id;
  std::string alert_id;
  std::string station_id;
};

// A station's radio licence as the controller keeps it, and the command that carried
// its latest version to the station.
struct LicenceRecord {
  std::string station_id;
  double assigned_khz = 0;
  double tolerance_khz = 0;
  double max_power_w = 0;
  std::string expires;  // YYYY-MM-DD, the last valid day
  std::string type_approval;
  bool temporary = false;
  std::int64_t updated_ms = 0;
  std::string updated_by;
  std::string command_id;
};

// One version of a station's hardware configuration (hwconfig::ConfigBundle) as the
// controller keeps it, and the command that sent it.
struct StationConfigRecord {
  std::string station_id;
  std::uint32_t version = 0;  // 1, 2, ... per station
  std::string digest;         // hwconfig::bundle_digest
  std::string main;           // the station hardware file among `files`
  std::string files;          // JSON object: relative path -> text
  std::string note;           // why (a rollback names the version it went back to)
  std::string created_by;
  std::int64_t created_ms = 0;
  std::string command_id;
};

// A live stream an operator started: what it plays, how, and to which stations, so a
// controller that restarts opens it again. A stream that was stopped keeps its record,
// with when and by whom.
struct LiveStreamRecord {
  std::string id;
  std::string source;
  std::string broadcast_id;
  std::string priority;    // relay, normal, priority, live, emergency
  double volume = 1.0;
  std::string on_preempt;  // drop, resume
  std::vector<std::string> station_ids;
  std::int64_t started_ms = 0;
  std::string started_by;
  std::optional<std::int64_t> ended_ms;  // none while it runs
  std::string ended_by;
};

}  // namespace loa::store
