#include "connection_guard.hpp"

#include <sys/socket.h>

#include "loa/log/log.hpp"
#include "loa/log/rate_limiter.hpp"

namespace loa::http {
namespace {

const log::Logger kLog("http");

}  // namespace

ConnectionGuard::ConnectionGuard(std::size_t max_per_address) : max_per_address_(max_per_address) {}

ConnectionGuard::~ConnectionGuard() { stop_reaper(); }

bool ConnectionGuard::may_accept(const std::string& ip) const {
  std::lock_guard lock(mutex_);
  auto it = per_address_.find(ip);
  return it == per_address_.end() || it->second < max_per_address_;
}

void ConnectionGuard::opened(const void* connection, int fd, const net::PeerAddress& peer, Clock::time_point deadline) {
  std::lock_guard lock(mutex_);
  auto [it, fresh] = connections_.try_emplace(connection, Entry{fd, peer, deadline});
  if (fresh) ++per_address_[peer.ip];
}

void ConnectionGuard::closed(const void* connection) {
  std::lock_guard lock(mutex_);
  auto it = connections_.find(connection);
  if (it == connections_.end()) return;
  auto count = per_address_.find(it->second.peer.ip);
  if (count != per_address_.end() && --count->second == 0) per_address_.erase(count);
  connections_.erase(it);
}

void ConnectionGuard::set_deadline(const void* connection, std::optional<Clock::time_point> deadline) {
  std::lock_guard lock(mutex_);
  auto it = connections_.find(connection);
  if (it != connections_.end()) it->second.deadline = deadline;
}

std::size_t ConnectionGuard::reap(Clock::time_point now) {
  static log::RateLimiter limiter(std::chrono::minutes(1));
  std::size_t reaped = 0;
  std::lock_guard lock(mutex_);
  for (auto& [connection, entry] : connections_) {
    if (!entry.deadline || *entry.deadline > now) continue;
    entry.deadline.reset();
    // The entry is removed (under this lock) before the event loop closes the
    // descriptor, so the number still names this connection; the peer check is a
    // second guard against shutting down someone else's.
    const auto peer = net::peer_of_socket(entry.fd);
    if (!peer || peer->ip != entry.peer.ip || peer->port != entry.peer.port) continue;
    ::shutdown(entry.fd, SHUT_RDWR);
    ++reaped;
    ++timed_out_;
    std::uint64_t suppressed = 0;
    if (limiter.allow(entry.peer.ip, now, suppressed)) {
      kLog.warn("request too slow, connection closed: address={} suppressed={}", entry.peer.ip, suppressed);
    }
  }
  return reaped;
}

void ConnectionGuard::start_reaper() {
  reaper_stop_ = false;
  reaper_ = std::thread([this] {
    std::unique_lock lock(reaper_mutex_);
    while (!reaper_wake_.wait_for(lock, std::chrono::milliseconds(250), [this] { return reaper_stop_; })) {
      (void)reap(Clock::now());
    }
  });
}

void ConnectionGuard::stop_reaper() {
  {
    std::lock_guard lock(reaper_mutex_);
    reaper_stop_ = true;
  }
  reaper_wake_.notify_all();
  if (reaper_.joinable()) reaper_.join();
}

std::size_t ConnectionGuard::open_count() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

std::uint64_t ConnectionGuard::timed_out() const {
  std::lock_guard lock(mutex_);
  return timed_out_;
}

}  // namespace loa::http
