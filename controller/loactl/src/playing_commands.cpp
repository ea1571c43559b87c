// clips …, play, stop, volume, streams …: what stations sound, now.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "commands.hpp"
#include "output.hpp"

namespace loa::loactl {
namespace {

const std::vector<std::string> kPriorities{"relay", "normal", "priority", "live", "emergency"};

void add_clips(Commands& c) {
  struct Opts {
    std::vector<std::string> files;
    std::string id, name, text, voice = "vi", to, pin;
    int wait_s = 60;
  };
  auto o = std::make_shared<Opts>();
  auto* clips = c.root().add_subcommand("clips", "the clip library (no command: list)");
  auto list_action = [](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/clips");
    emit(g.as_json, g.as_json ? out : out["items"], print_clips);
    return kExitOk;
  };
  c.on(clips, list_action);
  c.on(clips->add_subcommand("list", "every clip"), list_action);

  auto* add = clips->add_subcommand("add", "upload clips (any common audio format; progress on a terminal)");
  add->add_option("files", o->files, "audio files")->required();
  add->add_option("--name", o->name, "the clip's name (default: the file's)");
  c.on(add, [o](IApi& api, const Globals& g) {
    json added = json::array();
    int failures = 0;
    // Ask the limit first: a controller refusing mid-upload cannot say why.
    const auto limit = api.call("GET", "/api/v1/clips").value("max_upload_bytes", std::uint64_t{0});
    for (const auto& file : o->files) {
      const std::string name = o->name.empty() ? std::filesystem::path(file).stem().string() : o->name;
      std::error_code ec;
      const auto size = std::filesystem::file_size(file, ec);
      if (!ec && limit && size > limit) {
        std::cerr << "loactl: " << file << ": too large: " << size << " bytes, the controller takes at most " << limit << "\n";
        ++failures;
        continue;
      }
      try {
        added.push_back(api.upload("/api/v1/clips?name=" + encode(name), file, name));
        if (!g.as_json) std::cout << "added " << text(added.back()["id"]) << "  " << name << "\n";
      } catch (const ApiError& e) {
        if (e.exit_code == kExitUnreachable) throw;
        std::cerr << "loactl: " << file << ": " << e.what() << "\n";
        ++failures;
      }
    }
    if (g.as_json) std::cout << added.dump(2) << "\n";
    return failures ? kExitApiError : kExitOk;
  });

  auto* tts = clips->add_subcommand("tts", "read a text aloud (espeak-ng) into a clip");
  tts->add_option("text", o->text, "what to say")->required();
  tts->add_option("--voice", o->voice, "espeak-ng voice (vi by default)");
  tts->add_option("--name", o->name, "the clip's name");
  c.on(tts, [o](IApi& api, const Globals& g) {
    auto out = api.call("POST", "/api/v1/clips/tts", {{"text", o->text}, {"voice", o->voice}, {"name", o->name}});
    if (g.as_json) {
      std::cout << out.dump(2) << "\n";
    } else {
      std::cout << "added " << text(out["id"]) << "  " << text(out["name"]) << "\n";
    }
    return kExitOk;
  });

  auto* show = clips->add_subcommand("show", "one clip");
  show->add_option("id", o->id, "the clip's id")->required();
  c.on(show, [o](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/clips/" + o->id);
    emit(g.as_json, g.as_json ? out : json::array({out}), print_clips);
    return kExitOk;
  });
  auto* rm = clips->add_subcommand("rm", "remove a clip");
  rm->add_option("id", o->id, "the clip's id")->required();
  c.on(rm, [o](IApi& api, const Globals& g) {
    api.call("DELETE", "/api/v1/clips/" + o->id);
    if (!g.as_json) std::cout << "removed clip " << o->id << "\n";
    return kExitOk;
  });
  auto* push = clips->add_subcommand("push", "put a clip in a station's cache (waits for it)");
  push->add_option("id", o->id, "the clip's id")->required();
  push->add_option("--to", o->to, "the station")->required();
  push->add_option("--pin", o->pin, "1: keep it in the cache for good")->check(one_of({"0", "1"}));
  push->add_option("--wait", o->wait_s, "seconds to wait")->check(CLI::Range(0, 3600));
  c.on(push, [o](IApi& api, const Globals& g) {
    auto out = api.call("POST", "/api/v1/stations/" + o->to + "/commands",
                        {{"type", "cache_clip"}, {"clip_id", o->id}, {"pin", o->pin == "1"}});
    const std::string cid = text(out["id"]);
    for (int i = 0; i < o->wait_s * 10 && out["state"] == "pending"; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      out = api.call("GET", "/api/v1/commands/" + cid);
    }
    emit(g.as_json, out, print_command_result);
    return out["state"] == "applied" ? kExitOk : kExitApiError;
  });
}

// One request for every station of the targets: the controller resolves them, as it
// does for broadcasts and alerts.
int to_targets(IApi& api, const Globals& g, const std::string& verb, json body) {
  auto out = api.call("POST", "/api/v1/commands", body);
  if (g.as_json) {
    std::cout << out.dump(2) << "\n";
  } else {
    const auto broadcast = text(out["broadcast_id"]);
    // "queued on N of N stations": operators' scripts read this line.
    const auto n = out["stations"].size();
    std::cout << verb << " " << (broadcast.empty() || broadcast == "-" ? "" : broadcast + " ") << "queued on " << n
              << " of " << n << " stations\n";
  }
  return kExitOk;
}

void add_play(Commands& c) {
  struct Opts {
    std::string clip, tts, voice = "vi", relay, live, to, priority, broadcast, on_preempt;
    double volume = 0;
    double level = 0;
  };
  auto o = std::make_shared<Opts>();
  auto* play = c.root().add_subcommand("play", "play a clip or a text now, or stream live, to a station, a zone or all");
  auto* what = play->add_option_group("what", "what to play (one of them)");
  what->add_option("--clip", o->clip, "a clip's id");
  what->add_option("--tts", o->tts, "a text read aloud");
  what->add_option("--relay", o->relay, "a programme to relay (http(s)://, rtsp://, srt://)");
  what->add_option("--live", o->live, "capture:[DEVICE], rtp:PORT or test:tone");
  what->require_option(1);
  play->add_option("--voice", o->voice, "espeak-ng voice for --tts");
  play->add_option("--to", o->to, "STATION, ZONE or all")->required();
  play->add_option("--priority", o->priority, "its priority")->check(one_of(kPriorities));
  play->add_option("--volume", o->volume, "0.0-1.0")->check(CLI::Range(0.0, 1.0));
  play->add_option("--broadcast", o->broadcast, "a name to stop or change it by");
  play->add_option("--on-preempt", o->on_preempt, "what a higher priority does to it (drop by default)")
      ->check(one_of({"drop", "resume"}));
  c.on(play, [o](IApi& api, const Globals& g) {
    const auto to = split_list(o->to);
    if (!o->relay.empty() || !o->live.empty()) {
      json body{{"source", o->relay.empty() ? o->live : o->relay},
                {"to", to},
                {"priority", o->priority.empty() ? (o->relay.empty() ? "live" : "relay") : o->priority},
                {"volume", o->volume > 0 ? o->volume : 1.0},
                {"resume", o->on_preempt == "resume"}};
      if (!o->broadcast.empty()) body["broadcast_id"] = o->broadcast;
      auto out = api.call("POST", "/api/v1/streams", body);
      if (g.as_json) {
        std::cout << out.dump(2) << "\n";
      } else {
        std::cout << "stream " << text(out["id"]) << " (" << text(out["broadcast_id"]) << ") to " << out["stations"].size()
                  << " stations; stop it with: loactl streams stop " << text(out["id"]) << "\n";
      }
      return kExitOk;
    }
    std::string clip = o->clip;
    if (!o->tts.empty()) {
      // A text is read aloud into a clip first, then played like any clip.
      clip = text(api.call("POST", "/api/v1/clips/tts", {{"text", o->tts}, {"voice", o->voice}})["id"]);
    }
    json body{{"type", "play"}, {"to", to}, {"clip_id", clip}, {"priority", o->priority.empty() ? "normal" : o->priority},
              {"volume", o->volume}, {"resume", o->on_preempt == "resume"}};
    if (!o->broadcast.empty()) body["broadcast_id"] = o->broadcast;
    return to_targets(api, g, "play", body);
  });

  auto* stop = c.root().add_subcommand("stop", "stop what is playing");
  stop->add_option("--to", o->to, "STATION, ZONE or all")->required();
  stop->add_option("--broadcast", o->broadcast, "only this broadcast");
  c.on(stop, [o](IApi& api, const Globals& g) {
    return to_targets(api, g, "stop", {{"type", "stop"}, {"to", split_list(o->to)}, {"broadcast_id", o->broadcast}});
  });

  auto* volume = c.root().add_subcommand("volume", "change the volume of what is playing, at once");
  volume->add_option("level", o->level, "0.0-1.0")->required()->check(CLI::Range(0.0, 1.0));
  volume->add_option("--to", o->to, "STATION, ZONE or all")->required();
  volume->add_option("--broadcast", o->broadcast, "only this broadcast");
  c.on(volume, [o](IApi& api, const Globals& g) {
    return to_targets(api, g, "volume",
                      {{"type", "set_volume"}, {"to", split_list(o->to)}, {"broadcast_id", o->broadcast}, {"volume", o->level}});
  });
}

void add_streams(Commands& c) {
  auto id = std::make_shared<std::string>();
  auto* streams = c.root().add_subcommand("streams", "live streams, their state and reconnects (no command: list)");
  auto list_action = [](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/streams");
    emit(g.as_json, g.as_json ? out : out["items"], print_streams);
    return kExitOk;
  };
  c.on(streams, list_action);
  c.on(streams->add_subcommand("list", "every stream"), list_action);
  auto* show = streams->add_subcommand("show", "one stream");
  show->add_option("id", *id, "the stream's id")->required();
  c.on(show, [id](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/streams/" + *id);
    emit(g.as_json, g.as_json ? out : json::array({out}), print_streams);
    return kExitOk;
  });
  auto* stop = streams->add_subcommand("stop", "end a stream (stations report it as stopped)");
  stop->add_option("id", *id, "the stream's id")->required();
  c.on(stop, [id](IApi& api, const Globals& g) {
    auto out = api.call("DELETE", "/api/v1/streams/" + *id);
    if (g.as_json) {
      std::cout << out.dump(2) << "\n";
    } else {
      std::cout << "stream " << *id << " " << text(out["state"]) << " after " << out["frames"] << " frames\n";
    }
    return kExitOk;
  });
}

}  // namespace

void add_playing_commands(Commands& c) {
  add_clips(c);
  add_play(c);
  add_streams(c);
}

}  // namespace loa::loactl
