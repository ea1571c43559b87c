// Frames from an admitted station, through the controller's real control-link handlers:
// a whole controller runs in this process (SQLite in a scratch folder, sockets on
// loopback), and a CURVE client with an approved key sends each input as one frame on
// the control socket, then a Hello. The Welcome that answers the Hello says the input
// was handled; a controller that stops answering is a finding, as is any crash.
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <httplib.h>
#include <zmq.hpp>

#include "in_process_controller.hpp"
#include "loa/curve/key_pair.hpp"
#include "loa/wire/codec.hpp"

namespace {

const std::string kToken = "fuzz-link-token-0123456789";
const std::string kStation = "fz-1";

struct Link {
  loa::fuzz::InProcessController app{"link", kToken};
  loa::curve::KeyPair keys = loa::curve::generate();
  std::string server_key;
  zmq::context_t ctx{1};
  std::unique_ptr<zmq::socket_t> socket;

  Link() {
    std::ifstream pub(app.dir() + "/controller.pub");
    std::getline(pub, server_key);
    httplib::Client api("127.0.0.1", app.controller().http_port());
    api.set_bearer_token_auth(kToken.c_str());
    const std::string body = R"({"id": ")" + kStation + R"(", "public_key": ")" + keys.public_z85 + R"("})";
    auto res = api.Post("/api/v1/stations", body, "application/json");
    if (!res || res->status != 201) {
      std::fprintf(stderr, "cannot provision the fuzzing station\n");
      std::abort();
    }
    connect();
  }
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;
  ~Link() { socket.reset(); }

  void connect() {
    socket = std::make_unique<zmq::socket_t>(ctx, zmq::socket_type::dealer);
    socket->set(zmq::sockopt::linger, 0);
    socket->set(zmq::sockopt::curve_serverkey, server_key);
    socket->set(zmq::sockopt::curve_publickey, keys.public_z85);
    socket->set(zmq::sockopt::curve_secretkey, keys.secret_z85);
    socket->connect(app.controller().control_endpoint());
  }

  // Sends a Hello and waits for the Welcome, dropping everything before it.
  bool handled_within(std::chrono::milliseconds timeout) {
    loa::wire::v1::Envelope hello;
    hello.mutable_hello()->set_station_id(kStation);
    hello.mutable_hello()->set_software_version("fuzz");
    const auto frame = loa::wire::encode(hello);
    (void)socket->send(zmq::buffer(frame), zmq::send_flags::dontwait);
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      socket->set(zmq::sockopt::rcvtimeo, 200);
      zmq::message_t msg;
      if (!socket->recv(msg)) continue;
      auto decoded = loa::wire::decode(msg.to_string_view(), 1 << 20);
      if (decoded.ok() && decoded.envelope().has_welcome()) return true;
    }
    return false;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Link app;
  static bool first = app.handled_within(std::chrono::seconds(10));
  if (!first) {
    std::fprintf(stderr, "the controller never welcomed the fuzzing station\n");
    std::abort();
  }
  (void)app.socket->send(zmq::buffer(data, size), zmq::send_flags::dontwait);
  if (app.handled_within(std::chrono::seconds(3))) return 0;
  // A frame may lose us the connection (libzmq drops a peer for some malformed
  // traffic); a new one must be welcomed at once, or the controller is stuck.
  app.connect();
  if (!app.handled_within(std::chrono::seconds(5))) {
    std::fprintf(stderr, "the controller stopped answering after a %zu-byte frame\n", size);
    std::abort();
  }
  return 0;
}
