#include "report_routes.hpp"

#include <stdexcept>

#include "http_helpers.hpp"
#include "loa/stats/statistics.hpp"
#include "loa/time/clock.hpp"
#include "monthly_report.hpp"

namespace loa::api {
namespace {

// The periods a request asks for: ?from=&to= (local dates, default this month so far)
// and ?period=day|month. Answers 422 and returns nothing when they are malformed.
std::optional<std::vector<stats::Period>> periods_of(const ApiContext& ctx, const httplib::Request& req,
                                                     httplib::Response& res) {
  const schedule::TimeZone zone(ctx.time_zone);
  const auto today = zone.format(time::wall_ms()).substr(0, 10);
  const auto from = req.has_param("from") ? req.get_param_value("from") : today.substr(0, 8) + "01";
  const auto to = req.has_param("to") ? req.get_param_value("to") : today;
  const auto grain = req.get_param_value("period");
  if (!grain.empty() && grain != "day" && grain != "month") {
    send_error(res, 422, "invalid", "period must be day or month");
    return std::nullopt;
  }
  try {
    return stats::periods(zone, from, to, grain == "month" ? stats::Grain::month : stats::Grain::day);
  } catch (const std::invalid_argument& e) {
    send_error(res, 422, "invalid", std::string("from/to: ") + e.what());
    return std::nullopt;
  }
}

std::string seconds_text(std::int64_t ms) { return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100); }

void send_csv(httplib::Response& res, const std::string& name, const std::string& body) {
  res.set_header("Content-Disposition", "attachment; filename=\"" + name + "\"");
  res.set_content(body, "text/csv; charset=utf-8");
}

void plays(ApiContext& ctx, const fleet::Scope& scope, const httplib::Request& req, httplib::Response& res) {
  const auto periods = periods_of(ctx, req, res);
  if (!periods) return;
  const auto by_text = req.has_param("by") ? req.get_param_value("by") : std::string("station");
  const auto by = by_text == "station" ? std::optional(stats::By::station)
                  : by_text == "zone"  ? std::optional(stats::By::zone)
                  : by_text == "content" ? std::optional(stats::By::content)
                                         : std::nullopt;
  if (!by) return send_error(res, 422, "invalid", "by must be station, zone or content");
  // ?of=members: the members' stations (controllers federated below), as they reported
  // their as-run: what a province shares upward. The whole tree's, like the members.
  const bool of_members = req.get_param_value("of") == "members";
  if (of_members && !scope.whole()) {
    return send_error(res, 403, "out_of_scope", "the members' figures are the whole tree's");
  }
  stats::Statistics statistics(ctx.store, ctx.store);
  const auto rows = of_members ? stats::Statistics::member_plays(*periods, *by, ctx.store)
                               : statistics.plays(*periods, *by, scope);
  const auto names = report_names(ctx, *by);
  auto name_of = [&](const std::string& key) {
    auto it = names.find(key);
    return it == names.end() ? std::string() : it->second;
  };
  if (req.get_param_value("format") == "csv") {
    std::string out = "period," + by_text + ",name,plays,completed,missed,failed,seconds_on_air\r\n";
    for (const auto& r : rows) {
      const auto& f = r.figures;
      out += r.period + "," + csv_field(r.key) + "," + csv_field(name_of(r.key)) + "," + std::to_string(f.plays) + "," +
             std::to_string(f.completed) + "," + std::to_string(f.missed) + "," + std::to_string(f.failed) + "," +
             seconds_text(f.sounded_ms) + "\r\n";
    }
    return send_csv(res, "loa-plays-by-" + by_text + ".csv", out);
  }
  json items = json::array();
  for (const auto& r : rows) {
    const auto& f = r.figures;
    items.push_back({{"period", r.period},
                     {"key", r.key},
                     {"name", name_of(r.key)},
                     {"plays", f.plays},
                     {"completed", f.completed},
                     {"missed", f.missed},
                     {"failed", f.failed},
                     {"seconds_on_air", static_cast<double>(f.sounded_ms) / 1000.0}});
  }
  send_json(res, {{"by", by_text}, {"tz", ctx.time_zone}, {"from", periods->front().label},
                  {"to", periods->back().label}, {"items", items}});
}

void uptime(ApiContext& ctx, const fleet::Scope& scope, const httplib::Request& req, httplib::Response& res) {
  const auto periods = periods_of(ctx, req, res);
  if (!periods) return;
  stats::Statistics statistics(ctx.store, ctx.store);
  const auto rows = statistics.uptime(*periods, scope, time::wall_ms());
  const schedule::TimeZone zone(ctx.time_zone);
  if (req.get_param_value("format") == "csv") {
    std::string out = "period,station,up_seconds,reckoned_seconds,uptime_percent,disconnects,down_seconds\r\n";
    for (const auto& r : rows) {
      std::int64_t down = 0;
      for (const auto& [from, until] : r.disconnects) down += until - from;
      out += r.period + "," + csv_field(r.station_id) + "," + seconds_text(r.up_ms) + "," + seconds_text(r.reckoned_ms) +
             "," + uptime_percent(r) + "," + std::to_string(r.disconnects.size()) + "," + seconds_text(down) + "\r\n";
    }
    return send_csv(res, "loa-uptime.csv", out);
  }
  json items = json::array();
  for (const auto& r : rows) {
    json gaps = json::array();
    for (const auto& [from, until] : r.disconnects) {
      gaps.push_back({{"from", zone.format(from)}, {"until", zone.format(until)}, {"seconds", (until - from) / 1000}});
    }
    items.push_back({{"period", r.period},
                     {"station_id", r.station_id},
                     {"up_seconds", r.up_ms / 1000},
                     {"reckoned_seconds", r.reckoned_ms / 1000},
                     {"uptime_percent", std::stod(uptime_percent(r))},
                     {"disconnects", gaps}});
  }
  send_json(res, {{"tz", ctx.time_zone}, {"items", items}});
}

void alerts(ApiContext& ctx, const fleet::Scope& scope, const httplib::Request& req, httplib::Response& res) {
  const auto periods = periods_of(ctx, req, res);
  if (!periods) return;
  const auto reports = alert_reports(ctx, scope, periods->front().from_ms, periods->back().until_ms);
  if (req.get_param_value("format") == "csv") {
    std::string out = "alert,status,severity,headline,issued,targets,reached,unreachable,first_sound_min_s,"
                      "first_sound_median_s,first_sound_max_s,why_unreached\r\n";
    for (const auto& a : reports) {
      std::string why;
      for (const auto& [station, reason] : a.unreached) why += (why.empty() ? "" : "; ") + station + ": " + reason;
      out += csv_field(a.id) + "," + a.status + "," + a.severity + "," + csv_field(a.headline) + "," + a.issued + "," +
             std::to_string(a.targets) + "," + std::to_string(a.reached) + "," + std::to_string(a.unreached.size()) +
             "," + seconds_text(a.first_sound_min_ms) + "," + seconds_text(a.first_sound_median_ms) + "," +
             seconds_text(a.first_sound_max_ms) + "," + csv_field(why) + "\r\n";
    }
    return send_csv(res, "loa-alerts.csv", out);
  }
  json items = json::array();
  for (const auto& a : reports) {
    json unreached = json::array();
    for (const auto& [station, reason] : a.unreached) unreached.push_back({{"station", station}, {"why", reason}});
    items.push_back({{"id", a.id},
                     {"status", a.status},
                     {"severity", a.severity},
                     {"headline", a.headline},
                     {"issued", a.issued},
                     {"targets", a.targets},
                     {"reached", a.reached},
                     {"unreached", unreached},
                     {"first_sound_ms", {{"min", a.first_sound_min_ms},
                                         {"median", a.first_sound_median_ms},
                                         {"max", a.first_sound_max_ms}}}});
  }
  send_json(res, {{"tz", ctx.time_zone}, {"items", items}});
}

}  // namespace

void install_report_routes(RouteTable& routes, ApiContext& ctx, ScopeOf scope_of) {
  routes.get("/api/v1/reports/plays", Access::viewer, Reads::filtered,
             "Plays, time on air, missed and failed plays (?from=&to= local dates, ?period=day|month, "
             "?by=station|zone|content, ?format=csv; ?of=members: the member controllers' stations, by=zone per member)",
             [&ctx, scope_of](const httplib::Request& req, httplib::Response& res) { plays(ctx, scope_of(req), req, res); });
  routes.get("/api/v1/reports/uptime", Access::viewer, Reads::filtered,
             "Each station's uptime and disconnect stretches (?from=&to=, ?period=day|month, ?format=csv)",
             [&ctx, scope_of](const httplib::Request& req, httplib::Response& res) { uptime(ctx, scope_of(req), req, res); });
  routes.get("/api/v1/reports/alerts", Access::viewer, Reads::filtered,
             "Alerts issued: time to first sound, stations reached, those not reached and why (?from=&to=, ?format=csv)",
             [&ctx, scope_of](const httplib::Request& req, httplib::Response& res) { alerts(ctx, scope_of(req), req, res); });
  routes.get("/api/v1/reports/monthly", Access::viewer, Reads::filtered,
             "The monthly report, a printable A4 page in Vietnamese (?month=YYYY-MM)",
             [&ctx, scope_of](const httplib::Request& req, httplib::Response& res) {
               const schedule::TimeZone zone(ctx.time_zone);
               const auto month = req.has_param("month") ? req.get_param_value("month")
                                                         : zone.format(time::wall_ms()).substr(0, 7);
               std::vector<stats::Period> periods;
               try {
                 periods = stats::periods(zone, month + "-01", month + "-01", stats::Grain::month);
               } catch (const std::invalid_argument& e) {
                 return send_error(res, 422, "invalid", "month must be YYYY-MM");
               }
               res.set_header("Cache-Control", "no-store");
               res.set_content(monthly_report_html(ctx, scope_of(req), periods.front()), "text/html; charset=utf-8");
             });
}

}  // namespace loa::api
