#pragma once

#include <cstddef>
#include <string>

namespace loa::http {

// A request's body as it arrives: kept in the request (small JSON) or written to a
// spool file (uploads), never past its limit.
class RequestBody {
 public:
  enum class Append { ok, too_large, write_failed };

  RequestBody() = default;
  RequestBody(const RequestBody&) = delete;
  RequestBody& operator=(const RequestBody&) = delete;
  ~RequestBody();

  // Where the body goes: `into` (the request's body string) or a new file in `spool_dir`.
  void prepare(std::size_t max_bytes, bool spool, const std::string& spool_dir, std::string& into);
  [[nodiscard]] Append append(const char* data, std::size_t size);
  [[nodiscard]] std::size_t size() const { return size_; }

  // The spool file that holds the body ("" when it is kept in the request).
  [[nodiscard]] const std::string& file() const { return path_; }

 private:
  std::size_t max_bytes_ = 0;
  std::size_t size_ = 0;
  std::string* into_ = nullptr;
  int fd_ = -1;
  std::string path_;
};

}  // namespace loa::http
