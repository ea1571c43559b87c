#include <gtest/gtest.h>

#include <random>

#include "loa/wire/codec.hpp"

namespace loa::wire {
namespace {

TEST(Codec, RoundTripsAnEnvelopeAndStampsTheSendTime) {
  v1::Envelope env;
  env.mutable_hello()->set_station_id("cam-binh-1");
  env.mutable_hello()->add_capabilities("ping");
  auto bytes = encode(env);
  auto decoded = decode(bytes, 1 << 20);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.envelope().hello().station_id(), "cam-binh-1");
  EXPECT_GT(decoded.envelope().sent_at_ms(), 1'600'000'000'000);
  EXPECT_EQ(body_name(decoded.envelope()), "hello");
}

TEST(Codec, TelemetryKeepsUnsetReadingsUnset) {
  v1::Envelope env;
  env.mutable_telemetry()->set_forward_power_w(28.5);
  auto decoded = decode(encode(env), 1 << 20);
  ASSERT_TRUE(decoded.ok());
  const auto& t = decoded.envelope().telemetry();
  EXPECT_TRUE(t.has_forward_power_w());
  EXPECT_FALSE(t.has_carrier_khz());  // not measured is not zero
}

TEST(Codec, RejectsEmptyOversizedMalformedAndUnknownFrames) {
  EXPECT_EQ(decode("", 100).error(), DecodeError::empty);
  EXPECT_EQ(decode(std::string(101, '\x08'), 100).error(), DecodeError::too_large);
  EXPECT_EQ(decode("\xff\xff\xff\xff", 100).error(), DecodeError::malformed);
  // A well-formed envelope whose only body is a field number this build does not know.
  const std::string future("\xba\x06\x02hi", 5);
  EXPECT_EQ(decode(future, 100).error(), DecodeError::unknown_type);
}

TEST(Codec, NeverThrowsOnRandomBytes) {
  std::mt19937 rng(7);
  int decoded_ok = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string junk(rng() % 64, '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    auto r = decode(junk, 1024);
    decoded_ok += r.ok();
  }
  // Some random strings are valid protobuf; most are not. None may crash.
  EXPECT_LT(decoded_ok, 20000);
}

}  // namespace
}  // namespace loa::wire
