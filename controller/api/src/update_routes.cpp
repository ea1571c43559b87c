#include "update_routes.hpp"

#include "http_helpers.hpp"
#include "loa/fleet/fleet.hpp"

namespace loa::api {
namespace {

json release_json(const store::AgentReleaseRecord& r) {
  return {{"sha256", r.sha256},           {"version", r.version},         {"bytes", r.bytes},
          {"signed", !r.signature.empty()}, {"uploaded_by", r.uploaded_by}, {"uploaded_ms", r.uploaded_ms}};
}

json status_json(const updates::UpdateDesk::Status& s) {
  const auto& r = s.rollout;
  json stations = json::array();
  std::map<std::string, int> counts;
  for (const auto& st : s.stations) {
    ++counts[st.state];
    json one{{"station_id", st.station_id}, {"canary", st.canary}, {"state", st.state}, {"updated_ms", st.updated_ms}};
    if (!st.command_id.empty()) one["command_id"] = st.command_id;
    if (!st.detail.empty()) one["detail"] = st.detail;
    stations.push_back(std::move(one));
  }
  return {{"id", r.id},
          {"release_sha256", r.release_sha256},
          {"version", r.version},
          {"state", r.state},
          {"canary", r.canary},
          {"confirm_within_ms", r.confirm_within_ms},
          {"reason", r.reason},
          {"created_by", r.created_by},
          {"created_ms", r.created_ms},
          {"updated_ms", r.updated_ms},
          {"counts", counts},
          {"stations", stations}};
}

// "latest" names the newest rollout.
std::string rollout_id(const httplib::Request& req) {
  const std::string id = req.matches[1];
  return id == "latest" ? std::string() : id;
}

}  // namespace

void install_update_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller) {
  if (!ctx.updates) return;
  routes.post("/api/v1/releases", Access::admin,
              "Upload a signed loa-agent package (raw .deb body, ?signature= its base64 Ed25519ph signature)",
              [&ctx, caller](const httplib::Request& req, httplib::Response& res, const std::string& upload) {
                const auto added = ctx.updates->add_release(upload, req.get_param_value("signature"), caller(req).name);
                if (!added.release) {
                  return send_error(res, added.error_code == "storage_failed" ? 507 : 422, added.error_code, added.error);
                }
                send_json(res, release_json(*added.release), 201);
              });
  routes.get("/api/v1/releases", Access::viewer, Reads::anywhere, "Agent releases kept, newest first",
             [&ctx](const httplib::Request&, httplib::Response& res) {
               json items = json::array();
               for (const auto& r : ctx.store.list_releases()) items.push_back(release_json(r));
               send_json(res, {{"items", items}});
             });
  routes.post("/api/v1/updates", Access::admin,
              "Start a staged rollout of a release: canaries first (canary: \"5%\" or station ids), the rest once they proved it",
              [&ctx, caller](const httplib::Request& req, httplib::Response& res) {
                auto body = parse_body(req, res);
                if (!body) return;
                const auto who = caller(req);
                updates::UpdateDesk::Start s;
                s.release_sha256 = string_field(*body, "release");
                s.targets = strings_of(*body, "to");
                if (s.targets.empty()) s.targets = {"all"};
                s.canary = body->value("canary", std::string("5%"));
                const auto confirm = body->value("confirm_within_ms", std::int64_t{0});
                if (confirm < 0 || confirm > 3'600'000) {
                  return send_error(res, 422, "invalid", "confirm_within_ms must be 0-3600000");
                }
                s.confirm_within_ms = static_cast<std::uint32_t>(confirm);
                s.by = who.name;
                if (auto outside = fleet::Fleet::out_of_scope(ctx.store, who.zones, s.targets)) {
                  return send_error(res, 403, "out_of_scope", *outside + " is outside " + who.name + "'s zones");
                }
                std::string error;
                const auto started = ctx.updates->start_rollout(s, error);
                if (!error.empty()) return send_error(res, 422, "invalid", error);
                send_json(res, status_json(started), 201);
              });
  routes.get("/api/v1/updates", Access::viewer, Reads::anywhere, "Rollouts, newest first",
             [&ctx](const httplib::Request&, httplib::Response& res) {
               json items = json::array();
               for (const auto& r : ctx.updates->rollouts(100)) {
                 items.push_back({{"id", r.id}, {"version", r.version}, {"state", r.state}, {"canary", r.canary},
                                  {"reason", r.reason}, {"created_by", r.created_by}, {"created_ms", r.created_ms}});
               }
               send_json(res, {{"items", items}});
             });
  routes.get(R"(/api/v1/updates/([^/]+))", Access::viewer, Reads::anywhere,
             "A rollout station by station (latest: the newest)",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
               const auto s = ctx.updates->status(rollout_id(req));
               if (!s) return send_error(res, 404, "not_found", "no such rollout");
               send_json(res, status_json(*s));
             });
  routes.post(R"(/api/v1/updates/([^/]+)/halt)", Access::admin, "Send a rollout to no more stations",
              [&ctx, caller](const httplib::Request& req, httplib::Response& res) {
                const auto s = ctx.updates->status(rollout_id(req));
                if (!s) return send_error(res, 404, "not_found", "no such rollout");
                if (!ctx.updates->halt(s->rollout.id, "halted by " + caller(req).name)) {
                  return send_error(res, 409, "not_running", "rollout " + s->rollout.id + " is " + s->rollout.state);
                }
                send_json(res, status_json(*ctx.updates->status(s->rollout.id)));
              });
  routes.post(R"(/api/v1/updates/([^/]+)/rollback)", Access::admin,
              "Send every station a rollout reached back to the release it ran before",
              [&ctx, caller](const httplib::Request& req, httplib::Response& res) {
                const auto s = ctx.updates->status(rollout_id(req));
                if (!s) return send_error(res, 404, "not_found", "no such rollout");
                const auto back = ctx.updates->roll_back(s->rollout.id, caller(req).name);
                send_json(res, status_json(*back));
              });
}

}  // namespace loa::api
