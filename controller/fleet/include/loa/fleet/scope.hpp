#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "loa/store/station_store.hpp"

namespace loa::fleet {

// The part of the zone tree a person may see: the zones they are given with every zone
// below them, and every station in those zones (enrolled or not). A person given no
// zones sees the whole tree. Read routes filter what they show through it, so that a
// commune's user sees their commune and nothing of the commune next door.
class Scope {
 public:
  // Loads the tree only for a caller who is scoped at all; no zones: the whole tree.
  [[nodiscard]] static Scope of(store::IStationStore& store, const std::vector<std::string>& zones);

  [[nodiscard]] bool whole() const { return whole_; }
  // The stations a scoped person sees (meaningless when whole()).
  [[nodiscard]] const std::set<std::string>& stations() const { return stations_; }
  [[nodiscard]] bool sees_station(const std::string& id) const;
  [[nodiscard]] bool sees_zone(const std::string& id) const;
  // Whether any of these stations is in the scope (a stream, an alert's deliveries).
  [[nodiscard]] bool sees_any(const std::vector<std::string>& station_ids) const;
  // Those of them that are.
  [[nodiscard]] std::vector<std::string> seen(const std::vector<std::string>& station_ids) const;
  // Targets of a broadcast, alert or stream ("all", "zone:ID", "station:ID"): seen when
  // they sound on one of the scope's stations. A province-wide broadcast plays in the
  // commune too, so its user sees it; one for the next commune only, they do not.
  [[nodiscard]] bool sees_targets(const std::vector<std::string>& targets) const;

 private:
  struct Tree;
  bool whole_ = true;
  std::set<std::string> zones_;     // given and below
  std::set<std::string> stations_;  // in those zones
  // The zones as loaded, for a target zone outside the scope that may hold some of its
  // stations (the province above a commune): walked only when such a target is asked about.
  std::shared_ptr<const Tree> tree_;
};

}  // namespace loa::fleet
