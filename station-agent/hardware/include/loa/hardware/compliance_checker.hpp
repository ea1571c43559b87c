#pragma once

#include <optional>
#include <string>
#include <vector>

#include "loa/hwconfig/station_hardware.hpp"

namespace loa::hardware {

// Band compliance of an FM station on one cycle: carrier inside the plan (or inside a
// still-valid temporary licence), within tolerance of the licensed frequency, power under
// the ceiling. IP loudspeaker clusters have nothing to check. The licence's expiry is
// reported beside it, not as a violation: paperwork is not interference, and a station
// must not fall silent in a typhoon because a renewal is late.
class ComplianceChecker {
 public:
  explicit ComplianceChecker(const hwconfig::StationHardware& station);

  struct Result {
    bool checked = false;  // false when there was nothing to check (no licence, no reading)
    bool compliant = true;
    std::vector<std::string> violations;  // human-readable, with the readings
    std::optional<long> licence_days_left;  // negative once expired
  };
  // Days within which an expiring licence is warned of.
  static constexpr long kExpiryWarningDays = 30;
  // `today_days`: days since 1970-01-01 (UTC).
  [[nodiscard]] Result check(std::optional<double> carrier_khz, std::optional<double> forward_power_w,
                             long today_days) const;
  [[nodiscard]] const std::optional<hwconfig::Licence>& licence() const { return licence_; }

 private:
  std::optional<hwconfig::Licence> licence_;
  std::optional<hwconfig::BandPlan> plan_;
  std::optional<long> expires_days_;
};

}  // namespace loa::hardware
