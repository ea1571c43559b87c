// The controller's UDP side of live audio, on loopback against a hand-made station: a
// sealed hello from an approved key gets the streams it names, sealed for it; a hello
// from an unknown key, one that does not open, a replay and a stale stamp are refused
// and counted, and change nothing.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "audio_datagrams.hpp"
#include "loa/curve/key_pair.hpp"
#include "loa/wire/audio_topic.hpp"

namespace loa::server {
namespace {

using namespace std::chrono_literals;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class AudioDatagramsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AudioDatagrams::Settings s;
    s.secret_key_z85 = controller.secret_z85;
    datagrams = std::make_unique<AudioDatagrams>(
        s,
        [this](const std::string& key) -> std::optional<std::string> {
          if (key == station.public_z85) return "st-1";
          return std::nullopt;
        },
        wall_ms, counters);
    datagrams->bind();
    datagrams->start();
    udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(datagrams->port());
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(udp, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    timeval wait{0, 300000};
    ::setsockopt(udp, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  }
  void TearDown() override {
    datagrams->stop();
    ::close(udp);
  }
  std::string hello(const curve::KeyPair& from, std::int64_t stamp_ms, const std::string& streams = "s1\n") {
    auto seal = curve::DatagramSeal::make(from.secret_z85, controller.public_z85);
    return seal->seal(curve::DatagramKind::hello, "t=" + std::to_string(stamp_ms) + "\n" + streams,
                      *curve::raw_key(from.public_z85));
  }
  void send(const std::string& d) { ASSERT_GT(::send(udp, d.data(), d.size(), 0), 0); }
  // Publishes one frame of `stream`; what the station gets back, opened (empty if nothing).
  std::string publish_and_receive(const std::string& stream, std::uint64_t seq) {
    loa::v1::AudioBatch batch;
    auto* f = batch.add_frames();
    f->set_stream_id(stream);
    f->set_sequence(seq);
    f->set_opus_payload("opus");
    datagrams->publish(wire::audio_message(stream, batch.SerializeAsString()));
    char buffer[2048];
    const auto n = ::recv(udp, buffer, sizeof buffer, 0);
    if (n <= 0) return {};
    auto seal = curve::DatagramSeal::make(station.secret_z85, controller.public_z85);
    return seal->open(curve::DatagramKind::audio, std::string_view(buffer, static_cast<std::size_t>(n))).value_or("?");
  }
  bool wait_for(const std::atomic<std::uint64_t>& counter, std::uint64_t value) {
    for (int i = 0; i < 100 && counter.load() < value; ++i) std::this_thread::sleep_for(10ms);
    return counter.load() >= value;
  }

  curve::KeyPair controller = curve::generate();
  curve::KeyPair station = curve::generate();
  LinkCounters counters;
  std::unique_ptr<AudioDatagrams> datagrams;
  int udp = -1;
};

TEST_F(AudioDatagramsTest, AnApprovedStationGetsTheStreamsItNamesWithTheFramesBefore) {
  EXPECT_TRUE(publish_and_receive("s1", 0).empty());  // no hello yet: nothing sent
  send(hello(station, wall_ms()));
  ASSERT_TRUE(wait_for(counters.audio_hellos, 1));
  EXPECT_EQ(datagrams->stations(), 1u);
  const auto first = publish_and_receive("s1", 1);
  ASSERT_FALSE(first.empty());
  const auto second = publish_and_receive("s1", 2);
  auto parts = wire::split_audio_message(second);
  ASSERT_TRUE(parts);
  loa::v1::AudioBatch batch;
  ASSERT_TRUE(batch.ParseFromArray(parts->batch.data(), static_cast<int>(parts->batch.size())));
  ASSERT_EQ(batch.frames_size(), 3);  // the two before it travel again
  EXPECT_EQ(batch.frames(0).sequence(), 0u);
  EXPECT_EQ(batch.frames(2).sequence(), 2u);
  EXPECT_TRUE(publish_and_receive("s2", 0).empty());  // a stream it did not name
  datagrams->forget("st-1");
  EXPECT_TRUE(publish_and_receive("s1", 3).empty());
}

TEST_F(AudioDatagramsTest, StrangersForgeriesReplaysAndStaleHellosAreRefused) {
  const auto good = hello(station, wall_ms());
  send(good);
  ASSERT_TRUE(wait_for(counters.audio_hellos, 1));
  const auto stranger = curve::generate();
  send(hello(stranger, wall_ms() + 1));                        // a key nobody approved
  auto forged = hello(station, wall_ms() + 2);
  forged.back() ^= 1;                                          // does not open
  send(forged);
  send(good);                                                  // a replay
  send(hello(station, wall_ms() - 120'000));                   // two minutes old
  send("garbage");
  ASSERT_TRUE(wait_for(counters.audio_hellos_refused, 5)) << counters.audio_hellos_refused.load();
  EXPECT_EQ(counters.audio_hellos.load(), 1u);
  EXPECT_EQ(datagrams->stations(), 1u);
  EXPECT_FALSE(publish_and_receive("s1", 0).empty());  // the station still gets its audio
}

}  // namespace
}  // namespace loa::server
