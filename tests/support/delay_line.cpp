#include "support/delay_line.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <random>
#include <vector>

namespace loa::test {
namespace {

using Clock = std::chrono::steady_clock;

int open_tun(const std::string& name, std::string& error) {
  const int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    error = std::string("/dev/net/tun: ") + std::strerror(errno);
    return -1;
  }
  ifreq request{};
  request.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (::ioctl(fd, TUNSETIFF, &request) < 0) {
    error = "TUNSETIFF " + name + ": " + std::strerror(errno);
    ::close(fd);
    return -1;
  }
  return fd;
}

struct Packet {
  Clock::time_point due;
  std::vector<char> bytes;
};

// About 4 s of a 3G downlink in full-size packets: beyond it the line drops, as a
// bearer's buffer would.
constexpr std::size_t kMaxWaiting = 4096;

}  // namespace

DelayLine::DelayLine(const std::string& a, const std::string& b) {
  fd_[0] = open_tun(a, error_);
  if (fd_[0] >= 0) fd_[1] = open_tun(b, error_);
  wake_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  ok_ = fd_[0] >= 0 && fd_[1] >= 0 && wake_ >= 0;
  if (ok_) thread_ = std::thread([this] { run(); });
}

DelayLine::~DelayLine() {
  stop_ = true;
  if (wake_ >= 0) {
    const std::uint64_t one = 1;
    (void)!::write(wake_, &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
  for (int fd : {fd_[0], fd_[1], wake_}) {
    if (fd >= 0) ::close(fd);
  }
}

void DelayLine::set(std::chrono::microseconds one_way, std::chrono::microseconds jitter) {
  one_way_us_ = static_cast<long>(one_way.count());
  jitter_us_ = static_cast<long>(jitter.count());
}

void DelayLine::run() {
  std::deque<Packet> waiting[2];  // waiting[i]: read from fd_[i], to be written to the other
  Clock::time_point last_due[2];
  std::mt19937 random(12345);  // the same jitter sequence every run
  std::vector<char> buffer(65536);
  while (!stop_) {
    auto now = Clock::now();
    int timeout_ms = 100;
    for (const auto& q : waiting) {
      if (q.empty()) continue;
      const auto until = std::chrono::duration_cast<std::chrono::microseconds>(q.front().due - now).count();
      timeout_ms = std::min<int>(timeout_ms, until <= 0 ? 0 : static_cast<int>((until + 999) / 1000));
    }
    pollfd fds[3] = {{fd_[0], POLLIN, 0}, {fd_[1], POLLIN, 0}, {wake_, POLLIN, 0}};
    if (::poll(fds, 3, timeout_ms) < 0 && errno != EINTR) return;
    now = Clock::now();
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      for (;;) {
        const auto n = ::read(fd_[i], buffer.data(), buffer.size());
        if (n <= 0) break;
        if (waiting[i].size() >= kMaxWaiting) continue;
        long delay = one_way_us_.load();
        const long jitter = jitter_us_.load();
        if (jitter > 0) delay += std::uniform_int_distribution<long>(-jitter, jitter)(random);
        auto due = now + std::chrono::microseconds(std::max(0L, delay));
        due = std::max(due, last_due[i]);  // never overtake the packet before
        last_due[i] = due;
        waiting[i].push_back({due, std::vector<char>(buffer.begin(), buffer.begin() + n)});
      }
    }
    for (int i = 0; i < 2; ++i) {
      while (!waiting[i].empty() && waiting[i].front().due <= now) {
        const auto& p = waiting[i].front().bytes;
        // A full device queue on the far side loses the packet, as a link would.
        (void)!::write(fd_[1 - i], p.data(), p.size());
        waiting[i].pop_front();
      }
    }
  }
}

}  // namespace loa::test
