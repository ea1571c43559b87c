#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>

namespace loa::playout {

// How well a station follows the controller's clock, for its telemetry, /metrics and
// the as-run of a live play.
struct ClockQuality {
  bool following = false;   // a network clock (false: the station's own clock)
  bool locked = false;      // following, and its recent exchanges put it within 2 ms
  double offset_ms = 0;     // the controller's clock minus the station's own
  double rtt_ms = 0;        // round trip to the controller's clock, averaged
  double jitter_ms = 0;     // how much the round trip varies (RFC 3550 smoothing)
  double rate_ppm = 0;      // how much faster the controller's clock runs than ours
  double error_ms = 0;      // how far from the controller's clock its recent exchanges put it (median)
  std::uint64_t exchanges = 0;  // answers received since following
};

// Keeps the figures of the network clock's exchanges (GStreamer posts one statistics
// message per answer; SharedClock hands their fields here). Pure: no GStreamer here.
class ClockWatch {
 public:
  struct Exchange {
    // The controller's time in the answer minus what the clock said at that instant
    // (the middle of the request and the answer).
    std::int64_t error_ns = 0;
    std::int64_t rtt_ns = 0;
    std::int64_t rtt_average_ns = 0;
    double rate = 1.0;  // the controller's clock against ours
  };
  // Locked: the clock says it is synced, an answer came within `stale_after`, and the
  // median error of the last 8 answers is within `bound` (a path's asymmetry is beyond
  // what any exchange can see; jitter is what the median takes out).
  explicit ClockWatch(std::chrono::milliseconds stale_after = std::chrono::milliseconds(10000),
                      std::chrono::microseconds bound = std::chrono::microseconds(2000))
      : stale_after_(stale_after), bound_(bound) {}

  void observe(const Exchange& e, std::chrono::steady_clock::time_point at);
  // `offset_ns`: the controller's clock minus the station's own, read now.
  [[nodiscard]] ClockQuality quality(bool clock_synced, std::int64_t offset_ns,
                                     std::chrono::steady_clock::time_point now) const;
  void reset() { *this = ClockWatch(stale_after_, bound_); }

 private:
  std::chrono::milliseconds stale_after_;
  std::chrono::microseconds bound_;
  std::deque<std::int64_t> recent_;  // errors of the last answers, newest last
  std::optional<std::int64_t> last_rtt_ns_;
  double jitter_ns_ = 0;
  Exchange last_;
  std::optional<std::chrono::steady_clock::time_point> last_at_;
  std::uint64_t exchanges_ = 0;
};

}  // namespace loa::playout
