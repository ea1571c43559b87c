// A link that goes silent without a reset: the agent runs in its own network namespace,
// joined to the controller by a veth pair, and the test takes the veth down. Needs root
// and iproute2; skips with the reason where it cannot run (CI runs as root).
#include <gtest/gtest.h>

#include <unistd.h>

#include <regex>
#include <thread>

#include "support/fleet.hpp"
#include "support/netns_link.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;

TEST(LinkPartition, SilentLinkIsDetectedOnBothSidesAndTheAgentComesBack) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to make a network namespace (CI runs as root)";
  if (run_command("command -v ip").exit_code != 0) GTEST_SKIP() << "needs iproute2's ip";
  NetnsLink net(7);
  if (!net.ok()) GTEST_SKIP() << "cannot make a network namespace here: " << net.error();

  FleetOptions options;
  options.heartbeat_ms = 300;
  options.bind_host = net.host_ip();
  options.connect_host = net.host_ip();
  Fleet fleet(options);
  fleet.start_controller();
  fleet.start_agent("pole-7", net.exec_prefix());
  fleet.enroll({"pole-7"});
  ASSERT_TRUE(fleet.wait_for_state("pole-7", "online", 10000)) << fleet.agent_log("pole-7");

  ASSERT_TRUE(net.set_link(false));
  const auto cut_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return fleet.state_of("pole-7") == "offline"; }, 10s, 10ms));
  const auto controller_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - cut_at).count();
  ASSERT_TRUE(eventually(
      [&] { return fleet.agent_log("pole-7").find("reason=controller silent") != std::string::npos; }, 10s, 10ms));
  const auto agent_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - cut_at).count();
  const int limit = 3 * options.heartbeat_ms + options.heartbeat_ms / 2 + 150;
  EXPECT_LE(controller_ms, limit) << "controller noticed after " << controller_ms << " ms";
  EXPECT_LE(agent_ms, limit) << "agent noticed after " << agent_ms << " ms";

  ASSERT_TRUE(net.set_link(true));
  const auto restored_at = std::chrono::steady_clock::now();
  EXPECT_TRUE(fleet.wait_for_state("pole-7", "online", 10000)) << fleet.agent_log("pole-7");
  const auto back_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - restored_at).count();
  EXPECT_LE(back_ms, 5000) << "back online after " << back_ms << " ms";
  RecordProperty("controller_detect_ms", static_cast<int>(controller_ms));
  RecordProperty("agent_detect_ms", static_cast<int>(agent_ms));
  RecordProperty("back_online_ms", static_cast<int>(back_ms));
}

}  // namespace
}  // namespace loa::test
