#pragma once

#include "loa/config/config_section.hpp"
#include "loa/log/log.hpp"

namespace loa::log {

// Reads a `log:` section (level, target) shared by both daemons' configurations.
void read_log_options(config::ConfigSection section, Level& level, Target& target);

}  // namespace loa::log
