#include "loa/federation/relay_applier.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "loa/fleet/fleet.hpp"
#include "loa/log/log.hpp"
#include "loa/orders/station_orders.hpp"

namespace loa::federation {
namespace {

const log::Logger kLog("relay");
namespace v1 = ::loa::v1;
using json = nlohmann::json;

constexpr std::size_t kMaxProblems = 50;

std::string voice_of(const std::string& language) { return language.substr(0, language.find('-')); }

IRelayApplier::Applied refused(std::string outcome, std::string detail) {
  IRelayApplier::Applied a;
  a.outcome = std::move(outcome);
  a.detail = std::move(detail);
  return a;
}

// "above-R-B-1a2b": the member's broadcast of a priority bulletin from above.
std::string broadcast_of(const std::string& relay_id) { return "above-" + relay_id; }

}  // namespace

RelayApplier::RelayApplier(Stores stores, alerts::AlertDesk& alerts, clips::ClipLibrary& clips,
                           server::CommandDispatcher& commands, const time::IClock& clock, std::string language)
    : stores_(stores), alerts_(alerts), clips_(clips), commands_(commands), clock_(clock), language_(std::move(language)) {}

std::vector<std::string> RelayApplier::targets(const v1::Relay& relay) const {
  std::vector<std::string> out;
  for (const auto& z : relay.zones()) out.push_back("zone:" + z);
  if (out.empty()) out.push_back("all");
  return out;
}

IRelayApplier::Applied RelayApplier::apply(const v1::Relay& relay) {
  for (const auto& z : relay.zones()) {
    if (!stores_.stations.find_zone(z)) return refused("rejected", "no zone " + z + " at this controller");
  }
  if (relay.kind() == v1::Relay::KIND_ALERT || relay.level() == v1::PRIORITY_EMERGENCY) return issue_alert(relay);
  if (relay.level() == v1::PRIORITY_PRIORITY) return play_at_break(relay);
  return to_inbox(relay);
}

IRelayApplier::Applied RelayApplier::issue_alert(const v1::Relay& relay) {
  const bool alert = relay.kind() == v1::Relay::KIND_ALERT;
  json body = {{"status", alert ? relay.status() : std::string("actual")},
               {"severity", alert ? relay.severity() : std::string("severe")},
               {"headline", relay.title()},
               {"language", relay.language().empty() ? language_ : relay.language()},
               {"to", targets(relay)},
               {"tone", alert ? "siren" : "chime"},
               {"repeat", std::max<std::uint32_t>(1, relay.repeats())},
               {"repeat_interval_s", relay.repeat_interval_s()}};
  if (relay.expires_at_ms()) body["expires_at_ms"] = relay.expires_at_ms();
  if (relay.clip_sha256().empty()) {
    body["tts"] = relay.text();
  } else {
    body["clip_id"] = relay.clip_sha256();
  }
  try {
    auto view = alerts_.issue_from_above(body, relay.sender());
    Applied a;
    a.local_id = view.value("id", "");
    a.detail = "issued to " + std::to_string(view.value("target_count", 0)) + " stations";
    return a;
  } catch (const alerts::AlertError& e) {
    return refused("failed", std::string(e.code()) + ": " + e.what());
  }
}

IRelayApplier::Applied RelayApplier::play_at_break(const v1::Relay& relay) {
  const auto stations = fleet::Fleet::load(stores_.stations).resolve(targets(relay));
  if (stations.empty()) return refused("failed", "no approved station in its zones");
  store::ClipRecord clip;
  if (!relay.clip_sha256().empty()) {
    auto found = stores_.clips.find_clip(relay.clip_sha256());
    if (!found) return refused("failed", "no clip " + relay.clip_sha256());
    clip = *found;
  } else {
    auto made = clips_.add_speech(relay.text(), voice_of(relay.language().empty() ? language_ : relay.language()),
                                  "bulletin: " + relay.title().substr(0, 60));
    if (auto* error = std::get_if<clips::TranscodeError>(&made)) {
      return refused("failed", "cannot read the bulletin aloud: " + error->message);
    }
    clip = std::get<store::ClipRecord>(made);
  }
  orders::PlayOrder play;
  play.sound = orders::Sound::clip(clip.sha256);
  play.priority = orders::Priority::priority;
  play.broadcast_id = broadcast_of(relay.relay_id());
  play.expires_at_ms = relay.expires_at_ms();
  play.at_break = true;
  std::vector<server::CommandDispatcher::Outgoing> outgoing;
  for (const auto& s : stations) {
    outgoing.push_back({s, orders::cache(clip.sha256, clip.bytes, false)});
    outgoing.push_back({s, orders::play(play)});
  }
  commands_.enqueue_many(std::move(outgoing));
  Applied a;
  a.local_id = play.broadcast_id;
  a.detail = std::to_string(stations.size()) + " stations";
  kLog.info("priority bulletin at the next break: relay={} broadcast={} stations={}", relay.relay_id(),
            a.local_id, stations.size());
  return a;
}

IRelayApplier::Applied RelayApplier::to_inbox(const v1::Relay& relay) {
  store::InboxRecord entry;
  entry.id = relay.relay_id();
  entry.level = "normal";
  entry.title = relay.title();
  entry.body = relay.text();
  entry.zones = {relay.zones().begin(), relay.zones().end()};
  entry.sender = relay.sender();
  entry.clip_sha256 = relay.clip_sha256();
  entry.received_ms = clock_.wall_ms();
  entry.valid_until_ms = relay.expires_at_ms() ? relay.expires_at_ms() : entry.received_ms + 24LL * 3600 * 1000;
  Applied a;
  a.local_id = entry.id;
  a.detail = "in the inbox";
  a.inbox = std::move(entry);
  return a;
}

void RelayApplier::tally_broadcast(const std::string& broadcast_id, v1::RelayProgress& p) {
  store::AsRunQuery q;
  q.broadcast_id = broadcast_id;
  q.since_ms = 0;
  q.until_ms = INT64_MAX;
  q.limit = 100'000;
  std::set<std::string> sounded, failed;
  for (const auto& row : stores_.asrun.query_asrun(q)) {
    if (row.actual_start_ms > 0) {
      sounded.insert(row.station_id);
    } else if (failed.insert(row.station_id).second && p.problems_size() < static_cast<int>(kMaxProblems)) {
      auto* why = p.add_problems();
      why->set_station_id(row.station_id);
      why->set_reason(row.outcome + (row.detail.empty() ? "" : ": " + row.detail));
    }
  }
  p.set_sounding(static_cast<std::uint32_t>(sounded.size()));
  p.set_failed(static_cast<std::uint32_t>(failed.size()));
}

std::optional<v1::RelayProgress> RelayApplier::progress(const store::UpstreamCommandRecord& c) {
  v1::RelayProgress p;
  p.set_relay_id(c.relay_id);
  p.set_local_id(c.local_id);
  if (c.local_id.rfind("above-", 0) == 0) {
    // A priority bulletin: its stations were counted when it was sent.
    p.set_state("sent");
    p.set_stations(static_cast<std::uint32_t>(std::atoi(c.detail.c_str())));
    tally_broadcast(c.local_id, p);
    if (p.sounding() >= p.stations()) p.set_state("played");
    return p;
  }
  if (auto entry = stores_.federation.find_inbox(c.local_id)) {
    p.set_state(store::to_string(entry->state));
    if (!entry->broadcast_id.empty()) tally_broadcast(entry->broadcast_id, p);
    return p;
  }
  {
    std::lock_guard lock(settled_mutex_);
    if (auto it = settled_.find(c.local_id); it != settled_.end()) return it->second;
  }
  const auto tally = alerts_.tally(c.local_id, kMaxProblems);
  if (!tally) return std::nullopt;
  auto count = [&](const char* state) {
    const auto it = tally->counts.find(state);
    return it == tally->counts.end() ? 0u : static_cast<std::uint32_t>(it->second);
  };
  p.set_state(tally->state);
  p.set_stations(static_cast<std::uint32_t>(tally->targets));
  p.set_sounding(count("playing") + count("played"));
  p.set_unreachable(count("unreachable"));
  p.set_failed(count("failed"));
  for (const auto& [station, why] : tally->problems) {
    auto* problem = p.add_problems();
    problem->set_station_id(station);
    problem->set_reason(why);
  }
  if (tally->final) {
    // An alert ended and settled is asked after for a day: counted once.
    std::lock_guard lock(settled_mutex_);
    if (settled_.size() >= kMaxSettled) settled_.clear();
    settled_.emplace(c.local_id, p);
  }
  return p;
}

std::vector<v1::MemberStation> StationSnapshot::take() const {
  // The innermost zone that holds each station: the one deepest in the tree.
  const auto zones = sources_.stations.list_zones();
  std::map<std::string, const store::ZoneRecord*> by_id;
  for (const auto& z : zones) by_id[z.id] = &z;
  auto depth = [&](const store::ZoneRecord& z) {
    int d = 0;
    for (auto* at = &z; at && !at->parent_id.empty() && d < 64; ++d) {
      auto it = by_id.find(at->parent_id);
      at = it == by_id.end() ? nullptr : it->second;
    }
    return d;
  };
  std::map<std::string, std::pair<int, std::string>> zone_of;
  for (const auto& z : zones) {
    const int d = depth(z);
    for (const auto& s : z.station_ids) {
      auto& best = zone_of[s];
      if (best.second.empty() || d > best.first) best = {d, z.id};
    }
  }
  std::map<std::string, std::vector<std::string>> alarms;
  for (const auto& a : sources_.health.list_alarms("", true, 100'000)) {
    alarms[a.station_id].push_back(a.device_id + "/" + a.alarm_id);
  }
  const auto playing = sources_.reports.now_playing();
  std::vector<v1::MemberStation> out;
  for (const auto& view : sources_.registry.list()) {
    if (view.record.member) continue;
    v1::MemberStation s;
    s.set_id(view.record.id);
    s.set_name(view.record.name);
    if (auto it = zone_of.find(view.record.id); it != zone_of.end()) s.set_zone(it->second.second);
    s.set_state(registry::to_string(view.state));
    for (const auto& a : alarms[view.record.id]) s.add_alarms(a);
    if (auto it = playing.find(view.record.id); it != playing.end()) s.set_playing(it->second.broadcast_id);
    s.set_last_seen_ms(view.record.last_seen_ms.value_or(0));
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace loa::federation
