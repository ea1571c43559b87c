#include "monthly_report.hpp"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "loa/time/clock.hpp"

namespace loa::api {
namespace {

using json = nlohmann::json;

std::string escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// "1:02:03": hours, minutes and seconds on air.
std::string duration_text(std::int64_t ms) {
  const auto s = ms / 1000;
  char text[32];
  std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return text;
}

std::string why_unreached(const json& s) {
  const std::string state = s.value("state", "");
  const std::string detail = s.value("detail", "");
  if (state == "unreachable") return "mất kết nối (unreachable)";
  if (state == "failed") return "lỗi phát (failed): " + detail;
  if (state == "stopped") return "dừng trước khi phát (stopped)";
  return "chưa có tiếng (" + state + ")";
}

struct Table {
  std::string html;
  explicit Table(const std::vector<std::string>& headings) {
    html = "<table><thead><tr>";
    for (const auto& h : headings) html += "<th>" + h + "</th>";
    html += "</tr></thead><tbody>\n";
  }
  std::string done() { return html + "</tbody></table>\n"; }
};

// One row of play figures; the data attributes carry the raw numbers for tools.
std::string plays_row(const std::string& key, const std::string& name, const stats::PlayFigures& f,
                      const std::string& extra_cells) {
  return "<tr data-key=\"" + escaped(key) + "\" data-plays=\"" + std::to_string(f.plays) + "\" data-seconds=\"" +
         std::to_string(f.sounded_ms / 1000) + "\"><td>" + escaped(name.empty() ? key : name) + "</td><td class=n>" +
         std::to_string(f.plays) + "</td><td class=n>" + duration_text(f.sounded_ms) + "</td><td class=n>" +
         std::to_string(f.missed) + "</td><td class=n>" + std::to_string(f.failed) + "</td>" + extra_cells + "</tr>\n";
}

constexpr const char* kStyle = R"css(
@page { size: A4; margin: 15mm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; color: #111; }
h1 { font-size: 13pt; text-align: center; margin: 0 0 4pt; }
h2 { font-size: 11pt; margin: 12pt 0 4pt; }
p.meta { text-align: center; margin: 0 0 8pt; }
table { border-collapse: collapse; width: 100%; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #888; padding: 2pt 4pt; vertical-align: top; }
th { background: #eee; }
td.n { text-align: right; white-space: nowrap; }
)css";

}  // namespace

std::map<std::string, std::string> report_names(ApiContext& ctx, stats::By by) {
  std::map<std::string, std::string> names;
  switch (by) {
    case stats::By::station:
      for (const auto& s : ctx.store.list_stations()) names[s.id] = s.name;
      break;
    case stats::By::zone:
      for (const auto& z : ctx.store.list_zones()) names[z.id] = z.name;
      break;
    case stats::By::content:
      for (const auto& c : ctx.store.list_clips()) names[c.sha256] = c.name;
      break;
  }
  return names;
}

std::string uptime_percent(const stats::UptimeRow& row) {
  char text[16];
  std::snprintf(text, sizeof text, "%.1f",
                row.reckoned_ms > 0 ? 100.0 * static_cast<double>(row.up_ms) / static_cast<double>(row.reckoned_ms) : 0.0);
  return text;
}

std::vector<AlertReport> alert_reports(ApiContext& ctx, const fleet::Scope& scope, std::int64_t from_ms,
                                       std::int64_t until_ms) {
  const schedule::TimeZone zone(ctx.time_zone);
  alerts::AlertDesk::StationShown shown;
  if (!scope.whole()) shown = [&scope](const std::string& s) { return scope.sees_station(s); };
  std::vector<AlertReport> out;
  const auto listed = ctx.alerts.list(1000);
  for (const auto& item : listed["items"]) {
    const auto issued = item.value("issued_ms", std::int64_t{0});
    if (issued < from_ms || issued >= until_ms || issued == 0) continue;
    if (!scope.sees_targets(item["targets"].get<std::vector<std::string>>())) continue;
    const auto view = ctx.alerts.view(item["id"], true, shown);
    AlertReport a;
    a.id = view["id"];
    a.status = view["status"];
    a.severity = view["severity"];
    a.headline = view.value("headline", "");
    a.issued = zone.format(issued);
    std::vector<std::int64_t> first;
    for (const auto& s : view.value("stations", json::array())) {
      ++a.targets;
      if (s.contains("first_sound_after_ms")) {
        ++a.reached;
        first.push_back(s["first_sound_after_ms"].get<std::int64_t>());
      } else {
        a.unreached.emplace_back(s["station"].get<std::string>(), why_unreached(s));
      }
    }
    std::sort(first.begin(), first.end());
    if (!first.empty()) {
      a.first_sound_min_ms = first.front();
      a.first_sound_median_ms = first[first.size() / 2];
      a.first_sound_max_ms = first.back();
    }
    out.push_back(std::move(a));
  }
  std::reverse(out.begin(), out.end());  // the desk lists newest first
  return out;
}

std::string monthly_report_html(ApiContext& ctx, const fleet::Scope& scope, const stats::Period& month) {
  stats::Statistics statistics(ctx.store, ctx.store);
  const schedule::TimeZone zone(ctx.time_zone);
  const std::vector<stats::Period> periods{month};
  const auto month_text = month.label.substr(5, 2) + "/" + month.label.substr(0, 4);

  // Uptime per station; plays per zone, station and content from one tally of the month.
  std::map<std::string, stats::UptimeRow> uptime;
  for (auto& r : statistics.uptime(periods, scope, time::wall_ms())) uptime[r.station_id] = std::move(r);
  const auto plays = statistics.plays(periods, {stats::By::zone, stats::By::station, stats::By::content}, scope);

  std::string html = "<!doctype html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Báo cáo tháng " +
                     month_text + "</title><style>" + kStyle + "</style></head><body>\n";
  html += "<h1>BÁO CÁO HOẠT ĐỘNG HỆ THỐNG ĐÀI TRUYỀN THANH CƠ SỞ</h1>\n<p class=\"meta\">Tháng " + month_text +
          " · Lập lúc " + escaped(zone.format(time::wall_ms())) + " (" + escaped(ctx.time_zone) + ")</p>\n";

  // Plays of each zone or content item, named.
  auto plays_table = [&](const std::string& heading, const std::string& first_column, stats::By by,
                         const std::vector<stats::PlayRow>& rows) {
    Table table({first_column, "Số lượt phát", "Thời lượng phát", "Lượt lỡ", "Lượt lỗi"});
    const auto names = report_names(ctx, by);
    for (const auto& r : rows) {
      const auto name = names.find(r.key);
      table.html += plays_row(r.key, name == names.end() ? r.key : name->second, r.figures, "");
    }
    return "<h2>" + heading + "</h2>\n" + table.done();
  };
  html += plays_table("1. Theo đơn vị hành chính và nhóm", "Đơn vị", stats::By::zone, plays[0]);

  html += "<h2>2. Theo cụm loa</h2>\n";
  Table stations({"Cụm loa", "Số lượt phát", "Thời lượng phát", "Lượt lỡ", "Lượt lỗi", "Thời gian hoạt động",
                  "Số lần mất kết nối"});
  const auto station_names = report_names(ctx, stats::By::station);
  std::map<std::string, stats::PlayFigures> station_figures;
  for (const auto& r : plays[1]) station_figures[r.key] = r.figures;
  for (const auto& [id, up] : uptime) {
    const auto it = station_figures.find(id);
    const auto figures = it == station_figures.end() ? stats::PlayFigures{} : it->second;
    const auto name = station_names.count(id) ? station_names.at(id) : id;
    stations.html += plays_row(id, name.empty() ? id : name + " (" + id + ")", figures,
                               "<td class=n>" + uptime_percent(up) + " %</td><td class=n>" +
                                   std::to_string(up.disconnects.size()) + "</td>");
  }
  html += stations.done();

  html += plays_table("3. Theo nội dung", "Nội dung", stats::By::content, plays[2]);

  html += "<h2>4. Cảnh báo khẩn cấp</h2>\n";
  Table alerts({"Cảnh báo", "Phát lúc", "Số cụm loa", "Đã phát", "Chưa phát được (lý do)",
                "Đến tiếng đầu tiên (nhanh nhất / trung vị / chậm nhất)"});
  for (const auto& a : alert_reports(ctx, scope, month.from_ms, month.until_ms)) {
    std::string why;
    for (const auto& [station, reason] : a.unreached) why += (why.empty() ? "" : "<br>") + escaped(station + ": " + reason);
    alerts.html += "<tr data-alert=\"" + escaped(a.id) + "\"><td>" + escaped(a.headline.empty() ? a.id : a.headline) +
                   " <small>(" + escaped(a.status) + ", " + escaped(a.severity) + ")</small></td><td>" +
                   escaped(a.issued) + "</td><td class=n>" + std::to_string(a.targets) + "</td><td class=n>" +
                   std::to_string(a.reached) + "</td><td>" + why + "</td><td class=n>" +
                   std::to_string(a.first_sound_min_ms) + " / " + std::to_string(a.first_sound_median_ms) + " / " +
                   std::to_string(a.first_sound_max_ms) + " ms</td></tr>\n";
  }
  html += alerts.done();
  html += "</body></html>\n";
  return html;
}

}  // namespace loa::api
