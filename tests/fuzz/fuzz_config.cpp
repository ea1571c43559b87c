// Configuration files as the daemons read them: the first byte picks the loader (agent,
// controller, device profile, band plan, station hardware), the rest is the file. A bad
// file is a ConfigError naming file, line and field, never a crash or another exception.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include "loa/agent/agent_config.hpp"
#include "loa/app/controller_config.hpp"
#include "loa/config/config_section.hpp"
#include "loa/hwconfig/band_plan.hpp"
#include "loa/hwconfig/device_profile.hpp"
#include "loa/hwconfig/station_hardware.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const std::string path = "/tmp/loa-fuzz-config-" + std::to_string(::getpid()) + ".yaml";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data) + 1, static_cast<std::streamsize>(size - 1));
  }
  try {
    switch (data[0] % 5) {
      case 0: (void)loa::agent::load_agent_config(path); break;
      case 1: (void)loa::app::load_controller_config(path); break;
      case 2: (void)loa::hwconfig::load_device_profile(path); break;
      case 3: (void)loa::hwconfig::load_band_plan(path); break;
      default: (void)loa::hwconfig::load_station_hardware(path); break;
    }
  } catch (const loa::config::ConfigError&) {
  }
  return 0;
}
