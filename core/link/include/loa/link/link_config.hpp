#pragma once

#include "loa/config/config_section.hpp"
#include "loa/link/link_settings.hpp"

namespace loa::link {

// Reads the link options both daemons share from a configuration section:
// heartbeat_interval_ms, missed_heartbeats, max_message_bytes, handshake_timeout_ms,
// send_high_water_mark. Absent options keep the values already in `settings`.
void read_link_options(config::ConfigSection& section, LinkSettings& settings);

}  // namespace loa::link
