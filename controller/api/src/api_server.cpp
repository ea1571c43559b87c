#include "loa/api/api_server.hpp"

#include <httplib.h>
#include <sodium.h>

#include <atomic>
#include <cmath>
#include <thread>

#include <nlohmann/json.hpp>

#include "alert_routes.hpp"
#include "clip_routes.hpp"
#include "command_routes.hpp"
#include "licence_routes.hpp"
#include "health_routes.hpp"
#include "route_table.hpp"
#include "schedule_routes.hpp"
#include "stranger_refusals.hpp"
#include "stream_routes.hpp"
#include "user_routes.hpp"
#include "fleet_routes.hpp"
#include "http_helpers.hpp"
#include "json_views.hpp"
#include "loa/log/log.hpp"
#include "loa/time/clock.hpp"
#include "loa/v1/telemetry.pb.h"
#include "loa/version.hpp"
#include "session_store.hpp"
#include "web_assets.hpp"

namespace loa::api {
namespace {

const log::Logger kLog("api");

constexpr const char* kSessionCookie = "loa_session";

void send_action_result(httplib::Response& res, registry::ActionResult r, const std::string& id,
                        const registry::StationRegistry& reg) {
  switch (r) {
    case registry::ActionResult::done: send_json(res, to_json(*reg.find(id))); return;
    case registry::ActionResult::not_found: send_error(res, 404, "not_found", "no station " + id); return;
    case registry::ActionResult::wrong_state:
      send_error(res, 409, "wrong_state", "station " + id + " is " + registry::to_string(reg.find(id)->state));
      return;
    case registry::ActionResult::invalid:
      send_error(res, 422, "invalid", "station id or public key is not valid");
      return;
    case registry::ActionResult::fingerprint_mismatch: {
      const auto s = reg.find(id);
      send_error(res, 409, "fingerprint_mismatch",
                 "approval names the fingerprint of the key that was checked ({\"fingerprint\": \"SHA256:…\"}), and "
                 "station " + id + "'s pending key is " + (s ? s->key_fingerprint : std::string("unknown")));
      return;
    }
  }
}

std::size_t content_length(const httplib::Request& req) {
  try {
    const auto text = req.get_header_value("Content-Length");
    return text.empty() ? 0 : static_cast<std::size_t>(std::stoull(text));
  } catch (...) {
    return 0;
  }
}

}  // namespace

struct ApiServer::Impl {
  ApiSettings settings;
  ApiContext ctx;
  std::unique_ptr<httplib::Server> server;
  httplib::Server& http;
  RouteTable routes{http};
  SessionStore sessions;
  StrangerRefusals strangers;  // refusals of callers with no valid credential
  std::atomic<std::uint64_t> refused_known{0};  // of signed-in callers lacking the role
  std::thread thread;
  int port = 0;

  Impl(ApiSettings s, ApiContext c) : settings(std::move(s)), ctx(c), server(make_server(settings)), http(*server) {}

  bool tls() const { return !settings.tls_cert_file.empty(); }

  static bool is_loopback(const std::string& address) {
    return address.rfind("127.", 0) == 0 || address == "::1" || address.rfind("::ffff:127.", 0) == 0;
  }

  // Counted and logged at a bounded rate; into the audit log as one summary a minute.
  void refuse_stranger(const httplib::Request& req) {
    auto summary = strangers.record(req.remote_addr, req.method + " " + req.path);
    if (!summary) return;
    try {
      ctx.store.add_audit(store::audit_entry(
          time::wall_ms(), "-", "denied", "requests without a valid credential",
          std::to_string(summary->count) + " refused since the last such entry, from " + summary->addresses,
          req.remote_addr, 401));
    } catch (const store::StoreError& e) {
      kLog.error("audit failed: path={} error={}", req.path, e.what());
    }
  }

  static std::unique_ptr<httplib::Server> make_server(const ApiSettings& s) {
    if (s.tls_cert_file.empty() && s.tls_key_file.empty()) return std::make_unique<httplib::Server>();
    auto server = std::make_unique<httplib::SSLServer>(s.tls_cert_file.c_str(), s.tls_key_file.c_str());
    if (!server->is_valid()) {
      throw std::runtime_error("cannot serve HTTPS with certificate " + s.tls_cert_file + " and key " + s.tls_key_file +
                               " (unreadable, or they do not match)");
    }
    // TLS 1.2 and 1.3 only.
    SSL_CTX_set_min_proto_version(server->ssl_context(), TLS1_2_VERSION);
    return server;
  }

  // Who is asking, with what roles: the shared API token and the configured admin act as
  // admins; a user's own token or console session carries that user's roles and zones.
  users::Caller caller(const httplib::Request& req) {
    auto auth = req.get_header_value("Authorization");
    if (auth.rfind("Bearer ", 0) == 0) {
      const auto secret = auth.substr(7);
      if (!settings.api_token.empty() && equal_secret(secret, settings.api_token)) return {"token", {"admin"}, {}, true, {}};
      if (auto user = ctx.users.token_caller(secret)) return *user;
      if (auto source = ctx.alerts.cap_source_caller(secret)) return *source;
      return {};
    }
    auto session = cookie_value(req, kSessionCookie);
    if (session.empty()) return {};
    auto name = sessions.user_of(session);
    if (!name) return {};
    if (*name == "admin") return {"admin", {"admin"}, {}, false, {}};
    if (auto user = ctx.users.find(*name)) return *user;
    return {*name, {}, {}, false, {}};
  }

  void install_routes() {
    // Live feeds (the console's events, alert progress) each hold a worker thread for as
    // long as they are open; enough workers that plain requests still find one free.
    http.new_task_queue = [] { return new httplib::ThreadPool(32); };
    // Clip uploads stream to disk and may be large; every other body is small JSON, held
    // to max_body_bytes by the gate below.
    http.set_payload_max_length(std::max(settings.max_body_bytes, settings.max_clip_bytes) + 1);
    // The one gate every route passes: deny unless public or authenticated.
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (req.path != "/api/v1/clips" && content_length(req) > settings.max_body_bytes) {
        send_error(res, 413, "too_large", "request body too large");
        return httplib::Server::HandlerResponse::Handled;
      }
      // Deny by default: a route not in the table is answered 404 by the router, and
      // every route in it says who may call it.
      const auto* route = routes.match(req.method, req.path);
      if (!route || route->access == Access::open) return httplib::Server::HandlerResponse::Unhandled;
      const auto who = caller(req);
      // A CAP source's token opens the CAP route and nothing else.
      const bool confined = !who.cap_source.empty() && req.path != "/api/v1/cap";
      if (!confined && allows(route->access, who)) return httplib::Server::HandlerResponse::Unhandled;
      if (who.name.empty()) {
        if (req.path == "/metrics" && settings.metrics_open_on_loopback && is_loopback(req.remote_addr)) {
          return httplib::Server::HandlerResponse::Unhandled;  // a scraper on this machine
        }
        refuse_stranger(req);
        send_error(res, 401, "unauthenticated", "a valid bearer token or session is required");
        return httplib::Server::HandlerResponse::Handled;
      }
      // Someone we know, reaching past their roles: each one is the audit log's business.
      ++refused_known;
      kLog.warn("denied: method={} path={} user={} address={}", req.method, req.path, who.name, req.remote_addr);
      try {
        ctx.store.add_audit(store::audit_entry(time::wall_ms(), who.name, "denied", req.method + " " + req.path,
                                               std::string("needs ") + to_string(route->access), req.remote_addr, 403));
      } catch (const store::StoreError& e) {
        kLog.error("audit failed: path={} error={}", req.path, e.what());
      }
      send_error(res, 403, "forbidden",
                 "this needs the " + std::string(to_string(route->access)) + " role; " + who.name + " does not have it");
      return httplib::Server::HandlerResponse::Handled;
    });
    // Every change anyone asks for, with its result, goes into the audit log (reads do
    // not; refusals by the gate are logged there). Written after the handler and before
    // the answer goes out: whoever sees the answer finds its audit entry already there.
    http.set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (req.method == "GET" || req.method == "HEAD" || req.method == "OPTIONS") return;
      if (res.status == 401 || res.status == 403) return;  // already logged as denied
      if (req.path == "/api/v1/login") return;           // logged by login(), with the user
      try {
        std::string action = "http.";
        for (char c : req.method) action += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const auto who = caller(req).name;
        ctx.store.add_audit(store::audit_entry(time::wall_ms(), who.empty() ? "-" : who, action, req.path, "", req.remote_addr,
                             res.status));
      } catch (const std::exception& e) {
        kLog.error("audit failed: path={} error={}", req.path, e.what());
      }
    });
    http.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
      std::string what = "unknown error";
      try {
        std::rethrow_exception(ep);
      } catch (const store::StoreError& e) {
        what = e.what();
        if (e.is_disk_problem()) {
          // Nothing was taken: the change is refused whole, and what was stored before
          // is still there and still served.
          send_error(res, 507, "storage_full",
                     "the controller cannot write to its store (disk full or failing); nothing of this request was "
                     "kept, reads still work, and it takes new work again once there is room: " + what);
        } else {
          send_error(res, 503, "store_unavailable", what);
        }
      } catch (const json::exception& e) {
        // A field of the wrong JSON type: the client's mistake, not ours.
        what = e.what();
        send_error(res, 400, "bad_request", what);
      } catch (const std::exception& e) {
        what = e.what();
        send_error(res, 500, "internal", what);
      }
      kLog.error("request failed: method={} path={} error={}", req.method, req.path, what);
    });
    http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return;
      if (res.status == 404) send_error(res, 404, "not_found", "no such route");
      if (res.status == 413) send_error(res, 413, "too_large", "request body too large");
    });

    routes.get("/", Access::open, "The web console", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(kIndexHtml, "text/html; charset=utf-8");
    });
    routes.get("/api/v1/health", Access::open, "Liveness of the controller's loops, and version (503 when one is late)",
               [this](const httplib::Request&, httplib::Response& res) {
      json loops = json::array();
      bool late = false;
      for (const auto* beat : {&ctx.control.liveness(), &ctx.alerts.liveness()}) {
        late = late || beat->late();
        loops.push_back({{"name", beat->name()}, {"quiet_ms", beat->quiet().count()}, {"limit_ms", beat->limit().count()},
                         {"late", beat->late()}});
      }
      send_json(res, {{"status", late ? "late" : "ok"}, {"version", kVersion}, {"loops", loops}}, late ? 503 : 200);
    });
    routes.post("/api/v1/login", Access::open, "Log in (sets the session cookie)", [this](const httplib::Request& req, httplib::Response& res) { login(req, res); });
    routes.post("/api/v1/logout", Access::signed_in, "Log out", [this](const httplib::Request& req, httplib::Response& res) {
      sessions.remove(cookie_value(req, kSessionCookie));
      res.set_header("Set-Cookie", std::string(kSessionCookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
      send_json(res, {{"ok", true}});
    });
    routes.get("/api/v1/whoami", Access::signed_in, "Who the caller is", [this](const httplib::Request& req, httplib::Response& res) {
      const auto who = caller(req);
      send_json(res, {{"user", who.name}, {"roles", who.roles}, {"zones", who.zones}});
    });

    install_station_routes();
    install_zone_routes();
    install_command_routes(routes, ctx, [this](const httplib::Request& req) { return caller(req); });
    install_licence_routes(routes, ctx, [this](const httplib::Request& req) { return caller(req); });
    install_health_routes(routes, ctx);
    install_clip_routes(routes, ctx, settings.max_clip_bytes);
    install_schedule_routes(routes, ctx, [this](const httplib::Request& req) { return caller(req); });
    install_stream_routes(routes, ctx, [this](const httplib::Request& req) { return caller(req); });
    install_alert_routes(routes, ctx, [this](const httplib::Request& req) { return caller(req); });
    install_fleet_routes(routes, ctx);
    install_user_routes(routes, ctx, [this](const httplib::Request& req) { return caller(req); });

    routes.get("/api/v1/link/stats", Access::viewer, "Control-link counters", [this](const httplib::Request&, httplib::Response& res) {
      json counters = json::object();
      for (const auto& [name, value] : ctx.counters.snapshot()) counters[name] = value;
      json states = json::object();
      for (const auto& s : ctx.registry.list()) states[registry::to_string(s.state)] = states.value(registry::to_string(s.state), 0) + 1;
      send_json(res, {{"counters", counters}, {"stations", states}, {"pending_commands", ctx.commands.pending_count()}});
    });
    routes.get("/metrics", Access::viewer, "Prometheus metrics: stations, devices, links, alerts (a credential, or "
               "http.metrics_open_on_loopback for a local scraper)",
               [this](const httplib::Request&, httplib::Response& res) { metrics(res); });
    routes.get("/api/v1/openapi.json", Access::open, "This description of the API",
               [this](const httplib::Request&, httplib::Response& res) { send_json(res, routes.openapi(kVersion)); });
  }

  void login(const httplib::Request& req, httplib::Response& res) {
    auto body = parse_body(req, res);
    if (!body) return;
    if (sessions.login_blocked(req.remote_addr)) {
      kLog.warn("login throttled: address={}", req.remote_addr);
      send_error(res, 429, "throttled", "too many failed logins; wait five minutes");
      return;
    }
    const auto user = string_field(*body, "user");
    const auto password = string_field(*body, "password");
    const bool bootstrap_admin =
        user == "admin" && !settings.admin_password.empty() && equal_secret(password, settings.admin_password);
    if (!bootstrap_admin && !ctx.users.authenticate(user, password)) {
      sessions.record_login_failure(req.remote_addr);
      kLog.warn("login failed: user={} address={}", user, req.remote_addr);
      ctx.store.add_audit(store::audit_entry(time::wall_ms(), user.substr(0, 64), "login", user.substr(0, 64), "wrong user or password",
                           req.remote_addr, 401));
      send_error(res, 401, "bad_credentials", "wrong user or password");
      return;
    }
    sessions.record_login_success(req.remote_addr);
    auto id = sessions.create(user);
    res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + id + "; Path=/; HttpOnly; SameSite=Strict" +
                                     (tls() ? "; Secure" : ""));
    kLog.info("login: user={} address={}", user, req.remote_addr);
    ctx.store.add_audit(store::audit_entry(time::wall_ms(), user, "login", user, "", req.remote_addr, 200));
    send_json(res, {{"user", user}});
  }

  void install_station_routes() {
    routes.get("/api/v1/stations", Access::viewer, "Stations (?state=)", [this](const httplib::Request& req, httplib::Response& res) {
      const auto page = page_of(req, res, 10000, 100000);
      if (!page) return;
      const auto state = req.get_param_value("state");
      json items = json::array();
      for (const auto& s : ctx.registry.list()) {
        if (!state.empty() && state != registry::to_string(s.state)) continue;
        items.push_back(to_json(s));
      }
      send_page(res, items, *page);
    });
    routes.post("/api/v1/stations", Access::admin, "Provision a station with its public key", [this](const httplib::Request& req, httplib::Response& res) {
      auto body = parse_body(req, res);
      if (!body) return;
      store::StationRecord r;
      r.id = string_field(*body, "id");
      r.name = string_field(*body, "name");
      r.commune = string_field(*body, "commune");
      r.location = string_field(*body, "location");
      r.public_key = string_field(*body, "public_key");
      auto result = ctx.registry.provision(r);
      if (result == registry::ActionResult::done) ctx.control.disconnect(r.id);  // re-keyed: old link is stale
      send_action_result(res, result, r.id, ctx.registry);
      if (result == registry::ActionResult::done) res.status = 201;
    });
    routes.get(R"(/api/v1/stations/([^/]+))", Access::viewer, "One station", [this](const httplib::Request& req, httplib::Response& res) {
      auto s = ctx.registry.find(req.matches[1]);
      if (!s) return send_error(res, 404, "not_found", "no station " + std::string(req.matches[1]));
      send_json(res, to_json(*s));
    });
    routes.del(R"(/api/v1/stations/([^/]+))", Access::admin, "Forget a station", [this](const httplib::Request& req, httplib::Response& res) {
      const std::string id = req.matches[1];
      if (ctx.registry.remove(id) != registry::ActionResult::done) {
        return send_error(res, 404, "not_found", "no station " + id);
      }
      ctx.control.disconnect(id);
      res.status = 204;
    });
    routes.post(R"(/api/v1/stations/([^/]+)/(approve|reject|revoke))", Access::admin,
                "Enrollment decision (approve names the key's fingerprint: {\"fingerprint\": \"SHA256:…\"})",
              [this](const httplib::Request& req, httplib::Response& res) {
                const std::string id = req.matches[1];
                const std::string action = req.matches[2];
                std::string fingerprint;
                if (action == "approve") {
                  auto body = req.body.empty() ? std::optional<json>(json::object()) : parse_body(req, res);
                  if (!body) return;
                  fingerprint = string_field(*body, "fingerprint");
                }
                registry::ActionResult r = action == "approve"  ? ctx.registry.approve(id, fingerprint)
                                           : action == "reject" ? ctx.registry.reject(id)
                                                                : ctx.registry.revoke(id);
                // Revoking (or rejecting) cuts an open connection at once.
                if (r == registry::ActionResult::done && action != "approve") ctx.control.disconnect(id);
                kLog.info("station {}: station={} by={} result={}", action, id, caller(req).name,
                          r == registry::ActionResult::done ? "done" : "refused");
                send_action_result(res, r, id, ctx.registry);
              });
  }

  void install_zone_routes() {
    routes.get("/api/v1/zones", Access::viewer, "Zones", [this](const httplib::Request& req, httplib::Response& res) {
      const auto page = page_of(req, res, 10000, 100000);
      if (!page) return;
      json items = json::array();
      for (const auto& z : ctx.store.list_zones()) items.push_back(to_json(z));
      send_page(res, items, *page);
    });
    auto put_zone = [this](const httplib::Request& req, httplib::Response& res, std::string id, bool create) {
      auto body = parse_body(req, res);
      if (!body) return;
      if (id.empty()) id = string_field(*body, "id");
      if (!registry::StationRegistry::is_valid_station_id(id)) {
        return send_error(res, 422, "invalid", "zone id must be 1-64 letters, digits, '-', '_' or '.'");
      }
      if (create && ctx.store.find_zone(id)) return send_error(res, 409, "exists", "zone " + id + " exists");
      // Fields left out of an update keep their values.
      auto existing = ctx.store.find_zone(id);
      store::ZoneRecord z;
      z.id = id;
      z.name = string_field(*body, "name");
      if (z.name.empty()) z.name = existing ? existing->name : id;
      auto kind = body->contains("kind") ? store::parse_zone_kind((*body)["kind"].get<std::string>())
                                         : std::optional(existing ? existing->kind : store::ZoneKind::custom);
      if (!kind) return send_error(res, 422, "invalid", "kind must be commune, village or custom");
      z.kind = *kind;
      z.parent_id = body->contains("parent_id") ? (*body)["parent_id"].get<std::string>()
                    : existing                  ? existing->parent_id
                                                : std::string();
      z.quiet_hours = body->contains("quiet_hours") ? (*body)["quiet_hours"].get<std::string>()
                      : existing                    ? existing->quiet_hours
                                                    : std::string();
      if (body->contains("cap_areas")) {
        if (!(*body)["cap_areas"].is_array()) return send_error(res, 422, "invalid", "cap_areas must be a list");
        for (const auto& a : (*body)["cap_areas"]) {
          if (!a.is_string() || a.get<std::string>().empty() || a.get<std::string>().find('\n') != std::string::npos) {
            return send_error(res, 422, "invalid", "each CAP area is a geocode \"valueName=value\" or an area name");
          }
          z.cap_areas.push_back(a.get<std::string>());
        }
      } else if (existing) {
        z.cap_areas = existing->cap_areas;
      }
      if (!z.quiet_hours.empty() && !schedule::Planner::parse_quiet_hours(z.quiet_hours)) {
        return send_error(res, 422, "invalid", "quiet_hours must be HH:MM-HH:MM (e.g. 22:00-05:00), or empty");
      }
      if (!z.parent_id.empty() && (z.parent_id == id || !ctx.store.find_zone(z.parent_id))) {
        return send_error(res, 422, "invalid", "no parent zone " + z.parent_id);
      }
      if (body->contains("stations")) {
        if (!(*body)["stations"].is_array()) return send_error(res, 422, "invalid", "stations must be a list");
        for (const auto& s : (*body)["stations"]) {
          if (!s.is_string() || !ctx.registry.find(s.get<std::string>())) {
            return send_error(res, 422, "invalid", "unknown station " + s.dump());
          }
          z.station_ids.push_back(s.get<std::string>());
        }
      } else if (existing) {
        z.station_ids = existing->station_ids;
      }
      std::sort(z.station_ids.begin(), z.station_ids.end());
      z.station_ids.erase(std::unique(z.station_ids.begin(), z.station_ids.end()), z.station_ids.end());
      ctx.store.put_zone(z);
      send_json(res, to_json(*ctx.store.find_zone(id)), create ? 201 : 200);
    };
    routes.post("/api/v1/zones", Access::admin, "Create a zone", [put_zone](const httplib::Request& req, httplib::Response& res) {
      put_zone(req, res, "", true);
    });
    routes.put(R"(/api/v1/zones/([^/]+))", Access::admin, "Create or change a zone (members, parent, quiet hours, CAP areas)", [put_zone](const httplib::Request& req, httplib::Response& res) {
      put_zone(req, res, req.matches[1], false);
    });
    routes.get(R"(/api/v1/zones/([^/]+))", Access::viewer, "One zone", [this](const httplib::Request& req, httplib::Response& res) {
      auto z = ctx.store.find_zone(req.matches[1]);
      if (!z) return send_error(res, 404, "not_found", "no zone " + std::string(req.matches[1]));
      send_json(res, to_json(*z));
    });
    routes.del(R"(/api/v1/zones/([^/]+))", Access::admin, "Remove a zone", [this](const httplib::Request& req, httplib::Response& res) {
      if (!ctx.store.delete_zone(req.matches[1])) {
        return send_error(res, 404, "not_found", "no zone " + std::string(req.matches[1]));
      }
      res.status = 204;
    });
    routes.post(R"(/api/v1/zones/([^/]+)/stations)", Access::admin, "Add a station to a zone", [this](const httplib::Request& req, httplib::Response& res) {
      auto body = parse_body(req, res);
      if (!body) return;
      auto z = ctx.store.find_zone(req.matches[1]);
      if (!z) return send_error(res, 404, "not_found", "no zone " + std::string(req.matches[1]));
      auto station = string_field(*body, "station_id");
      if (!ctx.registry.find(station)) return send_error(res, 422, "invalid", "unknown station " + station);
      if (std::find(z->station_ids.begin(), z->station_ids.end(), station) == z->station_ids.end()) {
        z->station_ids.push_back(station);
      }
      ctx.store.put_zone(*z);
      send_json(res, to_json(*ctx.store.find_zone(z->id)));
    });
    routes.del(R"(/api/v1/zones/([^/]+)/stations/([^/]+))", Access::admin, "Take a station out of a zone",
                [this](const httplib::Request& req, httplib::Response& res) {
                  auto z = ctx.store.find_zone(req.matches[1]);
                  if (!z) return send_error(res, 404, "not_found", "no zone " + std::string(req.matches[1]));
                  std::erase(z->station_ids, std::string(req.matches[2]));
                  ctx.store.put_zone(*z);
                  send_json(res, to_json(*ctx.store.find_zone(z->id)));
                });
  }

  // The latest reading of every device of every approved station, as gauges.
  void device_metrics(std::string& out) {
    struct Gauge {
      const char* name;
      const char* help;
      std::string body;
    };
    std::vector<Gauge> gauges{
        {"loa_device_reachable", "1 when the device answered its last poll.", {}},
        {"loa_device_powered_on", "1 when the amplifier or transmitter output is on.", {}},
        {"loa_device_temperature_c", "Heat-sink temperature, degrees Celsius.", {}},
        {"loa_device_forward_power_w", "Forward power, watts.", {}},
        {"loa_device_reflected_power_w", "Reflected power, watts.", {}},
        {"loa_device_vswr", "Voltage standing wave ratio.", {}},
        {"loa_device_carrier_khz", "Transmitter carrier frequency, kHz.", {}},
        {"loa_device_mains_voltage_v", "Mains supply, volts.", {}},
        {"loa_device_band_compliant", "1 when carrier and power are within the licence and band plan.", {}},
    };
    for (const auto& s : ctx.registry.list()) {
      if (s.record.enrollment != store::Enrollment::approved) continue;
      for (const auto& r : ctx.store.latest_telemetry(s.record.id)) {
        loa::v1::Telemetry t;
        if (!t.ParseFromString(r.reading)) continue;
        const std::string labels = "{station=\"" + s.record.id + "\",device=\"" + r.device_id + "\"} ";
        auto put = [&](std::size_t i, bool has, double v) {
          if (has) gauges[i].body += gauges[i].name + labels + fmt::format("{}", v) + "\n";
        };
        put(0, t.has_reachable(), t.reachable());
        put(1, t.has_powered_on(), t.powered_on());
        put(2, t.has_temperature_c(), t.temperature_c());
        put(3, t.has_forward_power_w(), t.forward_power_w());
        put(4, t.has_reflected_power_w(), t.reflected_power_w());
        put(5, t.has_vswr(), t.vswr());
        put(6, t.has_carrier_khz(), static_cast<double>(t.carrier_khz()));
        put(7, t.has_mains_voltage_v(), t.mains_voltage_v());
        put(8, t.has_band_compliant(), t.band_compliant());
      }
    }
    for (const auto& g : gauges) {
      out += std::string("# HELP ") + g.name + " " + g.help + "\n# TYPE " + g.name + " gauge\n" + g.body;
    }
  }

  void metrics(httplib::Response& res) {
    std::string out;
    out += "# HELP loa_http_refused_total Requests refused at the API's gate, by who asked: strangers (no valid "
           "credential) or known callers lacking the role.\n# TYPE loa_http_refused_total counter\n";
    out += "loa_http_refused_total{caller=\"stranger\"} " + std::to_string(strangers.total()) + "\n";
    out += "loa_http_refused_total{caller=\"known\"} " + std::to_string(refused_known.load()) + "\n";
    out += "# HELP loa_link_events_total Control-link events by kind.\n# TYPE loa_link_events_total counter\n";
    for (const auto& [name, value] : ctx.counters.snapshot()) {
      out += "loa_link_events_total{kind=\"" + name + "\"} " + std::to_string(value) + "\n";
    }
    out += "# HELP loa_station_online 1 when the station's control link is up.\n# TYPE loa_station_online gauge\n";
    for (const auto& s : ctx.registry.list()) {
      if (s.record.enrollment != store::Enrollment::approved) continue;
      out += "loa_station_online{station=\"" + s.record.id + "\"} " +
             (s.state == registry::StationState::online ? "1" : "0") + "\n";
    }
    device_metrics(out);
    out += "# HELP loa_alert_events_total Alerts issued, updated, cancelled, expired; CAP messages by outcome.\n"
           "# TYPE loa_alert_events_total counter\n";
    for (const auto& [name, value] : ctx.alerts.counters()) {
      out += "loa_alert_events_total{kind=\"" + name + "\"} " + std::to_string(value) + "\n";
    }
    const auto latency = ctx.alerts.first_sound_latency();
    out += "# HELP loa_alert_first_sound_ms From issuing an alert to a station's first sound of it.\n"
           "# TYPE loa_alert_first_sound_ms histogram\n";
    for (const auto& [le, n] : latency.buckets) {
      out += "loa_alert_first_sound_ms_bucket{le=\"" + (std::isinf(le) ? std::string("+Inf") : fmt::format("{}", le)) +
             "\"} " + std::to_string(n) + "\n";
    }
    out += fmt::format("loa_alert_first_sound_ms_sum {}\nloa_alert_first_sound_ms_count {}\n", latency.sum_ms,
                       latency.count);
    out += "# HELP loa_alert_stations Stations of each alert on air, by delivery state.\n# TYPE loa_alert_stations gauge\n";
    for (const auto& [alert, states] : ctx.alerts.station_states()) {
      for (const auto& [state, n] : states) {
        out += "loa_alert_stations{alert=\"" + alert + "\",state=\"" + state + "\"} " + std::to_string(n) + "\n";
      }
    }
    out += "# HELP loa_loop_longest_turn_ms The longest a loop took to go round once since start (its worst stall).\n"
           "# TYPE loa_loop_longest_turn_ms gauge\n";
    for (const auto* beat : {&ctx.control.liveness(), &ctx.alerts.liveness()}) {
      out += "loa_loop_longest_turn_ms{loop=\"" + beat->name() + "\"} " + std::to_string(beat->longest_turn().count()) + "\n";
    }
    out += "# HELP loa_commands_pending Commands waiting for a station's result.\n# TYPE loa_commands_pending gauge\n";
    out += "loa_commands_pending " + std::to_string(ctx.commands.pending_count()) + "\n";
    res.set_content(out, "text/plain; version=0.0.4");
  }
};

ApiServer::ApiServer(ApiSettings settings, ApiContext context)
    : impl_(std::make_unique<Impl>(std::move(settings), context)) {
  impl_->install_routes();
}

ApiServer::~ApiServer() { stop(); }

int ApiServer::start() {
  auto& s = impl_->settings;
  impl_->port = s.port == 0 ? impl_->http.bind_to_any_port(s.listen_address)
                            : (impl_->http.bind_to_port(s.listen_address, s.port) ? s.port : -1);
  if (impl_->port <= 0) {
    throw std::runtime_error("cannot listen on " + s.listen_address + ":" + std::to_string(s.port));
  }
  impl_->thread = std::thread([this] { impl_->http.listen_after_bind(); });
  kLog.info("listening: url={}://{}:{}/", impl_->tls() ? "https" : "http", s.listen_address, impl_->port);
  return impl_->port;
}

void ApiServer::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->http.stop();
  impl_->thread.join();
}

}  // namespace loa::api
