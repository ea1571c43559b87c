#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace loa::test {

// A userspace delay line between two TUN devices: every IP packet the kernel sends into
// one comes out of the other after a one-way delay plus jitter. This kernel has no
// netem; TCP and UDP both keep their end-to-end behaviour (nothing is terminated here),
// so retransmission timers see the real round trip. Order is kept within a direction
// (jitter never reorders, as on a cellular bearer). Needs root (/dev/net/tun).
class DelayLine {
 public:
  // Creates the TUN devices `a` and `b` in this process's network namespace; moving
  // one elsewhere afterwards keeps it joined to this line. They go when this does.
  DelayLine(const std::string& a, const std::string& b);
  DelayLine(const DelayLine&) = delete;
  DelayLine& operator=(const DelayLine&) = delete;
  ~DelayLine();

  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] const std::string& error() const { return error_; }
  // Each packet waits `one_way` +- up to `jitter` (uniform), in both directions.
  void set(std::chrono::microseconds one_way, std::chrono::microseconds jitter);

 private:
  void run();

  int fd_[2] = {-1, -1};
  int wake_ = -1;  // eventfd: stop
  std::atomic<long> one_way_us_{0};
  std::atomic<long> jitter_us_{0};
  std::atomic<bool> stop_{false};
  bool ok_ = false;
  std::string error_;
  std::thread thread_;
};

}  // namespace loa::test
