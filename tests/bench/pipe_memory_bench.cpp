// What a long-lived ZeroMQ connection costs in memory, message by message: one ROUTER
// (as the controller's control socket) with N peers (DEALERs, in a child process, as
// stations are), each sending and receiving one small message a round. Every few rounds
// it prints this process's anonymous resident memory beside the allocator's count of
// bytes in use, so memory that is allocated once and touched a little more with each
// message (libzmq's pipes allocate their queues in chunks of 256 messages) shows apart
// from memory that keeps being allocated (a leak).
//
//   pipe_memory_bench [--peers 1000] [--rounds 600] [--every 50]
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "support/process.hpp"

namespace {

long anon_kib() { return loa::test::proc_status(::getpid(), "RssAnon"); }
long heap_kib() { return static_cast<long>(mallinfo2().uordblks / 1024); }

// The peers: connect, say hello, then answer each message with one of their own.
[[noreturn]] void run_peers(const std::string& endpoint, int peers, int rounds) {
  zmq::context_t ctx;
  std::vector<zmq::socket_t> sockets;
  for (int i = 0; i < peers; ++i) {
    auto& s = sockets.emplace_back(ctx, zmq::socket_type::dealer);
    s.set(zmq::sockopt::routing_id, "peer-" + std::to_string(i));
    s.connect(endpoint);
    s.send(zmq::str_buffer("hello"), zmq::send_flags::none);
  }
  const std::string payload(100, 'x');
  for (int r = 0; r < rounds; ++r) {
    for (auto& s : sockets) {
      zmq::message_t in;
      (void)s.recv(in);
      s.send(zmq::buffer(payload), zmq::send_flags::none);
    }
  }
  sockets.clear();  // the last replies leave before the process does (linger)
  ctx.close();
  std::_Exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  int peers = 1000, rounds = 600, every = 50;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--peers") peers = std::atoi(argv[i + 1]);
    if (a == "--rounds") rounds = std::atoi(argv[i + 1]);
    if (a == "--every") every = std::atoi(argv[i + 1]);
  }
  loa::test::raise_open_file_limit();
  const int port = loa::test::free_port();
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(port);
  const pid_t child = ::fork();
  if (child == 0) {
    ::usleep(300'000);  // the ROUTER binds first
    run_peers(endpoint, peers, rounds);
  }
  zmq::context_t ctx;
  zmq::socket_t router(ctx, zmq::socket_type::router);
  router.set(zmq::sockopt::router_mandatory, 1);
  router.bind(endpoint);
  std::vector<std::string> ids;
  while (static_cast<int>(ids.size()) < peers) {
    zmq::message_t id, body;
    (void)router.recv(id);
    (void)router.recv(body);
    ids.push_back(id.to_string());
  }
  std::printf("peers=%d: one message each way per round, 100 bytes\n", peers);
  std::printf("round anon_kib heap_kib\n%5d %8ld %8ld\n", 0, anon_kib(), heap_kib());
  const std::string payload(100, 'y');
  for (int r = 1; r <= rounds; ++r) {
    for (const auto& id : ids) {
      router.send(zmq::buffer(id), zmq::send_flags::sndmore);
      router.send(zmq::buffer(payload), zmq::send_flags::none);
    }
    for (int n = 0; n < peers; ++n) {
      zmq::message_t id, body;
      (void)router.recv(id);
      (void)router.recv(body);
    }
    if (r % every == 0) std::printf("%5d %8ld %8ld\n", r, anon_kib(), heap_kib());
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return 0;
}
