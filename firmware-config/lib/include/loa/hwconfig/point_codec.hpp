#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "loa/hwconfig/device_profile.hpp"

namespace loa::hwconfig {

// Engineering value of a register point from its raw registers (point.width() of them),
// applying type, word order, scale and offset. Bits: 0 or 1.
[[nodiscard]] double decode_point(const Point& point, std::span<const std::uint16_t> registers);

// Raw registers for an engineering value: the inverse of decode_point, rounded to the
// nearest raw step and clamped to the type's range.
[[nodiscard]] std::vector<std::uint16_t> encode_point(const Point& point, double value);

}  // namespace loa::hwconfig
