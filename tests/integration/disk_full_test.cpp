// The controller's store on a disk that fills up (a small tmpfs, as a district
// machine's card might): new work is refused with a clear error, reads are still
// served, the loops stay alive, an agent's report that could not be stored is not
// acknowledged (so the agent keeps it), and once there is room everything acknowledged
// before is there and the held-back report arrives.
#include <gtest/gtest.h>

#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>

#include "support/fleet.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// Fills the filesystem holding `dir` to the last block.
void fill(const std::string& dir) {
  (void)run_command("dd if=/dev/zero of=" + dir + "/filler bs=64k 2>/dev/null; dd if=/dev/zero of=" + dir +
                    "/filler-tail bs=512 2>/dev/null; sync");
}

class DiskFull : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a size-limited tmpfs (CI runs as root)";
    data = fleet.dir() + "/controller";
    std::filesystem::create_directories(data);
    if (::mount("tmpfs", data.c_str(), "tmpfs", 0, "size=24m") != 0) GTEST_SKIP() << "cannot mount a tmpfs here";
    mounted = true;
  }
  void TearDown() override {
    fleet.stop_controller();
    if (mounted) ::umount2(data.c_str(), MNT_DETACH);
  }
  Fleet fleet;
  std::string data;
  bool mounted = false;
};

TEST_F(DiskFull, NewWorkIsRefusedReadsGoOnAndNothingAcknowledgedIsLost) {
  fleet.start_controller();
  fleet.start_agent("xa-1");
  fleet.enroll({"xa-1"});
  ASSERT_TRUE(fleet.wait_for_state("xa-1", "online", 10000));
  ASSERT_EQ(fleet.api("PUT", "/api/v1/zones/before", {{"stations", {"xa-1"}}}).status, 200);
  auto ping = fleet.api("POST", "/api/v1/stations/xa-1/commands", {{"type", "ping"}, {"text", "before"}});
  ASSERT_EQ(ping.status, 202);
  ASSERT_TRUE(eventually([&] { return fleet.api("GET", "/api/v1/commands/" + ping.body["id"].get<std::string>()).body["state"] == "applied"; }, 10s));

  // The station goes away, a command for it is accepted, then the disk fills.
  fleet.stop_agent("xa-1");
  ASSERT_TRUE(fleet.wait_for_state("xa-1", "offline", 10000));
  auto queued = fleet.api("POST", "/api/v1/stations/xa-1/commands", {{"type", "ping"}, {"text", "queued"}});
  ASSERT_EQ(queued.status, 202);
  const std::string queued_id = queued.body["id"];
  fill(data);

  // New work: refused, saying why; nothing half-kept.
  auto zone = fleet.api("PUT", "/api/v1/zones/during", {{"stations", {"xa-1"}}});
  EXPECT_EQ(zone.status, 507) << zone.body.dump();
  EXPECT_EQ(zone.body["error"]["code"], "storage_full") << zone.body.dump();
  EXPECT_NE(zone.body["error"]["message"].get<std::string>().find("nothing of this request was kept"), std::string::npos);
  // Reads go on, and the loops are alive.
  EXPECT_EQ(fleet.api("GET", "/api/v1/zones/before").status, 200);
  EXPECT_EQ(fleet.api("GET", "/api/v1/zones/during").status, 404);
  EXPECT_EQ(fleet.api("GET", "/api/v1/health").status, 200);

  // The station comes back: it gets the queued command and answers, but the controller
  // cannot store the answer, so it does not acknowledge it; the agent keeps it.
  fleet.start_agent("xa-1");
  ASSERT_TRUE(fleet.wait_for_state("xa-1", "online", 10000)) << fleet.controller_log();
  ASSERT_TRUE(eventually([&] { return fleet.agent_journal("xa-1").find(queued_id) != std::string::npos; }, 10s))
      << fleet.agent_log("xa-1");
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(fleet.api("GET", "/api/v1/commands/" + queued_id).body["state"], "pending");
  EXPECT_EQ(fleet.api("GET", "/api/v1/health").status, 200);

  // Room again: the held-back answer arrives, new work is taken, and after a restart
  // everything acknowledged is there.
  std::filesystem::remove(data + "/filler");
  std::filesystem::remove(data + "/filler-tail");
  EXPECT_TRUE(eventually([&] { return fleet.api("GET", "/api/v1/commands/" + queued_id).body["state"] == "applied"; }, 15s))
      << fleet.controller_log();
  EXPECT_EQ(fleet.api("PUT", "/api/v1/zones/after", {{"stations", {"xa-1"}}}).status, 200);
  fleet.stop_controller(SIGTERM);
  fleet.start_controller();
  EXPECT_EQ(fleet.api("GET", "/api/v1/zones/before").status, 200);
  EXPECT_EQ(fleet.api("GET", "/api/v1/zones/after").status, 200);
  EXPECT_EQ(fleet.api("GET", "/api/v1/commands/" + ping.body["id"].get<std::string>()).body["state"], "applied");
  EXPECT_EQ(fleet.api("GET", "/api/v1/commands/" + queued_id).body["state"], "applied");
}

}  // namespace
}  // namespace loa::test
