#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace loa::sql {
class IConnection;
}

namespace loa::ha {

struct LeaseSettings {
  // The store's PostgreSQL. A multi-host string with target_session_attrs=read-write
  // finds the new primary after the database fails over.
  std::string conninfo;
  std::string holder;  // this process: node name, process id and start time
  std::string url;     // where this controller's API answers, told to the standby's callers
  std::chrono::milliseconds ttl{4000};
  std::chrono::milliseconds renew_every{1000};
};

// Who holds the lease now, as the database has it.
struct LeaseHolder {
  std::string holder;
  std::string url;
  std::uint64_t epoch = 0;
  bool live = false;  // not yet expired
};

// The right to act for a standby pair: one row in PostgreSQL that one controller holds
// at a time, for a time to live it renews. Expiry is judged on the database's clock, so
// the two controllers' clocks do not matter. The holder stops acting at the latest a
// quarter of the time to live before the row can expire (its own steady clock counts
// from before each renewal was asked), so the other can take it only after this one
// has stopped: no moment with two acting. Each takeover raises the epoch, which every
// envelope to the stations carries.
class Lease {
 public:
  explicit Lease(LeaseSettings settings);
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  // Stops renewing; a lease still held is given up, so the standby takes over at once.
  ~Lease();

  // One attempt to take the lease: free or expired. True when this process holds it.
  // Database errors count as "not now" (the connection is made again next time).
  bool try_acquire();
  // From now on renews on a thread of its own. `on_lost` is called once, on another
  // thread, the moment the lease is no longer held: a renewal found it taken, or none
  // succeeded in time (the database unreachable, or this process frozen).
  void keep(std::function<void(const std::string& why)> on_lost);
  // Cheap and thread-safe: whether this process may act now.
  [[nodiscard]] bool held() const;
  [[nodiscard]] std::uint64_t epoch() const { return epoch_.load(); }
  // This controller's name in the pair (the holder's first part).
  [[nodiscard]] std::string node() const { return settings_.holder.substr(0, settings_.holder.find('/')); }
  // The current holder (for a standby's callers), or nothing when the database cannot say.
  [[nodiscard]] std::optional<LeaseHolder> current();
  // Gives the lease up now (a clean shutdown).
  void release();

 private:
  sql::IConnection* connection();
  void renew_loop();
  void watch_loop();
  void lose(const std::string& why);

  LeaseSettings settings_;
  std::mutex db_mutex_;  // the connection is used by the renewer and by callers of current()
  std::unique_ptr<sql::IConnection> db_;
  std::atomic<std::uint64_t> epoch_{0};
  std::atomic<std::int64_t> valid_until_ns_{0};  // steady clock; 0 = not held
  std::atomic<bool> lost_{false};
  std::function<void(const std::string&)> on_lost_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread renewer_;
  std::thread watcher_;
};

}  // namespace loa::ha
