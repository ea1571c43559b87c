#include "loa/devsim/devsim_server.hpp"

#include <cstdio>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
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

DevsimServer::DevsimServer(std::map<int, SimulatedDevice*> devices, ServerOptions options)
    : devices_(std::move(devices)), options_(std::move(options)) {
  if (devices_.empty()) throw std::invalid_argument("devsim: no device to serve");
}

DevsimServer::~DevsimServer() {
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

std::string DevsimServer::open() {
  if (options_.tcp) {
    ctx_.emplace(modbus::ModbusContext::tcp(*options_.tcp));
    listen_fd_ = ctx_->listen_tcp(16);
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    return "tcp://" + options_.tcp->host + ":" + std::to_string(ntohs(addr.sin_port));
  }
  ctx_.emplace(modbus::ModbusContext::rtu(*options_.rtu));
  ctx_->set_unit(devices_.begin()->first);
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
  std::map<int, std::set<Fault>> faults;
  std::string line;
  while (std::getline(text, line)) {
    line.erase(0, line.find_first_not_of(" \t"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (line.empty() || line[0] == '#') continue;
    int unit = -1;  // every device
    if (auto colon = line.find(':'); colon != std::string::npos) {
      try {
        unit = std::stoi(line.substr(0, colon));
      } catch (...) {
        unit = -2;
      }
      line = line.substr(colon + 1);
    }
    auto f = parse_fault(line);
    if (!f || unit == -2) {
      kLog.warn("unknown fault ignored: line={} file={}", line, options_.fault_file);
      continue;
    }
    for (auto& [u, device] : devices_) {
      if (unit == -1 || unit == u) faults[u].insert(*f);
    }
  }
  for (auto& [u, device] : devices_) {
    std::string names;
    for (auto f : faults[u]) names += std::string(names.empty() ? "" : ",") + to_string(f);
    kLog.info("faults: unit={} now={}", u, names.empty() ? "none" : names);
    device->set_faults(faults[u]);
  }
}

void DevsimServer::answer(modbus::ModbusContext& ctx, int fd) {
  std::vector<std::uint8_t> request;
  // Several units on one RTU port answer each for itself, as on an RS-485 bus.
  const bool bus = options_.rtu && devices_.size() > 1;
  int n = bus ? ctx.receive_any_unit(request, 100) : ctx.receive(request);
  if (n <= 0) return;
  const auto header = static_cast<std::size_t>(ctx.header_length());
  // The unit id is the byte before the function code. A lone device answers whatever
  // unit id it is asked for, as most Modbus TCP devices do; behind a shared port or
  // bus each unit answers for itself.
  auto it = devices_.size() == 1 ? devices_.begin() : devices_.find(request.size() >= header ? request[header - 1] : -1);
  if (it == devices_.end()) return;  // no such unit on this bus: silence, as on a real one
  ++requests_[it->first];
  requests_changed_ = true;
  SimulatedDevice& device = *it->second;
  if (device.has_fault(Fault::no_answer)) return;
  if (device.has_fault(Fault::garbage)) {
    static std::mt19937 rng(1);
    std::vector<std::uint8_t> junk(8 + rng() % 16);
    for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
    (void)!::write(fd, junk.data(), junk.size());
    return;
  }
  if (device.has_fault(Fault::slow_answer)) std::this_thread::sleep_for(options_.slow_delay);
  const auto function = request.size() > static_cast<std::size_t>(ctx.header_length())
                            ? request[static_cast<std::size_t>(ctx.header_length())]
                            : 0;
  if (function == 0x05 || function == 0x06 || function == 0x0F || function == 0x10) {
    // Every write is logged: tests check that refused writes never reach the bus.
    const int address = request.size() > static_cast<std::size_t>(ctx.header_length()) + 2
                            ? (request[static_cast<std::size_t>(ctx.header_length()) + 1] << 8) |
                                  request[static_cast<std::size_t>(ctx.header_length()) + 2]
                            : -1;
    kLog.info("write: unit={} function={} address={}", it->first, function, address);
  }
  if (bus) ctx.set_unit(it->first);  // the reply carries the unit it answers for
  device.reply(ctx, request);
}

void DevsimServer::write_request_counts() {
  if (options_.requests_file.empty() || !requests_changed_) return;
  requests_changed_ = false;
  std::string text;
  for (const auto& [unit, n] : requests_) text += std::to_string(unit) + " " + std::to_string(n) + "\n";
  const auto tmp = options_.requests_file + ".tmp";
  if (std::FILE* f = std::fopen(tmp.c_str(), "w")) {
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
    std::rename(tmp.c_str(), options_.requests_file.c_str());  // readers see it whole
  }
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
      for (auto& [u, device] : devices_) {
        device->step(std::chrono::duration_cast<std::chrono::milliseconds>(now - last_step));
      }
      last_step = now;
      reload_faults();
      write_request_counts();
    }
  }
  for (int c : clients) ::close(c);
}

}  // namespace loa::devsim
