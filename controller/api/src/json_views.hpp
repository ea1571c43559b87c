#pragma once

#include <nlohmann/json.hpp>

#include "loa/registry/station_registry.hpp"
#include "loa/store/records.hpp"

namespace loa::api {

// The API's JSON shapes. One place, so every route shows a record the same way.
[[nodiscard]] nlohmann::json to_json(const registry::StationView& station);
[[nodiscard]] nlohmann::json to_json(const store::ZoneRecord& zone);
[[nodiscard]] nlohmann::json to_json(const store::BroadcastApproval& approval);
[[nodiscard]] nlohmann::json to_json(const store::CommandRecord& command);
[[nodiscard]] nlohmann::json to_json(const store::AlarmRecord& alarm);
// The finer as-run fields: the first sample's instant in ns on the shared clock; for
// live streams the frames played and concealed and the longest gap; and the proof of
// play measured at the output (loudness and peak in dBFS, longest silence, dead air).
void add_playout_fields(nlohmann::json& row, const store::AsRunRecord& record);
// A measured loudness as the as-run export writes it ("-23.4"), or "" when none.
[[nodiscard]] std::string loudness_text(const std::optional<double>& dbfs);

}  // namespace loa::api
