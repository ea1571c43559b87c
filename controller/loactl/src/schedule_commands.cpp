// broadcasts …, asrun: what is scheduled, and what played.
#include <fstream>
#include <iostream>
#include <iterator>

#include "commands.hpp"
#include "output.hpp"

namespace loa::loactl {
namespace {

struct BroadcastOpts {
  std::string clip, tts, voice, relay, start, tz, rrule, priority, on_preempt, title, valid_from, valid_until, id, file;
  std::string reason, approval_state;
  std::vector<std::string> to, exdates;
  double volume = -1;
  long long slot_s = -1;
  int occurrences = 10;
  bool override_conflicts = false, dry_run = false, all = false;
};

json add_body(const BroadcastOpts& o) {
  json body = {{"start", o.start}, {"to", o.to}};
  for (const auto& [value, field] : std::vector<std::pair<const std::string*, const char*>>{
           {&o.clip, "clip_id"}, {&o.tts, "tts"}, {&o.relay, "relay"}, {&o.voice, "voice"}, {&o.tz, "tz"},
           {&o.rrule, "rrule"}, {&o.priority, "priority"}, {&o.on_preempt, "on_preempt"}, {&o.title, "title"},
           {&o.valid_from, "valid_from"}, {&o.valid_until, "valid_until"}}) {
    if (!value->empty()) body[field] = *value;
  }
  if (o.volume >= 0) body["volume"] = o.volume;
  if (o.slot_s >= 0) body["slot_s"] = o.slot_s;
  if (!o.exdates.empty()) body["exdates"] = o.exdates;
  body["override"] = o.override_conflicts;
  body["dry_run"] = o.dry_run;
  return body;
}

int add_broadcast(IApi& api, const Globals& g, const BroadcastOpts& o) {
  const auto body = add_body(o);
  try {
    auto out = api.call("POST", "/api/v1/broadcasts", body);
    if (g.as_json) {
      std::cout << out.dump(2) << '\n';
    } else if (o.dry_run) {
      std::cout << "no conflict; would play on " << out["stations"].size() << " station(s)\n";
    } else {
      print_broadcast(out);
      if (out["overridden_conflicts"].is_array() && !out["overridden_conflicts"].empty()) {
        std::cout << "\nscheduled over these conflicts (--override):\n";
        print_conflicts(out["overridden_conflicts"]);
      }
    }
  } catch (const ApiError& e) {
    if (!e.body.is_object() || !e.body.contains("conflicts")) throw;
    if (g.as_json) {
      std::cout << e.body.dump(2) << '\n';
    } else {
      std::cerr << "loactl: " << e.what() << "\n";
      print_conflicts(e.body["conflicts"]);
    }
    return kExitApiError;
  }
  return kExitOk;
}

void add_broadcasts(Commands& c) {
  auto o = std::make_shared<BroadcastOpts>();
  auto* broadcasts = c.root().add_subcommand("broadcasts", "the schedule (no command: list)");
  auto list_action = [o](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/broadcasts" + query({{"all", o->all ? "1" : ""}}));
    emit(g.as_json, g.as_json ? out : out["items"], print_broadcasts);
    return kExitOk;
  };
  broadcasts->add_flag("--all", o->all, "with cancelled and ended ones");
  c.on(broadcasts, list_action);
  auto* list = broadcasts->add_subcommand("list", "scheduled broadcasts");
  list->add_flag("--all", o->all, "with cancelled and ended ones");
  c.on(list, list_action);

  auto* add = broadcasts->add_subcommand("add", "schedule a broadcast (refused on a conflict unless --override)");
  auto* what = add->add_option_group("what", "what to play (one of them)");
  what->add_option("--clip", o->clip, "a clip's id");
  what->add_option("--tts", o->tts, "a text read aloud");
  what->add_option("--relay", o->relay, "a programme to relay, with --slot");
  what->require_option(1);
  add->add_option("--voice", o->voice, "espeak-ng voice for --tts");
  add->add_option("--slot", o->slot_s, "seconds a relay lasts")->check(CLI::PositiveNumber);
  add->add_option("--to", o->to, "ID, ZONE or all (repeat, or separate with commas)")->required()->delimiter(',');
  add->add_option("--start", o->start, "\"YYYY-MM-DD HH:MM\", local time of --tz")->required();
  add->add_option("--tz", o->tz, "the time zone of --start (default the controller's, Asia/Ho_Chi_Minh)");
  add->add_option("--rrule", o->rrule, "RFC 5545 recurrence, e.g. FREQ=DAILY");
  add->add_option("--exdate", o->exdates, "a date it does not play (repeat, or commas)")->delimiter(',');
  add->add_option("--priority", o->priority)->check(one_of({"relay", "normal", "priority", "live", "emergency"}));
  add->add_option("--volume", o->volume, "0.0-1.0")->check(CLI::Range(0.0, 1.0));
  add->add_option("--on-preempt", o->on_preempt, "what a higher priority does to it")->check(one_of({"drop", "resume"}));
  add->add_option("--title", o->title);
  add->add_option("--valid-from", o->valid_from, "first date it may play");
  add->add_option("--valid-until", o->valid_until, "last date it may play");
  add->add_flag("--override", o->override_conflicts, "schedule it over the conflicts found");
  add->add_flag("--dry-run", o->dry_run, "only check it");
  c.on(add, [o](IApi& api, const Globals& g) { return add_broadcast(api, g, *o); });

  auto* show = broadcasts->add_subcommand("show", "one broadcast and its next occurrences");
  show->add_option("id", o->id)->required();
  show->add_option("--occurrences", o->occurrences, "how many to list")->check(CLI::Range(0, 1000));
  c.on(show, [o](IApi& api, const Globals& g) {
    emit(g.as_json, api.call("GET", "/api/v1/broadcasts/" + o->id + query({{"occurrences", std::to_string(o->occurrences)}})),
         print_broadcast);
    return kExitOk;
  });
  auto* cancel = broadcasts->add_subcommand("cancel", "cancel it on every station, offline ones when they return");
  cancel->add_option("id", o->id)->required();
  c.on(cancel, [o](IApi& api, const Globals& g) {
    auto out = api.call("DELETE", "/api/v1/broadcasts/" + o->id);
    if (g.as_json) {
      std::cout << out.dump(2) << '\n';
    } else {
      std::cout << "cancelled " << o->id << "; " << out["stations_told"].size()
                << " station(s) told (offline ones when they return)\n";
    }
    return kExitOk;
  });
  // Approval before air, in zones that ask for it.
  auto* approve = broadcasts->add_subcommand("approve", "pass a broadcast waiting for approval (approver of its zone)");
  approve->add_option("id", o->id)->required();
  c.on(approve, [o](IApi& api, const Globals& g) {
    auto out = api.call("POST", "/api/v1/broadcasts/" + o->id + "/approve", json::object());
    if (g.as_json) {
      std::cout << out.dump(2) << '\n';
    } else {
      std::cout << "approved " << o->id << "; it goes to its stations now\n";
    }
    return kExitOk;
  });
  auto* send_back = broadcasts->add_subcommand("return", "send a broadcast back with a reason; it never airs");
  send_back->add_option("id", o->id)->required();
  send_back->add_option("--reason", o->reason, "why, for its author")->required();
  c.on(send_back, [o](IApi& api, const Globals& g) {
    auto out = api.call("POST", "/api/v1/broadcasts/" + o->id + "/return", json{{"reason", o->reason}});
    if (g.as_json) {
      std::cout << out.dump(2) << '\n';
    } else {
      std::cout << "returned " << o->id << ": " << o->reason << '\n';
    }
    return kExitOk;
  });
  auto* approvals = c.root().add_subcommand("approvals", "broadcasts waiting for an approver");
  approvals->add_option("--state", o->approval_state, "pending (default), approved, returned or all")
      ->check(one_of({"pending", "approved", "returned", "all"}));
  c.on(approvals, [o](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/approvals" + query({{"state", o->approval_state}}));
    emit(g.as_json, g.as_json ? out : out["items"], print_approvals);
    return kExitOk;
  });

  auto* exp = broadcasts->add_subcommand("export", "the schedule as iCalendar (.ics)");
  exp->add_option("file", o->file, "where to write it (default: standard output)");
  exp->add_flag("--all", o->all, "with cancelled and ended ones");
  c.on(exp, [o](IApi& api, const Globals&) {
    const auto ics = api.fetch_text("/api/v1/schedule.ics" + query({{"all", o->all ? "1" : ""}}));
    if (o->file.empty()) {
      std::cout << ics;
      return kExitOk;
    }
    std::ofstream out(o->file, std::ios::binary);
    out << ics;
    if (!out) throw ApiError(kExitApiError, "cannot write " + o->file);
    return kExitOk;
  });
  auto* imp = broadcasts->add_subcommand("import", "create broadcasts from an .ics file");
  imp->add_option("file", o->file)->required()->check(CLI::ExistingFile);
  imp->add_option("--to", o->to, "targets for events that name none")->delimiter(',');
  imp->add_flag("--override", o->override_conflicts, "schedule them over conflicts");
  c.on(imp, [o](IApi& api, const Globals& g) {
    std::ifstream in(o->file, std::ios::binary);
    if (!in) throw ApiError(kExitUsage, "cannot read " + o->file);
    const std::string ics((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string to;
    for (const auto& t : o->to) to += (to.empty() ? "" : ",") + t;
    auto out = api.post_text("/api/v1/schedule.ics" + query({{"to", to}, {"override", o->override_conflicts ? "1" : ""}}),
                             ics, "text/calendar");
    if (g.as_json) {
      std::cout << out.dump(2) << '\n';
    } else {
      for (auto made : out["created"]) std::cout << "created " << text(made["id"]) << "  " << text(made["title"]) << '\n';
      for (auto r : out["refused"]) std::cerr << "refused " << text(r["uid"]) << ": " << text(r["reason"]) << '\n';
    }
    return out["refused"].empty() ? kExitOk : kExitApiError;
  });
}

void add_asrun(Commands& c) {
  struct Opts {
    std::string station, zone, broadcast, since, until, limit;
    bool csv = false;
  };
  auto o = std::make_shared<Opts>();
  auto* asrun = c.root().add_subcommand("asrun", "what actually played");
  asrun->add_option("--station", o->station);
  asrun->add_option("--zone", o->zone);
  asrun->add_option("--broadcast", o->broadcast);
  asrun->add_option("--since", o->since, "a date or instant");
  asrun->add_option("--until", o->until, "a date or instant");
  asrun->add_option("--limit", o->limit)->check(CLI::PositiveNumber);
  asrun->add_flag("--csv", o->csv, "as CSV for a spreadsheet");
  c.on(asrun, [o](IApi& api, const Globals& g) {
    const auto q = query({{"station", o->station}, {"zone", o->zone}, {"broadcast", o->broadcast}, {"since", o->since},
                          {"until", o->until}, {"limit", o->limit}, {"format", o->csv ? "csv" : ""}});
    if (o->csv) {
      std::cout << api.fetch_text("/api/v1/asrun" + q);
      return kExitOk;
    }
    auto out = api.call("GET", "/api/v1/asrun" + q);
    if (g.as_json) {
      std::cout << out.dump(2) << '\n';
      return kExitOk;
    }
    std::vector<std::vector<std::string>> rows;
    for (auto r : out["items"]) {
      rows.push_back({text(r["station_id"]), text(r["broadcast_id"]), instant(r["planned_start"]), instant(r["actual_start"]),
                      r["late_ms"].is_number() ? r["late_ms"].dump() : "-", text(r["outcome"]), sound_level(r),
                      text(r["detail"])});
    }
    print_table({"STATION", "BROADCAST", "PLANNED", "STARTED", "LATE MS", "OUTCOME", "LEVEL", "DETAIL"}, rows);
    return kExitOk;
  });
}

}  // namespace

void add_schedule_commands(Commands& c) {
  add_broadcasts(c);
  add_asrun(c);
}

}  // namespace loa::loactl
