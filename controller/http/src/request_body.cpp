#include "request_body.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace loa::http {

RequestBody::~RequestBody() {
  if (fd_ >= 0) ::close(fd_);
  if (!path_.empty()) ::unlink(path_.c_str());
}

void RequestBody::prepare(std::size_t max_bytes, bool spool, const std::string& spool_dir, std::string& into) {
  max_bytes_ = max_bytes;
  into_ = &into;
  if (!spool) return;
  static std::atomic<unsigned> counter{0};
  path_ = spool_dir + "/upload-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}

RequestBody::Append RequestBody::append(const char* data, std::size_t size) {
  if (size > max_bytes_ - size_) return Append::too_large;
  if (path_.empty()) {
    into_->append(data, size);
    size_ += size;
    return Append::ok;
  }
  if (fd_ < 0) return Append::write_failed;
  for (std::size_t done = 0; done < size;) {
    const auto n = ::write(fd_, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Append::write_failed;
    done += static_cast<std::size_t>(n);
  }
  size_ += size;
  return Append::ok;
}

}  // namespace loa::http
