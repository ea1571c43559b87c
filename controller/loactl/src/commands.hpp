#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "loa/loactl/api.hpp"

// What each group of loactl's commands (one file each) needs to declare itself.
namespace loa::loactl {

// Options every command takes, before or after its name.
struct Globals {
  Connection connection;
  bool as_json = false;
};

// A command's work, run once the whole command line has been understood.
using Action = std::function<int(IApi& api, const Globals& globals)>;

class Commands {
 public:
  Commands(CLI::App& root, const Globals& globals) : root_(root), globals_(globals) {}

  [[nodiscard]] CLI::App& root() const { return root_; }
  [[nodiscard]] const Globals& globals() const { return globals_; }
  // Declares `command` to run `action` when it is the one given.
  void on(CLI::App* command, Action action) {
    command->callback([this, command, action] {
      if (command->get_subcommands().empty()) selected_ = action;
    });
  }
  [[nodiscard]] const Action& selected() const { return selected_; }

 private:
  CLI::App& root_;
  const Globals& globals_;
  Action selected_;
};

// A value that must be one of `allowed`; the error names the nearest one.
[[nodiscard]] CLI::Validator one_of(std::vector<std::string> allowed);

// "a,b,c" as a list (empty items dropped).
[[nodiscard]] std::vector<std::string> split_list(const std::string& s);
[[nodiscard]] std::string query(const std::vector<std::pair<std::string, std::string>>& params);
[[nodiscard]] std::string encode(const std::string& value);
// --to values as the API takes them: "all" and "zone:ID" as they are, a bare id as
// "station:ID".
[[nodiscard]] json targets_of(const std::vector<std::string>& to);

// Waits up to `wait_s` for a station's answer to command `id` and shows it: 0 when
// applied, 1 when it failed or no answer came (the command stays queued).
int wait_for_command(IApi& api, const Globals& g, const std::string& station, const std::string& id, int wait_s);

void add_station_commands(Commands& c);   // stations, station …, commands, link-stats
void add_licence_commands(Commands& c, CLI::App* station);  // licences, station licence, station set-licence
void add_playing_commands(Commands& c);   // clips …, play, stop, volume, streams …
void add_schedule_commands(Commands& c);  // broadcasts …, asrun
void add_alert_commands(Commands& c);     // alert …, cap
void add_report_commands(Commands& c);    // reports plays|uptime|alerts|monthly
void add_admin_commands(Commands& c);     // zones …, users …, tokens …, audit …
void add_federation_commands(Commands& c);  // members …, relay, relays, inbox …, uplink
void add_config_commands(Commands& c);    // config push|drift|history|rollback
void add_update_commands(Commands& c);    // release keygen|sign, update push|status|list|releases|halt|rollback

}  // namespace loa::loactl
