#include "loa/link/link_config.hpp"

namespace loa::link {

void read_link_options(config::ConfigSection& section, LinkSettings& settings) {
  using std::chrono::milliseconds;
  section.read("heartbeat_interval_ms", settings.heartbeat_interval, milliseconds(50), milliseconds(600'000));
  section.read("missed_heartbeats", settings.missed_heartbeats, 2, 100);
  section.read("max_message_bytes", settings.max_message_bytes, 1024, 64 << 20);
  section.read("handshake_timeout_ms", settings.handshake_timeout, milliseconds(100), milliseconds(600'000));
  std::int64_t hwm = settings.send_high_water_mark;
  section.read("send_high_water_mark", hwm, 1, 1'000'000);
  settings.send_high_water_mark = static_cast<int>(hwm);
}

void read_tcp_endpoint(config::ConfigSection& section, const std::string& key, std::string& endpoint) {
  section.read(key, endpoint);
  if (endpoint.rfind("tcp://", 0) != 0) section.fail(key, "must be a tcp:// endpoint");
}

}  // namespace loa::link
