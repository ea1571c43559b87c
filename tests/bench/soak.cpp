// Soak: a month of a district's work pressed into half an hour, against one real
// loa-controller. Simulated stations (protocol level, see simulated_stations.hpp) send
// telemetry, take a broadcast every minute and an alert every five, and drop off and
// come back. Every sample interval the controller's resident memory, open files,
// threads and queues are read; at the end each one's slope is printed. Something that
// grows with the work done (a leak, a queue nobody drains, a file never closed) shows as
// a slope that would take the controller down after a month.
//
//   soak [--stations 1000] [--minutes 30] [--sample-s 10] [--broadcast-every-s 60] [--alert-every-s 300]
//        [--heartbeat-ms 1000] [--controller-wrapper "heaptrack -o /tmp/controller"]
//
// Heartbeats go once a second each way: a month's messages on each connection pressed
// into the hour like the rest. It matters for memory: libzmq allocates each
// connection's queues in chunks of 256 messages and the pages of a chunk are touched
// one message at a time (pipe_memory_bench shows it alone), so a connection's memory
// reaches its full size only after about 512 messages each way. At one heartbeat a
// second that is about 9 minutes; at the field's 5 s it is 45.
//
// Besides the resident size (and its anonymous part) it prints the allocator's own
// account from /metrics: bytes live allocations hold (heap_kib) and bytes freed but kept
// (free_kib). Resident memory that grows while heap_kib stays flat is the allocator's,
// not a leak of Loa's objects.
//
// Exit status 0 when the floor of every measure stays flat (see `floor_of`).
#include <signal.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "support/fleet.hpp"
#include "support/simulated_stations.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using loa::test::now_ms;

struct Sample {
  double minute = 0;
  std::map<std::string, double> values;
};

double open_files(pid_t pid) {
  std::error_code ec;
  double n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return n;
}

// The value of an unlabelled metric, or the number of series of a labelled one.
double metric(const std::string& text, const std::string& name, bool count_series = false) {
  double found = count_series ? 0 : -1;
  std::size_t at = 0;
  while ((at = text.find("\n" + name, at)) != std::string::npos) {
    at += name.size() + 1;
    if (count_series && text[at] == '{') ++found;
    if (!count_series && text[at] == ' ') return std::strtod(text.c_str() + at + 1, nullptr);
  }
  return found;
}

double folder_bytes(const std::string& dir) {
  double total = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec)) total += static_cast<double>(entry.file_size(ec));
  }
  return total;
}

Sample take(const loa::test::Fleet& fleet, pid_t pid, double minute) {
  Sample s;
  s.minute = minute;
  s.values["rss_kib"] = static_cast<double>(loa::test::proc_status(pid, "VmRSS"));
  s.values["rss_anon_kib"] = static_cast<double>(loa::test::proc_status(pid, "RssAnon"));
  s.values["open_files"] = open_files(pid);
  s.values["threads"] = static_cast<double>(loa::test::proc_status(pid, "Threads"));
  const auto text = "\n" + fleet.metrics();
  s.values["commands_pending"] = metric(text, "loa_commands_pending");
  s.values["http_connections_open"] = metric(text, "loa_http_connections_open");
  s.values["alert_station_series"] = metric(text, "loa_alert_stations", true);
  s.values["alert_desk_alerts"] = metric(text, "loa_alert_desk_held{kind=\"alerts\"}");
  s.values["alert_desk_commands"] = metric(text, "loa_alert_desk_held{kind=\"commands\"}");
  s.values["sqlite_kib"] = metric(text, "loa_store_memory_bytes") / 1024;
  s.values["heap_in_use_kib"] = metric(text, "loa_heap_in_use_bytes") / 1024;
  s.values["heap_free_kib"] = metric(text, "loa_heap_free_bytes") / 1024;
  s.values["stations_online"] = fleet.api("GET", "/api/v1/link/stats").body["stations"].value("online", 0);
  s.values["data_dir_mib"] = folder_bytes(fleet.dir() + "/controller") / (1 << 20);
  return s;
}

// Least-squares slope per hour of points (minute, value).
double slope_per_hour(const std::vector<std::pair<double, double>>& points) {
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const auto& [minute, y] : points) {
    const double x = minute / 60.0;
    n += 1;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double d = n * sxx - sx * sx;
  return d == 0 ? 0 : (n * sxy - sx * sy) / d;
}

std::vector<std::pair<double, double>> series(const std::vector<Sample>& samples, std::size_t from, const std::string& name) {
  std::vector<std::pair<double, double>> out;
  for (std::size_t i = from; i < samples.size(); ++i) out.emplace_back(samples[i].minute, samples[i].values.at(name));
  return out;
}

// The floor of a measure: the judged samples in five equal blocks of time, each block's
// lowest value at its middle. A queue that fills when a broadcast or an alert goes out
// and drains after is flat by its floor; one that never drains raises it. The same for
// memory, which a burst raises for a while.
std::vector<std::pair<double, double>> floor_of(const std::vector<std::pair<double, double>>& points) {
  std::vector<std::pair<double, double>> out;
  const std::size_t blocks = 5;
  for (std::size_t b = 0; b < blocks; ++b) {
    const auto first = points.size() * b / blocks, last = points.size() * (b + 1) / blocks;
    if (first >= last) continue;
    double low = points[first].second;
    for (auto i = first; i < last; ++i) low = std::min(low, points[i].second);
    out.emplace_back((points[first].first + points[last - 1].first) / 2, low);
  }
  return out;
}

struct Limit {
  const char* name;
  double absolute;  // growth over the measured window allowed outright
  double relative;  // ... or as a share of the mean, whichever is larger
};

}  // namespace

int main(int argc, char** argv) {
  int stations = 1000;
  double minutes = 30;
  int sample_s = 10;
  int broadcast_every_s = 60;
  int alert_every_s = 300;
  std::string wrapper;
  int heartbeat_ms = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--stations") stations = std::atoi(argv[i + 1]);
    if (a == "--minutes") minutes = std::atof(argv[i + 1]);
    if (a == "--sample-s") sample_s = std::atoi(argv[i + 1]);
    if (a == "--broadcast-every-s") broadcast_every_s = std::atoi(argv[i + 1]);
    if (a == "--alert-every-s") alert_every_s = std::atoi(argv[i + 1]);
    if (a == "--controller-wrapper") wrapper = argv[i + 1];
    if (a == "--heartbeat-ms") heartbeat_ms = std::atoi(argv[i + 1]);
  }
  loa::test::raise_open_file_limit();
  loa::test::FleetOptions options;
  options.heartbeat_ms = heartbeat_ms;
  options.controller_log_level = "warn";
  options.standard_clips = true;
  std::istringstream words(wrapper);
  for (std::string w; words >> w;) options.controller_wrapper.push_back(w);
  loa::test::Fleet fleet(options);
  fleet.start_controller();
  // The controller itself, also when a wrapper started it.
  pid_t pid = fleet.controller_pid();
  if (!wrapper.empty()) {
    pid = static_cast<pid_t>(std::atol(
        loa::test::run_command("pgrep -f '^" + loa::test::bin("loa-controller") + " --config " + fleet.dir() + "'").out.c_str()));
  }

  loa::test::SimulatedStations sims(fleet, {.stations = stations,
                                           .id_prefix = "soak-",
                                           .heartbeat = std::chrono::milliseconds(heartbeat_ms),
                                           .telemetry_every = 10s});
  sims.start();
  if (!loa::test::eventually([&] { return sims.online() == stations; }, 180s, 500ms)) {
    std::cerr << "only " << sims.online() << " of " << stations << " stations came online\n";
    return 1;
  }
  const auto programme = fleet.add_tone_clip("programme", 5);
  const auto message = fleet.add_tone_clip("message", 2);

  std::mt19937 random(20241007);
  std::map<std::size_t, Clock::time_point> returning;  // dropped station -> when it comes back
  std::vector<std::string> broadcasts;
  std::vector<std::pair<std::string, int>> alerts;  // id, stations playing it 30 s on
  std::string alert_on_air;
  Clock::time_point alert_pushed;
  std::vector<Sample> samples;
  const auto started = Clock::now();
  const auto end = started + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(minutes * 60));
  auto next_sample = started;
  auto next_broadcast = started;
  auto next_alert = started + std::chrono::seconds(alert_every_s / 2);
  auto next_drop = started + 30s;
  int failures = 0;
  std::printf("minute rss_kib anon_kib open_files threads commands_pending http_open alert_series online data_dir_mib sqlite_kib heap_kib free_kib desk_alerts desk_cmds\n");
  while (Clock::now() < end) {
    const auto now = Clock::now();
    if (now >= next_broadcast) {  // the programme at the next minute's turn, to everyone
      next_broadcast += std::chrono::seconds(broadcast_every_s);
      const auto air = (now_ms() + 20'000) / 1000 * 1000;
      auto b = fleet.api("POST", "/api/v1/broadcasts",
                         {{"title", "soak"}, {"clip_id", programme}, {"to", {"all"}}, {"start", loa::test::utc_local(air)},
                          {"tz", "UTC"}});
      if (b.status == 201) broadcasts.push_back(b.body["id"]);
      else ++failures, std::cerr << "broadcast refused: " << b.body.dump() << "\n";
    }
    if (now >= next_alert) {
      next_alert += std::chrono::seconds(alert_every_s);
      // The alert's life pressed like the rest of the month: it expires 2 minutes after
      // issue (an hour by default), so the desk forgets it 12 minutes on and a soak of
      // half an hour sees what the desk holds level off, instead of six alerts held by
      // design.
      auto a = fleet.api("POST", "/api/v1/alerts",
                         {{"severity", "moderate"}, {"status", "actual"}, {"clip_id", message}, {"to", {"all"}},
                          {"expires_in_s", 120}, {"confirm", {{"target_count", stations}}}});
      if (a.status == 201) alert_on_air = a.body["id"], alert_pushed = now;
      else ++failures, std::cerr << "alert refused: " << a.body.dump() << "\n";
    }
    if (!alert_on_air.empty() && now >= alert_pushed + 30s) {
      auto v = fleet.api("GET", "/api/v1/alerts/" + alert_on_air + "?stations=0").body;
      alerts.emplace_back(alert_on_air, v.is_object() ? v["summary"].value("playing", 0) + v["summary"].value("played", 0) : -1);
      (void)fleet.api("POST", "/api/v1/alerts/" + alert_on_air + "/cancel", {{"reason", "soak"}});
      alert_on_air.clear();
    }
    if (now >= next_drop) {  // 2 % of the stations lose their link; each is back within 2 minutes
      next_drop += 60s;
      for (int k = 0; k < std::max(1, stations / 50); ++k) {
        const auto i = static_cast<std::size_t>(random() % static_cast<unsigned>(stations));
        if (returning.contains(i)) continue;
        sims.drop(i);
        returning[i] = now + std::chrono::seconds(10 + random() % 110);
      }
    }
    for (auto it = returning.begin(); it != returning.end();) {
      if (now < it->second) {
        ++it;
        continue;
      }
      sims.restore(it->first);
      it = returning.erase(it);
    }
    if (now >= next_sample) {
      next_sample += std::chrono::seconds(sample_s);
      samples.push_back(take(fleet, pid, std::chrono::duration<double>(now - started).count() / 60));
      const auto& v = samples.back().values;
      std::printf("%6.1f %7.0f %8.0f %10.0f %7.0f %16.0f %9.0f %12.0f %6.0f %12.1f %10.0f %8.0f %8.0f %11.0f %9.0f\n",
                  samples.back().minute,
                  v.at("rss_kib"), v.at("rss_anon_kib"), v.at("open_files"), v.at("threads"), v.at("commands_pending"),
                  v.at("http_connections_open"), v.at("alert_station_series"), v.at("stations_online"),
                  v.at("data_dir_mib"), v.at("sqlite_kib"), v.at("heap_in_use_kib"), v.at("heap_free_kib"),
                  v.at("alert_desk_alerts"), v.at("alert_desk_commands"));
      std::fflush(stdout);
    }
    std::this_thread::sleep_for(200ms);
  }
  for (const auto& [i, when] : returning) sims.restore(i);
  const auto counts = sims.counts();
  sims.stop();
  const auto stop_wrapped = [&] {
    // Under a wrapper the controller is not the fleet's child: stopped here, cleanly, so
    // that a profiler writes its record out.
    if (!wrapper.empty()) ::kill(pid, SIGTERM);
  };

  // What was done, so that a flat line is not the flat line of a controller doing nothing.
  std::size_t asrun_rows = 0;
  for (const auto& id : broadcasts) {
    asrun_rows += fleet.api("GET", "/api/v1/asrun?broadcast=" + id + "&limit=5000").body["items"].size();
  }
  std::printf("\nstations=%d minutes=%.1f broadcasts=%zu asrun_rows=%zu (%.0f per broadcast) alerts=%zu\n", stations,
              minutes, broadcasts.size(), asrun_rows,
              broadcasts.empty() ? 0.0 : static_cast<double>(asrun_rows) / static_cast<double>(broadcasts.size()),
              alerts.size());
  for (const auto& [id, sounding] : alerts) std::printf("alert %s: %d stations sounding 30 s after the push\n", id.c_str(), sounding);
  std::printf("stations: commands_answered=%llu playing_reports=%llu played_reports=%llu telemetry=%llu connections=%llu\n",
              static_cast<unsigned long long>(counts.commands_answered),
              static_cast<unsigned long long>(counts.playing_reports),
              static_cast<unsigned long long>(counts.played_reports),
              static_cast<unsigned long long>(counts.telemetry_sent),
              static_cast<unsigned long long>(counts.connections));

  // The first fifth (at least three minutes) is warm-up: caches fill, the standard clips
  // are pinned, the allocator finds its size; and each connection's queues are touched
  // whole (512 messages each way at the heartbeat's pace, plus a minute). The rest is
  // judged.
  stop_wrapped();
  const double queues_whole_min = 512.0 * heartbeat_ms / 60'000.0 + 1;
  const double warm_up_min = std::max({3.0, minutes / 5, queues_whole_min});
  std::size_t from = 0;
  while (from < samples.size() && samples[from].minute < warm_up_min) ++from;
  if (samples.size() - from < 3) {
    std::cerr << "too few samples after warm-up to judge a slope\n";
    return 1;
  }
  const double window_h = (samples.back().minute - samples[from].minute) / 60.0;
  const std::vector<Limit> limits{
      {"rss_kib", 1024, 0.02},       {"open_files", 5, 0.01},          {"threads", 1, 0},
      {"commands_pending", 10, 0.01}, {"http_connections_open", 2, 0}, {"alert_station_series", 5, 0},
  };
  std::printf("\nmeasure                 mean   slope/h (all)  slope/h (floor)  floor growth over %.0f min  allowed  verdict\n",
              window_h * 60);
  bool flat = true;
  for (const auto& limit : limits) {
    const auto points = series(samples, from, limit.name);
    double mean = 0;
    for (const auto& [minute, y] : points) mean += y / static_cast<double>(points.size());
    const double slope = slope_per_hour(points);
    const double floor_slope = slope_per_hour(floor_of(points));
    const double growth = floor_slope * window_h;
    const double allowed = std::max(limit.absolute, limit.relative * mean);
    const bool ok = growth <= allowed;
    flat = flat && ok;
    std::printf("%-22s %10.1f %14.2f %16.2f %27.2f %8.1f  %s\n", limit.name, mean, slope, floor_slope, growth, allowed,
                ok ? "flat" : "GROWS");
  }
  std::printf("%-22s %10s %14.2f   (grows with the as-run and telemetry kept; not judged)\n", "data_dir_mib", "",
              slope_per_hour(series(samples, from, "data_dir_mib")));
  return flat && failures == 0 ? 0 : 1;
}
