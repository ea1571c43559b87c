// members, relay, relays, inbox, uplink: controllers federated upward. Above: the member
// controllers and what is sent down to them; below: the link up and the inbox of
// bulletins from above.
#include <iostream>

#include "commands.hpp"
#include "output.hpp"

namespace loa::loactl {
namespace {

void print_members(json items) {
  std::vector<std::vector<std::string>> rows;
  for (auto m : items) {
    rows.push_back({text(m["id"]), text(m["state"]), m["stations_online"].dump() + "/" + m["stations"].dump(),
                    m["stations_with_alarms"].dump(), m["stations_playing"].dump(), when(m["last_report_ms"]),
                    text(m["fingerprint"])});
  }
  print_table({"MEMBER", "LINK", "ONLINE", "ALARMS", "PLAYING", "LAST REPORT", "KEY"}, rows);
}

void print_member_stations(json items) {
  std::vector<std::vector<std::string>> rows;
  for (auto s : items) {
    std::string alarms;
    for (auto a : s["alarms"]) alarms += (alarms.empty() ? "" : ",") + text(a);
    rows.push_back({text(s["member"]), text(s["id"]), text(s["zone"]), text(s["state"]), text(s["playing"]),
                    alarms.empty() ? "-" : alarms});
  }
  print_table({"MEMBER", "STATION", "ZONE", "STATE", "PLAYING", "ALARMS"}, rows);
}

void print_relay(json r) {
  std::cout << text(r["id"]) << "  " << text(r["kind"]) << " " << text(r["level"]) << "  by " << text(r["created_by"])
            << " at " << when(r["created_ms"]) << "\n  " << text(r["progress"]) << '\n';
  std::vector<std::vector<std::string>> rows;
  for (auto m : r["members"]) {
    rows.push_back({text(m["member"]), text(m["state"]), text(m["local_id"]),
                    m["sounding"].dump() + "/" + m["stations"].dump(), m["unreachable"].dump(), m["failed"].dump()});
  }
  print_table({"MEMBER", "STATE", "THERE", "SOUNDING", "UNREACHABLE", "FAILED"}, rows);
}

void print_inbox(json items) {
  std::vector<std::vector<std::string>> rows;
  for (auto e : items) {
    rows.push_back({text(e["id"]), text(e["state"]), when(e["received_ms"]), when(e["valid_until_ms"]), text(e["title"]),
                    text(e["broadcast_id"])});
  }
  print_table({"ID", "STATE", "RECEIVED", "VALID UNTIL", "TITLE", "BROADCAST"}, rows);
}

void add_members(Commands& c) {
  struct Opts {
    std::string member;
  };
  auto o = std::make_shared<Opts>();
  auto* members = c.root().add_subcommand("members", "member controllers below this one");
  c.on(members, [](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/members");
    emit(g.as_json, g.as_json ? out : out["items"], print_members);
    return kExitOk;
  });
  auto* stations = members->add_subcommand("stations", "the members' stations, as each last said");
  stations->add_option("--member", o->member);
  c.on(stations, [o](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/federation/stations" + query({{"member", o->member}}));
    emit(g.as_json, g.as_json ? out : out["items"], print_member_stations);
    return kExitOk;
  });
}

void add_relay(Commands& c) {
  struct Opts {
    std::string kind, level = "normal", title, text, language, status, severity, id;
    std::vector<std::string> to{"all"};
  };
  auto o = std::make_shared<Opts>();
  auto* relay = c.root().add_subcommand("relay", "send an alert or a bulletin down to member controllers");
  relay->add_option("kind", o->kind, "alert or bulletin")->required()->check(one_of({"alert", "bulletin"}));
  relay->add_option("text", o->text, "what the stations read aloud")->required();
  relay->add_option("--level", o->level, "a bulletin's level: normal (inbox), priority (next break), emergency (at once)")
      ->check(one_of({"normal", "priority", "emergency"}));
  relay->add_option("--title", o->title);
  relay->add_option("--language", o->language, "an espeak-ng voice (default: each member's)");
  relay->add_option("--status", o->status, "an alert's status: actual, test or exercise")
      ->check(one_of({"actual", "test", "exercise"}));
  relay->add_option("--severity", o->severity, "an alert's severity")
      ->check(one_of({"extreme", "severe", "moderate", "minor", "unknown"}));
  relay->add_option("--to", o->to, "all, member:ID or member:ID/zone:ZONE (comma-separated)")->delimiter(',');
  c.on(relay, [o](IApi& api, const Globals& g) {
    if (o->kind == "alert" && o->status.empty()) throw ApiError(kExitUsage, "an alert needs --status (no default)");
    json body = {{"kind", o->kind}, {"text", o->text}, {"to", o->to}};
    if (o->kind == "bulletin") body["level"] = o->level;
    for (const auto& [key, value] : {std::pair{"title", o->title}, {"language", o->language}, {"status", o->status},
                                     {"severity", o->severity}}) {
      if (!value.empty()) body[key] = value;
    }
    auto out = api.call("POST", "/api/v1/relays", body);
    emit(g.as_json, out, print_relay);
    return kExitOk;
  });
  auto* relays = c.root().add_subcommand("relays", "alerts and bulletins sent down, with their progress");
  relays->add_option("id", o->id, "one of them");
  c.on(relays, [o](IApi& api, const Globals& g) {
    if (!o->id.empty()) {
      emit(g.as_json, api.call("GET", "/api/v1/relays/" + encode(o->id)), print_relay);
      return kExitOk;
    }
    auto out = api.call("GET", "/api/v1/relays");
    if (g.as_json) {
      std::cout << out.dump(2) << '\n';
    } else {
      for (auto r : out["items"]) print_relay(r);
    }
    return kExitOk;
  });
}

void add_inbox(Commands& c) {
  struct Opts {
    std::string state = "waiting", id, start, tz, reason;
    std::vector<std::string> to;
  };
  auto o = std::make_shared<Opts>();
  auto* inbox = c.root().add_subcommand("inbox", "normal bulletins from above, to take into the programme or decline");
  inbox->add_option("--state", o->state, "waiting (default), accepted, declined, expired or all")
      ->check(one_of({"waiting", "accepted", "declined", "expired", "all"}));
  c.on(inbox, [o](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/inbox" + query({{"state", o->state}}));
    emit(g.as_json, g.as_json ? out : out["items"], print_inbox);
    return kExitOk;
  });
  auto* accept = inbox->add_subcommand("accept", "put a bulletin into the programme at a time");
  accept->add_option("id", o->id)->required();
  accept->add_option("--start", o->start, "local YYYY-MM-DDTHH:MM")->required();
  accept->add_option("--tz", o->tz, "time zone of --start (default: the controller's)");
  accept->add_option("--to", o->to, "zones or stations (default: those it came for)")->delimiter(',');
  c.on(accept, [o](IApi& api, const Globals& g) {
    json body = {{"start", o->start}};
    if (!o->tz.empty()) body["tz"] = o->tz;
    if (!o->to.empty()) body["to"] = o->to;
    auto out = api.call("POST", "/api/v1/inbox/" + encode(o->id) + "/accept", body);
    if (g.as_json) {
      std::cout << out.dump(2) << '\n';
    } else {
      std::cout << "accepted " << text(out["inbox"]["id"]) << " as broadcast " << text(out["broadcast"]["id"]) << '\n';
    }
    return kExitOk;
  });
  auto* decline = inbox->add_subcommand("decline", "decline a bulletin");
  decline->add_option("id", o->id)->required();
  decline->add_option("--reason", o->reason);
  c.on(decline, [o](IApi& api, const Globals& g) {
    auto out = api.call("POST", "/api/v1/inbox/" + encode(o->id) + "/decline", json{{"reason", o->reason}});
    emit(g.as_json, json::array({out}), print_inbox);
    return kExitOk;
  });
  auto* uplink = c.root().add_subcommand("uplink", "this controller's link up to the one above");
  c.on(uplink, [](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/uplink");
    if (g.as_json) {
      std::cout << out.dump(2) << '\n';
    } else {
      std::cout << "member " << text(out["member_id"]) << " of " << text(out["above"]) << ": "
                << (out["online"] == true ? "online" : "offline") << "\nkey " << text(out["fingerprint"])
                << "\nas-run acknowledged up to " << out["acknowledged_asrun"].dump() << '\n';
    }
    return kExitOk;
  });
}

}  // namespace

void add_federation_commands(Commands& c) {
  add_members(c);
  add_relay(c);
  add_inbox(c);
}

}  // namespace loa::loactl
