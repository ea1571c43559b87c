#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loa/alerts/cap_message.hpp"
#include "loa/store/records.hpp"

namespace loa::alerts {

// How a CAP Alert or Update becomes an alert definition, the body AlertDesk::create and
// update take: the <info> block in the most preferred language, the text read aloud
// (headline, description, instruction), one of Loa's severities, the zones whose
// configured CAP areas (geocodes "valueName=value", or area names) match its areas, its
// expiry, and the CAP fields kept with the alert. `status` is Loa's (actual, test,
// exercise). Pure: the caller gives the zones and the time. Throws AlertError (no_area,
// expiry_passed).
[[nodiscard]] nlohmann::json alert_definition_of(const CapMessage& message, const std::string& status,
                                                 const std::vector<std::string>& languages,
                                                 const std::vector<store::ZoneRecord>& zones, std::int64_t now_ms);

// The zones whose configured CAP areas (geocodes "valueName=value", or area names
// compared Unicode-normalised and case-folded) match any of `areas`.
[[nodiscard]] std::vector<std::string> zones_covering(const std::vector<CapArea>& areas,
                                                      const std::vector<store::ZoneRecord>& zones);

// CAP's severity, urgency and certainty folded into one of Loa's severities.
[[nodiscard]] std::string severity_of(const CapInfo& info);

}  // namespace loa::alerts
