// The agent's audio socket against a hostile or broken publisher: real CURVE PUB/SUB on
// loopback. Whatever is not a well-formed batch of its own stream is counted and
// dropped; good frames after it still arrive.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "loa/agent/live_receiver.hpp"
#include "loa/curve/key_pair.hpp"
#include "loa/wire/audio_topic.hpp"
#include "support/process.hpp"

namespace loa::agent {
namespace {

using namespace std::chrono_literals;

std::uint64_t wall_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

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
                        [&](const loa::v1::AudioFrame& f) { got.push_back(f); }, wall_ns);
  receiver.subscribe_only({"s1"});
  receiver.connect("127.0.0.1", static_cast<std::uint16_t>(port));

  auto pump = [&](std::chrono::milliseconds how_long) {
    const auto until = std::chrono::steady_clock::now() + how_long;
    while (std::chrono::steady_clock::now() < until) {
      std::vector<zmq::pollitem_t> items;
      receiver.add_poll_items(items);
      zmq::poll(items.data(), items.size(), 20ms);
      receiver.handle(items.data());
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


// The datagram path: a stand-in for the controller's UDP side on loopback. The station
// says hello (sealed with its key, naming its streams); sealed datagrams that come back
// are played once each and in order, whatever copies and order they come in; one
// sealed with another key is counted and dropped.
TEST(LiveReceiver, DatagramsSayHelloAndTheirFramesArePlayedOnceInOrder) {
  const auto server = curve::generate();
  const auto client = curve::generate();
  const int udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(udp, 0);
  sockaddr_in here{};
  here.sin_family = AF_INET;
  here.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(udp, reinterpret_cast<sockaddr*>(&here), sizeof here), 0);
  socklen_t length = sizeof here;
  ::getsockname(udp, reinterpret_cast<sockaddr*>(&here), &length);
  timeval two_seconds{2, 0};
  ::setsockopt(udp, SOL_SOCKET, SO_RCVTIMEO, &two_seconds, sizeof two_seconds);

  std::vector<loa::v1::AudioFrame> got;
  LiveReceiver receiver({server.public_z85, client.public_z85, client.secret_z85},
                        [&](const loa::v1::AudioFrame& f) { got.push_back(f); }, wall_ns);
  receiver.subscribe_only({"s1"});
  receiver.connect("127.0.0.1", ntohs(here.sin_port));  // no TCP listener: the datagrams alone

  char buffer[2048];
  sockaddr_in station{};
  socklen_t station_length = sizeof station;
  const auto n = ::recvfrom(udp, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&station), &station_length);
  ASSERT_GT(n, 0) << "no hello";
  const auto seal = curve::DatagramSeal::make(server.secret_z85, client.public_z85);
  ASSERT_TRUE(seal);
  const std::string_view hello(buffer, static_cast<std::size_t>(n));
  EXPECT_EQ(curve::sender_key_of(curve::DatagramKind::hello, hello), curve::raw_key(client.public_z85));
  const auto text = seal->open(curve::DatagramKind::hello, hello, true);
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("\ns1\n"), std::string::npos) << *text;

  const auto due = wall_ns() + 2'000'000'000ull;  // far enough ahead to wait for a gap to fill
  auto datagram = [&](std::vector<std::uint64_t> sequences, const curve::DatagramSeal& with) {
    loa::v1::AudioBatch batch;
    for (auto seq : sequences) {
      auto* f = batch.add_frames();
      f->set_stream_id("s1");
      f->set_sequence(seq);
      f->set_presentation_time_ns(due + seq * 20'000'000);
      f->set_duration_us(20000);
      f->set_opus_payload("opus");
    }
    const auto d = with.seal(curve::DatagramKind::audio, wire::audio_message("s1", batch.SerializeAsString()));
    ::sendto(udp, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&station), station_length);
  };
  const auto stranger = curve::generate();
  datagram({1, 2, 3, 4}, *seal);
  datagram({5, 6, 7, 8}, *curve::DatagramSeal::make(stranger.secret_z85, client.public_z85));  // forged
  datagram({7, 8, 9, 10}, *seal);     // 5 and 6 missing so far: 7.. wait for them
  datagram({3, 4, 5, 6, 7, 8}, *seal);  // the copies that fill the gap
  const auto until = std::chrono::steady_clock::now() + 500ms;
  while (std::chrono::steady_clock::now() < until) {
    std::vector<zmq::pollitem_t> items;
    receiver.add_poll_items(items);
    zmq::poll(items.data(), items.size(), 20ms);
    receiver.handle(items.data());
  }
  ::close(udp);
  std::vector<std::uint64_t> order;
  for (const auto& f : got) order.push_back(f.sequence());
  EXPECT_EQ(order, (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(receiver.malformed_frames(), 1u);  // the forged one
  EXPECT_EQ(receiver.datagrams_received(), 4u);
}

}  // namespace
}  // namespace loa::agent
