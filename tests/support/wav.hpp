#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace loa::test {

// The samples of a 16-bit mono WAV file as stations write them (header chunks skipped;
// a file whose header was never finished is read to its end).
inline std::vector<std::int16_t> read_wav(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t pos = 12;
  while (pos + 8 <= bytes.size()) {
    const std::string id = bytes.substr(pos, 4);
    std::uint32_t size = 0;
    std::memcpy(&size, bytes.data() + pos + 4, 4);
    if (id == "data") {
      const std::size_t n = std::min<std::size_t>(size, bytes.size() - pos - 8) / 2;
      std::vector<std::int16_t> samples(n);
      std::memcpy(samples.data(), bytes.data() + pos + 8, n * 2);
      return samples;
    }
    pos += 8 + size;
  }
  return {};
}

}  // namespace loa::test
