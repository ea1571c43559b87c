#include "snapcast_beside.hpp"

#include <csignal>
#include <thread>

namespace loa::bench {
namespace {

// Percent-encodes what is not a URI's unreserved character (snapserver's source is a URI).
std::string uri_encoded(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

SnapcastBeside::SnapcastBeside(const std::string& dir, const std::string& source_pipeline, int clients) {
  if (test::run_command("command -v snapserver && command -v snapclient").exit_code != 0) return;
  const int port = test::free_port();
  test::write_file(dir + "/snapserver.conf", "");
  const auto params = "-q " + source_pipeline + " ! audio/x-raw,format=S16LE,rate=48000,channels=2 ! fdsink fd=1";
  server_ = std::make_unique<test::ChildProcess>(
      std::vector<std::string>{"snapserver", "-c", dir + "/snapserver.conf", "--server.datadir=" + dir,
                               "--http.enabled=0", "--tcp.enabled=0", "--stream.port=" + std::to_string(port),
                               "--stream.bind_to_address=127.0.0.1", "--logging.sink=stderr",
                               "--stream.source=process:///usr/bin/gst-launch-1.0?name=loa&sampleformat=48000:16:2"
                               "&codec=opus&params=" + uri_encoded(params)},
      dir + "/snapserver.log");
  std::this_thread::sleep_for(std::chrono::seconds(1));
  for (int i = 0; i < clients; ++i) {
    clients_.push_back(std::make_unique<test::ChildProcess>(
        std::vector<std::string>{"snapclient", "-h", "127.0.0.1", "-p", std::to_string(port), "--player",
                                 "file:filename=null", "--hostID", "bench-" + std::to_string(i + 1), "--instance",
                                 std::to_string(i + 1), "--logsink", "stderr"},
        dir + "/snapclient-" + std::to_string(i + 1) + ".log"));
  }
}

SnapcastBeside::~SnapcastBeside() {
  clients_.clear();
  // SIGTERM, so that the server ends its gst-launch child too.
  if (server_) server_->stop(SIGTERM);
}

bool SnapcastBeside::ok() const {
  if (!server_ || !server_->running()) return false;
  for (const auto& c : clients_) {
    if (!c->running()) return false;
  }
  return true;
}

std::vector<pid_t> SnapcastBeside::client_pids() const {
  std::vector<pid_t> pids;
  for (const auto& c : clients_) pids.push_back(c->pid());
  return pids;
}

}  // namespace loa::bench
