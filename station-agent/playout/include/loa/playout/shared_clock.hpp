#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "loa/playout/clock_quality.hpp"

struct _GstClock;  // GStreamer's clock; only the playout sources see its definition

namespace loa::playout {

// The clock every playout pipeline of a station runs on. Until told otherwise it is the
// local real-time clock; once the controller names its time provider, it follows the
// controller's clock through GStreamer's network client clock, so that stations within
// earshot render the same frame at the same instant. Its time is nanoseconds since the
// Unix epoch (the controller serves a real-time clock), so "play at 06:00:00.000" and a
// live frame's presentation time mean the same on every station.
class SharedClock {
 public:
  SharedClock();
  SharedClock(const SharedClock&) = delete;
  SharedClock& operator=(const SharedClock&) = delete;
  ~SharedClock();

  // Follows the time provider at host:port from now on (pipelines already running keep
  // the clock they started with). Calling it again with the same address does nothing.
  // `controller_now_ns`, when known (the controller's time in its Welcome), is where the
  // clock starts if the station's own clock is more than a second from it.
  void follow(const std::string& host, std::uint16_t port, std::uint64_t controller_now_ns = 0);
  // Back to the local real-time clock.
  void follow_local();

  [[nodiscard]] std::uint64_t now_ns() const;
  // Whether the network clock has converged (always true for the local clock).
  [[nodiscard]] bool synced() const;
  // How well it follows: reads what the network clock said since the last call.
  [[nodiscard]] ClockQuality quality();
  // Where it follows: "local" or "HOST:PORT".
  [[nodiscard]] std::string source() const;
  // The GStreamer clock (borrowed: valid until the next follow call's pipelines end).
  [[nodiscard]] _GstClock* gst_clock() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace loa::playout
