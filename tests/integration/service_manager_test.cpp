// Under systemd: loa-agent says READY=1 once it runs, feeds the watchdog from its loop,
// and says STOPPING=1 on SIGTERM (what Type=notify and WatchdogSec= in the unit rely on).
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "support/fleet.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;

// A notification socket like systemd's.
class NotifySocket {
 public:
  explicit NotifySocket(std::string path) : path_(std::move(path)), fd_(::socket(AF_UNIX, SOCK_DGRAM, 0)) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    timeval tv{0, 100'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~NotifySocket() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  // Collects what arrives for `wait`.
  std::string receive(std::chrono::milliseconds wait) {
    std::string all;
    const auto until = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < until) {
      char buf[512];
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n > 0) all.append(buf, static_cast<std::size_t>(n)).append("\n");
    }
    return all;
  }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_;
};

int count(const std::string& text, const std::string& word) {
  int n = 0;
  for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++n;
  return n;
}

TEST(ServiceManager, AgentNotifiesReadyFeedsTheWatchdogAndSaysWhenItStops) {
  Fleet fleet;
  fleet.start_controller();
  NotifySocket notify(fleet.dir() + "/notify.sock");
  fleet.start_agent("svc-1", {"env", "NOTIFY_SOCKET=" + notify.path(), "WATCHDOG_USEC=400000"});
  const auto first = notify.receive(1500ms);
  EXPECT_EQ(count(first, "READY=1"), 1) << first;
  // Half the 400 ms watchdog interval: about seven pings in 1.5 s.
  EXPECT_GE(count(first, "WATCHDOG=1"), 5) << first;
  fleet.stop_agent("svc-1", SIGTERM);
  EXPECT_NE(notify.receive(300ms).find("STOPPING=1"), std::string::npos);
}

}  // namespace
}  // namespace loa::test
