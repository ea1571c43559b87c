#include "support/netns_link.hpp"

#include <unistd.h>

#include "support/process.hpp"

namespace loa::test {

std::string Impairment::describe() const {
  return "loss " + std::to_string(loss_percent) + "% delay " + std::to_string(delay_ms) + "ms +-" +
         std::to_string(jitter_ms) + "ms (one way) rate " + (rate_kbit ? std::to_string(rate_kbit) + "kbit" : "-");
}

NetnsLink::NetnsLink(int subnet, Wire wire)
    : suffix_(std::to_string(::getpid() % 10000) + "x" + std::to_string(subnet)), subnet_(std::to_string(subnet)) {
  ns_ = "loa-ns-" + suffix_;
  host_if_ = "loah" + suffix_;
  ns_if_ = "loan" + suffix_;
  if (!sh("ip netns add " + ns_)) return;
  if (wire == Wire::veth) {
    ok_ = sh("ip link add " + host_if_ + " type veth peer name " + ns_if_) &&
          sh("ip link set " + ns_if_ + " netns " + ns_) && sh("ip addr add " + host_ip() + "/30 dev " + host_if_) &&
          sh("ip netns exec " + ns_ + " ip addr add " + ns_ip() + "/30 dev " + ns_if_);
  } else {
    line_ = std::make_unique<DelayLine>(host_if_, ns_if_);
    if (!line_->ok()) {
      error_ = line_->error();
      return;
    }
    ok_ = sh("ip link set " + ns_if_ + " netns " + ns_) &&
          sh("ip addr add " + host_ip() + " peer " + ns_ip() + " dev " + host_if_) &&
          sh("ip netns exec " + ns_ + " ip addr add " + ns_ip() + " peer " + host_ip() + " dev " + ns_if_);
  }
  ok_ = ok_ && sh("ip link set " + host_if_ + " up") && sh("ip netns exec " + ns_ + " ip link set " + ns_if_ + " up") &&
        sh("ip netns exec " + ns_ + " ip link set lo up");
}

NetnsLink::~NetnsLink() {
  sh("ip link del " + host_if_);
  sh("ip netns del " + ns_);
  line_.reset();  // the TUN devices go with their descriptors
}

bool NetnsLink::possible() { return ::geteuid() == 0 && run_command("command -v ip").exit_code == 0; }

bool NetnsLink::can_impair_without_netem() {
  return possible() && run_command("command -v nft && command -v tc").exit_code == 0;
}

bool NetnsLink::set_link(bool up) { return sh("ip link set " + host_if_ + (up ? " up" : " down")); }

bool NetnsLink::sh(const std::string& cmd) {
  auto r = run_command(cmd);
  if (r.exit_code != 0 && error_.empty()) error_ = cmd + ": " + r.out;
  return r.exit_code == 0;
}

void NetnsLink::clear() {
  const std::string in_ns = "ip netns exec " + ns_ + " ";
  // Each may have nothing to remove; only a failure to impair is an error.
  (void)run_command("tc qdisc del dev " + host_if_ + " root 2>/dev/null");
  (void)run_command(in_ns + "tc qdisc del dev " + ns_if_ + " root 2>/dev/null");
  (void)run_command(in_ns + "nft delete table inet loa_impair 2>/dev/null");
  if (line_) line_->set({}, {});
  netem_ = false;
}

bool NetnsLink::impair_with_netem(const Impairment& m) {
  std::string spec = "netem";
  if (m.delay_ms) spec += " delay " + std::to_string(m.delay_ms) + "ms " + std::to_string(m.jitter_ms) + "ms";
  if (m.loss_percent) spec += " loss " + std::to_string(m.loss_percent) + "%";
  if (m.rate_kbit) spec += " rate " + std::to_string(m.rate_kbit) + "kbit";
  const auto host = run_command("tc qdisc replace dev " + host_if_ + " root " + spec + " 2>&1");
  if (host.exit_code != 0) return false;  // no netem in this kernel
  netem_ = sh("ip netns exec " + ns_ + " tc qdisc replace dev " + ns_if_ + " root " + spec);
  return netem_;
}

bool NetnsLink::impair(const Impairment& m) {
  clear();
  if (m.loss_percent == 0 && m.delay_ms == 0 && m.jitter_ms == 0 && m.rate_kbit == 0) return true;
  if (impair_with_netem(m)) return true;
  const std::string in_ns = "ip netns exec " + ns_ + " ";
  if (m.delay_ms || m.jitter_ms) {
    if (!line_) {
      error_ = "a delay needs netem or a link made with Wire::delay_line";
      return false;
    }
    line_->set(std::chrono::milliseconds(m.delay_ms), std::chrono::milliseconds(m.jitter_ms));
  }
  if (m.loss_percent) {
    const std::string drop = "numgen random mod 100 lt " + std::to_string(m.loss_percent) + " drop";
    if (!sh(in_ns + "nft add table inet loa_impair") ||
        !sh(in_ns + "nft add chain inet loa_impair in '{ type filter hook input priority 0; }'") ||
        !sh(in_ns + "nft add chain inet loa_impair out '{ type filter hook output priority 0; }'") ||
        !sh(in_ns + "nft add rule inet loa_impair in " + drop) ||
        !sh(in_ns + "nft add rule inet loa_impair out " + drop)) {
      return false;
    }
  }
  if (m.rate_kbit) {
    // A buffer of about 200 ms at the rate, as a cellular bearer holds.
    const std::string tbf = " root tbf rate " + std::to_string(m.rate_kbit) + "kbit burst 16kb latency 200ms";
    if (!sh("tc qdisc replace dev " + host_if_ + tbf) || !sh(in_ns + "tc qdisc replace dev " + ns_if_ + tbf)) {
      return false;
    }
  }
  return true;
}

}  // namespace loa::test
