#pragma once

#include <string>

namespace loa::server {

// The peer of a connected socket descriptor: "address:port", or only the address; ""
// when the descriptor is not a connected IP socket (closed, or never was).
[[nodiscard]] std::string peer_address(int fd);
[[nodiscard]] std::string peer_ip(int fd);

}  // namespace loa::server
