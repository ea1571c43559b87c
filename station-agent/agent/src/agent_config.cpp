#include "loa/agent/agent_config.hpp"

#include <unistd.h>

#include <array>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "loa/config/config_section.hpp"
#include "loa/digest/sha256.hpp"
#include "loa/curve/key_pair.hpp"
#include "loa/link/link_config.hpp"
#include "loa/log/log_config.hpp"
#include "loa/signing/release_signature.hpp"

namespace loa::agent {
namespace {

std::string host_name() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0) return "station";
  return name.data();
}

}  // namespace

AgentConfig load_agent_config(const std::string& path) {
  AgentConfig c;
  c.station_id = host_name();
  std::string text;
  if (!path.empty()) {
    std::ifstream in(path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }
  auto root = path.empty() ? config::ConfigSection::load_text("", "<defaults>") : config::ConfigSection::load_file(path);
  root.read("station_id", c.station_id);
  if (c.station_id.empty() || c.station_id.size() > 64 ||
      c.station_id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
          std::string::npos) {
    root.fail("station_id", "must be 1-64 letters, digits, '-', '_' or '.' (got '" + c.station_id + "')");
  }
  root.read("state_dir", c.state_dir);

  auto controller = root.section("controller");
  link::read_tcp_endpoint(controller, "endpoint", c.controller.endpoint);
  link::read_tcp_endpoint(controller, "enroll_endpoint", c.controller.enroll_endpoint);
  controller.read("endpoints", c.controller.endpoints);
  controller.read("enroll_endpoints", c.controller.enroll_endpoints);
  for (const auto& e : c.controller.endpoints) {
    if (e.rfind("tcp://", 0) != 0) controller.fail("endpoints", "each must be a tcp:// endpoint (got '" + e + "')");
  }
  if (c.controller.endpoints.empty()) c.controller.endpoints = {c.controller.endpoint};
  if (c.controller.enroll_endpoints.empty()) {
    // Each controller's enrollment socket is beside its control socket, one port up,
    // unless listed.
    for (const auto& e : c.controller.endpoints) {
      if (e == c.controller.endpoint) {
        c.controller.enroll_endpoints.push_back(c.controller.enroll_endpoint);
        continue;
      }
      const auto colon = e.rfind(':');
      int port = 0;
      const auto digits = std::string_view(e).substr(colon + 1);
      if (std::from_chars(digits.data(), digits.data() + digits.size(), port).ec != std::errc() || port < 1 ||
          port > 65534) {
        controller.fail("endpoints", "'" + e + "' has no port (write tcp://HOST:PORT)");
      }
      c.controller.enroll_endpoints.push_back(e.substr(0, colon + 1) + std::to_string(port + 1));
    }
  }
  if (c.controller.enroll_endpoints.size() != c.controller.endpoints.size()) {
    controller.fail("enroll_endpoints", "one for each of endpoints, in the same order");
  }
  controller.read("public_key", c.controller.public_key);
  controller.read("public_key_file", c.controller.public_key_file);
  if (!c.controller.public_key.empty()) {
    if (!curve::is_valid_key(c.controller.public_key)) controller.fail("public_key", "not a 40-character Z85 key");
  } else {
    c.controller.public_key = curve::read_public_key_file(c.controller.public_key_file);
    if (c.controller.public_key.empty()) {
      controller.fail("public_key_file", "no controller public key in '" + c.controller.public_key_file + "'");
    }
  }
  controller.finish();

  auto link = root.section("link");
  link::read_link_options(link, c.link);
  link.read("reconnect_min_ms", c.reconnect_min, std::chrono::milliseconds(10), std::chrono::milliseconds(600'000));
  link.read("reconnect_max_ms", c.reconnect_max, std::chrono::milliseconds(10), std::chrono::milliseconds(3'600'000));
  if (c.reconnect_max < c.reconnect_min) link.fail("reconnect_max_ms", "must not be below reconnect_min_ms");
  link.finish();

  auto hardware = root.section("hardware");
  hardware.read("station_file", c.hardware.station_file);
  if (!c.hardware.station_file.empty() && c.hardware.station_file[0] != '/' && !path.empty()) {
    c.hardware.station_file =
        (std::filesystem::path(path).parent_path() / c.hardware.station_file).lexically_normal().string();
  }
  hardware.read("telemetry_interval_ms", c.hardware.telemetry_interval, std::chrono::milliseconds(100),
                std::chrono::milliseconds(3'600'000));
  hardware.read("max_queued_telemetry", c.hardware.max_queued_telemetry, 10, 10'000'000);
  hardware.read("amplifier_warm_up_ms", c.hardware.amplifier_warm_up, std::chrono::milliseconds(0),
                std::chrono::milliseconds(3'600'000));
  hardware.read("amplifier_idle_off_ms", c.hardware.amplifier_idle_off, std::chrono::milliseconds(0),
                std::chrono::milliseconds(86'400'000));
  hardware.read("unmute_hold_ms", c.hardware.unmute_hold, std::chrono::milliseconds(0),
                std::chrono::milliseconds(86'400'000));
  if (c.hardware.amplifier_warm_up.count() > 0 && c.hardware.station_file.empty()) {
    hardware.fail("amplifier_warm_up_ms", "needs hardware.station_file (the amplifier to switch)");
  }
  hardware.finish();

  auto audio = root.section("audio");
  audio.read("output", c.audio.output);
  if (c.audio.output.rfind("alsa:", 0) != 0 && c.audio.output.rfind("wav:", 0) != 0 && c.audio.output != "fake") {
    audio.fail("output", "must be alsa:DEVICE, wav:DIR or fake");
  }
  audio.read("follow_controller_clock", c.audio.follow_controller_clock);
  audio.read("live_silence_limit_ms", c.audio.live_silence_limit, std::chrono::milliseconds(1000),
             std::chrono::milliseconds(3'600'000));
  std::uint32_t hwm = static_cast<std::uint32_t>(c.audio.receive_high_water_mark);
  audio.read("receive_high_water_mark", hwm, 10, 100'000);
  c.audio.receive_high_water_mark = static_cast<int>(hwm);
  audio.read("live_datagrams", c.audio.live_datagrams);
  audio.read("live_reorder_margin_ms", c.audio.live_reorder_margin, std::chrono::milliseconds(20),
             std::chrono::milliseconds(5000));
  audio.finish();

  auto clips = root.section("clips");
  clips.read("max_cache_mib", c.clips.max_cache_mib, 1, 1'000'000);
  clips.finish();

  auto updates = root.section("updates");
  updates.read("release_keys", c.updates.release_keys);
  for (const auto& key : c.updates.release_keys) {
    if (!signing::is_public_key(key)) updates.fail("release_keys", "'" + key + "' is not a release public key (base64 of 32 bytes)");
  }
  updates.read("max_package_mib", c.updates.max_package_mib, 1, 4096);
  updates.finish();

  log::read_log_options(root.section("log"), c.log.level, c.log.target);
  root.finish();
  c.config_hash = digest::sha256_hex(text);
  return c;
}

}  // namespace loa::agent
