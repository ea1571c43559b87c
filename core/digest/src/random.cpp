#include "loa/digest/random.hpp"

#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace loa::digest {

std::string random_hex(std::size_t bytes) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  hex.pop_back();  // the terminating NUL sodium_bin2hex writes
  return hex;
}

}  // namespace loa::digest
