#include "connection_guard.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "loa/log/log.hpp"
#include "loa/log/rate_limiter.hpp"

namespace loa::http {
namespace {

const log::Logger kLog("http");

// The peer a descriptor leads to now, to make sure a number is not reused before it is
// shut down.
std::optional<PeerAddress> peer_of_descriptor(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return std::nullopt;
  return peer_address_of(reinterpret_cast<const sockaddr*>(&addr));
}

}  // namespace

PeerAddress peer_address_of(const sockaddr* addr) {
  PeerAddress out;
  if (addr == nullptr) return out;
  char text[INET6_ADDRSTRLEN] = {};
  if (addr->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    out.port = ntohs(in->sin_port);
  } else if (addr->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      in_addr v4{};
      std::memcpy(&v4, &in6->sin6_addr.s6_addr[12], sizeof v4);
      ::inet_ntop(AF_INET, &v4, text, sizeof text);
    } else {
      ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    }
    out.port = ntohs(in6->sin6_port);
  }
  out.ip = text;
  return out;
}

ConnectionGuard::ConnectionGuard(std::size_t max_per_address) : max_per_address_(max_per_address) {}

ConnectionGuard::~ConnectionGuard() { stop_reaper(); }

bool ConnectionGuard::may_accept(const std::string& ip) const {
  std::lock_guard lock(mutex_);
  auto it = per_address_.find(ip);
  return it == per_address_.end() || it->second < max_per_address_;
}

void ConnectionGuard::opened(const void* connection, int fd, const PeerAddress& peer, Clock::time_point deadline) {
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
    const auto peer = peer_of_descriptor(entry.fd);
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
