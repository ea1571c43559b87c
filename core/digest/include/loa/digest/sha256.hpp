#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace loa::digest {

// SHA-256 (libsodium) as 64 lowercase hex digits: how clips are named and configurations
// fingerprinted.
[[nodiscard]] std::string sha256_hex(std::string_view bytes);
// Of a whole file, read in pieces; nullopt when it cannot be read.
[[nodiscard]] std::optional<std::string> sha256_file_hex(const std::string& path);
// True for 64 lowercase hex digits (so a clip id is safe in a file name).
[[nodiscard]] bool is_sha256_hex(std::string_view text);

}  // namespace loa::digest
