#pragma once

#include <chrono>
#include <optional>

namespace loa::daemon {

// What systemd (Type=notify, WatchdogSec=) needs from a daemon. Without a service
// manager (NOTIFY_SOCKET unset) every call does nothing.
void notify_ready();
void notify_stopping();

// Keeps systemd's watchdog fed: call from the main loop as often as it turns; it pings
// at half the configured watchdog interval, so a stuck loop gets the daemon restarted.
class Watchdog {
 public:
  Watchdog();
  void feed();
  [[nodiscard]] bool enabled() const { return interval_.has_value(); }

 private:
  std::optional<std::chrono::microseconds> interval_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace loa::daemon
