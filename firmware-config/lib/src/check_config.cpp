#include "loa/hwconfig/check_config.hpp"

#include "loa/config/config_section.hpp"
#include "loa/hwconfig/band_plan.hpp"
#include "loa/hwconfig/device_profile.hpp"
#include "loa/hwconfig/station_hardware.hpp"

namespace loa::hwconfig {

std::vector<std::string> check_config_files(const std::vector<std::string>& paths) {
  std::vector<std::string> errors;
  for (const auto& path : paths) {
    try {
      auto root = config::ConfigSection::load_file(path);
      if (root.has("model")) {
        (void)load_device_profile(path);
      } else if (root.has("bands")) {
        (void)load_band_plan(path);
      } else if (root.has("devices") || root.has("licence") || root.has("kind")) {
        (void)load_station_hardware(path);
      } else {
        errors.push_back(path + ":1: not a Loa hardware file (expected model:, bands: or devices: at the top)");
      }
    } catch (const config::ConfigError& e) {
      errors.emplace_back(e.what());
    }
  }
  return errors;
}

}  // namespace loa::hwconfig
