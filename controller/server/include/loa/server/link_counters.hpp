#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace loa::server {

// What the control link has seen, for /metrics and the stats endpoint. Written by the
// control loop, read by API threads.
struct LinkCounters {
  // Handshakes
  std::atomic<std::uint64_t> admitted{0};
  std::atomic<std::uint64_t> refused_unknown_key{0};
  std::atomic<std::uint64_t> refused_no_station_id{0};
  std::atomic<std::uint64_t> refused_pending{0};
  std::atomic<std::uint64_t> refused_rejected{0};
  std::atomic<std::uint64_t> refused_revoked{0};
  std::atomic<std::uint64_t> refused_key_mismatch{0};
  std::atomic<std::uint64_t> refused_too_many_pending{0};
  std::atomic<std::uint64_t> refused_rate_limited{0};   // new stations too fast (per address or overall)
  std::atomic<std::uint64_t> refused_key_conflict{0};   // a pending id asked for with another key
  std::atomic<std::uint64_t> refused_bad_zap_request{0};
  // Connections that failed the ZMTP/CURVE handshake before any key was checked:
  // a plain (non-CURVE) client, garbage bytes, a client that never finished.
  std::atomic<std::uint64_t> handshake_failed_protocol{0};
  std::atomic<std::uint64_t> handshake_failed_other{0};
  // Frames
  std::atomic<std::uint64_t> frames_received{0};
  std::atomic<std::uint64_t> frames_rejected_empty{0};
  std::atomic<std::uint64_t> frames_rejected_too_large{0};
  std::atomic<std::uint64_t> frames_rejected_malformed{0};
  std::atomic<std::uint64_t> frames_rejected_unknown_type{0};
  std::atomic<std::uint64_t> frames_rejected_bad_shape{0};     // not [routing id, payload]
  std::atomic<std::uint64_t> frames_rejected_not_admitted{0};  // peer revoked while connected
  std::atomic<std::uint64_t> frames_rejected_oversize{0};      // a report field too long (acked, dropped)
  std::atomic<std::uint64_t> frames_rejected_rate_limited{0};  // a station over its report rate (sent again later)
  // Commands
  std::atomic<std::uint64_t> commands_sent{0};
  std::atomic<std::uint64_t> command_resends{0};
  std::atomic<std::uint64_t> command_results{0};
  std::atomic<std::uint64_t> command_duplicate_results{0};
  std::atomic<std::uint64_t> send_failures{0};
  std::atomic<std::uint64_t> fenced_sends{0};  // not sent: this controller no longer held the lease
  // Station health
  std::atomic<std::uint64_t> telemetry_reports{0};
  std::atomic<std::uint64_t> alarm_reports{0};
  // Clip distribution
  std::atomic<std::uint64_t> clip_chunks_sent{0};
  std::atomic<std::uint64_t> clip_requests_unknown{0};
  // Live audio
  std::atomic<std::uint64_t> audio_frames_published{0};
  std::atomic<std::uint64_t> audio_send_failures{0};
  std::atomic<std::uint64_t> audio_datagrams_sent{0};
  std::atomic<std::uint64_t> audio_datagram_send_failures{0};
  std::atomic<std::uint64_t> audio_hellos{0};
  std::atomic<std::uint64_t> audio_hellos_refused{0};  // unknown key, does not open, replayed
  // Enrollment socket
  std::atomic<std::uint64_t> enroll_requests{0};
  // Stations
  std::atomic<std::uint64_t> stations_went_offline{0};
  std::atomic<std::uint64_t> connections_cut{0};

  // name -> value, in a stable order, for rendering.
  [[nodiscard]] std::vector<std::pair<std::string, std::uint64_t>> snapshot() const;
};

}  // namespace loa::server
