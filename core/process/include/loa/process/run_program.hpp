#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace loa::process {

struct Ran {
  bool ok = false;      // started, and exited 0 in time
  std::string output;   // what it wrote to stdout (at most 64 KiB)
  std::string problem;  // why not ok
};

// Runs a program found on PATH, or by path, with these arguments (no shell: nothing in
// them is parsed again), collects its standard output, and kills it past `timeout`.
[[nodiscard]] Ran run_program(std::vector<std::string> args,
                              std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace loa::process
