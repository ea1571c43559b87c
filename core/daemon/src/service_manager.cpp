#include "loa/daemon/service_manager.hpp"

#include <systemd/sd-daemon.h>

#include <cstdint>

namespace loa::daemon {

void notify_ready() { sd_notify(0, "READY=1"); }

void notify_stopping() { sd_notify(0, "STOPPING=1"); }

Watchdog::Watchdog() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) interval_ = std::chrono::microseconds(usec);
}

void Watchdog::feed() {
  if (!interval_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < *interval_ / 2) return;
  last_ = now;
  sd_notify(0, "WATCHDOG=1");
}

}  // namespace loa::daemon
