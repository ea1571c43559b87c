#include "loa/configs/config_desk.hpp"

#include <nlohmann/json.hpp>

#include "loa/fleet/fleet.hpp"
#include "loa/log/log.hpp"

namespace loa::configs {
namespace {

using nlohmann::json;
const log::Logger kLog("configs");
constexpr const char* kDriftAlarm = "config.drift";

std::string files_json(const hwconfig::ConfigBundle& bundle) {
  json files = json::object();
  for (const auto& [path, text] : bundle.files) files[path] = text;
  return files.dump();
}

hwconfig::ConfigBundle bundle_of(const store::StationConfigRecord& r) {
  hwconfig::ConfigBundle bundle;
  bundle.main = r.main;
  const auto files = json::parse(r.files, nullptr, false);
  if (files.is_object()) {
    for (const auto& [path, text] : files.items()) {
      if (text.is_string()) bundle.files[path] = text.get<std::string>();
    }
  }
  return bundle;
}

}  // namespace

ConfigDesk::ConfigDesk(store::IStationStore& stations, store::IHealthStore& health,
                       store::ICommandStore& commands_store, registry::StationRegistry& registry,
                       server::CommandDispatcher& commands, const time::IClock& clock, std::string scratch_dir)
    : stations_(stations),
      health_(health),
      commands_store_(commands_store),
      registry_(registry),
      commands_(commands),
      clock_(clock),
      scratch_dir_(std::move(scratch_dir)) {}

ConfigDesk::~ConfigDesk() { stop(); }

ConfigDesk::Pushed ConfigDesk::push(const Push& push) {
  Pushed out;
  {
    std::lock_guard lock(check_mutex_);
    out.errors = hwconfig::check_bundle(push.bundle, scratch_dir_);
  }
  if (!out.errors.empty()) return out;
  out.digest = hwconfig::bundle_digest(push.bundle);
  for (const auto& id : fleet::Fleet::load(stations_).resolve(push.targets)) {
    // A member controller is never a target (it has no hardware of its own).
    if (!registry_.is_member(id)) out.stations.push_back(id);
  }
  if (push.dry_run || out.stations.empty()) return out;
  const auto files = files_json(push.bundle);
  std::vector<server::CommandDispatcher::Outgoing> outgoing(out.stations.size());
  std::vector<std::uint32_t> versions;
  for (std::size_t i = 0; i < out.stations.size(); ++i) {
    const auto latest = stations_.list_station_configs(out.stations[i], 1);
    versions.push_back(latest.empty() ? 1 : latest.front().version + 1);
    outgoing[i].station_id = out.stations[i];
    auto* apply = outgoing[i].command.mutable_apply_config();
    apply->set_version(versions.back());
    apply->set_main(push.bundle.main);
    for (const auto& [path, text] : push.bundle.files) {
      auto* f = apply->add_files();
      f->set_path(path);
      f->set_text(text);
    }
    apply->set_digest(out.digest);
    apply->set_confirm_within_ms(push.confirm_within_ms);
  }
  auto records = commands_.prepare(outgoing);
  for (std::size_t i = 0; i < records.size(); ++i) {
    store::StationConfigRecord r;
    r.station_id = out.stations[i];
    r.version = versions[i];
    r.digest = out.digest;
    r.main = push.bundle.main;
    r.files = files;
    r.note = push.note;
    r.created_by = push.by;
    r.created_ms = clock_.wall_ms();
    r.command_id = records[i].id;
    stations_.add_station_config(r, records[i]);  // the version and its command, together
    out.versions[r.station_id] = r.version;
  }
  commands_.queue(records);
  kLog.info("configuration pushed: stations={} digest={} main={} by={}", out.stations.size(), out.digest.substr(0, 12),
            push.bundle.main, push.by);
  return out;
}

std::optional<ConfigDesk::Pushed> ConfigDesk::roll_back(const std::string& station_id, std::uint32_t version,
                                                        const std::string& by) {
  auto earlier = stations_.find_station_config(station_id, version);
  if (!earlier) return std::nullopt;
  Push again;
  again.targets = {"station:" + station_id};
  again.bundle = bundle_of(*earlier);
  again.note = "rollback to v" + std::to_string(version);
  again.by = by;
  return push(again);
}

std::vector<ConfigDesk::Version> ConfigDesk::history(const std::string& station_id, std::size_t limit) const {
  const auto running = registry_.find(station_id);
  std::vector<Version> out;
  for (auto& r : stations_.list_station_configs(station_id, limit)) {
    Version v;
    if (auto command = commands_store_.find_command(r.command_id)) {
      v.delivery = store::to_string(command->state);
      v.delivery_detail = command->result_detail;
    }
    v.running = running && !running->config_hash.empty() && running->config_hash == r.digest;
    v.record = std::move(r);
    out.push_back(std::move(v));
  }
  return out;
}

std::optional<hwconfig::ConfigBundle> ConfigDesk::files(const std::string& station_id, std::uint32_t version) const {
  auto r = stations_.find_station_config(station_id, version);
  if (!r) return std::nullopt;
  return bundle_of(*r);
}

std::vector<ConfigDesk::Drift> ConfigDesk::drift() const {
  std::vector<Drift> out;
  for (const auto& held : stations_.latest_station_configs()) {
    const auto station = registry_.find(held.station_id);
    if (!station || station->config_hash.empty() || station->config_hash == held.digest) continue;
    out.push_back({held.station_id, held.version, held.digest, station->config_hash});
  }
  return out;
}

void ConfigDesk::sweep() {
  std::set<std::string> now;
  for (const auto& d : drift()) {
    now.insert(d.station_id);
    if (drifting_.contains(d.station_id)) continue;
    const auto message = "the station runs a configuration (" + d.running_digest.substr(0, 12) +
                         ") other than v" + std::to_string(d.version) + " held for it (" +
                         d.held_digest.substr(0, 12) + ")";
    health_.record_alarm(d.station_id, kDriftAlarm, "", true, "warning", message,
                         "trạm đang chạy cấu hình khác với phiên bản v" + std::to_string(d.version) +
                             " lưu trên máy chủ",
                         clock_.wall_ms());
    kLog.warn("configuration drift: station={} held=v{} running={}", d.station_id, d.version,
              d.running_digest.substr(0, 12));
  }
  for (const auto& id : drifting_) {
    if (now.contains(id)) continue;
    health_.record_alarm(id, kDriftAlarm, "", false, "warning", "the station runs the configuration held for it",
                         "trạm chạy đúng cấu hình lưu trên máy chủ", clock_.wall_ms());
  }
  drifting_ = std::move(now);
}

void ConfigDesk::start(std::chrono::milliseconds every) {
  // Alarms left open by an earlier run are this desk's to close.
  for (const auto& held : stations_.latest_station_configs()) {
    for (const auto& a : health_.list_alarms(held.station_id, true, 100)) {
      if (a.alarm_id == kDriftAlarm) drifting_.insert(held.station_id);
    }
  }
  task_.start("configs", "drift check", every, [this] { sweep(); });
}

void ConfigDesk::stop() { task_.stop(); }

}  // namespace loa::configs
