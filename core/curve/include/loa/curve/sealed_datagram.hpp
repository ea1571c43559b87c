#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loa::curve {

// Datagrams between the controller and one station, sealed with the same Curve25519
// keys as their CurveZMQ link (libsodium crypto_box: X25519, XSalsa20-Poly1305, a fresh
// random 24-byte nonce per datagram). Only the holder of either secret key can read or
// make one; a datagram changed on the way, or made with another key, does not open.
//
// On the wire: "LD", one byte of kind, for a station's datagram its raw public key
// (the controller has many stations and must know whose key to open with), the nonce,
// then the sealed payload (16 bytes of authenticator and the payload itself).
enum class DatagramKind : char { audio = 'A', hello = 'H' };

// The overhead a sealed datagram adds to its payload, at most.
inline constexpr std::size_t kSealOverhead = 2 + 1 + 32 + 24 + 16;

class DatagramSeal {
 public:
  // Our secret key and their public key, Z85; nullopt when either is not a key.
  [[nodiscard]] static std::optional<DatagramSeal> make(std::string_view our_secret_z85,
                                                        std::string_view their_public_z85);

  // `sender_public_raw` (32 bytes) goes in front when the receiver must look the sender
  // up (a station's hello); empty otherwise.
  [[nodiscard]] std::string seal(DatagramKind kind, std::string_view payload,
                                 std::string_view sender_public_raw = {}) const;
  // The payload, or nullopt when the datagram is not of this kind, or does not open.
  [[nodiscard]] std::optional<std::string> open(DatagramKind kind, std::string_view datagram,
                                                bool carries_sender_key = false) const;

 private:
  std::array<unsigned char, 32> shared_{};  // crypto_box_beforenm
};

// The sender's raw public key in a datagram that carries one (a station's hello), or
// nullopt when it is not such a datagram.
[[nodiscard]] std::optional<std::string> sender_key_of(DatagramKind kind, std::string_view datagram);

// The raw 32 bytes of a Z85 key, or nullopt.
[[nodiscard]] std::optional<std::string> raw_key(std::string_view z85);

}  // namespace loa::curve
