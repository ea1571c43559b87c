#include "user_routes.hpp"

#include "http_helpers.hpp"
#include "loa/log/log.hpp"
#include "loa/time/clock.hpp"

namespace loa::api {
namespace {

json token_json(const store::ApiTokenRecord& t) {
  return {{"id", t.id},
          {"user", t.user},
          {"label", t.label},
          {"created_ms", t.created_ms},
          {"expires_ms", t.expires_ms ? json(t.expires_ms) : json(nullptr)}};
}

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

}  // namespace

void install_user_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller) {
  routes.get("/api/v1/audit", Access::admin, "The audit log, newest first (?subject=)", [&ctx](const httplib::Request& req, httplib::Response& res) {
    const auto page = page_of(req, res, 200, 10000);
    if (!page) return;
    json items = json::array();
    for (const auto& a : ctx.store.list_audit(req.get_param_value("subject"), page->fetch())) {
      items.push_back({{"seq", a.seq},         {"at_ms", a.at_ms},   {"user", a.user},
                       {"action", a.action},   {"subject", a.subject}, {"detail", a.detail},
                       {"address", a.address}, {"result", a.result},   {"hash", a.hash}});
    }
    send_page(res, items, *page, false);
  });
  routes.get("/api/v1/audit/verify", Access::admin, "Recompute the audit log's hash chain",
             [&ctx](const httplib::Request&, httplib::Response& res) {
               const auto check = ctx.store.verify_audit();
               json out = {{"entries", check.entries}, {"intact", !check.broken_at}};
               if (check.broken_at) out["broken_at"] = *check.broken_at;
               send_json(res, out);
             });

  routes.get("/api/v1/users", Access::admin, "Users and their roles", [&ctx](const httplib::Request& req, httplib::Response& res) {
    const auto page = page_of(req, res, 10000, 100000);
    if (!page) return;
    json items = json::array();
    for (const auto& u : ctx.store.list_users()) {
      items.push_back({{"name", u.name}, {"roles", u.roles}, {"zones", u.zones}, {"created_ms", u.created_ms}});
    }
    send_page(res, items, *page);
  });
  routes.post("/api/v1/users", Access::admin, "Add or replace a user", [&ctx, caller](const httplib::Request& req, httplib::Response& res) {
    const auto who = caller(req);
    auto body = parse_body(req, res);
    if (!body) return;
    const auto name = string_field(*body, "name");
    auto error = ctx.users.put(name, string_field(*body, "password"), strings_of(*body, "roles"), strings_of(*body, "zones"));
    if (!error.empty()) return send_error(res, 422, "invalid", error);
    ctx.store.add_audit(store::audit_entry(time::wall_ms(), who.name, "user.put", name,
                                           body->contains("roles") ? (*body)["roles"].dump() : ""));
    send_json(res, {{"name", name}, {"roles", strings_of(*body, "roles")}, {"zones", strings_of(*body, "zones")}}, 201);
  });
  routes.del(R"(/api/v1/users/([^/]+))", Access::admin, "Remove a user and the user's tokens", [&ctx, caller](const httplib::Request& req, httplib::Response& res) {
    const auto who = caller(req);
    if (!ctx.store.delete_user(req.matches[1])) return send_error(res, 404, "not_found", "no user " + std::string(req.matches[1]));
    ctx.store.add_audit(store::audit_entry(time::wall_ms(), who.name, "user.delete", req.matches[1], ""));
    res.status = 204;
  });

  // Tokens: everyone signed in manages their own; an admin sees and revokes anyone's and
  // may make one for another user (a station technician's script, say).
  routes.get("/api/v1/tokens", Access::signed_in, Reads::anywhere, "API tokens: the caller's own (an admin's: everyone's, or ?user=)", [&ctx, caller](const httplib::Request& req, httplib::Response& res) {
    const auto who = caller(req);
    const auto page = page_of(req, res, 10000, 100000);
    if (!page) return;
    const auto user = who.has_role("admin") ? req.get_param_value("user") : who.name;
    json items = json::array();
    for (const auto& t : ctx.store.list_tokens(user)) items.push_back(token_json(t));
    send_page(res, items, *page);
  });
  routes.post("/api/v1/tokens", Access::signed_in, "Make an API token (its secret is shown only in this answer)", [&ctx, caller](const httplib::Request& req, httplib::Response& res) {
    const auto who = caller(req);
    auto body = parse_body(req, res);
    if (!body) return;
    auto user = string_field(*body, "user");
    if (user.empty()) user = who.name;
    if (user != who.name && !who.has_role("admin")) {
      return send_error(res, 403, "forbidden", "only an admin makes tokens for someone else");
    }
    const auto days = body->value("expires_days", 365);
    if (days < 0 || days > 3650) return send_error(res, 422, "invalid", "expires_days is 0 (never) to 3650");
    auto issued = ctx.users.issue_token(user, utf8_prefix(string_field(*body, "label"), 200), days * kDayMs);
    if (!issued) {
      return send_error(res, 422, "invalid",
                        "no user " + user + " in the user list (the configured admin and the shared token have no tokens)");
    }
    ctx.store.add_audit(store::audit_entry(time::wall_ms(), who.name, "token.issue", issued->record.id,
                                           "for " + user + " " + issued->record.label, req.remote_addr, 201));
    auto out = token_json(issued->record);
    out["token"] = issued->secret;
    send_json(res, out, 201);
  });
  routes.del(R"(/api/v1/tokens/([^/]+))", Access::signed_in, "Revoke an API token", [&ctx, caller](const httplib::Request& req, httplib::Response& res) {
    const auto who = caller(req);
    const std::string id = req.matches[1];
    const auto mine = ctx.store.list_tokens(who.has_role("admin") ? "" : who.name);
    const bool found = std::any_of(mine.begin(), mine.end(), [&](const auto& t) { return t.id == id; });
    if (!found || !ctx.store.delete_token(id)) return send_error(res, 404, "not_found", "no token " + id);
    ctx.store.add_audit(store::audit_entry(time::wall_ms(), who.name, "token.revoke", id, "", req.remote_addr, 204));
    res.status = 204;
  });
}

}  // namespace loa::api
