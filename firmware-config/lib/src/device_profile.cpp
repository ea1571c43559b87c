#include "loa/hwconfig/device_profile.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "loa/config/config_section.hpp"

namespace loa::hwconfig {
namespace {

using config::ConfigError;
using config::ConfigSection;

constexpr std::array<std::pair<Role, const char*>, 19> kRoles{{
    {Role::none, "none"},
    {Role::powered_on, "powered_on"},
    {Role::temperature_c, "temperature_c"},
    {Role::forward_power_w, "forward_power_w"},
    {Role::reflected_power_w, "reflected_power_w"},
    {Role::vswr, "vswr"},
    {Role::carrier_khz, "carrier_khz"},
    {Role::mains_voltage_v, "mains_voltage_v"},
    {Role::battery_voltage_v, "battery_voltage_v"},
    {Role::on_battery, "on_battery"},
    {Role::pll_locked, "pll_locked"},
    {Role::muted, "muted"},
    {Role::fault_code, "fault_code"},
    {Role::output_level, "output_level"},
    {Role::battery_soc_pct, "battery_soc_pct"},
    {Role::battery_capacity_ah, "battery_capacity_ah"},
    {Role::charging_current_a, "charging_current_a"},
    {Role::load_current_a, "load_current_a"},
    {Role::pv_voltage_v, "pv_voltage_v"},
}};

Table parse_table(ConfigSection& s) {
  std::string text = "holding";
  s.read("table", text);
  if (text == "holding") return Table::holding;
  if (text == "input") return Table::input;
  if (text == "coil") return Table::coil;
  if (text == "discrete") return Table::discrete;
  s.fail("table", "unknown table '" + text + "' (holding, input, coil, discrete)");
}

ValueType parse_type(ConfigSection& s, Table table) {
  std::string text = (table == Table::coil || table == Table::discrete) ? "bool" : "u16";
  s.read("type", text);
  if (text == "bool") return ValueType::boolean;
  if (text == "u16") return ValueType::u16;
  if (text == "s16") return ValueType::s16;
  if (text == "u32") return ValueType::u32;
  if (text == "s32") return ValueType::s32;
  if (text == "float32") return ValueType::float32;
  s.fail("type", "unknown register type '" + text + "' (bool, u16, s16, u32, s32, float32)");
}

Point read_point(ConfigSection s) {
  Point p;
  p.line = s.line();
  s.read("name", p.name);
  if (p.name.empty()) s.fail("name", "every point needs a name");
  std::string role = "none";
  s.read("role", role);
  auto parsed = parse_role(role);
  if (!parsed) s.fail("role", "unknown role '" + role + "'");
  p.role = *parsed;
  p.table = parse_table(s);
  std::int64_t address = -1;
  s.read("address", address, 0, 65535);
  if (address < 0) s.fail("address", "every point needs an address (0-65535)");
  p.address = static_cast<std::uint16_t>(address);
  p.type = parse_type(s, p.table);
  const bool bit_table = p.table == Table::coil || p.table == Table::discrete;
  if (bit_table != (p.type == ValueType::boolean)) {
    s.fail("type", bit_table ? "coils and discrete inputs are bool" : "bool points live in coils or discrete inputs");
  }
  std::string order = "big";
  s.read("word_order", order);
  if (order != "big" && order != "little") s.fail("word_order", "must be big or little");
  p.word_order = order == "big" ? WordOrder::big : WordOrder::little;
  s.read("scale", p.scale);
  if (p.scale == 0.0) s.fail("scale", "must not be 0");
  s.read("offset", p.offset);
  s.read("unit", p.unit);
  s.read("writable", p.writable);
  if (p.writable && (p.table == Table::input || p.table == Table::discrete)) {
    s.fail("writable", std::string(to_string(p.table)) + " registers cannot be written");
  }
  s.read("allowed", p.allowed);
  s.read("min", p.min);
  s.read("max", p.max);
  if (!p.writable && (!p.allowed.empty() || p.min || p.max)) {
    s.fail(!p.allowed.empty() ? "allowed" : (p.min ? "min" : "max"), "only writable points have allowed values");
  }
  if (p.writable && p.allowed.empty() && !(p.min && p.max)) {
    s.fail("writable", "a writable point needs its allowed values (allowed, or min and max)");
  }
  s.finish();
  return p;
}

AlarmRule read_alarm(ConfigSection s, const DeviceProfile& profile) {
  AlarmRule a;
  a.line = s.line();
  s.read("id", a.id);
  if (a.id.empty()) s.fail("id", "every alarm needs an id");
  s.read("point", a.point);
  if (!profile.find_point(a.point) && !derivable(profile, a.point)) {
    s.fail("point", "no point named '" + a.point + "'" + (a.point == kDerivedBatteryHoursLeft
                                                                ? " (battery_hours_left needs the roles battery_soc_pct, "
                                                                  "battery_capacity_ah and load_current_a)"
                                                                : ""));
  }
  s.read("above", a.above);
  s.read("below", a.below);
  s.read("equals", a.equals);
  if ((a.above ? 1 : 0) + (a.below ? 1 : 0) + (a.equals ? 1 : 0) != 1) {
    s.fail("above", "an alarm needs exactly one of above, below, equals");
  }
  s.read("hysteresis", a.hysteresis);
  if (a.hysteresis < 0) s.fail("hysteresis", "must not be negative");
  std::int64_t raise = a.raise_cycles;
  std::int64_t clear = a.clear_cycles;
  s.read("raise_cycles", raise, 1, 1000);
  s.read("clear_cycles", clear, 1, 1000);
  a.raise_cycles = static_cast<int>(raise);
  a.clear_cycles = static_cast<int>(clear);
  s.read("severity", a.severity);
  if (a.severity != "info" && a.severity != "warning" && a.severity != "critical") {
    s.fail("severity", "must be info, warning or critical");
  }
  s.read("message", a.message);
  if (a.message.empty()) a.message = a.id;
  s.read("message_vi", a.message_vi);
  s.finish();
  return a;
}

}  // namespace

const char* to_string(Table t) {
  switch (t) {
    case Table::holding: return "holding";
    case Table::input: return "input";
    case Table::coil: return "coil";
    case Table::discrete: return "discrete";
  }
  return "holding";
}

const char* to_string(ValueType t) {
  switch (t) {
    case ValueType::boolean: return "bool";
    case ValueType::u16: return "u16";
    case ValueType::s16: return "s16";
    case ValueType::u32: return "u32";
    case ValueType::s32: return "s32";
    case ValueType::float32: return "float32";
  }
  return "u16";
}

const char* to_string(Role r) {
  for (const auto& [role, name] : kRoles) {
    if (role == r) return name;
  }
  return "none";
}

std::optional<Role> parse_role(const std::string& text) {
  for (const auto& [role, name] : kRoles) {
    if (text == name) return role;
  }
  return std::nullopt;
}

std::uint16_t Point::width() const {
  switch (type) {
    case ValueType::u32:
    case ValueType::s32:
    case ValueType::float32: return 2;
    default: return 1;
  }
}

const Point* DeviceProfile::find_point(const std::string& name) const {
  auto it = std::find_if(points.begin(), points.end(), [&](const Point& p) { return p.name == name; });
  return it == points.end() ? nullptr : &*it;
}

const Point* DeviceProfile::find_role(Role role) const {
  auto it = std::find_if(points.begin(), points.end(), [&](const Point& p) { return p.role == role; });
  return it == points.end() ? nullptr : &*it;
}

bool derivable(const DeviceProfile& profile, const std::string& name) {
  if (name == kDerivedVswr) return profile.find_role(Role::forward_power_w) && profile.find_role(Role::reflected_power_w);
  if (name == kDerivedBatteryHoursLeft) {
    return profile.find_role(Role::battery_soc_pct) && profile.find_role(Role::battery_capacity_ah) &&
           profile.find_role(Role::load_current_a);
  }
  return false;
}

void add_derived(const DeviceProfile& profile, std::map<std::string, double>& values) {
  auto reading = [&](Role role) -> std::optional<double> {
    const auto* p = profile.find_role(role);
    if (!p) return std::nullopt;
    auto it = values.find(p->name);
    return it == values.end() ? std::nullopt : std::optional<double>(it->second);
  };
  if (!profile.find_role(Role::vswr)) {
    const auto forward = reading(Role::forward_power_w);
    const auto reflected = reading(Role::reflected_power_w);
    // Meaningless without forward power.
    if (forward && reflected && *forward > 0.5) {
      const double gamma = std::sqrt(std::clamp(*reflected / *forward, 0.0, 0.99));
      values[kDerivedVswr] = (1 + gamma) / (1 - gamma);
    }
  }
  if (!profile.find_point(kDerivedBatteryHoursLeft)) {
    const auto soc = reading(Role::battery_soc_pct);
    const auto capacity = reading(Role::battery_capacity_ah);
    const auto load = reading(Role::load_current_a);
    if (soc && capacity && load) {
      // What drains the battery is the load beyond what charging brings in.
      const double draw = *load - reading(Role::charging_current_a).value_or(0.0);
      const double left_ah = std::clamp(*soc, 0.0, 100.0) / 100.0 * std::max(*capacity, 0.0);
      values[kDerivedBatteryHoursLeft] = draw > 0.01 ? std::min(left_ah / draw, kMaxHoursLeft) : kMaxHoursLeft;
    }
  }
}

DeviceProfile load_device_profile(const std::string& path) {
  auto root = ConfigSection::load_file(path);
  DeviceProfile profile;
  profile.file = path;
  root.read("model", profile.model);
  if (profile.model.empty()) root.fail("model", "a profile needs a model name");
  root.read("kind", profile.kind);
  if (profile.kind != "transmitter" && profile.kind != "amplifier" && profile.kind != "speaker_cluster" &&
      profile.kind != "power") {
    root.fail("kind", "must be transmitter, amplifier, speaker_cluster or power");
  }
  root.read("description", profile.description);

  auto transport = root.section("transport");
  std::int64_t unit = profile.unit_id;
  transport.read("unit_id", unit, 0, 247);
  profile.unit_id = static_cast<int>(unit);
  std::int64_t port = profile.tcp_port;
  transport.read("tcp_port", port, 1, 65535);
  profile.tcp_port = static_cast<int>(port);
  auto rtu = transport.section("rtu");
  std::int64_t baud = profile.rtu.baud;
  rtu.read("baud", baud, 1200, 921600);
  profile.rtu.baud = static_cast<int>(baud);
  std::string parity = "N";
  rtu.read("parity", parity);
  if (parity != "N" && parity != "E" && parity != "O") rtu.fail("parity", "must be N, E or O");
  profile.rtu.parity = parity[0];
  std::int64_t data_bits = profile.rtu.data_bits;
  std::int64_t stop_bits = profile.rtu.stop_bits;
  rtu.read("data_bits", data_bits, 7, 8);
  rtu.read("stop_bits", stop_bits, 1, 2);
  profile.rtu.data_bits = static_cast<int>(data_bits);
  profile.rtu.stop_bits = static_cast<int>(stop_bits);
  rtu.finish();
  transport.finish();

  auto point_sections = root.sections("points");
  if (point_sections.empty()) root.fail("points", "a profile needs at least one point");
  for (auto& s : point_sections) {
    Point p = read_point(s);
    for (const auto& other : profile.points) {
      if (other.name == p.name) s.fail("name", "point '" + p.name + "' is defined twice (line " + std::to_string(other.line) + ")");
      if (other.role == p.role && p.role != Role::none) {
        s.fail("role", std::string("role ") + to_string(p.role) + " is already taken by '" + other.name + "'");
      }
      const bool same_space = other.table == p.table;
      const bool overlap = p.address < other.address + other.width() && other.address < p.address + p.width();
      if (same_space && overlap) {
        s.fail("address", std::string(to_string(p.table)) + " address " + std::to_string(p.address) +
                              " overlaps point '" + other.name + "' (line " + std::to_string(other.line) + ")");
      }
    }
    profile.points.push_back(std::move(p));
  }
  for (auto& s : root.sections("alarms")) {
    auto a = read_alarm(s, profile);
    for (const auto& other : profile.alarms) {
      if (other.id == a.id) s.fail("id", "alarm '" + a.id + "' is defined twice");
    }
    profile.alarms.push_back(std::move(a));
  }
  root.finish();
  return profile;
}

}  // namespace loa::hwconfig
