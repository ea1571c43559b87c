#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "loa/net/peer_address.hpp"

namespace loa::http {

// Keeps what the event loop does not: how many connections each address holds (checked
// before one is accepted), and by when each connection's current request must be
// complete. A thread shuts down the socket of a connection past its time, which the
// event loop then sees as a hang-up; a trickle of one byte a second therefore cannot
// hold a connection longer than the request timeout.
class ConnectionGuard {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ConnectionGuard(std::size_t max_per_address);
  ConnectionGuard(const ConnectionGuard&) = delete;
  ConnectionGuard& operator=(const ConnectionGuard&) = delete;
  ~ConnectionGuard();

  // Whether one more connection from this address is within its limit.
  [[nodiscard]] bool may_accept(const std::string& ip) const;
  void opened(const void* connection, int fd, const net::PeerAddress& peer, Clock::time_point deadline);
  void closed(const void* connection);
  // The time the connection's request must be complete by; nullopt: none (a handler or
  // a response is under way, each bounded otherwise).
  void set_deadline(const void* connection, std::optional<Clock::time_point> deadline);

  // Shuts down the socket of each connection past its deadline; returns how many.
  std::size_t reap(Clock::time_point now);
  void start_reaper();
  void stop_reaper();

  [[nodiscard]] std::size_t open_count() const;
  [[nodiscard]] std::uint64_t timed_out() const;

 private:
  struct Entry {
    int fd = -1;
    net::PeerAddress peer;
    std::optional<Clock::time_point> deadline;
  };

  std::size_t max_per_address_;
  mutable std::mutex mutex_;
  std::unordered_map<const void*, Entry> connections_;
  std::unordered_map<std::string, std::size_t> per_address_;
  std::uint64_t timed_out_ = 0;

  std::mutex reaper_mutex_;
  std::condition_variable reaper_wake_;
  bool reaper_stop_ = false;
  std::thread reaper_;
};

}  // namespace loa::http
