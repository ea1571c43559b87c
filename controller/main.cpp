// loa-controller: the central daemon. Parses the command line and hands over.
#include <cstring>
#include <iostream>
#include <string>

#include "loa/app/controller.hpp"
#include "loa/config/config_section.hpp"
#include "loa/daemon/signal_fd.hpp"
#include "loa/version.hpp"

namespace {

void usage(std::ostream& out) {
  out << "usage: loa-controller [--config FILE] [--check-config] [--version]\n"
         "  --config FILE    YAML configuration (default: built-in defaults)\n"
         "  --check-config   validate the configuration and exit\n";
}

}  // namespace

int main(int argc, char** argv) {
  (void)loa::daemon::block_stop_signals();
  std::string config_path;
  bool check_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg == "--check-config") {
      check_only = true;
    } else if (arg == "--version") {
      std::cout << "loa-controller " << loa::kVersion << "\n";
      return 0;
    } else if (arg == "--help" || arg == "-h") {
      usage(std::cout);
      return 0;
    } else {
      usage(std::cerr);
      return 2;
    }
  }
  try {
    auto config = loa::app::load_controller_config(config_path);
    if (check_only) {
      std::cout << (config_path.empty() ? "defaults" : config_path) << ": ok\n";
      return 0;
    }
    loa::log::init("loa-controller", config.log.level, config.log.target);
    return loa::app::run_until_signalled(config);
  } catch (const loa::config::ConfigError& e) {
    std::cerr << "loa-controller: " << e.what() << "\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "loa-controller: " << e.what() << "\n";
    return 1;
  }
}
