#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace loa::daemon {

// When a daemon's loop last went round, for those who watch it from other threads (the
// health route, the service manager's watchdog). The loop calls beat() each turn; a
// loop that has been quiet longer than its limit is late: blocked on a lock, a socket
// or a store, which a daemon on the alert path must never be for long.
class LoopBeat {
 public:
  LoopBeat(std::string name, std::chrono::milliseconds limit)
      : name_(std::move(name)), limit_(limit), last_ns_(now_ns()) {}

  void beat() {
    const auto now = now_ns();
    const auto gap = now - last_ns_.exchange(now, std::memory_order_relaxed);
    if (gap > longest_ns_.load(std::memory_order_relaxed)) longest_ns_.store(gap, std::memory_order_relaxed);
  }
  // The longest time the loop took to go round once, since start: its worst stall.
  [[nodiscard]] std::chrono::milliseconds longest_turn() const {
    return std::chrono::milliseconds(longest_ns_.load(std::memory_order_relaxed) / 1'000'000);
  }
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
  std::atomic<std::int64_t> last_ns_;
  std::atomic<std::int64_t> longest_ns_{0};
};

}  // namespace loa::daemon
