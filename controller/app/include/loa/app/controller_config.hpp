#pragma once

#include <chrono>
#include <string>

#include "loa/api/console_settings.hpp"
#include "loa/fleet/tree_levels.hpp"
#include "loa/http/http_front.hpp"

#include "loa/link/link_settings.hpp"
#include "loa/log/log.hpp"
#include "loa/registry/enrollment_limits.hpp"

namespace loa::app {

// Everything loa-controller can be told, with defaults that run on localhost.
// deploy/controller.yaml lists each option with its default.
struct ControllerConfig {
  std::string data_dir = "loa-data";  // database, keys, generated secrets

  // Where records live: SQLite in data_dir (the default), or a PostgreSQL server for a
  // larger district (clips, keys and secrets stay in data_dir either way).
  struct Store {
    std::string backend = "sqlite";  // sqlite | postgresql
    std::string postgresql;          // libpq connection string or postgresql:// URL
  } store;

  struct Control {
    std::string bind = "tcp://127.0.0.1:7700";         // where approved agents connect
    std::string enroll_bind = "tcp://127.0.0.1:7701";  // where unknown agents ask to be enrolled
    std::string audio_bind = "tcp://127.0.0.1:7702";   // where agents subscribe to live audio
    link::LinkSettings link;
    std::chrono::milliseconds command_resend{10000};  // re-send an unanswered command after
    registry::EnrollmentLimits enrollment;            // unknown stations: how many kept, how fast
  } control;

  struct Http {
    std::string listen = "127.0.0.1";
    std::uint32_t port = 8080;  // 0 = any free port
    std::string api_token;      // empty = read/generate <data_dir>/api-token
    std::string admin_password; // empty = read/generate <data_dir>/admin-password
    bool metrics_open_on_loopback = false;
    std::string tls_cert_file;  // HTTPS (TLS 1.2/1.3) when both are set: PEM chain and key
    std::string tls_key_file;
    http::FrontLimits limits;   // connections, timeouts, headers, workers (see controller.yaml)
  } http;

  struct Clips {
    std::uint32_t opus_bitrate_bps = 24000;  // speech-tuned Opus, 20 ms frames
    double target_lufs = -23.0;             // EBU R128 loudness every clip is brought to
    std::uint32_t max_upload_mib = 200;
  } clips;

  struct Updates {
    // Release public keys an uploaded agent package must verify against (none: any is
    // kept; the stations check the signature themselves either way).
    std::vector<std::string> release_keys;
  } updates;

  // The province's tree: its levels top down, each a zone kind (see fleet::TreeLevels).
  struct Tree {
    std::vector<fleet::TreeLevels::Level> levels = fleet::TreeLevels::two_tier().levels();
  } tree;

  api::ConsoleSettings console;  // the web console: the system's web libraries, the map's tiles

  struct Schedule {
    std::string time_zone = "Asia/Ho_Chi_Minh";  // operators' local time: defaults, quiet hours, as-run
    std::uint32_t horizon_hours = 48;             // how far ahead stations hold their schedule
    std::chrono::milliseconds sync_interval{60000};  // how often the horizon moves on
    std::uint32_t conflict_window_days = 31;      // how far ahead a new broadcast is checked
  } schedule;

  struct Live {
    // The station clock (UDP, GStreamer network time provider), on control.bind's host.
    std::uint32_t clock_port = 7703;  // 0 = any free port (agents are told which)
    std::chrono::milliseconds latency{1000};  // capture to loudspeaker, the same on every station
    std::uint32_t opus_bitrate_bps = 32000;
    std::chrono::milliseconds stall_timeout{3000};  // a source silent this long is reopened
    std::uint32_t audio_high_water_mark = 50;  // live frames queued per station (50 = 1 s)
  } live;

  // A system allowed to send CAP messages, proving itself with its own token, or by
  // signing them (XML Signature) with the key whose public half is in signing_key_file.
  struct CapSource {
    std::string name;
    std::string token_sha256;
    std::string signing_key_file;  // PEM public key or X.509 certificate
    std::string signing_key_pem;   // its contents, read with the configuration
    std::vector<std::string> senders;
    std::vector<std::string> zones;
    bool issue_at_once = false;
  };
  struct Alerts {
    // Actual alerts of these severities need a second person to confirm; [] turns the
    // rule off (and the controller warns of it at start).
    std::vector<std::string> two_person_severities{"extreme", "severe"};
    bool standard_clips = true;  // attention tones and standard messages, pinned on stations
    std::chrono::milliseconds default_expiry{3'600'000};
    std::string language = "vi";                   // voice of alert texts without a language
    std::vector<std::string> cap_languages{"vi", "en"};  // CAP <info> blocks preferred, in order
    std::vector<CapSource> cap_sources;
  } alerts;

  // One of a standby pair on replicated PostgreSQL: the controller acts (binds the
  // stations' sockets, schedules, sends) only while it holds the lease in the database.
  // A member of a higher controller (a province's under the centre, a district's under
  // its province): set `member_id` to link up to it. Absent: this controller is at the top.
  struct Federation {
    std::string member_id;            // our id above, approved there like a station's
    std::string above;                // its control endpoint, tcp://host:port
    std::string above_enroll;         // its enrollment endpoint; default: the port after `above`
    std::string above_public_key;     // Z85, or ...
    std::string above_public_key_file;  // ... the file it wrote (<data_dir>/controller.pub there)
    std::chrono::milliseconds report_interval{1000};
    std::chrono::milliseconds reconnect_max{10000};
  } federation;

  // Upstream feeds polled for alerts and bulletins (docs/bulletin-feed.md).
  struct Feed {
    std::string name;
    std::string kind;        // cap | bulletins
    std::string url;
    std::string cap_source;  // cap: which of alerts.cap_sources its messages count as
    std::vector<std::string> zones;  // bulletins: where they may go (empty: anywhere)
    std::chrono::milliseconds every{60000};
  };
  std::vector<Feed> feeds;

  struct Ha {
    bool enabled = false;
    std::string node;  // this controller's name in the pair; default: the host name
    std::string url;   // where its API answers, told to the other's callers; default from http
    std::chrono::milliseconds lease_ttl{4000};
    std::chrono::milliseconds lease_renew{1000};
  } ha;

  struct Log {
    log::Level level = log::Level::info;
    log::Target target = log::Target::stderr_stream;
  } log;
};

// Reads a controller configuration file; throws config::ConfigError naming file, line and
// option on the first problem. An empty path gives the defaults.
[[nodiscard]] ControllerConfig load_controller_config(const std::string& path);

}  // namespace loa::app
