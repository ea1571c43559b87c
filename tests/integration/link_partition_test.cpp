// A link that goes silent without a reset: the agent runs in its own network namespace,
// joined to the controller by a veth pair, and the test takes the veth down. Needs root
// and iproute2; skips with the reason where it cannot run (CI runs as root).
#include <gtest/gtest.h>

#include <unistd.h>

#include <regex>
#include <thread>

#include "support/fleet.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;

// The namespace, its veth pair and addresses; all removed on destruction. The
// addresses exist only on this pair, inside this machine.
class NetnsLink {
 public:
  NetnsLink() : suffix_(std::to_string(::getpid() % 100000)) {
    ns_ = "loa-ns-" + suffix_;
    host_if_ = "loah" + suffix_;
    ns_if_ = "loan" + suffix_;
    ok_ = sh("ip netns add " + ns_) && sh("ip link add " + host_if_ + " type veth peer name " + ns_if_) &&
          sh("ip link set " + ns_if_ + " netns " + ns_) && sh("ip addr add " + host_ip() + "/30 dev " + host_if_) &&
          sh("ip link set " + host_if_ + " up") &&
          sh("ip netns exec " + ns_ + " ip addr add " + ns_ip() + "/30 dev " + ns_if_) &&
          sh("ip netns exec " + ns_ + " ip link set " + ns_if_ + " up") &&
          sh("ip netns exec " + ns_ + " ip link set lo up");
  }
  ~NetnsLink() {
    sh("ip link del " + host_if_);
    sh("ip netns del " + ns_);
  }
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] std::string host_ip() const { return "10.231.7.1"; }
  [[nodiscard]] std::string ns_ip() const { return "10.231.7.2"; }
  [[nodiscard]] std::vector<std::string> exec_prefix() const { return {"ip", "netns", "exec", ns_}; }
  bool set_link(bool up) { return sh("ip link set " + host_if_ + (up ? " up" : " down")); }
  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  bool sh(const std::string& cmd) {
    auto r = run_command(cmd);
    if (r.exit_code != 0 && error_.empty()) error_ = cmd + ": " + r.out;
    return r.exit_code == 0;
  }
  std::string suffix_, ns_, host_if_, ns_if_, error_;
  bool ok_ = false;
};

TEST(LinkPartition, SilentLinkIsDetectedOnBothSidesAndTheAgentComesBack) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to make a network namespace (CI runs as root)";
  if (run_command("command -v ip").exit_code != 0) GTEST_SKIP() << "needs iproute2's ip";
  NetnsLink net;
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
