#pragma once

#include <chrono>
#include <string>

namespace loa::test {

// A plain TCP connection of the test's own, for clients that no HTTP library would be:
// ones that trickle, idle, or send far too much. `source_ip` picks the loopback address
// it comes from (127.0.0.0/8 is all loopback), so one test can be many addresses.
class TcpClient {
 public:
  TcpClient(const std::string& source_ip, int port);
  TcpClient(TcpClient&& other) noexcept;
  TcpClient& operator=(TcpClient&& other) noexcept;
  TcpClient(const TcpClient&) = delete;
  TcpClient& operator=(const TcpClient&) = delete;
  ~TcpClient();

  [[nodiscard]] bool connected() const { return fd_ >= 0; }
  // Sends all of it (blocking); false once the server has closed or reset.
  bool send(const std::string& bytes);
  // Sends what the socket takes now without waiting; false once the server has closed.
  bool send_now(const std::string& bytes);
  // The first line the server sends (e.g. "HTTP/1.1 431 ..."), "" if none in time.
  [[nodiscard]] std::string status_line(std::chrono::milliseconds timeout);
  // True when the server closes the connection (EOF or reset) within `timeout`;
  // anything it sends before is read and dropped.
  [[nodiscard]] bool closed_within(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
};

}  // namespace loa::test
