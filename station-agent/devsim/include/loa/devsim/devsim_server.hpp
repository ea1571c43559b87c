#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "loa/devsim/simulated_device.hpp"
#include "loa/modbus/modbus_context.hpp"

namespace loa::devsim {

struct ServerOptions {
  std::optional<modbus::TcpEndpoint> tcp;  // port 0 = any free port
  std::optional<modbus::RtuEndpoint> rtu;
  std::string fault_file;  // re-read when it changes: "FAULT" (every device) or "UNIT:FAULT", one per line
  std::chrono::milliseconds slow_delay{500};
  std::chrono::milliseconds step{100};  // physics step and fault-file check
  // Requests received, by unit, written here ("UNIT COUNT" a line) at each step when
  // they changed: how often a station polls, seen from the bus.
  std::string requests_file;
};

// Serves simulated devices over Modbus TCP (many clients; several devices told apart by
// unit id, like a station's RS-485 bus behind a gateway) or RTU (one device on a serial
// device or one end of a pty pair), applying each device's faults to how it answers.
class DevsimServer {
 public:
  // unit id -> device; RTU serves exactly one.
  DevsimServer(std::map<int, SimulatedDevice*> devices, ServerOptions options);
  DevsimServer(const DevsimServer&) = delete;
  DevsimServer& operator=(const DevsimServer&) = delete;
  ~DevsimServer();

  // Opens the port; returns what clients use: "tcp://HOST:PORT" or "rtu://DEVICE".
  std::string open();
  // Serves until `stop` is set or `extra_fd` (e.g. a signal descriptor) is readable.
  void run(const std::atomic<bool>& stop, int extra_fd = -1);

 private:
  void answer(modbus::ModbusContext& ctx, int fd);
  void reload_faults();
  void write_request_counts();

  std::map<int, SimulatedDevice*> devices_;
  ServerOptions options_;
  std::optional<modbus::ModbusContext> ctx_;
  int listen_fd_ = -1;
  std::string fault_file_text_;
  std::map<int, std::uint64_t> requests_;  // by unit
  bool requests_changed_ = true;
};

}  // namespace loa::devsim
