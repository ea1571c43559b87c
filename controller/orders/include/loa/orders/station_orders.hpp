#pragma once

#include <cstdint>
#include <string>

#include "loa/orders/priority.hpp"
#include "loa/v1/command.pb.h"

namespace loa::orders {

// How content becomes what a station is told to do. Every play, cache, stop and volume
// order Loa sends (an operator's command, a scheduled broadcast, a live stream, an
// alert) is built here, so each field means the same whoever sends it. The orders go to
// stations through server::CommandDispatcher.

// What a play sounds: a clip the station caches, or a live stream it subscribes to.
struct Sound {
  std::string clip_sha256;  // or ...
  std::string stream_id;    // ... a live stream (or a relay's stream)
  [[nodiscard]] static Sound clip(std::string sha256) { return {std::move(sha256), {}}; }
  [[nodiscard]] static Sound stream(std::string id) { return {{}, std::move(id)}; }
};

struct PlayOrder {
  Sound sound;
  Priority priority = Priority::normal;
  std::string broadcast_id;      // the broadcast, stream or alert it belongs to (as-run)
  double volume = 0;             // 0.0-1.0 of full scale; 0 = full
  std::int64_t start_at_ms = 0;  // on the station's clock; 0 = now
  OnPreempt on_preempt = OnPreempt::drop;
  std::int64_t expires_at_ms = 0;  // not started by then, not at all; 0 = never
  bool at_break = false;  // waits for the item on air to end instead of cutting it off
  // An id of its own now (a scheduled play is recorded under it with its command).
  bool with_id = false;
};

[[nodiscard]] loa::v1::Command play(const PlayOrder& order);
// Fetch a clip into the station's cache (a pinned clip is kept when space runs short).
[[nodiscard]] loa::v1::Command cache(const std::string& clip_sha256, std::int64_t bytes, bool pin);
// Stop one broadcast (and forget its waiting plays); an empty id stops everything.
[[nodiscard]] loa::v1::Command stop(const std::string& broadcast_id);
// Change the volume of one broadcast, or of whatever plays when the id is empty.
[[nodiscard]] loa::v1::Command set_volume(const std::string& broadcast_id, double volume);

}  // namespace loa::orders
