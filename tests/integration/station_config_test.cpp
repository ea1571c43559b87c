// Station hardware configurations kept on the controller, end to end: loactl pushes a
// station file (and the profiles it names) to a zone, the controller checks it as
// `loa-agent check-config` does, real agents apply it, and loa-devsim's count of the
// requests it receives shows the stations polling as the new configuration says.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <thread>

#include "support/devsim.hpp"
#include "support/fleet.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kFirmware = std::string(LOA_SOURCE_DIR) + "/firmware-config";
const std::string kAmplifier = kFirmware + "/profiles/fm-amplifier-generic.yaml";

// An IP cluster's hardware file: one amplifier on `port`, at `unit`, polled every `poll_ms`.
std::string cluster_file(int port, int unit, int poll_ms, const std::string& profile = "profiles/amp.yaml") {
  return "kind: ip_cluster\n"
         "devices:\n"
         "  - id: amp\n"
         "    profile: " + profile + "\n"
         "    tcp: \"127.0.0.1:" + std::to_string(port) + "\"\n"
         "    unit_id: " + std::to_string(unit) + "\n"
         "    poll_interval_ms: " + std::to_string(poll_ms) + "\n";
}


// A configuration folder as a technician keeps one: the station file beside a copy of
// the profile it names.
std::string config_folder(const std::string& dir, const std::string& station_yaml, const std::string& profile_text) {
  std::filesystem::create_directories(dir + "/profiles");
  write_file(dir + "/profiles/amp.yaml", profile_text);
  write_file(dir + "/station.yaml", station_yaml);
  return dir + "/station.yaml";
}

class StationConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    // One simulated bus behind one gateway: each station's own file polls its own
    // unit (2 and 3); the configuration pushed to the zone polls unit 1.
    requests_file = fleet.dir() + "/requests";
    devsim = std::make_unique<Devsim>(fleet.dir(), "bus", kAmplifier + "@1",
                                      std::vector<std::string>{"--profile", kAmplifier + "@2", "--profile",
                                                               kAmplifier + "@3", "--requests-file", requests_file});
    ASSERT_GT(devsim->port, 0) << devsim->process.log();
    fleet.start_controller();
    int unit = 2;
    for (const auto* id : {"pole-a", "pole-b"}) {
      const auto own = config_folder(fleet.dir() + "/own-" + id, cluster_file(devsim->port, unit++, 1000),
                                     read_file(kAmplifier));
      fleet.set_agent_hardware(id, own);
      fleet.start_agent(id);
    }
    fleet.enroll({"pole-a", "pole-b"});
    for (const auto* id : {"pole-a", "pole-b"}) {
      ASSERT_TRUE(fleet.wait_for_state(id, "online", 10000)) << fleet.agent_log(id);
    }
    ASSERT_EQ(fleet.api("PUT", "/api/v1/zones/cam-binh", {{"kind", "commune"}, {"stations", {"pole-a", "pole-b"}}}).status,
              200);
  }

  // Requests the bus has received by unit, as loa-devsim counts them.
  std::map<int, long> requests() const {
    std::map<int, long> out;
    std::istringstream in(read_file(requests_file));
    int unit = 0;
    long n = 0;
    while (in >> unit >> n) out[unit] = n;
    return out;
  }
  // Requests a second to each unit over `window`.
  std::map<int, double> rates(std::chrono::milliseconds window) const {
    const auto before = requests();
    std::this_thread::sleep_for(window);
    const auto after = requests();
    std::map<int, double> out;
    for (int unit : {1, 2, 3}) {
      const long from = before.contains(unit) ? before.at(unit) : 0;
      const long to = after.contains(unit) ? after.at(unit) : 0;
      out[unit] = static_cast<double>(to - from) * 1000.0 / static_cast<double>(window.count());
    }
    return out;
  }
  json history(const std::string& id) const { return fleet.api("GET", "/api/v1/stations/" + id + "/config").body; }
  bool runs_version(const std::string& id, int version) const {
    const auto h = history(id);
    for (const auto& v : h["items"]) {
      if (v["version"] == version) return v["running"] == true;
    }
    return false;
  }
  // The version in force has proved itself on the station: its probation file is gone.
  bool settled(const std::string& id) const {
    return !std::filesystem::exists(fleet.dir() + "/agent-" + id + "/config/probation");
  }
  json open_alarm(const std::string& station, const std::string& alarm_id) const {
    const auto h = fleet.api("GET", "/api/v1/stations/" + station + "/health").body;
    for (const auto& a : h["alarms"]) {
      if (a["alarm_id"] == alarm_id) return a;
    }
    return nullptr;
  }

  Fleet fleet;
  std::string requests_file;
  std::unique_ptr<Devsim> devsim;
};

TEST_F(StationConfig, APushToAZoneChangesEveryStationsPollingAsTheBusSeesIt) {
  // Each station's own file: its unit, once a second. The amplifier profile reads in
  // two blocks a cycle, so about two requests a second to each unit.
  ASSERT_TRUE(eventually([&] { return requests()[2] > 0 && requests()[3] > 0; }, 10s)) << fleet.agent_log("pole-a");
  const auto before = rates(3s);
  EXPECT_GT(before.at(2), 0.5);
  EXPECT_GT(before.at(3), 0.5);
  EXPECT_EQ(before.at(1), 0.0);

  const auto file = config_folder(fleet.dir() + "/pushed", cluster_file(devsim->port, 1, 200), read_file(kAmplifier));
  const auto dry = fleet.loactl("config push --to zone:cam-binh --dry-run " + file);
  ASSERT_EQ(dry.exit_code, 0) << dry.out;
  EXPECT_NE(dry.out.find("dry run"), std::string::npos) << dry.out;
  EXPECT_TRUE(history("pole-a")["items"].empty()) << "a dry run stores nothing";

  const auto pushed = fleet.loactl("config push --to zone:cam-binh --note \"poll the gateway's unit 1\" " + file);
  ASSERT_EQ(pushed.exit_code, 0) << pushed.out;
  for (const auto* id : {"pole-a", "pole-b"}) {
    ASSERT_TRUE(eventually([&] { return runs_version(id, 1); }, 20s)) << history(id).dump() << fleet.agent_log(id);
  }
  // On the bus: both stations now poll unit 1, five cycles a second each, and their
  // own units no more.
  std::this_thread::sleep_for(1s);
  const auto after = rates(3s);
  EXPECT_EQ(after.at(2), 0.0);
  EXPECT_EQ(after.at(3), 0.0);
  EXPECT_GT(after.at(1), 4 * before.at(2)) << "unit 1 " << after.at(1) << "/s against " << before.at(2) << "/s before";

  const auto shown = fleet.loactl("config history pole-b");
  EXPECT_NE(shown.out.find("v1"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("poll the gateway's unit 1"), std::string::npos) << shown.out;
  EXPECT_EQ(fleet.loactl("config drift").out.find("pole-"), std::string::npos);
}

TEST_F(StationConfig, ABrokenConfigurationIsRefusedAtTheControllerWithFileAndLineAndNothingIsSent) {
  auto broken_profile = read_file(kAmplifier);
  broken_profile.replace(broken_profile.find("table: input, address: 0"), 24, "table: inputs, address: 0");
  const auto file = config_folder(fleet.dir() + "/broken", cluster_file(devsim->port, 1, 200), broken_profile);
  const auto refused = fleet.loactl("config push --to zone:cam-binh " + file);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.out.find("invalid_config"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("profiles/amp.yaml:11: points[1].table: unknown table 'inputs'"), std::string::npos)
      << refused.out;
  // Nothing stored, nothing sent: no version, no command.
  for (const auto* id : {"pole-a", "pole-b"}) {
    EXPECT_TRUE(history(id)["items"].empty());
    const auto commands = fleet.api("GET", std::string("/api/v1/commands?station=") + id).body;
    for (const auto& c : commands["items"]) EXPECT_NE(c["kind"], "apply_config") << c.dump();
  }
  // The stations go on polling their own units.
  const auto r = rates(2s);
  EXPECT_GT(r.at(2), 0.5);
  EXPECT_EQ(r.at(1), 0.0);
}

TEST_F(StationConfig, AConfigurationNamingAnUnreachableDeviceIsRolledBackAndSaysWhy) {
  const auto good = config_folder(fleet.dir() + "/good", cluster_file(devsim->port, 1, 500), read_file(kAmplifier));
  ASSERT_EQ(fleet.loactl("config push --to pole-a " + good).exit_code, 0);
  ASSERT_TRUE(eventually([&] { return runs_version("pole-a", 1); }, 20s)) << fleet.agent_log("pole-a");

  // Version 2 names a gateway that is not there; the station has 3 s to prove it.
  const auto bad = config_folder(fleet.dir() + "/unreachable", cluster_file(free_port(), 1, 500), read_file(kAmplifier));
  ASSERT_EQ(fleet.loactl("config push --to pole-a --confirm-within 3 " + bad).exit_code, 0);
  ASSERT_TRUE(eventually([&] { return !open_alarm("pole-a", "config.rolled_back").is_null(); }, 30s))
      << fleet.agent_log("pole-a");
  const auto alarm = open_alarm("pole-a", "config.rolled_back");
  EXPECT_NE(alarm["message"].get<std::string>().find("configuration v2 rolled back to v1"), std::string::npos)
      << alarm.dump();
  EXPECT_NE(alarm["message"].get<std::string>().find("device not answering: amp"), std::string::npos) << alarm.dump();
  // It runs version 1 again, and polls unit 1 of the bus that is there.
  ASSERT_TRUE(eventually([&] { return runs_version("pole-a", 1); }, 20s)) << history("pole-a").dump();
  EXPECT_FALSE(runs_version("pole-a", 2));
  EXPECT_GT(rates(2s).at(1), 0.5);
  // The controller holds version 2 and the station runs 1: that is drift, and it says so.
  EXPECT_TRUE(eventually([&] { return fleet.loactl("config drift").out.find("pole-a") != std::string::npos; }, 10s));
}

TEST_F(StationConfig, AStationFileEditedByHandShowsAsDrift) {
  const auto file = config_folder(fleet.dir() + "/pushed", cluster_file(devsim->port, 1, 500), read_file(kAmplifier));
  ASSERT_EQ(fleet.loactl("config push --to pole-b " + file).exit_code, 0);
  ASSERT_TRUE(eventually([&] { return runs_version("pole-b", 1); }, 20s)) << fleet.agent_log("pole-b");
  ASSERT_TRUE(eventually([&] { return settled("pole-b"); }, 20s)) << fleet.agent_log("pole-b");
  EXPECT_EQ(fleet.loactl("config drift").out.find("pole-b"), std::string::npos);
  EXPECT_TRUE(open_alarm("pole-b", "config.drift").is_null());

  // A technician on site edits the file the station runs.
  const auto running = fleet.dir() + "/agent-pole-b/config/current/station.yaml";
  auto text = read_file(running);
  ASSERT_NE(text.find("poll_interval_ms: 500"), std::string::npos) << text;
  text.replace(text.find("poll_interval_ms: 500"), 21, "poll_interval_ms: 900");
  write_file(running, text);

  ASSERT_TRUE(eventually([&] { return fleet.loactl("config drift").out.find("pole-b") != std::string::npos; }, 20s))
      << fleet.agent_log("pole-b");
  EXPECT_TRUE(eventually([&] { return !open_alarm("pole-b", "config.drift").is_null(); }, 10s));
  // Sending the held version again ends it.
  ASSERT_EQ(fleet.loactl("config rollback pole-b 1").exit_code, 0);
  EXPECT_TRUE(eventually([&] { return runs_version("pole-b", 2); }, 20s)) << history("pole-b").dump();
  EXPECT_TRUE(eventually([&] { return open_alarm("pole-b", "config.drift").is_null(); }, 10s));
}

// A pushed file broken by hand must not keep the station off the air: it starts without
// its hardware watch, says why, and a push mends it.
TEST_F(StationConfig, AStationWhoseConfigurationWasBrokenByHandStillStartsAndSaysWhy) {
  const auto file = config_folder(fleet.dir() + "/pushed", cluster_file(devsim->port, 1, 500), read_file(kAmplifier));
  ASSERT_EQ(fleet.loactl("config push --to pole-a " + file).exit_code, 0);
  ASSERT_TRUE(eventually([&] { return runs_version("pole-a", 1); }, 20s)) << fleet.agent_log("pole-a");
  // Broken by hand after it proved itself; broken while on probation, it would be undone.
  ASSERT_TRUE(eventually([&] { return settled("pole-a"); }, 20s)) << fleet.agent_log("pole-a");
  write_file(fleet.dir() + "/agent-pole-a/config/current/station.yaml", "kind: ip_cluster\ndevices: [{id: amp\n");
  fleet.stop_agent("pole-a");
  fleet.start_agent("pole-a");
  ASSERT_TRUE(fleet.wait_for_state("pole-a", "online", 10000)) << fleet.agent_log("pole-a");
  ASSERT_TRUE(eventually([&] { return !open_alarm("pole-a", "config.invalid").is_null(); }, 10s))
      << fleet.agent_log("pole-a");
  EXPECT_NE(open_alarm("pole-a", "config.invalid")["message"].get<std::string>().find("station.yaml:"), std::string::npos);
  // It still takes orders.
  const auto ping = fleet.api("POST", "/api/v1/stations/pole-a/commands", {{"type", "ping"}});
  ASSERT_EQ(ping.status, 202) << ping.body.dump();
  EXPECT_TRUE(eventually([&] {
    return fleet.api("GET", "/api/v1/commands/" + ping.body["id"].get<std::string>()).body["state"] == "applied";
  }, 10s));
  // The held version sent again: the hardware watch is back, the alarm closes.
  ASSERT_EQ(fleet.loactl("config rollback pole-a 1").exit_code, 0);
  EXPECT_TRUE(eventually([&] { return open_alarm("pole-a", "config.invalid").is_null(); }, 20s))
      << fleet.agent_log("pole-a");
  EXPECT_TRUE(eventually([&] { return runs_version("pole-a", 2); }, 20s)) << history("pole-a").dump();
}

// A configuration never cuts what is on air: the station takes it once the air is idle.
TEST_F(StationConfig, APushWaitsForWhatIsOnAirToEnd) {
  auto clip = fleet.loactl("--json clips tts \"Thông báo của Ủy ban nhân dân xã về lịch tiêm phòng cho gia súc, gia cầm trong "
                           "tháng này. Đề nghị các hộ gia đình chuẩn bị đầy đủ.\"");
  ASSERT_EQ(clip.exit_code, 0) << clip.out;
  const std::string clip_id = json::parse(clip.out)["id"];
  ASSERT_EQ(fleet.loactl("play --clip " + clip_id + " --to pole-a --broadcast tin-sang").exit_code, 0);
  auto asrun = [&]() -> json {
    const auto rows = fleet.api("GET", "/api/v1/stations/pole-a/asrun").body["items"];
    for (const auto& r : rows) {
      if (r["broadcast_id"] == "tin-sang") return r;
    }
    return nullptr;
  };
  ASSERT_TRUE(eventually([&] {
    return fleet.api("GET", "/api/v1/now-playing").body.dump().find("tin-sang") != std::string::npos;
  }, 10s)) << fleet.agent_log("pole-a");
  const auto file = config_folder(fleet.dir() + "/pushed", cluster_file(devsim->port, 1, 500), read_file(kAmplifier));
  ASSERT_EQ(fleet.loactl("config push --to pole-a " + file).exit_code, 0);
  // Until the bulletin has played out, the station keeps its configuration.
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (asrun().is_null()) {
    ASSERT_FALSE(runs_version("pole-a", 1)) << "the station switched while the bulletin was on air";
    ASSERT_LT(std::chrono::steady_clock::now(), until) << "the bulletin was never reported" << fleet.agent_log("pole-a");
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(asrun()["outcome"], "played") << asrun().dump();
  EXPECT_TRUE(eventually([&] { return runs_version("pole-a", 1); }, 20s)) << history("pole-a").dump();
}

}  // namespace
}  // namespace loa::test
