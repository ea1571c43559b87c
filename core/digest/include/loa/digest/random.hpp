#pragma once

#include <cstddef>
#include <string>

namespace loa::digest {

// `bytes` random bytes from libsodium's generator, as 2 * bytes lowercase hex digits:
// ids and secrets (API tokens, temporary file names, alert ids).
[[nodiscard]] std::string random_hex(std::size_t bytes);

}  // namespace loa::digest
