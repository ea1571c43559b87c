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

// Runs one desk call and answers with its view, or with the desk's refusal.
template <typename F>
void answer(httplib::Response& res, int status, F&& f) {
  try {
    send_json(res, f(), status);
  } catch (const alerts::AlertError& e) {
    send_error(res, e.status(), e.code(), e.what());
  }
}

std::vector<std::string> strings_of(const json& body, const char* key) {
  std::vector<std::string> out;
  if (!body.contains(key)) return out;
  for (const auto& v : body[key]) out.push_back(v.get<std::string>());
  return out;
}

}  // namespace

void install_alert_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller) {
  routes.post("/api/v1/alerts", Access::emergency, "Draft an alert; with confirm.target_count, confirm it too", [&ctx, caller](const httplib::Request& req, httplib::Response& res) {
    auto body = parse_body(req, res);
    if (!body) return;
    answer(res, 201, [&] { return ctx.alerts.create(*body, caller(req)); });
  });
  routes.get("/api/v1/alerts", Access::viewer, "Alerts, newest first", [&ctx](const httplib::Request& req, httplib::Response& res) {
    std::size_t limit = 50;
    if (req.has_param("limit")) limit = std::clamp<std::size_t>(std::atoi(req.get_param_value("limit").c_str()), 1, 1000);
    answer(res, 200, [&] { return ctx.alerts.list(limit); });
  });
  routes.get(R"(/api/v1/alerts/([^/]+))", Access::viewer, "One alert, with each station's delivery state (?stations=0: counts only)", [&ctx](const httplib::Request& req, httplib::Response& res) {
    // ?stations=0: counts and the progress line only (a live view of thousands).
    answer(res, 200, [&] { return ctx.alerts.view(req.matches[1], req.get_param_value("stations") != "0"); });
  });
  // Live progress for the console: an event each time the alert's counts or state
  // change (checked five times a second), until every station is done or 10 minutes.
  routes.get(R"(/api/v1/alerts/([^/]+)/events)", Access::viewer,
             "Server-sent events: the alert (counts, progress line) each time it changes",
             [&ctx, streams = std::make_shared<std::atomic<int>>(0)](const httplib::Request& req,
                                                                     httplib::Response& res) {
               const std::string id = req.matches[1];
               // Each live view holds one of the server's few worker threads.
               if (streams->load() >= kMaxLiveViews) {
                 return send_error(res, 503, "busy", "too many live views open; the alert's page still shows it");
               }
               try {
                 (void)ctx.alerts.view(id, false);
               } catch (const alerts::AlertError& e) {
                 return send_error(res, e.status(), e.code(), e.what());
               }
               res.set_header("Cache-Control", "no-store");
               auto last = std::make_shared<std::string>();
               auto until = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now() +
                                                                                      std::chrono::minutes(10));
               res.set_chunked_content_provider("text/event-stream", [&ctx, id, last, until](std::size_t,
                                                                                             httplib::DataSink& sink) {
                 if (!sink.is_writable() || std::chrono::steady_clock::now() > *until) {
                   sink.done();
                   return true;
                 }
                 json view;
                 try {
                   view = ctx.alerts.view(id, true);
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
                    throw alerts::AlertError(422, "invalid",
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
  routes.get("/api/v1/audit", Access::admin, "The audit log, newest first", [&ctx](const httplib::Request& req, httplib::Response& res) {
    std::size_t limit = 200;
    if (req.has_param("limit")) limit = std::clamp<std::size_t>(std::atoi(req.get_param_value("limit").c_str()), 1, 10000);
    json items = json::array();
    for (const auto& a : ctx.store.list_audit(req.get_param_value("subject"), limit)) {
      items.push_back({{"seq", a.seq},         {"at_ms", a.at_ms},   {"user", a.user},
                       {"action", a.action},   {"subject", a.subject}, {"detail", a.detail},
                       {"address", a.address}, {"result", a.result},   {"hash", a.hash}});
    }
    send_json(res, {{"items", items}, {"total", items.size()}});
  });

  routes.get("/api/v1/audit/verify", Access::admin, "Recompute the audit log's hash chain",
             [&ctx](const httplib::Request&, httplib::Response& res) {
               const auto check = ctx.store.verify_audit();
               json out = {{"entries", check.entries}, {"intact", !check.broken_at}};
               if (check.broken_at) out["broken_at"] = *check.broken_at;
               send_json(res, out);
             });
  routes.get("/api/v1/users", Access::admin, "Users and their roles", [&ctx](const httplib::Request&, httplib::Response& res) {
    json items = json::array();
    for (const auto& u : ctx.store.list_users()) {
      items.push_back({{"name", u.name}, {"roles", u.roles}, {"zones", u.zones}, {"created_ms", u.created_ms}});
    }
    send_json(res, {{"items", items}, {"total", items.size()}});
  });
  routes.post("/api/v1/users", Access::admin, "Add or replace a user", [&ctx, caller](const httplib::Request& req, httplib::Response& res) {
    const auto who = caller(req);
    if (!who.has_role("admin")) return send_error(res, 403, "forbidden", "only an admin manages users");
    auto body = parse_body(req, res);
    if (!body) return;
    const auto name = string_field(*body, "name");
    auto error = ctx.users.put(name, string_field(*body, "password"), strings_of(*body, "roles"), strings_of(*body, "zones"));
    if (!error.empty()) return send_error(res, 422, "invalid", error);
    ctx.store.add_audit(store::audit_entry(time::wall_ms(), who.name, "user.put", name, body->contains("roles") ? (*body)["roles"].dump() : ""));
    send_json(res, {{"name", name}, {"roles", strings_of(*body, "roles")}}, 201);
  });
  routes.del(R"(/api/v1/users/([^/]+))", Access::admin, "Remove a user", [&ctx, caller](const httplib::Request& req, httplib::Response& res) {
    const auto who = caller(req);
    if (!who.has_role("admin")) return send_error(res, 403, "forbidden", "only an admin manages users");
    if (!ctx.store.delete_user(req.matches[1])) return send_error(res, 404, "not_found", "no user " + std::string(req.matches[1]));
    ctx.store.add_audit(store::audit_entry(time::wall_ms(), who.name, "user.delete", req.matches[1], ""));
    res.status = 204;
  });
}

}  // namespace loa::api
