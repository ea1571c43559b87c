#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace loa::curve {

// A CurveZMQ key pair, both halves in Z85 text (40 characters each).
struct KeyPair {
  std::string public_z85;
  std::string secret_z85;
};

class KeyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Makes a fresh key pair (libzmq's generator, backed by libsodium).
[[nodiscard]] KeyPair generate();

// Reads the key pair at `path`, or makes one and writes it there (mode 0600, created
// exclusively so two processes never write different keys to one file). A file that
// exists but is unreadable, malformed, or readable by others is refused.
[[nodiscard]] KeyPair load_or_create(const std::string& path);

// Reads an existing key pair file; throws KeyError when missing or malformed.
[[nodiscard]] KeyPair load(const std::string& path);

// True when `z85` is 40 valid Z85 characters.
[[nodiscard]] bool is_valid_key(std::string_view z85);

// The public key in a file handed over from a controller: the bare Z85 key (its
// controller.pub), or the "public=" line of its key file. Empty when there is none.
[[nodiscard]] std::string read_public_key_file(const std::string& path);

// Z85 text of a raw 32-byte key, or nullopt when `raw` is not 32 bytes.
[[nodiscard]] std::optional<std::string> to_z85(std::string_view raw);

// Short, stable name of a public key for logs and the console: "SHA256:" and the first
// 16 bytes of the key's SHA-256, in hex pairs. Takes the Z85 text or the raw 32 bytes.
[[nodiscard]] std::string fingerprint(std::string_view key);

}  // namespace loa::curve
