#include "loa/curve/sealed_datagram.hpp"

#include <sodium.h>
#include <zmq.h>

namespace loa::curve {
namespace {

constexpr std::size_t kHeader = 3;  // "LD" + kind
constexpr std::size_t kKey = 32;

bool header_is(DatagramKind kind, std::string_view d) {
  return d.size() >= kHeader && d[0] == 'L' && d[1] == 'D' && d[2] == static_cast<char>(kind);
}

}  // namespace

std::optional<std::string> raw_key(std::string_view z85) {
  if (z85.size() != 40) return std::nullopt;
  std::string raw(kKey, '\0');
  const std::string text(z85);
  if (zmq_z85_decode(reinterpret_cast<std::uint8_t*>(raw.data()), text.c_str()) == nullptr) return std::nullopt;
  return raw;
}

std::optional<DatagramSeal> DatagramSeal::make(std::string_view our_secret_z85, std::string_view their_public_z85) {
  const auto secret = raw_key(our_secret_z85);
  const auto public_key = raw_key(their_public_z85);
  if (!secret || !public_key || sodium_init() < 0) return std::nullopt;
  DatagramSeal seal;
  if (crypto_box_beforenm(seal.shared_.data(), reinterpret_cast<const unsigned char*>(public_key->data()),
                          reinterpret_cast<const unsigned char*>(secret->data())) != 0) {
    return std::nullopt;  // a degenerate public key
  }
  return seal;
}

std::string DatagramSeal::seal(DatagramKind kind, std::string_view payload, std::string_view sender_public_raw) const {
  std::string out = {'L', 'D', static_cast<char>(kind)};
  out += sender_public_raw;
  std::array<unsigned char, crypto_box_NONCEBYTES> nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  out.append(reinterpret_cast<const char*>(nonce.data()), nonce.size());
  const std::size_t at = out.size();
  out.resize(at + crypto_box_MACBYTES + payload.size());
  crypto_box_easy_afternm(reinterpret_cast<unsigned char*>(out.data() + at),
                          reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), nonce.data(),
                          shared_.data());
  return out;
}

std::optional<std::string> DatagramSeal::open(DatagramKind kind, std::string_view d, bool carries_sender_key) const {
  const std::size_t nonce_at = kHeader + (carries_sender_key ? kKey : 0);
  if (!header_is(kind, d) || d.size() < nonce_at + crypto_box_NONCEBYTES + crypto_box_MACBYTES) return std::nullopt;
  const auto* nonce = reinterpret_cast<const unsigned char*>(d.data() + nonce_at);
  const auto sealed = d.substr(nonce_at + crypto_box_NONCEBYTES);
  std::string payload(sealed.size() - crypto_box_MACBYTES, '\0');
  if (crypto_box_open_easy_afternm(reinterpret_cast<unsigned char*>(payload.data()),
                                  reinterpret_cast<const unsigned char*>(sealed.data()), sealed.size(), nonce,
                                  shared_.data()) != 0) {
    return std::nullopt;
  }
  return payload;
}

std::optional<std::string> sender_key_of(DatagramKind kind, std::string_view d) {
  if (!header_is(kind, d) || d.size() < kHeader + kKey) return std::nullopt;
  return std::string(d.substr(kHeader, kKey));
}

}  // namespace loa::curve
