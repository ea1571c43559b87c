#include "federation_routes.hpp"

#include "http_helpers.hpp"
#include "loa/log/log.hpp"
#include "loa/time/clock.hpp"

namespace loa::api {
namespace {

const log::Logger kLog("api");

int status_of(const federation::RelayError& e) {
  if (e.code() == "not_found") return 404;
  if (e.code() == "forbidden" || e.code() == "out_of_scope") return 403;
  if (e.code() == "no_members") return 409;
  return 422;
}

std::int64_t ms_param(const httplib::Request& req, const char* key, std::int64_t fallback) {
  if (!req.has_param(key)) return fallback;
  return std::strtoll(req.get_param_value(key).c_str(), nullptr, 10);
}

}  // namespace

std::vector<std::string> inbox_targets(const store::InboxRecord& entry) {
  std::vector<std::string> out;
  for (const auto& z : entry.zones) out.push_back("zone:" + z);
  if (out.empty()) out.push_back("all");
  return out;
}

json inbox_json(const store::InboxRecord& e) {
  return {{"id", e.id},
          {"level", e.level},
          {"title", e.title},
          {"text", e.body},
          {"zones", e.zones},
          {"sender", e.sender},
          {"received_ms", e.received_ms},
          {"valid_until_ms", e.valid_until_ms},
          {"state", e.state == store::InboxState::waiting && e.valid_until_ms < time::wall_ms()
                        ? "expired"
                        : store::to_string(e.state)},
          {"decided_by", e.decided_by},
          {"decided_ms", e.decided_ms},
          {"broadcast_id", e.broadcast_id},
          {"clip_id", e.clip_sha256}};
}

void install_federation_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller, ScopeOf scope_of) {
  auto guarded = [](httplib::Response& res, const std::function<void()>& f) {
    try {
      f();
    } catch (const federation::RelayError& e) {
      send_error(res, status_of(e), e.code(), e.what());
    }
  };
  routes.get("/api/v1/members", Access::viewer, "Member controllers below this one: link and stations rolled up",
             [&ctx](const httplib::Request&, httplib::Response& res) { send_json(res, ctx.members.members()); });
  routes.get(R"(/api/v1/members/([^/]+))", Access::viewer, "One member controller",
             [&ctx, guarded](const httplib::Request& req, httplib::Response& res) {
               guarded(res, [&] { send_json(res, ctx.members.member(req.matches[1])); });
             });
  routes.get("/api/v1/federation/stations", Access::viewer,
             "The members' stations as each last said (?member=ID)",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
               send_json(res, ctx.members.stations(req.has_param("member") ? req.get_param_value("member") : ""));
             });
  routes.get("/api/v1/federation/asrun", Access::viewer,
             "The members' as-run (?member=ID&from_ms=&until_ms=&limit=), oldest first",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
               const auto page = page_of(req, res, 1000, 100000);
               if (!page) return;
               send_json(res, ctx.members.asrun(req.has_param("member") ? req.get_param_value("member") : "",
                                                ms_param(req, "from_ms", 0), ms_param(req, "until_ms", INT64_MAX),
                                                page->limit));
             });
  routes.post("/api/v1/relays", Access::operator_,
              "Send an alert or a bulletin (normal, priority, emergency) down to member controllers",
              [&ctx, caller, guarded](const httplib::Request& req, httplib::Response& res) {
                auto body = parse_body(req, res);
                if (!body) return;
                guarded(res, [&] { send_json(res, ctx.members.send(*body, caller(req)), 201); });
              });
  routes.get("/api/v1/relays", Access::viewer, "Alerts and bulletins sent down, newest first, with their progress",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
               const auto page = page_of(req, res, 100, 1000);
               if (!page) return;
               send_json(res, ctx.members.relays(page->limit));
             });
  routes.get(R"(/api/v1/relays/([^/]+))", Access::viewer,
             "One relay: each member's state and the stations rolled up (\"1870/1900 sounding; ...\")",
             [&ctx, guarded](const httplib::Request& req, httplib::Response& res) {
               guarded(res, [&] { send_json(res, ctx.members.relay(req.matches[1])); });
             });

  routes.get("/api/v1/feeds", Access::viewer, "Upstream feeds polled: last poll, errors, items taken and refused",
             [&ctx](const httplib::Request&, httplib::Response& res) { send_json(res, ctx.feeds.status()); });
  routes.post("/api/v1/feeds/poll", Access::admin, "Poll every upstream feed now",
              [&ctx](const httplib::Request&, httplib::Response& res) {
                ctx.feeds.poll_now();
                send_json(res, {{"polling", true}}, 202);
              });
  routes.get("/api/v1/uplink", Access::viewer, "This controller's link up to the one above (404: it is at the top)",
             [&ctx](const httplib::Request&, httplib::Response& res) {
               if (!ctx.uplink) return send_error(res, 404, "not_found", "this controller is no member of another");
               send_json(res, {{"member_id", ctx.uplink->member_id()},
                               {"above", ctx.uplink->above()},
                               {"fingerprint", ctx.uplink->key_fingerprint()},
                               {"online", ctx.uplink->online()},
                               {"acknowledged_asrun", ctx.uplink->acknowledged()}});
             });
  routes.get("/api/v1/inbox", Access::viewer, Reads::filtered,
             "Normal bulletins from above (?state=waiting|accepted|declined|expired|all), newest first",
             [&ctx, scope_of](const httplib::Request& req, httplib::Response& res) {
               const auto page = page_of(req, res, 100, 1000);
               if (!page) return;
               const auto wanted = req.has_param("state") ? req.get_param_value("state") : std::string("all");
               const auto scope = scope_of(req);
               json items = json::array();
               for (const auto& e : ctx.store.list_inbox(std::nullopt, page->fetch(!scope.whole()))) {
                 if (!scope.sees_targets(inbox_targets(e))) continue;
                 auto j = inbox_json(e);
                 if (wanted != "all" && j["state"] != wanted) continue;
                 items.push_back(std::move(j));
               }
               send_page(res, items, *page);
             });
  routes.post(R"(/api/v1/inbox/([^/]+)/decline)", Access::operator_,
              "Decline a normal bulletin from above ({\"reason\": \"...\"})",
              [&ctx, caller, scope_of](const httplib::Request& req, httplib::Response& res) {
                const std::string id = req.matches[1];
                const auto entry = ctx.store.find_inbox(id);
                if (!entry || !scope_of(req).sees_targets(inbox_targets(*entry))) {
                  return send_error(res, 404, "not_found", "no bulletin " + id + " in the inbox");
                }
                const auto who = caller(req);
                json body = json::object();
                if (!req.body.empty()) {
                  auto parsed = parse_body(req, res);
                  if (!parsed) return;
                  body = *parsed;
                }
                const auto now = time::wall_ms();
                const auto reason = utf8_prefix(string_field(body, "reason"), 500);
                if (!ctx.store.decide_inbox(id, store::InboxState::declined, who.name, now, "",
                                            store::audit_entry(now, who.name, "inbox.declined", id, reason,
                                                               req.remote_addr, 200))) {
                  return send_error(res, 409, "wrong_state", "bulletin " + id + " is no longer waiting");
                }
                kLog.info("bulletin declined: id={} by={}", id, who.name);
                send_json(res, inbox_json(*ctx.store.find_inbox(id)));
              });
}

}  // namespace loa::api
