// loactl: the command-line client of the controller's HTTP API.
#include <httplib.h>

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <chrono>
#include <cstdio>
#include <vector>

#include <nlohmann/json.hpp>

#include "loa/version.hpp"

namespace {

using json = nlohmann::json;

constexpr int kExitApiError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnreachable = 3;

const char* kUsage = R"(usage: loactl [--url URL] [--token TOKEN] [--json] COMMAND ...

  stations [--state STATE]                 list stations (pending, online, offline, rejected, revoked)
  station show ID                          one station
  station approve|reject|revoke ID         enrollment decisions (revoke cuts the link at once)
  station remove ID                        forget a station
  station add ID --key KEY [--name N] [--commune C] [--location L]
                                           enroll a station ahead with its public key
  station import FILE                      enroll stations from a CSV list: id,public_key[,name,commune,location]
  station ping ID [--text T]               send a ping command (delivered when the station is online)
  station health ID                        devices' latest readings, open alarms, band compliance
  station alarms ID [--active 1]           alarm history (or only the open ones)
  station ack ID ALARM                     acknowledge an open alarm
  station amp ID on|off [--device D]       switch the amplifier (waits for the station's answer)
  station silent-test ID [--max-vswr X]    check the chain without sound (waits for the result)
  commands [--station ID] [--state S] [--limit N]
                                           commands and their results
  clips add FILE... [--name N]             upload clips (any common audio format; progress on a terminal)
  clips tts TEXT [--voice vi] [--name N]   read a text aloud (espeak-ng) into a clip
  clips push ID --to STATION [--pin 1]     put a clip in a station's cache (waits for it)
  clips [list] | clips show ID | clips rm ID
  play (--clip ID | --tts TEXT [--voice vi]) --to STATION|ZONE|all [--priority normal|priority|emergency|relay|live]
       [--volume 0.0-1.0] [--broadcast NAME]
                                           play a clip or a text now (fetched first where it is missing)
  play (--relay URL | --live SOURCE) --to STATION|ZONE|all [--priority live] [--volume V] [--broadcast NAME]
                                           stream live: a programme to relay (http(s)://, rtsp://, srt://),
                                           or capture:[DEVICE], rtp:PORT, test:tone; stops with 'streams stop'
  streams [list] | streams show ID | streams stop ID
                                           live streams, their state and reconnects
  stop --to STATION|ZONE|all [--broadcast NAME]
                                           stop what is playing
  volume LEVEL --to STATION|ZONE|all [--broadcast NAME]
                                           change the volume (0.0-1.0) of what is playing, at once
  station asrun ID                         what played on a station
  broadcasts add (--clip ID | --tts TEXT [--voice vi] | --relay URL --slot SECONDS) --to ID|ZONE|all
       --start "YYYY-MM-DD HH:MM" [--tz Asia/Ho_Chi_Minh] [--rrule RULE] [--exdate DATE]...
       [--priority relay|normal|priority|live|emergency] [--volume 0-1] [--on-preempt drop|resume]
       [--title T] [--valid-from DATE] [--valid-until DATE] [--override] [--dry-run]
                                           schedule a broadcast (refused on a conflict unless --override)
  broadcasts [list] [--all]                scheduled broadcasts (--all: with cancelled and ended ones)
  broadcasts show ID [--occurrences N]     one broadcast and its next N occurrences
  broadcasts cancel ID                     cancel it on every station, offline ones when they return
  broadcasts export [FILE]                 the schedule as iCalendar (.ics)
  broadcasts import FILE [--to ZONE,...] [--override]
                                           create broadcasts from an .ics file
  asrun [--station ID] [--zone Z] [--broadcast B] [--since DATE] [--until DATE] [--csv] [--limit N]
                                           what actually played (--csv: as CSV for a spreadsheet)
  zones quiet-hours ZONE HH:MM-HH:MM|none  only emergencies sound in the zone then
  zones cap-areas ZONE [AREA...]           CAP areas meaning the zone: geocodes "SAME=006109" or area names
  zones                                    list zones
  zones add ID [--name N] [--kind commune|village|custom] [--parent ZONE] [--stations A,B]
  zones show ID | zones rm ID
  zones add-station ZONE STATION | zones remove-station ZONE STATION
  link-stats                               control-link counters
  alert push (--tts TEXT [--language vi] | --clip ID | --live SOURCE)... --to ZONE|STATION|all[,...]
       [--severity extreme|severe|moderate|minor] [--status actual|test|exercise] [--tone siren|chime|none]
       [--repeat N --interval SECONDS] [--expires-in SECONDS] [--headline H] [--confirm COUNT] [--watch]
                                           draft an alert; it is issued once confirmed with its station count
                                           (asked on a terminal, or --confirm COUNT)
  alert confirm ID --count N               confirm a draft (a second person, for severities under that rule)
  alert update ID [push options] [--count N] replace content, targets, severity or repeats of an issued alert
  alert cancel ID [--reason R] [--correction] stop it everywhere (--correction: play the correction message)
  alert all-clear ID [--text T]            stop it everywhere and play the all-clear message
  alert status [ID] [--watch]              alerts, or one alert station by station ("87/90 sounding, ...")
  cap FILE                                 submit a CAP 1.2 message (XML)
  users [list] | users add NAME --role R[,R] [--zones Z,...] | users rm NAME
                                           console users (the password comes from LOA_NEW_PASSWORD or a prompt)
  tokens [list] [--user-of U] | tokens add [--label L] [--for USER] [--expires-days N] | tokens revoke ID
                                           API tokens for scripts: your own (an admin: anyone's);
                                           the secret is printed once
  audit [--subject ID] [--limit N] [--offset N]  who did what, newest first
  audit verify                             recompute the audit log's hash chain (exit 1 if broken)
  completion bash                          shell completion: source <(loactl completion bash)

The controller's URL and token come from --url/--token or LOA_URL/LOA_TOKEN. With --user NAME (or
LOA_USER) loactl logs in as that person, with the password in LOA_PASSWORD.
--json prints the API's JSON instead of a table.
)";

struct Options {
  std::string url = "http://127.0.0.1:8080";
  std::string token;
  std::string user;      // act as this console user (password from LOA_PASSWORD) instead of the token
  std::string password;
  bool as_json = false;
  std::vector<std::string> args;             // positional
  std::map<std::string, std::string> flags;  // --name value (the last one given)
  std::map<std::string, std::vector<std::string>> repeated;  // --name value, every one given
};

// Flags that take no value.
bool is_switch(const std::string& name) {
  return name == "override" || name == "all" || name == "csv" || name == "dry-run" || name == "correction" ||
         name == "watch";
}

class ApiError : public std::runtime_error {
 public:
  ApiError(int code, const std::string& message, json answer = nullptr)
      : std::runtime_error(message), exit_code(code), body(std::move(answer)) {}
  int exit_code;
  json body;  // the API's answer, when there was one
};

class Client {
 public:
  explicit Client(const Options& o) : http_(o.url), token_(o.token) {
    http_.set_connection_timeout(5);
    http_.set_read_timeout(30);
    if (!o.user.empty()) {
      // A person acts under their own name (alerts record who drafted and who confirmed).
      auto res = http_.Post("/api/v1/login", json{{"user", o.user}, {"password", o.password}}.dump(), "application/json");
      (void)check(res);
      const auto cookie = res->get_header_value("Set-Cookie");
      session_ = cookie.substr(0, cookie.find(';'));
    }
  }

  httplib::Headers auth() const {
    if (!session_.empty()) return {{"Cookie", session_}};
    return {{"Authorization", "Bearer " + token_}};
  }

  // Streams a file as the request body, drawing a progress bar on a terminal.
  json upload(const std::string& path, const std::string& file, const std::string& label) {
    std::ifstream in(file, std::ios::binary | std::ios::ate);
    if (!in) throw ApiError(kExitUsage, "cannot read " + file);
    const auto size = static_cast<std::size_t>(in.tellg());
    const bool draw = ::isatty(2) != 0;
    httplib::Headers headers = auth();
    auto res = http_.Post(
        path, headers, size,
        [&](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
          std::vector<char> chunk(std::min<std::size_t>(length, 64 * 1024));
          in.seekg(static_cast<std::streamoff>(offset));
          in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
          sink.write(chunk.data(), static_cast<std::size_t>(in.gcount()));
          if (draw) {
            const auto done = offset + static_cast<std::size_t>(in.gcount());
            const int pct = size ? static_cast<int>(done * 100 / size) : 100;
            std::cerr << "\r" << label << " [" << std::string(static_cast<std::size_t>(pct / 5), '#')
                      << std::string(static_cast<std::size_t>(20 - pct / 5), ' ') << "] " << pct << "%" << std::flush;
          }
          return true;
        },
        "application/octet-stream");
    if (draw) std::cerr << "\n";
    return check(res);
  }

  json call(const std::string& method, const std::string& path, const json& body = nullptr) {
    httplib::Headers headers = auth();
    const std::string payload = body.is_null() ? std::string("{}") : body.dump();
    httplib::Result res = method == "POST"     ? http_.Post(path, headers, payload, "application/json")
                          : method == "PUT"    ? http_.Put(path, headers, payload, "application/json")
                          : method == "DELETE" ? http_.Delete(path, headers)
                                               : http_.Get(path, headers);
    return check(res);
  }

 private:
  static json check(const httplib::Result& res) {
    if (!res) throw ApiError(kExitUnreachable, "cannot reach the controller: " + httplib::to_string(res.error()));
    if (res->status == 204) return json::object();
    json out = json::parse(res->body, nullptr, false);
    if (res->status >= 400) {
      std::string message = out.is_object() && out.contains("error")
                                ? out["error"].value("code", "") + ": " + out["error"].value("message", "")
                                : res->body;
      throw ApiError(kExitApiError, "HTTP " + std::to_string(res->status) + " " + message, out);
    }
    return out;
  }

 public:
  // A non-JSON exchange (iCalendar, CSV): the body as it came.
  std::string fetch_text(const std::string& path) {
    auto res = http_.Get(path, auth());
    if (!res) throw ApiError(kExitUnreachable, "cannot reach the controller: " + httplib::to_string(res.error()));
    if (res->status >= 400) (void)check(res);
    return res->body;
  }
  json post_text(const std::string& path, const std::string& body, const std::string& content_type) {
    auto res = http_.Post(path, auth(), body, content_type);
    if (res && res->status == 207) return json::parse(res->body, nullptr, false);
    return check(res);
  }

 private:

  httplib::Client http_;
  std::string token_;
  std::string session_;
};

std::string when(const json& ms) {
  if (!ms.is_number()) return "-";
  std::time_t t = ms.get<std::int64_t>() / 1000;
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
  return buf;
}

std::string text(const json& v) {
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
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], width(r[i]));
  auto line = [&](const std::vector<std::string>& r) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      std::cout << r[i];
      if (i + 1 < r.size()) std::cout << std::string(w[i] - width(r[i]) + 2, ' ');
    }
    std::cout << '\n';
  };
  line(header);
  for (const auto& r : rows) line(r);
}

void print_stations(const json& items) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : items) {
    rows.push_back({text(s["id"]), text(s["state"]), text(s["name"]), text(s["key_fingerprint"]),
                    when(s["last_seen_ms"]), text(s["last_address"]), text(s["software_version"])});
  }
  print_table({"ID", "STATE", "NAME", "KEY", "LAST SEEN", "ADDRESS", "VERSION"}, rows);
}

void print_station(const json& s) {
  for (const auto& key : {"id", "state", "name", "commune", "location", "key_fingerprint", "public_key",
                          "last_address", "software_version"}) {
    std::cout << key << ": " << text(s[key]) << '\n';
  }
  std::cout << "last_seen: " << when(s["last_seen_ms"]) << "\nonline_since: " << when(s["online_since_ms"]) << '\n';
}

std::string reading(const json& d, const char* key, const char* unit) {
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

void print_health(const json& h) {
  const auto& s = h["station"];
  std::cout << text(s["id"]) << "  " << text(s["state"]) << "  compliance: " << text(h["compliance"]["status"])
            << "\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : h["devices"]) {
    const bool up = d.value("reachable", false);
    rows.push_back({text(d["device_id"]), up ? "yes" : "NO", reading(d, "powered_on", ""),
                    reading(d, "temperature_c", " C"), reading(d, "forward_power_w", " W"),
                    reading(d, "reflected_power_w", " W"), reading(d, "vswr", ""), reading(d, "carrier_khz", " kHz"),
                    reading(d, "mains_voltage_v", " V"), when(d["measured_at_ms"])});
  }
  print_table({"DEVICE", "REACHABLE", "POWER", "TEMP", "FWD", "REFL", "VSWR", "CARRIER", "MAINS", "MEASURED"}, rows);
  std::cout << "\n";
  std::vector<std::vector<std::string>> alarms;
  for (const auto& a : h["alarms"]) {
    alarms.push_back({text(a["alarm_id"]), text(a["severity"]), when(a["raised_ms"]),
                      a["acknowledged_by"].get<std::string>().empty() ? "-" : text(a["acknowledged_by"]),
                      text(a["message"])});
  }
  if (alarms.empty()) {
    std::cout << "no open alarms\n";
  } else {
    print_table({"ALARM", "SEVERITY", "RAISED", "ACK", "MESSAGE"}, alarms);
  }
}

void print_alarms(const json& items) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& a : items) {
    rows.push_back({text(a["alarm_id"]), text(a["severity"]), when(a["raised_ms"]), when(a["cleared_ms"]),
                    text(a["message"])});
  }
  print_table({"ALARM", "SEVERITY", "RAISED", "CLEARED", "MESSAGE"}, rows);
}

void print_command_result(const json& c) {
  std::cout << text(c["kind"]) << " on " << text(c["station_id"]) << ": " << text(c["state"]) << " — "
            << text(c["result_detail"]) << "\n";
  if (!c.contains("checks")) return;
  std::vector<std::vector<std::string>> rows;
  for (const auto& check : c["checks"]) {
    rows.push_back({text(check["name"]), check["passed"].get<bool>() ? "pass" : "FAIL", text(check["detail"])});
  }
  print_table({"CHECK", "RESULT", "DETAIL"}, rows);
}

void print_clips(const json& items) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : items) {
    char duration[32];
    std::snprintf(duration, sizeof duration, "%.1f s", c.value("duration_ms", 0) / 1000.0);
    rows.push_back({text(c["id"]).substr(0, 12), text(c["name"]), duration, text(c["source_format"]),
                    when(c["created_ms"])});
  }
  print_table({"ID", "NAME", "DURATION", "SOURCE", "ADDED"}, rows);
}

void print_streams(const json& items) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : items) {
    rows.push_back({text(s["id"]), text(s["state"]), text(s["broadcast_id"]), std::to_string(s.value("frames", 0)),
                    std::to_string(s.value("reconnects", 0)), text(s["source"]), text(s["last_error"])});
  }
  print_table({"ID", "STATE", "BROADCAST", "FRAMES", "RECONNECTS", "SOURCE", "LAST ERROR"}, rows);
}

void print_zones(const json& items) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& z : items) {
    std::string members;
    for (const auto& m : z["stations"]) members += (members.empty() ? "" : ",") + m.get<std::string>();
    rows.push_back({text(z["id"]), text(z["kind"]), text(z["name"]), text(z["parent_id"]), members});
  }
  print_table({"ID", "KIND", "NAME", "PARENT", "STATIONS"}, rows);
}

void print_commands(const json& items) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : items) {
    rows.push_back({text(c["id"]), text(c["station_id"]), text(c["kind"]), text(c["state"]),
                    std::to_string(c.value("attempts", 0)), when(c["created_ms"]), when(c["completed_ms"]),
                    text(c["result_detail"])});
  }
  print_table({"ID", "STATION", "KIND", "STATE", "SENT", "CREATED", "COMPLETED", "DETAIL"}, rows);
}

std::string need(const Options& o, std::size_t index, const char* what) {
  if (o.args.size() <= index) throw ApiError(kExitUsage, std::string("missing ") + what);
  return o.args[index];
}

std::string flag(const Options& o, const std::string& name, const std::string& fallback = "") {
  auto it = o.flags.find(name);
  return it == o.flags.end() ? fallback : it->second;
}

std::string query(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string q;
  for (const auto& [k, v] : params) {
    if (v.empty()) continue;
    q += (q.empty() ? "?" : "&") + k + "=" + httplib::detail::encode_query_param(v);
  }
  return q;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, sep)) out.push_back(part);
  return out;
}

void emit(const Options& o, const json& value, void (*printer)(const json&)) {
  if (o.as_json) {
    std::cout << value.dump(2) << '\n';
  } else {
    printer(value);
  }
}

int station_import(Client& api, const Options& o, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ApiError(kExitUsage, "cannot read " + path);
  std::string line;
  int line_no = 0;
  int failures = 0;
  int added = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#' || line.rfind("id,", 0) == 0) continue;
    auto f = split(line, ',');
    json body{{"id", f[0]}, {"public_key", f.size() > 1 ? f[1] : ""}, {"name", f.size() > 2 ? f[2] : ""},
              {"commune", f.size() > 3 ? f[3] : ""}, {"location", f.size() > 4 ? f[4] : ""}};
    try {
      api.call("POST", "/api/v1/stations", body);
      ++added;
    } catch (const ApiError& e) {
      if (e.exit_code == kExitUnreachable) throw;
      std::cerr << path << ":" << line_no << ": " << f[0] << ": " << e.what() << '\n';
      ++failures;
    }
  }
  if (!o.as_json) std::cout << added << " stations enrolled, " << failures << " refused\n";
  return failures ? kExitApiError : 0;
}

std::string instant(const json& v) { return v.is_string() ? v.get<std::string>() : "-"; }

void print_broadcasts(const json& items) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& b : items) {
    std::string to;
    for (const auto& t : b["to"]) to += (to.empty() ? "" : ",") + t.get<std::string>();
    rows.push_back({text(b["id"]), text(b["state"]), text(b["priority"]), instant(b["next"]),
                    b["rrule"].get<std::string>().empty() ? "once" : text(b["rrule"]), to, text(b["title"])});
  }
  print_table({"ID", "STATE", "PRIORITY", "NEXT", "REPEATS", "TO", "TITLE"}, rows);
}

void print_broadcast(const json& b) {
  for (const auto& key : {"id", "title", "state", "priority", "start", "tz", "rrule", "on_preempt", "created_by"}) {
    std::cout << key << ": " << text(b[key]) << '\n';
  }
  const auto& c = b["content"];
  std::cout << "content: " << text(c["kind"])
            << (c.contains("text") ? " \"" + text(c["text"]) + "\"" : c.contains("relay_url") ? " " + text(c["relay_url"]) : "")
            << (c.contains("clip_id") ? " clip " + text(c["clip_id"]).substr(0, 12) : "") << '\n';
  std::string list;
  for (const auto& t : b["to"]) list += (list.empty() ? "" : ", ") + t.get<std::string>();
  std::cout << "to: " << list << '\n';
  if (b.contains("stations")) std::cout << "stations: " << b["stations"].size() << '\n';
  list.clear();
  for (const auto& e : b["exdates"]) list += (list.empty() ? "" : ", ") + e.get<std::string>();
  if (!list.empty()) std::cout << "exdates: " << list << '\n';
  std::cout << "volume: " << b["volume"].dump() << "\nair: " << b["air_s"].dump() << " s\n";
  if (b.contains("problem")) std::cout << "problem: " << text(b["problem"]) << '\n';
  if (b.contains("occurrences")) {
    std::cout << "occurrences:\n";
    for (const auto& o : b["occurrences"]) std::cout << "  " << text(o["at"]) << '\n';
  }
}

void print_conflicts(const json& conflicts) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : conflicts) {
    std::string stations;
    for (const auto& s : c["stations"]) stations += (stations.empty() ? "" : ",") + s.get<std::string>();
    rows.push_back({text(c["at"]), text(c["broadcast_id"]), text(c["priority"]), text(c["other_at"]),
                    text(c["other_until"]), stations, text(c["title"])});
  }
  print_table({"THIS AT", "CONFLICTS WITH", "PRIORITY", "ITS START", "ITS END", "STATIONS", "TITLE"}, rows);
}

int broadcasts(Client& api, const Options& o) {
  const std::string sub = o.args.size() > 1 ? o.args[1] : "list";
  if (sub == "list") {
    auto out = api.call("GET", "/api/v1/broadcasts" + query({{"all", flag(o, "all")}}));
    emit(o, o.as_json ? out : out["items"], print_broadcasts);
    return 0;
  }
  if (sub == "add") {
    json body = {{"start", flag(o, "start")}};
    for (const auto& [option, field] : std::vector<std::pair<const char*, const char*>>{
             {"clip", "clip_id"}, {"tts", "tts"}, {"relay", "relay"}, {"voice", "voice"}, {"tz", "tz"},
             {"rrule", "rrule"}, {"priority", "priority"}, {"on-preempt", "on_preempt"}, {"title", "title"},
             {"valid-from", "valid_from"}, {"valid-until", "valid_until"}}) {
      if (o.flags.contains(option)) body[field] = flag(o, option);
    }
    if (o.flags.contains("volume")) body["volume"] = std::stod(flag(o, "volume"));
    if (o.flags.contains("slot")) body["slot_s"] = std::stoll(flag(o, "slot"));
    json to = json::array();
    if (o.repeated.contains("to")) {
      for (const auto& list : o.repeated.at("to")) {
        for (const auto& t : split(list, ',')) to.push_back(t);
      }
    }
    if (to.empty()) throw ApiError(kExitUsage, "broadcasts add needs --to ID|ZONE|all");
    if (flag(o, "start").empty()) throw ApiError(kExitUsage, "broadcasts add needs --start \"YYYY-MM-DD HH:MM\"");
    body["to"] = to;
    if (o.repeated.contains("exdate")) {
      json ex = json::array();
      for (const auto& list : o.repeated.at("exdate")) {
        for (const auto& e : split(list, ',')) ex.push_back(e);
      }
      body["exdates"] = ex;
    }
    body["override"] = flag(o, "override") == "1";
    body["dry_run"] = flag(o, "dry-run") == "1";
    try {
      auto out = api.call("POST", "/api/v1/broadcasts", body);
      if (o.as_json) {
        std::cout << out.dump(2) << '\n';
      } else if (body["dry_run"].get<bool>()) {
        std::cout << "no conflict; would play on " << out["stations"].size() << " station(s)\n";
      } else {
        print_broadcast(out);
        if (!out["overridden_conflicts"].empty()) {
          std::cout << "\nscheduled over these conflicts (--override):\n";
          print_conflicts(out["overridden_conflicts"]);
        }
      }
    } catch (const ApiError& e) {
      if (e.body.is_object() && e.body.contains("conflicts")) {
        if (o.as_json) {
          std::cout << e.body.dump(2) << '\n';
        } else {
          std::cerr << "loactl: " << e.what() << "\n";
          print_conflicts(e.body["conflicts"]);
        }
        return kExitApiError;
      }
      throw;
    }
    return 0;
  }
  if (sub == "export") {
    const auto ics = api.fetch_text("/api/v1/schedule.ics" + query({{"all", flag(o, "all")}}));
    if (o.args.size() > 2) {
      std::ofstream out(o.args[2], std::ios::binary);
      out << ics;
      if (!out) throw ApiError(kExitUsage, "cannot write " + o.args[2]);
    } else {
      std::cout << ics;
    }
    return 0;
  }
  if (sub == "import") {
    const auto path = need(o, 2, "FILE");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ApiError(kExitUsage, "cannot read " + path);
    const std::string ics((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto out = api.post_text("/api/v1/schedule.ics" + query({{"to", flag(o, "to")}, {"override", flag(o, "override")}}),
                             ics, "text/calendar");
    if (o.as_json) {
      std::cout << out.dump(2) << '\n';
    } else {
      for (const auto& c : out["created"]) std::cout << "created " << text(c["id"]) << "  " << text(c["title"]) << '\n';
      for (const auto& r : out["refused"]) std::cerr << "refused " << text(r["uid"]) << ": " << text(r["reason"]) << '\n';
    }
    return out["refused"].empty() ? 0 : kExitApiError;
  }
  const std::string id = need(o, 2, "broadcast ID");
  if (sub == "show") {
    auto out = api.call("GET", "/api/v1/broadcasts/" + id + query({{"occurrences", flag(o, "occurrences", "10")}}));
    emit(o, out, print_broadcast);
    return 0;
  }
  if (sub == "cancel") {
    auto out = api.call("DELETE", "/api/v1/broadcasts/" + id);
    if (o.as_json) {
      std::cout << out.dump(2) << '\n';
    } else {
      std::cout << "cancelled " << id << "; " << out["stations_told"].size()
                << " station(s) told (offline ones when they return)\n";
    }
    return 0;
  }
  throw ApiError(kExitUsage, "unknown broadcasts subcommand " + sub);
}

int asrun(Client& api, const Options& o) {
  const auto q = query({{"station", flag(o, "station")},
                        {"zone", flag(o, "zone")},
                        {"broadcast", flag(o, "broadcast")},
                        {"since", flag(o, "since")},
                        {"until", flag(o, "until")},
                        {"limit", flag(o, "limit")},
                        {"format", flag(o, "csv") == "1" ? "csv" : ""}});
  if (flag(o, "csv") == "1") {
    std::cout << api.fetch_text("/api/v1/asrun" + q);
    return 0;
  }
  auto out = api.call("GET", "/api/v1/asrun" + q);
  if (o.as_json) {
    std::cout << out.dump(2) << '\n';
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : out["items"]) {
    rows.push_back({text(r["station_id"]), text(r["broadcast_id"]), instant(r["planned_start"]),
                    instant(r["actual_start"]), r["late_ms"].is_number() ? r["late_ms"].dump() : "-",
                    text(r["outcome"]), text(r["detail"])});
  }
  print_table({"STATION", "BROADCAST", "PLANNED", "STARTED", "LATE MS", "OUTCOME", "DETAIL"}, rows);
  return 0;
}

std::string upper_text(const json& v) {
  auto out = text(v);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string need_flag(const Options& o, const std::string& name) {
  auto value = flag(o, name);
  if (value.empty()) throw ApiError(kExitUsage, "--" + name + " is needed");
  return value;
}

// The body of an alert from push/update options.
json alert_body(const Options& o) {
  json body = json::object();
  json content = json::array();
  for (const auto& t : o.repeated.count("tts") ? o.repeated.at("tts") : std::vector<std::string>{}) {
    content.push_back({{"tts", t}});
  }
  for (const auto& c : o.repeated.count("clip") ? o.repeated.at("clip") : std::vector<std::string>{}) {
    content.push_back({{"clip", c}});
  }
  for (const auto& l : o.repeated.count("live") ? o.repeated.at("live") : std::vector<std::string>{}) {
    content.push_back({{"live", l}});
  }
  if (!content.empty()) body["content"] = content;
  if (!flag(o, "to").empty()) {
    json to = json::array();
    std::stringstream list(flag(o, "to"));
    for (std::string t; std::getline(list, t, ',');) to.push_back(t);
    body["to"] = to;
  }
  for (const char* key : {"severity", "status", "tone", "headline", "language"}) {
    if (!flag(o, key).empty()) body[key] = flag(o, key);
  }
  if (!flag(o, "repeat").empty()) body["repeat"] = std::stoll(flag(o, "repeat"));
  if (!flag(o, "interval").empty()) body["repeat_interval_s"] = std::stoll(flag(o, "interval"));
  if (!flag(o, "expires-in").empty()) body["expires_in_s"] = std::stoll(flag(o, "expires-in"));
  return body;
}

void print_alerts(const json& items) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& a : items) {
    rows.push_back({text(a["id"]), text(a["state"]), upper_text(a["severity"]), a["label"].get<std::string>().empty() ? "" : text(a["label"]),
                    when(a["created_ms"]), text(a["created_by"]), a.contains("progress") ? text(a["progress"]) : "-"});
  }
  print_table({"ID", "STATE", "SEVERITY", "LABEL", "CREATED", "BY", "PROGRESS"}, rows);
}

void print_alert(const json& a) {
  const std::string label = a["label"].get<std::string>();
  std::cout << (label.empty() ? "" : "[" + label + "] ") << text(a["id"]) << "  " << text(a["state"]) << "  "
            << upper_text(a["severity"]) << "  v" << a["version"] << "\n";
  if (!a["headline"].get<std::string>().empty()) std::cout << "headline: " << text(a["headline"]) << "\n";
  std::cout << "targets: " << a["targets"].dump() << "  drafted by " << text(a["created_by"]);
  if (!a["confirmed_by"].get<std::string>().empty()) std::cout << ", confirmed by " << text(a["confirmed_by"]);
  std::cout << "\nexpires: " << when(a["expires_ms"]) << "\n";
  if (a.contains("confirm_prompt")) std::cout << text(a["confirm_prompt"]) << "\n";
  if (!a.contains("stations")) return;
  std::cout << a["progress"].get<std::string>() << "\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : a["stations"]) {
    rows.push_back({text(s["station"]), text(s["state"]), s.contains("first_sound_after_ms") ? text(s["first_sound_after_ms"]) : "-",
                    std::to_string(s["parts_done"].get<int>()) + "/" + std::to_string(s["parts_expected"].get<int>()),
                    text(s["detail"])});
  }
  print_table({"STATION", "STATE", "FIRST SOUND (ms)", "PARTS", "DETAIL"}, rows);
}

// Refreshes the progress line until no station is still on its way, or 10 minutes.
void watch_alert(Client& api, const std::string& id) {
  const bool tty = ::isatty(1) != 0;
  std::string last;
  for (int i = 0; i < 1200; ++i) {
    auto a = api.call("GET", "/api/v1/alerts/" + id + "?stations=0");
    const std::string line = a.contains("progress") ? a["progress"].get<std::string>() : text(a["state"]);
    if (line != last) {
      std::cout << (tty ? "\r\033[K" : "") << line << (tty ? "" : "\n") << std::flush;
      last = line;
    }
    const auto& s = a["summary"];
    if (!a.contains("summary") || (s["sent"] == 0 && s["acknowledged"] == 0 && s["playing"] == 0)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  if (tty) std::cout << "\n";
}

int alert(Client& api, const Options& o) {
  const std::string sub = o.args.size() > 1 ? o.args[1] : "status";
  if (sub == "push") {
    auto body = alert_body(o);
    auto draft = api.call("POST", "/api/v1/alerts", body);
    const std::string id = text(draft["id"]);
    std::string count = flag(o, "confirm");
    if (count.empty() && ::isatty(0)) {
      // The person must see how many stations will sound, and say it back.
      print_alert(draft);
      std::cout << "Type " << draft["target_count"] << " to issue it, anything else to leave it a draft: " << std::flush;
      std::getline(std::cin, count);
    }
    if (count.empty() || count.find_first_not_of("0123456789") != std::string::npos) {
      if (o.as_json) {
        std::cout << draft.dump(2) << "\n";
      } else {
        std::cout << "draft " << id << " (" << draft["target_count"] << " stations); issue it with: loactl alert confirm "
                  << id << " --count " << draft["target_count"] << "\n";
      }
      return 0;
    }
    auto issued = api.call("POST", "/api/v1/alerts/" + id + "/confirm", {{"target_count", std::stoll(count)}});
    if (o.as_json) {
      std::cout << issued.dump(2) << "\n";
    } else {
      std::cout << "alert " << id << " " << text(issued["state"]) << "\n";
      if (o.flags.contains("watch")) watch_alert(api, id);
    }
    return 0;
  }
  if (sub == "status" || sub == "list") {
    if (o.args.size() < 3) {
      auto out = api.call("GET", "/api/v1/alerts");
      emit(o, o.as_json ? out : out["items"], print_alerts);
      return 0;
    }
    const std::string id = o.args[2];
    if (o.flags.contains("watch") && !o.as_json) {
      watch_alert(api, id);
      return 0;
    }
    auto out = api.call("GET", "/api/v1/alerts/" + id);
    if (o.as_json) {
      std::cout << out.dump(2) << "\n";
    } else {
      print_alert(out);
    }
    return 0;
  }
  const std::string id = need(o, 2, "alert ID");
  json out;
  if (sub == "confirm") {
    out = api.call("POST", "/api/v1/alerts/" + id + "/confirm", {{"target_count", std::stoll(need_flag(o, "count"))}});
  } else if (sub == "update") {
    auto body = alert_body(o);
    if (!flag(o, "count").empty()) body["target_count"] = std::stoll(flag(o, "count"));
    out = api.call("POST", "/api/v1/alerts/" + id + "/update", body);
  } else if (sub == "cancel") {
    out = api.call("POST", "/api/v1/alerts/" + id + "/cancel",
                   {{"reason", flag(o, "reason")}, {"correction", o.flags.contains("correction")}});
  } else if (sub == "all-clear") {
    out = api.call("POST", "/api/v1/alerts/" + id + "/all-clear", {{"text", flag(o, "text")}});
  } else {
    throw ApiError(kExitUsage, "unknown alert command '" + sub + "'");
  }
  if (o.as_json) {
    std::cout << out.dump(2) << "\n";
  } else {
    print_alert(out);
    if (o.flags.contains("watch")) watch_alert(api, id);
  }
  return 0;
}

int users(Client& api, const Options& o) {
  const std::string sub = o.args.size() > 1 ? o.args[1] : "list";
  if (sub == "list") {
    auto out = api.call("GET", "/api/v1/users");
    emit(o, o.as_json ? out : out["items"], [](const json& items) {
      std::vector<std::vector<std::string>> rows;
      for (const auto& u : items) rows.push_back({text(u["name"]), u["roles"].dump(), u["zones"].dump(), when(u["created_ms"])});
      print_table({"NAME", "ROLES", "ZONES", "CREATED"}, rows);
    });
    return 0;
  }
  const std::string name = need(o, 2, "user NAME");
  if (sub == "rm") {
    (void)api.call("DELETE", "/api/v1/users/" + name);
    std::cout << "removed " << name << "\n";
    return 0;
  }
  if (sub != "add") throw ApiError(kExitUsage, "unknown users command '" + sub + "'");
  std::string password;
  if (const char* p = std::getenv("LOA_NEW_PASSWORD")) {
    password = p;
  } else {
    std::cerr << "password for " << name << ": " << std::flush;
    std::getline(std::cin, password);
  }
  auto split = [](const std::string& list) {
    json out = json::array();
    std::stringstream in(list);
    for (std::string item; std::getline(in, item, ',');) if (!item.empty()) out.push_back(item);
    return out;
  };
  auto out = api.call("POST", "/api/v1/users",
                      {{"name", name}, {"password", password}, {"roles", split(need_flag(o, "role"))}, {"zones", split(flag(o, "zones"))}});
  std::cout << "user " << name << " " << out["roles"].dump() << "\n";
  return 0;
}

// A script's own token: made by a signed-in user (LOA_USER/LOA_PASSWORD) and shown once.
int tokens(Client& api, const Options& o) {
  const std::string sub = o.args.size() > 1 ? o.args[1] : "list";
  if (sub == "list") {
    auto out = api.call("GET", "/api/v1/tokens" + query({{"user", flag(o, "user-of")}}));
    emit(o, o.as_json ? out : out["items"], [](const json& items) {
      std::vector<std::vector<std::string>> rows;
      for (const auto& t : items) {
        rows.push_back({text(t["id"]), text(t["user"]), text(t["label"]), when(t["created_ms"]),
                        t["expires_ms"].is_null() ? "never" : when(t["expires_ms"])});
      }
      print_table({"ID", "USER", "LABEL", "CREATED", "EXPIRES"}, rows);
    });
    return 0;
  }
  if (sub == "add") {
    json body{{"label", flag(o, "label")}, {"expires_days", std::stoi(flag(o, "expires-days", "365"))}};
    if (!flag(o, "for").empty()) body["user"] = flag(o, "for");
    auto out = api.call("POST", "/api/v1/tokens", body);
    if (o.as_json) {
      std::cout << out.dump(2) << "\n";
    } else {
      std::cerr << "token " << text(out["id"]) << " for " << text(out["user"])
                << " (shown once; export it as LOA_TOKEN):\n";
      std::cout << text(out["token"]) << "\n";
    }
    return 0;
  }
  if (sub == "revoke") {
    const auto id = need(o, 2, "token ID");
    (void)api.call("DELETE", "/api/v1/tokens/" + id);
    if (!o.as_json) std::cout << "revoked " << id << "\n";
    return 0;
  }
  throw ApiError(kExitUsage, "unknown tokens command '" + sub + "'");
}

// `source <(loactl completion bash)`: commands, their sub-commands and options.
const char* kBashCompletion = R"(_loactl() {
  local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]}
  local commands="stations station commands clips play streams stop volume broadcasts asrun zones link-stats alert cap users tokens audit completion"
  local subs=""
  case "$cmd" in
    station) subs="show approve reject revoke remove add import ping health alarms ack amp silent-test asrun" ;;
    clips) subs="add tts push list show rm" ;;
    streams) subs="list show stop" ;;
    broadcasts) subs="add list show cancel export import" ;;
    zones) subs="add show rm add-station remove-station quiet-hours cap-areas" ;;
    alert) subs="push confirm update cancel all-clear status list" ;;
    users) subs="list add rm" ;;
    tokens) subs="list add revoke" ;;
    audit) subs="verify" ;;
    completion) subs="bash" ;;
  esac
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "$commands --url --token --user --json --help --version" -- "$cur"))
  elif [ "$COMP_CWORD" -eq 2 ] && [ -n "$subs" ]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  elif [[ "$cur" == --* ]]; then
    COMPREPLY=($(compgen -W "--to --clip --tts --voice --relay --live --priority --volume --broadcast --severity --status --tone --repeat --interval --expires-in --headline --confirm --count --reason --correction --text --watch --start --tz --rrule --exdate --override --dry-run --title --slot --station --zone --since --until --csv --limit --state --role --zones --subject --name --label --for --expires-days --user-of --offset --json" -- "$cur"))
  fi
}
complete -F _loactl loactl
)";

int run(const Options& o) {
  if (!o.args.empty() && o.args[0] == "completion") {
    std::cout << kBashCompletion;
    return 0;
  }
  Client api(o);
  const std::string cmd = need(o, 0, "command");
  if (cmd == "stations") {
    auto out = api.call("GET", "/api/v1/stations" + query({{"state", flag(o, "state")}}));
    emit(o, o.as_json ? out : out["items"], print_stations);
    return 0;
  }
  if (cmd == "station") {
    const std::string sub = need(o, 1, "station subcommand");
    if (sub == "import") return station_import(api, o, need(o, 2, "FILE"));
    const std::string id = need(o, 2, "station ID");
    json out;
    if (sub == "show") {
      out = api.call("GET", "/api/v1/stations/" + id);
    } else if (sub == "approve" || sub == "reject" || sub == "revoke") {
      out = api.call("POST", "/api/v1/stations/" + id + "/" + sub);
    } else if (sub == "remove") {
      api.call("DELETE", "/api/v1/stations/" + id);
      if (!o.as_json) std::cout << "removed " << id << '\n';
      return 0;
    } else if (sub == "add") {
      out = api.call("POST", "/api/v1/stations",
                     {{"id", id}, {"public_key", flag(o, "key")}, {"name", flag(o, "name")},
                      {"commune", flag(o, "commune")}, {"location", flag(o, "location")}});
    } else if (sub == "health") {
      out = api.call("GET", "/api/v1/stations/" + id + "/health");
      emit(o, out, print_health);
      return 0;
    } else if (sub == "asrun") {
      out = api.call("GET", "/api/v1/stations/" + id + "/asrun");
      if (o.as_json) {
        std::cout << out.dump(2) << "\n";
      } else {
        std::vector<std::vector<std::string>> rows;
        for (const auto& r : out["items"]) {
          rows.push_back({text(r["broadcast_id"]), text(r["content_id"]).substr(0, 12), when(r["planned_start_ms"]),
                          when(r["actual_start_ms"]), when(r["end_ms"]), text(r["outcome"]), text(r["detail"])});
        }
        print_table({"BROADCAST", "CLIP", "PLANNED", "STARTED", "ENDED", "OUTCOME", "DETAIL"}, rows);
      }
      return 0;
    } else if (sub == "alarms") {
      out = api.call("GET", "/api/v1/stations/" + id + "/alarms" + query({{"active", flag(o, "active")}}));
      emit(o, o.as_json ? out : out["items"], print_alarms);
      return 0;
    } else if (sub == "ack") {
      out = api.call("POST", "/api/v1/stations/" + id + "/alarms/" + need(o, 3, "ALARM") + "/ack");
      if (o.as_json) std::cout << out.dump(2) << '\n';
      return 0;
    } else if (sub == "amp" || sub == "silent-test") {
      json body;
      if (sub == "amp") {
        const std::string state = need(o, 3, "on|off");
        if (state != "on" && state != "off") throw ApiError(kExitUsage, "amp takes on or off");
        body = {{"type", "set_amplifier"}, {"on", state == "on"}, {"device_id", flag(o, "device")}};
      } else {
        body = {{"type", "silent_test"}, {"max_vswr", std::stod(flag(o, "max-vswr", "0"))}};
      }
      auto queued = api.call("POST", "/api/v1/stations/" + id + "/commands", body);
      const std::string cid = queued["id"];
      // Wait for the station's answer; a station that is offline gets it when it is back.
      const int wait_s = std::stoi(flag(o, "wait", "30"));
      for (int i = 0; i < wait_s * 10; ++i) {
        out = api.call("GET", "/api/v1/commands/" + cid);
        if (out["state"] != "pending") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      emit(o, out, print_command_result);
      if (out["state"] == "pending") {
        std::cerr << "loactl: no answer yet; the command stays queued (loactl commands --station " << id << ")\n";
        return kExitApiError;
      }
      return out["state"] == "applied" ? 0 : kExitApiError;
    } else if (sub == "ping") {
      out = api.call("POST", "/api/v1/stations/" + id + "/commands", {{"type", "ping"}, {"text", flag(o, "text", "ping")}});
      if (o.as_json) {
        std::cout << out.dump(2) << '\n';
      } else {
        std::cout << "command " << text(out["id"]) << " queued for " << id << '\n';
      }
      return 0;
    } else {
      throw ApiError(kExitUsage, "unknown station subcommand " + sub);
    }
    emit(o, out, print_station);
    return 0;
  }
  if (cmd == "commands") {
    auto out = api.call("GET", "/api/v1/commands" + query({{"station", flag(o, "station")},
                                                           {"state", flag(o, "state")},
                                                           {"limit", flag(o, "limit")}}));
    emit(o, o.as_json ? out : out["items"], print_commands);
    return 0;
  }
  if (cmd == "play" && (!flag(o, "relay").empty() || !flag(o, "live").empty())) {
    const std::string to = flag(o, "to");
    if (to.empty()) throw ApiError(kExitUsage, "play needs --to STATION|ZONE|all");
    json body{{"source", flag(o, "relay").empty() ? flag(o, "live") : flag(o, "relay")},
              {"to", to},
              {"priority", flag(o, "priority", flag(o, "relay").empty() ? "live" : "relay")},
              {"volume", std::stod(flag(o, "volume", "1"))}};
    if (!flag(o, "broadcast").empty()) body["broadcast_id"] = flag(o, "broadcast");
    auto out = api.call("POST", "/api/v1/streams", body);
    if (o.as_json) {
      std::cout << out.dump(2) << "\n";
    } else {
      std::cout << "stream " << text(out["id"]) << " (" << text(out["broadcast_id"]) << ") to " << out["stations"].size()
                << " stations; stop it with: loactl streams stop " << text(out["id"]) << "\n";
    }
    return 0;
  }
  if (cmd == "streams") {
    const std::string sub = o.args.size() > 1 ? o.args[1] : "list";
    if (sub == "list") {
      auto out = api.call("GET", "/api/v1/streams");
      emit(o, o.as_json ? out : out["items"], print_streams);
      return 0;
    }
    const std::string id = need(o, 2, "stream ID");
    if (sub == "show") {
      auto out = api.call("GET", "/api/v1/streams/" + id);
      emit(o, o.as_json ? out : json::array({out}), print_streams);
      return 0;
    }
    if (sub == "stop") {
      auto out = api.call("DELETE", "/api/v1/streams/" + id);
      if (o.as_json) {
        std::cout << out.dump(2) << "\n";
      } else {
        std::cout << "stream " << id << " " << text(out["state"]) << " after " << out["frames"] << " frames\n";
      }
      return 0;
    }
    throw ApiError(kExitUsage, "unknown streams command '" + sub + "'");
  }
  std::string tts_clip;
  if (cmd == "play" && !flag(o, "tts").empty()) {
    // A text is read aloud into a clip first, then played like any clip.
    auto clip = api.call("POST", "/api/v1/clips/tts", {{"text", flag(o, "tts")}, {"voice", flag(o, "voice", "vi")}});
    tts_clip = text(clip["id"]);
  }
  if (cmd == "play" || cmd == "stop" || cmd == "volume") {
    const std::string to = flag(o, "to");
    if (to.empty()) throw ApiError(kExitUsage, cmd + " needs --to STATION|ZONE|all");
    // Targets: every approved station, a zone's stations, or one station.
    std::vector<std::string> stations;
    if (to == "all") {
      for (const auto& s : api.call("GET", "/api/v1/stations")["items"]) {
        if (s["enrollment"] == "approved") stations.push_back(s["id"]);
      }
    } else {
      try {
        for (const auto& s : api.call("GET", "/api/v1/zones/" + to)["stations"]) stations.push_back(s);
      } catch (const ApiError& e) {
        if (e.exit_code == kExitUnreachable) throw;
        stations.push_back(to);
      }
    }
    const std::string broadcast = flag(o, "broadcast", cmd == "play" ? "play-" + std::to_string(std::time(nullptr)) : "");
    int failures = 0;
    for (const auto& station : stations) {
      try {
        if (cmd == "play") {
          const std::string clip = tts_clip.empty() ? flag(o, "clip") : tts_clip;
          if (clip.empty()) throw ApiError(kExitUsage, "play needs --clip ID, --tts TEXT, --relay URL or --live SOURCE");
          api.call("POST", "/api/v1/stations/" + station + "/commands", {{"type", "cache_clip"}, {"clip_id", clip}});
          api.call("POST", "/api/v1/stations/" + station + "/commands",
                   {{"type", "play"},
                    {"clip_id", clip},
                    {"priority", flag(o, "priority", "normal")},
                    {"volume", std::stod(flag(o, "volume", "0"))},
                    {"broadcast_id", broadcast}});
        } else if (cmd == "volume") {
          api.call("POST", "/api/v1/stations/" + station + "/commands",
                   {{"type", "set_volume"}, {"broadcast_id", broadcast}, {"volume", std::stod(need(o, 1, "LEVEL"))}});
        } else {
          api.call("POST", "/api/v1/stations/" + station + "/commands", {{"type", "stop"}, {"broadcast_id", broadcast}});
        }
      } catch (const ApiError& e) {
        if (e.exit_code != kExitApiError) throw;
        std::cerr << "loactl: " << station << ": " << e.what() << "\n";
        ++failures;
      }
    }
    if (!o.as_json) {
      std::cout << cmd << " " << (broadcast.empty() ? "" : broadcast + " ") << "queued on "
                << stations.size() - static_cast<std::size_t>(failures) << " of " << stations.size() << " stations\n";
    }
    return failures ? kExitApiError : 0;
  }
  if (cmd == "clips") {
    const std::string sub = o.args.size() > 1 ? o.args[1] : "list";
    if (sub == "list") {
      auto out = api.call("GET", "/api/v1/clips");
      emit(o, o.as_json ? out : out["items"], print_clips);
      return 0;
    }
    if (sub == "add") {
      if (o.args.size() < 3) throw ApiError(kExitUsage, "missing FILE");
      json added = json::array();
      int failures = 0;
      // Ask the limit first: a controller refusing mid-upload cannot say why.
      const auto limit = api.call("GET", "/api/v1/clips").value("max_upload_bytes", std::uint64_t{0});
      for (std::size_t i = 2; i < o.args.size(); ++i) {
        const std::string file = o.args[i];
        const std::string name = flag(o, "name", std::filesystem::path(file).stem().string());
        std::error_code ec;
        const auto size = std::filesystem::file_size(file, ec);
        if (!ec && limit && size > limit) {
          std::cerr << "loactl: " << file << ": too large: " << size << " bytes, the controller takes at most "
                    << limit << "\n";
          ++failures;
          continue;
        }
        try {
          added.push_back(api.upload("/api/v1/clips?name=" + httplib::detail::encode_query_param(name), file, name));
          if (!o.as_json) std::cout << "added " << text(added.back()["id"]) << "  " << name << "\n";
        } catch (const ApiError& e) {
          if (e.exit_code == kExitUnreachable) throw;
          std::cerr << "loactl: " << file << ": " << e.what() << "\n";
          ++failures;
        }
      }
      if (o.as_json) std::cout << added.dump(2) << "\n";
      return failures ? kExitApiError : 0;
    }
    if (sub == "tts") {
      auto out = api.call("POST", "/api/v1/clips/tts",
                          {{"text", need(o, 2, "TEXT")}, {"voice", flag(o, "voice", "vi")}, {"name", flag(o, "name")}});
      if (o.as_json) {
        std::cout << out.dump(2) << "\n";
      } else {
        std::cout << "added " << text(out["id"]) << "  " << text(out["name"]) << "\n";
      }
      return 0;
    }
    const std::string id = need(o, 2, "clip ID");
    if (sub == "show") {
      auto out = api.call("GET", "/api/v1/clips/" + id);
      emit(o, o.as_json ? out : json::array({out}), print_clips);
      return 0;
    }
    if (sub == "push") {
      const std::string station = flag(o, "to");
      if (station.empty()) throw ApiError(kExitUsage, "clips push needs --to STATION");
      auto queued = api.call("POST", "/api/v1/stations/" + station + "/commands",
                             {{"type", "cache_clip"}, {"clip_id", id}, {"pin", flag(o, "pin") == "1"}});
      const std::string cid = queued["id"];
      json out = queued;
      for (int i = 0; i < std::stoi(flag(o, "wait", "60")) * 10 && out["state"] == "pending"; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        out = api.call("GET", "/api/v1/commands/" + cid);
      }
      emit(o, out, print_command_result);
      return out["state"] == "applied" ? 0 : kExitApiError;
    }
    if (sub == "rm") {
      api.call("DELETE", "/api/v1/clips/" + id);
      if (!o.as_json) std::cout << "removed clip " << id << "\n";
      return 0;
    }
    throw ApiError(kExitUsage, "unknown clips subcommand " + sub);
  }
  if (cmd == "zones") {
    const std::string sub = o.args.size() > 1 ? o.args[1] : "list";
    if (sub == "list") {
      auto out = api.call("GET", "/api/v1/zones");
      emit(o, o.as_json ? out : out["items"], print_zones);
      return 0;
    }
    const std::string id = need(o, 2, "zone ID");
    json out;
    if (sub == "add") {
      json body{{"id", id}, {"name", flag(o, "name", id)}, {"kind", flag(o, "kind", "custom")}};
      if (!flag(o, "parent").empty()) body["parent_id"] = flag(o, "parent");
      if (o.flags.contains("stations")) body["stations"] = split(flag(o, "stations"), ',');
      out = api.call("POST", "/api/v1/zones", body);
    } else if (sub == "show") {
      out = api.call("GET", "/api/v1/zones/" + id);
    } else if (sub == "rm") {
      api.call("DELETE", "/api/v1/zones/" + id);
      if (!o.as_json) std::cout << "removed zone " << id << '\n';
      return 0;
    } else if (sub == "quiet-hours") {
      const auto hours = need(o, 3, "HH:MM-HH:MM or none");
      out = api.call("PUT", "/api/v1/zones/" + id, {{"quiet_hours", hours == "none" ? "" : hours}});
    } else if (sub == "cap-areas") {
      // Every argument after the zone: "valueName=value" geocodes or area names.
      json areas = json::array();
      for (std::size_t i = 3; i < o.args.size(); ++i) areas.push_back(o.args[i]);
      out = api.call("PUT", "/api/v1/zones/" + id, {{"cap_areas", areas}});
    } else if (sub == "add-station") {
      out = api.call("POST", "/api/v1/zones/" + id + "/stations", {{"station_id", need(o, 3, "STATION")}});
    } else if (sub == "remove-station") {
      out = api.call("DELETE", "/api/v1/zones/" + id + "/stations/" + need(o, 3, "STATION"));
    } else {
      throw ApiError(kExitUsage, "unknown zones subcommand " + sub);
    }
    emit(o, o.as_json ? out : json::array({out}), print_zones);
    return 0;
  }
  if (cmd == "broadcasts") return broadcasts(api, o);
  if (cmd == "alert") return alert(api, o);
  if (cmd == "cap") {
    std::ifstream in(need(o, 1, "FILE"));
    if (!in) throw ApiError(kExitUsage, "cannot read " + o.args[1]);
    std::stringstream xml;
    xml << in.rdbuf();
    auto out = api.post_text("/api/v1/cap", xml.str(), "application/cap+xml");
    if (o.as_json) {
      std::cout << out.dump(2) << "\n";
    } else {
      std::cout << text(out["result"]) << ": " << text(out["identifier"]);
      if (out.contains("alert")) std::cout << " -> alert " << text(out["alert"]["id"]) << " (" << text(out["alert"]["state"]) << ")";
      if (out.contains("detail")) std::cout << " - " << text(out["detail"]);
      std::cout << "\n";
    }
    return 0;
  }
  if (cmd == "users") return users(api, o);
  if (cmd == "tokens") return tokens(api, o);
  if (cmd == "audit" && o.args.size() > 1 && o.args[1] == "verify") {
    auto out = api.call("GET", "/api/v1/audit/verify");
    if (o.as_json) {
      std::cout << out.dump(2) << "\n";
    } else if (out["intact"] == true) {
      std::cout << "audit log intact: " << out["entries"] << " entries\n";
    } else {
      std::cout << "audit log BROKEN at entry " << out["broken_at"] << " (of " << out["entries"] << " read)\n";
      return kExitApiError;
    }
    return 0;
  }
  if (cmd == "audit") {
    auto out = api.call("GET", "/api/v1/audit" + query({{"subject", flag(o, "subject")}, {"limit", flag(o, "limit")}, {"offset", flag(o, "offset")}}));
    emit(o, o.as_json ? out : out["items"], [](const json& items) {
      std::vector<std::vector<std::string>> rows;
      for (const auto& e : items) {
        rows.push_back({when(e["at_ms"]), text(e["user"]), text(e["action"]), text(e["subject"]), text(e["detail"])});
      }
      print_table({"WHEN", "USER", "ACTION", "SUBJECT", "DETAIL"}, rows);
    });
    return 0;
  }
  if (cmd == "asrun") return asrun(api, o);
  if (cmd == "link-stats") {
    auto out = api.call("GET", "/api/v1/link/stats");
    if (o.as_json) {
      std::cout << out.dump(2) << '\n';
    } else {
      std::vector<std::vector<std::string>> rows;
      for (auto& [k, v] : out["counters"].items()) rows.push_back({k, v.dump()});
      for (auto& [k, v] : out["stations"].items()) rows.push_back({"stations_" + k, v.dump()});
      rows.push_back({"pending_commands", out["pending_commands"].dump()});
      print_table({"COUNTER", "VALUE"}, rows);
    }
    return 0;
  }
  throw ApiError(kExitUsage, "unknown command " + cmd);
}

}  // namespace

int main(int argc, char** argv) {
  // A controller that refuses an upload closes the connection under us: a failed
  // write, not a reason to die.
  std::signal(SIGPIPE, SIG_IGN);
  Options o;
  if (const char* url = std::getenv("LOA_URL")) o.url = url;
  if (const char* token = std::getenv("LOA_TOKEN")) o.token = token;
  if (const char* user = std::getenv("LOA_USER")) o.user = user;
  if (const char* password = std::getenv("LOA_PASSWORD")) o.password = password;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (arg == "--version") {
      std::cout << "loactl " << loa::kVersion << '\n';
      return 0;
    }
    if (arg == "--json") {
      o.as_json = true;
    } else if (arg.rfind("--", 0) == 0 && is_switch(arg.substr(2))) {
      o.flags[arg.substr(2)] = "1";
    } else if (arg.rfind("--", 0) == 0) {
      if (i + 1 >= argc) {
        std::cerr << "loactl: " << arg << " needs a value\n";
        return kExitUsage;
      }
      std::string value = argv[++i];
      if (arg == "--url") {
        o.url = value;
      } else if (arg == "--token") {
        o.token = value;
      } else if (arg == "--user") {
        o.user = value;
      } else {
        o.flags[arg.substr(2)] = value;
        o.repeated[arg.substr(2)].push_back(value);
      }
    } else {
      o.args.push_back(arg);
    }
  }
  if (o.args.empty()) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  try {
    return run(o);
  } catch (const ApiError& e) {
    std::cerr << "loactl: " << e.what() << '\n';
    if (e.exit_code == kExitUsage) std::cerr << kUsage;
    return e.exit_code;
  } catch (const std::exception& e) {
    std::cerr << "loactl: " << e.what() << '\n';
    return kExitApiError;
  }
}
