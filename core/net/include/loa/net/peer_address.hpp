#pragma once

#include <sys/socket.h>

#include <optional>
#include <string>

namespace loa::net {

// Who is at the other end of a connection, as text for logs, limits and checks.
struct PeerAddress {
  std::string ip;  // "203.0.113.7", "2001:db8::1"; an IPv4-mapped IPv6 address as IPv4
  int port = -1;
};

// Of an IPv4 or IPv6 socket address; nullopt for any other family.
[[nodiscard]] std::optional<PeerAddress> peer_of(const sockaddr* addr);
// Of a connected socket descriptor (getpeername); nullopt when it is closed or not IP.
[[nodiscard]] std::optional<PeerAddress> peer_of_socket(int fd);

// "address:port" of a connected descriptor, or "" (a number that no longer leads
// anywhere). Two readings that differ mean the number now names another connection.
[[nodiscard]] std::string peer_address(int fd);
// Only the address, or "".
[[nodiscard]] std::string peer_ip(int fd);

}  // namespace loa::net
