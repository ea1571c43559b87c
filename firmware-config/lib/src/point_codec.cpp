#include "loa/hwconfig/point_codec.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace loa::hwconfig {
namespace {

std::uint32_t join(const Point& p, std::span<const std::uint16_t> r) {
  const std::uint32_t hi = p.word_order == WordOrder::big ? r[0] : r[1];
  const std::uint32_t lo = p.word_order == WordOrder::big ? r[1] : r[0];
  return (hi << 16) | lo;
}

std::vector<std::uint16_t> split(const Point& p, std::uint32_t v) {
  const auto hi = static_cast<std::uint16_t>(v >> 16);
  const auto lo = static_cast<std::uint16_t>(v & 0xffff);
  return p.word_order == WordOrder::big ? std::vector<std::uint16_t>{hi, lo} : std::vector<std::uint16_t>{lo, hi};
}

template <typename T>
T clamp_round(double raw) {
  // Not a number has no register value: converting it would be undefined behaviour.
  if (std::isnan(raw)) return T{0};
  raw = std::round(raw);
  raw = std::clamp(raw, static_cast<double>(std::numeric_limits<T>::min()),
                   static_cast<double>(std::numeric_limits<T>::max()));
  return static_cast<T>(raw);
}

}  // namespace

double decode_point(const Point& p, std::span<const std::uint16_t> r) {
  double raw = 0;
  switch (p.type) {
    case ValueType::boolean: raw = r[0] ? 1 : 0; return raw;
    case ValueType::u16: raw = r[0]; break;
    case ValueType::s16: raw = static_cast<std::int16_t>(r[0]); break;
    case ValueType::u32: raw = join(p, r); break;
    case ValueType::s32: raw = static_cast<std::int32_t>(join(p, r)); break;
    case ValueType::float32: raw = std::bit_cast<float>(join(p, r)); break;
  }
  return raw * p.scale + p.offset;
}

std::vector<std::uint16_t> encode_point(const Point& p, double value) {
  const double raw = (value - p.offset) / p.scale;
  switch (p.type) {
    case ValueType::boolean: return {static_cast<std::uint16_t>(value != 0 ? 1 : 0)};
    case ValueType::u16: return {clamp_round<std::uint16_t>(raw)};
    case ValueType::s16: return {static_cast<std::uint16_t>(clamp_round<std::int16_t>(raw))};
    case ValueType::u32: return split(p, clamp_round<std::uint32_t>(raw));
    case ValueType::s32: return split(p, static_cast<std::uint32_t>(clamp_round<std::int32_t>(raw)));
    case ValueType::float32: return split(p, std::bit_cast<std::uint32_t>(static_cast<float>(raw)));
  }
  return {0};
}

}  // namespace loa::hwconfig
