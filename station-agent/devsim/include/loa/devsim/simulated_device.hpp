#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "loa/hwconfig/device_profile.hpp"
#include "loa/modbus/modbus_context.hpp"

namespace loa::devsim {

// Faults the simulator can be told to show.
enum class Fault {
  out_of_band,       // carrier jumps outside every band of the plan
  over_power,        // forward power above the 30 W ceiling
  over_temperature,  // heat-sink far above its alarm threshold
  high_vswr,         // reflected power climbs (corroded antenna cable)
  pll_unlock,        // exciter PLL loses lock
  mains_loss,        // mains gone, running on battery
  no_answer,         // requests are swallowed
  slow_answer,       // answers arrive late (past a 200 ms timeout)
  garbage,           // answers are junk bytes (bad CRC on RTU)
  battery_drain,     // a power device's charging source is gone (night, mains lost): the load drains the battery
};

[[nodiscard]] std::optional<Fault> parse_fault(const std::string& text);
[[nodiscard]] const char* to_string(Fault f);

struct SimulationSettings {
  double carrier_khz = 64500;  // where the transmitter sits when healthy
  double forward_power_w = 25;
  double ambient_c = 30;
  // A power device (a profile with a battery_soc_pct point): its battery, the station's
  // load, and how much faster than real time the battery charges and drains.
  double battery_soc_pct = 80;
  double battery_capacity_ah = 100;
  double load_current_a = 8;
  double charging_current_a = 10;
  double battery_time_factor = 1;
};

// A device that follows its profile: readings move plausibly (the heat-sink warms while
// the output is on, cools when off), writes to writable points take effect, and faults
// bend the readings. Thread-safe.
class SimulatedDevice {
 public:
  SimulatedDevice(hwconfig::DeviceProfile profile, SimulationSettings settings);

  // Advances the physics by `dt` and rewrites the readable registers.
  void step(std::chrono::milliseconds dt);
  void set_faults(std::set<Fault> faults);
  [[nodiscard]] std::set<Fault> faults() const;
  [[nodiscard]] bool has_fault(Fault f) const;

  // Answers one request under the device's lock.
  bool reply(modbus::ModbusContext& context, const std::vector<std::uint8_t>& request);

  // The engineering value of a point, as a client would read it now.
  [[nodiscard]] double value_of(const std::string& point_name) const;
  [[nodiscard]] const hwconfig::DeviceProfile& profile() const { return profile_; }

 private:
  [[nodiscard]] double read_point(const hwconfig::Point& p) const;
  void write_point(const hwconfig::Point& p, double value);
  [[nodiscard]] bool output_on() const;
  // Moves the battery's charge by `dt` and writes the power readings.
  void step_power(std::chrono::milliseconds dt);

  hwconfig::DeviceProfile profile_;
  SimulationSettings settings_;
  mutable std::mutex mutex_;
  modbus::RegisterImage image_;
  std::set<Fault> faults_;
  double temperature_c_;
  double soc_pct_;
};

}  // namespace loa::devsim
