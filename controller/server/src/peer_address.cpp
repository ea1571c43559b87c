#include "peer_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace loa::server {
namespace {

bool peer_of(int fd, std::string& host, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (fd < 0 || ::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return false;
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    port = ntohs(in6->sin6_port);
  } else {
    return false;
  }
  host = text;
  return true;
}

}  // namespace

std::string peer_address(int fd) {
  std::string host;
  int port = 0;
  return peer_of(fd, host, port) ? host + ":" + std::to_string(port) : std::string();
}

std::string peer_ip(int fd) {
  std::string host;
  int port = 0;
  return peer_of(fd, host, port) ? host : std::string();
}

}  // namespace loa::server
