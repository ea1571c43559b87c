#pragma once

#include <httplib.h>
#include <sys/types.h>

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace loa::http {

// A response made while it is sent (server-sent events). Its provider runs on a thread
// of its own and writes into a bounded buffer; the event loop takes from the buffer and
// parks (suspends) the connection while it is empty, so an open stream costs the event
// loop nothing between events.
class ResponseStream {
 public:
  // What the event loop gets from read().
  static constexpr ssize_t kEnd = -1;    // the provider said done: end the response
  static constexpr ssize_t kError = -2;  // cut short (provider failed, front stopping)

  // `park` suspends the connection (called from inside read(), on the event loop);
  // `resume` wakes it (called from the provider's thread, or by close()).
  ResponseStream(httplib::Response response, std::function<void()> park, std::function<void()> resume);
  ResponseStream(const ResponseStream&) = delete;
  ResponseStream& operator=(const ResponseStream&) = delete;

  // Event loop: up to `max` bytes into `out`; 0 after parking the connection when
  // nothing is ready yet; kEnd or kError at the end.
  [[nodiscard]] ssize_t read(char* out, std::size_t max);
  // Event loop: the connection is finished with the response (sent, or the client left).
  void connection_gone();

  // The provider's thread: runs the provider until it is done or the stream is closed.
  void pump();
  // Ends the stream from outside (front stopping): the provider sees it cannot write.
  void close();

 private:
  bool write(const char* data, std::size_t size);
  void finish(bool ok);
  // Under the lock: takes the parked flag, so that exactly one caller resumes.
  bool take_parked();

  static constexpr std::size_t kMaxBuffered = 256 * 1024;

  httplib::Response response_;
  std::function<void()> park_;
  std::function<void()> resume_;
  std::mutex mutex_;
  std::condition_variable room_;
  std::string buffer_;
  std::size_t written_ = 0;
  bool parked_ = false;
  bool finished_ = false;  // provider done (ok_ says how)
  bool ok_ = false;
  bool closed_ = false;    // nobody reads any more
};

}  // namespace loa::http
