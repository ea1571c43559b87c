#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "loa/net/peer_address.hpp"

namespace loa::net {
namespace {

// A TCP connection on loopback: the listener's accepted end and the client's end.
struct Loopback {
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int accepted = -1;
  int client_port = -1;
  Loopback() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), len), 0);
    EXPECT_EQ(::listen(listener, 1), 0);
    EXPECT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    EXPECT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&addr), len), 0);
    accepted = ::accept(listener, nullptr, nullptr);
    sockaddr_in mine{};
    len = sizeof mine;
    EXPECT_EQ(::getsockname(client, reinterpret_cast<sockaddr*>(&mine), &len), 0);
    client_port = ntohs(mine.sin_port);
  }
  Loopback(const Loopback&) = delete;
  Loopback& operator=(const Loopback&) = delete;
  ~Loopback() {
    for (int fd : {listener, client, accepted}) {
      if (fd >= 0) ::close(fd);
    }
  }
};

TEST(PeerAddress, TheOtherEndOfATcpConnection) {
  Loopback link;
  ASSERT_GE(link.accepted, 0);
  EXPECT_EQ(peer_address(link.accepted), "127.0.0.1:" + std::to_string(link.client_port));
  EXPECT_EQ(peer_ip(link.accepted), "127.0.0.1");
  const auto peer = peer_of_socket(link.accepted);
  ASSERT_TRUE(peer);
  EXPECT_EQ(peer->port, link.client_port);
}

TEST(PeerAddress, AClosedNumberOrAnotherFamilyLeadsNowhere) {
  EXPECT_EQ(peer_address(-1), "");
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
  EXPECT_EQ(peer_address(pair[0]), "");
  EXPECT_FALSE(peer_of_socket(pair[0]));
  ::close(pair[0]);
  ::close(pair[1]);
}

TEST(PeerAddress, AnIpv4MappedIpv6AddressReadsAsIpv4) {
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(7700);
  ASSERT_EQ(::inet_pton(AF_INET6, "::ffff:203.0.113.7", &v6.sin6_addr), 1);
  auto peer = peer_of(reinterpret_cast<const sockaddr*>(&v6));
  ASSERT_TRUE(peer);
  EXPECT_EQ(peer->ip, "203.0.113.7");
  EXPECT_EQ(peer->port, 7700);
  ASSERT_EQ(::inet_pton(AF_INET6, "2001:db8::1", &v6.sin6_addr), 1);
  EXPECT_EQ(peer_of(reinterpret_cast<const sockaddr*>(&v6))->ip, "2001:db8::1");
  sockaddr_un unix_addr{};
  unix_addr.sun_family = AF_UNIX;
  EXPECT_FALSE(peer_of(reinterpret_cast<const sockaddr*>(&unix_addr)));
}

}  // namespace
}  // namespace loa::net
