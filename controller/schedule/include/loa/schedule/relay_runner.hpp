#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "loa/live/live_streams.hpp"
#include "loa/schedule/planner.hpp"
#include "loa/store/records.hpp"
#include "loa/time/clock.hpp"

namespace loa::schedule {

// The stream id of one occurrence of a relay broadcast: the same on the controller,
// which runs the stream, and in the Play the stations were sent ahead of time.
[[nodiscard]] std::string relay_stream_id(const std::string& broadcast_id, std::int64_t start_ms);

// Runs scheduled relays. A frame is made one playout latency before stations play it,
// so a relay broadcast's stream is opened a latency and two seconds before each
// occurrence (its frames are flowing at air time; stations play from the air time on)
// and ended a latency before its slot ends (its last frame plays as the slot ends; the
// stations then report the playout as played).
class RelayRunner {
 public:
  RelayRunner(Planner& planner, live::LiveStreams& streams, const time::IClock& clock,
              std::chrono::milliseconds latency);
  RelayRunner(const RelayRunner&) = delete;
  RelayRunner& operator=(const RelayRunner&) = delete;
  ~RelayRunner();

  void start();
  void stop();
  // The active relay broadcasts (from each Scheduler sync). Thread-safe.
  void set_relays(std::vector<store::BroadcastRecord> relays);
  // One round: starts what is due, ends what is over. Called by the thread every 250 ms.
  void tick(std::int64_t now_ms);

 private:
  void run();

  Planner& planner_;
  live::LiveStreams& streams_;
  const time::IClock& clock_;
  std::chrono::milliseconds latency_;
  std::chrono::milliseconds lead_;
  std::mutex relays_mutex_;
  std::vector<store::BroadcastRecord> relays_;  // active relay broadcasts, as of the last sync
  std::map<std::string, std::int64_t> running_;  // stream id -> when its slot ends
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace loa::schedule
