#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "loa/link/link_settings.hpp"
#include "loa/log/log.hpp"

namespace loa::agent {

// Everything loa-agent can be told, with defaults that reach a controller on localhost.
// deploy/agent.yaml lists each option with its default.
struct AgentConfig {
  std::string station_id;                  // default: the host name
  std::string state_dir = "loa-agent-state";  // key pair, agent.db (commands, outbox)

  struct Controller {
    std::string endpoint = "tcp://127.0.0.1:7700";         // control socket
    std::string enroll_endpoint = "tcp://127.0.0.1:7701";  // enrollment socket
    // A standby pair (or more): every controller's control and enrollment sockets, in
    // the order to try them. The link stays with the one that welcomes it, and moves on
    // when that one goes silent or refuses. Default: the one endpoint above.
    std::vector<std::string> endpoints;
    std::vector<std::string> enroll_endpoints;
    std::string public_key;                                // Z85; or:
    std::string public_key_file = "loa-data/controller.pub";  // file holding it
  } controller;

  link::LinkSettings link;
  std::chrono::milliseconds reconnect_min{200};    // first retry after a lost link
  std::chrono::milliseconds reconnect_max{10000};  // retries back off up to this

  struct Hardware {
    std::string station_file;  // station hardware (devices, licence); empty = none to watch
    std::chrono::milliseconds telemetry_interval{10000};  // and at once on any alarm change
    std::uint32_t max_queued_telemetry = 10000;  // older telemetry is dropped past this while offline
    std::chrono::milliseconds amplifier_warm_up{0};  // power amplifiers on this long before a play; 0 = leave power alone
    std::chrono::milliseconds amplifier_idle_off{120000};  // and off after the air has been idle this long
    std::chrono::milliseconds unmute_hold{10000};  // a compliance mute lifts after this long back in band
  } hardware;

  struct Audio {
    std::string output = "alsa:default";  // or wav:DIR (one file per playout), or fake
    // Play on the controller's clock (GStreamer network clock), so that stations within
    // earshot sound as one; false = the station's own clock (kept by NTP, say).
    bool follow_controller_clock = true;
    // A live stream silent this long while playing ends as failed; a live play whose
    // stream is never heard counts as missed after it.
    std::chrono::milliseconds live_silence_limit{30000};
    int receive_high_water_mark = 100;  // live audio messages (1 to 10 frames of 20 ms) queued before newer ones are dropped
    // Live audio over UDP too (the same frames, several copies each), where a lossy link
    // makes TCP late; false: TCP only (a network that blocks UDP needs nothing set).
    bool live_datagrams = true;
    // A live frame after a gap waits for the gap to fill until it is this near its instant.
    std::chrono::milliseconds live_reorder_margin{100};
  } audio;

  struct Clips {
    std::uint32_t max_cache_mib = 512;  // pinned clips and clips being fetched are never evicted
  } clips;

  struct Updates {
    // Public release keys (base64, `loactl release keygen`) an agent release must be
    // signed with; none = the station takes no remote update.
    std::vector<std::string> release_keys;
    std::uint32_t max_package_mib = 256;  // a package larger than this is refused
  } updates;

  struct Log {
    log::Level level = log::Level::info;
    log::Target target = log::Target::stderr_stream;
  } log;

  std::string config_hash;  // SHA-256 of the configuration file, reported in hello
};

// Reads an agent configuration file; throws config::ConfigError naming file, line and
// option. An empty path gives the defaults. Resolves the controller key file.
[[nodiscard]] AgentConfig load_agent_config(const std::string& path);

}  // namespace loa::agent
