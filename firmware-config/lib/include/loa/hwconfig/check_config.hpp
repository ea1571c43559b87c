#pragma once

#include <string>
#include <vector>

namespace loa::hwconfig {

// Checks hardware files of any kind (device profile, band plan, station hardware; told
// apart by their top-level keys). Returns one "FILE:LINE: field: problem" line per bad
// file; empty when all are good.
[[nodiscard]] std::vector<std::string> check_config_files(const std::vector<std::string>& paths);

}  // namespace loa::hwconfig
