// Register values both ways: every layout a profile may declare round-trips, and what
// a device or a command may hand it that is no number (NaN, out of range) becomes a
// defined register value, never undefined behaviour (found by fuzz_point_codec).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "loa/hwconfig/point_codec.hpp"

namespace loa::hwconfig {
namespace {

Point point(ValueType type, WordOrder order = WordOrder::big, double scale = 1, double offset = 0) {
  Point p;
  p.type = type;
  p.word_order = order;
  p.scale = scale;
  p.offset = offset;
  return p;
}

TEST(PointCodec, EveryLayoutRoundTrips) {
  for (auto order : {WordOrder::big, WordOrder::little}) {
    for (auto [type, value] : std::vector<std::pair<ValueType, double>>{
             {ValueType::u16, 512}, {ValueType::s16, -7}, {ValueType::u32, 99100}, {ValueType::s32, -123456},
             {ValueType::float32, 1.5}}) {
      const auto p = point(type, order, 0.1, 2);
      const auto registers = encode_point(p, value);
      EXPECT_NEAR(decode_point(p, registers), value, 0.051) << static_cast<int>(type);
    }
  }
}

TEST(PointCodec, NotANumberAndOutOfRangeBecomeDefinedRegisterValues) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(encode_point(point(ValueType::u16), nan), std::vector<std::uint16_t>{0});
  EXPECT_EQ(encode_point(point(ValueType::s32), nan), (std::vector<std::uint16_t>{0, 0}));
  EXPECT_EQ(encode_point(point(ValueType::u16), 1e12), std::vector<std::uint16_t>{65535});
  EXPECT_EQ(encode_point(point(ValueType::s16), -1e12), std::vector<std::uint16_t>{0x8000});
}

}  // namespace
}  // namespace loa::hwconfig
