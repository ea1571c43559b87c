// The agent's audio socket against a hostile or broken publisher: real CURVE PUB/SUB on
// loopback. Whatever is not a well-formed batch of its own stream is counted and
// dropped; good frames after it still arrive.
#include <gtest/gtest.h>

#include <thread>

#include "loa/agent/live_receiver.hpp"
#include "loa/curve/key_pair.hpp"
#include "loa/wire/audio_topic.hpp"
#include "support/process.hpp"

namespace loa::agent {
namespace {

using namespace std::chrono_literals;

TEST(LiveReceiver, MalformedMessagesAreCountedAndGoodFramesStillArrive) {
  const auto server = curve::generate();
  const auto client = curve::generate();
  zmq::context_t ctx(1);
  zmq::socket_t pub(ctx, zmq::socket_type::pub);
  pub.set(zmq::sockopt::linger, 0);
  pub.set(zmq::sockopt::curve_server, true);
  pub.set(zmq::sockopt::curve_secretkey, server.secret_z85);
  const int port = test::free_port();
  pub.bind("tcp://127.0.0.1:" + std::to_string(port));

  std::vector<loa::v1::AudioFrame> got;
  LiveReceiver receiver({server.public_z85, client.public_z85, client.secret_z85},
                        [&](const loa::v1::AudioFrame& f) { got.push_back(f); });
  receiver.subscribe_only({"s1"});
  receiver.connect("127.0.0.1", static_cast<std::uint16_t>(port));

  auto pump = [&](std::chrono::milliseconds how_long) {
    const auto until = std::chrono::steady_clock::now() + how_long;
    while (std::chrono::steady_clock::now() < until) {
      std::vector<zmq::pollitem_t> items;
      receiver.add_poll_items(items);
      zmq::poll(items.data(), items.size(), 20ms);
      receiver.handle(items[0]);
    }
  };
  auto good = [](std::uint64_t seq) {
    loa::v1::AudioBatch batch;
    auto* f = batch.add_frames();
    f->set_stream_id("s1");
    f->set_sequence(seq);
    f->set_opus_payload("opus");
    return wire::audio_message("s1", batch.SerializeAsString());
  };
  // Subscriptions travel after the handshake: send until the first good frame lands.
  for (int i = 0; i < 100 && got.empty(); ++i) {
    pub.send(zmq::buffer(good(0)), zmq::send_flags::none);
    pump(20ms);
  }
  ASSERT_FALSE(got.empty());
  got.clear();

  loa::v1::AudioBatch other;
  other.add_frames()->set_stream_id("s2");  // claims another stream under s1's topic
  const std::vector<std::string> bad{
      "stream/s1/\xff\xff\xff\xff garbage",                      // not a batch
      wire::audio_message("s1", other.SerializeAsString()),     // a frame of another stream
      "stream/s1",  // no end of topic: does not match the subscription, never delivered
  };
  for (const auto& m : bad) pub.send(zmq::buffer(m), zmq::send_flags::none);
  // A two-part message under the topic.
  pub.send(zmq::buffer(std::string("stream/s1/")), zmq::send_flags::sndmore);
  pub.send(zmq::buffer(std::string("extra")), zmq::send_flags::none);
  pub.send(zmq::buffer(std::string("stream/s2/not ours")), zmq::send_flags::none);  // not subscribed: never seen
  pub.send(zmq::buffer(good(7)), zmq::send_flags::none);
  pump(300ms);

  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].sequence(), 7u);
  EXPECT_EQ(receiver.malformed_frames(), 3u);  // garbage, another stream's frame, two parts
}

}  // namespace
}  // namespace loa::agent
