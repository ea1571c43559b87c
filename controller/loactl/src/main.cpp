// loactl: the command-line client of the controller's HTTP API.
#include <csignal>
#include <string>
#include <vector>

#include "loa/loactl/cli.hpp"

int main(int argc, char** argv) {
  // A controller that refuses an upload closes the connection under us: a failed
  // write, not a reason to die.
  std::signal(SIGPIPE, SIG_IGN);
  return loa::loactl::run(std::vector<std::string>(argv + 1, argv + argc), loa::loactl::connect_http);
}
