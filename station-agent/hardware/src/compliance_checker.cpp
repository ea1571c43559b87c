#include "loa/hardware/compliance_checker.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace loa::hardware {
namespace {

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s = buf;
  if (s.size() > 2 && s.substr(s.size() - 2) == ".0") s.resize(s.size() - 2);
  return s;
}

}  // namespace

ComplianceChecker::ComplianceChecker(const hwconfig::StationHardware& station) {
  if (station.kind != "fm") return;
  licence_ = station.licence;
  plan_ = station.band_plan;
  if (licence_) expires_days_ = hwconfig::parse_date(licence_->expires);
}

ComplianceChecker::Result ComplianceChecker::check(std::optional<double> carrier_khz,
                                                   std::optional<double> forward_power_w, long today_days) const {
  Result r;
  if (!licence_ || !plan_) return r;
  r.checked = true;
  const bool expired = expires_days_ && today_days > *expires_days_;
  if (expires_days_) r.licence_days_left = *expires_days_ - today_days;
  double ceiling = licence_->max_power_w;
  if (carrier_khz) {
    const auto* band = plan_->band_of(*carrier_khz);
    if (!band) {
      r.violations.push_back("carrier " + fmt(*carrier_khz) + " kHz is outside every band of plan " + plan_->name);
    } else {
      ceiling = std::min(ceiling, band->max_power_w);
      if (band->needs_temporary_licence && (!licence_->temporary || expired)) {
        r.violations.push_back("carrier " + fmt(*carrier_khz) + " kHz is in band " + band->name +
                               ", which needs a valid temporary licence");
      }
    }
    const double off = std::abs(*carrier_khz - licence_->assigned_khz);
    if (off > licence_->tolerance_khz) {
      r.violations.push_back("carrier " + fmt(*carrier_khz) + " kHz is " + fmt(off) + " kHz off the licensed " +
                             fmt(licence_->assigned_khz) + " kHz (tolerance " + fmt(licence_->tolerance_khz) + ")");
    }
  }
  if (forward_power_w && *forward_power_w > ceiling) {
    r.violations.push_back("forward power " + fmt(*forward_power_w) + " W is above the " + fmt(ceiling) +
                           " W ceiling");
  }
  r.compliant = r.violations.empty();
  return r;
}

}  // namespace loa::hardware
