#include "loa/api/api_server.hpp"

#include <httplib.h>
#include <sodium.h>

#include <cctype>

#include <atomic>

#include <nlohmann/json.hpp>

#include "alert_routes.hpp"
#include "approval_routes.hpp"
#include "federation_routes.hpp"
#include "report_routes.hpp"
#include "clip_routes.hpp"
#include "console_routes.hpp"
#include "command_routes.hpp"
#include "licence_routes.hpp"
#include "config_routes.hpp"
#include "update_routes.hpp"
#include "health_routes.hpp"
#include "route_table.hpp"
#include "schedule_routes.hpp"
#include "stranger_refusals.hpp"
#include "stream_routes.hpp"
#include "user_routes.hpp"
#include "fleet_routes.hpp"
#include "http_helpers.hpp"
#include "json_views.hpp"
#include "metrics_text.hpp"
#include "loa/log/log.hpp"
#include "loa/time/clock.hpp"
#include "loa/version.hpp"
#include "session_store.hpp"

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


}  // namespace

struct ApiServer::Impl final : http::IRequestHandler {
  ApiSettings settings;
  ApiContext ctx;
  RouteTable routes;
  SessionStore sessions;
  StrangerRefusals strangers;  // refusals of callers with no valid credential
  std::atomic<std::uint64_t> refused_known{0};  // of signed-in callers lacking the role
  http::HttpFront front;
  int port = 0;

  Impl(ApiSettings s, ApiContext c)
      : settings(std::move(s)), ctx(c), sessions(std::chrono::hours(12), &ctx.store), front(front_settings(settings), *this) {}

  static http::FrontSettings front_settings(const ApiSettings& s) {
    http::FrontSettings f;
    f.listen_address = s.listen_address;
    f.port = s.port;
    f.tls_cert_file = s.tls_cert_file;
    f.tls_key_file = s.tls_key_file;
    f.spool_dir = s.spool_dir;
    f.limits = s.limits;
    return f;
  }

  bool tls() const { return front.tls(); }

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

  // From the headers alone, on a worker: is there such a route, may this caller use it,
  // and how much body may follow. Nothing of the body has been read yet, so a stranger's
  // 100 MiB upload costs nothing.
  http::Admission admit(const httplib::Request& req, httplib::Response& res) override {
    const auto* route = routes.match(req.method, req.path);
    if (route == nullptr) {
      send_error(res, 404, "not_found", "no such route");
      return {};
    }
    if (!gate(req, res, *route)) return {};
    // Clip uploads are spooled to disk and may be large; every other body is small JSON.
    const bool upload = static_cast<bool>(route->upload_handler);
    return {true, upload ? settings.max_clip_bytes : settings.max_body_bytes, upload};
  }

  // The one gate every route passes: deny unless public or allowed to this caller.
  bool gate(const httplib::Request& req, httplib::Response& res, const RouteTable::Route& route) {
    // Deny by default: every route in the table says who may call it.
    if (route.access == Access::open) return true;
    const auto who = caller(req);
    // A CAP source's token opens the CAP route and nothing else.
    const bool confined = !who.cap_source.empty() && req.path != "/api/v1/cap";
    if (!confined && allows(route.access, who)) return within_scope(req, res, route, who);
    if (who.name.empty()) {
      if (req.path == "/metrics" && settings.metrics_open_on_loopback && is_loopback(req.remote_addr)) {
        return true;  // a scraper on this machine
      }
      refuse_stranger(req);
      send_error(res, 401, "unauthenticated", "a valid bearer token or session is required");
      return false;
    }
    // Someone we know, reaching past their roles: each one is the audit log's business.
    ++refused_known;
    kLog.warn("denied: method={} path={} user={} address={}", req.method, req.path, who.name, req.remote_addr);
    try {
      ctx.store.add_audit(store::audit_entry(time::wall_ms(), who.name, "denied", req.method + " " + req.path,
                                             std::string("needs ") + to_string(route.access), req.remote_addr, 403));
    } catch (const store::StoreError& e) {
      kLog.error("audit failed: path={} error={}", req.path, e.what());
    }
    send_error(res, 403, "forbidden",
               "this needs the " + std::string(to_string(route.access)) + " role; " + who.name + " does not have it");
    return false;
  }

  // A person scoped to part of the tree reads only that part: a read of the whole tree,
  // or of one station or zone outside it, is refused here; lists are cut by their
  // handlers (Reads::filtered). Writes check their own targets.
  bool within_scope(const httplib::Request& req, httplib::Response& res, const RouteTable::Route& route,
                    const users::Caller& who) {
    if (who.zones.empty() || (req.method != "GET" && req.method != "HEAD")) return true;
    std::string refusal;
    switch (route.reads) {
      case Reads::anywhere:
      case Reads::filtered:
        return true;
      case Reads::whole_tree:
        refusal = req.path + " shows the whole tree; " + who.name + " sees only their zones";
        break;
      case Reads::station_in_path:
      case Reads::zone_in_path: {
        std::smatch groups;
        const bool matched = routes.match(req.method, req.path, groups) != nullptr;
        const std::string id = matched && groups.size() > 1 ? groups[1].str() : std::string();
        const auto scope = fleet::Scope::of(ctx.store, who.zones);
        const bool station = route.reads == Reads::station_in_path;
        if (station ? scope.sees_station(id) : scope.sees_zone(id)) return true;
        refusal = std::string(station ? "station " : "zone ") + id + " is outside " + who.name + "'s zones";
        break;
      }
    }
    ++refused_known;
    kLog.warn("denied: method={} path={} user={} address={} reason=out_of_scope", req.method, req.path, who.name,
              req.remote_addr);
    try {
      ctx.store.add_audit(store::audit_entry(time::wall_ms(), who.name, "denied", req.method + " " + req.path,
                                             "outside the caller's zones", req.remote_addr, 403));
    } catch (const store::StoreError& e) {
      kLog.error("audit failed: path={} error={}", req.path, e.what());
    }
    send_error(res, 403, "out_of_scope", refusal);
    return false;
  }

  fleet::Scope scope(const httplib::Request& req) { return fleet::Scope::of(ctx.store, caller(req).zones); }

  // With the whole body, on a worker: the route's handler, then the audit entry.
  void handle(httplib::Request& req, httplib::Response& res, const std::string& spooled_body) override {
    try {
      if (!routes.dispatch(req, res, spooled_body)) send_error(res, 404, "not_found", "no such route");
      if (res.status == -1) res.status = 200;
    } catch (...) {
      httplib::Response fresh;  // the old one's resources are released as it goes
      std::swap(res, fresh);
      answer_failure(req, res, std::current_exception());
    }
    audit_change(req, res);
  }

  static void answer_failure(const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
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
  }

  // Every change anyone asks for, with its result, goes into the audit log (reads do
  // not; refusals by the gate are logged there). Written after the handler and before
  // the answer goes out: whoever sees the answer finds its audit entry already there.
  void audit_change(const httplib::Request& req, const httplib::Response& res) {
    if (req.method == "GET" || req.method == "HEAD" || req.method == "OPTIONS") return;
    if (res.status == 401 || res.status == 403) return;  // already logged as denied
    if (req.path == "/api/v1/login") return;           // logged by login(), with the user
    try {
      std::string action = "http.";
      for (char c : req.method) action += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const auto who = caller(req).name;
      ctx.store.add_audit(store::audit_entry(time::wall_ms(), who.empty() ? "-" : who, action, req.path, "",
                                             req.remote_addr, res.status));
    } catch (const std::exception& e) {
      kLog.error("audit failed: path={} error={}", req.path, e.what());
    }
  }

  void install_routes() {
    install_console_routes(routes, settings.console, ctx.time_zone);
    routes.get("/api/v1/health", Access::open, Reads::anywhere, "Liveness of the controller's loops, and version (503 when one is late)",
               [this](const httplib::Request&, httplib::Response& res) {
      json loops = json::array();
      bool late = false;
      for (const auto* beat : {&ctx.control.liveness(), &ctx.alerts.liveness()}) {
        late = late || beat->late();
        loops.push_back({{"name", beat->name()}, {"quiet_ms", beat->quiet().count()}, {"limit_ms", beat->limit().count()},
                         {"late", beat->late()}});
      }
      json body{{"status", late ? "late" : "ok"}, {"role", "active"}, {"epoch", settings.controller_epoch},
                {"version", kVersion}, {"loops", loops}};
      if (!settings.controller_node.empty()) body["node"] = settings.controller_node;
      send_json(res, body, late ? 503 : 200);
    });
    routes.post("/api/v1/login", Access::open, "Log in (sets the session cookie)", [this](const httplib::Request& req, httplib::Response& res) { login(req, res); });
    routes.post("/api/v1/logout", Access::signed_in, "Log out", [this](const httplib::Request& req, httplib::Response& res) {
      sessions.remove(cookie_value(req, kSessionCookie));
      res.set_header("Set-Cookie", std::string(kSessionCookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
      send_json(res, {{"ok", true}});
    });
    routes.get("/api/v1/whoami", Access::signed_in, Reads::anywhere, "Who the caller is", [this](const httplib::Request& req, httplib::Response& res) {
      const auto who = caller(req);
      send_json(res, {{"user", who.name}, {"roles", who.roles}, {"zones", who.zones}});
    });

    install_station_routes();
    install_zone_routes();
    const CallerOf who = [this](const httplib::Request& req) { return caller(req); };
    const ScopeOf seen = [this](const httplib::Request& req) { return scope(req); };
    install_command_routes(routes, ctx, who, seen);
    install_licence_routes(routes, ctx, who, seen);
    install_config_routes(routes, ctx, who, seen);
    install_update_routes(routes, ctx, who);
    install_health_routes(routes, ctx, who);
    install_clip_routes(routes, ctx, settings.max_clip_bytes);
    install_schedule_routes(routes, ctx, who, seen);
    install_approval_routes(routes, ctx, who, seen);
    install_federation_routes(routes, ctx, who, seen);
    install_report_routes(routes, ctx, seen);
    install_stream_routes(routes, ctx, who, seen);
    install_alert_routes(routes, ctx, who, seen);
    install_fleet_routes(routes, ctx, seen);
    install_user_routes(routes, ctx, who);

    routes.get("/api/v1/link/stats", Access::viewer, "Control-link counters", [this](const httplib::Request&, httplib::Response& res) {
      json counters = json::object();
      for (const auto& [name, value] : ctx.counters.snapshot()) counters[name] = value;
      json states = json::object();
      for (const auto& s : ctx.registry.list()) states[registry::to_string(s.state)] = states.value(registry::to_string(s.state), 0) + 1;
      send_json(res, {{"counters", counters}, {"stations", states}, {"pending_commands", ctx.commands.pending_count()}});
    });
    routes.get("/metrics", Access::viewer, "Prometheus metrics: stations, devices, links, alerts (a credential, or "
               "http.metrics_open_on_loopback for a local scraper)",
               [this](const httplib::Request&, httplib::Response& res) {
                 res.set_content(metrics_text(ctx, {strangers.total(), refused_known.load(), front.stats()}),
                                 "text/plain; version=0.0.4");
               });
    routes.get("/api/v1/openapi.json", Access::open, Reads::anywhere, "This description of the API",
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
    routes.get("/api/v1/stations", Access::viewer, Reads::filtered, "Stations (?state=)", [this](const httplib::Request& req, httplib::Response& res) {
      const auto page = page_of(req, res, 10000, 100000);
      if (!page) return;
      const auto state = req.get_param_value("state");
      const auto seen = scope(req);
      json items = json::array();
      for (const auto& s : ctx.registry.list()) {
        if (!state.empty() && state != registry::to_string(s.state)) continue;
        if (!seen.sees_station(s.record.id)) continue;
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
    routes.get(R"(/api/v1/stations/([^/]+))", Access::viewer, Reads::station_in_path, "One station", [this](const httplib::Request& req, httplib::Response& res) {
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
    routes.get("/api/v1/levels", Access::viewer, Reads::anywhere, "The province's tree levels, top down (each a zone kind)",
               [this](const httplib::Request&, httplib::Response& res) {
                 json levels = json::array();
                 for (const auto& l : ctx.levels.levels()) {
                   levels.push_back({{"kind", l.kind}, {"name", l.name}, {"optional", l.optional}});
                 }
                 send_json(res, {{"levels", levels}, {"free_grouping", fleet::TreeLevels::kFreeGrouping}});
               });
    routes.get("/api/v1/zones", Access::viewer, Reads::filtered, "Zones", [this](const httplib::Request& req, httplib::Response& res) {
      const auto page = page_of(req, res, 10000, 100000);
      if (!page) return;
      const auto seen = scope(req);
      json items = json::array();
      for (const auto& z : ctx.store.list_zones()) {
        if (seen.sees_zone(z.id)) items.push_back(to_json(z));
      }
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
      z.kind = body->contains("kind") ? (*body)["kind"].get<std::string>()
               : existing             ? existing->kind
                                      : std::string(fleet::TreeLevels::kFreeGrouping);
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
      if (body->contains("needs_approval")) {
        if (!(*body)["needs_approval"].is_boolean()) return send_error(res, 422, "invalid", "needs_approval must be true or false");
        z.needs_approval = (*body)["needs_approval"].get<bool>();
      } else if (existing) {
        z.needs_approval = existing->needs_approval;
      }
      if (!z.quiet_hours.empty() && !schedule::Planner::parse_quiet_hours(z.quiet_hours)) {
        return send_error(res, 422, "invalid", "quiet_hours must be HH:MM-HH:MM (e.g. 22:00-05:00), or empty");
      }
      const auto parent = z.parent_id.empty() || z.parent_id == id ? std::nullopt : ctx.store.find_zone(z.parent_id);
      if (!z.parent_id.empty() && !parent) return send_error(res, 422, "invalid", "no parent zone " + z.parent_id);
      // The province's levels: a commune under a province (or a former district), never
      // the other way round; and a zone's new kind must still fit the zones under it.
      if (auto why = ctx.levels.misplaced(z.kind, parent ? parent->kind : std::string())) {
        return send_error(res, 422, "invalid", *why);
      }
      if (existing && existing->kind != z.kind) {
        for (const auto& child : ctx.store.list_zones()) {
          if (child.parent_id != id) continue;
          if (auto why = ctx.levels.misplaced(child.kind, z.kind)) {
            return send_error(res, 422, "invalid", "zone " + child.id + " under it: " + *why);
          }
        }
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
    routes.put(R"(/api/v1/zones/([^/]+))", Access::admin, "Create or change a zone (members, parent, quiet hours, CAP areas, needs_approval)", [put_zone](const httplib::Request& req, httplib::Response& res) {
      put_zone(req, res, req.matches[1], false);
    });
    routes.get(R"(/api/v1/zones/([^/]+))", Access::viewer, Reads::zone_in_path, "One zone", [this](const httplib::Request& req, httplib::Response& res) {
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
};

ApiServer::ApiServer(ApiSettings settings, ApiContext context)
    : impl_(std::make_unique<Impl>(std::move(settings), context)) {
  impl_->install_routes();
}

ApiServer::~ApiServer() { stop(); }

int ApiServer::start() {
  const auto& s = impl_->settings;
  impl_->port = impl_->front.start();
  kLog.info("listening: url={}://{}:{}/ max_connections={} per_address={} workers={}", impl_->tls() ? "https" : "http",
            s.listen_address, impl_->port, s.limits.max_connections, s.limits.max_connections_per_address,
            s.limits.workers);
  return impl_->port;
}

void ApiServer::stop() { impl_->front.stop(); }

}  // namespace loa::api
