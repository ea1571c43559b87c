// Power cuts on the station: the agent is killed with SIGKILL at random instants, 200
// times, while it takes plays from the controller (stores and acknowledges them),
// downloads a long clip and queues its reports. After every cut its database opens
// with integrity "ok"; at the end every play the controller was told the station took
// is in the station's own store, the long clip is whole and its content is the clip's
// (SHA-256; a cut that lands in its download leaves a part file that the station
// resumes), and everything it queued for the controller has gone.
// LOA_POWER_CUTS sets the number of cuts (200 by default).
#include <gtest/gtest.h>

#include <cstdlib>
#include <csignal>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "support/fleet.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string sqlite(const std::string& db, const std::string& sql) {
  auto r = run_command("sqlite3 " + db + " \"" + sql + "\" 2>&1");
  return r.out.substr(0, r.out.find_last_not_of('\n') + 1);
}

TEST(PowerCut, TwoHundredCutsLoseNothingTheStationTookAndLeaveItsDatabaseWhole) {
  if (run_command("command -v sqlite3").exit_code != 0) GTEST_SKIP() << "needs the sqlite3 program";
  const char* count = std::getenv("LOA_POWER_CUTS");
  const int cuts = count ? std::atoi(count) : 200;
  Fleet fleet;
  fleet.start_controller();
  fleet.set_agent_audio_dir("pole", fleet.dir() + "/audio");
  fleet.start_agent("pole");
  fleet.enroll({"pole"});
  ASSERT_TRUE(fleet.wait_for_state("pole", "online", 10000)) << fleet.agent_log("pole");
  const std::string db = fleet.dir() + "/agent-pole/agent.db";

  // A short clip to schedule, and a long one (20 minutes, ~3.6 MB) to download.
  // (Uploaded as low-rate Opus, under the upload limit; the library stores it at its own rate.)
  auto add_clip = [&](const std::string& name, int seconds) {
    const auto path = fleet.dir() + "/" + name + ".opus";
    auto made = run_command("gst-launch-1.0 -q audiotestsrc wave=pink-noise num-buffers=" +
                            std::to_string(seconds * 47) +
                            " volume=0.3 ! audioconvert ! audioresample ! opusenc bitrate=6000 ! oggmux ! filesink location=" +
                            path);
    EXPECT_EQ(made.exit_code, 0) << made.out;
    auto added = fleet.loactl("--json clips add " + path + " --name " + name);
    EXPECT_EQ(added.exit_code, 0) << added.out;
    return json::parse(added.out)[0]["id"].get<std::string>();
  };
  const auto short_clip = add_clip("bao-chay", 2);
  const auto long_clip = add_clip("chuong-trinh", 1200);
  ASSERT_EQ(fleet.loactl("clips push " + short_clip + " --to pole").exit_code, 0);

  std::mt19937 random(20261203);  // the same instants every run
  std::uniform_int_distribution<int> alive_ms(30, 700);
  const auto hour_ahead = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch() + 1h)
                              .count();
  std::vector<std::string> commands;
  int whole = 0;
  int cut_mid_download = 0;  // cuts that left the long clip half-downloaded
  const auto part_file = fleet.dir() + "/agent-pole/clips/" + long_clip + ".part";
  for (int i = 0; i < cuts; ++i) {
    if (i > 0) fleet.start_agent("pole");
    // While it runs: a play to store and acknowledge (an hour ahead, one per cut).
    auto queued = fleet.api("POST", "/api/v1/stations/pole/commands",
                            {{"type", "play"},
                             {"clip_id", short_clip},
                             {"start_at_ms", hour_ahead + i * 1000},
                             {"broadcast_id", "cut-" + std::to_string(i)}});
    ASSERT_EQ(queued.status, 202) << queued.body.dump();
    commands.push_back(queued.body["id"]);
    // The long clip's download starts with the first cut's run.
    if (i == 0) {
      ASSERT_EQ(fleet.loactl("clips push " + long_clip + " --to pole").exit_code, 0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(alive_ms(random)));
    fleet.stop_agent("pole", SIGKILL);
    if (std::filesystem::exists(part_file)) ++cut_mid_download;
    const auto check = sqlite(db, "PRAGMA integrity_check");
    if (check == "ok") {
      ++whole;
    } else {
      ADD_FAILURE() << "after cut " << i << ": " << check;
    }
  }
  EXPECT_EQ(whole, cuts);

  fleet.start_agent("pole");
  ASSERT_TRUE(fleet.wait_for_state("pole", "online", 15000)) << fleet.agent_log("pole");
  // Every play is taken in the end (the controller sends again what was not
  // acknowledged), and each one the station took is in its store.
  for (const auto& id : commands) {
    EXPECT_TRUE(eventually([&] { return fleet.api("GET", "/api/v1/commands/" + id).body["state"] == "applied"; }, 30s))
        << id << ": " << fleet.api("GET", "/api/v1/commands/" + id).body.dump();
  }
  EXPECT_EQ(sqlite(db, "SELECT count(*) FROM waiting_plays WHERE play_key LIKE 'cut-%'"), std::to_string(cuts));
  for (const auto& id : commands) {
    EXPECT_EQ(sqlite(db, "SELECT count(*) FROM applied_commands WHERE command_id = '" + id + "'"), "1") << id;
  }
  // The long clip: resumed, whole, and what the controller has (its name is its SHA-256).
  const auto clip_file = fleet.dir() + "/agent-pole/clips/" + long_clip + ".opus";
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(clip_file); }, 60s)) << fleet.agent_log("pole");
  auto sum = run_command("sha256sum " + clip_file);
  EXPECT_EQ(sum.out.substr(0, 64), long_clip);
  EXPECT_TRUE(eventually([&] { return sqlite(db, "SELECT count(*) FROM outbox") == "0"; }, 30s))
      << "reports still queued: " << sqlite(db, "SELECT count(*) FROM outbox");
  EXPECT_FALSE(std::filesystem::exists(part_file));
  std::cout << cuts << " cuts, " << whole << " whole databases; " << cut_mid_download
            << " cuts left the long clip half-downloaded\n";
  // On loopback the download takes ~50 ms, so a cut seldom lands in it; when one does,
  // the checks above cover its resumption. How many did is printed.
  RecordProperty("cuts", cuts);
}

}  // namespace
}  // namespace loa::test
