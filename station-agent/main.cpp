// loa-agent: the station daemon. Parses the command line and hands over.
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include <unistd.h>

#include "loa/agent/agent.hpp"
#include "loa/agent/agent_state.hpp"
#include "loa/agent/release_keeper.hpp"
#include "loa/config/config_section.hpp"
#include "loa/curve/key_pair.hpp"
#include "loa/hwconfig/check_config.hpp"
#include "loa/version.hpp"

namespace {

void usage(std::ostream& out) {
  out << "usage: loa-agent [run] [--config FILE]      run the station agent\n"
         "       loa-agent keygen [--config FILE]     print this station's public key (made if missing)\n"
         "       loa-agent fingerprint [--config FILE]\n"
         "                                            print its fingerprint, for the operator who approves it\n"
         "       loa-agent journal [--config FILE] [--limit N]\n"
         "                                            list the commands this station applied\n"
         "       loa-agent check-config FILE...         check hardware files: device profiles, band plans,\n"
         "                                            station hardware (exit 1 on the first bad one)\n"
         "       loa-agent --check-config [--config FILE]\n"
         "                                            validate the configuration and exit\n"
         "       loa-agent --version\n";
}

int print_journal(const loa::agent::AgentConfig& config, std::size_t limit) {
  loa::agent::AgentState state(config.state_dir + "/agent.db");
  std::cout << "SEQ\tAPPLIED\tCOMMAND\tKIND\tOUTCOME\tDETAIL\tEPOCH\n";
  for (const auto& e : state.journal(limit)) {
    std::time_t t = e.applied_ms / 1000;
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", std::localtime(&t));
    std::cout << e.seq << '\t' << when << '\t' << e.command_id << '\t' << e.kind << '\t' << e.outcome << '\t'
              << e.detail << '\t' << e.controller_epoch << '\n';
  }
  return 0;
}

}  // namespace

int check_hardware_files(int argc, char** argv) {
  std::vector<std::string> files(argv + 2, argv + argc);
  if (files.empty()) {
    usage(std::cerr);
    return 2;
  }
  auto errors = loa::hwconfig::check_config_files(files);
  for (const auto& e : errors) std::cerr << e << "\n";
  if (errors.empty()) std::cout << files.size() << " file(s) ok\n";
  return errors.empty() ? 0 : 1;
}

// Hands over to the agent release in force when it is another program than this one
// (see ReleaseKeeper); returns only when this program is the one to run.
void run_release_in_force(const loa::agent::AgentConfig& config, char** argv) {
  loa::agent::ReleaseKeeper releases(config.state_dir, loa::kVersion);
  const auto program = releases.program_to_run(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  if (program.empty()) return;
  std::cout.flush();
  ::execv(program.c_str(), argv);
  std::cerr << "loa-agent: cannot run release " << program << ": " << std::strerror(errno) << "\n";
}

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "check-config") return check_hardware_files(argc, argv);
  std::string command = "run";
  std::string config_path;
  std::size_t limit = 100;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg == "--limit" && i + 1 < argc) {
      limit = std::stoul(argv[++i]);
    } else if (arg == "--check-config") {
      command = "check-config";
    } else if (arg == "--version") {
      std::cout << "loa-agent " << loa::kVersion << "\n";
      return 0;
    } else if (arg == "--help" || arg == "-h") {
      usage(std::cout);
      return 0;
    } else if (i == 1 && (arg == "run" || arg == "keygen" || arg == "fingerprint" || arg == "journal")) {
      command = arg;
    } else {
      usage(std::cerr);
      return 2;
    }
  }
  try {
    auto config = loa::agent::load_agent_config(config_path);
    if (command == "check-config") {
      std::cout << (config_path.empty() ? "defaults" : config_path) << ": ok\n";
      return 0;
    }
    if (command == "keygen") {
      std::cout << loa::agent::agent_public_key(config) << "\n";
      return 0;
    }
    if (command == "fingerprint") {
      std::cout << loa::curve::fingerprint(loa::agent::agent_public_key(config)) << "\n";
      return 0;
    }
    if (command == "journal") return print_journal(config, limit);
    run_release_in_force(config, argv);
    loa::log::init("loa-agent", config.log.level, config.log.target);
    int code = 0;
    {
      loa::agent::Agent agent(config, loa::kVersion);
      code = agent.run();
    }  // everything it held is closed before a restart
    if (code == loa::agent::Agent::kRestart) {
      run_release_in_force(config, argv);
      std::cout.flush();
      ::execv("/proc/self/exe", argv);
      std::cerr << "loa-agent: cannot restart itself: " << std::strerror(errno) << "\n";
      return 1;  // the service manager starts it again
    }
    return code;
  } catch (const loa::config::ConfigError& e) {
    std::cerr << "loa-agent: " << e.what() << "\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "loa-agent: " << e.what() << "\n";
    return 1;
  }
}
