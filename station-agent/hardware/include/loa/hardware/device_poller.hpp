#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loa/hwconfig/station_hardware.hpp"
#include "loa/modbus/modbus_context.hpp"
#include "loa/v1/telemetry.pb.h"

namespace loa::hardware {

struct PollResult {
  bool reachable = false;
  std::string error;                     // why not, when unreachable
  std::map<std::string, double> values;  // engineering values by point name (+ derived "vswr")
  int requests = 0;                      // Modbus requests this cycle took
  std::chrono::microseconds duration{0};
};

struct WriteResult {
  bool ok = false;
  std::string reason;  // why it was refused or failed
};

// An open Modbus connection shared by the devices of one RS-485 bus: one open of the
// serial port, whose pollers take turns on one thread, each addressing its own unit.
// Empty until the first device connects; reset when the port fails.
using SharedLink = std::shared_ptr<std::optional<modbus::ModbusContext>>;

// Polls one Modbus device from its profile: reads each table's points in as few
// requests as the protocol allows, scales them, and says "unreachable" (never a guess)
// when the device does not answer within timeout and retries. Reconnects by itself.
// Not thread-safe: one poller (and every poller sharing its link) belongs to one thread.
class DevicePoller {
 public:
  // `link`: the bus's connection, shared with the other devices on it (none: its own).
  explicit DevicePoller(hwconfig::DeviceConfig config, SharedLink link = nullptr);

  [[nodiscard]] PollResult poll();
  // Writes a point (engineering value). Refused without touching the bus unless the
  // profile marks the point writable and allows the value.
  [[nodiscard]] WriteResult write(const std::string& point_name, double value);
  [[nodiscard]] const hwconfig::DeviceConfig& config() const { return config_; }
  // Requests one full poll takes (for the benchmark and tests).
  [[nodiscard]] std::size_t request_count() const { return blocks_.size(); }
  // Modbus transactions since start, and those that failed (no answer in time, a bad
  // CRC, an exception): what a technician reads to judge the line. Read from any thread.
  [[nodiscard]] std::uint64_t transactions() const { return transactions_.load(); }
  [[nodiscard]] std::uint64_t failed_transactions() const { return failed_.load(); }

 private:
  struct Block {
    hwconfig::Table table;
    int start = 0;
    int count = 0;
    std::vector<const hwconfig::Point*> points;
  };
  bool ensure_connected(std::string& error);
  bool read_block(const Block& block, std::map<std::string, double>& values);

  hwconfig::DeviceConfig config_;
  std::vector<Block> blocks_;
  modbus::ModbusContext& ctx() { return **link_; }

  SharedLink link_;
  std::atomic<std::uint64_t> transactions_{0};
  std::atomic<std::uint64_t> failed_{0};
};

// Checks a write against the profile alone: the point exists, is writable, and the
// value is allowed. Empty on success, else the reason.
[[nodiscard]] std::string refuse_write(const hwconfig::DeviceProfile& profile, const std::string& point_name,
                                       double value);

// The readings mapped onto telemetry fields by the points' roles.
[[nodiscard]] loa::v1::Telemetry to_telemetry(const hwconfig::DeviceConfig& device, const PollResult& result);

}  // namespace loa::hardware
