// reports …: what the system came to, for judging it and for reporting upward.
#include <iostream>

#include "commands.hpp"
#include "output.hpp"

namespace loa::loactl {
namespace {

struct ReportOpts {
  std::string from, to, period, by = "station", month;
  bool csv = false;
};

// The range and period every report takes.
void add_range(CLI::App* cmd, ReportOpts& o) {
  cmd->add_option("--from", o.from, "first local date YYYY-MM-DD (default: the 1st of this month)");
  cmd->add_option("--to", o.to, "last local date YYYY-MM-DD (default: today)");
  cmd->add_option("--period", o.period, "day (default) or month")->check(one_of({"day", "month"}));
  cmd->add_flag("--csv", o.csv, "as CSV for a spreadsheet");
}

std::string range_query(const ReportOpts& o, std::vector<std::pair<std::string, std::string>> more) {
  more.insert(more.end(), {{"from", o.from}, {"to", o.to}, {"period", o.period}, {"format", o.csv ? "csv" : ""}});
  return query(more);
}

// A report as CSV, JSON, or a table made by `printer`.
int show(IApi& api, const Globals& g, const ReportOpts& o, const std::string& path, void (*printer)(json)) {
  if (o.csv) {
    std::cout << api.fetch_text(path);
    return kExitOk;
  }
  auto out = api.call("GET", path);
  emit(g.as_json, g.as_json ? out : out["items"], printer);
  return kExitOk;
}

std::string seconds_as_time(const json& seconds) {
  const auto s = static_cast<long long>(seconds.get<double>());
  char text[32];
  std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  return text;
}

}  // namespace

void add_report_commands(Commands& c) {
  auto o = std::make_shared<ReportOpts>();
  auto* reports = c.root().add_subcommand("reports", "statistics and the monthly report");
  reports->require_subcommand(1);

  auto* plays = reports->add_subcommand("plays", "plays, time on air, missed and failed, per station, zone or content");
  add_range(plays, *o);
  plays->add_option("--by", o->by, "station (default), zone or content")->check(one_of({"station", "zone", "content"}));
  c.on(plays, [o](IApi& api, const Globals& g) {
    return show(api, g, *o, "/api/v1/reports/plays" + range_query(*o, {{"by", o->by}}), [](json items) {
      std::vector<std::vector<std::string>> rows;
      for (auto r : items) {
        rows.push_back({text(r["period"]), text(r["key"]), text(r["name"]), r["plays"].dump(), r["completed"].dump(),
                        r["missed"].dump(), r["failed"].dump(), seconds_as_time(r["seconds_on_air"])});
      }
      print_table({"PERIOD", "KEY", "NAME", "PLAYS", "COMPLETED", "MISSED", "FAILED", "ON AIR"}, rows);
    });
  });

  auto* uptime = reports->add_subcommand("uptime", "each station's uptime and disconnects");
  add_range(uptime, *o);
  c.on(uptime, [o](IApi& api, const Globals& g) {
    return show(api, g, *o, "/api/v1/reports/uptime" + range_query(*o, {}), [](json items) {
      std::vector<std::vector<std::string>> rows;
      for (auto r : items) {
        rows.push_back({text(r["period"]), text(r["station_id"]), r["uptime_percent"].dump() + " %",
                        std::to_string(r["disconnects"].size())});
      }
      print_table({"PERIOD", "STATION", "UPTIME", "DISCONNECTS"}, rows);
    });
  });

  auto* alerts = reports->add_subcommand("alerts", "alerts issued: reached, not reached and why, time to first sound");
  add_range(alerts, *o);
  c.on(alerts, [o](IApi& api, const Globals& g) {
    return show(api, g, *o, "/api/v1/reports/alerts" + range_query(*o, {}), [](json items) {
      std::vector<std::vector<std::string>> rows;
      for (auto r : items) {
        rows.push_back({text(r["id"]), text(r["issued"]), r["targets"].dump(), r["reached"].dump(),
                        std::to_string(r["unreached"].size()), r["first_sound_ms"]["median"].dump()});
      }
      print_table({"ALERT", "ISSUED", "TARGETS", "REACHED", "NOT REACHED", "FIRST SOUND MS (MEDIAN)"}, rows);
    });
  });

  auto* monthly = reports->add_subcommand("monthly", "the monthly report as a page to print (HTML, A4, Vietnamese)");
  monthly->add_option("--month", o->month, "YYYY-MM (default: this month)");
  c.on(monthly, [o](IApi& api, const Globals&) {
    std::cout << api.fetch_text("/api/v1/reports/monthly" + query({{"month", o->month}}));
    return kExitOk;
  });
}

}  // namespace loa::loactl
