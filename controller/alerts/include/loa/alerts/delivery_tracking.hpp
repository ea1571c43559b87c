#pragma once

#include <cstdint>
#include <string>

#include "loa/store/records.hpp"
#include "loa/v1/command.pb.h"
#include "loa/v1/telemetry.pb.h"

namespace loa::alerts::delivery {

// How one station's part of an alert moves, from what the station says:
//   sent -> acknowledged (its command applied) -> playing -> played (every part)
// or failed (refused, did not play, preempted) or stopped (the alert was). Played,
// failed and stopped are final. Pure: no I/O and no lock; the alert desk keeps the
// deliveries, calls these, and stores what changed.

[[nodiscard]] bool is_final(const std::string& state);

// A result of one of the alert's commands. True when the delivery changed.
bool on_result(store::AlertDelivery& d, const loa::v1::CommandResult& result, std::int64_t now_ms);

// A playback report of the alert's broadcast (every report changes the delivery).
// True when it is the station's first sound for the alert, which the desk counts in
// its first-sound latency.
bool on_playback(store::AlertDelivery& d, const loa::v1::PlaybackReport& report, std::int64_t now_ms);

// The alert was stopped everywhere for `why`. True when the delivery changed (a final
// one keeps its outcome).
bool stop(store::AlertDelivery& d, const std::string& why, std::int64_t now_ms);

}  // namespace loa::alerts::delivery
