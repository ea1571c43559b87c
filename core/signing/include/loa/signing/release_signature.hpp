#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace loa::signing {

// Agent releases are signed with a release key that never leaves the desk where
// releases are made; stations hold only its public half and install nothing that does
// not verify against it. A controller that is broken into can therefore send a package
// but cannot make a station run it.
//
// Ed25519 in its pre-hashed form (Ed25519ph, libsodium's crypto_sign_init/update/final),
// so a package is signed and checked as it is read, in pieces. Keys and signatures
// travel as base64 text, one line each.

class SigningError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ReleaseKey {
  std::string public_key;  // base64 of 32 bytes: goes into each agent's updates.release_keys
  std::string secret_key;  // base64 of 64 bytes: kept by whoever makes releases
};

[[nodiscard]] ReleaseKey generate_release_key();

// The detached signature (base64 of 64 bytes) of the file's bytes. Throws SigningError
// on an unreadable file or a malformed secret key.
[[nodiscard]] std::string sign_file(const std::string& path, const std::string& secret_key);

// Short name of a public key (its first 16 hex digits of SHA-256), for logs and lists.
[[nodiscard]] std::string key_id(const std::string& public_key);
// Whether the text is a well-formed public key.
[[nodiscard]] bool is_public_key(const std::string& public_key);

struct Verdict {
  bool ok = false;
  std::string key_id;  // the key that verified it
  std::string reason;  // why not
};
// Checks the signature of the file against each of the trusted public keys.
[[nodiscard]] Verdict verify_file(const std::string& path, const std::string& signature,
                                  const std::vector<std::string>& trusted_keys);

}  // namespace loa::signing
