#include "loa/signing/release_signature.hpp"

#include <sodium.h>

#include <array>
#include <fstream>
#include <optional>

namespace loa::signing {
namespace {

// libsodium must be initialised once before use; it is safe to call again.
void init() {
  if (sodium_init() < 0) throw SigningError("libsodium could not be initialised");
}

std::string to_base64(const unsigned char* bytes, std::size_t n) {
  std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, n, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.find('\0'));
  return out;
}

// Exactly `n` bytes decoded from base64 (surrounding white space ignored), or nullopt.
std::optional<std::string> from_base64(const std::string& text, std::size_t n) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return std::nullopt;
  const auto last = text.find_last_not_of(" \t\r\n");
  const auto trimmed = text.substr(first, last - first + 1);
  std::string out(n + 3, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), trimmed.data(), trimmed.size(),
                        nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != trimmed.data() + trimmed.size() || len != n) {
    return std::nullopt;
  }
  out.resize(n);
  return out;
}

// Feeds the file to the multi-part signature state; false when it cannot be read.
bool hash_file(const std::string& path, crypto_sign_state& state) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::array<char, 64 * 1024> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    const auto got = static_cast<unsigned long long>(in.gcount());
    if (got > 0) crypto_sign_update(&state, reinterpret_cast<const unsigned char*>(buffer.data()), got);
  }
  return in.eof();
}

}  // namespace

ReleaseKey generate_release_key() {
  init();
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> sk{};
  crypto_sign_keypair(pk.data(), sk.data());
  ReleaseKey key{to_base64(pk.data(), pk.size()), to_base64(sk.data(), sk.size())};
  sodium_memzero(sk.data(), sk.size());
  return key;
}

std::string sign_file(const std::string& path, const std::string& secret_key) {
  init();
  auto sk = from_base64(secret_key, crypto_sign_SECRETKEYBYTES);
  if (!sk) throw SigningError("the secret key is not base64 of " + std::to_string(crypto_sign_SECRETKEYBYTES) + " bytes");
  crypto_sign_state state;
  crypto_sign_init(&state);
  if (!hash_file(path, state)) throw SigningError("cannot read " + path);
  std::array<unsigned char, crypto_sign_BYTES> sig{};
  crypto_sign_final_create(&state, sig.data(), nullptr, reinterpret_cast<const unsigned char*>(sk->data()));
  sodium_memzero(sk->data(), sk->size());
  return to_base64(sig.data(), sig.size());
}

std::string key_id(const std::string& public_key) {
  init();
  auto pk = from_base64(public_key, crypto_sign_PUBLICKEYBYTES);
  if (!pk) return "malformed";
  std::array<unsigned char, crypto_hash_sha256_BYTES> h{};
  crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(pk->data()), pk->size());
  std::string hex(h.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), h.data(), h.size());
  return hex.substr(0, 16);
}

bool is_public_key(const std::string& public_key) {
  return from_base64(public_key, crypto_sign_PUBLICKEYBYTES).has_value();
}

Verdict verify_file(const std::string& path, const std::string& signature,
                    const std::vector<std::string>& trusted_keys) {
  init();
  Verdict v;
  if (trusted_keys.empty()) {
    v.reason = "no release key is trusted (updates.release_keys)";
    return v;
  }
  auto sig = from_base64(signature, crypto_sign_BYTES);
  if (!sig) {
    v.reason = signature.empty() ? "the package is not signed" : "the signature is not base64 of 64 bytes";
    return v;
  }
  for (const auto& key : trusted_keys) {
    auto pk = from_base64(key, crypto_sign_PUBLICKEYBYTES);
    if (!pk) continue;
    crypto_sign_state state;
    crypto_sign_init(&state);
    if (!hash_file(path, state)) {
      v.reason = "cannot read the package";
      return v;
    }
    if (crypto_sign_final_verify(&state, reinterpret_cast<const unsigned char*>(sig->data()),
                                 reinterpret_cast<const unsigned char*>(pk->data())) == 0) {
      v.ok = true;
      v.key_id = key_id(key);
      return v;
    }
  }
  v.reason = "the signature does not verify against any trusted release key";
  return v;
}

}  // namespace loa::signing
