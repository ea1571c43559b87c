#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "loa/daemon/heap.hpp"
#include "loa/daemon/loop_beat.hpp"
#include "loa/daemon/service_manager.hpp"
#include "loa/daemon/signal_fd.hpp"
#include "support/process.hpp"

namespace loa::daemon {
namespace {

using namespace std::chrono_literals;

TEST(SignalFd, AStopSignalIsReadFromTheDescriptorInsteadOfKillingTheProcess) {
  SignalFd signals;
  EXPECT_EQ(signals.read(), 0);  // nothing pending
  ASSERT_EQ(::raise(SIGTERM), 0);
  EXPECT_EQ(signals.read(), SIGTERM);
  ASSERT_EQ(::raise(SIGHUP), 0);
  EXPECT_EQ(signals.read(), SIGHUP);
  EXPECT_EQ(signals.read(), 0);
}

// AddressSanitizer and ThreadSanitizer replace glibc's malloc (GCC says so with a macro,
// clang through __has_feature).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kOwnAllocator = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kOwnAllocator = true;
#else
constexpr bool kOwnAllocator = false;
#endif
#else
constexpr bool kOwnAllocator = false;
#endif

// Blocks the size of libzmq's queue chunks, each beside a small block that outlives it
// (as a connection's other state does): once freed, their memory is no longer resident,
// without waiting for a trim.
TEST(Heap, BlocksFromTheThresholdUpAreGivenBackToTheSystemWhenFreed) {
  if (kOwnAllocator) GTEST_SKIP() << "built with a sanitizer that brings its own allocator";
  map_large_blocks(16 * 1024);
  constexpr std::size_t kBlocks = 1000, kBlockBytes = 16400;
  std::vector<void*> chunks, neighbours;
  for (std::size_t i = 0; i < kBlocks; ++i) {
    chunks.push_back(std::malloc(kBlockBytes));
    neighbours.push_back(std::malloc(64));
    std::memset(chunks.back(), 1, kBlockBytes);
    std::memset(neighbours.back(), 1, 64);
  }
  const auto before = test::proc_status(::getpid(), "VmRSS");
  for (auto* c : chunks) std::free(c);
  const auto after = test::proc_status(::getpid(), "VmRSS");
  for (auto* n : neighbours) std::free(n);
  // 16 MB were touched; nearly all of it must be gone.
  EXPECT_GT(before - after, static_cast<long>(kBlocks * kBlockBytes / 1024 * 9 / 10)) << before << " -> " << after;
}

TEST(LoopBeat, ALoopQuietLongerThanItsLimitIsLateAndItsLongestTurnIsKept) {
  LoopBeat beat("test", 200ms);  // wide: a loaded machine may pause this thread
  beat.beat();
  EXPECT_FALSE(beat.late());
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(beat.late());
  EXPECT_GE(beat.quiet(), 300ms);
  beat.beat();
  EXPECT_FALSE(beat.late());
  EXPECT_GE(beat.longest_turn(), 300ms);
  EXPECT_EQ(beat.name(), "test");
}

// A service manager's notify socket, as systemd gives one (NOTIFY_SOCKET).
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : fd_(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof addr.sun_path - 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;
  ~NotifySocket() { ::close(fd_); }
  // The next message, or empty after five seconds without one.
  std::string next() const {
    char buf[256];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }
  std::string next_now() const {
    char buf[256];
    const auto n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }

 private:
  int fd_;
};

TEST(ServiceManager, ReadyStoppingAndAWatchdogFedAtHalfItsInterval) {
  test::ScratchDir dir;
  NotifySocket manager(dir.path() + "/notify");
  ::setenv("NOTIFY_SOCKET", (dir.path() + "/notify").c_str(), 1);
  ::setenv("WATCHDOG_USEC", "4000000", 1);  // fed every 2 s at most
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  notify_ready();
  EXPECT_EQ(manager.next(), "READY=1");
  Watchdog watchdog;
  EXPECT_TRUE(watchdog.enabled());
  watchdog.feed();
  EXPECT_EQ(manager.next(), "WATCHDOG=1");
  watchdog.feed();  // too soon (well within 2 s): nothing
  EXPECT_EQ(manager.next_now(), "");
  std::this_thread::sleep_for(2100ms);
  watchdog.feed();
  EXPECT_EQ(manager.next(), "WATCHDOG=1");
  notify_stopping();
  EXPECT_EQ(manager.next(), "STOPPING=1");
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  ::unsetenv("WATCHDOG_PID");
  EXPECT_FALSE(Watchdog().enabled());  // no service manager: nothing to feed
}

}  // namespace
}  // namespace loa::daemon
