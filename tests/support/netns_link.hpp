#pragma once

#include <unistd.h>

#include <string>
#include <vector>

#include "support/process.hpp"

namespace loa::test {

// A network namespace joined to this one by a veth pair, so a test can cut one agent's
// link (take the veth down) while the others keep theirs. Needs root and iproute2; all
// of it is removed on destruction. `subnet` (1-254) keeps tests that run at the same
// time apart: the pair is 10.231.<subnet>.1 (here) and .2 (inside), on this machine only.
class NetnsLink {
 public:
  explicit NetnsLink(int subnet)
      : suffix_(std::to_string(::getpid() % 100000)), subnet_(std::to_string(subnet)) {
    ns_ = "loa-ns-" + suffix_;
    host_if_ = "loah" + suffix_;
    ns_if_ = "loan" + suffix_;
    ok_ = sh("ip netns add " + ns_) && sh("ip link add " + host_if_ + " type veth peer name " + ns_if_) &&
          sh("ip link set " + ns_if_ + " netns " + ns_) && sh("ip addr add " + host_ip() + "/30 dev " + host_if_) &&
          sh("ip link set " + host_if_ + " up") &&
          sh("ip netns exec " + ns_ + " ip addr add " + ns_ip() + "/30 dev " + ns_if_) &&
          sh("ip netns exec " + ns_ + " ip link set " + ns_if_ + " up") &&
          sh("ip netns exec " + ns_ + " ip link set lo up");
  }
  NetnsLink(const NetnsLink&) = delete;
  NetnsLink& operator=(const NetnsLink&) = delete;
  ~NetnsLink() {
    sh("ip link del " + host_if_);
    sh("ip netns del " + ns_);
  }
  // Whether this machine lets the test make one (root, iproute2); error() says why not.
  [[nodiscard]] static bool possible() { return ::geteuid() == 0 && run_command("command -v ip").exit_code == 0; }
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] std::string host_ip() const { return "10.231." + subnet_ + ".1"; }
  [[nodiscard]] std::string ns_ip() const { return "10.231." + subnet_ + ".2"; }
  [[nodiscard]] std::vector<std::string> exec_prefix() const { return {"ip", "netns", "exec", ns_}; }
  bool set_link(bool up) { return sh("ip link set " + host_if_ + (up ? " up" : " down")); }
  // Impairs what is sent from this side into the namespace (tc netem, e.g.
  // "loss 5% delay 50ms 100ms"); empty removes it.
  bool impair(const std::string& netem) {
    if (netem.empty()) return sh("tc qdisc del dev " + host_if_ + " root");
    return sh("tc qdisc replace dev " + host_if_ + " root netem " + netem);
  }
  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  bool sh(const std::string& cmd) {
    auto r = run_command(cmd);
    if (r.exit_code != 0 && error_.empty()) error_ = cmd + ": " + r.out;
    return r.exit_code == 0;
  }
  std::string suffix_, subnet_, ns_, host_if_, ns_if_, error_;
  bool ok_ = false;
};

}  // namespace loa::test
