#include "loa/hwconfig/band_plan.hpp"

#include "loa/config/config_section.hpp"

namespace loa::hwconfig {

const Band* BandPlan::band_of(double khz) const {
  for (const auto& b : bands) {
    if (khz >= b.min_khz && khz <= b.max_khz) return &b;
  }
  return nullptr;
}

BandPlan load_band_plan(const std::string& path) {
  auto root = config::ConfigSection::load_file(path);
  BandPlan plan;
  plan.file = path;
  root.read("name", plan.name);
  if (plan.name.empty()) root.fail("name", "a band plan needs a name");
  root.read("description", plan.description);
  auto sections = root.sections("bands");
  if (sections.empty()) root.fail("bands", "a band plan needs at least one band");
  for (auto& s : sections) {
    Band b;
    b.line = s.line();
    s.read("name", b.name);
    s.read("min_khz", b.min_khz);
    s.read("max_khz", b.max_khz);
    s.read("max_power_w", b.max_power_w);
    s.read("needs_temporary_licence", b.needs_temporary_licence);
    if (b.name.empty()) s.fail("name", "every band needs a name");
    if (!(b.min_khz > 0 && b.max_khz > b.min_khz)) s.fail("max_khz", "needs 0 < min_khz < max_khz");
    if (!(b.max_power_w > 0)) s.fail("max_power_w", "needs a positive power ceiling");
    for (const auto& other : plan.bands) {
      if (b.min_khz <= other.max_khz && other.min_khz <= b.max_khz) {
        s.fail("min_khz", "band '" + b.name + "' overlaps band '" + other.name + "'");
      }
    }
    s.finish();
    plan.bands.push_back(b);
  }
  root.finish();
  return plan;
}

}  // namespace loa::hwconfig
