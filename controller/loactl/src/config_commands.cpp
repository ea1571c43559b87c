// config push|drift|history|rollback: station hardware configurations kept on the
// controller, sent to stations, and what each station runs.
#include <iostream>

#include "commands.hpp"
#include "loa/hwconfig/config_bundle.hpp"
#include "output.hpp"

namespace loa::loactl {
namespace {

void print_pushed(json p) {
  const bool dry = p.value("dry_run", false);
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : p["stations"]) {
    const auto id = s.get<std::string>();
    rows.push_back({id, p["versions"].contains(id) ? "v" + p["versions"][id].dump() : "-"});
  }
  print_table({"STATION", "VERSION"}, rows);
  std::cout << (dry ? "dry run: checked, nothing sent; " : "sent; ") << "digest " << text(p["digest"]).substr(0, 12)
            << '\n';
}

void print_history(json h) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& v : h["items"]) {
    rows.push_back({"v" + v["version"].dump(), when(v["created_ms"]), text(v["created_by"]),
                    text(v["digest"]).substr(0, 12), text(v["delivery"]), v.value("running", false) ? "yes" : "no",
                    text(v["note"]).empty() ? "-" : text(v["note"])});
  }
  print_table({"VERSION", "CREATED", "BY", "DIGEST", "DELIVERY", "RUNNING", "NOTE"}, rows);
  for (const auto& v : h["items"]) {
    if (v.contains("delivery_detail")) std::cout << "v" << v["version"].dump() << ": " << text(v["delivery_detail"]) << '\n';
  }
}

void print_drift(json items) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : items) {
    rows.push_back({text(d["station_id"]), "v" + d["version"].dump(), text(d["held_digest"]).substr(0, 12),
                    text(d["running_digest"]).substr(0, 12)});
  }
  if (rows.empty()) {
    std::cout << "no drift: every station heard from runs the configuration held for it\n";
    return;
  }
  print_table({"STATION", "HELD", "HELD_DIGEST", "RUNNING_DIGEST"}, rows);
}

}  // namespace

void add_config_commands(Commands& c) {
  auto* config = c.root().add_subcommand("config", "station hardware configurations kept on the controller");
  config->require_subcommand(1);

  struct PushOpts {
    std::vector<std::string> to;
    std::string file, note;
    bool dry_run = false;
    int confirm_s = 0;
  };
  auto p = std::make_shared<PushOpts>();
  auto* push = config->add_subcommand(
      "push", "check a station hardware file (and the profiles and band plan it names) on the controller and send it");
  push->add_option("file", p->file, "the station hardware file")->required()->check(CLI::ExistingFile);
  push->add_option("--to", p->to, "STATION, zone:ID, station:ID or all (repeatable)")->required();
  push->add_flag("--dry-run", p->dry_run, "check it and list where it would go; send nothing");
  push->add_option("--note", p->note, "why, for the history");
  push->add_option("--confirm-within", p->confirm_s,
                   "seconds a station has to reach the controller and every device before it goes back (0: its default)")
      ->check(CLI::Range(0, 3600));
  c.on(push, [p](IApi& api, const Globals& g) {
    const auto bundle = hwconfig::read_bundle(p->file);
    json files = json::object();
    for (const auto& [path, text] : bundle.files) files[path] = text;
    json body{{"to", targets_of(p->to)}, {"main", bundle.main}, {"files", files}, {"dry_run", p->dry_run}};
    if (!p->note.empty()) body["note"] = p->note;
    if (p->confirm_s > 0) body["confirm_within_ms"] = p->confirm_s * 1000;
    emit(g.as_json, api.call("POST", "/api/v1/config/push", body), print_pushed);
    return kExitOk;
  });

  auto* drift = config->add_subcommand("drift", "stations running a configuration other than the one held for them");
  c.on(drift, [](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/config/drift");
    emit(g.as_json, g.as_json ? out : out["items"], print_drift);
    return kExitOk;
  });

  auto station = std::make_shared<std::string>();
  auto* history = config->add_subcommand("history", "a station's configuration versions, newest first");
  history->add_option("station", *station, "the station's id")->required();
  c.on(history, [station](IApi& api, const Globals& g) {
    emit(g.as_json, api.call("GET", "/api/v1/stations/" + *station + "/config"), print_history);
    return kExitOk;
  });

  auto version = std::make_shared<int>(0);
  auto* rollback = config->add_subcommand("rollback", "send one of a station's earlier versions again, as its newest");
  rollback->add_option("station", *station, "the station's id")->required();
  rollback->add_option("version", *version, "the version to go back to")->required()->check(CLI::PositiveNumber);
  c.on(rollback, [station, version](IApi& api, const Globals& g) {
    emit(g.as_json, api.call("POST", "/api/v1/stations/" + *station + "/config/rollback", {{"version", *version}}),
         print_pushed);
    return kExitOk;
  });
}

}  // namespace loa::loactl
