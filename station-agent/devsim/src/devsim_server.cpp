#include "loa/devsim/devsim_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "loa/log/log.hpp"

namespace loa::devsim {
namespace {

const log::Logger kLog("devsim");

}  // namespace

DevsimServer::DevsimServer(SimulatedDevice& device, ServerOptions options)
    : device_(device), options_(std::move(options)) {}

DevsimServer::~DevsimServer() {
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

std::string DevsimServer::open() {
  if (options_.tcp) {
    ctx_.emplace(modbus::ModbusContext::tcp(*options_.tcp));
    ctx_->set_unit(options_.unit_id);
    listen_fd_ = ctx_->listen_tcp(16);
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    return "tcp://" + options_.tcp->host + ":" + std::to_string(ntohs(addr.sin_port));
  }
  ctx_.emplace(modbus::ModbusContext::rtu(*options_.rtu));
  ctx_->set_unit(options_.unit_id);
  if (!ctx_->connect()) throw modbus::ModbusError(ctx_->last_error(), "open " + options_.rtu->device);
  return "rtu://" + options_.rtu->device;
}

void DevsimServer::reload_faults() {
  if (options_.fault_file.empty()) return;
  std::ifstream in(options_.fault_file);
  std::stringstream text;
  text << in.rdbuf();
  if (text.str() == fault_file_text_) return;
  fault_file_text_ = text.str();
  std::set<Fault> faults;
  std::string line;
  while (std::getline(text, line)) {
    line.erase(0, line.find_first_not_of(" \t"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (line.empty() || line[0] == '#') continue;
    if (auto f = parse_fault(line)) {
      faults.insert(*f);
    } else {
      kLog.warn("unknown fault ignored: name={} file={}", line, options_.fault_file);
    }
  }
  std::string names;
  for (auto f : faults) names += std::string(names.empty() ? "" : ",") + to_string(f);
  kLog.info("faults: now={}", names.empty() ? "none" : names);
  device_.set_faults(std::move(faults));
}

void DevsimServer::answer(modbus::ModbusContext& ctx, int fd) {
  std::vector<std::uint8_t> request;
  int n = ctx.receive(request);
  if (n <= 0) return;
  if (device_.has_fault(Fault::no_answer)) return;
  if (device_.has_fault(Fault::garbage)) {
    static std::mt19937 rng(1);
    std::vector<std::uint8_t> junk(8 + rng() % 16);
    for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
    (void)!::write(fd, junk.data(), junk.size());
    return;
  }
  if (device_.has_fault(Fault::slow_answer)) std::this_thread::sleep_for(options_.slow_delay);
  const auto function = request.size() > static_cast<std::size_t>(ctx.header_length())
                            ? request[static_cast<std::size_t>(ctx.header_length())]
                            : 0;
  if (function == 0x05 || function == 0x06 || function == 0x0F || function == 0x10) {
    // Every write is logged: tests check that refused writes never reach the bus.
    const int address = request.size() > static_cast<std::size_t>(ctx.header_length()) + 2
                            ? (request[static_cast<std::size_t>(ctx.header_length()) + 1] << 8) |
                                  request[static_cast<std::size_t>(ctx.header_length()) + 2]
                            : -1;
    kLog.info("write: function={} address={}", function, address);
  }
  device_.reply(ctx, request);
}

void DevsimServer::run(const std::atomic<bool>& stop, int extra_fd) {
  std::vector<int> clients;
  auto last_step = std::chrono::steady_clock::now();
  reload_faults();
  while (!stop.load()) {
    fd_set readable;
    FD_ZERO(&readable);
    int max_fd = -1;
    auto watch = [&](int fd) {
      if (fd < 0) return;
      FD_SET(fd, &readable);
      max_fd = std::max(max_fd, fd);
    };
    watch(extra_fd);
    if (listen_fd_ >= 0) {
      watch(listen_fd_);
      for (int c : clients) watch(c);
    } else {
      watch(ctx_->socket());
    }
    timeval tv{0, static_cast<suseconds_t>(options_.step.count() * 1000)};
    int ready = ::select(max_fd + 1, &readable, nullptr, nullptr, &tv);
    if (extra_fd >= 0 && ready > 0 && FD_ISSET(extra_fd, &readable)) break;
    if (ready > 0) {
      if (listen_fd_ >= 0) {
        if (FD_ISSET(listen_fd_, &readable)) {
          int fd = ctx_->accept_tcp(listen_fd_);
          if (fd >= 0) clients.push_back(fd);
        }
        for (auto it = clients.begin(); it != clients.end();) {
          if (!FD_ISSET(*it, &readable)) {
            ++it;
            continue;
          }
          ctx_->set_socket(*it);
          // A TCP client that hung up reads as an error: forget it.
          char peek = 0;
          if (::recv(*it, &peek, 1, MSG_PEEK | MSG_DONTWAIT) <= 0) {
            ::close(*it);
            it = clients.erase(it);
            continue;
          }
          answer(*ctx_, *it);
          ++it;
        }
      } else if (FD_ISSET(ctx_->socket(), &readable)) {
        answer(*ctx_, ctx_->socket());
      }
    }
    auto now = std::chrono::steady_clock::now();
    if (now - last_step >= options_.step) {
      device_.step(std::chrono::duration_cast<std::chrono::milliseconds>(now - last_step));
      last_step = now;
      reload_faults();
    }
  }
  for (int c : clients) ::close(c);
}

}  // namespace loa::devsim
