#pragma once

#include <atomic>
#include <chrono>
#include <string>

namespace loa::daemon {

// When a daemon's loop last went round, for those who watch it from other threads (the
// health route, the service manager's watchdog). The loop calls beat() each turn; a
// loop that has been quiet longer than its limit is late: blocked on a lock, a socket
// or a store, which a daemon on the alert path must never be for long.
class LoopBeat {
 public:
  LoopBeat(std::string name, std::chrono::milliseconds limit) : name_(std::move(name)), limit_(limit) { beat(); }

  void beat() { last_ns_.store(now_ns(), std::memory_order_relaxed); }
  [[nodiscard]] std::chrono::milliseconds quiet() const {
    return std::chrono::milliseconds((now_ns() - last_ns_.load(std::memory_order_relaxed)) / 1'000'000);
  }
  [[nodiscard]] bool late() const { return quiet() > limit_; }
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] std::chrono::milliseconds limit() const { return limit_; }

 private:
  static std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
  }
  std::string name_;
  std::chrono::milliseconds limit_;
  std::atomic<std::int64_t> last_ns_{0};
};

}  // namespace loa::daemon
