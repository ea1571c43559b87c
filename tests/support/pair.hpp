#pragma once

// What a test of a standby controller pair reads: each controller's role and lease epoch
// from its health route, and what a station journalled (`loa-agent journal`), with the
// epoch of the controller each command came from.
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "support/fleet.hpp"

namespace loa::test {

// A controller's health (an empty object while it is between standby and active).
inline nlohmann::json health_of(const Fleet& f) {
  auto body = f.api("GET", "/api/v1/health").body;
  return body.is_object() ? body : nlohmann::json::object();
}
inline std::string role_of(const Fleet& f) { return health_of(f).value("role", ""); }
inline std::uint64_t epoch_of(const Fleet& f) { return health_of(f).value("epoch", std::uint64_t{0}); }

// One line of `loa-agent journal`.
struct Journalled {
  std::string command, outcome;
  std::uint64_t epoch = 0;
};

inline std::vector<Journalled> journal_of(const Fleet& fleet, const std::string& station) {
  std::vector<Journalled> out;
  std::istringstream lines(fleet.agent_journal(station));
  std::string line;
  std::getline(lines, line);  // the heading
  while (std::getline(lines, line)) {
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string x; std::getline(fields, x, '\t');) f.push_back(x);
    if (f.size() >= 7) out.push_back({f[2], f[4], std::stoull(f[6])});
  }
  return out;
}

// Agent configuration naming both controllers of a pair, `first` first.
inline std::string both_controllers(const Fleet& first, const Fleet& second) {
  const auto tcp = [](int port) { return "tcp://127.0.0.1:" + std::to_string(port); };
  return "  endpoints: [" + tcp(first.control_port()) + ", " + tcp(second.control_port()) + "]\n" +
         "  enroll_endpoints: [" + tcp(first.enroll_port()) + ", " + tcp(second.enroll_port()) + "]\n";
}

// Starts a pair as a district sets one up: `a` first (it takes the lease), then `b`
// with a's controller key, so that both are one identity to the stations; stations
// started from `a` know both. Returns each one's role once it answers.
inline std::pair<std::string, std::string> start_pair(Fleet& a, Fleet& b) {
  a.set_agent_controller(both_controllers(a, b));
  a.start_controller();
  const auto first = role_of(a);
  std::filesystem::create_directories(b.dir() + "/controller");
  std::filesystem::copy_file(a.dir() + "/controller/controller.key", b.dir() + "/controller/controller.key");
  b.start_controller();
  return {first, role_of(b)};
}

// The controller part of a pair's configuration: the store, and the lease.
inline std::string pair_config(const std::string& postgresql, const std::string& node) {
  return "store:\n  backend: postgresql\n  postgresql: \"" + postgresql + "\"\nha:\n  enabled: true\n  node: " + node +
         "\n  lease_ttl_ms: 3000\n  lease_renew_ms: 500\n";
}

// loactl as a script runs it, given both controllers' URLs.
inline CommandResult loactl_both(const Fleet& a, const Fleet& b, const std::string& args) {
  return run_command(bin("loactl") + " --url http://127.0.0.1:" + std::to_string(a.http_port()) +
                     ",http://127.0.0.1:" + std::to_string(b.http_port()) + " --token " + a.token() + " " + args +
                     " 2>&1");
}

}  // namespace loa::test
