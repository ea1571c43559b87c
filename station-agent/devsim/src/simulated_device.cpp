#include "loa/devsim/simulated_device.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "loa/hwconfig/point_codec.hpp"

namespace loa::devsim {
namespace {

using hwconfig::Point;
using hwconfig::Role;
using hwconfig::Table;

constexpr std::array<std::pair<Fault, const char*>, 10> kFaults{{
    {Fault::out_of_band, "out_of_band"},
    {Fault::over_power, "over_power"},
    {Fault::over_temperature, "over_temperature"},
    {Fault::high_vswr, "high_vswr"},
    {Fault::pll_unlock, "pll_unlock"},
    {Fault::mains_loss, "mains_loss"},
    {Fault::no_answer, "no_answer"},
    {Fault::slow_answer, "slow_answer"},
    {Fault::garbage, "garbage"},
    {Fault::battery_drain, "battery_drain"},
}};

// Size of each table: one past the highest address any point uses.
int extent(const hwconfig::DeviceProfile& p, Table t) {
  int n = 1;
  for (const auto& point : p.points) {
    if (point.table == t) n = std::max(n, point.address + point.width());
  }
  return n;
}

}  // namespace

std::optional<Fault> parse_fault(const std::string& text) {
  for (const auto& [f, name] : kFaults) {
    if (text == name) return f;
  }
  return std::nullopt;
}

const char* to_string(Fault f) {
  for (const auto& [fault, name] : kFaults) {
    if (fault == f) return name;
  }
  return "unknown";
}

SimulatedDevice::SimulatedDevice(hwconfig::DeviceProfile profile, SimulationSettings settings)
    : profile_(std::move(profile)),
      settings_(settings),
      image_(extent(profile_, Table::coil), extent(profile_, Table::discrete), extent(profile_, Table::holding),
             extent(profile_, Table::input)),
      temperature_c_(settings.ambient_c),
      soc_pct_(std::clamp(settings.battery_soc_pct, 0.0, 100.0)) {
  // Power on, unmuted, full output, the licensed carrier.
  for (const auto& p : profile_.points) {
    switch (p.role) {
      case Role::powered_on: write_point(p, 1); break;
      case Role::muted: write_point(p, 0); break;
      case Role::output_level: write_point(p, 100); break;
      case Role::carrier_khz: write_point(p, settings_.carrier_khz); break;
      case Role::battery_capacity_ah: write_point(p, settings_.battery_capacity_ah); break;
      default: break;
    }
  }
  step(std::chrono::milliseconds(0));
}

double SimulatedDevice::read_point(const Point& p) const {
  auto& image = const_cast<modbus::RegisterImage&>(image_);
  std::array<std::uint16_t, 2> regs{};
  for (int i = 0; i < p.width(); ++i) {
    switch (p.table) {
      case Table::coil: regs[static_cast<std::size_t>(i)] = image.coil(p.address + i); break;
      case Table::discrete: regs[static_cast<std::size_t>(i)] = image.discrete(p.address + i); break;
      case Table::holding: regs[static_cast<std::size_t>(i)] = image.holding(p.address + i); break;
      case Table::input: regs[static_cast<std::size_t>(i)] = image.input(p.address + i); break;
    }
  }
  return hwconfig::decode_point(p, std::span(regs.data(), p.width()));
}

void SimulatedDevice::write_point(const Point& p, double value) {
  auto regs = hwconfig::encode_point(p, value);
  for (std::size_t i = 0; i < regs.size(); ++i) {
    const int a = p.address + static_cast<int>(i);
    switch (p.table) {
      case Table::coil: image_.coil(a) = static_cast<std::uint8_t>(regs[i]); break;
      case Table::discrete: image_.discrete(a) = static_cast<std::uint8_t>(regs[i]); break;
      case Table::holding: image_.holding(a) = regs[i]; break;
      case Table::input: image_.input(a) = regs[i]; break;
    }
  }
}

bool SimulatedDevice::output_on() const {
  const auto* power = profile_.find_role(Role::powered_on);
  const auto* mute = profile_.find_role(Role::muted);
  const bool on = !power || read_point(*power) != 0;
  const bool muted = mute && read_point(*mute) != 0;
  return on && !muted;
}

void SimulatedDevice::step(std::chrono::milliseconds dt) {
  std::lock_guard lock(mutex_);
  const bool on = output_on();
  const auto* level_point = profile_.find_role(Role::output_level);
  const double level = level_point ? read_point(*level_point) / 100.0 : 1.0;
  // The heat-sink drifts towards its equilibrium with a 20 s time constant.
  const double target = settings_.ambient_c + (on ? 18.0 * level : 0.0);
  const double k = 1.0 - std::exp(-static_cast<double>(dt.count()) / 20000.0);
  temperature_c_ += (target - temperature_c_) * (dt.count() == 0 ? 0.0 : k);
  // The fault is a failed fan or sensor: it shows while on, and is gone when switched off.
  const double shown_c = faults_.contains(Fault::over_temperature) ? 88.0 : temperature_c_;

  double forward = on ? settings_.forward_power_w * level : 0.0;
  if (on && faults_.contains(Fault::over_power)) forward = 45.0;
  double reflected = forward * (faults_.contains(Fault::high_vswr) ? 0.36 : 0.02);
  const bool mains = !faults_.contains(Fault::mains_loss);

  for (const auto& p : profile_.points) {
    if (p.writable) continue;  // what a client wrote stays
    switch (p.role) {
      case Role::temperature_c: write_point(p, shown_c); break;
      case Role::forward_power_w: write_point(p, forward); break;
      case Role::reflected_power_w: write_point(p, reflected); break;
      case Role::carrier_khz:
        write_point(p, faults_.contains(Fault::out_of_band) ? 75000.0 : settings_.carrier_khz);
        break;
      case Role::pll_locked: write_point(p, faults_.contains(Fault::pll_unlock) ? 0 : 1); break;
      case Role::mains_voltage_v: write_point(p, mains ? 226.0 : 0.0); break;
      case Role::battery_voltage_v: write_point(p, mains ? 13.6 : 12.4); break;
      case Role::on_battery: write_point(p, mains ? 0 : 1); break;
      case Role::fault_code: write_point(p, 0); break;
      default: break;
    }
  }
  if (profile_.find_role(Role::battery_soc_pct)) step_power(dt);
}

void SimulatedDevice::step_power(std::chrono::milliseconds dt) {
  const bool charging = !faults_.contains(Fault::mains_loss) && !faults_.contains(Fault::battery_drain);
  const double charge_a = charging ? settings_.charging_current_a : 0.0;
  const double hours = static_cast<double>(dt.count()) / 3'600'000.0 * settings_.battery_time_factor;
  if (settings_.battery_capacity_ah > 0) {
    soc_pct_ += (charge_a - settings_.load_current_a) * hours / settings_.battery_capacity_ah * 100.0;
    soc_pct_ = std::clamp(soc_pct_, 0.0, 100.0);
  }
  // A 12 V lead-acid battery: about 11.6 V empty and 12.8 V full at rest, held near
  // 13.6 V while it is charged.
  const double volts = charging ? 13.6 : 11.6 + 1.2 * soc_pct_ / 100.0;
  for (const auto& p : profile_.points) {
    if (p.writable) continue;
    switch (p.role) {
      case Role::battery_soc_pct: write_point(p, std::round(soc_pct_)); break;
      case Role::battery_voltage_v: write_point(p, volts); break;
      case Role::charging_current_a: write_point(p, charge_a); break;
      case Role::load_current_a: write_point(p, settings_.load_current_a); break;
      case Role::pv_voltage_v: write_point(p, charging ? 18.5 : 0.0); break;
      case Role::on_battery: write_point(p, charging ? 0 : 1); break;
      default: break;
    }
  }
}

void SimulatedDevice::set_faults(std::set<Fault> faults) {
  std::lock_guard lock(mutex_);
  faults_ = std::move(faults);
}

std::set<Fault> SimulatedDevice::faults() const {
  std::lock_guard lock(mutex_);
  return faults_;
}

bool SimulatedDevice::has_fault(Fault f) const {
  std::lock_guard lock(mutex_);
  return faults_.contains(f);
}

bool SimulatedDevice::reply(modbus::ModbusContext& context, const std::vector<std::uint8_t>& request) {
  std::lock_guard lock(mutex_);
  return image_.reply(context, request);
}

double SimulatedDevice::value_of(const std::string& point_name) const {
  std::lock_guard lock(mutex_);
  const auto* p = profile_.find_point(point_name);
  return p ? read_point(*p) : std::nan("");
}

}  // namespace loa::devsim
