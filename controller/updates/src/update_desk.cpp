#include "loa/updates/update_desk.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "loa/digest/random.hpp"
#include "loa/digest/sha256.hpp"
#include "loa/fleet/fleet.hpp"
#include "loa/log/log.hpp"
#include "loa/signing/release_signature.hpp"
#include "package_check.hpp"

namespace loa::updates {
namespace {

const log::Logger kLog("updates");
namespace fs = std::filesystem;

// Rollout states.
constexpr const char* kCanary = "canary";
constexpr const char* kRolling = "rolling";
constexpr const char* kDone = "done";
constexpr const char* kHalted = "halted";
constexpr const char* kRolledBack = "rolled_back";
// Station states within a rollout.
constexpr const char* kWaiting = "waiting";
constexpr const char* kSent = "sent";
constexpr const char* kUpdated = "updated";
constexpr const char* kFailed = "failed";
constexpr const char* kSkipped = "skipped";
constexpr const char* kReverting = "reverting";
constexpr const char* kReverted = "reverted";

constexpr std::uint32_t kAgentDefaultConfirmMs = 120'000;

// Rollouts whose stations may still answer.
bool going(const std::string& state) {
  return state == kCanary || state == kRolling || state == kHalted || state == kRolledBack;
}

// "5%" -> how many of `n` (at least one); nullopt when it is not a percentage.
std::optional<std::size_t> canary_count(const std::string& canary, std::size_t n) {
  if (canary.empty() || canary.back() != '%') return std::nullopt;
  const auto digits = canary.substr(0, canary.size() - 1);
  if (digits.empty() || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const auto pct = std::stoul(digits);
  if (pct < 1 || pct > 100) return std::nullopt;
  return std::max<std::size_t>(1, (n * pct + 99) / 100);
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace

UpdateDesk::UpdateDesk(store::IUpdateStore& updates, store::IStationStore& stations,
                       store::ICommandStore& commands_store, registry::StationRegistry& registry,
                       server::CommandDispatcher& commands, const time::IClock& clock, Settings settings)
    : updates_(updates),
      stations_(stations),
      commands_store_(commands_store),
      registry_(registry),
      commands_(commands),
      clock_(clock),
      settings_(std::move(settings)) {
  fs::create_directories(settings_.releases_dir);
}

UpdateDesk::~UpdateDesk() { stop(); }

std::string UpdateDesk::package_path(const std::string& sha256) const {
  return settings_.releases_dir + "/" + sha256 + ".deb";
}

UpdateDesk::Added UpdateDesk::add_release(const std::string& package_file, const std::string& signature,
                                          const std::string& by) {
  Added out;
  const auto fields = read_package_fields(package_file);
  if (!fields || fields->package != "loa-agent") {
    out.error_code = "not_a_package";
    out.error = fields ? "the package is " + fields->package + ", not loa-agent" : "not a Debian package";
    return out;
  }
  if (!settings_.release_keys.empty()) {
    // The stations check again; this only spares them a package they would refuse.
    const auto verdict = signing::verify_file(package_file, signature, settings_.release_keys);
    if (!verdict.ok) {
      out.error_code = "bad_signature";
      out.error = verdict.reason;
      return out;
    }
  }
  std::ifstream in(package_file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  store::AgentReleaseRecord r;
  r.sha256 = digest::sha256_hex(bytes);
  r.version = fields->version;
  r.bytes = bytes.size();
  r.signature = signature;
  r.uploaded_by = by;
  r.uploaded_ms = clock_.wall_ms();
  const auto path = package_path(r.sha256);
  {
    std::ofstream f(path + ".tmp", std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    f.flush();
    if (!f) {
      out.error_code = "storage_failed";
      out.error = "cannot write the package (disk full?)";
      return out;
    }
  }
  fs::rename(path + ".tmp", path);
  updates_.put_release(r, bytes);
  out.release = updates_.find_release(r.sha256);
  kLog.info("release kept: version={} sha256={} bytes={} by={}", r.version, r.sha256.substr(0, 12), r.bytes, by);
  return out;
}

std::size_t UpdateDesk::restore_missing() {
  std::size_t restored = 0;
  for (const auto& r : updates_.list_releases()) {
    if (fs::exists(package_path(r.sha256))) continue;
    const auto bytes = updates_.release_package(r.sha256);
    if (!bytes || digest::sha256_hex(*bytes) != r.sha256) continue;
    std::ofstream f(package_path(r.sha256), std::ios::binary | std::ios::trunc);
    f.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
    restored += f ? 1 : 0;
  }
  return restored;
}

UpdateDesk::Status UpdateDesk::start_rollout(const Start& start, std::string& error) {
  Status out;
  const auto release = updates_.find_release(start.release_sha256);
  if (!release) {
    error = "no release " + start.release_sha256;
    return out;
  }
  std::vector<std::string> targets;
  for (const auto& id : fleet::Fleet::load(stations_).resolve(start.targets)) {
    if (!registry_.is_member(id)) targets.push_back(id);  // a member controller runs no agent
  }
  if (targets.empty()) {
    error = "the targets name no station";
    return out;
  }
  std::set<std::string> canaries;
  if (auto n = canary_count(start.canary, targets.size())) {
    // Stations online now go first: a canary that is away would hold everyone up.
    auto ordered = targets;
    std::stable_partition(ordered.begin(), ordered.end(), [&](const std::string& id) {
      const auto v = registry_.find(id);
      return v && v->state == registry::StationState::online;
    });
    canaries.insert(ordered.begin(), ordered.begin() + static_cast<std::ptrdiff_t>(std::min(*n, ordered.size())));
  } else {
    for (const auto& id : split(start.canary)) {
      if (std::find(targets.begin(), targets.end(), id) == targets.end()) {
        error = "canary " + id + " is not among the targets";
        return out;
      }
      canaries.insert(id);
    }
    if (canaries.empty()) {
      error = "canary is a percentage (5%) or station ids (a,b)";
      return out;
    }
  }
  std::lock_guard lock(mutex_);
  const auto now = clock_.wall_ms();
  out.rollout.id = "ro-" + digest::random_hex(6);
  out.rollout.release_sha256 = release->sha256;
  out.rollout.version = release->version;
  out.rollout.state = kCanary;
  out.rollout.canary = start.canary;
  out.rollout.confirm_within_ms = start.confirm_within_ms;
  out.rollout.created_by = start.by;
  out.rollout.created_ms = now;
  out.rollout.updated_ms = now;
  for (const auto& id : targets) {
    store::RolloutStationRecord s;
    s.rollout_id = out.rollout.id;
    s.station_id = id;
    s.canary = canaries.contains(id);
    s.state = kWaiting;
    s.updated_ms = now;
    out.stations.push_back(std::move(s));
  }
  updates_.add_rollout(out.rollout, out.stations);
  kLog.info("rollout started: id={} version={} stations={} canaries={} by={}", out.rollout.id, release->version,
            targets.size(), canaries.size(), start.by);
  drive(out.rollout);
  return *status(out.rollout.id);
}

std::optional<UpdateDesk::Status> UpdateDesk::status(const std::string& id) {
  std::optional<store::RolloutRecord> r;
  if (id.empty()) {
    auto newest = updates_.list_rollouts(1);
    if (!newest.empty()) r = newest.front();
  } else {
    r = updates_.find_rollout(id);
  }
  if (!r) return std::nullopt;
  return Status{*r, updates_.rollout_stations(r->id)};
}

std::vector<store::RolloutRecord> UpdateDesk::rollouts(std::size_t limit) { return updates_.list_rollouts(limit); }

bool UpdateDesk::halt(const std::string& id, const std::string& reason) {
  std::lock_guard lock(mutex_);
  auto r = updates_.find_rollout(id);
  if (!r || (r->state != kCanary && r->state != kRolling)) return false;
  updates_.set_rollout_state(id, kHalted, reason, clock_.wall_ms());
  std::vector<store::RolloutStationRecord> skipped;
  for (auto s : updates_.rollout_stations(id)) {
    if (s.state != kWaiting) continue;
    s.state = kSkipped;
    s.detail = "rollout halted";
    s.updated_ms = clock_.wall_ms();
    skipped.push_back(std::move(s));
  }
  updates_.update_rollout_stations(skipped, {});
  kLog.warn("rollout halted: id={} reason={}", id, reason);
  return true;
}

std::optional<UpdateDesk::Status> UpdateDesk::roll_back(const std::string& id, const std::string& by) {
  {
    std::lock_guard lock(mutex_);
    auto r = updates_.find_rollout(id);
    if (!r) return std::nullopt;
    std::vector<server::CommandDispatcher::Outgoing> outgoing;
    std::vector<store::RolloutStationRecord> rows;
    for (auto s : updates_.rollout_stations(id)) {
      if (s.state == kWaiting) {
        s.state = kSkipped;
        s.detail = "rollout rolled back";
      } else if (s.state == kSent || s.state == kUpdated) {
        server::CommandDispatcher::Outgoing o;
        o.station_id = s.station_id;
        o.command.mutable_revert_agent()->set_reason("rollout " + id + " rolled back by " + by);
        outgoing.push_back(std::move(o));
        s.state = kReverting;
      } else {
        continue;
      }
      s.updated_ms = clock_.wall_ms();
      rows.push_back(std::move(s));
    }
    auto records = commands_.prepare(outgoing);
    std::size_t next = 0;
    for (auto& s : rows) {
      if (s.state == kReverting) s.command_id = records[next++].id;
    }
    updates_.set_rollout_state(id, kRolledBack, "rolled back by " + by, clock_.wall_ms());
    updates_.update_rollout_stations(rows, records);
    commands_.queue(records);
    kLog.warn("rollout rolled back: id={} stations={} by={}", id, records.size(), by);
  }
  return status(id);
}

void UpdateDesk::drive(const store::RolloutRecord& rollout) {
  auto rows = updates_.rollout_stations(rollout.id);
  const auto now = clock_.wall_ms();
  const auto confirm = rollout.confirm_within_ms ? rollout.confirm_within_ms : kAgentDefaultConfirmMs;
  const auto give_up_after = static_cast<std::int64_t>(confirm) + settings_.fetch_allowance.count();
  std::vector<store::RolloutStationRecord> changed;
  std::vector<std::string> timed_out;
  // Answers first: what the stations said since the last pass.
  for (auto& s : rows) {
    if (s.state != kSent && s.state != kReverting) continue;
    const auto command = commands_store_.find_command(s.command_id);
    if (!command) continue;
    if (command->state == store::CommandState::pending) {
      if (s.state == kSent && now - s.updated_ms > give_up_after) {
        s.state = kFailed;
        s.detail = "no answer within " + std::to_string(give_up_after / 1000) + " s";
        timed_out.push_back(s.command_id);
        s.updated_ms = now;
        changed.push_back(s);
      }
      continue;
    }
    const bool applied = command->state == store::CommandState::applied;
    s.state = s.state == kReverting ? (applied ? kReverted : kFailed) : (applied ? kUpdated : kFailed);
    s.detail = command->result_detail;
    s.updated_ms = now;
    changed.push_back(s);
  }
  if (!timed_out.empty()) (void)commands_.withdraw(timed_out, "rollout gave up waiting");
  std::string state = rollout.state;
  std::string reason = rollout.reason;
  const auto canary_failed = std::find_if(rows.begin(), rows.end(), [](const store::RolloutStationRecord& s) {
    return s.canary && s.state == kFailed;
  });
  if (state == kCanary && canary_failed != rows.end()) {
    state = kHalted;
    reason = "canary " + canary_failed->station_id + " failed: " + canary_failed->detail;
  } else if (state == kCanary && std::all_of(rows.begin(), rows.end(), [](const store::RolloutStationRecord& s) {
               return !s.canary || s.state == kUpdated;
             })) {
    state = kRolling;
    kLog.info("rollout {}: every canary proved the release; on to the rest", rollout.id);
  }
  // Sends: canaries in the canary phase, everyone once rolling.
  const auto release = updates_.find_release(rollout.release_sha256);
  std::vector<server::CommandDispatcher::Outgoing> outgoing;
  std::vector<store::RolloutStationRecord*> sending;
  for (auto& s : rows) {
    if (s.state != kWaiting) continue;
    if (state == kHalted) {
      s.state = kSkipped;
      s.detail = "rollout halted";
      s.updated_ms = now;
      changed.push_back(s);
      continue;
    }
    if (state != kRolling && !(state == kCanary && s.canary)) continue;
    server::CommandDispatcher::Outgoing o;
    o.station_id = s.station_id;
    auto* u = o.command.mutable_update_agent();
    u->set_version(rollout.version);
    u->set_package_sha256(rollout.release_sha256);
    if (release) {
      u->set_package_bytes(release->bytes);
      u->set_signature(release->signature);
    }
    u->set_confirm_within_ms(rollout.confirm_within_ms);
    u->set_rollout_id(rollout.id);
    outgoing.push_back(std::move(o));
    sending.push_back(&s);
  }
  auto records = commands_.prepare(outgoing);
  for (std::size_t i = 0; i < sending.size(); ++i) {
    sending[i]->state = kSent;
    sending[i]->command_id = records[i].id;
    sending[i]->detail.clear();
    sending[i]->updated_ms = now;
    changed.push_back(*sending[i]);
  }
  if (state == kRolling && std::none_of(rows.begin(), rows.end(), [](const store::RolloutStationRecord& s) {
        return s.state == kWaiting || s.state == kSent;
      })) {
    state = kDone;
    const auto failed = std::count_if(rows.begin(), rows.end(), [](const auto& s) { return s.state == kFailed; });
    reason = failed ? std::to_string(failed) + " station(s) failed" : "";
  }
  if (!changed.empty() || !records.empty()) updates_.update_rollout_stations(changed, records);
  commands_.queue(records);
  if (state != rollout.state) {
    updates_.set_rollout_state(rollout.id, state, reason, now);
    if (state == kHalted) {
      kLog.warn("rollout halted: id={} reason={}", rollout.id, reason);
    } else {
      kLog.info("rollout {}: {}", rollout.id, state);
    }
  }
}

void UpdateDesk::sweep() {
  std::lock_guard lock(mutex_);
  for (const auto& r : updates_.list_rollouts(20)) {
    if (going(r.state)) drive(r);
  }
}

void UpdateDesk::start(std::chrono::milliseconds every) {
  task_.start("updates", "rollout pass", every, [this] { sweep(); });
}

void UpdateDesk::stop() { task_.stop(); }

}  // namespace loa::updates
