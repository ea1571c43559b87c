#pragma once

// A Modbus TCP server on loopback for unit tests: accepts one client and hands each
// request to `answer` (a RegisterImage's or a simulated device's reply), until the
// client hangs up or the server is destroyed. Header-only: tests that use it link
// loa_modbus themselves.
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "loa/modbus/modbus_context.hpp"
#include "support/process.hpp"

namespace loa::test {

class ModbusServer {
 public:
  // Returns whether to go on; an answer that sends nothing is a silent device.
  using Answer = std::function<void(modbus::ModbusContext&, const std::vector<std::uint8_t>&)>;

  explicit ModbusServer(Answer answer) : port_(free_port()) {
    auto server = std::make_shared<modbus::ModbusContext>(modbus::ModbusContext::tcp({"127.0.0.1", port_}));
    listen_ = server->listen_tcp(1);
    thread_ = std::thread([this, server, answer = std::move(answer)] {
      int listening = listen_;
      if (server->accept_tcp(listening) < 0) return;
      std::vector<std::uint8_t> request;
      while (!stop_) {
        const int length = server->receive(request);
        if (length < 0) return;  // the client hung up
        if (length > 0) answer(*server, request);
      }
    });
  }
  ModbusServer(const ModbusServer&) = delete;
  ModbusServer& operator=(const ModbusServer&) = delete;
  ~ModbusServer() {
    stop_ = true;
    ::shutdown(listen_, SHUT_RDWR);
    thread_.join();
    ::close(listen_);
  }

  [[nodiscard]] int port() const { return port_; }

  // A client of this server, unit 1, with a short response timeout.
  [[nodiscard]] modbus::ModbusContext client(std::chrono::milliseconds timeout = std::chrono::milliseconds(300)) const {
    auto c = modbus::ModbusContext::tcp({"127.0.0.1", port_});
    c.set_unit(1);
    c.set_response_timeout(timeout);
    return c;
  }

 private:
  int port_;
  int listen_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace loa::test
