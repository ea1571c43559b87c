#include "loa/link/link_config.hpp"

namespace loa::link {

void read_link_options(config::ConfigSection& section, LinkSettings& settings) {
  std::int64_t heartbeat_ms = settings.heartbeat_interval.count();
  section.read("heartbeat_interval_ms", heartbeat_ms, 50, 600'000);
  settings.heartbeat_interval = std::chrono::milliseconds(heartbeat_ms);
  section.read("missed_heartbeats", settings.missed_heartbeats, 2, 100);
  section.read("max_message_bytes", settings.max_message_bytes, 1024, 64 << 20);
  std::int64_t handshake_ms = settings.handshake_timeout.count();
  section.read("handshake_timeout_ms", handshake_ms, 100, 600'000);
  settings.handshake_timeout = std::chrono::milliseconds(handshake_ms);
  std::int64_t hwm = settings.send_high_water_mark;
  section.read("send_high_water_mark", hwm, 1, 1'000'000);
  settings.send_high_water_mark = static_cast<int>(hwm);
}

}  // namespace loa::link
