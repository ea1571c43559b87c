#pragma once

#include <chrono>
#include <regex>
#include <string>
#include <vector>

#include "support/fleet.hpp"
#include "support/process.hpp"

namespace loa::test {

// A loa-devsim process simulating one Modbus device over TCP on a free port, with a
// fault file the test writes fault names into.
struct Devsim {
  // `options`: more of loa-devsim's options (a battery's charge, its time factor).
  Devsim(const std::string& dir, const std::string& name, const std::string& profile_path,
         const std::vector<std::string>& options = {})
      : fault_file(dir + "/" + name + ".faults") {
    write_file(fault_file, "");
    std::vector<std::string> argv{bin("loa-devsim"), "--profile", profile_path, "--tcp", "127.0.0.1:0", "--fault-file",
                                  fault_file};
    argv.insert(argv.end(), options.begin(), options.end());
    process = ChildProcess(argv, dir + "/" + name + ".log");
    eventually([&] { return process.log().find("devsim: tcp://") != std::string::npos; }, std::chrono::seconds(5));
    std::smatch m;
    const auto log = process.log();
    if (std::regex_search(log, m, std::regex("devsim: tcp://[^:]+:(\\d+)"))) port = std::stoi(m[1]);
  }
  void faults(const std::string& text) const { write_file(fault_file, text); }

  std::string fault_file;
  ChildProcess process;
  int port = 0;
};

}  // namespace loa::test
