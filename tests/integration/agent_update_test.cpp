// Agent updates, signed and staged, end to end: loactl makes a release key and signs a
// second build of the agent (packaged as a .deb under another version), the controller
// rolls it out to ten real agents canary first, and each agent verifies, unpacks,
// switches and proves the release against its devices on loa-devsim. What is checked
// is what a technician would look at: the program each station's process runs, the
// version it reports, the rollout's state, and the station's journal.
#include <gtest/gtest.h>

#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "support/devsim.hpp"
#include "support/fleet.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kAmplifier = std::string(LOA_SOURCE_DIR) + "/firmware-config/profiles/fm-amplifier-generic.yaml";
const std::string kNextVersion = LOA_NEXT_AGENT_VERSION;
const std::string kBaseVersion = LOA_AGENT_VERSION;
// Starts of a release on probation before the installed program undoes it (ReleaseKeeper).
constexpr int kReleaseStarts = 3;

std::string station_file(const std::string& dir, const std::string& id, int port) {
  const auto path = dir + "/hardware-" + id + ".yaml";
  write_file(path, "kind: ip_cluster\n"
                   "devices:\n"
                   "  - id: amp\n"
                   "    profile: " + kAmplifier + "\n"
                   "    tcp: \"127.0.0.1:" + std::to_string(port) + "\"\n"
                   "    unit_id: 1\n"
                   "    poll_interval_ms: 500\n");
  return path;
}

// The program a process runs, as the kernel says.
std::string program_of(pid_t pid) {
  std::error_code ec;
  return std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec).string();
}

FleetOptions ten_stations() {
  FleetOptions o;
  o.controller_control = "  enrollment_rate: {per_address_burst: 20}\n";  // ten new stations from one address at once
  return o;
}

class AgentUpdate : public ::testing::Test {
 protected:
  // `count` stations; the first one's amplifier is on a bus of its own, so that a test
  // can silence the canary alone.
  void start(int count) {
    first_bus = std::make_unique<Devsim>(fleet.dir(), "bus-1", kAmplifier + "@1");
    other_bus = std::make_unique<Devsim>(fleet.dir(), "bus-2", kAmplifier + "@1");
    ASSERT_GT(first_bus->port, 0) << first_bus->process.log();
    ASSERT_GT(other_bus->port, 0) << other_bus->process.log();
    // Where releases are made: a key pair, and the package signed with its secret half.
    keys = fleet.dir() + "/release-keys";
    std::filesystem::create_directories(keys);
    const auto made = fleet.loactl("release keygen --out " + keys);
    ASSERT_EQ(made.exit_code, 0) << made.out;
    package = fleet.dir() + "/loa-agent_next.deb";
    std::filesystem::copy_file(LOA_NEXT_AGENT_DEB, package);
    const auto signed_it = fleet.loactl("release sign " + package + " --key " + keys + "/release.key");
    ASSERT_EQ(signed_it.exit_code, 0) << signed_it.out;
    fleet.set_agent_extra("updates:\n  release_keys: [\"" + read_file(keys + "/release.pub").substr(0, 44) + "\"]\n");
    fleet.start_controller();
    for (int i = 1; i <= count; ++i) {
      char id[16];
      std::snprintf(id, sizeof id, "pole-%02d", i);
      ids.push_back(id);
      fleet.set_agent_hardware(id, station_file(fleet.dir(), id, i == 1 ? first_bus->port : other_bus->port));
      fleet.start_agent(id);
    }
    fleet.enroll(ids);
    for (const auto& id : ids) ASSERT_TRUE(fleet.wait_for_state(id, "online", 15000)) << fleet.agent_log(id);
  }

  json rollout(const std::string& id = "latest") const { return fleet.api("GET", "/api/v1/updates/" + id).body; }
  bool rollout_reaches(const std::string& state, std::chrono::milliseconds timeout) const {
    return eventually([&] { return rollout()["state"] == state; }, timeout, 200ms);
  }
  std::string reported_version(const std::string& id) const {
    return fleet.api("GET", "/api/v1/stations/" + id).body.value("software_version", "");
  }
  std::string release_program(const std::string& id, const std::string& version) const {
    return std::filesystem::canonical(fleet.dir() + "/agent-" + id + "/releases/" + version + "/usr/bin/loa-agent")
        .string();
  }
  std::string installed_program() const { return std::filesystem::canonical(bin("loa-agent")).string(); }
  json open_alarm(const std::string& station, const std::string& alarm_id) const {
    const auto h = fleet.api("GET", "/api/v1/stations/" + station + "/health").body;
    for (const auto& a : h["alarms"]) {
      if (a["alarm_id"] == alarm_id) return a;
    }
    return nullptr;
  }

  Fleet fleet{ten_stations()};
  std::unique_ptr<Devsim> first_bus, other_bus;
  std::string keys, package;
  std::vector<std::string> ids;
};

TEST_F(AgentUpdate, AStagedRolloutGoesToOneCanaryThenToTheRestAndEveryStationRunsTheNewRelease) {
  start(10);
  const auto pushed = fleet.loactl("--json update push " + package + " --canary 10% --confirm-within 20");
  ASSERT_EQ(pushed.exit_code, 0) << pushed.out << fleet.controller_log();
  const auto started = json::parse(pushed.out);
  EXPECT_EQ(started["version"], kNextVersion);
  // At first only the canary is sent the update.
  std::vector<std::string> canaries;
  for (const auto& s : started["stations"]) {
    if (s["canary"] == true) {
      canaries.push_back(s["station_id"]);
      EXPECT_EQ(s["state"], "sent");
    } else {
      EXPECT_EQ(s["state"], "waiting") << s.dump();
    }
  }
  ASSERT_EQ(canaries.size(), 1u) << started.dump(2);
  const auto canary = canaries.front();

  ASSERT_TRUE(rollout_reaches("done", 120s)) << rollout().dump(2) << fleet.agent_log(canary);
  const auto done = rollout();
  std::int64_t canary_proved_ms = 0;
  for (const auto& s : done["stations"]) {
    if (s["station_id"] == canary) canary_proved_ms = s["updated_ms"];
  }
  for (const auto& s : done["stations"]) {
    const std::string id = s["station_id"];
    EXPECT_EQ(s["state"], "updated") << s.dump();
    EXPECT_NE(s.value("detail", "").find("in force"), std::string::npos) << s.dump();
    if (id == canary) continue;
    // Nobody else was sent the update before the canary had proved it.
    const auto command = fleet.api("GET", "/api/v1/commands/" + std::string(s["command_id"])).body;
    EXPECT_GE(command.value("created_ms", std::int64_t{0}), canary_proved_ms) << id << ": " << command.dump();
  }
  // Each station's process now runs the release's own program, and says its version.
  for (const auto& id : ids) {
    EXPECT_EQ(program_of(fleet.agent_pid(id)), release_program(id, kNextVersion)) << id;
    EXPECT_TRUE(eventually([&] { return reported_version(id) == kNextVersion; }, 10s)) << id << fleet.agent_log(id);
  }
  const auto status = fleet.loactl("update status");
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_NE(status.out.find("done"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("canary"), std::string::npos) << status.out;
  const auto kept = fleet.loactl("update releases");
  EXPECT_NE(kept.out.find(kNextVersion), std::string::npos) << kept.out;
  EXPECT_NE(kept.out.find("yes"), std::string::npos) << kept.out;  // signed
  // What a Prometheus scrape sees: the fleet on the new release, the rollout done.
  const auto metrics = fleet.metrics();
  EXPECT_NE(metrics.find("loa_station_agent_release{version=\"" + kNextVersion + "\"} 10"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("rollout_state=\"done\",state=\"updated\"} 10"), std::string::npos) << metrics;
  const auto listed = fleet.loactl("update list");
  EXPECT_NE(listed.out.find(std::string(done["id"])), std::string::npos) << listed.out;

  // And back: every station returns to the program installed on it.
  const auto back = fleet.loactl("update rollback");
  ASSERT_EQ(back.exit_code, 0) << back.out;
  ASSERT_TRUE(eventually(
      [&] {
        const auto r = rollout();
        return std::all_of(r["stations"].begin(), r["stations"].end(),
                           [](const json& s) { return s["state"] == "reverted"; });
      },
      60s, 200ms))
      << rollout().dump(2);
  for (const auto& id : ids) {
    EXPECT_TRUE(eventually([&] { return program_of(fleet.agent_pid(id)) == installed_program(); }, 10s)) << id;
    EXPECT_TRUE(eventually([&] { return reported_version(id) == kBaseVersion; }, 10s)) << id;
  }
}

TEST_F(AgentUpdate, ACanaryThatCannotReachItsDevicesHaltsTheRolloutAtOneAndRollsItselfBack) {
  start(10);
  // The canary is the first station (ids in order, all online); its bus goes quiet.
  first_bus->process.stop(9);
  const auto pushed = fleet.loactl("--json update push " + package + " --canary 5% --confirm-within 4");
  ASSERT_EQ(pushed.exit_code, 0) << pushed.out;
  const auto started = json::parse(pushed.out);
  ASSERT_EQ(started["stations"][0]["station_id"], "pole-01") << started.dump(2);
  ASSERT_EQ(started["stations"][0]["canary"], true);

  ASSERT_TRUE(rollout_reaches("halted", 90s)) << rollout().dump(2) << fleet.agent_log("pole-01");
  const auto halted = rollout();
  EXPECT_NE(halted["reason"].get<std::string>().find("canary pole-01 failed"), std::string::npos) << halted.dump(2);
  for (const auto& s : halted["stations"]) {
    if (s["station_id"] == "pole-01") {
      EXPECT_EQ(s["state"], "failed");
      EXPECT_NE(s.value("detail", "").find("device not answering: amp"), std::string::npos) << s.dump();
    } else {
      EXPECT_EQ(s["state"], "skipped") << s.dump();
      EXPECT_FALSE(s.contains("command_id")) << s.dump();
    }
  }
  // The canary went back to its installed program by itself, and says why.
  EXPECT_TRUE(eventually([&] { return program_of(fleet.agent_pid("pole-01")) == installed_program(); }, 10s));
  EXPECT_TRUE(eventually([&] { return reported_version("pole-01") == kBaseVersion; }, 10s));
  EXPECT_TRUE(eventually([&] { return !open_alarm("pole-01", "agent.update_rolled_back").is_null(); }, 10s))
      << fleet.agent_log("pole-01");
  EXPECT_NE(fleet.metrics().find("rollout_state=\"halted\",state=\"skipped\"} 9"), std::string::npos);
  // Nobody else got it: not in their journals, not on their disks.
  for (const auto& id : ids) {
    if (id == "pole-01") continue;
    EXPECT_EQ(fleet.agent_journal(id).find("update_agent"), std::string::npos) << id;
    EXPECT_EQ(program_of(fleet.agent_pid(id)), installed_program()) << id;
    EXPECT_FALSE(std::filesystem::exists(fleet.dir() + "/agent-" + id + "/releases/" + kNextVersion)) << id;
  }
}

TEST_F(AgentUpdate, AnUnsignedOrWronglySignedPackageIsRefusedByTheAgentAndNothingIsInstalled) {
  start(1);
  const auto pid = fleet.agent_pid("pole-01");
  // Signed with a key the station does not trust; then not signed at all. The
  // controller here checks no signature, so the station's check is the one that counts.
  const auto other = fleet.dir() + "/other-keys";
  std::filesystem::create_directories(other);
  ASSERT_EQ(fleet.loactl("release keygen --out " + other).exit_code, 0);
  ASSERT_EQ(fleet.loactl("release sign " + package + " --key " + other + "/release.key --out " + fleet.dir() + "/wrong.sig")
                .exit_code,
            0);
  struct Case {
    std::string signature_option, refusal;
  };
  const Case cases[] = {
      {"--signature " + fleet.dir() + "/wrong.sig", "does not verify against any trusted release key"},
      {"--signature " + fleet.dir() + "/none.sig", "not signed"},
  };
  for (const auto& c : cases) {
    const auto pushed = fleet.loactl("--json update push " + package + " " + c.signature_option + " --canary 100%");
    ASSERT_EQ(pushed.exit_code, 0) << pushed.out;
    const std::string id = json::parse(pushed.out)["id"];
    ASSERT_TRUE(eventually([&] { return rollout(id)["state"] == "halted"; }, 60s, 200ms)) << rollout(id).dump(2);
    const auto station = rollout(id)["stations"][0];
    EXPECT_EQ(station["state"], "failed");
    EXPECT_NE(station.value("detail", "").find(c.refusal), std::string::npos) << station.dump();
    EXPECT_NE(station.value("detail", "").find("nothing installed"), std::string::npos) << station.dump();
    // Nothing unpacked, nothing switched, the same process on the same program.
    EXPECT_FALSE(std::filesystem::exists(fleet.dir() + "/agent-pole-01/releases/" + kNextVersion));
    EXPECT_FALSE(std::filesystem::exists(fleet.dir() + "/agent-pole-01/releases/current"));
    EXPECT_EQ(fleet.agent_pid("pole-01"), pid);
    EXPECT_EQ(program_of(pid), installed_program());
  }
  EXPECT_EQ(reported_version("pole-01"), kBaseVersion);
}

// A station whose card is full: the package arrives but does not unpack. The station
// says so, keeps running what it runs, and the rollout stops at it.
TEST_F(AgentUpdate, AStationWithNoRoomLeftSaysSoAndRunsOn) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a size-limited tmpfs (CI runs as root)";
  const auto releases = fleet.dir() + "/agent-pole-01/releases";
  std::filesystem::create_directories(releases);
  // Room for the package (about 0.5 MB), not for its unpacked program.
  if (::mount("tmpfs", releases.c_str(), "tmpfs", 0, "size=900k") != 0) GTEST_SKIP() << "cannot mount a tmpfs here";
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{releases};
  start(1);
  const auto pid = fleet.agent_pid("pole-01");
  const auto pushed = fleet.loactl("--json update push " + package + " --canary 100%");
  ASSERT_EQ(pushed.exit_code, 0) << pushed.out;
  ASSERT_TRUE(rollout_reaches("halted", 60s)) << rollout().dump(2) << fleet.agent_log("pole-01");
  const auto station = rollout()["stations"][0];
  EXPECT_EQ(station["state"], "failed");
  EXPECT_NE(station.value("detail", "").find("does not unpack here (disk full?)"), std::string::npos) << station.dump();
  const auto command = fleet.api("GET", "/api/v1/commands/" + std::string(station["command_id"])).body;
  EXPECT_EQ(command["state"], "failed") << command.dump();  // the station could not take it; not a refusal
  EXPECT_EQ(fleet.agent_pid("pole-01"), pid);
  EXPECT_EQ(program_of(pid), installed_program());
  EXPECT_FALSE(std::filesystem::exists(releases + "/" + kNextVersion));
  EXPECT_EQ(fleet.state_of("pole-01"), "online");
  fleet.stop_agent("pole-01");
}

// A release that says its version but cannot start: the installed program, started
// again by the service manager each time it dies, undoes it after three starts.
TEST_F(AgentUpdate, AReleaseThatCrashesAtStartIsUndoneAfterThreeStartsByTheInstalledProgram) {
  start(1);
  const auto tree = fleet.dir() + "/crashing";
  std::filesystem::create_directories(tree + "/DEBIAN");
  std::filesystem::create_directories(tree + "/usr/bin");
  write_file(tree + "/DEBIAN/control",
             "Package: loa-agent\nVersion: 9.9.9-crash\nArchitecture: all\nMaintainer: Loa <loa@localhost>\n"
             "Description: a release that cannot start\n");
  write_file(tree + "/usr/bin/loa-agent",
             "#!/bin/sh\n[ \"$1\" = --version ] && { echo 'loa-agent 9.9.9-crash'; exit 0; }\n"
             "echo 'this release cannot start' >&2\nexit 1\n");
  std::filesystem::permissions(tree + "/usr/bin/loa-agent", std::filesystem::perms::owner_all |
                                                                std::filesystem::perms::group_read |
                                                                std::filesystem::perms::group_exec |
                                                                std::filesystem::perms::others_read |
                                                                std::filesystem::perms::others_exec);
  const auto crashing = fleet.dir() + "/loa-agent_crash.deb";
  ASSERT_EQ(run_command("dpkg-deb --root-owner-group --build " + tree + " " + crashing + " 2>&1").exit_code, 0);
  ASSERT_EQ(fleet.loactl("release sign " + crashing + " --key " + keys + "/release.key").exit_code, 0);
  const auto pushed = fleet.loactl("--json update push " + crashing + " --canary 100% --confirm-within 600");
  ASSERT_EQ(pushed.exit_code, 0) << pushed.out;
  // As systemd's Restart=on-failure does: each time the station's process dies, the
  // installed program is started again.
  for (int restart = 1; restart <= kReleaseStarts; ++restart) {
    ASSERT_TRUE(eventually([&] { return !fleet.agent_running("pole-01"); }, 30s))
        << "start " << restart << ": " << fleet.agent_log("pole-01");
    EXPECT_NE(fleet.agent_log("pole-01").find("this release cannot start"), std::string::npos);
    fleet.start_agent("pole-01");
  }
  ASSERT_TRUE(rollout_reaches("halted", 30s)) << rollout().dump(2) << fleet.agent_log("pole-01");
  const auto station = rollout()["stations"][0];
  EXPECT_EQ(station["state"], "failed");
  EXPECT_NE(station.value("detail", "").find("started 3 times without proving itself"), std::string::npos)
      << station.dump();
  EXPECT_TRUE(fleet.agent_running("pole-01"));
  EXPECT_EQ(program_of(fleet.agent_pid("pole-01")), installed_program());
  EXPECT_TRUE(eventually([&] { return !open_alarm("pole-01", "agent.update_rolled_back").is_null(); }, 10s));
}

}  // namespace
}  // namespace loa::test
