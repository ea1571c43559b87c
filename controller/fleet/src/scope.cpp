#include "loa/fleet/scope.hpp"

#include <algorithm>
#include <iterator>

namespace loa::fleet {
namespace {

constexpr int kMaxDepth = 16;  // bounds a cycle of parents in a damaged tree

}  // namespace

struct Scope::Tree {
  std::map<std::string, store::ZoneRecord> zones;
  std::map<std::string, std::vector<std::string>> children;

  void collect(const std::string& zone_id, std::set<std::string>& zone_ids, std::set<std::string>& station_ids,
               int depth) const {
    auto it = zones.find(zone_id);
    if (it == zones.end() || depth > kMaxDepth) return;
    zone_ids.insert(zone_id);
    station_ids.insert(it->second.station_ids.begin(), it->second.station_ids.end());
    if (auto c = children.find(zone_id); c != children.end()) {
      for (const auto& child : c->second) collect(child, zone_ids, station_ids, depth + 1);
    }
  }
};

Scope Scope::of(store::IStationStore& store, const std::vector<std::string>& zones) {
  Scope scope;
  if (zones.empty()) return scope;
  scope.whole_ = false;
  auto tree = std::make_shared<Tree>();
  for (auto& z : store.list_zones()) {
    if (!z.parent_id.empty()) tree->children[z.parent_id].push_back(z.id);
    auto id = z.id;
    tree->zones.emplace(std::move(id), std::move(z));
  }
  for (const auto& z : zones) tree->collect(z, scope.zones_, scope.stations_, 0);
  scope.tree_ = std::move(tree);
  return scope;
}

bool Scope::sees_station(const std::string& id) const { return whole_ || stations_.count(id) != 0; }

bool Scope::sees_zone(const std::string& id) const { return whole_ || zones_.count(id) != 0; }

bool Scope::sees_any(const std::vector<std::string>& station_ids) const {
  return whole_ || std::any_of(station_ids.begin(), station_ids.end(),
                               [this](const std::string& s) { return stations_.count(s) != 0; });
}

std::vector<std::string> Scope::seen(const std::vector<std::string>& station_ids) const {
  if (whole_) return station_ids;
  std::vector<std::string> out;
  std::copy_if(station_ids.begin(), station_ids.end(), std::back_inserter(out),
               [this](const std::string& s) { return stations_.count(s) != 0; });
  return out;
}

bool Scope::sees_targets(const std::vector<std::string>& targets) const {
  if (whole_) return true;
  return std::any_of(targets.begin(), targets.end(), [this](const std::string& t) {
    if (t == "all") return true;
    if (t.rfind("station:", 0) == 0) return sees_station(t.substr(8));
    if (t.rfind("zone:", 0) != 0) return false;
    const auto zone = t.substr(5);
    if (sees_zone(zone)) return true;
    std::set<std::string> unused, reached;
    tree_->collect(zone, unused, reached, 0);
    return std::any_of(reached.begin(), reached.end(), [this](const std::string& s) { return stations_.count(s) != 0; });
  });
}

}  // namespace loa::fleet
