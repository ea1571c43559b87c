#include "loa/schedule/relay_runner.hpp"

#include <set>

#include "loa/log/log.hpp"

namespace loa::schedule {
namespace {
const log::Logger kLog("relay");
}  // namespace

std::string relay_stream_id(const std::string& broadcast_id, std::int64_t start_ms) {
  return "r-" + broadcast_id + "-" + std::to_string(start_ms);
}

RelayRunner::RelayRunner(Planner& planner, live::LiveStreams& streams, const time::IClock& clock,
                         std::chrono::milliseconds latency)
    : planner_(planner),
      streams_(streams),
      clock_(clock),
      latency_(latency),
      lead_(latency + std::chrono::seconds(2)) {}

RelayRunner::~RelayRunner() { stop(); }

void RelayRunner::start() { thread_ = std::thread([this] { run(); }); }

void RelayRunner::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RelayRunner::set_relays(std::vector<store::BroadcastRecord> relays) {
  std::lock_guard lock(relays_mutex_);
  relays_ = std::move(relays);
}

void RelayRunner::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      tick(clock_.wall_ms());
    } catch (const std::exception& e) {
      kLog.error("relay round failed: error={}", e.what());
    }
    lock.lock();
    wake_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stopping_; });
  }
}

void RelayRunner::tick(std::int64_t now_ms) {
  std::vector<store::BroadcastRecord> relays;
  {
    std::lock_guard lock(relays_mutex_);
    relays = relays_;
  }
  std::set<std::string> due;
  for (const auto& b : relays) {
    std::vector<std::int64_t> starts;
    try {
      starts = planner_.occurrences(b, now_ms - b.slot_ms, now_ms + lead_.count() + 1);
    } catch (const ScheduleError&) {
      continue;  // the scheduler logs a broadcast it cannot expand
    }
    for (auto at : starts) {
      const auto ends = at + b.slot_ms - latency_.count();  // the last frame made then plays at the slot's end
      if (now_ms < at - lead_.count() || now_ms >= ends) continue;
      const auto id = relay_stream_id(b.id, at);
      due.insert(id);
      if (running_.count(id)) continue;
      try {
        streams_.start(id, b.relay_url, b.id);
        running_[id] = ends;
        kLog.info("relay opened: broadcast={} stream={} air_ms={} slot_ms={}", b.id, id, at, b.slot_ms);
      } catch (const std::exception& e) {
        kLog.warn("relay not opened: broadcast={} reason={}", b.id, e.what());
      }
    }
  }
  // Over, or cancelled (no longer among the active relays).
  for (auto it = running_.begin(); it != running_.end();) {
    if (now_ms >= it->second || !due.count(it->first)) {
      (void)streams_.stop(it->first);
      kLog.info("relay ended: stream={}", it->first);
      it = running_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace loa::schedule
