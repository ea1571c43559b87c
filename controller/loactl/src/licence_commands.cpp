// licences, station licence, station set-licence: the radio licences the controller
// keeps and sends to each station.
#include <iostream>

#include "commands.hpp"
#include "output.hpp"

namespace loa::loactl {
namespace {

std::string number(const json& v) {
  if (!v.is_number()) return "-";
  std::ostringstream out;
  out << v.get<double>();
  return out.str();
}

std::vector<std::string> licence_row(json l) {
  return {text(l["station_id"]),  number(l["assigned_khz"]), number(l["tolerance_khz"]), number(l["max_power_w"]),
          text(l["expires"]),     l["days_left"].is_number() ? l["days_left"].dump() : "-",
          l["temporary"] == true ? "yes" : "no", text(l["delivery"])};
}

const std::vector<std::string> kHeader{"STATION", "KHZ", "TOLERANCE", "MAX_W", "EXPIRES", "DAYS_LEFT", "TEMPORARY", "AT_STATION"};

void print_licence(json l) {
  print_table(kHeader, {licence_row(l)});
  if (l.contains("delivery_detail")) std::cout << "station said: " << text(l["delivery_detail"]) << '\n';
}

void print_licences(json items) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& l : items) rows.push_back(licence_row(l));
  print_table(kHeader, rows);
}

}  // namespace

void add_licence_commands(Commands& c, CLI::App* station) {
  auto* list = c.root().add_subcommand("licences", "every station's licence, days left, and whether the station has it");
  c.on(list, [](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/licences");
    emit(g.as_json, g.as_json ? out : out["items"], print_licences);
    return kExitOk;
  });

  struct Opts {
    std::string id, expires, type_approval;
    double assigned_khz = 0, tolerance_khz = 0, max_power_w = 0;
    bool temporary = false;
    int wait_s = 30;
  };
  auto o = std::make_shared<Opts>();
  auto* show = station->add_subcommand("licence", "the station's licence as the controller keeps it");
  show->add_option("id", o->id, "the station's id")->required();
  c.on(show, [o](IApi& api, const Globals& g) {
    emit(g.as_json, api.call("GET", "/api/v1/stations/" + o->id + "/licence"), print_licence);
    return kExitOk;
  });

  auto* set = station->add_subcommand("set-licence", "set the station's licence and send it (waits for the station's answer)");
  set->add_option("id", o->id, "the station's id")->required();
  set->add_option("--khz", o->assigned_khz, "assigned carrier frequency, kHz")->required()->check(CLI::PositiveNumber);
  set->add_option("--tolerance", o->tolerance_khz, "how far the carrier may stray, kHz")->required()->check(CLI::PositiveNumber);
  set->add_option("--max-power", o->max_power_w, "forward power ceiling, W")->required()->check(CLI::PositiveNumber);
  set->add_option("--expires", o->expires, "the last valid day, YYYY-MM-DD")->required();
  set->add_option("--type-approval", o->type_approval, "type-approval certificate reference");
  set->add_flag("--temporary", o->temporary, "a temporary licence (needed in bands such as 87-108 MHz)");
  set->add_option("--wait", o->wait_s, "seconds to wait for the station's answer")->check(CLI::Range(0, 3600));
  c.on(set, [o](IApi& api, const Globals& g) {
    json body{{"assigned_khz", o->assigned_khz}, {"tolerance_khz", o->tolerance_khz}, {"max_power_w", o->max_power_w},
              {"expires", o->expires},           {"temporary", o->temporary}};
    if (!o->type_approval.empty()) body["type_approval"] = o->type_approval;
    auto stored = api.call("PUT", "/api/v1/stations/" + o->id + "/licence", body);
    if (!g.as_json) print_licence(stored);
    return wait_for_command(api, g, o->id, text(stored["command_id"]), o->wait_s);
  });
}

}  // namespace loa::loactl
