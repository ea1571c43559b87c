#pragma once

#include <chrono>
#include <map>
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

// Polls one Modbus device from its profile: reads each table's points in as few
// requests as the protocol allows, scales them, and says "unreachable" (never a guess)
// when the device does not answer within timeout and retries. Reconnects by itself.
// Not thread-safe: one poller belongs to one thread.
class DevicePoller {
 public:
  explicit DevicePoller(hwconfig::DeviceConfig config);

  [[nodiscard]] PollResult poll();
  // Writes a point (engineering value). Refused without touching the bus unless the
  // profile marks the point writable and allows the value.
  [[nodiscard]] WriteResult write(const std::string& point_name, double value);
  [[nodiscard]] const hwconfig::DeviceConfig& config() const { return config_; }
  // Requests one full poll takes (for the benchmark and tests).
  [[nodiscard]] std::size_t request_count() const { return blocks_.size(); }

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
  std::optional<modbus::ModbusContext> ctx_;
};

// Checks a write against the profile alone: the point exists, is writable, and the
// value is allowed. Empty on success, else the reason.
[[nodiscard]] std::string refuse_write(const hwconfig::DeviceProfile& profile, const std::string& point_name,
                                       double value);

// The readings mapped onto telemetry fields by the points' roles.
[[nodiscard]] loa::v1::Telemetry to_telemetry(const hwconfig::DeviceConfig& device, const PollResult& result);

}  // namespace loa::hardware
