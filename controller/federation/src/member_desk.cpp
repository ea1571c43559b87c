#include "loa/federation/member_desk.hpp"

#include <algorithm>
#include <set>

#include "loa/digest/random.hpp"
#include "loa/log/log.hpp"
#include "loa/v1/link.pb.h"

namespace loa::federation {
namespace {

const log::Logger kLog("federation");
namespace v1 = ::loa::v1;

const std::set<std::string> kLevels{"normal", "priority", "emergency"};
const std::set<std::string> kStatuses{"actual", "test", "exercise"};
const std::set<std::string> kSeverities{"extreme", "severe", "moderate", "minor", "unknown"};

std::string text_at(const json& body, const char* key, const std::string& fallback = "") {
  if (!body.contains(key)) return fallback;
  if (!body[key].is_string()) throw RelayError("invalid", std::string(key) + " must be text");
  return body[key].get<std::string>();
}

std::int64_t int_at(const json& body, const char* key, std::int64_t fallback) {
  if (!body.contains(key)) return fallback;
  if (!body[key].is_number_integer()) throw RelayError("invalid", std::string(key) + " must be a whole number");
  return body[key].get<std::int64_t>();
}

v1::Priority wire_level(const std::string& level) {
  if (level == "emergency") return v1::PRIORITY_EMERGENCY;
  if (level == "priority") return v1::PRIORITY_PRIORITY;
  return v1::PRIORITY_NORMAL;
}

// A member's stations, as the view and the roll-up count them.
struct Tally {
  std::size_t stations = 0, online = 0, alarms = 0, playing = 0;
};

}  // namespace

MemberDesk::MemberDesk(Stores stores, registry::StationRegistry& registry, server::CommandDispatcher& commands,
                       const time::IClock& clock)
    : stores_(stores), registry_(registry), commands_(commands), clock_(clock) {}

bool MemberDesk::is_member(const std::string& id) const { return registry_.is_member(id); }

std::vector<std::string> MemberDesk::member_ids() const {
  std::vector<std::string> out;
  for (const auto& v : registry_.list()) {
    if (v.record.member && v.record.enrollment == store::Enrollment::approved) out.push_back(v.record.id);
  }
  return out;
}

void MemberDesk::keep(std::span<const server::StationReport> reports) {
  std::vector<store::MemberUpdate> updates;
  const auto now = clock_.wall_ms();
  for (const auto& r : reports) {
    if (!r.envelope.has_member_report()) continue;
    if (!is_member(r.station_id)) {
      kLog.warn("member report from a peer that is no approved member: peer={}", r.station_id);
      continue;
    }
    const auto& m = r.envelope.member_report();
    store::MemberUpdate u;
    u.member_id = r.station_id;
    u.complete = m.complete();
    for (const auto& s : m.stations()) {
      u.stations.push_back({r.station_id, s.id(), s.name(), s.zone(), s.state(),
                            {s.alarms().begin(), s.alarms().end()}, s.playing(), s.last_seen_ms(), now});
    }
    for (const auto& a : m.asrun()) {
      store::MemberAsRunRecord row;
      row.member_id = r.station_id;
      row.seq = static_cast<std::int64_t>(a.seq());
      row.row.station_id = a.station_id();
      row.row.broadcast_id = a.broadcast_id();
      row.row.content_id = a.content_id();
      row.row.planned_start_ms = a.planned_start_ms();
      row.row.actual_start_ms = a.actual_start_ms();
      row.row.end_ms = a.end_ms();
      row.row.outcome = a.outcome();
      row.row.detail = a.detail();
      row.received_ms = now;
      u.asrun.push_back(std::move(row));
    }
    for (const auto& p : m.progress()) {
      json problems = json::array();
      for (const auto& why : p.problems()) problems.push_back({{"station", why.station_id()}, {"reason", why.reason()}});
      u.progress.push_back({p.relay_id(), r.station_id, "", p.state(), p.local_id(), p.stations(), p.sounding(),
                            p.unreachable(), p.failed(), problems.dump(), now});
    }
    if (!u.asrun.empty()) {
      kLog.info("member as-run: member={} rows={} last_seq={}", u.member_id, u.asrun.size(), u.asrun.back().seq);
    }
    updates.push_back(std::move(u));
  }
  if (updates.empty()) return;
  stores_.federation.keep_member_updates(updates);
  std::lock_guard lock(mutex_);
  for (const auto& u : updates) last_report_ms_[u.member_id] = now;
}

void MemberDesk::on_command_result(const std::string& member_id, const v1::CommandResult& result) {
  if (!is_member(member_id)) return;
  std::string state = "failed";
  if (result.outcome() == v1::CommandResult::OUTCOME_APPLIED) state = "applied";
  if (result.outcome() == v1::CommandResult::OUTCOME_REJECTED) state = "rejected";
  const std::string detail =
      state == "applied" ? "" : json::array({{{"station", ""}, {"reason", result.detail()}}}).dump();
  stores_.federation.set_relay_state(result.command_id(), state, detail, clock_.wall_ms());
}

json MemberDesk::members() const {
  std::map<std::string, Tally> tallies;
  for (const auto& s : stores_.federation.member_stations("")) {
    auto& t = tallies[s.member_id];
    ++t.stations;
    t.online += s.state == "online";
    t.alarms += !s.alarms.empty();
    t.playing += !s.playing.empty();
  }
  std::map<std::string, std::int64_t> reported;
  {
    std::lock_guard lock(mutex_);
    reported = last_report_ms_;
  }
  json items = json::array();
  for (const auto& v : registry_.list()) {
    if (!v.record.member) continue;
    const auto& t = tallies[v.record.id];
    items.push_back({{"id", v.record.id},
                     {"state", registry::to_string(v.state)},
                     {"fingerprint", v.key_fingerprint},
                     {"version", v.record.software_version},
                     {"address", v.record.last_address},
                     {"stations", t.stations},
                     {"stations_online", t.online},
                     {"stations_with_alarms", t.alarms},
                     {"stations_playing", t.playing},
                     {"last_report_ms", reported.count(v.record.id) ? reported[v.record.id] : 0}});
  }
  return {{"items", items}};
}

json MemberDesk::member(const std::string& id) const {
  const auto all = members();  // held: a range over a temporary's member would dangle
  for (const auto& m : all["items"]) {
    if (m["id"] == id) return m;
  }
  throw RelayError("not_found", "no member " + id);
}

json MemberDesk::stations(const std::string& member_id) const {
  json items = json::array();
  for (const auto& s : stores_.federation.member_stations(member_id)) {
    items.push_back({{"member", s.member_id}, {"id", s.station_id},     {"name", s.name},
                     {"zone", s.zone},        {"state", s.state},       {"alarms", s.alarms},
                     {"playing", s.playing},  {"last_seen_ms", s.last_seen_ms}, {"updated_ms", s.updated_ms}});
  }
  return {{"items", items}};
}

json MemberDesk::asrun(const std::string& member_id, std::int64_t from_ms, std::int64_t until_ms,
                       std::size_t limit) const {
  json items = json::array();
  for (const auto& a : stores_.federation.member_asrun(member_id, from_ms, until_ms, limit)) {
    items.push_back({{"member", a.member_id},
                     {"seq", a.seq},
                     {"station", a.row.station_id},
                     {"broadcast", a.row.broadcast_id},
                     {"content", a.row.content_id},
                     {"planned_start_ms", a.row.planned_start_ms},
                     {"actual_start_ms", a.row.actual_start_ms},
                     {"end_ms", a.row.end_ms},
                     {"outcome", a.row.outcome},
                     {"detail", a.row.detail},
                     {"received_ms", a.received_ms}});
  }
  return {{"items", items}};
}

json MemberDesk::send(const json& body, const users::Caller& caller) {
  if (!body.is_object()) throw RelayError("invalid", "the body must be a JSON object");
  const auto kind = text_at(body, "kind");
  if (kind != "alert" && kind != "bulletin") throw RelayError("invalid", "kind must be alert or bulletin");
  const auto level = kind == "alert" ? std::string("emergency") : text_at(body, "level");
  if (!kLevels.count(level)) throw RelayError("invalid", "level must be normal, priority or emergency");
  if ((kind == "alert" || level == "emergency") && !caller.has_role("emergency")) {
    throw RelayError("forbidden", "alerts and emergency bulletins need the emergency role");
  }
  if (!caller.zones.empty()) {
    throw RelayError("out_of_scope", "only a user of the whole tree may send to member controllers");
  }
  v1::Relay relay;
  relay.set_kind(kind == "alert" ? v1::Relay::KIND_ALERT : v1::Relay::KIND_BULLETIN);
  relay.set_level(wire_level(level));
  relay.set_title(text_at(body, "title"));
  relay.set_text(text_at(body, "text"));
  if (relay.text().empty()) throw RelayError("invalid", "text: what the members' stations read aloud, required");
  relay.set_language(text_at(body, "language"));
  relay.set_sender(caller.name);
  const auto now = clock_.wall_ms();
  if (kind == "alert") {
    relay.set_status(text_at(body, "status"));
    if (!kStatuses.count(relay.status())) {
      throw RelayError("invalid", "status: required: actual, exercise or test (there is no default)");
    }
    relay.set_severity(text_at(body, "severity", "severe"));
    if (!kSeverities.count(relay.severity())) {
      throw RelayError("invalid", "severity must be extreme, severe, moderate, minor or unknown");
    }
    const auto repeats = int_at(body, "repeat", 1);
    if (repeats < 1 || repeats > 10) throw RelayError("invalid", "repeat must be 1-10");
    relay.set_repeats(static_cast<std::uint32_t>(repeats));
    relay.set_repeat_interval_s(static_cast<std::uint32_t>(std::max<std::int64_t>(0, int_at(body, "repeat_interval_s", 0))));
  }
  const auto valid_s = int_at(body, kind == "alert" ? "expires_in_s" : "valid_for_s", kind == "alert" ? 3600 : 86400);
  if (valid_s <= 0) throw RelayError("invalid", "it would expire before it is sent");
  relay.set_expires_at_ms(now + valid_s * 1000);

  // Targets: every member, one member, or zones of one.
  std::map<std::string, std::vector<std::string>> zones_of;  // member -> its zones (empty: all)
  const json to = body.contains("to") ? body["to"] : json::array({"all"});
  if (!to.is_array() || to.empty()) throw RelayError("invalid", "to must be [\"all\"] or a list of member:ID[/zone:Z]");
  for (const auto& t : to) {
    if (!t.is_string()) throw RelayError("invalid", "to must be a list of names");
    const auto name = t.get<std::string>();
    if (name == "all") {
      for (const auto& id : member_ids()) zones_of[id];
      continue;
    }
    if (name.rfind("member:", 0) != 0) throw RelayError("invalid", "to: '" + name + "' is not all or member:ID");
    const auto rest = name.substr(7);
    const auto slash = rest.find("/zone:");
    const auto id = rest.substr(0, slash);
    if (!is_member(id)) throw RelayError("invalid", "to: no approved member " + id);
    auto& zones = zones_of[id];
    if (slash != std::string::npos) zones.push_back(rest.substr(slash + 6));
  }
  if (zones_of.empty()) throw RelayError("no_members", "no approved member controller to send it to");

  store::RelayRecord record;
  record.id = (kind == "alert" ? "R-A-" : "R-B-") + digest::random_hex(4);
  record.kind = kind;
  record.level = level;
  json definition = body;
  definition["expires_at_ms"] = relay.expires_at_ms();
  record.definition = definition.dump();
  record.created_by = caller.name;
  record.created_ms = now;
  relay.set_relay_id(record.id);
  std::vector<server::CommandDispatcher::Outgoing> outgoing;
  for (const auto& [member, zones] : zones_of) {
    v1::Command command;
    command.set_issued_at_ms(now);
    command.set_expires_at_ms(relay.expires_at_ms());
    auto* r = command.mutable_relay();
    *r = relay;
    for (const auto& z : zones) r->add_zones(z);
    outgoing.push_back({member, std::move(command)});
  }
  auto commands = commands_.prepare(outgoing);
  for (const auto& c : commands) {
    record.members.push_back({record.id, c.station_id, c.id, "sent", "", 0, 0, 0, 0, "[]", now});
  }
  stores_.federation.add_relay(record, commands,
                               store::audit_entry(now, caller.name, "relay.send", record.id,
                                                  kind + " " + level + " to " + std::to_string(commands.size()) +
                                                      " members: " + relay.title()));
  commands_.queue(commands);
  kLog.info("relay sent: relay={} kind={} level={} members={} by={}", record.id, kind, level, commands.size(),
            caller.name);
  return view_of(record);
}

json MemberDesk::view_of(const store::RelayRecord& relay) const {
  json members = json::array();
  std::int64_t stations = 0, sounding = 0, unreachable = 0, failed = 0;
  std::string problems_line;
  for (const auto& m : relay.members) {
    json problems = json::parse(m.problems.empty() ? "[]" : m.problems, nullptr, false);
    if (problems.is_discarded()) problems = json::array();
    members.push_back({{"member", m.member_id},
                       {"state", m.state},
                       {"local_id", m.local_id},
                       {"stations", m.stations},
                       {"sounding", m.sounding},
                       {"unreachable", m.unreachable},
                       {"failed", m.failed},
                       {"problems", problems},
                       {"updated_ms", m.updated_ms}});
    stations += m.stations;
    sounding += m.sounding;
    unreachable += m.unreachable;
    failed += m.failed;
    if (m.unreachable + m.failed == 0 && m.state != "failed" && m.state != "rejected") continue;
    std::string names;
    for (std::size_t i = 0; i < problems.size() && i < 10; ++i) {
      names += (i ? ", " : "") + problems[i].value("station", std::string()) + " (" +
               problems[i].value("reason", std::string()) + ")";
    }
    problems_line += "; " + m.member_id + ": " +
                     (m.unreachable + m.failed > 0
                          ? std::to_string(m.unreachable) + " unreachable, " + std::to_string(m.failed) + " failed"
                          : m.state) +
                     (names.empty() ? "" : ": " + names);
  }
  json definition = json::parse(relay.definition, nullptr, false);
  return {{"id", relay.id},
          {"kind", relay.kind},
          {"level", relay.level},
          {"definition", definition.is_discarded() ? json::object() : definition},
          {"created_by", relay.created_by},
          {"created_ms", relay.created_ms},
          {"members", members},
          {"summary", {{"stations", stations}, {"sounding", sounding}, {"unreachable", unreachable}, {"failed", failed}}},
          {"progress", std::to_string(sounding) + "/" + std::to_string(stations) + " sounding" + problems_line}};
}

json MemberDesk::relay(const std::string& id) const {
  auto r = stores_.federation.find_relay(id);
  if (!r) throw RelayError("not_found", "no relay " + id);
  return view_of(*r);
}

json MemberDesk::relays(std::size_t limit) const {
  json items = json::array();
  for (const auto& r : stores_.federation.list_relays(limit)) items.push_back(view_of(r));
  return {{"items", items}};
}

}  // namespace loa::federation
