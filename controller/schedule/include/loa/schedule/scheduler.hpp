#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "loa/schedule/planner.hpp"
#include "loa/server/command_dispatcher.hpp"
#include "loa/time/clock.hpp"

namespace loa::schedule {

struct SchedulerSettings {
  std::chrono::hours horizon{48};                 // how far ahead stations hold their schedule
  std::chrono::milliseconds sync_interval{60000};  // how often the horizon moves on
};

// Hands every station its own schedule ahead of time: for each occurrence within the
// horizon, a CacheClip (once per clip) and a Play with the planned start, as commands
// that survive restarts and outages (see CommandDispatcher). A station then plays on
// its own clock with its link down. A cancellation reaches each station that holds any
// of the broadcast's plays as a Stop, delivered whenever the station is next online.
class Scheduler {
 public:
  Scheduler(ScheduleStores stores, server::CommandDispatcher& commands, Planner& planner, const time::IClock& clock,
            SchedulerSettings settings);
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;
  ~Scheduler();

  // Told, after every sync, the active relay broadcasts it read (see RelayRunner), so
  // they are read once for both. Set before start().
  void on_relays(std::function<void(std::vector<store::BroadcastRecord>)> listener);

  // Runs sync() every interval (and soon after request_sync()) on its own thread.
  void start();
  void stop();
  void request_sync();

  struct SyncStats {
    std::size_t broadcasts = 0;
    std::size_t plays_sent = 0;
    std::size_t clips_sent = 0;
    std::chrono::microseconds took{0};
  };
  // Sends what is due within the horizon and not yet sent. Thread-safe.
  SyncStats sync();

  // Cancels a broadcast: no further occurrences are sent, and stations drop the ones
  // they hold. Returns the stations told; nullopt when there is no such active broadcast.
  [[nodiscard]] std::optional<std::vector<std::string>> cancel(const std::string& broadcast_id, const std::string& by);

 private:
  void run();

  ScheduleStores stores_;
  server::CommandDispatcher& commands_;
  Planner& planner_;
  const time::IClock& clock_;
  SchedulerSettings settings_;
  std::function<void(std::vector<store::BroadcastRecord>)> relay_listener_;
  std::mutex sync_mutex_;  // one sync (or cancel) at a time; guards clips_sent_
  // Stations told to cache a clip since this controller started. After a restart a
  // station is told again once: it answers at once when it has the clip.
  std::set<std::pair<std::string, std::string>> clips_sent_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool sync_requested_ = false;
  std::thread thread_;
};

}  // namespace loa::schedule
