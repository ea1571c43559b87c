#include "approval_routes.hpp"

#include "http_helpers.hpp"
#include "json_views.hpp"
#include "loa/fleet/fleet.hpp"
#include "loa/log/log.hpp"
#include "loa/time/clock.hpp"

namespace loa::api {
namespace {

const log::Logger kLog("api");

// What an approver needs to judge a broadcast: what it says (the clip to hear), where,
// when and how often, who asked, and where it stands.
json approval_item(const store::BroadcastRecord& b) {
  json content = {{"kind", b.tts_text.empty() ? store::to_string(b.content_kind) : "tts"}};
  if (!b.clip_sha256.empty()) {
    content["clip_id"] = b.clip_sha256;
    content["audio"] = "/api/v1/clips/" + b.clip_sha256 + "/audio";
  }
  if (!b.tts_text.empty()) content["text"] = b.tts_text;
  if (!b.relay_url.empty()) content["relay_url"] = b.relay_url;
  return {{"id", b.id},         {"title", b.title},       {"content", content},       {"targets", b.targets},
          {"start", b.start_local}, {"tz", b.time_zone},  {"rrule", b.rrule},         {"priority", b.priority},
          {"created_by", b.created_by}, {"created_ms", b.created_ms}, {"approval", to_json(*b.approval)}};
}

void decide(ApiContext& ctx, const users::Caller& who, const fleet::Scope& scope, const httplib::Request& req,
            httplib::Response& res) {
  const std::string id = req.matches[1];
  const bool approve = req.matches[2] == "approve";
  json body = json::object();
  if (!req.body.empty()) {
    auto parsed = parse_body(req, res);
    if (!parsed) return;
    body = *parsed;
  }
  const auto b = ctx.store.find_broadcast(id);
  if (!b || !scope.sees_targets(b->targets)) return send_error(res, 404, "not_found", "no broadcast " + id);
  if (!b->approval || b->approval->state != store::ApprovalState::pending || b->cancelled_ms) {
    return send_error(res, 409, "wrong_state", "broadcast " + id + " is not waiting for approval");
  }
  // Approval is a second person's judgement: not a script's, and not the author's own.
  if (!who.is_person()) {
    return send_error(res, 403, "two_person_rule", "a script's token cannot approve a broadcast; a person must");
  }
  if (who.name == b->approval->submitted_by) {
    return send_error(res, 403, "two_person_rule",
                      who.name + " made broadcast " + id + "; another approver of its zone must decide on it");
  }
  if (auto out = fleet::Fleet::out_of_scope(ctx.store, who.zones, b->targets)) {
    return send_error(res, 403, "out_of_scope", "broadcast " + id + " reaches " + *out + ", outside " + who.name + "'s zones");
  }
  const auto note = utf8_prefix(string_field(body, "reason"), 500);
  if (!approve && note.empty()) {
    return send_error(res, 422, "invalid", "say why it goes back: {\"reason\": \"...\"}");
  }
  const auto now = time::wall_ms();
  const auto decision = approve ? store::ApprovalState::approved : store::ApprovalState::returned;
  if (!ctx.store.decide_approval(id, decision, who.name, note, now)) {
    return send_error(res, 409, "wrong_state", "broadcast " + id + " was decided or cancelled meanwhile");
  }
  ctx.store.add_audit(store::audit_entry(now, who.name, approve ? "broadcast.approved" : "broadcast.returned", id, note,
                                         req.remote_addr, 200));
  kLog.info("broadcast {}: id={} by={} submitted_by={}", approve ? "approved" : "returned", id, who.name,
            b->approval->submitted_by);
  if (approve) ctx.scheduler.request_sync();  // its plays go out now, not at the next round
  send_json(res, approval_item(*ctx.store.find_broadcast(id)));
}

}  // namespace

void install_approval_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller, ScopeOf scope_of) {
  routes.get("/api/v1/approvals", Access::viewer, Reads::filtered,
             "Broadcasts waiting for an approver (?state=approved|returned|all: decided ones too), newest first",
             [&ctx, scope_of](const httplib::Request& req, httplib::Response& res) {
               const auto page = page_of(req, res, 1000, 10000);
               if (!page) return;
               const auto wanted = req.has_param("state") ? req.get_param_value("state") : std::string("pending");
               if (wanted != "all" && !store::parse_approval_state(wanted)) {
                 return send_error(res, 422, "invalid", "state must be pending, approved, returned or all");
               }
               const auto scope = scope_of(req);
               json items = json::array();
               for (const auto& b : ctx.store.list_broadcasts(true)) {
                 if (!b.approval || !scope.sees_targets(b.targets)) continue;
                 if (wanted != "all" && wanted != store::to_string(b.approval->state)) continue;
                 items.push_back(approval_item(b));
               }
               send_page(res, items, *page);
             });
  routes.post(R"(/api/v1/broadcasts/([^/]+)/(approve|return))", Access::approver,
              "Approve a broadcast for air, or send it back ({\"reason\": \"...\"}, which cancels it)",
              [&ctx, caller, scope_of](const httplib::Request& req, httplib::Response& res) {
                decide(ctx, caller(req), scope_of(req), req, res);
              });
}

}  // namespace loa::api
