#pragma once

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace loa::test {

// A TCP relay on loopback: what connects to port() is carried to `target_port`, both
// ways, until cut() partitions it. A cut link drops everything silently, in both
// directions and for new connections too, as a broken network does: no reset, no error,
// only silence (a program on either side finds out by its own timeouts). retarget()
// sends new connections elsewhere, as a floating address moved to another machine does.
class TcpRelay {
 public:
  explicit TcpRelay(int target_port);
  TcpRelay(const TcpRelay&) = delete;
  TcpRelay& operator=(const TcpRelay&) = delete;
  ~TcpRelay();

  [[nodiscard]] int port() const { return port_; }
  void cut() { cut_ = true; }
  // The network is back: new connections are carried again (those cut stay broken).
  void mend() { cut_ = false; }
  void retarget(int target_port) { target_port_ = target_port; }

 private:
  void accept_loop();
  void carry(int from, int to);

  std::atomic<int> target_port_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> cut_{false};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<int> fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace loa::test
