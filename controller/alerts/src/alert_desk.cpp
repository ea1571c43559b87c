#include "loa/alerts/alert_desk.hpp"

#include <sodium.h>

#include <cmath>
#include <filesystem>

#include "attention_tones.hpp"
#include "cap_trust.hpp"
#include "desk_support.hpp"
#include "loa/fleet/fleet.hpp"

namespace loa::alerts {

using namespace desk;

std::string_view code_of(AlertProblem problem) {
  switch (problem) {
    case AlertProblem::invalid: return "invalid";
    case AlertProblem::not_found: return "not_found";
    case AlertProblem::forbidden: return "forbidden";
    case AlertProblem::out_of_scope: return "out_of_scope";
    case AlertProblem::expiry_passed: return "expired";
    case AlertProblem::live_source: return "live_source";
    case AlertProblem::status_fixed: return "status_fixed";
    case AlertProblem::no_area: return "no_area";
    case AlertProblem::bad_cap: return "bad_cap";
    case AlertProblem::speech_failed: return "speech_failed";
    case AlertProblem::wrong_state: return "wrong_state";
    case AlertProblem::count_mismatch: return "count_mismatch";
    case AlertProblem::no_stations: return "no_stations";
    case AlertProblem::expired: return "expired";
    case AlertProblem::two_person_rule: return "two_person_rule";
  }
  return "invalid";
}

AlertDesk::AlertDesk(AlertSettings settings, AlertStores stores, registry::StationRegistry& registry,
                     server::CommandDispatcher& commands, clips::ClipLibrary& clips, live::LiveStreams& streams,
                     const time::IClock& clock)
    : settings_(std::move(settings)),
      cap_trust_(std::make_unique<CapTrust>(settings_.cap_sources)),
      stores_(stores),
      registry_(registry),
      commands_(commands),
      clips_(clips),
      streams_(streams),
      clock_(clock) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

AlertDesk::~AlertDesk() { stop(); }

void AlertDesk::start() {
  if (thread_.joinable()) return;
  // Alerts still on air (or recently ended) when the controller stopped.
  for (const auto& r : stores_.alerts.list_alerts(1000)) {
    if (!AlertWorkflow::on_air(state_of(r.state)) && !AlertWorkflow::ended(state_of(r.state))) continue;
    if (clock_.wall_ms() > r.expires_ms + kKeepEndedMs && is_ended(r.state)) continue;
    Active a;
    a.record = r;
    a.broadcast_id = broadcast_of(r);
    for (auto& d : stores_.alerts.list_deliveries(r.id)) a.deliveries[d.station_id] = std::move(d);
    for (const auto& c : stores_.alerts.alert_commands(r.id)) by_command_[c.command_id] = r.id;
    by_broadcast_[a.broadcast_id] = r.id;
    active_[r.id] = std::move(a);
  }
  for (auto& pin : stores_.alerts.list_pins()) pinned_.insert(std::move(pin));
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void AlertDesk::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AlertDesk::run() {
  try {
    if (settings_.standard_clips) {
      prepare_standard_clips();
    } else {
      std::lock_guard lock(mutex_);
      standard_ready_ = true;
    }
  } catch (const std::exception& e) {
    kLog.error("standard clips not ready: error={}", e.what());
    std::lock_guard lock(mutex_);
    standard_ready_ = true;  // alerts go out without them rather than not at all
  }
  wake_.notify_all();
  auto next_pin = std::chrono::steady_clock::now();
  auto next_expiry = std::chrono::steady_clock::now();
  for (;;) {
    beat_.beat();
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, settings_.flush_interval, [this] { return stopping_; });
      if (stopping_) break;
    }
    try {
      flush();
      const auto now = std::chrono::steady_clock::now();
      if (now >= next_expiry) {
        expire();
        next_expiry = now + std::chrono::seconds(1);
      }
      if (now >= next_pin) {
        pin_standard_clips();
        next_pin = now + settings_.pin_interval;
      }
    } catch (const std::exception& e) {
      // The store is failing (disk full?): station states stay in memory and are
      // written on a later round; nothing delivered is lost.
      kLog.error("housekeeping failed: error={}", e.what());
    }
  }
  try {
    flush();
  } catch (const std::exception& e) {
    kLog.error("final flush failed: error={}", e.what());
  }
}

std::map<std::string, std::uint64_t> AlertDesk::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

AlertDesk::Held AlertDesk::held() const {
  std::lock_guard lock(mutex_);
  return {active_.size(), by_command_.size()};
}

AlertDesk::LatencyHistogram AlertDesk::first_sound_latency() const {
  LatencyHistogram h;
  std::lock_guard lock(mutex_);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= kLatencyBucketsMs.size(); ++i) {
    running += latency_counts_.empty() ? 0 : latency_counts_[i];
    h.buckets.emplace_back(i < kLatencyBucketsMs.size() ? kLatencyBucketsMs[i] : INFINITY, running);
  }
  h.count = running;
  h.sum_ms = latency_sum_ms_;
  return h;
}

std::map<std::string, std::map<std::string, std::uint64_t>> AlertDesk::station_states() const {
  std::map<std::string, std::map<std::string, std::uint64_t>> out;
  std::lock_guard lock(mutex_);
  for (const auto& [id, a] : active_) {
    if (!is_on_air(a.record.state)) continue;
    auto& counts = out[id];
    for (const auto& [station, d] : a.deliveries) {
      const bool offline = d.state == "sent" && !registry_.is_online(station);
      ++counts[offline ? "unreachable" : d.state];
    }
  }
  return out;
}

// Real danger takes two people: an Actual alert of a listed severity that a person
// drafted. Tests and exercises, and a CAP source's draft (the source is the first
// party), need one.
bool AlertDesk::needs_second_person(const json& spec) const {
  const auto& rule = settings_.two_person_severities;
  return spec["status"] == "actual" && spec["source"] == "api" &&
         std::find(rule.begin(), rule.end(), spec["severity"].get<std::string>()) != rule.end();
}

void AlertDesk::require_emergency(const users::Caller& caller) const {
  if (!caller.has_role("emergency")) {
    throw AlertError(AlertProblem::forbidden, "alerts need the emergency role; " + caller.name + " does not have it");
  }
}

// A person scoped to some zones acts only on alerts whose every station lies there.
void AlertDesk::require_scope(const users::Caller& caller, const store::AlertRecord& record) const {
  if (caller.zones.empty()) return;
  const auto spec = json::parse(record.definition);
  if (auto out = fleet::Fleet::out_of_scope(stores_.stations, caller.zones, spec["targets"].get<std::vector<std::string>>())) {
    throw AlertError(AlertProblem::out_of_scope, "alert " + record.id + " reaches " + *out + ", outside " + caller.name + "'s zones");
  }
}

std::vector<std::string> AlertDesk::resolve_targets(const json& targets) const {
  std::vector<std::string> list;
  for (const auto& t : targets) list.push_back(t.get<std::string>());
  return fleet::Fleet::load(stores_.stations).resolve(list);
}

std::string AlertDesk::clip_for_text(const std::string& text, const std::string& language, const std::string& name) {
  auto made = clips_.add_speech(text, voice_of(language), name);
  if (auto* error = std::get_if<clips::TranscodeError>(&made)) {
    throw AlertError(AlertProblem::speech_failed, "cannot read the text aloud: " + error->message, error->code);
  }
  return std::get<store::ClipRecord>(made).sha256;
}

// From what a person (or a CAP message) asked for to a draft: targets resolved to
// "all" / "zone:" / "station:", every text rendered to a clip now, so that issuing
// later only sends commands.
json AlertDesk::make_draft(const json& body, const users::Caller& caller, const std::string& source) {
  json spec;
  // No default: an Actual alert is always somebody's deliberate choice.
  spec["status"] = string_at(body, "status");
  if (spec["status"] == "") throw AlertError(AlertProblem::invalid, "status: required: actual, exercise or test (there is no default)");
  if (!one_of(spec["status"].get<std::string>(), kStatuses)) {
    throw AlertError(AlertProblem::invalid, "status must be actual, test or exercise");
  }
  spec["severity"] = string_at(body, "severity", "severe");
  if (!one_of(spec["severity"].get<std::string>(), kSeverities)) {
    throw AlertError(AlertProblem::invalid, "severity must be extreme, severe, moderate, minor or unknown");
  }
  spec["headline"] = string_at(body, "headline");
  spec["language"] = string_at(body, "language", settings_.default_language);
  spec["source"] = source;
  if (body.contains("cap")) spec["cap"] = body["cap"];
  // Targets: names as operators write them.
  json targets = json::array();
  const json to = body.contains("to") ? body["to"] : json::array({"all"});
  if (!to.is_array() || to.empty()) throw AlertError(AlertProblem::invalid, "to must be a list of zones or stations, or [\"all\"]");
  for (const auto& t : to) {
    if (!t.is_string()) throw AlertError(AlertProblem::invalid, "to must be a list of names");
    const auto name = t.get<std::string>();
    if (name == "all" || name.rfind("zone:", 0) == 0 || name.rfind("station:", 0) == 0) {
      targets.push_back(name);
    } else if (stores_.stations.find_zone(name)) {
      targets.push_back("zone:" + name);
    } else if (registry_.find(name)) {
      targets.push_back("station:" + name);
    } else {
      throw AlertError(AlertProblem::invalid, "to: no zone or station '" + name + "'");
    }
  }
  spec["targets"] = targets;
  if (auto out = fleet::Fleet::out_of_scope(stores_.stations, caller.zones, targets.get<std::vector<std::string>>())) {
    throw AlertError(AlertProblem::out_of_scope, caller.name + " may not alert " + *out + ": it is outside their zones");
  }
  // Content: several parts in order, or the shortcuts tts / clip_id / live.
  json content = body.contains("content") ? body["content"] : json::array();
  if (!content.is_array()) throw AlertError(AlertProblem::invalid, "content must be a list");
  if (body.contains("tts")) content.push_back({{"tts", string_at(body, "tts")}});
  if (body.contains("clip_id")) content.push_back({{"clip", string_at(body, "clip_id")}});
  if (body.contains("live")) content.push_back({{"live", string_at(body, "live")}});
  if (content.empty()) throw AlertError(AlertProblem::invalid, "an alert needs content: tts, clip_id, live, or content [...]");
  spec["content"] = content;
  spec["tone"] = string_at(body, "tone", "siren");
  const auto tone = spec["tone"].get<std::string>();
  if (tone != "none" && !one_of(tone, kTones) && !stores_.clips.find_clip(tone)) {
    throw AlertError(AlertProblem::invalid, "tone must be siren, chime, none or a clip id");
  }
  const auto count = int_at(body, "repeat", 1);
  const auto interval_s = int_at(body, "repeat_interval_s", 0);
  if (count < 1 || count > kMaxRepeats) throw AlertError(AlertProblem::invalid, "repeat must be 1-10");
  spec["repeat"] = {{"count", count}, {"interval_s", interval_s}};
  const auto now = clock_.wall_ms();
  std::int64_t expires = int_at(body, "expires_at_ms", 0);
  if (!expires) {
    expires = now + int_at(body, "expires_in_s", settings_.default_expiry.count() / 1000) * 1000;
  }
  if (expires <= now) throw AlertError(AlertProblem::expiry_passed, "the alert would expire before it is issued");
  spec["expires_ms"] = expires;
  spec = render_spec(std::move(spec));
  return spec;
}

// Turns content into the parts stations play, in order: clips (text rendered now, with
// the Test/Exercise label spoken around it) and live sources.
json AlertDesk::render_spec(json spec) {
  const auto status = spec["status"].get<std::string>();
  const auto language = spec["language"].get<std::string>();
  const auto& labels = status == "test" ? settings_.test_label : settings_.exercise_label;
  std::string label;
  if (status != "actual") {
    auto it = labels.find(voice_of(language));
    label = it != labels.end() ? it->second : (status == "test" ? "This is a test." : "This is an exercise.");
  }
  json parts = json::array();
  std::int64_t duration_ms = 0;
  bool label_spoken = false;
  for (const auto& part : spec["content"]) {
    if (!part.is_object()) throw AlertError(AlertProblem::invalid, "each content part is an object: {tts}, {clip} or {live}");
    if (part.contains("tts")) {
      auto text = string_at(part, "tts");
      if (text.empty()) throw AlertError(AlertProblem::invalid, "tts: empty text");
      const auto part_language = string_at(part, "language", language);
      if (!label.empty()) text = label + " " + text + " " + label;
      label_spoken = label_spoken || !label.empty();
      const auto clip = clip_for_text(text, part_language, "alert: " + text.substr(0, 60));
      const auto record = stores_.clips.find_clip(clip);
      parts.push_back({{"clip", clip}, {"duration_ms", record ? record->duration_ms : 0}});
      duration_ms += record ? record->duration_ms : 0;
    } else if (part.contains("clip")) {
      auto record = stores_.clips.find_clip(string_at(part, "clip"));
      if (!record) throw AlertError(AlertProblem::invalid, "no clip " + string_at(part, "clip"));
      if (!label.empty() && !label_spoken) {
        // A recorded message cannot say it is a test: a spoken label goes first.
        const auto clip = clip_for_text(label, language, "alert label: " + status);
        const auto l = stores_.clips.find_clip(clip);
        parts.push_back({{"clip", clip}, {"duration_ms", l ? l->duration_ms : 0}});
        duration_ms += l ? l->duration_ms : 0;
        label_spoken = true;
      }
      parts.push_back({{"clip", record->sha256}, {"duration_ms", record->duration_ms}});
      duration_ms += record->duration_ms;
    } else if (part.contains("live")) {
      const auto source = string_at(part, "live");
      try {
        (void)live::source_description(source);
      } catch (const live::SourceError& e) {
        throw AlertError(AlertProblem::invalid, std::string("live: ") + e.what());
      }
      if (!label.empty() && !label_spoken) {
        const auto clip = clip_for_text(label, language, "alert label: " + status);
        parts.push_back({{"clip", clip}, {"duration_ms", 0}});
        label_spoken = true;
      }
      parts.push_back({{"live", source}});
    } else {
      throw AlertError(AlertProblem::invalid, "each content part is {tts}, {clip} or {live}");
    }
  }
  spec["parts"] = parts;
  const auto count = spec["repeat"]["count"].get<std::int64_t>();
  const auto interval_ms = spec["repeat"]["interval_s"].get<std::int64_t>() * 1000;
  if (count > 1) {
    const std::int64_t tone_ms = 3000;
    if (interval_ms < duration_ms + tone_ms) {
      throw AlertError(AlertProblem::invalid,
                       "repeat_interval_s must cover the tone and the message (" +
                           std::to_string((duration_ms + tone_ms + 999) / 1000) + " s)");
    }
  }
  return spec;
}

json AlertDesk::create(const json& body, const users::Caller& caller) {
  require_emergency(caller);
  {
    // The first alert after a start may come before the tones are made: wait for them.
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, std::chrono::seconds(20), [this] { return standard_ready_ || stopping_; });
  }
  auto spec = make_draft(body, caller, "api");
  store::AlertRecord r;
  r.id = new_alert_id(spec["status"]);
  r.state = to_string(AlertState::draft);
  r.definition = spec.dump();
  r.created_by = caller.name;
  r.created_ms = clock_.wall_ms();
  r.expires_ms = spec["expires_ms"];
  const auto stations = resolve_targets(spec["targets"]);
  stores_.alerts.put_alert(r, store::audit_entry(r.created_ms, caller.name, "alert.create", r.id,
                       upper(spec["status"]) + " " + upper(spec["severity"]) + " to " + std::to_string(stations.size()) +
                           " stations"));
  kLog.info("alert drafted: alert={} by={} severity={} status={} stations={}", r.id, caller.name,
            spec["severity"].get<std::string>(), spec["status"].get<std::string>(), stations.size());
  if (body.contains("confirm") && body["confirm"].is_object()) {
    return confirm(r.id, int_at(body["confirm"], "target_count", -1), caller);
  }
  return view(r.id, false);
}

json AlertDesk::issue_draft_at_once(const std::string& id, const std::string& by, const std::string& why) {
  std::lock_guard issue(issue_mutex_);
  auto r = load(id);
  r.state = to_string(AlertWorkflow::decide(state_of(r.state), AlertAction::confirm).next);
  r.confirmed_by = by;
  stores_.alerts.put_alert(r, store::audit_entry(clock_.wall_ms(), by, "alert.confirm", id, why));
  return issue_confirmed(std::move(r), by);
}

json AlertDesk::issue_from_above(const json& body, const std::string& sender) {
  const users::Caller above{"above:" + sender, {"emergency"}, {}, true, ""};
  auto created = create(body, above);
  return issue_draft_at_once(created["id"], above.name, "issued at once: it came from the controller above");
}

store::AlertRecord AlertDesk::load(const std::string& id) {
  auto r = stores_.alerts.find_alert(id);
  if (!r) throw AlertError(AlertProblem::not_found, "no alert " + id);
  return *r;
}

json AlertDesk::confirm(const std::string& id, std::int64_t target_count, const users::Caller& caller) {
  require_emergency(caller);
  std::lock_guard issue(issue_mutex_);
  auto r = load(id);
  require_scope(caller, r);
  if (!AlertWorkflow::decide(state_of(r.state), AlertAction::confirm).allowed()) {
    throw refused(Refusal::wrong_state, "alert " + id + " is " + r.state + ", not a draft");
  }
  const auto spec = json::parse(r.definition);
  const auto stations = resolve_targets(spec["targets"]);
  const auto step = AlertWorkflow::confirm(
      state_of(r.state), {target_count, stations.size(), clock_.wall_ms() >= r.expires_ms, needs_second_person(spec),
                          caller.name == r.created_by || !caller.is_person()});
  switch (step.refusal) {
    case Refusal::none: break;
    case Refusal::count_mismatch:
      throw refused(step.refusal, "alert " + id + " would sound on " + std::to_string(stations.size()) +
                                      " stations; confirm with that number (you gave " + std::to_string(target_count) +
                                      ")")
          .with({{"stations", stations.size()}, {"given", target_count}});
    case Refusal::no_stations: throw refused(step.refusal, "the targets hold no approved station");
    case Refusal::expired: throw refused(step.refusal, "alert " + id + " has expired");
    case Refusal::two_person_rule:
      stores_.audit.add_audit(store::audit_entry(clock_.wall_ms(), caller.name, "alert.confirm_refused", id, "two-person rule"));
      throw refused(step.refusal, spec["severity"].get<std::string>() +
                                      " alerts need a second person with the emergency role to confirm; " +
                                      r.created_by + " drafted this one" +
                                      (caller.is_person() ? "" : ", and the shared token is nobody in particular"));
    case Refusal::wrong_state: throw refused(step.refusal, "alert " + id + " is " + r.state + ", not a draft");
  }
  r.state = to_string(step.next);
  r.confirmed_by = caller.name;
  stores_.alerts.put_alert(r, store::audit_entry(clock_.wall_ms(), caller.name, "alert.confirm", id,
                       "target_count " + std::to_string(target_count)));
  return issue_confirmed(std::move(r), caller.name);
}

json AlertDesk::issue_confirmed(store::AlertRecord record, const std::string& by) {
  const auto spec = json::parse(record.definition);
  deliver(record, spec, "alert.issue", by, "");
  return view(record.id, false);
}

json AlertDesk::update(const std::string& id, const json& body, const users::Caller& caller) {
  require_emergency(caller);
  std::lock_guard issue(issue_mutex_);
  auto r = load(id);
  require_scope(caller, r);
  if (!AlertWorkflow::decide(state_of(r.state), AlertAction::update).allowed()) {
    throw refused(Refusal::wrong_state, "alert " + id + " is " + r.state + ", not on air");
  }
  auto old = json::parse(r.definition);
  // What the update does not name stays as it was; the status never changes.
  json merged = body;
  if (merged.contains("status") && merged["status"] != old["status"]) {
    throw AlertError(AlertProblem::status_fixed, "a " + old["status"].get<std::string>() +
                                              " alert stays one: issue a new alert instead");
  }
  merged["status"] = old["status"];
  if (!merged.contains("severity")) merged["severity"] = old["severity"];
  if (!merged.contains("to")) merged["to"] = old["targets"];
  if (!merged.contains("content") && !merged.contains("tts") && !merged.contains("clip_id") && !merged.contains("live")) {
    merged["content"] = old["content"];
  }
  if (!merged.contains("tone")) merged["tone"] = old["tone"];
  if (!merged.contains("repeat")) merged["repeat"] = old["repeat"]["count"];
  if (!merged.contains("repeat_interval_s")) merged["repeat_interval_s"] = old["repeat"]["interval_s"];
  if (!merged.contains("expires_in_s") && !merged.contains("expires_at_ms")) merged["expires_at_ms"] = old["expires_ms"];
  if (!merged.contains("headline")) merged["headline"] = old["headline"];
  if (!merged.contains("language")) merged["language"] = old["language"];
  if (old.contains("cap") && !merged.contains("cap")) merged["cap"] = old["cap"];
  const bool person = caller.name.rfind("cap:", 0) != 0;
  if (person && body.contains("to") && !body.contains("target_count")) {
    throw AlertError(AlertProblem::invalid, "an update that changes the targets needs target_count, as a confirmation does");
  }
  auto spec = make_draft(merged, caller, old["source"]);
  const auto stations = resolve_targets(spec["targets"]);
  if (body.contains("target_count") && int_at(body, "target_count", -1) != static_cast<std::int64_t>(stations.size())) {
    throw AlertError(AlertProblem::count_mismatch, "the update would sound on " + std::to_string(stations.size()) +
                                                " stations; confirm with that number");
  }
  {
    std::lock_guard lock(mutex_);
    if (auto it = active_.find(id); it != active_.end()) stop_everywhere(it->second, "updated by " + caller.name);
  }
  r.version += 1;
  r.definition = spec.dump();
  deliver(r, spec, "alert.update", caller.name, "version " + std::to_string(r.version));
  return view(id, false);
}

json AlertDesk::cancel(const std::string& id, const std::string& reason, bool correction, const users::Caller& caller) {
  require_emergency(caller);
  std::lock_guard issue(issue_mutex_);
  auto r = load(id);
  require_scope(caller, r);
  const auto step = AlertWorkflow::decide(state_of(r.state), AlertAction::cancel);
  if (!step.allowed()) throw refused(step.refusal, "alert " + id + " is already " + r.state);
  const bool was_on_air = is_on_air(r.state);
  const auto why = "cancelled by " + caller.name + (reason.empty() ? "" : ": " + reason);
  if (was_on_air) {
    std::lock_guard lock(mutex_);
    if (auto it = active_.find(id); it != active_.end()) {
      stop_everywhere(it->second, why);
      it->second.record.state = to_string(step.next);
    }
  }
  r.state = to_string(step.next);
  r.ended_by = caller.name;
  r.ended_ms = clock_.wall_ms();
  stores_.alerts.put_alert(r, store::audit_entry(r.ended_ms, caller.name, "alert.cancel", id,
                       reason + (correction ? " (correction sent)" : "")));
  if (was_on_air && correction) {
    const auto spec = json::parse(r.definition);
    const auto lang = voice_of(spec["language"].get<std::string>());
    std::string clip;
    if (spec["status"] == "actual") {
      std::lock_guard lock(mutex_);
      if (auto it = standard_.find("correction:" + lang); it != standard_.end()) clip = it->second;
    }
    if (clip.empty()) {
      auto text = settings_.correction_text.count(lang) ? settings_.correction_text.at(lang)
                                                        : settings_.correction_text.begin()->second;
      if (spec["status"] != "actual") {
        const auto& labels = spec["status"] == "test" ? settings_.test_label : settings_.exercise_label;
        if (labels.count(lang)) text = labels.at(lang) + " " + text;
      }
      clip = clip_for_text(text, lang, "alert correction");
    }
    send_standard(r, clip, "-correction");
  }
  {
    std::lock_guard lock(mutex_);
    ++counters_["cancelled"];
  }
  kLog.info("alert cancelled: alert={} by={} reason={}", id, caller.name, reason);
  return view(id, false);
}

json AlertDesk::all_clear(const std::string& id, const std::string& text, const users::Caller& caller) {
  require_emergency(caller);
  std::lock_guard issue(issue_mutex_);
  auto r = load(id);
  require_scope(caller, r);
  const auto step = AlertWorkflow::decide(state_of(r.state), AlertAction::all_clear);
  if (!step.allowed()) {
    throw refused(step.refusal, "alert " + id + " is " + r.state + ": only an issued alert is given the all-clear");
  }
  const auto spec = json::parse(r.definition);
  const auto lang = voice_of(spec["language"].get<std::string>());
  std::string clip;
  std::string message = text;
  if (message.empty() && spec["status"] == "actual") {
    std::lock_guard lock(mutex_);
    if (auto it = standard_.find("all_clear:" + lang); it != standard_.end()) clip = it->second;
  }
  if (clip.empty()) {
    if (message.empty()) {
      message = settings_.all_clear_text.count(lang) ? settings_.all_clear_text.at(lang)
                                                      : settings_.all_clear_text.begin()->second;
    }
    if (spec["status"] != "actual") {
      const auto& labels = spec["status"] == "test" ? settings_.test_label : settings_.exercise_label;
      if (labels.count(lang)) message = labels.at(lang) + " " + message + " " + labels.at(lang);
    }
    clip = clip_for_text(message, lang, "alert all-clear");
  }
  {
    std::lock_guard lock(mutex_);
    if (auto it = active_.find(id); it != active_.end()) {
      stop_everywhere(it->second, "all-clear by " + caller.name);
      it->second.record.state = to_string(step.next);
    }
  }
  r.state = to_string(step.next);
  r.ended_by = caller.name;
  r.ended_ms = clock_.wall_ms();
  stores_.alerts.put_alert(r, store::audit_entry(r.ended_ms, caller.name, "alert.all_clear", id, text.empty() ? "standard message" : text));
  send_standard(r, clip, "-allclear");
  {
    std::lock_guard lock(mutex_);
    ++counters_["all_clear"];
  }
  kLog.info("alert all-clear: alert={} by={}", id, caller.name);
  return view(id, false);
}

}  // namespace loa::alerts
