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
// As-run rows added up (tally_asrun, tally_member_asrun): how many, how many sounded,
// for how long; of occurrences planned in [?1, ?2), or, for an alert's rows, which have
// no planned start, that sounded then.
inline constexpr const char* kAsRunTallySums =
    "COUNT(*), SUM(CASE WHEN actual_start_ms > 0 THEN 1 ELSE 0 END), SUM(CASE WHEN actual_start_ms > 0 AND "
    "end_ms > actual_start_ms THEN end_ms - actual_start_ms ELSE 0 END)";
inline constexpr const char* kAsRunInPeriod =
    "((planned_start_ms >= ?1 AND planned_start_ms < ?2) OR (planned_start_ms = 0 AND actual_start_ms >= ?1 AND "
    "actual_start_ms < ?2))";
inline constexpr const char* kLiveStreamColumns =
    "id, source, broadcast_id, priority, volume, on_preempt, started_ms, started_by, ended_ms, ended_by";

}  // namespace loa::store
