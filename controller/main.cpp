// loa-controller: the central daemon. Parses the command line and hands over.
#include <cstring>
#include <iostream>
#include <string>

#include "loa/app/controller.hpp"
#include "loa/config/config_section.hpp"
#include "loa/daemon/heap.hpp"
#include "loa/daemon/signal_fd.hpp"
#include "loa/store/store.hpp"
#include "loa/version.hpp"

namespace {

void usage(std::ostream& out) {
  out << "usage: loa-controller [--config FILE] [--check-config] [--copy-store-to POSTGRESQL] [--version]\n"
         "  --config FILE    YAML configuration (default: built-in defaults)\n"
         "  --check-config   validate the configuration and exit\n"
         "  --copy-store-to POSTGRESQL\n"
         "                   copy <data_dir>/controller.db into an empty PostgreSQL database (a libpq\n"
         "                   connection string or postgresql:// URL) and exit; then set store.backend\n";
}

}  // namespace

int main(int argc, char** argv) {
  (void)loa::daemon::block_stop_signals();
  loa::daemon::limit_heap_arenas(2);
  loa::daemon::map_large_blocks(16 * 1024);  // libzmq's queue chunks (16,400 bytes) and up
  std::string config_path;
  bool check_only = false;
  std::string copy_to;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg == "--copy-store-to" && i + 1 < argc) {
      copy_to = argv[++i];
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
    if (!copy_to.empty()) {
      // Stop the controller first: the copy is a snapshot of the file.
      for (const auto& [table, rows] : loa::store::copy_sqlite_to_postgres(config.data_dir + "/controller.db", copy_to)) {
        std::cout << table << ": " << rows << "\n";
      }
      std::cout << "copied; set store.backend: postgresql and store.postgresql in the configuration\n";
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
