// zones …, users …, tokens …, audit …: the district's shape, its people, its record.
#include <iostream>

#include "commands.hpp"
#include "output.hpp"

namespace loa::loactl {
namespace {

void add_zones(Commands& c) {
  struct Opts {
    std::string id, name, kind = "custom", parent, hours, station, approval;
    std::vector<std::string> stations, areas;
  };
  auto o = std::make_shared<Opts>();
  auto* zones = c.root().add_subcommand("zones", "zones: the province's tree (see levels) and custom groups (no command: list)");
  auto list_action = [](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/zones");
    emit(g.as_json, g.as_json ? out : out["items"], print_zones);
    return kExitOk;
  };
  c.on(zones, list_action);
  c.on(zones->add_subcommand("list", "every zone"), list_action);
  c.on(c.root().add_subcommand("levels", "the province's tree levels, top down (the kinds of zone)"),
       [](IApi& api, const Globals& g) {
         auto out = api.call("GET", "/api/v1/levels");
         if (g.as_json) {
           std::cout << out.dump(2) << '\n';
           return kExitOk;
         }
         std::vector<std::vector<std::string>> rows;
         for (auto l : out["levels"]) {
           rows.push_back({text(l["kind"]), text(l["name"]), l["optional"].get<bool>() ? "optional" : ""});
         }
         print_table({"KIND", "NAME", ""}, rows);
         return kExitOk;
       });
  auto show_zone = [](const Globals& g, const json& out) {
    emit(g.as_json, g.as_json ? out : json::array({out}), print_zones);
    return kExitOk;
  };
  auto id_of = [o](CLI::App* cmd) { cmd->add_option("zone", o->id, "the zone's id")->required(); };

  auto* add = zones->add_subcommand("add", "make a zone");
  id_of(add);
  add->add_option("--name", o->name, "its name (default: the id)");
  add->add_option("--kind", o->kind, "a level of the province's tree (loactl levels: province, commune, ...) or custom");
  add->add_option("--parent", o->parent, "the zone it lies in");
  add->add_option("--stations", o->stations, "its stations, with commas")->delimiter(',');
  c.on(add, [o, show_zone](IApi& api, const Globals& g) {
    json body{{"id", o->id}, {"name", o->name.empty() ? o->id : o->name}, {"kind", o->kind}};
    if (!o->parent.empty()) body["parent_id"] = o->parent;
    if (!o->stations.empty()) body["stations"] = o->stations;
    return show_zone(g, api.call("POST", "/api/v1/zones", body));
  });
  auto* show = zones->add_subcommand("show", "one zone");
  id_of(show);
  c.on(show, [o, show_zone](IApi& api, const Globals& g) { return show_zone(g, api.call("GET", "/api/v1/zones/" + o->id)); });
  auto* rm = zones->add_subcommand("rm", "remove a zone");
  id_of(rm);
  c.on(rm, [o](IApi& api, const Globals& g) {
    api.call("DELETE", "/api/v1/zones/" + o->id);
    if (!g.as_json) std::cout << "removed zone " << o->id << '\n';
    return kExitOk;
  });
  auto* quiet = zones->add_subcommand("quiet-hours", "only emergencies sound in the zone then");
  id_of(quiet);
  quiet->add_option("hours", o->hours, "HH:MM-HH:MM, or none")->required();
  c.on(quiet, [o, show_zone](IApi& api, const Globals& g) {
    return show_zone(g, api.call("PUT", "/api/v1/zones/" + o->id, {{"quiet_hours", o->hours == "none" ? "" : o->hours}}));
  });
  auto* approval = zones->add_subcommand("approval", "whether broadcasts in the zone wait for an approver");
  id_of(approval);
  approval->add_option("needed", o->approval, "on or off")->required()->check(one_of({"on", "off"}));
  c.on(approval, [o, show_zone](IApi& api, const Globals& g) {
    return show_zone(g, api.call("PUT", "/api/v1/zones/" + o->id, {{"needs_approval", o->approval == "on"}}));
  });
  auto* areas = zones->add_subcommand("cap-areas", "CAP areas meaning the zone: geocodes \"SAME=006109\" or area names");
  id_of(areas);
  areas->add_option("areas", o->areas, "geocodes or area names (none: clear them)");
  c.on(areas, [o, show_zone](IApi& api, const Globals& g) {
    return show_zone(g, api.call("PUT", "/api/v1/zones/" + o->id, {{"cap_areas", o->areas}}));
  });
  auto* add_station = zones->add_subcommand("add-station", "put a station in a zone");
  id_of(add_station);
  add_station->add_option("station", o->station)->required();
  c.on(add_station, [o, show_zone](IApi& api, const Globals& g) {
    return show_zone(g, api.call("POST", "/api/v1/zones/" + o->id + "/stations", {{"station_id", o->station}}));
  });
  auto* remove_station = zones->add_subcommand("remove-station", "take a station out of a zone");
  id_of(remove_station);
  remove_station->add_option("station", o->station)->required();
  c.on(remove_station, [o, show_zone](IApi& api, const Globals& g) {
    return show_zone(g, api.call("DELETE", "/api/v1/zones/" + o->id + "/stations/" + o->station));
  });
}

void add_users(Commands& c) {
  struct Opts {
    std::string name;
    std::vector<std::string> roles, zones;
  };
  auto o = std::make_shared<Opts>();
  auto* users = c.root().add_subcommand("users", "console users (no command: list)");
  auto list_action = [](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/users");
    emit(g.as_json, g.as_json ? out : out["items"], [](json items) {
      std::vector<std::vector<std::string>> rows;
      for (auto u : items) rows.push_back({text(u["name"]), u["roles"].dump(), u["zones"].dump(), when(u["created_ms"])});
      print_table({"NAME", "ROLES", "ZONES", "CREATED"}, rows);
    });
    return kExitOk;
  };
  c.on(users, list_action);
  c.on(users->add_subcommand("list", "every user"), list_action);
  auto* add = users->add_subcommand("add", "add a user (the password comes from LOA_NEW_PASSWORD or a prompt)");
  add->add_option("name", o->name)->required();
  add->add_option("--role", o->roles, "roles, with commas")
      ->required()
      ->delimiter(',')
      ->check(one_of({"admin", "operator", "emergency", "technician", "viewer", "approver"}));
  add->add_option("--zones", o->zones, "the zones they may act in, with commas (none: everywhere)")->delimiter(',');
  c.on(add, [o](IApi& api, const Globals&) {
    std::string password;
    if (const char* p = std::getenv("LOA_NEW_PASSWORD")) {
      password = p;
    } else {
      std::cerr << "password for " << o->name << ": " << std::flush;
      std::getline(std::cin, password);
    }
    auto out = api.call("POST", "/api/v1/users", {{"name", o->name}, {"password", password}, {"roles", o->roles}, {"zones", o->zones}});
    std::cout << "user " << o->name << " " << out["roles"].dump() << "\n";
    return kExitOk;
  });
  auto* rm = users->add_subcommand("rm", "remove a user");
  rm->add_option("name", o->name)->required();
  c.on(rm, [o](IApi& api, const Globals&) {
    (void)api.call("DELETE", "/api/v1/users/" + o->name);
    std::cout << "removed " << o->name << "\n";
    return kExitOk;
  });
}

// A script's own token: made by a signed-in user (LOA_USER/LOA_PASSWORD) and shown once.
void add_tokens(Commands& c) {
  struct Opts {
    std::string id, user_of, label, for_user;
    int expires_days = 365;
  };
  auto o = std::make_shared<Opts>();
  auto* tokens = c.root().add_subcommand("tokens", "API tokens for scripts: your own (an admin: anyone's)");
  auto list_action = [o](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/tokens" + query({{"user", o->user_of}}));
    emit(g.as_json, g.as_json ? out : out["items"], [](json items) {
      std::vector<std::vector<std::string>> rows;
      for (auto t : items) {
        rows.push_back({text(t["id"]), text(t["user"]), text(t["label"]), when(t["created_ms"]),
                        t["expires_ms"].is_null() ? "never" : when(t["expires_ms"])});
      }
      print_table({"ID", "USER", "LABEL", "CREATED", "EXPIRES"}, rows);
    });
    return kExitOk;
  };
  tokens->add_option("--user-of", o->user_of, "another user's (admin)");
  c.on(tokens, list_action);
  auto* list = tokens->add_subcommand("list", "tokens");
  list->add_option("--user-of", o->user_of, "another user's (admin)");
  c.on(list, list_action);
  auto* add = tokens->add_subcommand("add", "make a token (the secret is printed once)");
  add->add_option("--label", o->label, "what it is for");
  add->add_option("--for", o->for_user, "another user (admin)");
  add->add_option("--expires-days", o->expires_days, "its lifetime in days")->check(CLI::Range(0, 3650));
  c.on(add, [o](IApi& api, const Globals& g) {
    json body{{"label", o->label}, {"expires_days", o->expires_days}};
    if (!o->for_user.empty()) body["user"] = o->for_user;
    auto out = api.call("POST", "/api/v1/tokens", body);
    if (g.as_json) {
      std::cout << out.dump(2) << "\n";
    } else {
      std::cerr << "token " << text(out["id"]) << " for " << text(out["user"]) << " (shown once; export it as LOA_TOKEN):\n";
      std::cout << text(out["token"]) << "\n";
    }
    return kExitOk;
  });
  auto* revoke = tokens->add_subcommand("revoke", "revoke a token");
  revoke->add_option("id", o->id)->required();
  c.on(revoke, [o](IApi& api, const Globals& g) {
    (void)api.call("DELETE", "/api/v1/tokens/" + o->id);
    if (!g.as_json) std::cout << "revoked " << o->id << "\n";
    return kExitOk;
  });
}

void add_audit(Commands& c) {
  struct Opts {
    std::string subject, limit, offset;
  };
  auto o = std::make_shared<Opts>();
  auto* audit = c.root().add_subcommand("audit", "who did what, newest first");
  audit->add_option("--subject", o->subject, "only entries about this");
  audit->add_option("--limit", o->limit)->check(CLI::PositiveNumber);
  audit->add_option("--offset", o->offset)->check(CLI::NonNegativeNumber);
  c.on(audit, [o](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/audit" + query({{"subject", o->subject}, {"limit", o->limit}, {"offset", o->offset}}));
    emit(g.as_json, g.as_json ? out : out["items"], [](json items) {
      std::vector<std::vector<std::string>> rows;
      for (auto e : items) rows.push_back({when(e["at_ms"]), text(e["user"]), text(e["action"]), text(e["subject"]), text(e["detail"])});
      print_table({"WHEN", "USER", "ACTION", "SUBJECT", "DETAIL"}, rows);
    });
    return kExitOk;
  });
  auto* verify = audit->add_subcommand("verify", "recompute the audit log's hash chain (exit 1 if broken)");
  c.on(verify, [](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/audit/verify");
    if (g.as_json) {
      std::cout << out.dump(2) << "\n";
      return out["intact"] == true ? kExitOk : kExitApiError;
    }
    if (out["intact"] == true) {
      std::cout << "audit log intact: " << out["entries"] << " entries\n";
      return kExitOk;
    }
    std::cout << "audit log BROKEN at entry " << out["broken_at"] << " (of " << out["entries"] << " read)\n";
    return kExitApiError;
  });
}

}  // namespace

void add_admin_commands(Commands& c) {
  add_zones(c);
  add_users(c);
  add_tokens(c);
  add_audit(c);
}

}  // namespace loa::loactl
