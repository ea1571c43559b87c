// alert …, cap: emergency alerts, drafted, confirmed with their station count, watched.
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "commands.hpp"
#include "output.hpp"

namespace loa::loactl {
namespace {

const std::vector<std::string> kStatuses{"actual", "exercise", "test"};

struct AlertOpts {
  std::vector<std::string> tts, clips, live, to;
  std::string id, status, severity, tone, headline, language, reason, all_clear_text, file;
  long long repeat = -1, interval_s = -1, expires_in_s = -1, confirm = -1, count = -1;
  bool watch = false, correction = false;
};

void content_options(CLI::App* cmd, AlertOpts& o) {
  cmd->add_option("--tts", o.tts, "a text read aloud (repeat for several parts)");
  cmd->add_option("--clip", o.clips, "a clip's id (repeat for several parts)");
  cmd->add_option("--live", o.live, "a live source (capture:, rtp:PORT, test:tone)");
  cmd->add_option("--language", o.language, "the language of --tts (vi by default)");
  cmd->add_option("--to", o.to, "ZONE, STATION or all (repeat, or commas)")->delimiter(',');
  cmd->add_option("--severity", o.severity)->check(one_of({"extreme", "severe", "moderate", "minor"}));
  cmd->add_option("--status", o.status, "actual, exercise or test: there is no default")->check(one_of(kStatuses));
  cmd->add_option("--tone", o.tone, "attention tone before it")->check(one_of({"siren", "chime", "none"}));
  cmd->add_option("--repeat", o.repeat, "times it plays")->check(CLI::Range(1, 100));
  cmd->add_option("--interval", o.interval_s, "seconds between repeats")->check(CLI::Range(0, 86400));
  cmd->add_option("--expires-in", o.expires_in_s, "seconds until it expires")->check(CLI::PositiveNumber);
  cmd->add_option("--headline", o.headline);
}

json alert_body(const AlertOpts& o) {
  json body = json::object();
  json content = json::array();
  for (const auto& t : o.tts) content.push_back({{"tts", t}});
  for (const auto& c : o.clips) content.push_back({{"clip", c}});
  for (const auto& l : o.live) content.push_back({{"live", l}});
  if (!content.empty()) body["content"] = content;
  if (!o.to.empty()) body["to"] = o.to;
  for (const auto& [key, value] : std::vector<std::pair<const char*, const std::string*>>{
           {"severity", &o.severity}, {"status", &o.status}, {"tone", &o.tone}, {"headline", &o.headline},
           {"language", &o.language}}) {
    if (!value->empty()) body[key] = *value;
  }
  if (o.repeat >= 0) body["repeat"] = o.repeat;
  if (o.interval_s >= 0) body["repeat_interval_s"] = o.interval_s;
  if (o.expires_in_s >= 0) body["expires_in_s"] = o.expires_in_s;
  return body;
}

// Refreshes the progress line until no station is still on its way, or 10 minutes.
void watch_alert(IApi& api, const std::string& id) {
  const bool tty = ::isatty(1) != 0;
  std::string last;
  for (int i = 0; i < 1200; ++i) {
    auto a = api.call("GET", "/api/v1/alerts/" + id + "?stations=0");
    const std::string line = a.contains("progress") ? text(a["progress"]) : text(a["state"]);
    if (line != last) {
      std::cout << (tty ? "\r\033[K" : "") << line << (tty ? "" : "\n") << std::flush;
      last = line;
    }
    auto s = a["summary"];
    if (!s.is_object() || (s["sent"] == 0 && s["acknowledged"] == 0 && s["playing"] == 0)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  if (tty) std::cout << "\n";
}

// The line a person reads before saying yes: what kind of alert, how bad, how many.
std::string stakes(json draft) {
  std::ostringstream s;
  s << upper_text(draft["status"]) << " alert, " << upper_text(draft["severity"]) << ", to " << text(draft["target_count"])
    << " station(s)";
  if (draft["status"] == "actual") s << ": it will sound for real";
  return s.str();
}

int push(IApi& api, const Globals& g, AlertOpts o) {
  if (o.status.empty()) {
    if (::isatty(0) == 0) {
      throw ApiError(kExitUsage, "alert push needs --status actual|exercise|test (there is no default)");
    }
    std::cout << "Status of this alert (actual, exercise, test): " << std::flush;
    std::getline(std::cin, o.status);
    if (std::find(kStatuses.begin(), kStatuses.end(), o.status) == kStatuses.end()) {
      throw ApiError(kExitUsage, "status '" + o.status + "' is not one of actual|exercise|test; nothing was sent");
    }
  }
  if (o.to.empty()) throw ApiError(kExitUsage, "alert push needs --to ZONE|STATION|all");
  auto draft = api.call("POST", "/api/v1/alerts", alert_body(o));
  const std::string id = text(draft["id"]);
  std::string count = o.confirm >= 0 ? std::to_string(o.confirm) : std::string();
  if (!g.as_json) std::cout << stakes(draft) << "\n";
  if (count.empty() && ::isatty(0)) {
    // The person must see how many stations will sound, and say it back.
    print_alert(draft);
    std::cout << "Type " << text(draft["target_count"]) << " to issue this " << upper_text(draft["status"])
              << " alert, anything else to leave it a draft: " << std::flush;
    std::getline(std::cin, count);
  }
  if (count.empty() || count.find_first_not_of("0123456789") != std::string::npos) {
    if (g.as_json) {
      std::cout << draft.dump(2) << "\n";
    } else {
      std::cout << "draft " << id << "; issue it with: loactl alert confirm " << id << " --count "
                << text(draft["target_count"]) << "\n";
    }
    return kExitOk;
  }
  json issued;
  try {
    issued = api.call("POST", "/api/v1/alerts/" + id + "/confirm", {{"target_count", std::stoll(count)}});
  } catch (const ApiError& e) {
    if (!e.body.is_object() || !e.body.contains("error") || e.body["error"].value("code", "") != "two_person_rule") throw;
    std::cerr << "loactl: " << e.what() << "\n"
              << "draft " << id << " waits for a second person with the emergency role: loactl alert confirm " << id
              << " --count " << text(draft["target_count"]) << "\n";
    return kExitApiError;
  }
  if (g.as_json) {
    std::cout << issued.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "alert " << id << " " << text(issued["state"]) << "\n";
  if (o.watch) watch_alert(api, id);
  return kExitOk;
}

int show_result(IApi& api, const Globals& g, const json& out, const std::string& id, bool watch) {
  if (g.as_json) {
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  print_alert(out);
  if (watch) watch_alert(api, id);
  return kExitOk;
}

}  // namespace

void add_alert_commands(Commands& c) {
  auto o = std::make_shared<AlertOpts>();
  auto* alert = c.root().add_subcommand("alert", "emergency alerts (no command: status)");
  auto status_action = [o](IApi& api, const Globals& g) {
    if (o->id.empty()) {
      auto out = api.call("GET", "/api/v1/alerts");
      emit(g.as_json, g.as_json ? out : out["items"], print_alerts);
      return kExitOk;
    }
    if (o->watch && !g.as_json) {
      watch_alert(api, o->id);
      return kExitOk;
    }
    return show_result(api, g, api.call("GET", "/api/v1/alerts/" + o->id), o->id, false);
  };
  c.on(alert, status_action);
  for (const char* name : {"status", "list"}) {
    auto* cmd = alert->add_subcommand(name, "alerts, or one alert station by station");
    cmd->add_option("id", o->id, "one alert");
    cmd->add_flag("--watch", o->watch, "follow its progress");
    c.on(cmd, status_action);
  }

  auto* push_cmd = alert->add_subcommand("push", "draft an alert; it is issued once confirmed with its station count");
  content_options(push_cmd, *o);
  push_cmd->add_option("--confirm", o->confirm, "the station count, to issue it without a prompt")->check(CLI::NonNegativeNumber);
  push_cmd->add_flag("--watch", o->watch, "follow its progress");
  c.on(push_cmd, [o](IApi& api, const Globals& g) { return push(api, g, *o); });

  auto* confirm = alert->add_subcommand("confirm", "confirm a draft (a second person, where the rule says so)");
  confirm->add_option("id", o->id)->required();
  confirm->add_option("--count", o->count, "the station count it was drafted for")->required()->check(CLI::NonNegativeNumber);
  confirm->add_flag("--watch", o->watch, "follow its progress");
  c.on(confirm, [o](IApi& api, const Globals& g) {
    return show_result(api, g, api.call("POST", "/api/v1/alerts/" + o->id + "/confirm", {{"target_count", o->count}}), o->id,
                       o->watch);
  });

  auto* update = alert->add_subcommand("update", "replace content, targets, severity or repeats of an issued alert");
  update->add_option("id", o->id)->required();
  content_options(update, *o);
  update->add_option("--count", o->count, "the new station count, when the targets change")->check(CLI::NonNegativeNumber);
  update->add_flag("--watch", o->watch, "follow its progress");
  c.on(update, [o](IApi& api, const Globals& g) {
    auto body = alert_body(*o);
    if (o->count >= 0) body["target_count"] = o->count;
    return show_result(api, g, api.call("POST", "/api/v1/alerts/" + o->id + "/update", body), o->id, o->watch);
  });

  auto* cancel = alert->add_subcommand("cancel", "stop it everywhere");
  cancel->add_option("id", o->id)->required();
  cancel->add_option("--reason", o->reason);
  cancel->add_flag("--correction", o->correction, "play the correction message");
  c.on(cancel, [o](IApi& api, const Globals& g) {
    return show_result(api, g,
                       api.call("POST", "/api/v1/alerts/" + o->id + "/cancel", {{"reason", o->reason}, {"correction", o->correction}}),
                       o->id, false);
  });

  auto* all_clear = alert->add_subcommand("all-clear", "stop it everywhere and play the all-clear message");
  all_clear->add_option("id", o->id)->required();
  all_clear->add_option("--text", o->all_clear_text, "what to say instead of the standard message");
  c.on(all_clear, [o](IApi& api, const Globals& g) {
    return show_result(api, g, api.call("POST", "/api/v1/alerts/" + o->id + "/all-clear", {{"text", o->all_clear_text}}),
                       o->id, false);
  });

  auto* cap = c.root().add_subcommand("cap", "submit a CAP 1.2 message (XML)");
  cap->add_option("file", o->file, "the message")->required()->check(CLI::ExistingFile);
  c.on(cap, [o](IApi& api, const Globals& g) {
    std::ifstream in(o->file);
    if (!in) throw ApiError(kExitUsage, "cannot read " + o->file);
    std::stringstream xml;
    xml << in.rdbuf();
    auto out = api.post_text("/api/v1/cap", xml.str(), "application/cap+xml");
    if (g.as_json) {
      std::cout << out.dump(2) << "\n";
      return kExitOk;
    }
    std::cout << text(out["result"]) << ": " << text(out["identifier"]);
    if (out.contains("alert")) std::cout << " -> alert " << text(out["alert"]["id"]) << " (" << text(out["alert"]["state"]) << ")";
    if (out.contains("detail")) std::cout << " - " << text(out["detail"]);
    std::cout << "\n";
    return kExitOk;
  });
}

}  // namespace loa::loactl
