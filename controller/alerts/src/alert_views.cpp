// What the API and the console show of an alert: its state, progress line and stations.
#include "loa/alerts/alert_desk.hpp"

#include "desk_support.hpp"

namespace loa::alerts {

using namespace desk;

json AlertDesk::view(const std::string& id, bool with_stations, const StationShown& shown) {
  // Copied under the lock, built outside it: the control loop's events take the same
  // lock, and a view of thousands of stations must not hold them up.
  std::optional<std::vector<store::AlertDelivery>> deliveries;
  {
    std::lock_guard lock(mutex_);
    if (auto it = active_.find(id); it != active_.end()) {
      deliveries.emplace();
      deliveries->reserve(it->second.deliveries.size());
      for (const auto& [station, d] : it->second.deliveries) deliveries->push_back(d);
    }
  }
  auto r = load(id);
  if (!deliveries) deliveries = stores_.alerts.list_deliveries(id);
  return view_of(r, *deliveries, with_stations, shown);
}

std::optional<AlertDesk::Tally> AlertDesk::tally(const std::string& id, std::size_t max_problems) {
  Tally t;
  // Stations still "sent" (unreachable if offline) and failed ones, in station order.
  std::vector<std::pair<std::string, std::string>> open;
  auto count = [&](const store::AlertDelivery& d) {
    ++t.targets;
    if (d.state == "sent" || d.state == "failed") {
      open.emplace_back(d.station_id, d.state == "failed" ? (d.detail.empty() ? "failed" : d.detail) : "");
    }
    if (d.state != "sent") ++t.counts[d.state];
  };
  bool active = false;
  {
    std::lock_guard lock(mutex_);
    if (auto it = active_.find(id); it != active_.end()) {
      active = true;
      t.state = it->second.record.state;
      for (const auto& [station, d] : it->second.deliveries) count(d);
    }
  }
  if (!active) {
    auto record = stores_.alerts.find_alert(id);
    if (!record) return std::nullopt;
    t.state = record->state;
    t.final = is_ended(record->state);
    for (const auto& d : stores_.alerts.list_deliveries(id)) count(d);
  }
  std::vector<std::string> sent;
  for (const auto& [station, why] : open) {
    if (why.empty()) sent.push_back(station);
  }
  // Whether a station never reached is online still changes what it is counted as.
  t.final = t.final && sent.empty();
  const auto online = registry_.online(sent);
  std::size_t next_sent = 0;
  for (const auto& [station, why] : open) {
    std::string reason = why;
    if (why.empty()) {
      const auto shown = shown_state("sent", online[next_sent++]);
      ++t.counts[shown];
      if (shown == "sent") continue;
      reason = "offline";
    }
    if (t.problems.size() < max_problems) t.problems.emplace_back(station, reason);
  }
  return t;
}

json AlertDesk::list(std::size_t limit, const StationShown& shown) {
  json items = json::array();
  for (const auto& r : stores_.alerts.list_alerts(limit)) {
    auto v = view(r.id, false, shown);
    items.push_back(std::move(v));
  }
  return {{"items", items}, {"total", items.size()}};
}

json AlertDesk::view_of(const store::AlertRecord& r, const std::vector<store::AlertDelivery>& deliveries,
                        bool with_stations, const StationShown& shown) const {
  const auto spec = json::parse(r.definition);
  json v = {{"id", r.id},
            {"state", r.state},
            {"version", r.version},
            {"status", spec["status"]},
            {"label", spec["status"] == "actual" ? "" : upper(spec["status"])},
            {"severity", spec["severity"]},
            {"headline", spec.value("headline", "")},
            {"targets", spec["targets"]},
            {"content", spec["content"]},
            {"tone", spec["tone"]},
            {"repeat", spec["repeat"]},
            {"language", spec["language"]},
            {"source", spec["source"]},
            {"expires_ms", r.expires_ms},
            {"created_by", r.created_by},
            {"created_ms", r.created_ms},
            {"confirmed_by", r.confirmed_by},
            {"issued_ms", r.issued_ms},
            {"ended_by", r.ended_by},
            {"ended_ms", r.ended_ms}};
  if (spec.contains("cap")) v["cap"] = spec["cap"];
  v["needs_second_person"] = needs_second_person(spec);
  if (state_of(r.state) == AlertState::draft) {
    const auto stations = resolve_targets(spec["targets"]);
    v["target_count"] = stations.size();
    v["confirm_prompt"] = "Issue " + upper(spec["severity"]) + " alert" +
                          (spec["status"] == "actual" ? "" : " (" + upper(spec["status"]) + ")") + " to " +
                          std::to_string(stations.size()) + " stations? Confirm with target_count " +
                          std::to_string(stations.size()) + ".";
    return v;
  }
  json stations = json::array();
  std::map<std::string, int> counts;
  std::vector<std::string> unreachable, failed;
  std::size_t targets = 0;
  // Only whether each is online, all at one taking of the registry's lock: a whole view
  // of each station (copied under the lock), or a lock for each of thousands, each time
  // the alert is shown, took the CPU and the lock the control loop needed during the
  // alert itself.
  std::vector<std::string> ids;
  ids.reserve(deliveries.size());
  for (const auto& d : deliveries) ids.push_back(d.station_id);
  const auto online_now = registry_.online(ids);
  for (std::size_t i = 0; i < deliveries.size(); ++i) {
    const auto& d = deliveries[i];
    if (shown && !shown(d.station_id)) continue;
    ++targets;
    const bool online = online_now[i];
    const std::string state = shown_state(d.state, online);
    ++counts[state];
    if (state == "unreachable") unreachable.push_back(d.station_id);
    if (state == "failed") failed.push_back(d.station_id + " (" + d.detail + ")");
    if (!with_stations) continue;
    json s = {{"station", d.station_id}, {"state", state},       {"detail", d.detail},
              {"online", online},        {"parts_done", d.parts_done}, {"parts_expected", d.parts_expected},
              {"first_sound_ms", d.first_sound_ms}};
    if (d.first_sound_ms && r.issued_ms) s["first_sound_after_ms"] = d.first_sound_ms - r.issued_ms;
    stations.push_back(std::move(s));
  }
  json summary = {{"targets", targets}};
  for (const char* k : {"sent", "acknowledged", "playing", "played", "failed", "stopped", "unreachable"}) {
    summary[k] = counts[k];
  }
  v["target_count"] = targets;
  v["summary"] = summary;
  auto join = [](const std::vector<std::string>& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size() && i < 20; ++i) out += (i ? ", " : "") + items[i];
    if (items.size() > 20) out += ", ...";
    return out;
  };
  std::string progress = std::to_string(counts["playing"]) + "/" + std::to_string(targets) + " sounding";
  if (counts["played"]) progress += ", " + std::to_string(counts["played"]) + " played";
  if (counts["acknowledged"]) progress += ", " + std::to_string(counts["acknowledged"]) + " acknowledged";
  if (counts["sent"]) progress += ", " + std::to_string(counts["sent"]) + " sent";
  if (counts["stopped"]) progress += ", " + std::to_string(counts["stopped"]) + " stopped";
  if (!unreachable.empty()) progress += ", " + std::to_string(unreachable.size()) + " unreachable: " + join(unreachable);
  if (!failed.empty()) progress += ", " + std::to_string(failed.size()) + " failed: " + join(failed);
  v["progress"] = progress;
  if (with_stations) v["stations"] = stations;
  return v;
}

}  // namespace loa::alerts
