#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace loa::server {

// An eventfd other threads write to wake the loop out of zmq_poll.
class WakeFd {
 public:
  WakeFd() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  }
  WakeFd(const WakeFd&) = delete;
  WakeFd& operator=(const WakeFd&) = delete;
  ~WakeFd() { ::close(fd_); }
  void signal() const {
    std::uint64_t one = 1;
    (void)!::write(fd_, &one, sizeof one);
  }
  void drain() const {
    std::uint64_t value = 0;
    (void)!::read(fd_, &value, sizeof value);
  }
  [[nodiscard]] int fd() const { return fd_; }

 private:
  int fd_;
};

}  // namespace loa::server
