// District-scale schedule benchmark on the real store (SQLite on disk) and scheduler:
// 300 stations in 50 zones, 2,000 recurring broadcasts. Prints the time to check a new
// broadcast for conflicts, to compute and queue every station's 48 h schedule (and to
// take it off the queues for sending), and to query a month of as-run log.
//
//   schedule_bench [--stations 300] [--zones 50] [--broadcasts 2000] [--postgresql CONNINFO]
//
// With --postgresql (an empty database) the same work runs on PostgreSQL after SQLite,
// and a table sets the two side by side.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "loa/postgres/connection.hpp"
#include "loa/schedule/planner.hpp"
#include "loa/schedule/recurrence.hpp"
#include "loa/schedule/scheduler.hpp"
#include "loa/server/command_dispatcher.hpp"
#include "loa/store/store.hpp"
#include "support/process.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

std::string two(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

// What one store's run measured, for the table that sets the two side by side.
struct Figures {
  double check_p50 = 0, push_ms = 0, resync_ms = 0, fill_s = 0;
  std::map<std::string, double> query_p50;
};

Figures run(loa::store::Store* store, const char* label, int stations, int zones, int broadcasts) {
  Figures f;
  std::printf("store: %s\n", label);
  loa::time::SystemClock clock;
  const auto now = clock.wall_ms();

  for (int s = 0; s < stations; ++s) {
    loa::store::StationRecord r;
    r.id = "st-" + std::to_string(s);
    r.enrollment = loa::store::Enrollment::approved;
    r.created_ms = now;
    store->put_station(r);
  }
  for (int z = 0; z < zones; ++z) {
    loa::store::ZoneRecord r;
    r.id = "zone-" + std::to_string(z);
    r.name = r.id;
    for (int s = z; s < stations; s += zones) r.station_ids.push_back("st-" + std::to_string(s));
    std::sort(r.station_ids.begin(), r.station_ids.end());
    store->put_zone(r);
  }
  loa::store::ClipRecord clip;
  clip.sha256 = std::string(64, 'a');
  clip.name = "bulletin";
  clip.duration_ms = 120'000;
  clip.bytes = 360'000;
  clip.created_ms = now;
  store->put_clip(clip);

  // Rules a district writes: daily, weekdays, three times on Saturday, market days.
  const std::vector<std::string> rules{"FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
                                       "FREQ=WEEKLY;BYDAY=SA;BYHOUR=7,11,17", "FREQ=MONTHLY;BYMONTHDAY=1,15",
                                       "FREQ=WEEKLY;BYDAY=MO,WE,FR"};
  const std::vector<std::string> priorities{"relay", "normal", "normal", "priority"};
  for (int b = 0; b < broadcasts; ++b) {
    loa::store::BroadcastRecord r;
    r.id = "b-" + std::to_string(b);
    r.title = r.id;
    r.clip_sha256 = clip.sha256;
    // Spread over the day, two minutes apart per zone, so the schedule is full but legal.
    const int slot = b / zones;  // 40 per zone
    r.start_local = "2026-01-01T" + two(5 + slot / 3) + ":" + two((slot % 3) * 20) + ":00";
    r.rrule = rules[static_cast<std::size_t>(b) % rules.size()];
    r.priority = priorities[static_cast<std::size_t>(b) % priorities.size()];
    r.targets = {"zone:zone-" + std::to_string(b % zones)};
    r.created_ms = now;
    store->put_broadcast(r);
  }

  loa::schedule::Planner planner({*store, *store, *store}, {});
  // Conflict check of a new broadcast against everything scheduled.
  std::vector<double> checks;
  std::size_t found = 0;
  for (int i = 0; i < 50; ++i) {
    loa::store::BroadcastRecord candidate;
    candidate.id = "new";
    candidate.clip_sha256 = clip.sha256;
    candidate.start_local = "2026-01-01T" + two(5 + i % 12) + ":00:30";  // over another's air time
    candidate.rrule = "FREQ=DAILY";
    candidate.priority = "normal";
    candidate.targets = {"zone:zone-" + std::to_string(i % zones), "station:st-" + std::to_string(i * 7 % stations)};
    const auto t = Clock::now();
    auto report = planner.check(candidate, now);
    checks.push_back(ms_since(t));
    found += report.conflicts_total;
  }
  f.check_p50 = percentile(checks, 0.5);
  std::printf("conflict check: stations=%d zones=%d broadcasts=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f (conflicts found: %zu)\n",
              stations, zones, broadcasts, percentile(checks, 0.5), percentile(checks, 0.99),
              percentile(checks, 1.0), found);

  // Every station's 48 h schedule: computed, stored with its commands, queued; then taken
  // off the queues as the control loop does when it sends.
  loa::server::CommandDispatcher dispatcher(*store, clock, std::chrono::seconds(10));
  loa::schedule::Scheduler scheduler({*store, *store, *store}, dispatcher, planner, clock, {});
  auto t = Clock::now();
  auto stats = scheduler.sync();
  const double sync_ms = ms_since(t);
  t = Clock::now();
  std::size_t taken = 0;
  for (int s = 0; s < stations; ++s) taken += dispatcher.take_due("st-" + std::to_string(s), true).size();
  const double take_ms = ms_since(t);
  t = Clock::now();
  auto again = scheduler.sync();
  const double resync_ms = ms_since(t);
  f.push_ms = sync_ms;
  f.resync_ms = resync_ms;
  std::printf("48 h schedule: plays=%zu clip_commands=%zu compute_store_queue_ms=%.0f take_for_sending_ms=%.0f "
              "(%zu commands) next_sync_ms=%.0f (sent %zu)\n",
              stats.plays_sent, stats.clips_sent, sync_ms, take_ms, taken, resync_ms, again.plays_sent);

  // A month of as-run log: every occurrence of every broadcast on every station.
  t = Clock::now();
  const auto fleet = loa::fleet::Fleet::load(*store);
  const auto month_start = now - 30LL * 86'400'000;
  std::size_t rows = 0;
  for (const auto& b : store->list_broadcasts(false)) {
    const auto at = planner.occurrences(b, month_start, now);
    for (const auto& station : fleet.resolve(b.targets)) {
      for (auto when : at) {
        store->add_asrun({station, b.id, clip.sha256, when, when + 12, when + 120'012, "played", ""});
        ++rows;
      }
    }
  }
  f.fill_s = ms_since(t) / 1000;
  std::printf("as-run fill: rows=%zu took_s=%.1f\n", rows, f.fill_s);
  auto query = [&](const char* what, loa::store::AsRunQuery q) {
    q.since_ms = month_start;
    q.until_ms = now;
    q.limit = 1'000'000;
    std::vector<double> times;
    std::size_t n = 0;
    for (int i = 0; i < 5; ++i) {
      const auto start = Clock::now();
      n = store->query_asrun(q).size();
      times.push_back(ms_since(start));
    }
    f.query_p50[what] = percentile(times, 0.5);
    std::printf("as-run month query %-10s rows=%-7zu p50_ms=%.1f max_ms=%.1f\n", what, n, percentile(times, 0.5),
                percentile(times, 1.0));
  };
  loa::store::AsRunQuery by_station;
  by_station.station_ids = {"st-7"};
  query("station", by_station);
  loa::store::AsRunQuery by_zone;
  by_zone.station_ids = fleet.resolve({"zone:zone-7"});
  query("zone", by_zone);
  loa::store::AsRunQuery by_broadcast;
  by_broadcast.broadcast_id = "b-7";
  query("broadcast", by_broadcast);
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  int stations = 300, zones = 50, broadcasts = 2000;
  std::string postgresql;  // an empty database: the same work on PostgreSQL too, after SQLite's
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--postgresql")) postgresql = argv[i + 1];
    if (!std::strcmp(argv[i], "--stations")) stations = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--zones")) zones = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--broadcasts")) broadcasts = std::atoi(argv[i + 1]);
  }
  loa::test::ScratchDir dir;
  const auto sqlite = run(loa::store::open_sqlite_store(dir.path() + "/controller.db").get(), "sqlite", stations, zones,
                          broadcasts);
  if (postgresql.empty()) return 0;
  const auto pg = run(loa::store::open_postgres_store(postgresql).get(), "postgresql", stations, zones, broadcasts);
  std::printf("\n%-34s %10s %12s %7s\n", "measure (same run)", "sqlite", "postgresql", "ratio");
  const auto row = [](const char* what, double a, double b) {
    std::printf("%-34s %10.1f %12.1f %6.2fx\n", what, a, b, a > 0 ? b / a : 0.0);
  };
  row("conflict check p50 ms", sqlite.check_p50, pg.check_p50);
  row("48 h schedule push ms", sqlite.push_ms, pg.push_ms);
  row("next sync ms", sqlite.resync_ms, pg.resync_ms);
  row("as-run fill s", sqlite.fill_s, pg.fill_s);
  for (const auto& [what, ms] : sqlite.query_p50) row(("as-run month query " + what + " p50 ms").c_str(), ms, pg.query_p50.at(what));

  // The SQLite district just measured, moved whole into a fresh PostgreSQL database
  // (`loa-controller --copy-store-to`).
  {
    auto admin = loa::postgres::connect(postgresql, {});
    admin->exec("DROP DATABASE IF EXISTS loa_bench_copy");
    admin->exec("CREATE DATABASE loa_bench_copy");
  }
  const auto t = Clock::now();
  std::int64_t copied = 0;
  for (const auto& [table, rows] : loa::store::copy_sqlite_to_postgres(dir.path() + "/controller.db",
                                                                       postgresql + " dbname=loa_bench_copy")) {
    copied += rows;
  }
  const double copy_s = ms_since(t) / 1000;
  std::printf("\ndistrict copy to postgresql: rows=%lld took_s=%.1f rows_per_s=%.0f\n", static_cast<long long>(copied),
              copy_s, copy_s > 0 ? static_cast<double>(copied) / copy_s : 0.0);
  return 0;
}
