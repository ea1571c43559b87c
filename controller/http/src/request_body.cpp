#include "request_body.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <vector>

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

httplib::ContentReader RequestBody::reader() const {
  const int fd = fd_;
  const bool spooled = !path_.empty();
  const std::string* body = into_;
  auto read_all = [fd, spooled, body](httplib::ContentReceiver receiver) {
    if (!spooled) return body == nullptr || body->empty() || receiver(body->data(), body->size());
    if (fd < 0 || ::lseek(fd, 0, SEEK_SET) != 0) return false;
    std::vector<char> chunk(64 * 1024);
    for (;;) {
      const auto n = ::read(fd, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return false;
      if (n == 0) return true;
      if (!receiver(chunk.data(), static_cast<std::size_t>(n))) return false;
    }
  };
  // Multipart bodies are not taken: every route reads a raw body.
  return httplib::ContentReader(read_all, [](httplib::MultipartContentHeader, httplib::ContentReceiver) { return false; });
}

}  // namespace loa::http
