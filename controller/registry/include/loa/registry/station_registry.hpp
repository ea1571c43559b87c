#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "loa/registry/enrollment_limits.hpp"
#include "loa/store/station_store.hpp"
#include "loa/time/clock.hpp"

namespace loa::registry {

// What an operator sees of a station: enrollment and, for approved stations, the link.
enum class StationState { pending, online, offline, rejected, revoked };
[[nodiscard]] const char* to_string(StationState s);

// Another key that asked to enroll under a pending station's id. It never replaces
// the key the station is pending with: the operator sees it and decides.
struct KeyConflict {
  std::string fingerprint;  // of the last such key
  std::string address;      // where it came from
  std::int64_t at_ms = 0;
  std::uint64_t attempts = 0;
};

struct StationView {
  store::StationRecord record;
  StationState state = StationState::offline;
  std::string key_fingerprint;
  std::optional<std::int64_t> online_since_ms;
  std::optional<KeyConflict> key_conflict;
  // Digest of the hardware configuration the station runs, as it last said (hello, or a
  // change since); empty until it has connected since the controller started.
  std::string config_hash;
};

enum class AuthVerdict {
  admitted,
  unknown_key,       // no station has this key (control socket: go and enroll)
  no_station_id,     // enrollment hello without a usable station id
  pending_approval,  // known, not yet approved (recorded as pending on enrollment)
  rejected,          // an admin rejected this station
  revoked,           // the station (or this key) was revoked
  key_mismatch,      // the station is enrolled with another key
  too_many_pending,  // pending list is full; nothing recorded
  rate_limited,      // too many new stations from this address, or from everywhere, lately
  key_conflict,      // a pending station's id with another key: refused, shown to the operator
};
[[nodiscard]] const char* to_string(AuthVerdict v);

// The ZAP handler's answer for the control socket.
struct Admission {
  AuthVerdict verdict = AuthVerdict::unknown_key;
  std::string station_id;  // set when the key belongs to a station
};

// Result of an admin action on a station.
enum class ActionResult { done, not_found, wrong_state, invalid, fingerprint_mismatch };

// The controller's live picture of its stations, backed by the store. Thread-safe: the
// control loop and the HTTP API threads both use it.
class StationRegistry {
 public:
  StationRegistry(store::IStationStore& store, const time::IClock& clock, EnrollmentLimits limits = {});

  // Control socket: may this key connect, and which station is it? Only approved keys
  // are admitted.
  [[nodiscard]] Admission admit(const std::string& public_key) const;
  // Enrollment socket: may this key connect at all to ask? (Revoked and rejected keys
  // may not.)
  [[nodiscard]] AuthVerdict may_enroll(const std::string& public_key) const;
  // Enrollment hello: records an unknown station as pending, within the limits. Another
  // key for a pending id is refused (key_conflict) and kept for the operator to see.
  // `member`: a member controller asks (its hello says so), not a station.
  [[nodiscard]] AuthVerdict enroll(const std::string& station_id, const std::string& public_key,
                                   const std::string& address, bool member = false);
  // Approves the station only if its key is the one the operator saw (`fingerprint`,
  // "SHA256:…").
  [[nodiscard]] ActionResult approve(const std::string& id, const std::string& fingerprint);
  [[nodiscard]] ActionResult reject(const std::string& id);
  [[nodiscard]] ActionResult revoke(const std::string& id);
  // Adds (or re-keys) a station ahead of its first connection, approved.
  [[nodiscard]] ActionResult provision(store::StationRecord record);
  [[nodiscard]] ActionResult remove(const std::string& id);
  // May this connected peer still talk to us? (approved, and not revoked since.)
  [[nodiscard]] bool is_admitted(const std::string& id) const;
  // An approved member controller (asked for every command result: no copy is made).
  [[nodiscard]] bool is_member(const std::string& id) const;
  // Whether each of `ids` is online, under one taking of the lock: a view of thousands
  // of stations asks this while the control loop needs the same lock for every message.
  [[nodiscard]] std::vector<bool> online(const std::vector<std::string>& ids) const;

  // A threshold a station's alarm rules watch on one of its readings, as its hello told.
  struct AlarmLimit {
    std::string device_id;
    std::string quantity;  // a telemetry field: "temperature_c", "vswr", ...
    std::optional<double> above, below;
    std::string alarm_id;
    std::string severity;
  };
  // What the station told in its last hello (empty until it has connected since the
  // controller started).
  [[nodiscard]] std::vector<AlarmLimit> alarm_limits(const std::string& id) const;

  // Link events from the control loop.
  void on_hello(const std::string& id, const std::string& software_version, const std::string& address,
                std::vector<AlarmLimit> alarm_limits = {}, std::string config_hash = {});
  // The station's configuration changed under it (its telemetry said so).
  void on_config_hash(const std::string& id, const std::string& config_hash);
  void on_traffic(const std::string& id);
  void on_goodbye(const std::string& id);
  // Marks stations silent for longer than `dead_after` offline; returns their ids.
  [[nodiscard]] std::vector<std::string> sweep(std::chrono::milliseconds dead_after);
  // Writes accumulated last-seen data, and the link intervals opened and closed since
  // the last flush, to the store (batched).
  void flush_seen();
  // Forgets pending stations older than the limits' pending_ttl; returns their ids.
  std::vector<std::string> expire_pending();

  [[nodiscard]] std::vector<StationView> list() const;
  [[nodiscard]] std::optional<StationView> find(const std::string& id) const;
  [[nodiscard]] bool is_online(const std::string& id) const;
  // The ids of the stations online, into `out`, whose strings keep their storage from one
  // call to the next: the control loop asks several times a second, and a fresh list of
  // a thousand ids each time was a burst of allocations in the middle of its own.
  void online_ids(std::vector<std::string>& out) const;

  // Ids that may be used as station ids (and so as ZeroMQ routing ids).
  [[nodiscard]] static bool is_valid_station_id(const std::string& id);

 private:
  struct Live {
    bool online = false;
    std::chrono::steady_clock::time_point last_heard{};
    std::optional<std::int64_t> online_since_ms;
    bool seen_dirty = false;
  };
  struct Entry {
    store::StationRecord record;
    Live live;
    std::optional<KeyConflict> conflict;
    std::vector<AlarmLimit> alarm_limits;
    std::string config_hash;
  };

  StationView view_of(const Entry& e) const;
  ActionResult set_enrollment(const std::string& id, store::Enrollment to,
                              std::initializer_list<store::Enrollment> from);
  void touch(Entry& e);
  // A station's link went down at `down_ms`: its interval is closed at the next flush.
  void went_offline(Entry& e, std::int64_t down_ms);
  // Moves a station's entry in the key index from `old_key` to `new_key` ("" = none).
  void rekey(const std::string& id, const std::string& old_key, const std::string& new_key);

  store::IStationStore& store_;
  const time::IClock& clock_;
  EnrollmentLimits limits_;
  EnrollmentRateLimiter new_station_rate_;  // guarded by mutex_
  // Two locks, so that answering a handshake never waits for the disk: `mutex_` guards
  // the memory and is never held across a store call; `writes_` puts the changes in
  // one order (store first, then memory) and is held across them. Order: writes_, then
  // mutex_.
  std::mutex writes_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> stations_;
  std::vector<store::LinkInterval> link_changes_;  // opened and closed since the last flush (under mutex_)
  std::map<std::string, std::string> station_by_key_;  // public key -> station id
};

}  // namespace loa::registry
