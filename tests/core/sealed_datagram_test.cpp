// Sealed datagrams: only the two key holders can make or read one; a changed byte, a
// third key or the wrong kind does not open.
#include <gtest/gtest.h>

#include "loa/curve/key_pair.hpp"
#include "loa/curve/sealed_datagram.hpp"

namespace loa::curve {
namespace {

TEST(SealedDatagram, OpensOnlyForTheOtherKeyHolder) {
  const auto controller = generate();
  const auto station = generate();
  const auto stranger = generate();
  const auto at_station = DatagramSeal::make(station.secret_z85, controller.public_z85);
  const auto at_controller = DatagramSeal::make(controller.secret_z85, station.public_z85);
  const auto at_stranger = DatagramSeal::make(stranger.secret_z85, controller.public_z85);
  ASSERT_TRUE(at_station && at_controller && at_stranger);

  const auto raw = raw_key(station.public_z85);
  ASSERT_TRUE(raw);
  const auto hello = at_station->seal(DatagramKind::hello, "t=1\ns1\n", *raw);
  EXPECT_EQ(hello.size(), std::string("t=1\ns1\n").size() + kSealOverhead);
  EXPECT_EQ(sender_key_of(DatagramKind::hello, hello), raw);
  EXPECT_EQ(at_controller->open(DatagramKind::hello, hello, true), "t=1\ns1\n");
  EXPECT_FALSE(at_controller->open(DatagramKind::audio, hello, true));  // another kind

  const auto audio = at_controller->seal(DatagramKind::audio, "frames");
  EXPECT_EQ(at_station->open(DatagramKind::audio, audio), "frames");
  EXPECT_NE(at_controller->seal(DatagramKind::audio, "frames"), audio);  // a fresh nonce each time
  auto changed = audio;
  changed.back() ^= 1;
  EXPECT_FALSE(at_station->open(DatagramKind::audio, changed));
  EXPECT_FALSE(at_station->open(DatagramKind::audio, at_stranger->seal(DatagramKind::audio, "frames")));
  EXPECT_FALSE(at_station->open(DatagramKind::audio, audio.substr(0, 20)));  // cut short
  EXPECT_FALSE(DatagramSeal::make("not a key", controller.public_z85));
}

}  // namespace
}  // namespace loa::curve
