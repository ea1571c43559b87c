#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace loa::hwconfig {

// Which Modbus table a point lives in.
enum class Table { holding, input, coil, discrete };
// How a point's raw value is laid out in registers.
enum class ValueType { boolean, u16, s16, u32, s32, float32 };
// Word order of 32-bit values: "big" = high word first (ABCD), "little" = low word first (CDAB).
enum class WordOrder { big, little };

// What a point means to Loa. Readings map onto loa.v1.Telemetry fields; writable roles
// are what commands may change.
enum class Role {
  none,  // read and shown, not mapped
  powered_on, temperature_c, forward_power_w, reflected_power_w, vswr, carrier_khz,
  mains_voltage_v, battery_voltage_v, on_battery, pll_locked, muted, fault_code,
  output_level,
  // A station's power: a solar charge controller or a UPS.
  battery_soc_pct, battery_capacity_ah, charging_current_a, load_current_a, pv_voltage_v,
};

// A reading the agent works out from others rather than reads: usable as an alarm's
// point when the profile has what it needs.
inline constexpr const char* kDerivedVswr = "vswr";  // from forward and reflected power
// Hours the battery lasts at the present draw: charge left (state of charge times
// capacity) over the current the load takes beyond what charging gives; kMaxHoursLeft
// while the battery is not draining.
inline constexpr const char* kDerivedBatteryHoursLeft = "battery_hours_left";
inline constexpr double kMaxHoursLeft = 1000.0;

[[nodiscard]] const char* to_string(Table t);
[[nodiscard]] const char* to_string(ValueType t);
[[nodiscard]] const char* to_string(Role r);
[[nodiscard]] std::optional<Role> parse_role(const std::string& text);

struct Point {
  std::string name;
  Role role = Role::none;
  Table table = Table::holding;
  std::uint16_t address = 0;
  ValueType type = ValueType::u16;
  WordOrder word_order = WordOrder::big;
  double scale = 1.0;  // engineering value = raw * scale + offset
  double offset = 0.0;
  std::string unit;
  bool writable = false;
  std::vector<double> allowed;  // writable values, engineering units; empty = see min/max
  std::optional<double> min;    // writable range, engineering units
  std::optional<double> max;
  int line = 0;                 // where it is defined, for error messages

  // Registers (or bits) it occupies.
  [[nodiscard]] std::uint16_t width() const;
};

// A condition on one point that raises an alarm. Exactly one of above/below/equals.
struct AlarmRule {
  std::string id;
  std::string point;
  std::optional<double> above;   // raised when value > above; clears below above - hysteresis
  std::optional<double> below;   // raised when value < below; clears above below + hysteresis
  std::optional<double> equals;  // raised when value == equals (booleans, fault codes)
  double hysteresis = 0.0;
  int raise_cycles = 1;  // consecutive cycles in the alarm condition before raising
  int clear_cycles = 1;  // consecutive cycles out of it (past hysteresis) before clearing
  std::string severity = "warning";  // info, warning, critical
  std::string message;
  std::string message_vi;  // the same in Vietnamese, which the console shows on a Vietnamese page
  int line = 0;
};

struct RtuDefaults {
  int baud = 9600;
  char parity = 'N';  // N, E, O
  int data_bits = 8;
  int stop_bits = 1;
};

// A Modbus device model: how to reach it, its points, and its alarm rules.
struct DeviceProfile {
  std::string model;
  std::string kind;  // transmitter, amplifier, speaker_cluster, power (solar charge controller, UPS)
  std::string description;
  RtuDefaults rtu;
  int tcp_port = 502;
  int unit_id = 1;
  std::vector<Point> points;
  std::vector<AlarmRule> alarms;
  std::string file;

  [[nodiscard]] const Point* find_point(const std::string& name) const;
  [[nodiscard]] const Point* find_role(Role role) const;
};

// Whether `name` is a derived reading this profile can give (see kDerived*).
[[nodiscard]] bool derivable(const DeviceProfile& profile, const std::string& name);
// Adds to one cycle's readings (engineering values by point name) the derived ones the
// profile can give and does not read itself.
void add_derived(const DeviceProfile& profile, std::map<std::string, double>& values);

// Reads and checks a profile. Throws config::ConfigError naming file, line and field:
// unknown table/type/role, overlapping addresses, alarms on unknown points, a writable
// point in a read-only table, and so on.
[[nodiscard]] DeviceProfile load_device_profile(const std::string& path);

}  // namespace loa::hwconfig
