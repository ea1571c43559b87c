#include "loa/live/stream_desk.hpp"

#include "loa/log/log.hpp"
#include "loa/orders/station_orders.hpp"

namespace loa::live {
namespace {

const log::Logger kLog("live");

// Who ends a stream whose source is gone when the controller comes back.
constexpr const char* kEndedOnResume = "controller (source unreadable on restart)";

}  // namespace

StreamDesk::StreamDesk(LiveStreams& streams, store::ILiveStreamStore& store, server::CommandDispatcher& commands,
                       const time::IClock& clock)
    : streams_(streams), store_(store), commands_(commands), clock_(clock) {}

DeskStream StreamDesk::start(const StreamRequest& request) {
  store::LiveStreamRecord record;
  record.id = "s-" + server::random_hex(10);
  record.source = request.source;
  record.broadcast_id = request.broadcast_id.empty() ? record.id : request.broadcast_id;
  record.priority = std::string(orders::to_string(request.priority));
  record.volume = request.volume;
  record.on_preempt = std::string(orders::to_string(request.on_preempt));
  record.station_ids = request.stations;
  record.started_ms = clock_.wall_ms();
  record.started_by = request.started_by;

  streams_.start(record.id, record.source, record.broadcast_id);  // SourceError: nothing else done
  try {
    store_.add_live_stream(record);
  } catch (const store::StoreError&) {
    (void)streams_.stop(record.id);
    throw;
  }
  tell_to_play(record);
  kLog.info("stream started: id={} source={} stations={} priority={} by={}", record.id, record.source,
            record.station_ids.size(), record.priority, record.started_by);
  DeskStream started;
  started.status.id = record.id;
  started.status.source = record.source;
  started.status.broadcast_id = record.broadcast_id;
  if (auto status = streams_.find(record.id)) started.status = *status;
  started.stations = record.station_ids;
  return started;
}

std::optional<DeskStream> StreamDesk::stop(const std::string& id, const std::string& by) {
  const auto status = streams_.find(id);
  if (!status) return std::nullopt;
  const bool was_live = streams_.stop(id);
  const auto record = store_.find_live_stream(id);
  std::vector<std::string> stations = record ? record->station_ids : std::vector<std::string>{};
  if (record) (void)store_.end_live_stream(id, clock_.wall_ms(), by);
  if (was_live) {
    std::vector<server::CommandDispatcher::Outgoing> out;
    for (const auto& station : stations) out.push_back({station, orders::stop(status->broadcast_id)});
    commands_.enqueue_many(std::move(out));
  }
  kLog.info("stream stopped: id={} by={} stations={}", id, by, stations.size());
  auto after = streams_.find(id);
  return DeskStream{after ? *after : *status, std::move(stations)};
}

std::optional<DeskStream> StreamDesk::find(const std::string& id) const {
  auto status = streams_.find(id);
  if (!status) return std::nullopt;
  const auto record = store_.find_live_stream(id);
  return DeskStream{*status, record ? record->station_ids : std::vector<std::string>{}};
}

std::vector<StreamStatus> StreamDesk::list() const { return streams_.list(); }

const LiveSettings& StreamDesk::settings() const { return streams_.settings(); }

std::size_t StreamDesk::resume() {
  std::size_t resumed = 0;
  for (const auto& record : store_.list_live_streams(true, 10000)) {
    try {
      streams_.start(record.id, record.source, record.broadcast_id);
    } catch (const std::invalid_argument& e) {  // SourceError, or the id already running
      kLog.warn("stream not resumed: id={} source={}: {}", record.id, record.source, e.what());
      (void)store_.end_live_stream(record.id, clock_.wall_ms(), kEndedOnResume);
      continue;
    }
    tell_to_play(record);
    kLog.info("stream resumed: id={} source={} stations={}", record.id, record.source, record.station_ids.size());
    ++resumed;
  }
  return resumed;
}

void StreamDesk::tell_to_play(const store::LiveStreamRecord& stream) {
  orders::PlayOrder order;
  order.sound = orders::Sound::stream(stream.id);
  order.priority = orders::parse_priority(stream.priority).value_or(orders::Priority::live);
  order.volume = stream.volume;
  order.broadcast_id = stream.broadcast_id;
  order.on_preempt = orders::parse_on_preempt(stream.on_preempt).value_or(orders::OnPreempt::drop);
  std::vector<server::CommandDispatcher::Outgoing> out;
  for (const auto& station : stream.station_ids) out.push_back({station, orders::play(order)});
  commands_.enqueue_many(std::move(out));
}

}  // namespace loa::live
