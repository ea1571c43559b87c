#include "stream_routes.hpp"

#include "http_helpers.hpp"
#include "loa/log/log.hpp"
#include "loa/orders/station_orders.hpp"
#include "loa/schedule/planner.hpp"
#include "schedule_routes.hpp"

namespace loa::api {
namespace {

const log::Logger kLog("api");

json stream_json(const live::StreamStatus& s) {
  return {{"id", s.id},
          {"source", s.source},
          {"broadcast_id", s.broadcast_id},
          {"state", s.state},
          {"frames", s.frames},
          {"reconnects", s.reconnects},
          {"stalls", s.stalls},
          {"last_error", s.last_error},
          {"started_ms", s.started_ms},
          {"ended_ms", s.ended_ms}};
}

// Stations that were told to play each stream, so stopping it can tell them to stop.
struct StreamTargets {
  std::mutex mutex;
  std::map<std::string, std::vector<std::string>> stations;
};

void start_stream(ApiContext& ctx, StreamTargets& targets, const users::Caller& caller, const httplib::Request& req,
                  httplib::Response& res) {
  const std::string& who = caller.name;
  auto body = parse_body(req, res);
  if (!body) return;
  const auto source = body->value("source", std::string());
  if (source.empty()) return send_error(res, 422, "invalid", "source: required (a URL, capture:, rtp:PORT or test:tone)");
  const auto reached = stations_to(ctx, caller, *body, res);
  if (!reached) return;
  const auto& stations = *reached;
  const auto priority_name = body->value("priority", std::string("live"));
  const auto priority = orders::parse_priority(priority_name);
  if (!priority) {
    return send_error(res, 422, "invalid", "priority: one of " + std::string(orders::priority_names()));
  }
  const double volume = body->value("volume", 1.0);
  if (volume <= 0 || volume > 1) return send_error(res, 422, "invalid", "volume: between 0 (exclusive) and 1");

  const auto id = "s-" + server::new_command_id().substr(0, 10);
  const auto broadcast = body->value("broadcast_id", id);
  try {
    ctx.streams.start(id, source, broadcast);
  } catch (const live::SourceError& e) {
    return send_error(res, 422, "invalid_source", e.what());
  } catch (const std::invalid_argument& e) {
    return send_error(res, 409, "exists", e.what());
  }
  orders::PlayOrder order;
  order.sound = orders::Sound::stream(id);
  order.priority = *priority;
  order.volume = volume;
  order.broadcast_id = broadcast;
  order.on_preempt = body->value("resume", false) ? orders::OnPreempt::resume : orders::OnPreempt::drop;
  std::vector<server::CommandDispatcher::Outgoing> out;
  for (const auto& station : stations) out.push_back({station, orders::play(order)});
  ctx.commands.enqueue_many(std::move(out));
  {
    std::lock_guard lock(targets.mutex);
    targets.stations[id] = stations;
  }
  kLog.info("stream started: id={} source={} stations={} priority={} by={}", id, source, stations.size(), priority_name,
            who);
  auto status = ctx.streams.find(id);
  json reply = status ? stream_json(*status) : json{{"id", id}};
  reply["stations"] = stations;
  send_json(res, reply, 201);
}

}  // namespace

void install_stream_routes(RouteTable& routes, ApiContext& ctx,
                           CallerOf caller) {
  auto targets = std::make_shared<StreamTargets>();
  routes.post("/api/v1/streams", Access::operator_, "Start a live stream to stations", [&ctx, targets, caller](const httplib::Request& req, httplib::Response& res) {
    start_stream(ctx, *targets, caller(req), req, res);
  });
  routes.get("/api/v1/streams", Access::viewer, "Live streams", [&ctx](const httplib::Request& req, httplib::Response& res) {
    const auto page = page_of(req, res, 10000, 100000);
    if (!page) return;
    json items = json::array();
    for (const auto& s : ctx.streams.list()) items.push_back(stream_json(s));
    send_page(res, items, *page, true, {{"latency_ms", ctx.streams.settings().latency.count()}});
  });
  routes.get(R"(/api/v1/streams/([^/]+))", Access::viewer, "One live stream", [&ctx, targets](const httplib::Request& req, httplib::Response& res) {
    auto s = ctx.streams.find(req.matches[1]);
    if (!s) return send_error(res, 404, "not_found", "no stream " + std::string(req.matches[1]));
    auto out = stream_json(*s);
    std::lock_guard lock(targets->mutex);
    out["stations"] = targets->stations[s->id];
    send_json(res, out);
  });
  routes.del(R"(/api/v1/streams/([^/]+))", Access::operator_, "Stop a live stream", [&ctx, targets, caller](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    auto s = ctx.streams.find(id);
    if (!s) return send_error(res, 404, "not_found", "no stream " + id);
    const bool was_live = ctx.streams.stop(id);
    // The end of stream goes out on the audio socket, which may drop it; a Stop command
    // reaches every station for sure, now or when it comes back.
    std::vector<std::string> stations;
    {
      std::lock_guard lock(targets->mutex);
      stations = targets->stations[id];
    }
    std::vector<server::CommandDispatcher::Outgoing> out;
    for (const auto& station : stations) out.push_back({station, orders::stop(s->broadcast_id)});
    if (was_live) {
      ctx.commands.enqueue_many(std::move(out));
    }
    kLog.info("stream stopped: id={} by={} stations={}", id, caller(req).name, stations.size());
    auto after = ctx.streams.find(id);
    send_json(res, after ? stream_json(*after) : json{{"id", id}});
  });
}

}  // namespace loa::api
