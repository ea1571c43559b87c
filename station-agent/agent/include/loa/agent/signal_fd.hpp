#pragma once

namespace loa::agent {

// SIGINT, SIGTERM and SIGHUP as a readable descriptor, so the event loop takes them
// like any other input instead of in an async handler. Blocks those signals for the
// calling thread (call before starting threads). Move-only; closes on destruction.
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

}  // namespace loa::agent
