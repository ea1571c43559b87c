#include "schedule_routes.hpp"

#include <algorithm>
#include <set>
#include <sstream>

#include "federation_routes.hpp"
#include "http_helpers.hpp"
#include "json_views.hpp"
#include "loa/log/log.hpp"
#include "loa/schedule/icalendar.hpp"
#include "loa/schedule/recurrence.hpp"
#include "loa/time/clock.hpp"

namespace loa::api {
namespace {

const log::Logger kLog("api");
using schedule::ScheduleError;

constexpr std::size_t kMaxOccurrencesShown = 1000;

// Short enough to type: "b-" and the first 8 hex digits of a random id.
std::string new_broadcast_id(store::Store& store) {
  for (;;) {
    auto id = "b-" + server::random_hex(8);
    if (!store.find_broadcast(id)) return id;
  }
}

// An instant from a query or body: ms since the epoch, an ISO 8601 instant, or a local
// date (midnight) or date and time in `zone`.
std::optional<std::int64_t> instant_of(const std::string& text, const schedule::TimeZone& zone) {
  if (text.empty()) return std::nullopt;
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }) && text.size() > 10) {
    return std::stoll(text);
  }
  if (auto local = schedule::parse_local(text); local && !local->has_time) {
    return zone.to_utc_ms(local->year, local->month, local->day, 0, 0, 0);
  }
  return schedule::parse_instant(text, zone);
}

struct ScheduleRoutes : std::enable_shared_from_this<ScheduleRoutes> {
  ApiContext& ctx;
  CallerOf caller;
  ScopeOf scope_of;
  schedule::TimeZone zone_;

  ScheduleRoutes(ApiContext& c, CallerOf who, ScopeOf scope)
      : ctx(c), caller(std::move(who)), scope_of(std::move(scope)), zone_(c.time_zone) {}

  const schedule::TimeZone& local_zone() const { return zone_; }

  json occurrence_json(std::int64_t at, const schedule::TimeZone& zone) const {
    return {{"at", zone.format(at)}, {"at_ms", at}};
  }

  json broadcast_json(const store::BroadcastRecord& b, std::int64_t now, std::size_t occurrences) const {
    json content = {{"kind", b.tts_text.empty() ? store::to_string(b.content_kind) : "tts"}};
    if (!b.clip_sha256.empty()) content["clip_id"] = b.clip_sha256;
    if (!b.tts_text.empty()) content["text"] = b.tts_text;
    if (!b.relay_url.empty()) content["relay_url"] = b.relay_url;
    json to = json::array();
    for (const auto& t : b.targets) {
      to.push_back(t.rfind("station:", 0) == 0 ? t.substr(8) : t.rfind("zone:", 0) == 0 ? t.substr(5) : t);
    }
    json j = {{"id", b.id},
              {"title", b.title},
              {"content", content},
              {"to", to},
              {"targets", b.targets},
              {"start", b.start_local},
              {"tz", b.time_zone},
              {"rrule", b.rrule},
              {"exdates", b.exdates},
              {"priority", b.priority},
              {"volume", b.volume},
              {"on_preempt", b.on_preempt},
              {"slot_s", b.slot_ms / 1000},
              {"air_s", ctx.planner.air_ms(b) / 1000},
              {"valid_from_ms", b.valid_from_ms ? json(b.valid_from_ms) : json(nullptr)},
              {"valid_until_ms", b.valid_until_ms ? json(b.valid_until_ms) : json(nullptr)},
              {"created_by", b.created_by},
              {"created_ms", b.created_ms},
              {"cancelled_ms", b.cancelled_ms ? json(*b.cancelled_ms) : json(nullptr)},
              {"cancelled_by", b.cancelled_by},
              {"approval", b.approval ? to_json(*b.approval) : json(nullptr)}};
    std::vector<std::int64_t> upcoming;
    try {
      const schedule::TimeZone zone(b.time_zone);
      upcoming = ctx.planner.occurrences(b, now, INT64_MAX, b.cancelled_ms ? 0 : std::max<std::size_t>(occurrences, 1));
      j["next"] = upcoming.empty() ? json(nullptr) : json(zone.format(upcoming.front()));
      if (occurrences > 0) {
        json list = json::array();
        for (std::size_t i = 0; i < upcoming.size() && i < occurrences; ++i) list.push_back(occurrence_json(upcoming[i], zone));
        j["occurrences"] = list;
      }
    } catch (const ScheduleError& e) {
      j["next"] = nullptr;
      j["problem"] = e.what();
    }
    const auto approval = b.approval ? b.approval->state : store::ApprovalState::approved;
    // "lapsed": its time came while it still waited for its approver, so it never aired.
    const bool pending = approval == store::ApprovalState::pending;
    j["state"] = approval == store::ApprovalState::returned ? "returned"
                 : b.cancelled_ms                           ? "cancelled"
                 : upcoming.empty()                         ? (pending ? "lapsed" : "ended")
                 : pending                                  ? "awaiting_approval"
                                                            : "active";
    return j;
  }

  json conflicts_json(const schedule::CheckReport& report) const {
    const auto& zone = local_zone();
    json list = json::array();
    for (const auto& c : report.conflicts) {
      list.push_back({{"broadcast_id", c.broadcast_id},
                      {"title", c.title},
                      {"priority", c.priority},
                      {"stations", c.stations},
                      {"at", zone.format(c.at_ms)},
                      {"other_at", zone.format(c.other_at_ms)},
                      {"other_until", zone.format(c.other_end_ms)}});
    }
    return list;
  }

  json quiet_json(const schedule::CheckReport& report) const {
    json list = json::array();
    for (const auto& q : report.quiet_hours) {
      list.push_back({{"zone_id", q.zone_id}, {"quiet_hours", q.quiet_hours}, {"at", local_zone().format(q.at_ms)}});
    }
    return list;
  }

  // Turns a request body into a broadcast; answers the error and returns nullopt when it cannot.
  std::optional<store::BroadcastRecord> from_body(const json& body, const httplib::Request& req,
                                                  httplib::Response& res) {
    store::BroadcastRecord b;
    b.title = string_field(body, "title");
    b.time_zone = body.value("tz", ctx.time_zone);
    b.start_local = string_field(body, "start");
    b.rrule = string_field(body, "rrule");
    if (body.contains("exdates")) {
      if (!body["exdates"].is_array()) {
        send_error(res, 422, "invalid", "exdates must be a list");
        return std::nullopt;
      }
      for (const auto& e : body["exdates"]) b.exdates.push_back(e.get<std::string>());
    }
    b.priority = body.value("priority", std::string("normal"));
    b.volume = body.value("volume", 1.0);
    b.on_preempt = body.value("on_preempt", std::string("drop"));
    b.slot_ms = body.value("slot_s", std::int64_t{0}) * 1000;
    const auto who = caller(req);
    b.created_by = who.name;
    b.created_ms = time::wall_ms();
    // Targets: "all", or ids of zones or stations (a zone wins when both exist).
    std::vector<std::string> to;
    if (body.contains("to") && body["to"].is_string()) to.push_back(body["to"].get<std::string>());
    if (body.contains("to") && body["to"].is_array()) {
      for (const auto& t : body["to"]) to.push_back(t.get<std::string>());
    }
    for (const auto& t : to) {
      auto target = target_of(ctx, t);
      if (!target) {
        send_error(res, 422, "invalid", "to: no zone or station '" + t + "'");
        return std::nullopt;
      }
      b.targets.push_back(*target);
    }
    if (auto out = fleet::Fleet::out_of_scope(ctx.store, who.zones, b.targets)) {
      send_error(res, 403, "out_of_scope", *out + " is outside " + who.name + "'s zones");
      return std::nullopt;
    }
    try {
      const schedule::TimeZone zone(b.time_zone);
      for (const char* key : {"valid_from", "valid_until"}) {
        const auto text = string_field(body, key);
        if (text.empty()) continue;
        auto at = instant_of(text, zone);
        if (!at) {
          send_error(res, 422, "invalid", std::string(key) + ": '" + text + "' is not a date or instant");
          return std::nullopt;
        }
        (std::string(key) == "valid_from" ? b.valid_from_ms : b.valid_until_ms) = *at;
      }
    } catch (const ScheduleError& e) {
      send_error(res, 422, "invalid", e.what());
      return std::nullopt;
    }
    // Content: a clip, a text read aloud (rendered to a clip now), or a relay.
    const auto clip = string_field(body, "clip_id");
    const auto text = string_field(body, "tts");
    const auto relay = string_field(body, "relay");
    if ((!clip.empty()) + (!text.empty()) + (!relay.empty()) != 1) {
      send_error(res, 422, "invalid", "give exactly one of clip_id, tts or relay");
      return std::nullopt;
    }
    if (!relay.empty()) {
      b.content_kind = store::ContentKind::relay;
      b.relay_url = relay;
    } else if (!clip.empty()) {
      b.clip_sha256 = clip;
    } else {
      b.tts_text = text;
      auto made = ctx.clips.add_speech(text, body.value("voice", std::string("vi")), utf8_prefix(text, 40));
      if (auto* e = std::get_if<clips::TranscodeError>(&made)) {
        send_error(res, e->code == "storage_failed" ? 507 : 422, e->code, e->message);
        return std::nullopt;
      }
      b.clip_sha256 = std::get<store::ClipRecord>(made).sha256;
    }
    if (b.title.empty()) {
      b.title = !b.tts_text.empty() ? utf8_prefix(b.tts_text, 60) : !relay.empty() ? relay : "broadcast";
    }
    return b;
  }

  // Checks and stores a new broadcast; answers 201, 409 (conflicts) or 422.
  void create(store::BroadcastRecord b, bool override_conflicts, bool dry_run, httplib::Response& res) {
    const auto now = time::wall_ms();
    try {
      ctx.planner.validate(b);
    } catch (const ScheduleError& e) {
      return send_error(res, 422, "invalid", e.what());
    }
    if (ctx.planner.occurrences(b, now, INT64_MAX, 1).empty()) {
      return send_error(res, 422, "no_occurrence", "every occurrence of this broadcast is in the past");
    }
    auto report = ctx.planner.check(b, now);
    if (report.stations.empty()) {
      return send_error(res, 422, "no_stations", "its targets hold no approved station");
    }
    if (!report.quiet_hours.empty()) {
      res.status = 422;
      const auto& q = report.quiet_hours.front();
      res.set_content(json{{"error",
                            {{"code", "quiet_hours"},
                             {"message", "zone " + q.zone_id + " is quiet " + q.quiet_hours + " (an occurrence at " +
                                             local_zone().format(q.at_ms) + "); only emergencies sound then"}}},
                           {"quiet_hours", quiet_json(report)}}
                          .dump(),
                      "application/json");
      return;
    }
    if (!report.conflicts.empty() && !override_conflicts) {
      const auto& c = report.conflicts.front();
      res.status = 409;
      res.set_content(json{{"error",
                            {{"code", "conflict"},
                             {"message", std::to_string(report.conflicts_total) + " overlapping occurrence(s), first with " +
                                             c.broadcast_id + " (" + c.priority + ") at " +
                                             local_zone().format(c.other_at_ms) + " on " + c.stations.front() +
                                             "; override to schedule anyway"}}},
                           {"conflicts", conflicts_json(report)},
                           {"conflicts_total", report.conflicts_total}}
                          .dump(),
                      "application/json");
      return;
    }
    // Sounding in a zone that asks for it, it waits for an approver of that zone; it is
    // stored with its approval in one transaction, so it can never be sent without.
    const auto asking = fleet::Fleet::load(ctx.store).approval_zones(report.stations);
    if (!asking.empty()) {
      b.approval.emplace();
      b.approval->zones = asking;
      b.approval->submitted_by = b.created_by;
      b.approval->submitted_ms = now;
    }
    if (dry_run) {
      return send_json(res, {{"ok", true},
                             {"stations", report.stations},
                             {"conflicts", conflicts_json(report)},
                             {"needs_approval", asking}});
    }
    b.id = new_broadcast_id(ctx.store);
    ctx.store.put_broadcast(b);
    if (b.approval) {
      std::string zones;
      for (const auto& z : asking) zones += (zones.empty() ? "" : ", ") + z;
      ctx.store.add_audit(store::audit_entry(now, b.created_by, "broadcast.submitted", b.id, "awaits an approver of " + zones));
    }
    kLog.info("broadcast created: id={} by={} priority={} stations={} rrule={} overridden_conflicts={}", b.id,
              b.created_by, b.priority, report.stations.size(), b.rrule, report.conflicts_total);
    ctx.scheduler.request_sync();
    auto out = broadcast_json(b, now, 5);
    out["stations"] = report.stations;
    out["overridden_conflicts"] = conflicts_json(report);
    send_json(res, out, 201);
  }

  // A normal bulletin from above goes into the programme: a broadcast of its text at
  // the time the operator chose, made and checked as any other (conflicts, quiet
  // hours, approval), and the inbox entry marks it accepted.
  void accept_bulletin(const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    const auto entry = ctx.store.find_inbox(id);
    if (!entry || !scope_of(req).sees_targets(inbox_targets(*entry))) {
      return send_error(res, 404, "not_found", "no bulletin " + id + " in the inbox");
    }
    if (entry->state != store::InboxState::waiting || entry->valid_until_ms < time::wall_ms()) {
      return send_error(res, 409, "wrong_state", "bulletin " + id + " is no longer waiting");
    }
    auto body = req.body.empty() ? std::optional<json>(json::object()) : parse_body(req, res);
    if (!body) return;
    json broadcast = {{"title", entry->title.empty() ? utf8_prefix(entry->body, 60) : entry->title},
                      {"start", body->value("start", std::string())},
                      {"priority", "normal"}};
    if (entry->clip_sha256.empty()) {
      broadcast["tts"] = entry->body;
    } else {
      broadcast["clip_id"] = entry->clip_sha256;
    }
    if (body->contains("tz")) broadcast["tz"] = (*body)["tz"];
    if (body->contains("to")) {
      broadcast["to"] = (*body)["to"];
    } else {
      broadcast["to"] = entry->zones.empty() ? json::array({"all"}) : json(entry->zones);
    }
    auto b = from_body(broadcast, req, res);
    if (!b) return;
    create(std::move(*b), body->value("override", false), false, res);
    if (res.status != 201) return;
    const auto made = json::parse(res.body, nullptr, false);
    const auto who = caller(req);
    const auto now = time::wall_ms();
    const std::string broadcast_id = made.is_object() ? made.value("id", "") : "";
    if (!ctx.store.decide_inbox(id, store::InboxState::accepted, who.name, now, broadcast_id,
                                store::audit_entry(now, who.name, "inbox.accepted", id, "as broadcast " + broadcast_id,
                                                   req.remote_addr, 200))) {
      // Decided by someone else meanwhile: this broadcast is not wanted twice.
      (void)ctx.store.cancel_broadcast(broadcast_id, who.name, now);
      ctx.scheduler.request_sync();
      return send_error(res, 409, "wrong_state", "bulletin " + id + " was decided meanwhile");
    }
    send_json(res, {{"inbox", inbox_json(*ctx.store.find_inbox(id))}, {"broadcast", made}}, 201);
  }

  void install(RouteTable& routes) {
    routes.post(R"(/api/v1/inbox/([^/]+)/accept)", Access::operator_,
                "Accept a normal bulletin from above into the programme ({\"start\": \"YYYY-MM-DDTHH:MM\"}, tz, to)",
                [this, self = shared_from_this()](const httplib::Request& req, httplib::Response& res) {
                  accept_bulletin(req, res);
                });
    routes.post("/api/v1/broadcasts", Access::operator_, "Schedule a broadcast (409 on a conflict unless override)", [this, self = shared_from_this()](const httplib::Request& req, httplib::Response& res) {
      auto body = parse_body(req, res);
      if (!body) return;
      auto b = from_body(*body, req, res);
      if (!b) return;
      create(std::move(*b), body->value("override", false), body->value("dry_run", false), res);
    });
    routes.get("/api/v1/broadcasts", Access::viewer, Reads::filtered, "Broadcasts (?all=1)", [this, self = shared_from_this()](const httplib::Request& req, httplib::Response& res) {
      const bool all = req.get_param_value("all") == "1" || req.get_param_value("all") == "true";
      const auto page = page_of(req, res, 10000, 100000);
      if (!page) return;
      const auto now = time::wall_ms();
      const auto scope = scope_of(req);
      json items = json::array();
      for (const auto& b : ctx.store.list_broadcasts(all)) {
        if (scope.sees_targets(b.targets)) items.push_back(broadcast_json(b, now, 0));
      }
      send_page(res, items, *page);
    });
    routes.get(R"(/api/v1/broadcasts/([^/]+))", Access::viewer, Reads::filtered, "One broadcast (?occurrences=N)", [this, self = shared_from_this()](const httplib::Request& req, httplib::Response& res) {
      auto b = ctx.store.find_broadcast(req.matches[1]);
      const auto scope = scope_of(req);
      // One that does not sound in the caller's zones is, to them, not there.
      if (!b || !scope.sees_targets(b->targets)) return send_error(res, 404, "not_found", "no broadcast " + std::string(req.matches[1]));
      std::size_t n = 10;
      try {
        if (req.has_param("occurrences")) n = std::min<std::size_t>(std::stoul(req.get_param_value("occurrences")), kMaxOccurrencesShown);
      } catch (...) {
        return send_error(res, 400, "bad_request", "occurrences must be a number");
      }
      auto out = broadcast_json(*b, time::wall_ms(), n);
      out["stations"] = scope.seen(fleet::Fleet::load(ctx.store).resolve(b->targets));
      send_json(res, out);
    });
    routes.del(R"(/api/v1/broadcasts/([^/]+))", Access::operator_, "Cancel a broadcast everywhere", [this, self = shared_from_this()](const httplib::Request& req, httplib::Response& res) {
      const std::string id = req.matches[1];
      auto b = ctx.store.find_broadcast(id);
      if (!b) return send_error(res, 404, "not_found", "no broadcast " + id);
      const auto who = caller(req);
      if (auto out = fleet::Fleet::out_of_scope(ctx.store, who.zones, b->targets)) {
        return send_error(res, 403, "out_of_scope", "broadcast " + id + " reaches " + *out + ", outside " + who.name +
                                                        "'s zones");
      }
      auto told = ctx.scheduler.cancel(id, who.name);
      if (!told) return send_error(res, 409, "wrong_state", "broadcast " + id + " is already cancelled");
      send_json(res, {{"cancelled", id}, {"stations_told", *told}});
    });
    routes.get("/api/v1/schedule.ics", Access::viewer, Reads::filtered, "The schedule as iCalendar", [this, self = shared_from_this()](const httplib::Request& req, httplib::Response& res) {
      const bool all = req.get_param_value("all") == "1";
      auto list = ctx.store.list_broadcasts(all);
      const auto scope = scope_of(req);
      std::erase_if(list, [&](const store::BroadcastRecord& b) { return !scope.sees_targets(b.targets); });
      std::vector<std::int64_t> air;
      for (const auto& b : list) air.push_back(ctx.planner.air_ms(b));
      res.set_header("Content-Disposition", "attachment; filename=\"loa-schedule.ics\"");
      res.set_content(schedule::export_calendar(list, air), "text/calendar; charset=utf-8");
    });
    routes.post("/api/v1/schedule.ics", Access::operator_, "Import broadcasts from iCalendar", [this, self = shared_from_this()](const httplib::Request& req, httplib::Response& res) { import(req, res); });
    routes.get("/api/v1/asrun", Access::viewer, Reads::filtered, "As-run log (JSON or ?format=csv)", [this, self = shared_from_this()](const httplib::Request& req, httplib::Response& res) { asrun(req, res); });
  }

  void import(const httplib::Request& req, httplib::Response& res) {
    std::vector<std::string> default_to;
    {
      std::stringstream list(req.get_param_value("to"));
      for (std::string t; std::getline(list, t, ',');) {
        if (t.empty()) continue;
        auto target = target_of(ctx, t);
        if (!target) return send_error(res, 422, "invalid", "to: no zone or station '" + t + "'");
        default_to.push_back(*target);
      }
    }
    const bool override_conflicts = req.get_param_value("override") == "1" || req.get_param_value("override") == "true";
    std::vector<schedule::ImportedEvent> events;
    try {
      events = schedule::parse_calendar(req.body, default_to, ctx.time_zone);
    } catch (const ScheduleError& e) {
      return send_error(res, 422, "not_a_calendar", e.what());
    }
    json created = json::array();
    json refused = json::array();
    const auto who = caller(req);
    for (auto& event : events) {
      auto& b = event.broadcast;
      b.created_by = who.name;
      if (event.error.empty()) {
        if (auto out = fleet::Fleet::out_of_scope(ctx.store, who.zones, b.targets)) {
          event.error = *out + " is outside " + who.name + "'s zones";
        }
      }
      b.created_ms = time::wall_ms();
      if (!b.clip_sha256.empty() && !b.tts_text.empty() && !ctx.store.find_clip(b.clip_sha256)) {
        b.clip_sha256.clear();  // from another controller: read the text aloud here
      }
      if (event.error.empty() && b.clip_sha256.empty() && !b.tts_text.empty()) {
        auto made = ctx.clips.add_speech(b.tts_text, "vi", utf8_prefix(b.tts_text, 40));
        if (auto* e = std::get_if<clips::TranscodeError>(&made)) {
          event.error = e->message;
        } else {
          b.clip_sha256 = std::get<store::ClipRecord>(made).sha256;
        }
      }
      if (!event.error.empty()) {
        refused.push_back({{"uid", event.uid}, {"title", b.title}, {"reason", event.error}});
        continue;
      }
      httplib::Response one;
      create(b, override_conflicts, false, one);
      auto answer = json::parse(one.body, nullptr, false);
      if (one.status == 201) {
        created.push_back({{"uid", event.uid}, {"id", answer.value("id", "")}, {"title", b.title}});
      } else {
        json entry = {{"uid", event.uid}, {"title", b.title}, {"reason", answer["error"].value("message", "refused")}};
        if (answer.contains("conflicts")) entry["conflicts"] = answer["conflicts"];
        refused.push_back(entry);
      }
    }
    send_json(res, {{"created", created}, {"refused", refused}}, refused.empty() ? 200 : 207);
  }


  void asrun(const httplib::Request& req, httplib::Response& res) {
    store::AsRunQuery q;
    const auto& zone = local_zone();
    for (const char* key : {"since", "until"}) {
      const auto text = req.get_param_value(key);
      if (text.empty()) continue;
      auto at = instant_of(text, zone);
      if (!at) return send_error(res, 400, "bad_request", std::string(key) + ": '" + text + "' is not a date or instant");
      (std::string(key) == "since" ? q.since_ms : q.until_ms) = *at;
    }
    q.broadcast_id = req.get_param_value("broadcast");
    const auto page = page_of(req, res, 10000, 100000);
    if (!page) return;
    const bool csv = req.get_param_value("format") == "csv";
    q.limit = csv ? page->limit : page->fetch();
    std::set<std::string> stations;
    if (req.has_param("station")) {
      const auto id = req.get_param_value("station");
      if (!ctx.registry.find(id)) return send_error(res, 404, "not_found", "no station " + id);
      stations.insert(id);
    }
    if (req.has_param("zone")) {
      const auto id = req.get_param_value("zone");
      if (!ctx.store.find_zone(id)) return send_error(res, 404, "not_found", "no zone " + id);
      auto members = fleet::Fleet::load(ctx.store).resolve({"zone:" + id});
      if (members.empty()) return send_page(res, json::array(), *page);
      if (!stations.empty()) {
        // Both given: the station, if it is in the zone.
        if (std::find(members.begin(), members.end(), *stations.begin()) == members.end()) stations.clear();
        if (stations.empty()) return send_page(res, json::array(), *page);
      } else {
        stations.insert(members.begin(), members.end());
      }
    }
    // A scoped person's rows only: the stations asked for that they see, or all they see.
    if (const auto scope = scope_of(req); !scope.whole()) {
      if (stations.empty()) {
        stations = scope.stations();
      } else {
        std::erase_if(stations, [&](const std::string& id) { return !scope.sees_station(id); });
      }
      if (stations.empty()) return send_page(res, json::array(), *page);
    }
    q.station_ids.assign(stations.begin(), stations.end());
    const auto rows = ctx.store.query_asrun(q);
    auto when = [&](std::int64_t ms) { return ms ? zone.format(ms) : std::string(); };
    if (csv) {
      std::string out =
          "station_id,broadcast_id,content_id,planned_start,actual_start,end,outcome,detail,loudness_dbfs,dead_air,"
          "clock_locked\r\n";
      for (const auto& r : rows) {
        out += csv_field(r.station_id) + "," + csv_field(r.broadcast_id) + "," + csv_field(r.content_id) + "," +
               when(r.planned_start_ms) + "," + when(r.actual_start_ms) + "," + when(r.end_ms) + "," +
               csv_field(r.outcome) + "," + csv_field(r.detail) + "," + loudness_text(r.loudness_dbfs) + "," +
               (r.dead_air ? "yes" : "") + "," + (r.clock_locked ? (*r.clock_locked ? "yes" : "no") : "") + "\r\n";
      }
      res.set_header("Content-Disposition", "attachment; filename=\"loa-asrun.csv\"");
      res.set_content(out, "text/csv; charset=utf-8");
      return;
    }
    json items = json::array();
    for (const auto& r : rows) {
      items.push_back({{"station_id", r.station_id},
                       {"broadcast_id", r.broadcast_id},
                       {"content_id", r.content_id},
                       {"planned_start", when(r.planned_start_ms)},
                       {"planned_start_ms", r.planned_start_ms},
                       {"actual_start", r.actual_start_ms ? json(when(r.actual_start_ms)) : json(nullptr)},
                       {"actual_start_ms", r.actual_start_ms ? json(r.actual_start_ms) : json(nullptr)},
                       {"late_ms", r.actual_start_ms ? json(r.actual_start_ms - r.planned_start_ms) : json(nullptr)},
                       {"end_ms", r.end_ms ? json(r.end_ms) : json(nullptr)},
                       {"outcome", r.outcome},
                       {"detail", r.detail}});
      add_playout_fields(items.back(), r);
    }
    send_page(res, items, *page, false);
  }
};

}  // namespace

std::optional<std::string> target_of(ApiContext& ctx, const std::string& name) {
  if (name == "all") return "all";
  if (ctx.store.find_zone(name)) return "zone:" + name;
  if (ctx.registry.find(name)) return "station:" + name;
  return std::nullopt;
}

std::optional<std::vector<std::string>> stations_to(ApiContext& ctx, const users::Caller& caller, const json& body,
                                                    httplib::Response& res) {
  std::vector<std::string> named;
  if (auto it = body.find("to"); it != body.end()) {
    for (const auto& t : it->is_array() ? *it : json::array({*it})) {
      if (!t.is_string()) continue;
      auto target = target_of(ctx, t.get<std::string>());
      if (!target) {
        send_error(res, 422, "invalid", "to: no zone or station '" + t.get<std::string>() + "'");
        return std::nullopt;
      }
      named.push_back(*target);
    }
  }
  if (named.empty()) {
    send_error(res, 422, "invalid", "to: required (all, zone ids or station ids)");
    return std::nullopt;
  }
  const auto fleet = fleet::Fleet::load(ctx.store);
  if (auto out = fleet.outside(caller.zones, named)) {
    ctx.store.add_audit(store::audit_entry(time::wall_ms(), caller.name, "denied", "targets", *out + " outside the user's zones",
                                           "", 403));
    send_error(res, 403, "out_of_scope", *out + " is outside " + caller.name + "'s zones");
    return std::nullopt;
  }
  auto stations = fleet.resolve(named);
  if (stations.empty()) {
    send_error(res, 422, "no_stations", "its targets hold no approved station");
    return std::nullopt;
  }
  return stations;
}

void install_schedule_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller, ScopeOf scope_of) {
  // Each route holds a reference, so the routes live as long as the server.
  std::make_shared<ScheduleRoutes>(ctx, std::move(caller), std::move(scope_of))->install(routes);
}

}  // namespace loa::api
