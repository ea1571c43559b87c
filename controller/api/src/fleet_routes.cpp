#include "fleet_routes.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "http_helpers.hpp"
#include "json_views.hpp"

namespace loa::api {
namespace {

// Live feeds open at once; each holds one of the HTTP server's worker threads.
constexpr int kMaxFeeds = 16;
constexpr auto kFeedPoll = std::chrono::milliseconds(500);
constexpr auto kKeepAlive = std::chrono::seconds(15);

// Critical first, then warnings, then information; newest first within each.
int severity_rank(const std::string& severity) {
  return severity == "critical" ? 0 : severity == "warning" ? 1 : 2;
}

json open_alarms(ApiContext& ctx, std::size_t limit, const fleet::Scope& scope) {
  auto alarms = ctx.store.list_alarms("", true, limit);
  std::erase_if(alarms, [&](const auto& a) { return !scope.sees_station(a.station_id); });
  std::stable_sort(alarms.begin(), alarms.end(), [](const auto& a, const auto& b) {
    return severity_rank(a.severity) < severity_rank(b.severity);
  });
  json items = json::array();
  for (const auto& a : alarms) items.push_back(to_json(a));
  return items;
}

// What each online station is sounding (an offline one's last report is not news).
json now_playing(ApiContext& ctx, const std::vector<registry::StationView>& stations, const fleet::Scope& scope) {
  json items = json::array();
  const auto playing = ctx.reports.now_playing();
  for (const auto& s : stations) {
    if (s.state != registry::StationState::online || !scope.sees_station(s.record.id)) continue;
    auto it = playing.find(s.record.id);
    if (it == playing.end()) continue;
    items.push_back({{"station_id", s.record.id},
                     {"broadcast_id", it->second.broadcast_id},
                     {"content_id", it->second.content_id},
                     {"since_ms", it->second.since_ms}});
  }
  return items;
}

// Each station's state only: the feed sends a change, not every heartbeat.
json station_states(const std::vector<registry::StationView>& stations, const fleet::Scope& scope) {
  json items = json::array();
  for (const auto& s : stations) {
    if (!scope.sees_station(s.record.id)) continue;
    items.push_back({{"id", s.record.id}, {"state", registry::to_string(s.state)}, {"name", s.record.name}});
  }
  return items;
}

}  // namespace

void install_fleet_routes(RouteTable& routes, ApiContext& ctx, ScopeOf scope_of) {
  routes.get("/api/v1/alarms", Access::viewer, Reads::filtered,
             "Open alarms of every station, critical first (?all=1: closed ones too, newest first)",
             [&ctx, scope_of](const httplib::Request& req, httplib::Response& res) {
               const auto page = page_of(req, res, 500, 10000);
               if (!page) return;
               const auto scope = scope_of(req);
               if (req.get_param_value("all") == "1") {
                 json items = json::array();
                 for (const auto& a : ctx.store.list_alarms("", false, page->fetch(!scope.whole()))) {
                   if (scope.sees_station(a.station_id)) items.push_back(to_json(a));
                 }
                 return send_page(res, items, *page, false);
               }
               send_page(res, open_alarms(ctx, page->fetch(!scope.whole()), scope), *page, false);
             });
  routes.get("/api/v1/now-playing", Access::viewer, Reads::filtered, "What each online station is sounding now",
             [&ctx, scope_of](const httplib::Request& req, httplib::Response& res) {
               const auto page = page_of(req, res, 10000, 100000);
               if (!page) return;
               send_page(res, now_playing(ctx, ctx.registry.list(), scope_of(req)), *page);
             });
  // One stream per console: "stations", "alarms" and "now_playing" events, each sent
  // first in full and again whenever it changes; a comment line keeps proxies from
  // closing a quiet stream. A client that does not ask for an event stream (no
  // "Accept: text/event-stream", as EventSource sends) gets the first three events and
  // the end: a script's snapshot, not a connection held open.
  routes.get("/api/v1/events", Access::viewer, Reads::filtered,
             "Server-sent events: station states, open alarms and now-playing, each whenever it changes",
             [&ctx, scope_of, feeds = std::make_shared<std::atomic<int>>(0)](const httplib::Request& req,
                                                                             httplib::Response& res) {
               const bool snapshot_only = req.get_header_value("Accept").find("text/event-stream") == std::string::npos;
               if (feeds->load() >= kMaxFeeds) {
                 return send_error(res, 503, "busy", "too many live feeds open; the console falls back to polling");
               }
               ++*feeds;
               res.set_header("Cache-Control", "no-store");
               res.set_header("X-Accel-Buffering", "no");  // nginx in front: pass events through at once
               struct FeedState {
                 std::string stations, alarms, playing;
                 std::chrono::steady_clock::time_point last_write = std::chrono::steady_clock::now();
               };
               auto state = std::make_shared<FeedState>();
               // The scope as the feed opens: a person whose zones change sees the change
               // when the console reconnects.
               auto scope = std::make_shared<const fleet::Scope>(scope_of(req));
               res.set_chunked_content_provider(
                   "text/event-stream",
                   [&ctx, state, scope, snapshot_only](std::size_t, httplib::DataSink& sink) {
                     if (!sink.is_writable()) {
                       sink.done();
                       return true;
                     }
                     std::string out;
                     auto send_if_changed = [&](const char* name, const json& value, std::string& last) {
                       auto text = value.dump();
                       if (text == last) return;
                       last = std::move(text);
                       out += std::string("event: ") + name + "\ndata: " + last + "\n\n";
                     };
                     try {
                       const auto stations = ctx.registry.list();
                       send_if_changed("stations", station_states(stations, *scope), state->stations);
                       send_if_changed("alarms", open_alarms(ctx, 200, *scope), state->alarms);
                       send_if_changed("now_playing", now_playing(ctx, stations, *scope), state->playing);
                     } catch (const std::exception&) {
                       // The store is busy or gone: say nothing this round.
                     }
                     const auto now = std::chrono::steady_clock::now();
                     if (out.empty() && now - state->last_write > kKeepAlive) out = ": keep-alive\n\n";
                     if (!out.empty()) {
                       if (!sink.write(out.data(), out.size())) return false;
                       state->last_write = now;
                     }
                     if (snapshot_only) {
                       sink.done();
                       return true;
                     }
                     std::this_thread::sleep_for(kFeedPoll);
                     return true;
                   },
                   [feeds](bool) { --*feeds; });
             });
}

}  // namespace loa::api
