#pragma once

#include <signal.h>

namespace loa::daemon {

// The signals that stop (SIGINT, SIGTERM) or would reload (SIGHUP) a Loa daemon.
// Blocks them in the calling thread, after taking back their default disposition: a
// daemon started in the background by a script inherits SIGINT as ignored, and an
// ignored signal never reaches a waiting thread. Call first in main(), before any thread
// starts, so every thread inherits the mask and the signals are taken synchronously.
// Also ignores SIGPIPE: a peer that closes its end is an error to handle, not a death.
sigset_t block_stop_signals();

// Waits for one of those signals; returns its number.
int wait_for_stop_signal();

// Those signals as a readable descriptor, for a daemon whose event loop polls.
// Closes on destruction.
class SignalFd {
 public:
  SignalFd();
  SignalFd(const SignalFd&) = delete;
  SignalFd& operator=(const SignalFd&) = delete;
  ~SignalFd();

  [[nodiscard]] int fd() const { return fd_; }
  // The pending signal number, or 0 if none.
  [[nodiscard]] int read() const;

 private:
  int fd_;
};

}  // namespace loa::daemon
