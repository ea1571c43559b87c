// loa-devsim: a simulated station device (transmitter, amplifier) over Modbus TCP or RTU,
// from the same profiles the agent reads. Parses the command line and hands over.
#include <atomic>
#include <iostream>
#include <set>
#include <string>

#include "loa/config/config_section.hpp"
#include "loa/daemon/signal_fd.hpp"
#include "loa/devsim/devsim_server.hpp"
#include "loa/log/log.hpp"

namespace {

const char* kUsage = R"(usage: loa-devsim --profile FILE (--tcp HOST:PORT | --rtu DEVICE) [options]
  --profile FILE       device profile (firmware-config/profiles/*.yaml)
  --tcp HOST:PORT      serve Modbus TCP (port 0: any free port)
  --rtu DEVICE         serve Modbus RTU on a serial device or one end of a pty pair
  --baud N             RTU speed (default: the profile's)
  --unit N             unit id (default: the profile's)
  --carrier-khz K      healthy carrier frequency (default 64500)
  --fault NAME         start with a fault (repeatable): out_of_band over_power over_temperature
                       high_vswr pll_unlock mains_loss no_answer slow_answer garbage
  --fault-file PATH    faults to show, one per line, re-read when the file changes
Prints "devsim: tcp://HOST:PORT" (or rtu://DEVICE) once it answers.
)";

}  // namespace

int main(int argc, char** argv) {
  loa::daemon::SignalFd signals;
  std::string profile_path;
  std::string tcp;
  loa::devsim::ServerOptions options;
  loa::devsim::SimulationSettings sim;
  std::set<loa::devsim::Fault> faults;
  std::optional<int> unit;
  std::optional<int> baud;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "loa-devsim: " << a << " needs a value\n" << kUsage;
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--profile") profile_path = next();
    else if (a == "--tcp") tcp = next();
    else if (a == "--rtu") options.rtu = loa::modbus::RtuEndpoint{next()};
    else if (a == "--baud") baud = std::stoi(next());
    else if (a == "--unit") unit = std::stoi(next());
    else if (a == "--carrier-khz") sim.carrier_khz = std::stod(next());
    else if (a == "--fault-file") options.fault_file = next();
    else if (a == "--fault") {
      auto name = next();
      auto f = loa::devsim::parse_fault(name);
      if (!f) {
        std::cerr << "loa-devsim: unknown fault " << name << "\n";
        return 2;
      }
      faults.insert(*f);
    } else if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else {
      std::cerr << kUsage;
      return 2;
    }
  }
  if (profile_path.empty() || tcp.empty() == !options.rtu) {
    std::cerr << kUsage;
    return 2;
  }
  try {
    loa::log::init("loa-devsim", loa::log::Level::info);
    auto profile = loa::hwconfig::load_device_profile(profile_path);
    if (!tcp.empty()) {
      auto colon = tcp.rfind(':');
      options.tcp = loa::modbus::TcpEndpoint{tcp.substr(0, colon), std::stoi(tcp.substr(colon + 1))};
    } else {
      options.rtu->baud = baud.value_or(profile.rtu.baud);
      options.rtu->parity = profile.rtu.parity;
      options.rtu->data_bits = profile.rtu.data_bits;
      options.rtu->stop_bits = profile.rtu.stop_bits;
    }
    options.unit_id = unit.value_or(profile.unit_id);
    loa::devsim::SimulatedDevice device(profile, sim);
    device.set_faults(faults);
    loa::devsim::DevsimServer server(device, options);
    std::cout << "devsim: " << server.open() << std::endl;
    std::atomic<bool> stop{false};
    server.run(stop, signals.fd());
    return 0;
  } catch (const loa::config::ConfigError& e) {
    std::cerr << "loa-devsim: " << e.what() << "\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "loa-devsim: " << e.what() << "\n";
    return 1;
  }
}
