#pragma once

#include <cstdint>
#include <memory>
#include <string>

struct _GstClock;  // GStreamer's clock; only the live sources see its definition

namespace loa::live {

// The controller's clock for every station: a real-time clock (ns since the Unix epoch)
// served over UDP by GStreamer's network time provider. Agents follow it with a network
// client clock, and live frames carry presentation times on it. The protocol carries
// time only and is not authenticated: a host on the stations' network could skew their
// clock, not inject sound (that needs the CURVE audio socket).
class ClockServer {
 public:
  // Binds address:port (port 0 = any free port); throws std::runtime_error if it cannot.
  ClockServer(const std::string& address, std::uint16_t port);
  ClockServer(const ClockServer&) = delete;
  ClockServer& operator=(const ClockServer&) = delete;
  ~ClockServer();

  [[nodiscard]] std::uint16_t port() const;
  [[nodiscard]] std::uint64_t now_ns() const;
  [[nodiscard]] _GstClock* gst_clock() const;  // borrowed, lives as long as this

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace loa::live
