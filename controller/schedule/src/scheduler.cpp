#include "loa/schedule/scheduler.hpp"

#include "loa/schedule/relay_runner.hpp"

#include <map>
#include <set>
#include <tuple>

#include "loa/log/log.hpp"
#include "loa/orders/station_orders.hpp"

namespace loa::schedule {
namespace {

const log::Logger kLog("schedule");
namespace v1 = ::loa::v1;

}  // namespace

Scheduler::Scheduler(ScheduleStores stores, server::CommandDispatcher& commands, Planner& planner,
                     const time::IClock& clock, SchedulerSettings settings)
    : stores_(stores),
      commands_(commands),
      planner_(planner),
      clock_(clock),
      settings_(settings) {}

Scheduler::~Scheduler() { stop(); }

void Scheduler::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::request_sync() {
  {
    std::lock_guard lock(mutex_);
    sync_requested_ = true;
  }
  wake_.notify_all();
}

void Scheduler::run() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, settings_.sync_interval, [this] { return stopping_ || sync_requested_; });
      if (stopping_) return;
      sync_requested_ = false;
    }
    try {
      auto stats = sync();
      if (stats.plays_sent > 0 || stats.clips_sent > 0) {
        kLog.info("synced: broadcasts={} plays_sent={} clips_sent={} took_ms={}", stats.broadcasts, stats.plays_sent,
                  stats.clips_sent, stats.took.count() / 1000);
      }
    } catch (const std::exception& e) {
      // The store is failing (disk full?): nothing was half-sent; the next round retries.
      kLog.error("sync failed: error={}", e.what());
    }
  }
}

void Scheduler::on_relays(std::function<void(std::vector<store::BroadcastRecord>)> listener) {
  relay_listener_ = std::move(listener);
}

Scheduler::SyncStats Scheduler::sync() {
  std::lock_guard sync_lock(sync_mutex_);
  const auto began = std::chrono::steady_clock::now();
  SyncStats stats;
  const auto now = clock_.wall_ms();
  const auto end = now + std::chrono::duration_cast<std::chrono::milliseconds>(settings_.horizon).count();
  std::set<std::tuple<std::string, std::string, std::int64_t>> sent;
  for (auto& p : stores_.broadcasts.scheduled_plays(now)) {
    sent.emplace(std::move(p.broadcast_id), std::move(p.station_id), p.planned_start_ms);
  }
  const auto fleet = fleet::Fleet::load(stores_.stations);
  std::vector<server::CommandDispatcher::Outgoing> out;
  std::vector<store::ScheduledPlay> plays;
  std::vector<store::BroadcastRecord> relays;
  auto broadcasts = stores_.broadcasts.list_broadcasts(false);
  // One waiting for its approver is not sent, nor its relay opened, until approved.
  std::erase_if(broadcasts, [](const store::BroadcastRecord& b) { return !b.may_air(); });
  for (const auto& b : broadcasts) {
    if (b.content_kind == store::ContentKind::relay) relays.push_back(b);
  }
  if (relay_listener_) relay_listener_(std::move(relays));
  std::map<std::string, std::optional<store::ClipRecord>> clips;
  for (const auto& b : broadcasts) {
    ++stats.broadcasts;
    std::vector<std::int64_t> due;
    try {
      due = planner_.occurrences(b, now, end);
    } catch (const ScheduleError& e) {
      kLog.warn("skipped: broadcast={} reason={}", b.id, e.what());
      continue;
    }
    if (due.empty()) continue;
    const bool relay = b.content_kind == store::ContentKind::relay;
    // Many broadcasts play one clip: each is looked up once a sync (a round trip each on PostgreSQL).
    if (!relay && !clips.contains(b.clip_sha256)) clips.emplace(b.clip_sha256, stores_.clips.find_clip(b.clip_sha256));
    const auto clip = relay ? std::nullopt : clips.at(b.clip_sha256);
    if (!relay && !clip) {
      kLog.warn("skipped: broadcast={} reason=its clip {} is no longer in the library", b.id, b.clip_sha256);
      continue;
    }
    for (const auto& station : fleet.resolve(b.targets)) {
      for (auto at : due) {
        if (sent.count({b.id, station, at})) continue;
        if (!relay && clips_sent_.insert({station, clip->sha256}).second) {
          out.push_back({station, orders::cache(clip->sha256, clip->bytes, false)});
          ++stats.clips_sent;
        }
        orders::PlayOrder order;
        // A relay's stream is opened by the RelayRunner ahead of `at`.
        order.sound = relay ? orders::Sound::stream(relay_stream_id(b.id, at)) : orders::Sound::clip(clip->sha256);
        order.start_at_ms = at;
        order.priority = orders::parse_priority(b.priority).value_or(orders::Priority::normal);
        order.volume = b.volume;
        order.broadcast_id = b.id;
        order.on_preempt = orders::parse_on_preempt(b.on_preempt).value_or(orders::OnPreempt::drop);
        order.with_id = true;  // the scheduled play is recorded under its command's id
        auto command = orders::play(order);
        plays.push_back({b.id, station, at, command.id()});
        out.push_back({station, std::move(command)});
        ++stats.plays_sent;
      }
    }
  }
  if (!out.empty()) {
    commands_.enqueue_many(std::move(out), plays);
  }
  stats.took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - began);
  return stats;
}

std::optional<std::vector<std::string>> Scheduler::cancel(const std::string& broadcast_id, const std::string& by) {
  std::lock_guard sync_lock(sync_mutex_);
  if (!stores_.broadcasts.cancel_broadcast(broadcast_id, by, clock_.wall_ms())) return std::nullopt;
  auto stations = stores_.broadcasts.stations_scheduled(broadcast_id);
  std::vector<server::CommandDispatcher::Outgoing> out;
  for (const auto& station : stations) {
    out.push_back({station, orders::stop(broadcast_id)});
  }
  if (!out.empty()) {
    commands_.enqueue_many(std::move(out));
  }
  kLog.info("cancelled: broadcast={} by={} stations_told={}", broadcast_id, by, stations.size());
  request_sync();  // so that a cancelled relay's stream is ended now, not at the next round
  return stations;
}

}  // namespace loa::schedule
