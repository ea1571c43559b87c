#include "loa/app/secret_file.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace loa::app {

std::string load_or_create_secret(const std::string& path, std::size_t length) {
  static constexpr char kAlphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  std::string secret;
  for (std::size_t i = 0; i < length; ++i) secret += kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];

  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno != EEXIST) throw std::runtime_error(path + ": cannot create: " + std::strerror(errno));
    std::ifstream in(path);
    std::string existing;
    std::getline(in, existing);
    if (existing.empty()) throw std::runtime_error(path + ": empty secret file; delete it to make a new one");
    return existing;
  }
  std::string line = secret + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    throw std::runtime_error(path + ": cannot write");
  }
  return secret;
}

}  // namespace loa::app
