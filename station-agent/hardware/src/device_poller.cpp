#include "loa/hardware/device_poller.hpp"

#include <algorithm>
#include <cmath>

#include "loa/hwconfig/point_codec.hpp"

namespace loa::hardware {
namespace {

using hwconfig::Point;
using hwconfig::Role;
using hwconfig::Table;

// Reading a few unused registers costs less than another request on a 9600-baud line.
constexpr int kMaxGap = 8;

bool is_bits(Table t) { return t == Table::coil || t == Table::discrete; }

}  // namespace

DevicePoller::DevicePoller(hwconfig::DeviceConfig config, SharedLink link)
    : config_(std::move(config)), link_(link ? std::move(link) : std::make_shared<std::optional<modbus::ModbusContext>>()) {
  for (Table table : {Table::holding, Table::input, Table::coil, Table::discrete}) {
    std::vector<const Point*> points;
    for (const auto& p : config_.profile.points) {
      if (p.table == table) points.push_back(&p);
    }
    std::sort(points.begin(), points.end(), [](const Point* a, const Point* b) { return a->address < b->address; });
    const int limit = is_bits(table) ? modbus::kMaxBitsPerRead : modbus::kMaxRegistersPerRead;
    for (const Point* p : points) {
      const int end = p->address + p->width();
      if (!blocks_.empty() && blocks_.back().table == table &&
          p->address <= blocks_.back().start + blocks_.back().count + kMaxGap && end - blocks_.back().start <= limit) {
        blocks_.back().count = std::max(blocks_.back().count, end - blocks_.back().start);
        blocks_.back().points.push_back(p);
      } else {
        blocks_.push_back(Block{table, p->address, p->width(), {p}});
      }
    }
  }
}

bool DevicePoller::ensure_connected(std::string& error) {
  auto& link = *link_;
  if (link && link->connected()) {
    // The bus is shared: every transaction says which unit it is for, and how long
    // this device may take.
    link->set_unit(config_.unit_id);
    link->set_response_timeout(config_.timeout);
    return true;
  }
  try {
    if (!link) {
      if (!config_.rtu_device.empty()) {
        link.emplace(modbus::ModbusContext::rtu({config_.rtu_device, config_.rtu.baud, config_.rtu.parity,
                                                 config_.rtu.data_bits, config_.rtu.stop_bits}));
      } else {
        link.emplace(modbus::ModbusContext::tcp({config_.tcp_host, config_.tcp_port}));
      }
    }
    link->set_unit(config_.unit_id);
    link->set_response_timeout(config_.timeout);
  } catch (const modbus::ModbusError& e) {
    error = e.what();
    return false;
  }
  if (!ctx().connect()) {
    error = "cannot connect: " + ctx().last_error_text();
    // A serial port that vanished (USB adapter pulled) must be reopened from scratch.
    link_->reset();
    return false;
  }
  return true;
}

bool DevicePoller::read_block(const Block& b, std::map<std::string, double>& values) {
  std::vector<std::uint16_t> regs;
  switch (b.table) {
    case Table::holding: {
      auto r = ctx().read_holding(b.start, b.count);
      if (!r) return false;
      regs = std::move(*r);
      break;
    }
    case Table::input: {
      auto r = ctx().read_input(b.start, b.count);
      if (!r) return false;
      regs = std::move(*r);
      break;
    }
    case Table::coil:
    case Table::discrete: {
      auto r = b.table == Table::coil ? ctx().read_coils(b.start, b.count) : ctx().read_discrete(b.start, b.count);
      if (!r) return false;
      regs.assign(r->begin(), r->end());
      break;
    }
  }
  for (const Point* p : b.points) {
    values[p->name] =
        hwconfig::decode_point(*p, std::span(regs).subspan(static_cast<std::size_t>(p->address - b.start), p->width()));
  }
  return true;
}

PollResult DevicePoller::poll() {
  PollResult result;
  const auto started = std::chrono::steady_clock::now();
  for (int attempt = 0; attempt <= config_.retries; ++attempt) {
    result.values.clear();
    if (!ensure_connected(result.error)) continue;
    bool ok = true;
    for (const auto& block : blocks_) {
      ++result.requests;
      ++transactions_;
      if (!read_block(block, result.values)) {
        ++failed_;
        ok = false;
        result.error = ctx().last_error_text();
        if (config_.rtu_device.empty() || !ctx().last_error_is_on_the_line()) {
          // TCP: reconnect next time. Serial: the port itself failed (EIO when a USB
          // adapter is pulled), so reopen it from scratch.
          link_->reset();
        } else {
          // After garbage or a timeout the line may hold half a frame: start clean.
          ctx().flush();
        }
        break;
      }
    }
    if (ok) {
      result.reachable = true;
      result.error.clear();
      break;
    }
  }
  if (result.reachable) {
    hwconfig::add_derived(config_.profile, result.values);
  } else {
    result.values.clear();
  }
  result.duration = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  return result;
}

std::string refuse_write(const hwconfig::DeviceProfile& profile, const std::string& point_name, double value) {
  const auto* p = profile.find_point(point_name);
  if (!p) return "no point named '" + point_name + "' in profile " + profile.model;
  if (!p->writable) return "point '" + point_name + "' is not writable";
  if (!p->allowed.empty()) {
    if (std::find(p->allowed.begin(), p->allowed.end(), value) == p->allowed.end()) {
      return "value " + std::to_string(value) + " is not allowed for '" + point_name + "'";
    }
  } else if ((p->min && value < *p->min) || (p->max && value > *p->max)) {
    return "value " + std::to_string(value) + " is outside the allowed range of '" + point_name + "'";
  }
  return {};
}

WriteResult DevicePoller::write(const std::string& point_name, double value) {
  if (auto reason = refuse_write(config_.profile, point_name, value); !reason.empty()) return {false, reason};
  const auto* p = config_.profile.find_point(point_name);
  std::string error;
  if (!ensure_connected(error)) return {false, error};
  bool ok = true;
  if (p->table == Table::coil) {
    ok = ctx().write_coil(p->address, value != 0);
  } else {
    auto regs = hwconfig::encode_point(*p, value);
    for (std::size_t i = 0; ok && i < regs.size(); ++i) ok = ctx().write_register(p->address + static_cast<int>(i), regs[i]);
  }
  if (!ok) return {false, ctx().last_error_text()};
  return {true, {}};
}

loa::v1::Telemetry to_telemetry(const hwconfig::DeviceConfig& device, const PollResult& result) {
  loa::v1::Telemetry t;
  t.set_device_id(device.id);
  t.set_reachable(result.reachable);
  if (!result.reachable) return t;
  auto value_of = [&](Role role) -> std::optional<double> {
    const auto* p = device.profile.find_role(role);
    if (!p) return std::nullopt;
    auto it = result.values.find(p->name);
    return it == result.values.end() ? std::nullopt : std::optional<double>(it->second);
  };
  if (auto v = value_of(Role::powered_on)) t.set_powered_on(*v != 0);
  if (auto v = value_of(Role::temperature_c)) t.set_temperature_c(*v);
  if (auto v = value_of(Role::forward_power_w)) t.set_forward_power_w(*v);
  if (auto v = value_of(Role::reflected_power_w)) t.set_reflected_power_w(*v);
  if (auto v = value_of(Role::carrier_khz)) t.set_carrier_khz(static_cast<std::uint64_t>(std::llround(*v)));
  if (auto v = value_of(Role::mains_voltage_v)) t.set_mains_voltage_v(*v);
  if (auto v = value_of(Role::battery_voltage_v)) t.set_battery_voltage_v(*v);
  if (auto v = value_of(Role::on_battery)) t.set_on_battery(*v != 0);
  if (auto v = value_of(Role::pll_locked)) t.set_pll_locked(*v != 0);
  if (auto v = value_of(Role::muted)) t.set_muted(*v != 0);
  if (auto v = value_of(Role::fault_code)) t.set_fault_code(static_cast<std::uint32_t>(*v));
  if (auto v = value_of(Role::battery_soc_pct)) t.set_battery_soc_pct(*v);
  if (auto v = value_of(Role::charging_current_a)) t.set_charging_current_a(*v);
  if (auto v = value_of(Role::load_current_a)) t.set_load_current_a(*v);
  if (auto v = value_of(Role::pv_voltage_v)) t.set_pv_voltage_v(*v);
  if (auto v = value_of(Role::vswr)) {
    t.set_vswr(*v);
  } else if (auto it = result.values.find(hwconfig::kDerivedVswr); it != result.values.end()) {
    t.set_vswr(it->second);
  }
  if (auto it = result.values.find(hwconfig::kDerivedBatteryHoursLeft); it != result.values.end()) {
    t.set_battery_hours_left(it->second);
  }
  return t;
}

}  // namespace loa::hardware
