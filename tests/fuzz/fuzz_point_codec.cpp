// Registers as a device answers them, decoded by every point layout a profile may
// declare, and encoded back: garbage from a device is a value, never a crash.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "loa/hwconfig/point_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2 + sizeof(double) * 2) return 0;
  loa::hwconfig::Point p;
  p.type = static_cast<loa::hwconfig::ValueType>(data[0] % 6);
  p.word_order = (data[1] & 1) ? loa::hwconfig::WordOrder::little : loa::hwconfig::WordOrder::big;
  p.table = p.type == loa::hwconfig::ValueType::boolean ? loa::hwconfig::Table::coil : loa::hwconfig::Table::holding;
  std::memcpy(&p.scale, data + 2, sizeof(double));
  std::memcpy(&p.offset, data + 2 + sizeof(double), sizeof(double));
  const std::size_t used = 2 + sizeof(double) * 2;
  std::vector<std::uint16_t> registers((size - used) / 2);
  if (registers.size() < p.width() || registers.empty()) return 0;
  std::memcpy(registers.data(), data + used, registers.size() * 2);
  const double value = loa::hwconfig::decode_point(p, registers);
  (void)loa::hwconfig::encode_point(p, value);
  return 0;
}
