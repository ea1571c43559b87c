#pragma once

#include <string>

#include "support/process.hpp"

// The CAP messages in tests/integration/cap, for tests built with LOA_CAP_EXAMPLES set.
namespace loa::test {

[[nodiscard]] inline std::string cap_example(const std::string& name) {
  return read_file(std::string(LOA_CAP_EXAMPLES) + "/" + name);
}

}  // namespace loa::test
