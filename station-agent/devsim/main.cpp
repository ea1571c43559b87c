// loa-devsim: a simulated station device (transmitter, amplifier) over Modbus TCP or RTU,
// from the same profiles the agent reads. Parses the command line and hands over.
#include <atomic>
#include <iostream>
#include <map>
#include <memory>
#include <vector>
#include <set>
#include <string>

#include "loa/config/config_section.hpp"
#include "loa/daemon/signal_fd.hpp"
#include "loa/devsim/devsim_server.hpp"
#include "loa/log/log.hpp"

namespace {

const char* kUsage = R"(usage: loa-devsim --profile FILE[@UNIT]... (--tcp HOST:PORT | --rtu DEVICE) [options]
  --profile FILE[@UNIT]  device profile (firmware-config/profiles/*.yaml), at its own unit id
                       or UNIT; repeat for several devices behind one TCP port
  --tcp HOST:PORT      serve Modbus TCP (port 0: any free port)
  --rtu DEVICE         serve Modbus RTU on a serial device or one end of a pty pair
  --baud N             RTU speed (default: the profile's)
  --carrier-khz K      healthy carrier frequency (default 64500)
  --fault NAME         start with a fault (repeatable): out_of_band over_power over_temperature
                       high_vswr pll_unlock mains_loss no_answer slow_answer garbage battery_drain
  --battery-soc PCT    a power device's battery charge at start (default 80)
  --battery-time-factor F  its battery charges and drains F times faster than real time
                       (default 1; a test drains an hour in a second with 3600)
  --fault-file PATH    faults to show, one per line ("FAULT" or "UNIT:FAULT"), re-read on change
  --requests-file PATH requests received so far by unit ("UNIT COUNT" a line), kept up to date
Prints "devsim: tcp://HOST:PORT" (or rtu://DEVICE) once it answers.
)";

}  // namespace

int main(int argc, char** argv) {
  loa::daemon::SignalFd signals;
  std::vector<std::string> profile_args;
  std::string tcp;
  loa::devsim::ServerOptions options;
  loa::devsim::SimulationSettings sim;
  std::set<loa::devsim::Fault> faults;
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
    if (a == "--profile") profile_args.push_back(next());
    else if (a == "--tcp") tcp = next();
    else if (a == "--rtu") options.rtu = loa::modbus::RtuEndpoint{next()};
    else if (a == "--baud") baud = std::stoi(next());
    else if (a == "--carrier-khz") sim.carrier_khz = std::stod(next());
    else if (a == "--fault-file") options.fault_file = next();
    else if (a == "--requests-file") options.requests_file = next();
    else if (a == "--battery-soc") sim.battery_soc_pct = std::stod(next());
    else if (a == "--battery-time-factor") sim.battery_time_factor = std::stod(next());
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
  if (profile_args.empty() || tcp.empty() == !options.rtu) {
    std::cerr << kUsage;
    return 2;
  }
  try {
    loa::log::init("loa-devsim", loa::log::Level::info);
    std::vector<std::unique_ptr<loa::devsim::SimulatedDevice>> devices;
    std::map<int, loa::devsim::SimulatedDevice*> units;
    for (const auto& arg : profile_args) {
      auto at = arg.rfind('@');
      auto profile = loa::hwconfig::load_device_profile(arg.substr(0, at));
      const int unit_id = at == std::string::npos ? profile.unit_id : std::stoi(arg.substr(at + 1));
      devices.push_back(std::make_unique<loa::devsim::SimulatedDevice>(profile, sim));
      devices.back()->set_faults(faults);
      if (!units.emplace(unit_id, devices.back().get()).second) {
        std::cerr << "loa-devsim: two devices at unit " << unit_id << "\n";
        return 2;
      }
    }
    const auto& profile = devices.front()->profile();
    if (!tcp.empty()) {
      auto colon = tcp.rfind(':');
      options.tcp = loa::modbus::TcpEndpoint{tcp.substr(0, colon), std::stoi(tcp.substr(colon + 1))};
    } else {
      options.rtu->baud = baud.value_or(profile.rtu.baud);
      options.rtu->parity = profile.rtu.parity;
      options.rtu->data_bits = profile.rtu.data_bits;
      options.rtu->stop_bits = profile.rtu.stop_bits;
    }
    loa::devsim::DevsimServer server(units, options);
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
