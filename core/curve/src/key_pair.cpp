#include "loa/curve/key_pair.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <zmq.h>

namespace loa::curve {
namespace {

constexpr std::size_t kZ85Length = 40;
constexpr std::size_t kRawLength = 32;

std::optional<std::array<std::uint8_t, kRawLength>> decode_z85(std::string_view z85) {
  if (z85.size() != kZ85Length) return std::nullopt;
  std::array<std::uint8_t, kRawLength> raw{};
  std::string text(z85);
  if (zmq_z85_decode(raw.data(), text.c_str()) == nullptr) return std::nullopt;
  return raw;
}

KeyPair parse(const std::string& path, std::istream& in) {
  KeyPair pair;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("public=", 0) == 0) pair.public_z85 = line.substr(7);
    if (line.rfind("secret=", 0) == 0) pair.secret_z85 = line.substr(7);
  }
  if (!is_valid_key(pair.public_z85) || !is_valid_key(pair.secret_z85)) {
    throw KeyError(path + ": not a CURVE key file (expected public=... and secret=... lines)");
  }
  std::array<char, kZ85Length + 1> derived{};
  if (zmq_curve_public(derived.data(), pair.secret_z85.c_str()) != 0 ||
      pair.public_z85 != derived.data()) {
    throw KeyError(path + ": public key does not match the secret key");
  }
  return pair;
}

}  // namespace

KeyPair generate() {
  std::array<char, kZ85Length + 1> pub{};
  std::array<char, kZ85Length + 1> sec{};
  if (zmq_curve_keypair(pub.data(), sec.data()) != 0) {
    throw KeyError(std::string("cannot make a CURVE key pair: ") + zmq_strerror(zmq_errno()));
  }
  return KeyPair{pub.data(), sec.data()};
}

KeyPair load(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw KeyError(path + ": " + std::strerror(errno));
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    throw KeyError(path + ": secret key file is readable by others; chmod 600 it");
  }
  std::ifstream in(path);
  if (!in) throw KeyError(path + ": cannot read");
  return parse(path, in);
}

KeyPair load_or_create(const std::string& path) {
  KeyPair pair = generate();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return load(path);
    throw KeyError(path + ": cannot create: " + std::strerror(errno));
  }
  std::string text = "# CurveZMQ key pair. Keep secret.\npublic=" + pair.public_z85 +
                     "\nsecret=" + pair.secret_z85 + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = (::fsync(fd) == 0) && ok;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    throw KeyError(path + ": cannot write the new key pair");
  }
  return pair;
}

bool is_valid_key(std::string_view z85) { return decode_z85(z85).has_value(); }

std::optional<std::string> to_z85(std::string_view raw) {
  if (raw.size() != kRawLength) return std::nullopt;
  std::array<char, kZ85Length + 1> text{};
  if (zmq_z85_encode(text.data(), reinterpret_cast<const std::uint8_t*>(raw.data()), kRawLength) == nullptr) {
    return std::nullopt;
  }
  return std::string(text.data());
}

std::string fingerprint(std::string_view key) {
  std::array<std::uint8_t, kRawLength> raw{};
  if (key.size() == kRawLength) {
    std::memcpy(raw.data(), key.data(), kRawLength);
  } else if (auto decoded = decode_z85(key)) {
    raw = *decoded;
  } else {
    return "invalid-key";
  }
  std::array<std::uint8_t, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), raw.data(), raw.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "SHA256:";
  for (std::size_t i = 0; i < 16; ++i) {
    if (i) out += ':';
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

std::string read_public_key_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("public=", 0) == 0) return line.substr(7);
    if (is_valid_key(line)) return line;
  }
  return {};
}

}  // namespace loa::curve
