#include "loa/net/peer_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace loa::net {

std::optional<PeerAddress> peer_of(const sockaddr* addr) {
  if (addr == nullptr) return std::nullopt;
  char text[INET6_ADDRSTRLEN] = {};
  PeerAddress out;
  if (addr->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    out.port = ntohs(in->sin_port);
  } else if (addr->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      in_addr v4{};
      std::memcpy(&v4, &in6->sin6_addr.s6_addr[12], sizeof v4);
      ::inet_ntop(AF_INET, &v4, text, sizeof text);
    } else {
      ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    }
    out.port = ntohs(in6->sin6_port);
  } else {
    return std::nullopt;
  }
  out.ip = text;
  return out;
}

std::optional<PeerAddress> peer_of_socket(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (fd < 0 || ::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return std::nullopt;
  return peer_of(reinterpret_cast<const sockaddr*>(&addr));
}

std::string peer_address(int fd) {
  const auto peer = peer_of_socket(fd);
  return peer ? peer->ip + ":" + std::to_string(peer->port) : std::string();
}

std::string peer_ip(int fd) {
  const auto peer = peer_of_socket(fd);
  return peer ? peer->ip : std::string();
}

}  // namespace loa::net
