#include "loa/server/link_counters.hpp"

namespace loa::server {

std::vector<std::pair<std::string, std::uint64_t>> LinkCounters::snapshot() const {
  return {
      {"admitted", admitted.load()},
      {"refused_unknown_key", refused_unknown_key.load()},
      {"refused_no_station_id", refused_no_station_id.load()},
      {"refused_pending", refused_pending.load()},
      {"refused_rejected", refused_rejected.load()},
      {"refused_revoked", refused_revoked.load()},
      {"refused_key_mismatch", refused_key_mismatch.load()},
      {"refused_too_many_pending", refused_too_many_pending.load()},
      {"refused_rate_limited", refused_rate_limited.load()},
      {"refused_key_conflict", refused_key_conflict.load()},
      {"refused_bad_zap_request", refused_bad_zap_request.load()},
      {"handshake_failed_protocol", handshake_failed_protocol.load()},
      {"handshake_failed_other", handshake_failed_other.load()},
      {"frames_received", frames_received.load()},
      {"frames_rejected_empty", frames_rejected_empty.load()},
      {"frames_rejected_too_large", frames_rejected_too_large.load()},
      {"frames_rejected_malformed", frames_rejected_malformed.load()},
      {"frames_rejected_unknown_type", frames_rejected_unknown_type.load()},
      {"frames_rejected_bad_shape", frames_rejected_bad_shape.load()},
      {"frames_rejected_not_admitted", frames_rejected_not_admitted.load()},
      {"frames_rejected_oversize", frames_rejected_oversize.load()},
      {"frames_rejected_rate_limited", frames_rejected_rate_limited.load()},
      {"commands_sent", commands_sent.load()},
      {"command_resends", command_resends.load()},
      {"command_results", command_results.load()},
      {"command_duplicate_results", command_duplicate_results.load()},
      {"send_failures", send_failures.load()},
      {"fenced_sends", fenced_sends.load()},
      {"telemetry_reports", telemetry_reports.load()},
      {"alarm_reports", alarm_reports.load()},
      {"clip_chunks_sent", clip_chunks_sent.load()},
      {"clip_requests_unknown", clip_requests_unknown.load()},
      {"audio_frames_published", audio_frames_published.load()},
      {"audio_send_failures", audio_send_failures.load()},
      {"audio_datagrams_sent", audio_datagrams_sent.load()},
      {"audio_datagram_send_failures", audio_datagram_send_failures.load()},
      {"audio_hellos", audio_hellos.load()},
      {"audio_hellos_refused", audio_hellos_refused.load()},
      {"enroll_requests", enroll_requests.load()},
      {"stations_went_offline", stations_went_offline.load()},
      {"connections_cut", connections_cut.load()},
  };
}

}  // namespace loa::server
