#include "loa/hardware/hardware_monitor.hpp"

#include <cstdio>
#include <deque>
#include <utility>

#include "loa/hardware/alarm_evaluator.hpp"
#include "loa/log/log.hpp"

namespace loa::hardware {
namespace {

const log::Logger kLog("hardware");
namespace v1 = ::loa::v1;
using hwconfig::Role;

v1::Alarm::Severity severity_of(const std::string& s) {
  if (s == "critical") return v1::Alarm::SEVERITY_CRITICAL;
  if (s == "info") return v1::Alarm::SEVERITY_INFO;
  return v1::Alarm::SEVERITY_WARNING;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

}  // namespace

struct HardwareMonitor::Device {
  explicit Device(hwconfig::DeviceConfig config)
      : poller(std::move(config)),
        alarms(poller.config().profile.alarms),
        unreachable(1, 1),
        compliance(1, 1) {}
  DevicePoller poller;
  AlarmEvaluator alarms;
  Debounce unreachable;
  Debounce compliance;
  std::thread thread;
  struct PendingWrite {
    std::string point;
    double value;
    std::promise<WriteResult> done;
  };
  std::deque<PendingWrite> writes;  // guarded by the monitor's mutex
  std::chrono::steady_clock::time_point last_telemetry{};
};

HardwareMonitor::HardwareMonitor(hwconfig::StationHardware station, IHealthSink& sink, const time::IClock& clock,
                                 MonitorSettings settings)
    : station_(std::move(station)), sink_(sink), clock_(clock), settings_(settings), compliance_(station_) {
  for (const auto& d : station_.devices) {
    auto device = std::make_unique<Device>(d);
    device->unreachable = Debounce(settings_.unreachable_cycles, 1);
    device->compliance = Debounce(settings_.compliance_cycles, settings_.compliance_cycles);
    devices_.push_back(std::move(device));
  }
}

HardwareMonitor::~HardwareMonitor() { stop(); }

void HardwareMonitor::start() {
  for (auto& d : devices_) {
    Device* device = d.get();
    device->thread = std::thread([this, device] { run(*device); });
  }
}

void HardwareMonitor::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& d : devices_) {
    if (d->thread.joinable()) d->thread.join();
  }
}

std::future<WriteResult> HardwareMonitor::write(const std::string& device_id, const std::string& point, double value) {
  std::promise<WriteResult> refused;
  for (auto& d : devices_) {
    if (d->poller.config().id != device_id) continue;
    if (auto reason = refuse_write(d->poller.config().profile, point, value); !reason.empty()) {
      refused.set_value({false, reason});
      return refused.get_future();
    }
    std::lock_guard lock(mutex_);
    d->writes.push_back({point, value, {}});
    auto future = d->writes.back().done.get_future();
    wake_.notify_all();
    return future;
  }
  refused.set_value({false, "no device '" + device_id + "'"});
  return refused.get_future();
}

ComplianceChecker::Result HardwareMonitor::last_compliance() const {
  std::lock_guard lock(mutex_);
  return last_compliance_;
}

void HardwareMonitor::run(Device& d) {
  const auto& cfg = d.poller.config();
  const std::string& id = cfg.id;
  auto alarm = [&](const std::string& alarm_id, bool active, v1::Alarm::Severity severity, const std::string& text) {
    v1::Alarm a;
    a.set_alarm_id(id + "." + alarm_id);
    a.set_device_id(id);
    a.set_active(active);
    a.set_severity(severity);
    a.set_message(text);
    a.set_changed_at_ms(clock_.wall_ms());
    kLog.warn("alarm {}: device={} alarm={} message={}", active ? "raised" : "cleared", id, alarm_id, text);
    sink_.on_alarm(a);
  };
  const bool transmitter = cfg.profile.find_role(Role::carrier_khz) != nullptr;
  auto next = std::chrono::steady_clock::now();
  bool wrote = false;  // report the effect of a write on the next cycle, not in 10 s
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, next, [&] { return stopping_ || !d.writes.empty(); });
      if (stopping_) return;
    }
    // Writes first, one at a time, outside the lock (they touch the bus).
    for (;;) {
      std::unique_lock lock(mutex_);
      if (d.writes.empty()) break;
      auto w = std::move(d.writes.front());
      d.writes.pop_front();
      lock.unlock();
      auto result = d.poller.write(w.point, w.value);
      kLog.info("write: device={} point={} value={} ok={} reason={}", id, w.point, w.value, result.ok, result.reason);
      wrote = wrote || result.ok;
      w.done.set_value(result);
    }
    if (std::chrono::steady_clock::now() < next) continue;
    next += cfg.poll_interval;
    if (next < std::chrono::steady_clock::now()) next = std::chrono::steady_clock::now() + cfg.poll_interval;

    auto result = d.poller.poll();
    bool changed = std::exchange(wrote, false);
    if (d.unreachable.feed(!result.reachable)) {
      changed = true;
      alarm("unreachable", d.unreachable.active(), v1::Alarm::SEVERITY_CRITICAL,
            d.unreachable.active() ? "device not answering: " + result.error : "device answering again");
    }
    auto telemetry = to_telemetry(cfg, result);
    if (result.reachable) {
      for (const auto& c : d.alarms.evaluate(result.values)) {
        changed = true;
        alarm(c.rule->id, c.active, severity_of(c.rule->severity),
              c.rule->message + (c.active ? " (" : " cleared (") + c.rule->point + " " + number(c.value) + ")");
      }
      if (transmitter) {
        std::optional<double> carrier;
        std::optional<double> forward;
        if (telemetry.has_carrier_khz()) carrier = static_cast<double>(telemetry.carrier_khz());
        if (telemetry.has_forward_power_w()) forward = telemetry.forward_power_w();
        auto check = compliance_.check(carrier, forward, static_cast<long>(clock_.wall_ms() / 86'400'000));
        if (check.checked) {
          telemetry.set_band_compliant(check.compliant);
          {
            std::lock_guard lock(mutex_);
            last_compliance_ = check;
          }
          if (d.compliance.feed(!check.compliant)) {
            changed = true;
            std::string text;
            for (const auto& v : check.violations) text += (text.empty() ? "" : "; ") + v;
            alarm("band_compliance", d.compliance.active(), v1::Alarm::SEVERITY_CRITICAL,
                  d.compliance.active() ? text : "back within licence and band plan");
            const auto* mute = cfg.profile.find_role(Role::muted);
            if (d.compliance.active() && station_.policy == hwconfig::CompliancePolicy::mute && mute && mute->writable) {
              auto w = d.poller.write(mute->name, 1);
              kLog.warn("compliance mute: device={} ok={} reason={}", id, w.ok, w.reason);
              if (w.ok) telemetry.set_muted(true);
            }
          }
        }
      }
    }
    const auto now = std::chrono::steady_clock::now();
    if (changed || now - d.last_telemetry >= settings_.telemetry_interval) {
      d.last_telemetry = now;
      telemetry.set_measured_at_ms(clock_.wall_ms());
      sink_.on_telemetry(telemetry);
    }
  }
}

}  // namespace loa::hardware
