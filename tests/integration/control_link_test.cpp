// The control link between real processes: enrollment, liveness, at-least-once commands,
// restarts, and what happens to clients that should not get in.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <zmq.hpp>

#include "loa/curve/key_pair.hpp"
#include "loa/wire/codec.hpp"
#include "support/fleet.hpp"
#include "support/raw_client.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

int count_lines_with(const std::string& text, const std::string& needle) {
  int n = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) n += line.find(needle) != std::string::npos;
  return n;
}

std::vector<std::string> applied_ids(const Fleet& fleet, const std::string& station) {
  std::vector<std::string> ids;
  auto reply = fleet.api("GET", "/api/v1/commands?station=" + station + "&state=applied");
  for (const auto& c : reply.body["items"]) ids.push_back(c["id"]);
  return ids;
}

std::string queue_ping(const Fleet& fleet, const std::string& station, const std::string& text) {
  auto result = fleet.loactl("--json station ping " + station + " --text " + text);
  EXPECT_EQ(result.exit_code, 0) << result.out;
  return json::parse(result.out, nullptr, false).value("id", "");
}

TEST(ControlLink, AgentsShowUpPendingAndGoOnlineOnceApprovedWithLoactl) {
  Fleet fleet;
  fleet.start_controller();
  const std::vector<std::string> ids{"cam-binh-1", "cam-binh-2", "thach-ha-1"};
  for (const auto& id : ids) fleet.start_agent(id);

  for (const auto& id : ids) ASSERT_TRUE(fleet.wait_for_state(id, "pending", 10000)) << fleet.controller_log();
  auto pending = fleet.loactl("stations --state pending");
  EXPECT_EQ(pending.exit_code, 0);
  for (const auto& id : ids) EXPECT_NE(pending.out.find(id), std::string::npos) << pending.out;

  for (const auto& id : ids) {
    // The operator names the key read on the station; a wrong one, or none, is refused.
    auto unnamed = fleet.loactl("station approve " + id);
    EXPECT_EQ(unnamed.exit_code, 2) << unnamed.out;
    auto wrong = fleet.loactl("station approve " + id + " --fingerprint SHA256:00:11");
    EXPECT_EQ(wrong.exit_code, 1) << wrong.out;
    EXPECT_NE(wrong.out.find("fingerprint"), std::string::npos) << wrong.out;
    EXPECT_EQ(fleet.state_of(id), "pending");
    auto approve = fleet.loactl("station approve " + id + " --fingerprint " + fleet.agent_fingerprint(id));
    EXPECT_EQ(approve.exit_code, 0) << approve.out;
  }
  for (const auto& id : ids) EXPECT_TRUE(fleet.wait_for_state(id, "online", 10000)) << fleet.agent_log(id);

  auto listed = fleet.loactl("stations --json");
  ASSERT_EQ(listed.exit_code, 0);
  auto body = json::parse(listed.out);
  ASSERT_EQ(body["items"].size(), 3u);
  for (const auto& s : body["items"]) {
    EXPECT_EQ(s["state"], "online");
    EXPECT_EQ(s["software_version"], "0.1.0");
    // The key the controller holds is the key the agent made for itself.
    auto key = run_command(bin("loa-agent") + " keygen --config " + fleet.agent_config_path(s["id"])).out;
    EXPECT_EQ(s["public_key"].get<std::string>() + "\n", key);
    EXPECT_EQ(s["key_fingerprint"], curve::fingerprint(s["public_key"].get<std::string>()));
  }
}

TEST(ControlLink, KilledAgentGoesOfflineWithinThreeHeartbeatsAndGetsMissedCommandsOnce) {
  Fleet fleet;
  fleet.start_controller();
  fleet.start_agent("xa-1");
  fleet.start_agent("xa-2");
  fleet.enroll({"xa-1", "xa-2"});
  ASSERT_TRUE(fleet.wait_for_state("xa-1", "online", 10000));
  ASSERT_TRUE(fleet.wait_for_state("xa-2", "online", 10000));

  fleet.stop_agent("xa-1", SIGKILL);
  const auto killed_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return fleet.state_of("xa-1") == "offline"; }, 5s, 10ms));
  const auto detect_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killed_at).count();
  const int interval = fleet.options().heartbeat_ms;
  // Three silent intervals, plus one tick of the control loop and the polling here.
  EXPECT_LE(detect_ms, 3 * interval + interval / 2 + 150) << "offline after " << detect_ms << " ms";
  EXPECT_EQ(fleet.state_of("xa-2"), "online");

  std::set<std::string> queued;
  for (int i = 0; i < 3; ++i) queued.insert(queue_ping(fleet, "xa-1", "while-away-" + std::to_string(i)));
  std::this_thread::sleep_for(500ms);
  EXPECT_TRUE(applied_ids(fleet, "xa-1").empty());

  fleet.start_agent("xa-1");
  ASSERT_TRUE(fleet.wait_for_state("xa-1", "online", 10000)) << fleet.agent_log("xa-1");
  ASSERT_TRUE(eventually([&] { return applied_ids(fleet, "xa-1").size() == queued.size(); }, 10s));
  auto applied = applied_ids(fleet, "xa-1");
  EXPECT_EQ(std::set<std::string>(applied.begin(), applied.end()), queued);

  // The station's own journal: every command applied exactly once.
  const auto journal = fleet.agent_journal("xa-1");
  for (const auto& id : queued) EXPECT_EQ(count_lines_with(journal, id), 1) << journal;
}

TEST(ControlLink, ControllerKilledAndRestartedKeepsStationsZonesApprovalsAndCommands) {
  Fleet fleet;
  fleet.start_controller();
  fleet.start_agent("tx-1");
  fleet.start_agent("tx-2");
  fleet.enroll({"tx-1", "tx-2"});
  ASSERT_TRUE(fleet.wait_for_state("tx-1", "online", 10000));
  ASSERT_TRUE(fleet.wait_for_state("tx-2", "online", 10000));
  auto zone = fleet.loactl("zones add thach-ha --name \"Thạch Hà\" --kind commune --stations tx-1,tx-2");
  ASSERT_EQ(zone.exit_code, 0) << zone.out;

  // tx-2 is away, so its commands are still pending when the controller dies.
  fleet.stop_agent("tx-2", SIGKILL);
  ASSERT_TRUE(fleet.wait_for_state("tx-2", "offline", 5000));
  std::set<std::string> queued{queue_ping(fleet, "tx-2", "one"), queue_ping(fleet, "tx-2", "two")};

  fleet.stop_controller(SIGKILL);
  fleet.start_controller();

  auto stations = fleet.api("GET", "/api/v1/stations").body["items"];
  ASSERT_EQ(stations.size(), 2u);
  for (const auto& s : stations) EXPECT_EQ(s["enrollment"], "approved");
  auto z = fleet.api("GET", "/api/v1/zones/thach-ha");
  ASSERT_EQ(z.status, 200);
  EXPECT_EQ(z.body["name"], "Thạch Hà");
  EXPECT_EQ(z.body["stations"], json::array({"tx-1", "tx-2"}));
  auto pending = fleet.api("GET", "/api/v1/commands?station=tx-2&state=pending").body["items"];
  EXPECT_EQ(pending.size(), 2u);

  // tx-1 comes back by itself; tx-2 when restarted, and then gets its commands once.
  EXPECT_TRUE(fleet.wait_for_state("tx-1", "online", 10000)) << fleet.agent_log("tx-1");
  fleet.start_agent("tx-2");
  ASSERT_TRUE(fleet.wait_for_state("tx-2", "online", 10000));
  ASSERT_TRUE(eventually([&] { return applied_ids(fleet, "tx-2").size() == 2; }, 10s));
  const auto journal = fleet.agent_journal("tx-2");
  for (const auto& id : queued) EXPECT_EQ(count_lines_with(journal, id), 1) << journal;
}

void send_tcp_garbage(int port, std::size_t bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::mt19937 rng(42);
    std::string junk(bytes, '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    (void)!::send(fd, junk.data(), junk.size(), MSG_NOSIGNAL);
    std::this_thread::sleep_for(100ms);
  }
  ::close(fd);
}

TEST(ControlLink, RefusesStrangersRevokedKeysPlainClientsAndGarbageWhileServingOthers) {
  Fleet fleet;
  fleet.start_controller();
  fleet.start_agent("good");
  fleet.start_agent("bad");
  fleet.enroll({"good", "bad"});
  ASSERT_TRUE(fleet.wait_for_state("good", "online", 10000));
  ASSERT_TRUE(fleet.wait_for_state("bad", "online", 10000));
  const std::string control = "tcp://127.0.0.1:" + std::to_string(fleet.control_port());
  const std::string server_key = fleet.controller_public_key();

  // 1. A fresh key on the control socket: refused by ZAP, counted, logged with its fingerprint.
  auto stranger = curve::generate();
  {
    RawClient client(control, &stranger, server_key);
    client.send_raw("hello?");
    EXPECT_FALSE(client.receive_any(500ms));
  }
  EXPECT_TRUE(eventually([&] { return fleet.counters()["refused_unknown_key"].get<int>() >= 1; }, 3s));
  EXPECT_TRUE(eventually(
      [&] {
        auto log = fleet.controller_log();
        return log.find("reason=unknown_key station=unknown key=" + curve::fingerprint(stranger.public_z85) +
                        " address=127.0.0.1") != std::string::npos;
      },
      3s))
      << fleet.controller_log();

  // 2. Revoking a connected station cuts it off at once, and its key stays out.
  auto revoke = fleet.loactl("station revoke bad");
  ASSERT_EQ(revoke.exit_code, 0) << revoke.out;
  EXPECT_EQ(fleet.state_of("bad"), "revoked");
  const auto bad_key = fleet.api("GET", "/api/v1/stations/bad").body["public_key"].get<std::string>();
  EXPECT_TRUE(eventually([&] { return fleet.counters()["connections_cut"].get<int>() >= 1; }, 2s));
  EXPECT_TRUE(eventually([&] { return fleet.counters()["refused_revoked"].get<int>() >= 1; }, 5s))
      << fleet.agent_log("bad");
  EXPECT_NE(fleet.controller_log().find("reason=revoked station=bad key=" + curve::fingerprint(bad_key)),
            std::string::npos)
      << fleet.controller_log();

  // 3. A plain (NULL mechanism) ZMTP client: fails the handshake, counted, logged with
  //    its address. Which side notices the mechanism mismatch first is a race, so the
  //    controller sees either a protocol error or the peer hanging up mid-handshake.
  {
    RawClient plain(control, nullptr, "");
    plain.send_raw("plain text");
    EXPECT_FALSE(plain.receive_any(500ms));
  }
  auto handshake_failures = [&] {
    auto c = fleet.counters();
    return c["handshake_failed_protocol"].get<int>() + c["handshake_failed_other"].get<int>();
  };
  EXPECT_TRUE(eventually([&] { return handshake_failures() >= 1; }, 3s)) << fleet.controller_log();
  // Logged with its address when libzmq's ACCEPTED event is read before the failed
  // connection's socket is closed; libzmq names only the listening address, so a
  // connection refused within microseconds of being accepted is logged as
  // address=unknown (never with another connection's address).
  EXPECT_TRUE(eventually(
      [&] {
        auto log = fleet.controller_log();
        auto at = log.find("socket=control reason=handshake_");
        if (at == std::string::npos) return false;
        const auto line = log.substr(at, log.find('\n', at) - at);
        return line.find("address=127.0.0.1:") != std::string::npos || line.find("address=unknown") != std::string::npos;
      },
      3s))
      << fleet.controller_log();

  // 4. Random bytes at both sockets.
  send_tcp_garbage(fleet.control_port(), 64 * 1024);
  send_tcp_garbage(fleet.enroll_port(), 64 * 1024);

  // 5. An enrolled client that sends junk frames, a body this build does not know, and
  //    a message over the size limit.
  auto insider = curve::generate();
  ASSERT_EQ(fleet.api("POST", "/api/v1/stations", {{"id", "insider"}, {"public_key", insider.public_z85}}).status, 201);
  {
    RawClient client(control, &insider, server_key);
    wire::v1::Envelope hello;
    hello.mutable_hello()->set_station_id("insider");
    client.send_raw(wire::encode(hello));
    ASSERT_TRUE(client.receive_any(3s)) << "no welcome for a provisioned key";
    client.send_raw("\xff\xff\xff garbage");
    wire::v1::Envelope from_the_future;
    from_the_future.set_sent_at_ms(1);
    client.send_raw(from_the_future.SerializeAsString() + std::string("\xba\x06\x02hi", 5));  // field 103
    client.send_raw(std::string(2 << 20, 'x'));
    std::this_thread::sleep_for(300ms);
  }
  auto counters = fleet.counters();
  EXPECT_GE(counters["frames_rejected_malformed"].get<int>(), 1) << counters.dump();
  EXPECT_GE(counters["frames_rejected_unknown_type"].get<int>(), 1) << counters.dump();

  // Through all of it, the good station stayed online and still takes commands.
  EXPECT_EQ(fleet.state_of("good"), "online");
  auto id = queue_ping(fleet, "good", "still-here");
  EXPECT_TRUE(eventually(
      [&] { return fleet.api("GET", "/api/v1/commands/" + id).body.value("state", "") == "applied"; }, 5s));
}

// Established TCP connections to `port` on loopback, as `ss` sees them.
int established_to(int port) {
  const auto out = run_command("ss -Htn state established '( dport = :" + std::to_string(port) + " )'").out;
  return static_cast<int>(std::count(out.begin(), out.end(), '\n'));
}

// Revoking cuts every connection a station has: a client holding the station's key on
// the live-audio socket (one that would never hang up by itself) is cut within a second.
TEST(ControlLink, RevokingAStationCutsItsLiveAudioConnectionToo) {
  Fleet fleet;
  fleet.start_controller();
  const auto keys = curve::generate();
  ASSERT_EQ(fleet.api("POST", "/api/v1/stations", {{"id", "listener"}, {"public_key", keys.public_z85}}).status, 201);
  zmq::context_t ctx(1);
  zmq::socket_t sub(ctx, zmq::socket_type::sub);
  sub.set(zmq::sockopt::linger, 0);
  sub.set(zmq::sockopt::reconnect_ivl, 60'000);  // no reconnecting while the test counts
  sub.set(zmq::sockopt::curve_serverkey, fleet.controller_public_key());
  sub.set(zmq::sockopt::curve_publickey, keys.public_z85);
  sub.set(zmq::sockopt::curve_secretkey, keys.secret_z85);
  sub.set(zmq::sockopt::subscribe, "");
  sub.connect("tcp://127.0.0.1:" + std::to_string(fleet.audio_port()));
  ASSERT_TRUE(eventually([&] { return established_to(fleet.audio_port()) == 1; }, 5s));
  std::this_thread::sleep_for(300ms);  // the subscription reaches the controller
  ASSERT_EQ(fleet.loactl("station revoke listener").exit_code, 0);
  const auto revoked = std::chrono::steady_clock::now();
  EXPECT_TRUE(eventually([&] { return established_to(fleet.audio_port()) == 0; }, 1s))
      << established_to(fleet.audio_port()) << " audio connection(s) still up";
  std::cout << "audio connection gone "
            << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - revoked).count()
            << " ms after the revocation\n";
}

TEST(ControlLink, RejectedStationStaysOutAndReapprovalLetsItIn) {
  Fleet fleet;
  fleet.start_controller();
  fleet.start_agent("maybe");
  ASSERT_TRUE(fleet.wait_for_state("maybe", "pending", 10000));
  ASSERT_EQ(fleet.loactl("station reject maybe").exit_code, 0);
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(fleet.state_of("maybe"), "rejected");
  ASSERT_EQ(fleet.loactl("station approve maybe --fingerprint " + fleet.agent_fingerprint("maybe")).exit_code, 0);
  EXPECT_TRUE(fleet.wait_for_state("maybe", "online", 10000)) << fleet.agent_log("maybe");
}

}  // namespace
}  // namespace loa::test
