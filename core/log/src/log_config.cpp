#include "loa/log/log_config.hpp"

namespace loa::log {

void read_log_options(config::ConfigSection section, Level& level, Target& target) {
  std::string text;
  section.read("level", text);
  if (!text.empty()) {
    auto parsed = parse_level(text);
    if (!parsed) section.fail("level", "must be one of trace, debug, info, warn, error");
    level = *parsed;
  }
  text.clear();
  section.read("target", text);
  if (!text.empty()) {
    auto parsed = parse_target(text);
    if (!parsed) section.fail("target", "must be stderr or journald");
    target = *parsed;
  }
  section.finish();
}

}  // namespace loa::log
