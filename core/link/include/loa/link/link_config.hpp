#pragma once

#include "loa/config/config_section.hpp"
#include "loa/link/link_settings.hpp"

#include <string>

namespace loa::link {

// Reads the link options both daemons share from a configuration section:
// heartbeat_interval_ms, missed_heartbeats, max_message_bytes, handshake_timeout_ms,
// send_high_water_mark. Absent options keep the values already in `settings`.
void read_link_options(config::ConfigSection& section, LinkSettings& settings);

// Reads an endpoint option, which must be tcp://HOST:PORT.
void read_tcp_endpoint(config::ConfigSection& section, const std::string& key, std::string& endpoint);

}  // namespace loa::link
