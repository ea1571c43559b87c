#include "stream_routes.hpp"

#include "http_helpers.hpp"
#include "loa/orders/station_orders.hpp"
#include "loa/schedule/planner.hpp"
#include "schedule_routes.hpp"

namespace loa::api {
namespace {

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

void start_stream(ApiContext& ctx, const users::Caller& caller, const httplib::Request& req, httplib::Response& res) {
  auto body = parse_body(req, res);
  if (!body) return;
  live::StreamRequest request;
  request.source = body->value("source", std::string());
  if (request.source.empty()) {
    return send_error(res, 422, "invalid", "source: required (a URL, capture:, rtp:PORT or test:tone)");
  }
  const auto reached = stations_to(ctx, caller, *body, res);
  if (!reached) return;
  request.stations = *reached;
  const auto priority = orders::parse_priority(body->value("priority", std::string("live")));
  if (!priority) {
    return send_error(res, 422, "invalid", "priority: one of " + std::string(orders::priority_names()));
  }
  request.priority = *priority;
  request.volume = body->value("volume", 1.0);
  if (request.volume <= 0 || request.volume > 1) {
    return send_error(res, 422, "invalid", "volume: between 0 (exclusive) and 1");
  }
  request.on_preempt = body->value("resume", false) ? orders::OnPreempt::resume : orders::OnPreempt::drop;
  request.broadcast_id = body->value("broadcast_id", std::string());
  request.started_by = caller.name;
  try {
    const auto started = ctx.streams.start(request);
    json reply = stream_json(started.status);
    reply["stations"] = started.stations;
    send_json(res, reply, 201);
  } catch (const live::SourceError& e) {
    send_error(res, 422, "invalid_source", e.what());
  } catch (const std::invalid_argument& e) {
    send_error(res, 409, "exists", e.what());
  }
}

}  // namespace

void install_stream_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller, ScopeOf scope_of) {
  routes.post("/api/v1/streams", Access::operator_, "Start a live stream to stations",
              [&ctx, caller](const httplib::Request& req, httplib::Response& res) { start_stream(ctx, caller(req), req, res); });
  routes.get("/api/v1/streams", Access::viewer, Reads::filtered, "Live streams",
             [&ctx, scope_of](const httplib::Request& req, httplib::Response& res) {
    const auto page = page_of(req, res, 10000, 100000);
    if (!page) return;
    const auto scope = scope_of(req);
    json items = json::array();
    for (const auto& s : ctx.streams.list()) {
      if (scope.whole()) {
        items.push_back(stream_json(s));
      } else if (const auto found = ctx.streams.find(s.id); found && scope.sees_any(found->stations)) {
        items.push_back(stream_json(s));
      }
    }
    send_page(res, items, *page, true, {{"latency_ms", ctx.streams.settings().latency.count()}});
  });
  routes.get(R"(/api/v1/streams/([^/]+))", Access::viewer, Reads::filtered, "One live stream",
             [&ctx, scope_of](const httplib::Request& req, httplib::Response& res) {
    const auto s = ctx.streams.find(req.matches[1]);
    const auto scope = scope_of(req);
    if (!s || !scope.sees_any(s->stations)) return send_error(res, 404, "not_found", "no stream " + std::string(req.matches[1]));
    auto out = stream_json(s->status);
    out["stations"] = scope.seen(s->stations);
    send_json(res, out);
  });
  routes.del(R"(/api/v1/streams/([^/]+))", Access::operator_, "Stop a live stream", [&ctx, caller](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    const auto stopped = ctx.streams.stop(id, caller(req).name);
    if (!stopped) return send_error(res, 404, "not_found", "no stream " + id);
    send_json(res, stream_json(stopped->status));
  });
}

}  // namespace loa::api
