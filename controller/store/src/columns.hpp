#pragma once

// Column lists of the tables read whole, in the order their read_* functions and the
// SQLite-to-PostgreSQL copy expect. Both schemas have these columns.
namespace loa::store {

inline constexpr const char* kAlertColumns =
    "id, state, version, definition, created_by, created_ms, confirmed_by, issued_ms, ended_by, ended_ms, expires_ms";
inline constexpr const char* kStationColumns =
    "id, name, commune, location, public_key, enrollment, last_seen_ms, last_address, software_version, created_ms, member";
inline constexpr const char* kCommandColumns =
    "id, station_id, kind, payload, state, created_ms, attempts, last_sent_ms, completed_ms, result_detail, "
    "duplicate_results, result";
inline constexpr const char* kClipColumns =
    "sha256, name, duration_ms, bytes, source_lufs, gain_db, source_format, created_ms, source_sha256";
inline constexpr const char* kAsRunColumns =
    "station_id, broadcast_id, content_id, planned_start_ms, actual_start_ms, end_ms, outcome, detail, "
    "actual_start_ns, frames_played, frames_concealed, longest_gap_ms, loudness_dbfs, peak_dbfs, longest_silence_ms, "
    "dead_air, clock_locked, seq";
inline constexpr const char* kLiveStreamColumns =
    "id, source, broadcast_id, priority, volume, on_preempt, started_ms, started_by, ended_ms, ended_by";

}  // namespace loa::store
