#include "loa/hardware/hardware_monitor.hpp"

#include <cstdio>
#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
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
  Device(hwconfig::DeviceConfig config, SharedLink link)
      : poller(std::move(config), std::move(link)),
        alarms(poller.config().profile.alarms),
        unreachable(1, 1),
        compliance(1, 1) {}
  DevicePoller poller;
  AlarmEvaluator alarms;
  Debounce unreachable;
  Debounce compliance;
  std::chrono::steady_clock::time_point next_poll{};
  bool wrote = false;  // a write happened: report its effect on the next cycle, not in 10 s
  // Work for this device's bus thread (writes, fresh polls); guarded by the monitor's mutex.
  std::deque<std::function<void(DevicePoller&)>> jobs;
  std::chrono::steady_clock::time_point last_telemetry{};
  // Mutes on this device, and who set them (on its own thread only).
  bool muted_for_compliance = false;
  bool muted_by_technician = false;
  std::optional<std::chrono::steady_clock::time_point> compliant_since;
  int licence_state = 0;  // 0 valid, 1 expiring within 30 days, 2 expired
  std::optional<bool> powered_on;  // last reading of its power point; guarded by the monitor's mutex
  std::atomic<bool> answered{false};  // at least once since the monitor started
};

// The devices of one serial port, and the thread that polls them in turn.
struct HardwareMonitor::Bus {
  SharedLink link;  // serial: the one open of the port; TCP: none (each device its own)
  std::vector<Device*> devices;
  std::thread thread;
};

HardwareMonitor::HardwareMonitor(hwconfig::StationHardware station, IHealthSink& sink, const time::IClock& clock,
                                 MonitorSettings settings)
    : station_(std::move(station)), sink_(sink), clock_(clock), settings_(settings), compliance_(station_) {
  // Devices on one serial port share one open of it and one thread; every TCP device
  // (a gateway serves its units concurrently) has its own.
  std::map<std::string, Bus*> by_port;
  for (const auto& d : station_.devices) {
    Bus* bus = nullptr;
    if (!d.rtu_device.empty()) {
      auto& found = by_port[d.rtu_device];
      if (!found) {
        buses_.push_back(std::make_unique<Bus>());
        found = buses_.back().get();
        found->link = std::make_shared<std::optional<modbus::ModbusContext>>();
      }
      bus = found;
    } else {
      buses_.push_back(std::make_unique<Bus>());
      bus = buses_.back().get();
    }
    auto device = std::make_unique<Device>(d, bus->link);
    device->unreachable = Debounce(settings_.unreachable_cycles, 1);
    device->compliance = Debounce(settings_.compliance_cycles, settings_.compliance_cycles);
    bus->devices.push_back(device.get());
    devices_.push_back(std::move(device));
  }
}

HardwareMonitor::~HardwareMonitor() { stop(); }

void HardwareMonitor::start() {
  for (auto& b : buses_) {
    Bus* bus = b.get();
    bus->thread = std::thread([this, bus] { run(*bus); });
  }
}

void HardwareMonitor::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& b : buses_) {
    if (b->thread.joinable()) b->thread.join();
  }
}

template <typename T>
std::future<T> HardwareMonitor::run_on(Device& device, std::function<T(DevicePoller&)> job) {
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  {
    std::lock_guard lock(mutex_);
    device.jobs.emplace_back([promise, job = std::move(job)](DevicePoller& poller) { promise->set_value(job(poller)); });
  }
  wake_.notify_all();
  return future;
}

std::future<WriteResult> HardwareMonitor::write(const std::string& device_id, const std::string& point, double value) {
  for (auto& d : devices_) {
    if (d->poller.config().id != device_id) continue;
    if (auto reason = refuse_write(d->poller.config().profile, point, value); !reason.empty()) {
      std::promise<WriteResult> refused;
      refused.set_value({false, reason});
      return refused.get_future();
    }
    return run_on<WriteResult>(*d, [point, value, id = device_id](DevicePoller& poller) {
      auto result = poller.write(point, value);
      kLog.info("write: device={} point={} value={} ok={} reason={}", id, point, value, result.ok, result.reason);
      return result;
    });
  }
  std::promise<WriteResult> refused;
  refused.set_value({false, "no device '" + device_id + "'"});
  return refused.get_future();
}

std::vector<std::pair<std::string, WriteResult>> HardwareMonitor::set_amplifier(const std::string& device_id, bool on) {
  std::vector<std::pair<std::string, std::future<WriteResult>>> pending;
  for (auto& d : devices_) {
    const auto& cfg = d->poller.config();
    const auto* power = cfg.profile.find_role(Role::powered_on);
    if (!power || (!device_id.empty() && cfg.id != device_id)) continue;
    pending.emplace_back(cfg.id, write(cfg.id, power->name, on ? 1 : 0));
  }
  std::vector<std::pair<std::string, WriteResult>> out;
  for (auto& [id, f] : pending) out.emplace_back(id, f.get());
  if (out.empty()) out.emplace_back(device_id, WriteResult{false, "no device with a power point"});
  return out;
}

std::vector<std::pair<std::string, WriteResult>> HardwareMonitor::set_mute(const std::string& device_id, bool muted) {
  std::vector<std::pair<std::string, std::future<WriteResult>>> pending;
  for (auto& d : devices_) {
    const auto& cfg = d->poller.config();
    const auto* point = cfg.profile.find_role(Role::muted);
    if (!point || (!device_id.empty() && cfg.id != device_id)) continue;
    Device* device = d.get();
    pending.emplace_back(cfg.id, run_on<WriteResult>(*device, [this, device, muted, name = point->name](DevicePoller& p) {
      if (!muted) {
        std::lock_guard lock(mutex_);
        if (last_compliance_.checked && !last_compliance_.compliant) {
          std::string text;
          for (const auto& v : last_compliance_.violations) text += (text.empty() ? "" : "; ") + v;
          return WriteResult{false, "refused while out of band or licence: " + text};
        }
      }
      auto result = p.write(name, muted ? 1 : 0);
      if (result.ok) {
        device->muted_by_technician = muted;
        if (device->muted_for_compliance) sink_.on_compliance_mute(p.config().id, false);  // the technician's now
        device->muted_for_compliance = false;
        std::lock_guard lock(mutex_);
        if (muted) {
          muted_reason_ = "muted by a technician";
        } else {
          muted_reason_.reset();
        }
      }
      kLog.info("mute: device={} muted={} ok={} reason={}", p.config().id, muted, result.ok, result.reason);
      return result;
    }));
  }
  std::vector<std::pair<std::string, WriteResult>> out;
  for (auto& [id, f] : pending) out.emplace_back(id, f.get());
  if (out.empty()) out.emplace_back(device_id, WriteResult{false, "no device with a mute point"});
  return out;
}

std::optional<bool> HardwareMonitor::amplifiers_on() const {
  std::lock_guard lock(mutex_);
  std::optional<bool> all;
  for (const auto& d : devices_) {
    if (!d->poller.config().profile.find_role(Role::powered_on) || !d->powered_on) continue;
    all = all.value_or(true) && *d->powered_on;
  }
  return all;
}

std::optional<std::string> HardwareMonitor::muted_reason() const {
  std::lock_guard lock(mutex_);
  return muted_reason_;
}

std::vector<HardwareMonitor::Check> HardwareMonitor::silent_test(double max_vswr) {
  std::vector<std::pair<const hwconfig::DeviceConfig*, std::future<PollResult>>> polls;
  for (auto& d : devices_) {
    polls.emplace_back(&d->poller.config(), run_on<PollResult>(*d, [](DevicePoller& p) { return p.poll(); }));
  }
  std::vector<Check> checks;
  for (auto& poll : polls) {
    const hwconfig::DeviceConfig* cfg = poll.first;  // named, not a structured binding: lambdas below capture it
    const auto result = poll.second.get();
    const auto& id = cfg->id;
    checks.push_back({id + ".reachable", result.reachable, result.reachable ? "answering" : result.error});
    if (!result.reachable) continue;
    auto value = [&](Role role) -> std::optional<double> {
      const auto* p = cfg->profile.find_role(role);
      if (!p) return std::nullopt;
      auto it = result.values.find(p->name);
      return it == result.values.end() ? std::nullopt : std::optional<double>(it->second);
    };
    if (auto v = value(Role::powered_on)) checks.push_back({id + ".power_on", *v != 0, *v != 0 ? "on" : "off"});
    if (auto v = value(Role::pll_locked)) checks.push_back({id + ".pll_lock", *v != 0, *v != 0 ? "locked" : "not locked"});
    std::optional<double> vswr = value(Role::vswr);
    if (auto derived = result.values.find(hwconfig::kDerivedVswr); !vswr && derived != result.values.end()) vswr = derived->second;
    if (vswr) {
      checks.push_back({id + ".vswr", *vswr <= max_vswr, "vswr " + number(*vswr) + " (limit " + number(max_vswr) + ")"});
    } else if (cfg->profile.find_role(Role::reflected_power_w)) {
      checks.push_back({id + ".vswr", false, "no forward power to measure VSWR"});
    }
    if (auto v = value(Role::fault_code)) {
      checks.push_back({id + ".fault", *v == 0, *v == 0 ? "none" : "fault code " + number(*v)});
    }
  }
  // What no register can tell: whether sound from the board reaches the amplifier and
  // leaves it (that needs a line-in loopback from the amplifier's output, which this
  // station has not), and what happens past the antenna or the loudspeakers.
  const bool radio = std::any_of(station_.devices.begin(), station_.devices.end(), [](const auto& d) {
    return d.profile.find_role(Role::carrier_khz) != nullptr;
  });
  checks.push_back({"chain.audio", false,
                    "unchecked: no line-in loopback from the amplifier's output, so sound reaching the amplifier is "
                    "not measured",
                    true});
  checks.push_back({radio ? "chain.receivers" : "chain.loudspeakers", false,
                    radio ? "unchecked: the commune's receivers are beyond the station"
                          : "unchecked: nothing listens at the loudspeakers",
                    true});
  return checks;
}

std::map<std::string, HardwareMonitor::LineCounts> HardwareMonitor::line_counts() const {
  std::map<std::string, LineCounts> out;
  for (const auto& d : devices_) out[d->poller.config().id] = {d->poller.transactions(), d->poller.failed_transactions()};
  return out;
}

std::vector<std::string> HardwareMonitor::never_answered() const {
  std::vector<std::string> ids;
  for (const auto& d : devices_) {
    if (!d->answered) ids.push_back(d->poller.config().id);
  }
  return ids;
}

std::vector<v1::AlarmLimit> HardwareMonitor::alarm_limits() const {
  std::vector<v1::AlarmLimit> limits;
  for (const auto& device : station_.devices) {
    for (const auto& rule : device.profile.alarms) {
      if (!rule.above && !rule.below) continue;
      // A rule names a point; a chart shows the reading the point's role feeds. VSWR
      // may be derived from the powers, with no point of its own.
      const auto* point = device.profile.find_point(rule.point);
      const std::string quantity = point ? hwconfig::to_string(point->role) : rule.point;
      if (quantity == "none") continue;
      auto& limit = limits.emplace_back();
      limit.set_device_id(device.id);
      limit.set_quantity(quantity);
      if (rule.above) limit.set_above(*rule.above);
      if (rule.below) limit.set_below(*rule.below);
      limit.set_alarm_id(rule.id);
      limit.set_severity(rule.severity);
    }
  }
  return limits;
}

void HardwareMonitor::restore_compliance_mutes(const std::vector<std::string>& device_ids) {
  std::lock_guard lock(mutex_);
  for (auto& d : devices_) {
    if (std::find(device_ids.begin(), device_ids.end(), d->poller.config().id) == device_ids.end()) continue;
    d->muted_for_compliance = true;
    muted_reason_ = "muted: out of band";
    kLog.warn("compliance mute restored: device={} (muted before the restart; lifted once back in band)",
              d->poller.config().id);
  }
}

void HardwareMonitor::set_licence(const hwconfig::Licence& licence) {
  auto station = station_;
  station.licence = licence;
  std::lock_guard lock(mutex_);
  compliance_ = ComplianceChecker(station);
}

ComplianceChecker::Result HardwareMonitor::last_compliance() const {
  std::lock_guard lock(mutex_);
  return last_compliance_;
}

void HardwareMonitor::run(Bus& bus) {
  for (auto* d : bus.devices) d->next_poll = std::chrono::steady_clock::now();
  auto has_jobs = [&] {
    return std::any_of(bus.devices.begin(), bus.devices.end(), [](const Device* d) { return !d->jobs.empty(); });
  };
  for (;;) {
    auto next = bus.devices.front()->next_poll;
    for (const auto* d : bus.devices) next = std::min(next, d->next_poll);
    {
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, next, [&] { return stopping_ || has_jobs(); });
      if (stopping_) return;
    }
    // Queued work first, one job at a time, outside the lock (it touches the bus).
    for (auto* d : bus.devices) {
      for (;;) {
        std::unique_lock lock(mutex_);
        if (d->jobs.empty()) break;
        auto job = std::move(d->jobs.front());
        d->jobs.pop_front();
        lock.unlock();
        job(d->poller);
        d->wrote = true;
      }
    }
    // Then every device that is due, in turn: on a shared serial port the frames of
    // one never meet another's.
    for (auto* d : bus.devices) {
      const auto now = std::chrono::steady_clock::now();
      if (now < d->next_poll) continue;
      const auto interval = d->poller.config().poll_interval;
      d->next_poll += interval;
      if (d->next_poll < now) d->next_poll = now + interval;
      cycle(*d);
    }
  }
}

// One poll of a device and what follows from it: alarms, band compliance (and its
// mute), licence paperwork, telemetry.
void HardwareMonitor::cycle(Device& d) {
  const auto& cfg = d.poller.config();
  const std::string& id = cfg.id;
  auto alarm = [&](const std::string& alarm_id, bool active, v1::Alarm::Severity severity, const std::string& text,
                   const std::string& text_vi) {
    v1::Alarm a;
    a.set_alarm_id(id + "." + alarm_id);
    a.set_device_id(id);
    a.set_active(active);
    a.set_severity(severity);
    a.set_message(text);
    a.set_message_vi(text_vi);
    a.set_changed_at_ms(clock_.wall_ms());
    kLog.warn("alarm {}: device={} alarm={} message={}", active ? "raised" : "cleared", id, alarm_id, text);
    sink_.on_alarm(a);
  };
  const bool transmitter = cfg.profile.find_role(Role::carrier_khz) != nullptr;
  auto result = d.poller.poll();
  bool changed = std::exchange(d.wrote, false);
  if (d.unreachable.feed(!result.reachable)) {
    changed = true;
    alarm("unreachable", d.unreachable.active(), v1::Alarm::SEVERITY_CRITICAL,
          d.unreachable.active() ? "device not answering: " + result.error : "device answering again",
          d.unreachable.active() ? "thiết bị không trả lời: " + result.error : "thiết bị đã trả lời lại");
  }
  if (result.reachable) d.answered = true;
  auto telemetry = to_telemetry(cfg, result);
  if (result.reachable && telemetry.has_powered_on()) {
    std::lock_guard lock(mutex_);
    d.powered_on = telemetry.powered_on();
  }
  if (result.reachable) {
    for (const auto& c : d.alarms.evaluate(result.values)) {
      changed = true;
      const auto reading = c.rule->point + " " + number(c.value) + ")";
      alarm(c.rule->id, c.active, severity_of(c.rule->severity), c.rule->message + (c.active ? " (" : " cleared (") + reading,
            c.rule->message_vi.empty() ? "" : c.rule->message_vi + (c.active ? " (" : " đã hết (") + reading);
    }
    if (transmitter) {
      std::optional<double> carrier;
      std::optional<double> forward;
      if (telemetry.has_carrier_khz()) carrier = static_cast<double>(telemetry.carrier_khz());
      if (telemetry.has_forward_power_w()) forward = telemetry.forward_power_w();
      const auto checker = [&] {
        std::lock_guard lock(mutex_);
        return compliance_;
      }();
      auto check = checker.check(carrier, forward, static_cast<long>(clock_.wall_ms() / 86'400'000));
      if (check.checked) {
        telemetry.set_band_compliant(check.compliant);
        {
          std::lock_guard lock(mutex_);
          last_compliance_ = check;
        }
        const auto* mute = cfg.profile.find_role(Role::muted);
        if (d.compliance.feed(!check.compliant)) {
          changed = true;
          std::string text;
          for (const auto& v : check.violations) text += (text.empty() ? "" : "; ") + v;
          alarm("band_compliance", d.compliance.active(), v1::Alarm::SEVERITY_CRITICAL,
                d.compliance.active() ? text : "back within licence and band plan",
                d.compliance.active() ? "ngoài giấy phép hoặc quy hoạch băng tần: " + text
                                      : "đã trở lại trong giấy phép và quy hoạch băng tần");
          if (d.compliance.active() && station_.policy == hwconfig::CompliancePolicy::mute && mute && mute->writable) {
            auto w = d.poller.write(mute->name, 1);
            kLog.warn("compliance mute: device={} ok={} reason={}", id, w.ok, w.reason);
            if (w.ok) {
              telemetry.set_muted(true);
              d.muted_for_compliance = true;
              sink_.on_compliance_mute(id, true);
              std::lock_guard lock(mutex_);
              muted_reason_ = "muted: out of band";
            }
          }
        }
        // The mute we set lifts once the carrier has been back in band for the hold
        // time: a drift corrected (or a fault cleared) puts the station back on air
        // without a visit. A technician's own mute stays.
        if (check.compliant) {
          if (!d.compliant_since) d.compliant_since = std::chrono::steady_clock::now();
        } else {
          d.compliant_since.reset();
        }
        if (d.muted_for_compliance && d.compliant_since && mute &&
            std::chrono::steady_clock::now() - *d.compliant_since >= settings_.unmute_hold) {
          auto w = d.poller.write(mute->name, 0);
          kLog.warn("compliance unmute: device={} ok={} reason={} in_band_ms={}", id, w.ok, w.reason,
                    std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                          *d.compliant_since).count());
          if (w.ok) {
            changed = true;
            d.muted_for_compliance = false;
            sink_.on_compliance_mute(id, false);
            telemetry.set_muted(false);
            std::lock_guard lock(mutex_);
            muted_reason_.reset();
          }
        }
        // The licence's paperwork: warned of ahead, alarmed when late, never a mute.
        const int licence_state = !check.licence_days_left                                     ? 0
                                  : *check.licence_days_left < 0                               ? 2
                                  : *check.licence_days_left <= ComplianceChecker::kExpiryWarningDays ? 1
                                                                                               : 0;
        if (licence_state != d.licence_state) {
          changed = true;
          const auto expires = checker.licence() ? checker.licence()->expires : std::string();
          const auto days = check.licence_days_left.value_or(0);
          if ((d.licence_state == 1) != (licence_state == 1)) {
            alarm("licence_expiring", licence_state == 1, v1::Alarm::SEVERITY_WARNING,
                  licence_state == 1 ? "licence expires on " + expires + ", in " + std::to_string(days) + " days"
                                     : "licence no longer about to expire",
                  licence_state == 1 ? "giấy phép hết hạn ngày " + expires + ", còn " + std::to_string(days) + " ngày"
                                     : "giấy phép không còn sắp hết hạn");
          }
          if ((d.licence_state == 2) != (licence_state == 2)) {
            alarm("licence_expired", licence_state == 2, v1::Alarm::SEVERITY_CRITICAL,
                  licence_state == 2 ? "licence expired on " + expires + "; the station stays on air (renew it)"
                                     : "licence renewed",
                  licence_state == 2 ? "giấy phép đã hết hạn ngày " + expires + "; trạm vẫn phát (hãy gia hạn)"
                                     : "giấy phép đã được gia hạn");
          }
          d.licence_state = licence_state;
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

}  // namespace loa::hardware
