#include "support/tcp_relay.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

namespace loa::test {
namespace {

sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

}  // namespace

TcpRelay::TcpRelay(int target_port) : target_port_(target_port) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  auto a = loopback(0);
  socklen_t len = sizeof a;
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listener_, 16) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    throw std::runtime_error("relay: cannot listen");
  }
  port_ = ntohs(a.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

TcpRelay::~TcpRelay() {
  stop_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  acceptor_.join();
  {
    std::lock_guard lock(mutex_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& t : threads_) t.join();
  for (int fd : fds_) ::close(fd);
  ::close(listener_);
}

void TcpRelay::accept_loop() {
  while (!stop_) {
    pollfd p{listener_, POLLIN, 0};
    // A cut link leaves new connections in the backlog, unanswered: silence again.
    if (cut_ || ::poll(&p, 1, 100) <= 0) {
      if (cut_) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    const int in = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (in < 0) continue;
    const int out = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const auto target = loopback(target_port_);
    if (::connect(out, reinterpret_cast<const sockaddr*>(&target), sizeof target) != 0) {
      ::close(in);
      ::close(out);
      continue;
    }
    std::lock_guard lock(mutex_);
    fds_.push_back(in);
    fds_.push_back(out);
    threads_.emplace_back([this, in, out] { carry(in, out); });
    threads_.emplace_back([this, in, out] { carry(out, in); });
  }
}

void TcpRelay::carry(int from, int to) {
  char buf[16384];
  bool broken = false;  // a connection that lost data to a cut never carries again
  while (!stop_) {
    pollfd p{from, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const auto n = ::read(from, buf, sizeof buf);
    if (n <= 0) {
      ::shutdown(to, SHUT_WR);
      return;
    }
    broken = broken || cut_;
    if (broken) continue;  // dropped on the floor
    for (ssize_t sent = 0; sent < n;) {
      // A peer that has gone (a browser closing its connection) must not kill the test
      // with SIGPIPE: the write fails and this direction ends.
      const auto w = ::send(to, buf + sent, static_cast<std::size_t>(n - sent), MSG_NOSIGNAL);
      if (w <= 0) return;
      sent += w;
    }
  }
}

}  // namespace loa::test
