// A controller whose store is held up (another process holds the database's write lock,
// as a slow disk or a long fsync would) still answers handshakes at once, and says
// which of its loops is late: /api/v1/health names it, with 503.
#include <gtest/gtest.h>

#include <iostream>
#include <thread>

#include "support/fleet.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

TEST(Liveness, HandshakesAreAnsweredAndALateLoopIsNamedWhileTheStoreIsHeldUp) {
  if (run_command("command -v sqlite3").exit_code != 0) GTEST_SKIP() << "needs sqlite3 (deploy/install-deps)";
  Fleet fleet;
  fleet.start_controller();
  fleet.start_agent("st-1");
  fleet.enroll({"st-1"});
  ASSERT_TRUE(fleet.wait_for_state("st-1", "online", 10000));
  auto health = fleet.api("GET", "/api/v1/health");
  ASSERT_EQ(health.status, 200) << health.body.dump();
  EXPECT_EQ(health.body["status"], "ok");

  // Another process takes the database's write lock for 8 s. sqlite3's shell gives up at
  // once on a busy database, and the controller writes now and then: it is told to wait
  // for the lock, says when it has it, and the clock of this test starts from there.
  const auto db = fleet.dir() + "/controller/controller.db";
  const auto holder_log = fleet.dir() + "/holder.log";
  ChildProcess holder({"sh", "-c",
                       "(echo '.timeout 10000'; echo 'BEGIN EXCLUSIVE;'; echo \"SELECT 'lock held';\"; sleep 8; "
                       "echo 'ROLLBACK;') | sqlite3 " + db},
                      holder_log);
  ASSERT_TRUE(eventually([&] { return read_file(holder_log).find("lock held") != std::string::npos; }, 10s))
      << read_file(holder_log);
  // A request that writes: the API stores the command before the loop sends it, so it
  // waits on the lock in its own thread while health is still answered.
  std::thread ping([&] { (void)fleet.api("POST", "/api/v1/stations/st-1/commands", {{"type", "ping"}}); });

  // A station nobody knows tries to connect: it is told at once it is not admitted.
  const auto asked = std::chrono::steady_clock::now();
  fleet.start_agent("st-2");
  const bool refused_in_time = eventually([&] { return fleet.agent_log("st-2").find("not admitted") != std::string::npos; }, 3s);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - asked);
  EXPECT_TRUE(refused_in_time) << fleet.agent_log("st-2");
  std::cout << "an unknown key was refused " << took.count() << " ms after it connected, the store held up\n";

  // The loop held up by the store is named. It writes the stations' last-seen times every
  // 5 s, so it meets the lock in the hold's first 5 s and waits on it for the 3 s or more
  // that are left: it is looked for until the hold ends, whenever in it that falls.
  json late;
  bool named = false;
  (void)eventually([&] {
    auto h = fleet.api("GET", "/api/v1/health");
    if (h.status == 503) {
      late = h.body;
      named = true;
    }
    return named || !holder.running();
  }, 15s);
  if (named) {
    bool control_late = false;
    for (const auto& loop : late["loops"]) control_late = control_late || (loop["name"] == "control" && loop["late"] == true);
    EXPECT_TRUE(control_late) << late.dump();
    EXPECT_EQ(late["status"], "late");
  }
  ping.join();
  EXPECT_TRUE(eventually([&] { return !holder.running(); }, 15s));
  // Once the store answers again, so does everything: the station goes on as before.
  EXPECT_TRUE(eventually([&] { return fleet.api("GET", "/api/v1/health").status == 200; }, 10s));
  EXPECT_TRUE(fleet.wait_for_state("st-1", "online", 10000));
  EXPECT_TRUE(named) << "the control loop was never reported late while the store was held up";
}

}  // namespace
}  // namespace loa::test
