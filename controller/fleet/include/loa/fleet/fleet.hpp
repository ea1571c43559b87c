#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "loa/store/station_store.hpp"

namespace loa::fleet {

// Zones and stations as they are now, for turning a broadcast's targets into stations.
class Fleet {
 public:
  [[nodiscard]] static Fleet load(store::IStationStore& store);
  // Approved stations named by the targets ("all", "station:ID", "zone:ID" with its
  // sub-zones), sorted and unique.
  [[nodiscard]] std::vector<std::string> resolve(const std::vector<std::string>& targets) const;
  // A person scoped to `zones` (with their sub-zones) may act on `targets` only if every
  // station they name lies there: the first one that does not, or nullopt. No zones
  // means no limit. Targets that name no station ("all" on an empty fleet) pass.
  [[nodiscard]] std::optional<std::string> outside(const std::vector<std::string>& zones,
                                                   const std::vector<std::string>& targets) const;
  // The same check straight from the store: loads the fleet only for a person who is
  // scoped at all (most callers are not, and their requests should not pay for it).
  [[nodiscard]] static std::optional<std::string> out_of_scope(store::IStationStore& store,
                                                               const std::vector<std::string>& zones,
                                                               const std::vector<std::string>& targets);
  // The zones set to need approval that hold any of these stations, themselves or in a
  // zone below them: who must pass a broadcast to them before it airs.
  [[nodiscard]] std::vector<std::string> approval_zones(const std::vector<std::string>& stations) const;
  [[nodiscard]] const std::map<std::string, store::ZoneRecord>& zones() const { return zones_; }
  [[nodiscard]] bool has_station(const std::string& id) const { return stations_.count(id) != 0; }
  [[nodiscard]] bool has_zone(const std::string& id) const { return zones_.count(id) != 0; }

 private:
  void add_zone_members(const std::string& zone_id, std::set<std::string>& out, int depth) const;
  std::set<std::string> stations_;  // approved
  std::map<std::string, store::ZoneRecord> zones_;
  std::map<std::string, std::vector<std::string>> children_;
};

}  // namespace loa::fleet
