#pragma once

#include <string>
#include <vector>

#include "loa/loactl/api.hpp"

// How loactl shows the API's answers to a person: aligned tables, local times, and one
// printer per kind of record. Printers take their JSON by value: a field the controller
// left out reads as null ("-"), never as undefined behaviour.
namespace loa::loactl {

[[nodiscard]] std::string when(json ms);       // epoch ms as local "YYYY-MM-DD HH:MM:SS", or "-"
[[nodiscard]] std::string text(json v);        // a string as it is, null as "-", anything else as JSON
[[nodiscard]] std::string instant(json v);     // an ISO 8601 string, or "-"
// An as-run row's proof of play: "-23.4 dBFS", "DEAD AIR", or "-" when not measured.
[[nodiscard]] std::string sound_level(const json& row);
[[nodiscard]] std::string upper_text(json v);  // text() in capitals
void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

void print_stations(json items);
void print_station(json s);
void print_health(json h);
void print_alarms(json items);
void print_command_result(json c);
void print_commands(json items);
void print_clips(json items);
void print_streams(json items);
void print_zones(json items);
void print_broadcasts(json items);
// Broadcasts waiting for approval, or decided: where they stand and who decided.
void print_approvals(json items);
void print_broadcast(json b);
void print_conflicts(json conflicts);
void print_alerts(json items);
void print_alert(json a);

// The API's JSON (--json), or the printer's table.
void emit(bool as_json, const json& value, void (*printer)(json));

}  // namespace loa::loactl
