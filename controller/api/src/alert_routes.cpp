#include "alert_routes.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "http_helpers.hpp"
#include "loa/log/log.hpp"

namespace loa::api {
namespace {

const log::Logger kLog("api");

// Live alert views open at once (each holds a worker thread of the HTTP server).
constexpr int kMaxLiveViews = 4;

// The HTTP status of each refusal of the alert desk: the one place they get one.
int http_status(alerts::AlertProblem problem) {
  using P = alerts::AlertProblem;
  switch (problem) {
    case P::bad_cap: return 400;
    case P::forbidden:
    case P::out_of_scope:
    case P::two_person_rule: return 403;
    case P::not_found: return 404;
    case P::wrong_state:
    case P::count_mismatch:
    case P::expired: return 409;
    case P::invalid:
    case P::expiry_passed:
    case P::live_source:
    case P::status_fixed:
    case P::no_area:
    case P::speech_failed:
    case P::no_stations: return 422;
  }
  return 422;
}

void refuse(httplib::Response& res, const alerts::AlertError& e) {
  send_error(res, http_status(e.problem()), std::string(e.code()), e.what(), e.details());
}

// Runs one desk call and answers with its view, or with the desk's refusal.
template <typename F>
void answer(httplib::Response& res, int status, F&& f) {
  try {
    send_json(res, f(), status);
  } catch (const alerts::AlertError& e) {
    refuse(res, e);
  }
}

// The stations of a scoped person's view of an alert (null: all of them).
alerts::AlertDesk::StationShown shown_to(const std::shared_ptr<const fleet::Scope>& scope) {
  if (scope->whole()) return nullptr;
  return [scope](const std::string& station) { return scope->sees_station(station); };
}

// The alert as a scoped person sees it; one they do not see is, to them, not there.
json seen_view(ApiContext& ctx, const std::shared_ptr<const fleet::Scope>& scope, const std::string& id,
               bool with_stations) {
  auto v = ctx.alerts.view(id, with_stations, shown_to(scope));
  if (!scope->sees_targets(v["targets"].get<std::vector<std::string>>())) {
    throw alerts::AlertError(alerts::AlertProblem::not_found, "no alert " + id);
  }
  return v;
}

}  // namespace

void install_alert_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller, ScopeOf scope_of) {
  routes.post("/api/v1/alerts", Access::emergency, "Draft an alert; with confirm.target_count, confirm it too", [&ctx, caller](const httplib::Request& req, httplib::Response& res) {
    auto body = parse_body(req, res);
    if (!body) return;
    answer(res, 201, [&] { return ctx.alerts.create(*body, caller(req)); });
  });
  routes.get("/api/v1/alerts", Access::viewer, Reads::filtered, "Alerts, newest first",
             [&ctx, scope_of](const httplib::Request& req, httplib::Response& res) {
    const auto page = page_of(req, res, 50, 1000);
    if (!page) return;
    try {
      const auto scope = std::make_shared<const fleet::Scope>(scope_of(req));
      auto items = ctx.alerts.list(page->fetch(!scope->whole()), shown_to(scope))["items"];
      json seen = json::array();
      for (auto& item : items) {
        if (scope->sees_targets(item["targets"].get<std::vector<std::string>>())) seen.push_back(std::move(item));
      }
      send_page(res, seen, *page, false);
    } catch (const alerts::AlertError& e) {
      refuse(res, e);
    }
  });
  routes.get(R"(/api/v1/alerts/([^/]+))", Access::viewer, Reads::filtered,
             "One alert, with each station's delivery state (?stations=0: counts only)",
             [&ctx, scope_of](const httplib::Request& req, httplib::Response& res) {
    // ?stations=0: counts and the progress line only (a live view of thousands).
    const auto scope = std::make_shared<const fleet::Scope>(scope_of(req));
    answer(res, 200, [&] { return seen_view(ctx, scope, req.matches[1], req.get_param_value("stations") != "0"); });
  });
  // Live progress for the console: an event each time the alert's counts or state
  // change (checked five times a second), until every station is done or 10 minutes.
  routes.get(R"(/api/v1/alerts/([^/]+)/events)", Access::viewer, Reads::filtered,
             "Server-sent events: the alert (counts, progress line) each time it changes",
             [&ctx, scope_of, streams = std::make_shared<std::atomic<int>>(0)](const httplib::Request& req,
                                                                               httplib::Response& res) {
               const std::string id = req.matches[1];
               // Each live view holds one of the server's few worker threads.
               if (streams->load() >= kMaxLiveViews) {
                 return send_error(res, 503, "busy", "too many live views open; the alert's page still shows it");
               }
               const auto scope = std::make_shared<const fleet::Scope>(scope_of(req));
               try {
                 (void)seen_view(ctx, scope, id, false);
               } catch (const alerts::AlertError& e) {
                 return refuse(res, e);
               }
               res.set_header("Cache-Control", "no-store");
               auto last = std::make_shared<std::string>();
               auto until = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now() +
                                                                                      std::chrono::minutes(10));
               res.set_chunked_content_provider("text/event-stream", [&ctx, id, last, until, shown = shown_to(scope)](
                                                                         std::size_t, httplib::DataSink& sink) {
                 if (!sink.is_writable() || std::chrono::steady_clock::now() > *until) {
                   sink.done();
                   return true;
                 }
                 json view;
                 try {
                   view = ctx.alerts.view(id, true, shown);
                 } catch (const std::exception&) {
                   sink.done();
                   return true;
                 }
                 const auto text = view.dump();
                 if (text != *last) {
                   *last = text;
                   const std::string event = "event: alert\ndata: " + text + "\n\n";
                   if (!sink.write(event.data(), event.size())) return false;
                 }
                 const auto& s = view["summary"];
                 const bool ended = view["state"] != "draft" && view["state"] != "issued" && view["state"] != "updated" &&
                                    view["state"] != "confirmed";
                 if (ended && s.is_object() && s["sent"] == 0 && s["acknowledged"] == 0 && s["playing"] == 0) {
                   sink.done();
                   return true;
                 }
                 std::this_thread::sleep_for(std::chrono::milliseconds(200));
                 return true;
               }, [streams](bool) { --*streams; });
               ++*streams;
             });
  routes.post(R"(/api/v1/alerts/([^/]+)/(confirm|update|cancel|all-clear))", Access::emergency, "Confirm (with the target count), update, cancel or give the all-clear",
            [&ctx, caller](const httplib::Request& req, httplib::Response& res) {
              json body = json::object();
              if (!req.body.empty()) {
                auto parsed = parse_body(req, res);
                if (!parsed) return;
                body = *parsed;
              }
              const std::string id = req.matches[1];
              const std::string action = req.matches[2];
              const auto who = caller(req);
              answer(res, 200, [&] {
                if (action == "confirm") {
                  if (!body.contains("target_count") || !body["target_count"].is_number_integer()) {
                    throw alerts::AlertError(alerts::AlertProblem::invalid,
                                             "confirm needs \"target_count\": the number of stations you were shown");
                  }
                  return ctx.alerts.confirm(id, body["target_count"].get<std::int64_t>(), who);
                }
                if (action == "update") return ctx.alerts.update(id, body, who);
                if (action == "cancel") {
                  return ctx.alerts.cancel(id, body.value("reason", std::string()), body.value("correction", false), who);
                }
                return ctx.alerts.all_clear(id, body.value("text", std::string()), who);
              });
            });
  routes.post("/api/v1/cap", Access::emergency, "A CAP 1.2 message: issued, draft, updated, cancelled, duplicate or ignored", [&ctx, caller](const httplib::Request& req, httplib::Response& res) {
    answer(res, 200, [&] {
      auto out = ctx.alerts.ingest_cap(req.body, caller(req));
      kLog.info("cap: result={} identifier={}", out["result"].get<std::string>(), out["identifier"].get<std::string>());
      return out;
    });
  });
}

}  // namespace loa::api
