// Enrollment against the open network, on a real controller: a flood of fresh keys
// from one address cannot fill the pending list nor keep real stations out; a second
// key for a pending station's id is refused and shown, never swapped in; approval must
// name the key the operator checked.
#include <gtest/gtest.h>

#include <memory>
#include <vector>
#include <zmq.hpp>

#include "loa/curve/key_pair.hpp"
#include "loa/wire/codec.hpp"
#include "support/fleet.hpp"
#include "support/raw_client.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// `count` hellos on the enrollment socket, each from a fresh key and a new station id,
// all from one address (127.0.0.9); returns how many got any answer.
int flood(const Fleet& fleet, int count) {
  zmq::context_t ctx(1);
  const std::string endpoint = "tcp://127.0.0.9:0;127.0.0.1:" + std::to_string(fleet.enroll_port());
  int answered = 0;
  constexpr int kBatch = 100;
  for (int first = 0; first < count; first += kBatch) {
    std::vector<std::unique_ptr<zmq::socket_t>> sockets;
    for (int i = first; i < std::min(count, first + kBatch); ++i) {
      const auto keys = curve::generate();
      auto s = std::make_unique<zmq::socket_t>(ctx, zmq::socket_type::dealer);
      s->set(zmq::sockopt::linger, 0);
      s->set(zmq::sockopt::curve_serverkey, fleet.controller_public_key());
      s->set(zmq::sockopt::curve_publickey, keys.public_z85);
      s->set(zmq::sockopt::curve_secretkey, keys.secret_z85);
      s->connect(endpoint);
      wire::v1::Envelope hello;
      hello.mutable_hello()->set_station_id("flood-" + std::to_string(i));
      (void)s->send(zmq::buffer(wire::encode(hello)), zmq::send_flags::dontwait);
      sockets.push_back(std::move(s));
    }
    for (auto& s : sockets) {
      s->set(zmq::sockopt::rcvtimeo, 2000);
      zmq::message_t reply;
      answered += s->recv(reply).has_value();
    }
  }
  return answered;
}

std::size_t pending_count(const Fleet& fleet) {
  const auto items = fleet.api("GET", "/api/v1/stations?state=pending").body["items"];
  return items.size();
}

TEST(Enrollment, AFloodOfKeysFromOneAddressStaysWithinTheLimitsAndRealStationsStillGetIn) {
  Fleet fleet;
  fleet.start_controller();
  // A station enrolled ahead, as a district does before the truck leaves.
  fleet.start_agent("ahead-1");
  ASSERT_TRUE(fleet.wait_for_state("ahead-1", "pending", 10000));
  const auto ahead_key = fleet.api("GET", "/api/v1/stations/ahead-1").body["public_key"].get<std::string>();
  fleet.stop_agent("ahead-1");
  ASSERT_EQ(fleet.api("DELETE", "/api/v1/stations/ahead-1").status, 204);

  const int answered = flood(fleet, 1000);
  EXPECT_GT(answered, 900);  // refused, but answered: nothing hangs
  const auto counters = fleet.counters();
  std::cout << "flood: answered=" << answered << " rate_limited=" << counters["refused_rate_limited"]
            << " pending=" << pending_count(fleet) << "\n";
  EXPECT_LE(pending_count(fleet), 5u);  // the per-address burst, far under the cap
  EXPECT_GE(counters["refused_rate_limited"].get<int>(), 990);

  ASSERT_EQ(fleet.loactl("station add ahead-1 --key '" + ahead_key + "'").exit_code, 0);  // Z85 has shell characters
  fleet.start_agent("ahead-1");
  EXPECT_TRUE(fleet.wait_for_state("ahead-1", "online", 10000)) << fleet.agent_log("ahead-1");
  // A new station from its own address still becomes pending, and is let in.
  fleet.start_agent("new-1");
  fleet.enroll({"new-1"});
  EXPECT_TRUE(fleet.wait_for_state("new-1", "online", 10000)) << fleet.agent_log("new-1");
  // The flood is logged at a bounded rate, not a line per key.
  const auto log = fleet.controller_log();
  std::size_t lines = 0;
  for (auto at = log.find("refused_rate_limited"); at != std::string::npos; at = log.find("refused_rate_limited", at + 1)) {
    ++lines;
  }
  EXPECT_LT(lines, 50u) << "lines about the flood: " << lines;
}

TEST(Enrollment, ASecondKeyForAPendingIdIsRefusedShownAndNeverApprovedByMistake) {
  Fleet fleet;
  fleet.start_controller();
  fleet.start_agent("xa-1");
  ASSERT_TRUE(fleet.wait_for_state("xa-1", "pending", 10000));
  const auto real = fleet.api("GET", "/api/v1/stations/xa-1").body["key_fingerprint"].get<std::string>();
  EXPECT_EQ(real, fleet.agent_fingerprint("xa-1"));

  // Someone who knows the id asks with their own key, from another address.
  const auto intruder = curve::generate();
  RawClient client("tcp://127.0.0.7:0;127.0.0.1:" + std::to_string(fleet.enroll_port()), &intruder,
                   fleet.controller_public_key());
  wire::v1::Envelope hello;
  hello.mutable_hello()->set_station_id("xa-1");
  client.send(hello);
  const auto reply = client.receive(3s);
  ASSERT_TRUE(reply && reply->has_enroll_reply());
  EXPECT_EQ(reply->enroll_reply().state(), wire::v1::EnrollReply::STATE_REFUSED);
  EXPECT_EQ(reply->enroll_reply().detail(), "key_conflict");

  const auto station = fleet.api("GET", "/api/v1/stations/xa-1").body;
  EXPECT_EQ(station["key_fingerprint"], real);  // the first key stays
  ASSERT_TRUE(station.contains("key_conflict")) << station.dump();
  EXPECT_EQ(station["key_conflict"]["fingerprint"], curve::fingerprint(intruder.public_z85));
  EXPECT_EQ(station["key_conflict"]["address"], "127.0.0.7");
  EXPECT_EQ(fleet.counters()["refused_key_conflict"], 1);

  // Approving the intruder's key, or naming none, is refused; the real one goes online.
  auto wrong = fleet.api("POST", "/api/v1/stations/xa-1/approve", {{"fingerprint", curve::fingerprint(intruder.public_z85)}});
  EXPECT_EQ(wrong.status, 409) << wrong.body.dump();
  EXPECT_EQ(wrong.body["error"]["code"], "fingerprint_mismatch");
  EXPECT_EQ(fleet.api("POST", "/api/v1/stations/xa-1/approve").status, 409);
  EXPECT_EQ(fleet.state_of("xa-1"), "pending");
  ASSERT_EQ(fleet.api("POST", "/api/v1/stations/xa-1/approve", {{"fingerprint", real}}).status, 200);
  EXPECT_TRUE(fleet.wait_for_state("xa-1", "online", 10000)) << fleet.agent_log("xa-1");
  EXPECT_FALSE(fleet.api("GET", "/api/v1/stations/xa-1").body.contains("key_conflict"));
}

}  // namespace
}  // namespace loa::test
