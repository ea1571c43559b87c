#include "loa/registry/station_registry.hpp"

#include <algorithm>

#include "loa/curve/key_pair.hpp"
#include "loa/log/log.hpp"

namespace loa::registry {
namespace {

const log::Logger kLog("registry");

}  // namespace

const char* to_string(StationState s) {
  switch (s) {
    case StationState::pending: return "pending";
    case StationState::online: return "online";
    case StationState::offline: return "offline";
    case StationState::rejected: return "rejected";
    case StationState::revoked: return "revoked";
  }
  return "offline";
}

const char* to_string(AuthVerdict v) {
  switch (v) {
    case AuthVerdict::admitted: return "admitted";
    case AuthVerdict::unknown_key: return "unknown_key";
    case AuthVerdict::no_station_id: return "no_station_id";
    case AuthVerdict::pending_approval: return "pending_approval";
    case AuthVerdict::rejected: return "rejected";
    case AuthVerdict::revoked: return "revoked";
    case AuthVerdict::key_mismatch: return "key_mismatch";
    case AuthVerdict::too_many_pending: return "too_many_pending";
    case AuthVerdict::rate_limited: return "rate_limited";
    case AuthVerdict::key_conflict: return "key_conflict";
  }
  return "unknown";
}

bool StationRegistry::is_valid_station_id(const std::string& id) {
  // Letters, digits, '-', '_', '.'; not starting with a NUL byte, which ZeroMQ reserves
  // for its own generated routing ids.
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

StationRegistry::StationRegistry(store::IStationStore& store, const time::IClock& clock, EnrollmentLimits limits)
    : store_(store), clock_(clock), limits_(limits), new_station_rate_(limits) {
  for (auto& record : store_.list_stations()) {
    if (!record.public_key.empty()) station_by_key_[record.public_key] = record.id;
    auto id = record.id;
    stations_.emplace(id, Entry{std::move(record), Live{}, {}, {}, {}});
  }
  // Every station is offline until it says hello; what a stopped controller left open
  // ends where the station was last seen.
  store_.close_open_links();
}

void StationRegistry::rekey(const std::string& id, const std::string& old_key, const std::string& new_key) {
  if (auto k = station_by_key_.find(old_key); k != station_by_key_.end() && k->second == id) station_by_key_.erase(k);
  if (!new_key.empty()) station_by_key_[new_key] = id;
}

Admission StationRegistry::admit(const std::string& public_key) const {
  std::lock_guard lock(mutex_);
  auto k = station_by_key_.find(public_key);
  if (k == station_by_key_.end()) return {AuthVerdict::unknown_key, {}};
  const auto& record = stations_.at(k->second).record;
  switch (record.enrollment) {
    case store::Enrollment::approved: return {AuthVerdict::admitted, record.id};
    case store::Enrollment::pending: return {AuthVerdict::pending_approval, record.id};
    case store::Enrollment::rejected: return {AuthVerdict::rejected, record.id};
    case store::Enrollment::revoked: return {AuthVerdict::revoked, record.id};
  }
  return {AuthVerdict::unknown_key, {}};
}

AuthVerdict StationRegistry::may_enroll(const std::string& public_key) const {
  auto a = admit(public_key);
  if (a.verdict == AuthVerdict::revoked || a.verdict == AuthVerdict::rejected) return a.verdict;
  return AuthVerdict::admitted;
}

AuthVerdict StationRegistry::enroll(const std::string& station_id, const std::string& public_key,
                                    const std::string& address, bool member) {
  if (!is_valid_station_id(station_id)) return AuthVerdict::no_station_id;
  std::lock_guard writes(writes_);
  store::StationRecord changed;  // what to store, then keep; empty id = nothing changes
  std::string old_key;
  {
    std::lock_guard lock(mutex_);
    auto by_key = station_by_key_.find(public_key);
    if (by_key != station_by_key_.end() && by_key->second != station_id) {
      // One key, one station: a key already bound elsewhere cannot claim a second id.
      return AuthVerdict::key_mismatch;
    }
    auto it = stations_.find(station_id);
    if (it == stations_.end()) {
      auto pending = std::count_if(stations_.begin(), stations_.end(), [](const auto& kv) {
        return kv.second.record.enrollment == store::Enrollment::pending;
      });
      if (static_cast<std::size_t>(pending) >= limits_.max_pending) return AuthVerdict::too_many_pending;
      if (!new_station_rate_.take(address, clock_.steady())) return AuthVerdict::rate_limited;
      changed.id = station_id;
      changed.public_key = public_key;
      changed.enrollment = store::Enrollment::pending;
      changed.last_address = address;
      changed.created_ms = clock_.wall_ms();
      changed.member = member;
    } else {
      const auto& record = it->second.record;
      switch (record.enrollment) {
        case store::Enrollment::pending: {
          if (record.public_key == public_key) return AuthVerdict::pending_approval;
          // Anyone who knows a pending id could otherwise swap in their own key before
          // the operator approves. The first key stays; this one is shown beside it. (An
          // agent that really made a new key: remove the station and let it ask again.)
          auto& conflict = it->second.conflict;
          if (!conflict) conflict = KeyConflict{};
          conflict->fingerprint = curve::fingerprint(public_key);
          conflict->address = address;
          conflict->at_ms = clock_.wall_ms();
          ++conflict->attempts;
          kLog.warn("key conflict: station={} pending_key={} other_key={} address={} attempts={}", station_id,
                    curve::fingerprint(record.public_key), conflict->fingerprint, address, conflict->attempts);
          return AuthVerdict::key_conflict;
        }
        case store::Enrollment::rejected: return AuthVerdict::rejected;
        case store::Enrollment::revoked: return AuthVerdict::revoked;
        case store::Enrollment::approved:
          return record.public_key == public_key ? AuthVerdict::admitted : AuthVerdict::key_mismatch;
      }
    }
  }
  store_.put_station(changed);  // stored first: a refused write changes nothing
  std::lock_guard lock(mutex_);
  rekey(changed.id, old_key, changed.public_key);
  if (old_key.empty()) {
    kLog.info("pending: station={} key={} address={}", changed.id, curve::fingerprint(changed.public_key), address);
    auto id = changed.id;
    stations_.emplace(std::move(id), Entry{std::move(changed), Live{}, {}, {}, {}});
  } else {
    kLog.info("pending: station={} new_key={} address={}", station_id, curve::fingerprint(public_key), address);
    stations_.at(station_id).record = std::move(changed);
  }
  return AuthVerdict::pending_approval;
}

ActionResult StationRegistry::set_enrollment(const std::string& id, store::Enrollment to,
                                             std::initializer_list<store::Enrollment> from) {
  std::lock_guard writes(writes_);
  store::StationRecord updated;
  {
    std::lock_guard lock(mutex_);
    auto it = stations_.find(id);
    if (it == stations_.end()) return ActionResult::not_found;
    const auto& record = it->second.record;
    if (std::find(from.begin(), from.end(), record.enrollment) == from.end()) return ActionResult::wrong_state;
    if (to == store::Enrollment::approved && !curve::is_valid_key(record.public_key)) return ActionResult::invalid;
    updated = record;
    updated.enrollment = to;
  }
  store_.put_station(updated);
  std::lock_guard lock(mutex_);
  auto it = stations_.find(id);
  if (it == stations_.end()) return ActionResult::not_found;
  it->second.record = updated;
  if (to != store::Enrollment::approved) it->second.live = Live{};
  kLog.info("enrollment: station={} now={} key={}", id, store::to_string(to), curve::fingerprint(updated.public_key));
  return ActionResult::done;
}

ActionResult StationRegistry::approve(const std::string& id, const std::string& fingerprint) {
  {
    std::lock_guard lock(mutex_);
    auto it = stations_.find(id);
    if (it == stations_.end()) return ActionResult::not_found;
    const auto& key = it->second.record.public_key;
    if (key.empty() || curve::fingerprint(key) != fingerprint) {
      kLog.warn("approval refused: station={} key={} operator_saw={}", id, key.empty() ? "-" : curve::fingerprint(key),
                fingerprint.empty() ? "-" : fingerprint);
      return ActionResult::fingerprint_mismatch;
    }
  }
  // The key cannot change in between: only enroll() (never for a known id) and
  // provision() change keys, and an approved or provisioned station needs no approval.
  return set_enrollment(id, store::Enrollment::approved, {store::Enrollment::pending, store::Enrollment::rejected});
}

ActionResult StationRegistry::reject(const std::string& id) {
  return set_enrollment(id, store::Enrollment::rejected, {store::Enrollment::pending});
}

ActionResult StationRegistry::revoke(const std::string& id) {
  return set_enrollment(id, store::Enrollment::revoked,
                        {store::Enrollment::approved, store::Enrollment::pending, store::Enrollment::rejected});
}

ActionResult StationRegistry::provision(store::StationRecord record) {
  if (!is_valid_station_id(record.id) || !curve::is_valid_key(record.public_key)) return ActionResult::invalid;
  std::lock_guard writes(writes_);
  std::string old_key;
  {
    std::lock_guard lock(mutex_);
    auto it = stations_.find(record.id);
    record.enrollment = store::Enrollment::approved;
    if (it != stations_.end()) {
      record.created_ms = it->second.record.created_ms;
      record.last_seen_ms = it->second.record.last_seen_ms;
      record.last_address = it->second.record.last_address;
      record.software_version = it->second.record.software_version;
      old_key = it->second.record.public_key;
    } else {
      record.created_ms = clock_.wall_ms();
    }
    if (auto k = station_by_key_.find(record.public_key); k != station_by_key_.end() && k->second != record.id) {
      return ActionResult::invalid;  // one key, one station
    }
  }
  store_.put_station(record);
  std::lock_guard lock(mutex_);
  rekey(record.id, old_key, record.public_key);
  kLog.info("provisioned: station={} key={}", record.id, curve::fingerprint(record.public_key));
  auto it = stations_.find(record.id);
  Live live = it != stations_.end() && old_key == record.public_key ? it->second.live : Live{};
  auto id = record.id;
  stations_.insert_or_assign(id, Entry{std::move(record), live, {}, {}, {}});
  return ActionResult::done;
}

ActionResult StationRegistry::remove(const std::string& id) {
  std::lock_guard writes(writes_);
  std::string key;
  {
    std::lock_guard lock(mutex_);
    auto it = stations_.find(id);
    if (it == stations_.end()) return ActionResult::not_found;
    key = it->second.record.public_key;
  }
  (void)store_.delete_station(id);
  std::lock_guard lock(mutex_);
  rekey(id, key, "");
  stations_.erase(id);
  return ActionResult::done;
}

bool StationRegistry::is_admitted(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = stations_.find(id);
  return it != stations_.end() && it->second.record.enrollment == store::Enrollment::approved;
}

void StationRegistry::touch(Entry& e) {
  e.live.last_heard = clock_.steady();
  e.record.last_seen_ms = clock_.wall_ms();
  e.live.seen_dirty = true;
  if (!e.live.online) {
    e.live.online = true;
    e.live.online_since_ms = e.record.last_seen_ms;
    link_changes_.push_back({e.record.id, *e.live.online_since_ms, std::nullopt});
    kLog.info("online: station={} address={}", e.record.id, e.record.last_address);
  }
}

void StationRegistry::went_offline(Entry& e, std::int64_t down_ms) {
  e.live.online = false;
  if (e.live.online_since_ms) link_changes_.push_back({e.record.id, *e.live.online_since_ms, down_ms});
  e.live.online_since_ms.reset();
}

void StationRegistry::on_hello(const std::string& id, const std::string& software_version,
                               const std::string& address, std::vector<AlarmLimit> alarm_limits,
                               std::string config_hash) {
  std::lock_guard lock(mutex_);
  auto it = stations_.find(id);
  if (it == stations_.end() || it->second.record.enrollment != store::Enrollment::approved) return;
  it->second.record.software_version = software_version;
  it->second.alarm_limits = std::move(alarm_limits);
  it->second.config_hash = std::move(config_hash);
  if (!address.empty()) it->second.record.last_address = address;
  touch(it->second);
}

void StationRegistry::on_config_hash(const std::string& id, const std::string& config_hash) {
  std::lock_guard lock(mutex_);
  if (auto it = stations_.find(id); it != stations_.end()) it->second.config_hash = config_hash;
}

std::vector<StationRegistry::AlarmLimit> StationRegistry::alarm_limits(const std::string& id) const {
  std::lock_guard lock(mutex_);
  const auto it = stations_.find(id);
  return it == stations_.end() ? std::vector<AlarmLimit>{} : it->second.alarm_limits;
}

void StationRegistry::on_traffic(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = stations_.find(id);
  if (it == stations_.end() || it->second.record.enrollment != store::Enrollment::approved) return;
  touch(it->second);
}

void StationRegistry::on_goodbye(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = stations_.find(id);
  if (it == stations_.end() || !it->second.live.online) return;
  went_offline(it->second, clock_.wall_ms());
  kLog.info("offline: station={} reason=goodbye", id);
}

std::vector<std::string> StationRegistry::sweep(std::chrono::milliseconds dead_after) {
  std::vector<std::string> gone;
  const auto now = clock_.steady();
  std::lock_guard lock(mutex_);
  for (auto& [id, e] : stations_) {
    if (e.live.online && now - e.live.last_heard > dead_after) {
      // Down since it was last heard, not since the sweep noticed.
      went_offline(e, e.record.last_seen_ms.value_or(clock_.wall_ms()));
      gone.push_back(id);
      kLog.warn("offline: station={} reason=silent silent_ms={}", id,
                std::chrono::duration_cast<std::chrono::milliseconds>(now - e.live.last_heard).count());
    }
  }
  return gone;
}

std::vector<std::string> StationRegistry::expire_pending() {
  std::lock_guard writes(writes_);
  std::vector<std::string> old;
  const auto cutoff = clock_.wall_ms() - std::chrono::duration_cast<std::chrono::milliseconds>(limits_.pending_ttl).count();
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, e] : stations_) {
      if (e.record.enrollment == store::Enrollment::pending && e.record.created_ms < cutoff) old.push_back(id);
    }
  }
  std::vector<std::string> gone;
  for (const auto& id : old) {
    if (!store_.delete_station(id)) continue;
    std::lock_guard lock(mutex_);
    auto it = stations_.find(id);
    if (it == stations_.end()) continue;
    rekey(id, it->second.record.public_key, "");
    stations_.erase(it);
    gone.push_back(id);
    kLog.info("pending expired: station={} (nobody approved it)", id);
  }
  return gone;
}

void StationRegistry::flush_seen() {
  std::vector<store::SeenUpdate> updates;
  std::vector<store::LinkInterval> links;
  {
    std::lock_guard lock(mutex_);
    links.swap(link_changes_);
    updates.reserve(stations_.size());  // one block, not a doubling series, every flush
    for (auto& [id, e] : stations_) {
      if (!e.live.seen_dirty || !e.record.last_seen_ms) continue;
      e.live.seen_dirty = false;
      updates.push_back({id, *e.record.last_seen_ms, e.record.last_address, e.record.software_version});
    }
  }
  try {
    store_.record_links(links);
  } catch (...) {
    // Kept for the next flush: a full disk delays the history, it does not lose it.
    std::lock_guard lock(mutex_);
    link_changes_.insert(link_changes_.begin(), links.begin(), links.end());
    throw;
  }
  store_.record_seen(updates);
}

StationView StationRegistry::view_of(const Entry& e) const {
  StationView v;
  v.record = e.record;
  v.key_fingerprint = e.record.public_key.empty() ? "" : curve::fingerprint(e.record.public_key);
  if (e.record.enrollment == store::Enrollment::pending) v.key_conflict = e.conflict;
  v.online_since_ms = e.live.online_since_ms;
  v.config_hash = e.config_hash;
  switch (e.record.enrollment) {
    case store::Enrollment::pending: v.state = StationState::pending; break;
    case store::Enrollment::rejected: v.state = StationState::rejected; break;
    case store::Enrollment::revoked: v.state = StationState::revoked; break;
    case store::Enrollment::approved: v.state = e.live.online ? StationState::online : StationState::offline; break;
  }
  return v;
}

std::vector<StationView> StationRegistry::list() const {
  std::lock_guard lock(mutex_);
  std::vector<StationView> out;
  out.reserve(stations_.size());
  for (const auto& [id, e] : stations_) out.push_back(view_of(e));
  return out;
}

std::optional<StationView> StationRegistry::find(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = stations_.find(id);
  if (it == stations_.end()) return std::nullopt;
  return view_of(it->second);
}

bool StationRegistry::is_member(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = stations_.find(id);
  return it != stations_.end() && it->second.record.member &&
         it->second.record.enrollment == store::Enrollment::approved;
}

bool StationRegistry::is_online(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = stations_.find(id);
  return it != stations_.end() && it->second.live.online;
}

std::vector<bool> StationRegistry::online(const std::vector<std::string>& ids) const {
  std::vector<bool> out;
  out.reserve(ids.size());
  std::lock_guard lock(mutex_);
  for (const auto& id : ids) {
    const auto it = stations_.find(id);
    out.push_back(it != stations_.end() && it->second.live.online);
  }
  return out;
}

void StationRegistry::online_ids(std::vector<std::string>& out) const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& [id, e] : stations_) {
    if (!e.live.online) continue;
    if (n < out.size()) {
      out[n].assign(id);
    } else {
      out.push_back(id);
    }
    ++n;
  }
  out.resize(n);
}

}  // namespace loa::registry
