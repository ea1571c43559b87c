#pragma once

#include <chrono>
#include <cstdint>

namespace loa::link {

// Timings and limits of the control link; both ends must agree on the heartbeat.
struct LinkSettings {
  // Each side sends a heartbeat this often when it has nothing else to send.
  std::chrono::milliseconds heartbeat_interval{5000};
  // A side that hears nothing for this many intervals takes the link as dead.
  std::uint32_t missed_heartbeats = 3;
  // Inbound messages larger than this are refused by libzmq (ZMQ_MAXMSGSIZE), which
  // drops the connection that sent them.
  std::int64_t max_message_bytes = 1 << 20;
  // A connection must finish its CURVE handshake within this time.
  std::chrono::milliseconds handshake_timeout{5000};
  // Messages queued per peer before sends to it fail (instead of growing memory).
  int send_high_water_mark = 1000;

  [[nodiscard]] std::chrono::milliseconds dead_after() const {
    return heartbeat_interval * missed_heartbeats;
  }
};

// The capability a member controller names in its hello: the controller above enrolls
// it as a member, which sounds nothing itself and takes relays instead of plays.
inline constexpr const char* kMemberCapability = "member-controller";

}  // namespace loa::link
