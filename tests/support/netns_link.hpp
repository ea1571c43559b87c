#pragma once

#include <memory>
#include <string>
#include <vector>

#include "support/delay_line.hpp"

namespace loa::test {

// What a field link does to packets, one way each (both directions get the same).
struct Impairment {
  int loss_percent = 0;   // random loss
  int delay_ms = 0;       // one way: a round trip is twice this
  int jitter_ms = 0;      // +- around the delay
  int rate_kbit = 0;      // bandwidth cap (0: none)
  [[nodiscard]] std::string describe() const;
};

// A network namespace joined to this one, so a test can cut or impair one agent's link
// while the others keep theirs. Needs root and iproute2; all of it is removed on
// destruction. `subnet` (1-254) keeps links that exist at the same time apart: the pair
// is 10.231.<subnet>.1 (here) and .2 (inside), on this machine only.
//
// The join is a veth pair, or, with Wire::delay_line, two TUN devices with a userspace
// DelayLine between them (for delay and jitter where the kernel has no netem).
// impair() uses netem where the kernel has it; otherwise loss is nftables' random drop
// in the namespace, bandwidth a tbf qdisc on each side, and delay the delay line.
class NetnsLink {
 public:
  enum class Wire { veth, delay_line };
  explicit NetnsLink(int subnet, Wire wire = Wire::veth);
  NetnsLink(const NetnsLink&) = delete;
  NetnsLink& operator=(const NetnsLink&) = delete;
  ~NetnsLink();

  // Whether this machine lets the test make one (root, iproute2).
  [[nodiscard]] static bool possible();
  // Whether impair() can give loss and bandwidth without netem (nftables, tbf).
  [[nodiscard]] static bool can_impair_without_netem();
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] std::string host_ip() const { return "10.231." + subnet_ + ".1"; }
  [[nodiscard]] std::string ns_ip() const { return "10.231." + subnet_ + ".2"; }
  [[nodiscard]] std::vector<std::string> exec_prefix() const { return {"ip", "netns", "exec", ns_}; }
  bool set_link(bool up);
  // Replaces whatever impairment there was; {} removes it. False (error() says why)
  // when this machine cannot give it, e.g. a delay on a veth without netem.
  bool impair(const Impairment& impairment);
  [[nodiscard]] bool uses_netem() const { return netem_; }
  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  bool sh(const std::string& cmd);
  void clear();
  bool impair_with_netem(const Impairment& impairment);

  std::string suffix_, subnet_, ns_, host_if_, ns_if_, error_;
  std::unique_ptr<DelayLine> line_;
  bool ok_ = false;
  bool netem_ = false;
};

}  // namespace loa::test
