#include "loa/fleet/fleet.hpp"

#include <algorithm>

namespace loa::fleet {

Fleet Fleet::load(store::IStationStore& store) {
  Fleet fleet;
  for (auto& id : store.sounding_station_ids()) fleet.stations_.insert(fleet.stations_.end(), std::move(id));
  for (auto& z : store.list_zones()) {
    if (!z.parent_id.empty()) fleet.children_[z.parent_id].push_back(z.id);
    auto id = z.id;
    fleet.zones_.emplace(std::move(id), std::move(z));
  }
  return fleet;
}

void Fleet::add_zone_members(const std::string& zone_id, std::set<std::string>& out, int depth) const {
  auto it = zones_.find(zone_id);
  if (it == zones_.end() || depth > 16) return;  // depth bounds a cycle of parents
  for (const auto& s : it->second.station_ids) {
    if (stations_.count(s)) out.insert(s);
  }
  if (auto c = children_.find(zone_id); c != children_.end()) {
    for (const auto& child : c->second) add_zone_members(child, out, depth + 1);
  }
}

std::vector<std::string> Fleet::resolve(const std::vector<std::string>& targets) const {
  std::set<std::string> out;
  for (const auto& t : targets) {
    if (t == "all") return {stations_.begin(), stations_.end()};
    if (t.rfind("station:", 0) == 0) {
      if (stations_.count(t.substr(8))) out.insert(t.substr(8));
    } else if (t.rfind("zone:", 0) == 0) {
      add_zone_members(t.substr(5), out, 0);
    }
  }
  return {out.begin(), out.end()};
}

std::vector<std::string> Fleet::approval_zones(const std::vector<std::string>& stations) const {
  std::vector<std::string> out;
  for (const auto& [id, zone] : zones_) {
    if (!zone.needs_approval) continue;
    std::set<std::string> members;
    add_zone_members(id, members, 0);
    if (std::any_of(stations.begin(), stations.end(), [&](const std::string& s) { return members.count(s) != 0; })) {
      out.push_back(id);
    }
  }
  return out;
}

std::optional<std::string> Fleet::outside(const std::vector<std::string>& zones,
                                          const std::vector<std::string>& targets) const {
  if (zones.empty()) return std::nullopt;
  std::set<std::string> allowed;
  for (const auto& z : zones) add_zone_members(z, allowed, 0);
  for (const auto& station : resolve(targets)) {
    if (!allowed.count(station)) return station;
  }
  // "all" reaches beyond any zone, even when every station happens to lie inside.
  if (std::find(targets.begin(), targets.end(), "all") != targets.end()) return std::string("all");
  return std::nullopt;
}

std::optional<std::string> Fleet::out_of_scope(store::IStationStore& store, const std::vector<std::string>& zones,
                                               const std::vector<std::string>& targets) {
  if (zones.empty()) return std::nullopt;
  return load(store).outside(zones, targets);
}

}  // namespace loa::fleet
