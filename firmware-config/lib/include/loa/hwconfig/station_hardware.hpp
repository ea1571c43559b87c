#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "loa/hwconfig/band_plan.hpp"
#include "loa/hwconfig/device_profile.hpp"

namespace loa::hwconfig {

// How one device of the station is reached.
struct DeviceConfig {
  std::string id;           // "exciter", "amp1"
  DeviceProfile profile;
  std::string tcp_host;     // set for Modbus TCP
  int tcp_port = 0;
  std::string rtu_device;   // set for RTU, e.g. /dev/ttyUSB0
  RtuDefaults rtu;          // profile's defaults, overridden by the station
  int unit_id = 1;
  std::chrono::milliseconds poll_interval{1000};
  std::chrono::milliseconds timeout{200};
  int retries = 1;
  int line = 0;
};

// The station's radio licence. Needed for FM stations; IP loudspeaker clusters have none.
struct Licence {
  double assigned_khz = 0;
  double tolerance_khz = 10;
  double max_power_w = 0;
  std::string expires;        // YYYY-MM-DD, the last valid day
  std::string type_approval;  // type-approval certificate reference
  bool temporary = false;     // a temporary licence (e.g. 87-108 MHz, not renewed)
};

enum class CompliancePolicy { alarm_only, mute };

struct StationHardware {
  std::string kind = "fm";  // fm, ip_cluster
  std::optional<Licence> licence;
  std::optional<BandPlan> band_plan;
  CompliancePolicy policy = CompliancePolicy::alarm_only;
  std::vector<DeviceConfig> devices;
  std::string file;
};

// Reads a station hardware file and everything it names (profiles, band plan; paths
// relative to the file). Throws config::ConfigError naming file, line and field.
[[nodiscard]] StationHardware load_station_hardware(const std::string& path);

// Days since 1970-01-01 of a YYYY-MM-DD date, or nullopt when it is not one.
[[nodiscard]] std::optional<long> parse_date(const std::string& text);

}  // namespace loa::hwconfig
