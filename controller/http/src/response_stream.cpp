#include "response_stream.hpp"

#include <chrono>
#include <cstring>

namespace loa::http {

namespace {
// A client that reads nothing for this long while the buffer is full is cut.
constexpr auto kSlowReader = std::chrono::seconds(30);
}  // namespace

ResponseStream::ResponseStream(httplib::Response response, std::function<void()> park, std::function<void()> resume)
    : response_(std::move(response)), park_(std::move(park)), resume_(std::move(resume)) {}

bool ResponseStream::take_parked() {
  const bool was = parked_;
  parked_ = false;
  return was;
}

ssize_t ResponseStream::read(char* out, std::size_t max) {
  std::lock_guard lock(mutex_);
  if (!buffer_.empty()) {
    const std::size_t n = std::min(max, buffer_.size());
    std::memcpy(out, buffer_.data(), n);
    buffer_.erase(0, n);
    room_.notify_all();
    return static_cast<ssize_t>(n);
  }
  if (closed_) return kError;
  if (finished_) return ok_ ? kEnd : kError;
  // Nothing yet: park the connection until the provider writes. Done under the lock,
  // so a write that comes now finds parked_ set and resumes it.
  parked_ = true;
  park_();
  return 0;
}

void ResponseStream::connection_gone() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  parked_ = false;  // nothing to resume: the connection is going
  room_.notify_all();
}

void ResponseStream::close() {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    wake = take_parked();
    room_.notify_all();
  }
  if (wake) resume_();
}

bool ResponseStream::write(const char* data, std::size_t size) {
  bool wake = false;
  {
    std::unique_lock lock(mutex_);
    if (!room_.wait_for(lock, kSlowReader, [this] { return closed_ || buffer_.size() < kMaxBuffered; })) {
      closed_ = true;  // the reader is stuck: give up on it
      wake = take_parked();
    } else if (!closed_) {
      buffer_.append(data, size);
      written_ += size;
      wake = take_parked();
    }
    if (closed_) {
      lock.unlock();
      if (wake) resume_();
      return false;
    }
  }
  if (wake) resume_();
  return true;
}

void ResponseStream::finish(bool ok) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    finished_ = true;
    ok_ = ok;
    wake = take_parked();
  }
  if (wake) resume_();
}

void ResponseStream::pump() {
  httplib::DataSink sink;
  bool done = false;
  sink.write = [this](const char* data, std::size_t size) { return write(data, size); };
  sink.done = [&done] { done = true; };
  sink.is_writable = [this] {
    std::lock_guard lock(mutex_);
    return !closed_;
  };
  bool ok = true;
  while (!done) {
    std::size_t offset = 0;
    {
      std::lock_guard lock(mutex_);
      if (closed_) {
        ok = false;
        break;
      }
      offset = written_;
    }
    if (!response_.content_provider_ || !response_.content_provider_(offset, 0, sink)) {
      ok = false;
      break;
    }
  }
  response_.content_provider_success_ = ok;
  finish(ok);
}

}  // namespace loa::http
