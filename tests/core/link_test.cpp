// The control link's socket options and sends, on real ZeroMQ sockets (inproc, and TCP
// on loopback where a read buffer matters).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <zmq.hpp>

#include "loa/link/socket_setup.hpp"
#include "loa/wire/codec.hpp"

namespace loa::link {
namespace {

wire::v1::Envelope heartbeat(std::int64_t at_ms) {
  wire::v1::Envelope e;
  e.set_sent_at_ms(at_ms);
  e.mutable_heartbeat();
  return e;
}

TEST(Link, EverySocketGetsTheLinksBoundsAndTimings) {
  zmq::context_t ctx;
  zmq::socket_t socket(ctx, zmq::socket_type::dealer);
  LinkSettings settings;
  settings.heartbeat_interval = std::chrono::milliseconds(250);
  settings.missed_heartbeats = 4;
  settings.max_message_bytes = 4096;
  settings.handshake_timeout = std::chrono::milliseconds(700);
  settings.send_high_water_mark = 12;
  apply_link_options(socket, settings);
  EXPECT_EQ(socket.get(zmq::sockopt::maxmsgsize), 4096);
  EXPECT_EQ(socket.get(zmq::sockopt::linger), 0);  // closing never waits on a dead peer
  EXPECT_EQ(socket.get(zmq::sockopt::heartbeat_ivl), 250);
  EXPECT_EQ(socket.get(zmq::sockopt::heartbeat_timeout), 1000);  // four intervals
  EXPECT_EQ(socket.get(zmq::sockopt::handshake_ivl), 700);
  EXPECT_EQ(socket.get(zmq::sockopt::sndhwm), 12);
  EXPECT_EQ(socket.get(zmq::sockopt::rcvhwm), 12);
}

TEST(Link, AnEnvelopeArrivesWholeAndDecodes) {
  zmq::context_t ctx;
  zmq::socket_t a(ctx, zmq::socket_type::pair), b(ctx, zmq::socket_type::pair);
  a.bind("inproc://link-test");
  b.connect("inproc://link-test");
  ASSERT_TRUE(send_envelope(a, heartbeat(1234)));
  zmq::message_t frame;
  ASSERT_TRUE(b.recv(frame));
  auto decoded = wire::decode(frame.to_string_view(), 1 << 20);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.envelope().sent_at_ms(), 1234);
  EXPECT_TRUE(decoded.envelope().has_heartbeat());
}

// A context that copies what it receives still delivers a burst over TCP whole and in
// order: messages of many sizes, small and larger than one 8 KB read, cut from the same
// reads, each kept after the next ones arrived.
TEST(Link, AContextThatCopiesWhatItReceivesDeliversABurstWhole) {
  zmq::context_t ctx(1);
  ASSERT_TRUE(copy_received_messages(ctx));
  EXPECT_EQ(zmq_ctx_get(ctx.handle(), 10 /* ZMQ_ZERO_COPY_RECV */), 0);
  zmq::socket_t a(ctx, zmq::socket_type::pair), b(ctx, zmq::socket_type::pair);
  a.bind("tcp://127.0.0.1:*");
  b.set(zmq::sockopt::rcvtimeo, 5000);
  b.connect(a.get(zmq::sockopt::last_endpoint));
  constexpr int kMessages = 2000;
  auto body = [](int i) { return std::string(static_cast<std::size_t>(20 + (i * 37) % 12000), static_cast<char>('a' + i % 26)); };
  for (int i = 0; i < kMessages; ++i) ASSERT_TRUE(a.send(zmq::buffer(body(i))));
  std::vector<zmq::message_t> kept(kMessages);
  for (int i = 0; i < kMessages; ++i) ASSERT_TRUE(b.recv(kept[static_cast<std::size_t>(i)]));
  for (int i = 0; i < kMessages; ++i) ASSERT_EQ(kept[static_cast<std::size_t>(i)].to_string(), body(i)) << i;
}

// A peer that stops reading fills its queue: sends then fail at once, never block the
// sender's loop and never throw.
TEST(Link, AFullQueueIsAFalseReturnNotABlockedLoop) {
  zmq::context_t ctx;
  zmq::socket_t a(ctx, zmq::socket_type::pair), b(ctx, zmq::socket_type::pair);
  LinkSettings settings;
  settings.send_high_water_mark = 5;
  apply_link_options(a, settings);
  apply_link_options(b, settings);
  a.bind("inproc://link-full");
  b.connect("inproc://link-full");
  int sent = 0;
  while (sent < 1000 && send_envelope(a, heartbeat(sent))) ++sent;
  EXPECT_LT(sent, 1000);
  EXPECT_GE(sent, 5);
}

// A ROUTER with ROUTER_MANDATORY (as the controller's): a station that is not
// connected is a false return, so the caller learns it is gone.
TEST(Link, SendingToAStationThatIsNotConnectedFails) {
  zmq::context_t ctx;
  zmq::socket_t router(ctx, zmq::socket_type::router), dealer(ctx, zmq::socket_type::dealer);
  router.set(zmq::sockopt::router_mandatory, 1);
  router.bind("inproc://link-router");
  dealer.set(zmq::sockopt::routing_id, "xa-1");
  dealer.connect("inproc://link-router");
  ASSERT_TRUE(send_envelope(dealer, heartbeat(1)));  // the router learns xa-1 from it
  zmq::message_t id, body;
  ASSERT_TRUE(router.recv(id));
  ASSERT_TRUE(router.recv(body));
  EXPECT_TRUE(send_envelope(router, "xa-1", heartbeat(2)));
  EXPECT_FALSE(send_envelope(router, "xa-9", heartbeat(3)));
  zmq::message_t back;
  ASSERT_TRUE(dealer.recv(back));
  EXPECT_EQ(wire::decode(back.to_string_view(), 1 << 20).envelope().sent_at_ms(), 2);
}

}  // namespace
}  // namespace loa::link
