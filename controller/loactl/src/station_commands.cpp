// stations, station …, commands, link-stats: the fleet and its hardware.
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "commands.hpp"
#include "loa/loactl/station_csv.hpp"
#include "output.hpp"

namespace loa::loactl {

int wait_for_command(IApi& api, const Globals& g, const std::string& station, const std::string& id, int wait_s) {
  json out = api.call("GET", "/api/v1/commands/" + id);
  for (int i = 0; i < wait_s * 10 && out["state"] == "pending"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    out = api.call("GET", "/api/v1/commands/" + id);
  }
  emit(g.as_json, out, print_command_result);
  if (out["state"] == "pending") {
    std::cerr << "loactl: no answer yet; the command stays queued (loactl commands --station " << station << ")\n";
    return kExitApiError;
  }
  return out["state"] == "applied" ? kExitOk : kExitApiError;
}

namespace {

// Queues a station command and waits for the station's answer: a station that is
// offline gets it when it is back (exit 1 until then).
int command_and_wait(IApi& api, const Globals& g, const std::string& station, const json& body, int wait_s) {
  auto queued = api.call("POST", "/api/v1/stations/" + station + "/commands", body);
  return wait_for_command(api, g, station, text(queued["id"]), wait_s);
}

int import_stations(IApi& api, const Globals& g, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ApiError(kExitUsage, "cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  const auto list = parse_station_csv(text.str());
  int failures = static_cast<int>(list.errors.size());
  for (const auto& e : list.errors) std::cerr << path << ":" << e.row << ": " << e.message << '\n';
  int added = 0;
  for (const auto& r : list.rows) {
    json body{{"id", r.id}, {"public_key", r.public_key}, {"name", r.name}, {"commune", r.commune}, {"location", r.location}};
    try {
      api.call("POST", "/api/v1/stations", body);
      ++added;
    } catch (const ApiError& e) {
      if (e.exit_code == kExitUnreachable) throw;
      std::cerr << path << ":" << r.row << ": " << r.id << ": " << e.what() << '\n';
      ++failures;
    }
  }
  if (!g.as_json) std::cout << added << " stations enrolled, " << failures << " refused\n";
  return failures ? kExitApiError : kExitOk;
}

void add_station(Commands& c, CLI::App* station) {
  struct Opts {
    std::string id, key, name, commune, location, text = "ping", device, alarm, state, active, file, fingerprint;
    double max_vswr = 0;
    int wait_s = 30;
  };
  auto o = std::make_shared<Opts>();
  auto id_of = [o](CLI::App* cmd) { cmd->add_option("id", o->id, "the station's id")->required(); };

  auto* show = station->add_subcommand("show", "one station");
  id_of(show);
  c.on(show, [o](IApi& api, const Globals& g) {
    emit(g.as_json, api.call("GET", "/api/v1/stations/" + o->id), print_station);
    return kExitOk;
  });
  auto* approve = station->add_subcommand("approve", "let a pending station in, naming the key that was checked");
  id_of(approve);
  approve->add_option("--fingerprint", o->fingerprint,
                      "the fingerprint of its key as read on the station (loa-agent fingerprint): SHA256:…")
      ->required();
  c.on(approve, [o](IApi& api, const Globals& g) {
    emit(g.as_json, api.call("POST", "/api/v1/stations/" + o->id + "/approve", {{"fingerprint", o->fingerprint}}),
         print_station);
    return kExitOk;
  });
  for (const char* verb : {"reject", "revoke"}) {
    auto* cmd = station->add_subcommand(verb, std::string(verb) == "revoke" ? "cut the station off at once"
                                                                             : std::string(verb) + " a pending station");
    id_of(cmd);
    c.on(cmd, [o, verb = std::string(verb)](IApi& api, const Globals& g) {
      emit(g.as_json, api.call("POST", "/api/v1/stations/" + o->id + "/" + verb), print_station);
      return kExitOk;
    });
  }
  auto* remove = station->add_subcommand("remove", "forget a station");
  id_of(remove);
  c.on(remove, [o](IApi& api, const Globals& g) {
    api.call("DELETE", "/api/v1/stations/" + o->id);
    if (!g.as_json) std::cout << "removed " << o->id << '\n';
    return kExitOk;
  });
  auto* add = station->add_subcommand("add", "enroll a station ahead with its public key");
  id_of(add);
  add->add_option("--key", o->key, "the agent's CURVE public key (Z85)")->required();
  add->add_option("--name", o->name, "a name people know it by");
  add->add_option("--commune", o->commune, "its commune");
  add->add_option("--location", o->location, "where it stands (\"lat,lon\" or words)");
  c.on(add, [o](IApi& api, const Globals& g) {
    emit(g.as_json,
         api.call("POST", "/api/v1/stations",
                  {{"id", o->id}, {"public_key", o->key}, {"name", o->name}, {"commune", o->commune}, {"location", o->location}}),
         print_station);
    return kExitOk;
  });
  auto* import = station->add_subcommand("import", "enroll stations from a CSV list: id,public_key[,name,commune,location]");
  import->add_option("file", o->file, "the CSV file")->required();
  c.on(import, [o](IApi& api, const Globals& g) { return import_stations(api, g, o->file); });

  auto* ping = station->add_subcommand("ping", "send a ping (delivered when the station is online)");
  id_of(ping);
  ping->add_option("--text", o->text, "what the station echoes");
  c.on(ping, [o](IApi& api, const Globals& g) {
    auto out = api.call("POST", "/api/v1/stations/" + o->id + "/commands", {{"type", "ping"}, {"text", o->text}});
    if (g.as_json) {
      std::cout << out.dump(2) << '\n';
    } else {
      std::cout << "command " << text(out["id"]) << " queued for " << o->id << '\n';
    }
    return kExitOk;
  });
  auto* health = station->add_subcommand("health", "devices' latest readings, open alarms, band compliance");
  id_of(health);
  c.on(health, [o](IApi& api, const Globals& g) {
    emit(g.as_json, api.call("GET", "/api/v1/stations/" + o->id + "/health"), print_health);
    return kExitOk;
  });
  auto* alarms = station->add_subcommand("alarms", "alarm history (or only the open ones)");
  id_of(alarms);
  alarms->add_option("--active", o->active, "1: only open alarms")->check(one_of({"0", "1"}));
  c.on(alarms, [o](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/stations/" + o->id + "/alarms" + query({{"active", o->active}}));
    emit(g.as_json, g.as_json ? out : out["items"], print_alarms);
    return kExitOk;
  });
  auto* ack = station->add_subcommand("ack", "acknowledge an open alarm");
  id_of(ack);
  ack->add_option("alarm", o->alarm, "the alarm id (DEVICE.RULE)")->required();
  c.on(ack, [o](IApi& api, const Globals& g) {
    auto out = api.call("POST", "/api/v1/stations/" + o->id + "/alarms/" + o->alarm + "/ack");
    if (g.as_json) std::cout << out.dump(2) << '\n';
    return kExitOk;
  });
  auto* amp = station->add_subcommand("amp", "switch the amplifier (waits for the station's answer)");
  id_of(amp);
  amp->add_option("state", o->state, "on or off")->required()->check(one_of({"on", "off"}));
  amp->add_option("--device", o->device, "the amplifier's device id, where a station has several");
  amp->add_option("--wait", o->wait_s, "seconds to wait for the answer")->check(CLI::Range(0, 3600));
  c.on(amp, [o](IApi& api, const Globals& g) {
    return command_and_wait(api, g, o->id, {{"type", "set_amplifier"}, {"on", o->state == "on"}, {"device_id", o->device}},
                            o->wait_s);
  });
  auto* mute = station->add_subcommand("mute", "mute or unmute the transmitter (unmuting is refused while out of band)");
  id_of(mute);
  mute->add_option("state", o->state, "on (muted) or off (on air)")->required()->check(one_of({"on", "off"}));
  mute->add_option("--device", o->device, "the transmitter's device id, where a station has several");
  mute->add_option("--wait", o->wait_s, "seconds to wait for the answer")->check(CLI::Range(0, 3600));
  c.on(mute, [o](IApi& api, const Globals& g) {
    return command_and_wait(api, g, o->id, {{"type", "set_mute"}, {"muted", o->state == "on"}, {"device_id", o->device}},
                            o->wait_s);
  });
  auto* silent = station->add_subcommand("silent-test", "check the chain without sound (waits for the result)");
  id_of(silent);
  silent->add_option("--max-vswr", o->max_vswr, "the highest VSWR that passes")->check(CLI::Range(0.0, 100.0));
  silent->add_option("--wait", o->wait_s, "seconds to wait for the answer")->check(CLI::Range(0, 3600));
  c.on(silent, [o](IApi& api, const Globals& g) {
    return command_and_wait(api, g, o->id, {{"type", "silent_test"}, {"max_vswr", o->max_vswr}}, o->wait_s);
  });
  auto* asrun = station->add_subcommand("asrun", "what played on a station");
  id_of(asrun);
  c.on(asrun, [o](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/stations/" + o->id + "/asrun");
    if (g.as_json) {
      std::cout << out.dump(2) << "\n";
      return kExitOk;
    }
    std::vector<std::vector<std::string>> rows;
    for (auto r : out["items"]) {
      rows.push_back({text(r["broadcast_id"]), text(r["content_id"]).substr(0, 12), when(r["planned_start_ms"]),
                      when(r["actual_start_ms"]), when(r["end_ms"]), text(r["outcome"]), sound_level(r), text(r["detail"])});
    }
    print_table({"BROADCAST", "CLIP", "PLANNED", "STARTED", "ENDED", "OUTCOME", "LEVEL", "DETAIL"}, rows);
    return kExitOk;
  });
}

}  // namespace

void add_station_commands(Commands& c) {
  auto& root = c.root();
  auto state = std::make_shared<std::string>();
  auto* stations = root.add_subcommand("stations", "list stations");
  stations->add_option("--state", *state, "only stations in this state")
      ->check(one_of({"pending", "online", "offline", "rejected", "revoked"}));
  c.on(stations, [state](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/stations" + query({{"state", *state}}));
    emit(g.as_json, g.as_json ? out : out["items"], print_stations);
    return kExitOk;
  });

  auto* station = root.add_subcommand("station", "one station: enrollment, commands, health");
  station->require_subcommand(1);
  add_station(c, station);
  add_licence_commands(c, station);

  struct CommandFilter {
    std::string station, state, limit;
  };
  auto f = std::make_shared<CommandFilter>();
  auto* commands = root.add_subcommand("commands", "commands and their results");
  commands->add_option("--station", f->station, "one station's");
  commands->add_option("--state", f->state, "only in this state")->check(one_of({"pending", "applied", "failed", "rejected"}));
  commands->add_option("--limit", f->limit, "at most this many")->check(CLI::PositiveNumber);
  c.on(commands, [f](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/commands" + query({{"station", f->station}, {"state", f->state}, {"limit", f->limit}}));
    emit(g.as_json, g.as_json ? out : out["items"], print_commands);
    return kExitOk;
  });

  auto* link = root.add_subcommand("link-stats", "control-link counters");
  c.on(link, [](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/link/stats");
    if (g.as_json) {
      std::cout << out.dump(2) << '\n';
      return kExitOk;
    }
    std::vector<std::vector<std::string>> rows;
    for (auto& [k, v] : out["counters"].items()) rows.push_back({k, v.dump()});
    for (auto& [k, v] : out["stations"].items()) rows.push_back({"stations_" + k, v.dump()});
    rows.push_back({"pending_commands", out["pending_commands"].dump()});
    print_table({"COUNTER", "VALUE"}, rows);
    return kExitOk;
  });
}

}  // namespace loa::loactl
