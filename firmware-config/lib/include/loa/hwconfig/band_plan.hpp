#pragma once

#include <optional>
#include <string>
#include <vector>

namespace loa::hwconfig {

// One frequency band of a plan, with the power ceiling that applies in it.
struct Band {
  std::string name;
  double min_khz = 0;
  double max_khz = 0;
  double max_power_w = 0;
  // Usable only under a temporary licence that has not expired (Vietnam: commune
  // stations still on 87-108 MHz, which belongs to the broadcasters).
  bool needs_temporary_licence = false;
  int line = 0;
};

struct BandPlan {
  std::string name;
  std::string description;
  std::vector<Band> bands;
  std::string file;

  // The band holding `khz`, if any.
  [[nodiscard]] const Band* band_of(double khz) const;
};

// Reads and checks a band plan (bands with min < max, no overlaps, positive ceilings).
[[nodiscard]] BandPlan load_band_plan(const std::string& path);

}  // namespace loa::hwconfig
