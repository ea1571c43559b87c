#include "output.hpp"

#include <cstdio>
#include <ctime>
#include <iostream>

namespace loa::loactl {

std::string when(json ms) {
  if (!ms.is_number()) return "-";
  std::time_t t = ms.get<std::int64_t>() / 1000;
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
  return buf;
}

std::string text(json v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "-";
  return v.dump();
}

// Prints rows as aligned columns (UTF-8 aware enough for Vietnamese names).
void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  auto width = [](const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  std::vector<std::size_t> w(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) w[i] = width(header[i]);
  for (auto r : rows)
    for (std::size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], width(r[i]));
  auto line = [&](const std::vector<std::string>& r) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      std::cout << r[i];
      if (i + 1 < r.size()) std::cout << std::string(w[i] - width(r[i]) + 2, ' ');
    }
    std::cout << '\n';
  };
  line(header);
  for (auto r : rows) line(r);
}

void print_stations(json items) {
  std::vector<std::vector<std::string>> rows;
  for (auto s : items) {
    rows.push_back({text(s["id"]), text(s["state"]), text(s["name"]), text(s["key_fingerprint"]),
                    when(s["last_seen_ms"]), text(s["last_address"]), text(s["software_version"])});
  }
  print_table({"ID", "STATE", "NAME", "KEY", "LAST SEEN", "ADDRESS", "VERSION"}, rows);
}

void print_station(json s) {
  for (auto key : {"id", "state", "name", "commune", "location", "key_fingerprint", "public_key",
                          "last_address", "software_version"}) {
    std::cout << key << ": " << text(s[key]) << '\n';
  }
  std::cout << "last_seen: " << when(s["last_seen_ms"]) << "\nonline_since: " << when(s["online_since_ms"]) << '\n';
}

static std::string reading(json d, const char* key, const char* unit) {
  if (!d.contains(key)) return "-";
  const auto& v = d[key];
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_number_float()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%s", v.get<double>(), unit);
    return buf;
  }
  return v.dump() + unit;
}

// "12.4 V 63 % 5.2 h": what the battery holds and, while it drains, for how long.
static std::string battery(const json& d) {
  std::string out;
  auto add = [&out](const std::string& part) {
    if (part == "-") return;
    out += (out.empty() ? "" : " ") + part;
  };
  add(reading(d, "battery_voltage_v", " V"));
  add(reading(d, "battery_soc_pct", " %"));
  if (d.contains("battery_hours_left") && d["battery_hours_left"].is_number() &&
      d["battery_hours_left"].get<double>() < 1000) {
    char hours[32];
    std::snprintf(hours, sizeof hours, "%.1f h", d["battery_hours_left"].get<double>());
    add(hours);
  }
  return out.empty() ? "-" : out;
}

void print_health(json h) {
  const auto& s = h["station"];
  std::cout << text(s["id"]) << "  " << text(s["state"]) << "  compliance: " << text(h["compliance"]["status"])
            << "\n\n";
  std::vector<std::vector<std::string>> rows;
  for (auto d : h["devices"]) {
    const bool up = d.value("reachable", false);
    rows.push_back({text(d["device_id"]), up ? "yes" : "NO", reading(d, "powered_on", ""),
                    reading(d, "temperature_c", " C"), reading(d, "forward_power_w", " W"),
                    reading(d, "reflected_power_w", " W"), reading(d, "vswr", ""), reading(d, "carrier_khz", " kHz"),
                    reading(d, "mains_voltage_v", " V"), battery(d), when(d["measured_at_ms"])});
  }
  print_table({"DEVICE", "REACHABLE", "POWER", "TEMP", "FWD", "REFL", "VSWR", "CARRIER", "MAINS", "BATTERY", "MEASURED"},
              rows);
  std::cout << "\n";
  std::vector<std::vector<std::string>> alarms;
  for (auto a : h["alarms"]) {
    alarms.push_back({text(a["alarm_id"]), text(a["severity"]), when(a["raised_ms"]),
                      text(a["acknowledged_by"]).empty() ? "-" : text(a["acknowledged_by"]),
                      text(a["message"])});
  }
  if (alarms.empty()) {
    std::cout << "no open alarms\n";
  } else {
    print_table({"ALARM", "SEVERITY", "RAISED", "ACK", "MESSAGE"}, alarms);
  }
}

void print_alarms(json items) {
  std::vector<std::vector<std::string>> rows;
  for (auto a : items) {
    rows.push_back({text(a["alarm_id"]), text(a["severity"]), when(a["raised_ms"]), when(a["cleared_ms"]),
                    text(a["message"])});
  }
  print_table({"ALARM", "SEVERITY", "RAISED", "CLEARED", "MESSAGE"}, rows);
}

void print_command_result(json c) {
  std::cout << text(c["kind"]) << " on " << text(c["station_id"]) << ": " << text(c["state"]) << " — "
            << text(c["result_detail"]) << "\n";
  if (!c.contains("checks")) return;
  std::vector<std::vector<std::string>> rows;
  for (auto check : c["checks"]) {
    rows.push_back({text(check["name"]),
                    check.value("unchecked", false) ? "unchecked" : (check["passed"] == true ? "pass" : "FAIL"),
                    text(check["detail"])});
  }
  print_table({"CHECK", "RESULT", "DETAIL"}, rows);
}

void print_clips(json items) {
  std::vector<std::vector<std::string>> rows;
  for (auto c : items) {
    char duration[32];
    std::snprintf(duration, sizeof duration, "%.1f s", c.value("duration_ms", 0) / 1000.0);
    rows.push_back({text(c["id"]).substr(0, 12), text(c["name"]), duration, text(c["source_format"]),
                    when(c["created_ms"])});
  }
  print_table({"ID", "NAME", "DURATION", "SOURCE", "ADDED"}, rows);
}

void print_streams(json items) {
  std::vector<std::vector<std::string>> rows;
  for (auto s : items) {
    rows.push_back({text(s["id"]), text(s["state"]), text(s["broadcast_id"]), std::to_string(s.value("frames", 0)),
                    std::to_string(s.value("reconnects", 0)), text(s["source"]), text(s["last_error"])});
  }
  print_table({"ID", "STATE", "BROADCAST", "FRAMES", "RECONNECTS", "SOURCE", "LAST ERROR"}, rows);
}

void print_zones(json items) {
  std::vector<std::vector<std::string>> rows;
  for (auto z : items) {
    std::string members;
    for (auto m : z["stations"]) members += (members.empty() ? "" : ",") + text(m);
    rows.push_back({text(z["id"]), text(z["kind"]), text(z["name"]), text(z["parent_id"]),
                    z.value("needs_approval", false) ? "yes" : "", members});
  }
  print_table({"ID", "KIND", "NAME", "PARENT", "APPROVAL", "STATIONS"}, rows);
}

void print_commands(json items) {
  std::vector<std::vector<std::string>> rows;
  for (auto c : items) {
    rows.push_back({text(c["id"]), text(c["station_id"]), text(c["kind"]), text(c["state"]),
                    std::to_string(c.value("attempts", 0)), when(c["created_ms"]), when(c["completed_ms"]),
                    text(c["result_detail"])});
  }
  print_table({"ID", "STATION", "KIND", "STATE", "SENT", "CREATED", "COMPLETED", "DETAIL"}, rows);
}


std::string instant(json v) { return v.is_string() ? v.get<std::string>() : "-"; }

std::string sound_level(const json& row) {
  if (row.value("dead_air", false)) return "DEAD AIR";
  const auto it = row.find("loudness_dbfs");
  if (it == row.end() || !it->is_number()) return "-";
  char out[32];
  std::snprintf(out, sizeof out, "%.1f dBFS", it->get<double>());
  return out;
}

void print_broadcasts(json items) {
  std::vector<std::vector<std::string>> rows;
  for (auto b : items) {
    std::string to;
    for (auto t : b["to"]) to += (to.empty() ? "" : ",") + text(t);
    rows.push_back({text(b["id"]), text(b["state"]), text(b["priority"]), instant(b["next"]),
                    text(b["rrule"]).empty() || b["rrule"].is_null() ? "once" : text(b["rrule"]), to, text(b["title"])});
  }
  print_table({"ID", "STATE", "PRIORITY", "NEXT", "REPEATS", "TO", "TITLE"}, rows);
}

void print_approvals(json items) {
  std::vector<std::vector<std::string>> rows;
  for (auto b : items) {
    std::string to;
    for (auto t : b["targets"]) to += (to.empty() ? "" : ",") + text(t);
    const auto& a = b["approval"];
    rows.push_back({text(b["id"]), text(a["state"]), text(b["start"]) + " " + text(b["tz"]), to, text(a["submitted_by"]),
                    text(a["decided_by"]), text(a["note"]), text(b["title"])});
  }
  print_table({"ID", "APPROVAL", "START", "TO", "BY", "DECIDED BY", "NOTE", "TITLE"}, rows);
}

void print_broadcast(json b) {
  for (auto key : {"id", "title", "state", "priority", "start", "tz", "rrule", "on_preempt", "created_by"}) {
    std::cout << key << ": " << text(b[key]) << '\n';
  }
  const auto& c = b["content"];
  std::cout << "content: " << text(c["kind"])
            << (c.contains("text") ? " \"" + text(c["text"]) + "\"" : c.contains("relay_url") ? " " + text(c["relay_url"]) : "")
            << (c.contains("clip_id") ? " clip " + text(c["clip_id"]).substr(0, 12) : "") << '\n';
  std::string list;
  for (auto t : b["to"]) list += (list.empty() ? "" : ", ") + text(t);
  std::cout << "to: " << list << '\n';
  if (b.contains("stations")) std::cout << "stations: " << b["stations"].size() << '\n';
  list.clear();
  for (auto e : b["exdates"]) list += (list.empty() ? "" : ", ") + text(e);
  if (!list.empty()) std::cout << "exdates: " << list << '\n';
  std::cout << "volume: " << b["volume"].dump() << "\nair: " << b["air_s"].dump() << " s\n";
  if (b.contains("problem")) std::cout << "problem: " << text(b["problem"]) << '\n';
  if (b.contains("approval") && b["approval"].is_object()) {
    const auto& a = b["approval"];
    std::cout << "approval: " << text(a["state"]) << " (asked by " << text(a["submitted_by"])
              << (text(a["decided_by"]).empty() ? "" : ", decided by " + text(a["decided_by"]))
              << (text(a["note"]).empty() ? "" : ": " + text(a["note"])) << ")\n";
  }
  if (b.contains("occurrences")) {
    std::cout << "occurrences:\n";
    for (auto o : b["occurrences"]) std::cout << "  " << text(o["at"]) << '\n';
  }
}

void print_conflicts(json conflicts) {
  std::vector<std::vector<std::string>> rows;
  for (auto c : conflicts) {
    std::string stations;
    for (auto s : c["stations"]) stations += (stations.empty() ? "" : ",") + text(s);
    rows.push_back({text(c["at"]), text(c["broadcast_id"]), text(c["priority"]), text(c["other_at"]),
                    text(c["other_until"]), stations, text(c["title"])});
  }
  print_table({"THIS AT", "CONFLICTS WITH", "PRIORITY", "ITS START", "ITS END", "STATIONS", "TITLE"}, rows);
}


std::string upper_text(json v) {
  auto out = text(v);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}


void print_alerts(json items) {
  std::vector<std::vector<std::string>> rows;
  for (auto a : items) {
    rows.push_back({text(a["id"]), text(a["state"]), upper_text(a["severity"]), a["label"].is_string() ? a["label"].get<std::string>() : "",
                    when(a["created_ms"]), text(a["created_by"]), a.contains("progress") ? text(a["progress"]) : "-"});
  }
  print_table({"ID", "STATE", "SEVERITY", "LABEL", "CREATED", "BY", "PROGRESS"}, rows);
}

void print_alert(json a) {
  const std::string label = a["label"].is_string() ? a["label"].get<std::string>() : "";
  std::cout << (label.empty() ? "" : "[" + label + "] ") << text(a["id"]) << "  " << text(a["state"]) << "  "
            << upper_text(a["severity"]) << "  v" << a["version"] << "\n";
  if (a["headline"].is_string() && !a["headline"].get<std::string>().empty()) std::cout << "headline: " << text(a["headline"]) << "\n";
  std::cout << "targets: " << a["targets"].dump() << "  drafted by " << text(a["created_by"]);
  if (a["confirmed_by"].is_string() && !a["confirmed_by"].get<std::string>().empty()) std::cout << ", confirmed by " << text(a["confirmed_by"]);
  std::cout << "\nexpires: " << when(a["expires_ms"]) << "\n";
  if (a.contains("confirm_prompt")) std::cout << text(a["confirm_prompt"]) << "\n";
  if (!a.contains("stations")) return;
  std::cout << text(a["progress"]) << "\n";
  std::vector<std::vector<std::string>> rows;
  for (auto s : a["stations"]) {
    rows.push_back({text(s["station"]), text(s["state"]), s.contains("first_sound_after_ms") ? text(s["first_sound_after_ms"]) : "-",
                    text(s["parts_done"]) + "/" + text(s["parts_expected"]),
                    text(s["detail"])});
  }
  print_table({"STATION", "STATE", "FIRST SOUND (ms)", "PARTS", "DETAIL"}, rows);
}


void emit(bool as_json, const json& value, void (*printer)(json)) {
  if (as_json) {
    std::cout << value.dump(2) << '\n';
  } else {
    printer(value);
  }
}

}  // namespace loa::loactl
