#include "loa/alerts/alert_desk.hpp"
#include "loa/alerts/alert_workflow.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>

#include "attention_tones.hpp"
#include "cap_trust.hpp"
#include "loa/alerts/cap_message.hpp"
#include "loa/digest/random.hpp"
#include "loa/digest/sha256.hpp"
#include "loa/log/log.hpp"
#include "loa/orders/station_orders.hpp"
#include "loa/fleet/fleet.hpp"

namespace loa::alerts {
namespace {

const log::Logger kLog("alerts");
namespace v1 = ::loa::v1;

constexpr std::array kStatuses{"actual", "test", "exercise"};
constexpr std::array kSeverities{"extreme", "severe", "moderate", "minor", "unknown"};
constexpr std::array kTones{"siren", "chime"};
// Standard messages play within this long of a cancel or all-clear, or not at all.
constexpr std::int64_t kStandardMessageExpiryMs = 30 * 60 * 1000;
// An ended alert stays in memory this long after its expiry, for late reports.
constexpr std::int64_t kKeepEndedMs = 10 * 60 * 1000;
constexpr int kMaxRepeats = 10;
// Buckets of the issue -> first sound histogram, ms (the last is everything slower).
constexpr std::array<double, 9> kLatencyBucketsMs{50, 100, 150, 250, 500, 1000, 2500, 5000, 10000};

template <std::size_t N>
bool one_of(const std::string& value, const std::array<const char*, N>& allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return value == a; });
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Test and Exercise alerts carry it in their id, so every log and as-run entry says so.
std::string new_alert_id(const std::string& status) {
  const std::string prefix = status == "test" ? "TEST-" : status == "exercise" ? "EXERCISE-" : "A-";
  return prefix + digest::random_hex(4);
}

std::string broadcast_of(const store::AlertRecord& r) {
  return r.version <= 1 ? r.id : r.id + "-u" + std::to_string(r.version - 1);
}

std::string stream_of(const std::string& alert_id) { return "alert-" + alert_id; }

bool is_final(const std::string& state) { return state == "played" || state == "failed" || state == "stopped"; }
// What the workflow says of a stored state.
AlertState state_of(const std::string& stored) { return parse_alert_state(stored).value_or(AlertState::draft); }
bool is_on_air(const std::string& state) { return AlertWorkflow::on_air(state_of(state)); }
bool is_ended(const std::string& state) { return AlertWorkflow::ended(state_of(state)); }

// A refused step, with its HTTP status: the one place a workflow refusal gets one.
AlertError refused(Refusal why, const std::string& message) {
  switch (why) {
    case Refusal::count_mismatch: return AlertError(409, "count_mismatch", message);
    case Refusal::no_stations: return AlertError(422, "no_stations", message);
    case Refusal::expired: return AlertError(409, "expired", message);
    case Refusal::two_person_rule: return AlertError(403, "two_person_rule", message);
    case Refusal::wrong_state:
    case Refusal::none: break;
  }
  return AlertError(409, "wrong_state", message);
}

// The primary language subtag ("vi-VN" -> "vi"), which is also the espeak-ng voice.
std::string voice_of(const std::string& language) { return lower(language.substr(0, language.find('-'))); }

std::string string_at(const json& j, const char* key, const std::string& fallback = {}) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  if (!j[key].is_string()) throw AlertError(422, "invalid", std::string(key) + " must be a string");
  return j[key].get<std::string>();
}

std::int64_t int_at(const json& j, const char* key, std::int64_t fallback) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  if (!j[key].is_number_integer()) throw AlertError(422, "invalid", std::string(key) + " must be a whole number");
  return j[key].get<std::int64_t>();
}

// CAP's severity, urgency and certainty folded into one of Loa's severities: CAP's
// severity, except that what is past or unlikely is minor, and an unknown severity is
// moderate when it is immediate and observed or likely, else minor.
std::string severity_of(const CapInfo& info) {
  if (info.urgency == "Past" || info.certainty == "Unlikely") return "minor";
  if (info.severity == "Unknown" || info.severity.empty()) {
    const bool sure = info.certainty == "Observed" || info.certainty == "Likely";
    return info.urgency == "Immediate" && sure ? "moderate" : "minor";
  }
  return lower(info.severity);
}

// An alert's play: emergency priority, full volume, over once preempted (only another
// emergency can), and not at all after the alert's expiry.
v1::Command alert_play(const std::string& broadcast, orders::Sound sound, std::int64_t at_ms, std::int64_t expires_ms) {
  orders::PlayOrder order;
  order.sound = std::move(sound);
  order.priority = orders::Priority::emergency;
  order.volume = 1.0;
  order.start_at_ms = at_ms;
  order.broadcast_id = broadcast;
  order.expires_at_ms = expires_ms;
  order.with_id = true;  // recorded with the alert's delivery before it is queued
  return orders::play(order);
}

v1::Command cache_command(const store::ClipRecord& clip, bool pin) {
  auto c = orders::cache(clip.sha256, clip.bytes, pin);
  c.set_id(server::new_command_id());
  return c;
}

}  // namespace

AlertDesk::AlertDesk(AlertSettings settings, store::IStore& store, registry::StationRegistry& registry,
                     server::CommandDispatcher& commands, clips::ClipLibrary& clips, live::LiveStreams& streams,
                     const time::IClock& clock)
    : settings_(std::move(settings)),
      cap_trust_(std::make_unique<CapTrust>(settings_.cap_sources)),
      store_(store),
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
  for (const auto& r : store_.list_alerts(1000)) {
    if (!AlertWorkflow::on_air(state_of(r.state)) && !AlertWorkflow::ended(state_of(r.state))) continue;
    if (clock_.wall_ms() > r.expires_ms + kKeepEndedMs && is_ended(r.state)) continue;
    Active a;
    a.record = r;
    a.broadcast_id = broadcast_of(r);
    for (auto& d : store_.list_deliveries(r.id)) a.deliveries[d.station_id] = std::move(d);
    for (const auto& c : store_.alert_commands(r.id)) by_command_[c.command_id] = r.id;
    by_broadcast_[a.broadcast_id] = r.id;
    active_[r.id] = std::move(a);
  }
  for (auto& pin : store_.list_pins()) pinned_.insert(std::move(pin));
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

// Attention tones and standard messages are made once and found by name afterwards.
void AlertDesk::prepare_standard_clips() {
  std::map<std::string, std::string> found;
  std::map<std::string, std::string> wanted;  // clip name -> our short name
  for (const char* tone : kTones) wanted["loa:tone:" + std::string(tone)] = tone;
  auto text_name = [](const std::string& kind, const std::string& lang, const std::string& text) {
    unsigned char h[8];
    crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr, 0);
    return "loa:" + kind + ":" + lang + ":" + std::to_string(h[0] << 8 | h[1]);
  };
  for (const auto& [lang, text] : settings_.all_clear_text) wanted[text_name("all_clear", lang, text)] = "all_clear:" + lang;
  for (const auto& [lang, text] : settings_.correction_text) wanted[text_name("correction", lang, text)] = "correction:" + lang;
  for (const auto& clip : store_.list_clips()) {
    if (auto it = wanted.find(clip.name); it != wanted.end()) found[it->second] = clip.sha256;
  }
  for (const auto& [clip_name, name] : wanted) {
    beat_.beat();
    if (found.count(name)) continue;
    std::variant<store::ClipRecord, clips::TranscodeError> made;
    if (name.find(':') == std::string::npos) {
      const auto wav = (std::filesystem::temp_directory_path() / ("loa-tone-" + digest::random_hex(6) + ".wav")).string();
      if (!write_attention_tone(name, wav)) throw std::runtime_error("cannot write " + wav);
      made = clips_.add(wav, clip_name);
      std::filesystem::remove(wav);
    } else {
      const auto lang = name.substr(name.find(':') + 1);
      const auto& texts = name.rfind("all_clear", 0) == 0 ? settings_.all_clear_text : settings_.correction_text;
      made = clips_.add_speech(texts.at(lang), lang, clip_name);
    }
    if (auto* error = std::get_if<clips::TranscodeError>(&made)) {
      kLog.error("standard clip failed: name={} error={}", name, error->message);
      continue;
    }
    found[name] = std::get<store::ClipRecord>(made).sha256;
  }
  std::lock_guard lock(mutex_);
  standard_ = found;
  standard_ready_ = true;
  kLog.info("standard clips ready: count={}", standard_.size());
}

std::map<std::string, std::uint64_t> AlertDesk::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
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

bool AlertDesk::pinned(const std::string& station, const std::string& clip) const {
  std::lock_guard lock(mutex_);
  return pinned_.count({station, clip}) != 0;
}

std::map<std::string, std::string> AlertDesk::standard_clips() const {
  std::lock_guard lock(mutex_);
  return standard_;
}

// Every approved station keeps every standard clip, so the fastest alert needs only a
// Play. A station approved later gets them at the next round.
void AlertDesk::pin_standard_clips() {
  std::map<std::string, std::string> standard;
  {
    std::lock_guard lock(mutex_);
    if (!standard_ready_) return;
    standard = standard_;
  }
  std::vector<store::ClipRecord> clips;
  for (const auto& [name, sha] : standard) {
    if (auto clip = store_.find_clip(sha)) clips.push_back(std::move(*clip));
  }
  std::vector<server::CommandDispatcher::Outgoing> out;
  std::vector<std::pair<std::string, std::string>> pins;
  for (const auto& station : store_.list_stations()) {
    if (station.enrollment != store::Enrollment::approved) continue;
    for (const auto& clip : clips) {
      if (pinned(station.id, clip.sha256)) continue;
      out.push_back({station.id, cache_command(clip, true)});
      pins.emplace_back(station.id, clip.sha256);
    }
  }
  if (out.empty()) return;
  auto records = commands_.prepare(out);
  store_.add_pins(records, pins);
  commands_.queue(records);
  {
    std::lock_guard lock(mutex_);
    for (auto& p : pins) pinned_.insert(std::move(p));
  }
  kLog.info("standard clips sent: commands={}", records.size());
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
    throw AlertError(403, "forbidden", "alerts need the emergency role; " + caller.name + " does not have it");
  }
}

// A person scoped to some zones acts only on alerts whose every station lies there.
void AlertDesk::require_scope(const users::Caller& caller, const store::AlertRecord& record) const {
  if (caller.zones.empty()) return;
  const auto spec = json::parse(record.definition);
  if (auto out = fleet::Fleet::out_of_scope(store_, caller.zones, spec["targets"].get<std::vector<std::string>>())) {
    throw AlertError(403, "out_of_scope", "alert " + record.id + " reaches " + *out + ", outside " + caller.name + "'s zones");
  }
}

std::vector<std::string> AlertDesk::resolve_targets(const json& targets) const {
  std::vector<std::string> list;
  for (const auto& t : targets) list.push_back(t.get<std::string>());
  return fleet::Fleet::load(store_).resolve(list);
}

std::string AlertDesk::clip_for_text(const std::string& text, const std::string& language, const std::string& name) {
  auto made = clips_.add_speech(text, voice_of(language), name);
  if (auto* error = std::get_if<clips::TranscodeError>(&made)) {
    throw AlertError(422, error->code, "cannot read the text aloud: " + error->message);
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
  if (spec["status"] == "") throw AlertError(422, "invalid", "status: required: actual, exercise or test (there is no default)");
  if (!one_of(spec["status"].get<std::string>(), kStatuses)) {
    throw AlertError(422, "invalid", "status must be actual, test or exercise");
  }
  spec["severity"] = string_at(body, "severity", "severe");
  if (!one_of(spec["severity"].get<std::string>(), kSeverities)) {
    throw AlertError(422, "invalid", "severity must be extreme, severe, moderate, minor or unknown");
  }
  spec["headline"] = string_at(body, "headline");
  spec["language"] = string_at(body, "language", settings_.default_language);
  spec["source"] = source;
  if (body.contains("cap")) spec["cap"] = body["cap"];
  // Targets: names as operators write them.
  json targets = json::array();
  const json to = body.contains("to") ? body["to"] : json::array({"all"});
  if (!to.is_array() || to.empty()) throw AlertError(422, "invalid", "to must be a list of zones or stations, or [\"all\"]");
  for (const auto& t : to) {
    if (!t.is_string()) throw AlertError(422, "invalid", "to must be a list of names");
    const auto name = t.get<std::string>();
    if (name == "all" || name.rfind("zone:", 0) == 0 || name.rfind("station:", 0) == 0) {
      targets.push_back(name);
    } else if (store_.find_zone(name)) {
      targets.push_back("zone:" + name);
    } else if (registry_.find(name)) {
      targets.push_back("station:" + name);
    } else {
      throw AlertError(422, "invalid", "to: no zone or station '" + name + "'");
    }
  }
  spec["targets"] = targets;
  if (auto out = fleet::Fleet::out_of_scope(store_, caller.zones, targets.get<std::vector<std::string>>())) {
    throw AlertError(403, "out_of_scope", caller.name + " may not alert " + *out + ": it is outside their zones");
  }
  // Content: several parts in order, or the shortcuts tts / clip_id / live.
  json content = body.contains("content") ? body["content"] : json::array();
  if (!content.is_array()) throw AlertError(422, "invalid", "content must be a list");
  if (body.contains("tts")) content.push_back({{"tts", string_at(body, "tts")}});
  if (body.contains("clip_id")) content.push_back({{"clip", string_at(body, "clip_id")}});
  if (body.contains("live")) content.push_back({{"live", string_at(body, "live")}});
  if (content.empty()) throw AlertError(422, "invalid", "an alert needs content: tts, clip_id, live, or content [...]");
  spec["content"] = content;
  spec["tone"] = string_at(body, "tone", "siren");
  const auto tone = spec["tone"].get<std::string>();
  if (tone != "none" && !one_of(tone, kTones) && !store_.find_clip(tone)) {
    throw AlertError(422, "invalid", "tone must be siren, chime, none or a clip id");
  }
  const auto count = int_at(body, "repeat", 1);
  const auto interval_s = int_at(body, "repeat_interval_s", 0);
  if (count < 1 || count > kMaxRepeats) throw AlertError(422, "invalid", "repeat must be 1-10");
  spec["repeat"] = {{"count", count}, {"interval_s", interval_s}};
  const auto now = clock_.wall_ms();
  std::int64_t expires = int_at(body, "expires_at_ms", 0);
  if (!expires) {
    expires = now + int_at(body, "expires_in_s", settings_.default_expiry.count() / 1000) * 1000;
  }
  if (expires <= now) throw AlertError(422, "expired", "the alert would expire before it is issued");
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
    if (!part.is_object()) throw AlertError(422, "invalid", "each content part is an object: {tts}, {clip} or {live}");
    if (part.contains("tts")) {
      auto text = string_at(part, "tts");
      if (text.empty()) throw AlertError(422, "invalid", "tts: empty text");
      const auto part_language = string_at(part, "language", language);
      if (!label.empty()) text = label + " " + text + " " + label;
      label_spoken = label_spoken || !label.empty();
      const auto clip = clip_for_text(text, part_language, "alert: " + text.substr(0, 60));
      const auto record = store_.find_clip(clip);
      parts.push_back({{"clip", clip}, {"duration_ms", record ? record->duration_ms : 0}});
      duration_ms += record ? record->duration_ms : 0;
    } else if (part.contains("clip")) {
      auto record = store_.find_clip(string_at(part, "clip"));
      if (!record) throw AlertError(422, "invalid", "no clip " + string_at(part, "clip"));
      if (!label.empty() && !label_spoken) {
        // A recorded message cannot say it is a test: a spoken label goes first.
        const auto clip = clip_for_text(label, language, "alert label: " + status);
        const auto l = store_.find_clip(clip);
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
        throw AlertError(422, "invalid", std::string("live: ") + e.what());
      }
      if (!label.empty() && !label_spoken) {
        const auto clip = clip_for_text(label, language, "alert label: " + status);
        parts.push_back({{"clip", clip}, {"duration_ms", 0}});
        label_spoken = true;
      }
      parts.push_back({{"live", source}});
    } else {
      throw AlertError(422, "invalid", "each content part is {tts}, {clip} or {live}");
    }
  }
  spec["parts"] = parts;
  const auto count = spec["repeat"]["count"].get<std::int64_t>();
  const auto interval_ms = spec["repeat"]["interval_s"].get<std::int64_t>() * 1000;
  if (count > 1) {
    const std::int64_t tone_ms = 3000;
    if (interval_ms < duration_ms + tone_ms) {
      throw AlertError(422, "invalid",
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
  store_.put_alert(r, store::audit_entry(r.created_ms, caller.name, "alert.create", r.id,
                       upper(spec["status"]) + " " + upper(spec["severity"]) + " to " + std::to_string(stations.size()) +
                           " stations"));
  kLog.info("alert drafted: alert={} by={} severity={} status={} stations={}", r.id, caller.name,
            spec["severity"].get<std::string>(), spec["status"].get<std::string>(), stations.size());
  if (body.contains("confirm") && body["confirm"].is_object()) {
    return confirm(r.id, int_at(body["confirm"], "target_count", -1), caller);
  }
  return view(r.id, false);
}

store::AlertRecord AlertDesk::load(const std::string& id) {
  auto r = store_.find_alert(id);
  if (!r) throw AlertError(404, "not_found", "no alert " + id);
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
                                      ")");
    case Refusal::no_stations: throw refused(step.refusal, "the targets hold no approved station");
    case Refusal::expired: throw refused(step.refusal, "alert " + id + " has expired");
    case Refusal::two_person_rule:
      store_.add_audit(store::audit_entry(clock_.wall_ms(), caller.name, "alert.confirm_refused", id, "two-person rule"));
      throw refused(step.refusal, spec["severity"].get<std::string>() +
                                      " alerts need a second person with the emergency role to confirm; " +
                                      r.created_by + " drafted this one" +
                                      (caller.is_person() ? "" : ", and the shared token is nobody in particular"));
    case Refusal::wrong_state: throw refused(step.refusal, "alert " + id + " is " + r.state + ", not a draft");
  }
  r.state = to_string(step.next);
  r.confirmed_by = caller.name;
  store_.put_alert(r, store::audit_entry(clock_.wall_ms(), caller.name, "alert.confirm", id,
                       "target_count " + std::to_string(target_count)));
  return issue_confirmed(std::move(r), caller.name);
}

json AlertDesk::issue_confirmed(store::AlertRecord record, const std::string& by) {
  const auto spec = json::parse(record.definition);
  deliver(record, spec, "alert.issue", by, "");
  return view(record.id, false);
}

// Sends the alert to every target station in one transaction. The caller holds
// issue_mutex_.
void AlertDesk::deliver(store::AlertRecord& record, const json& spec, const std::string& action, const std::string& by,
                        const std::string& detail) {
  const auto began = std::chrono::steady_clock::now();
  const auto stations = resolve_targets(spec["targets"]);
  const auto resolved = std::chrono::steady_clock::now();
  const auto now = clock_.wall_ms();
  record.state = to_string(AlertWorkflow::decide(state_of(record.state),
                                                 record.version > 1 ? AlertAction::update : AlertAction::issue)
                                .next);
  record.issued_ms = now;
  record.expires_ms = spec["expires_ms"];
  const auto broadcast = broadcast_of(record);
  std::string tone_clip;
  {
    std::lock_guard lock(mutex_);
    const auto tone = spec["tone"].get<std::string>();
    if (standard_.count(tone)) {
      tone_clip = standard_.at(tone);
    } else if (tone != "none" && !one_of(tone, kTones)) {
      tone_clip = tone;  // a clip of the library
    } else if (tone != "none") {
      kLog.warn("no attention tone: alert={} tone={} reason=standard clips unavailable", record.id, tone);
    }
  }
  const auto count = spec["repeat"]["count"].get<std::int64_t>();
  const auto interval_ms = spec["repeat"]["interval_s"].get<std::int64_t>() * 1000;
  const auto expires = record.expires_ms;
  bool has_live = false;
  for (const auto& part : spec["parts"]) has_live = has_live || part.contains("live");
  if (has_live) {
    for (const auto& part : spec["parts"]) {
      if (!part.contains("live")) continue;
      try {
        streams_.stop(stream_of(record.id));
        streams_.start(stream_of(record.id), part["live"].get<std::string>(), broadcast);
      } catch (const std::exception& e) {
        throw AlertError(422, "live_source", std::string("cannot open the live source: ") + e.what());
      }
      break;  // one live source per alert
    }
  }
  // Each clip's record once, not once per station.
  std::map<std::string, store::ClipRecord> clip_records;
  for (const auto& part : spec["parts"]) {
    if (!part.contains("clip")) continue;
    if (auto c = store_.find_clip(part["clip"].get<std::string>())) clip_records.emplace(c->sha256, std::move(*c));
  }
  std::vector<server::CommandDispatcher::Outgoing> out;
  std::vector<store::AlertDelivery> deliveries;
  for (const auto& station : stations) {
    std::int64_t parts = 0;
    for (std::int64_t k = 0; k < count; ++k) {
      // The first round plays at once; repeats at their instant on every station.
      const std::int64_t at = k == 0 ? 0 : record.issued_ms + k * interval_ms;
      if (!tone_clip.empty()) {
        out.push_back({station, alert_play(broadcast, orders::Sound::clip(tone_clip), at, expires)});
        ++parts;
      }
      for (const auto& part : spec["parts"]) {
        if (part.contains("live")) {
          if (k > 0) continue;  // a live voice is heard once
          out.push_back({station, alert_play(broadcast, orders::Sound::stream(stream_of(record.id)), 0, expires)});
          ++parts;
          continue;
        }
        const auto clip = part["clip"].get<std::string>();
        if (k == 0 && !pinned(station, clip)) {
          if (auto c = clip_records.find(clip); c != clip_records.end()) {
            out.push_back({station, cache_command(c->second, false)});
          }
        }
        out.push_back({station, alert_play(broadcast, orders::Sound::clip(clip), at, expires)});
        ++parts;
      }
    }
    deliveries.push_back({record.id, station, "sent", "", parts, 0, 0, now});
  }
  auto records = commands_.prepare(out);
  const auto prepared = std::chrono::steady_clock::now();
  store_.deliver_alert(record, records, deliveries,
                       store::audit_entry(now, by, action, record.id,
                        (detail.empty() ? "" : detail + "; ") + std::to_string(stations.size()) + " stations, " +
                            std::to_string(records.size()) + " commands"));
  const auto stored = std::chrono::steady_clock::now();
  commands_.queue(records);
  auto ms = [](auto from, auto to) { return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count(); };
  kLog.info("alert queued: alert={} resolve_ms={} prepare_ms={} store_ms={} queue_ms={}", record.id, ms(began, resolved),
            ms(resolved, prepared), ms(prepared, stored), ms(stored, std::chrono::steady_clock::now()));
  {
    std::lock_guard lock(mutex_);
    ++counters_[record.version > 1 ? "updated" : "issued"];
    Active a;
    a.record = record;
    a.broadcast_id = broadcast;
    for (auto& d : deliveries) a.deliveries[d.station_id] = std::move(d);
    for (const auto& c : records) by_command_[c.id] = record.id;
    by_broadcast_[broadcast] = record.id;
    active_[record.id] = std::move(a);
  }
  kLog.info("alert issued: alert={} version={} by={} stations={} commands={}", record.id, record.version, by,
            stations.size(), records.size());
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
    throw AlertError(422, "status_fixed", "a " + old["status"].get<std::string>() +
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
    throw AlertError(422, "invalid", "an update that changes the targets needs target_count, as a confirmation does");
  }
  auto spec = make_draft(merged, caller, old["source"]);
  const auto stations = resolve_targets(spec["targets"]);
  if (body.contains("target_count") && int_at(body, "target_count", -1) != static_cast<std::int64_t>(stations.size())) {
    throw AlertError(409, "count_mismatch", "the update would sound on " + std::to_string(stations.size()) +
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

// Withdraws what has not reached its station and tells every station to stop. Holds mutex_.
void AlertDesk::stop_everywhere(Active& a, const std::string& why) {
  std::vector<std::string> ids;
  for (const auto& c : store_.alert_commands(a.record.id)) ids.push_back(c.command_id);
  const auto withdrawn = commands_.withdraw(ids, "withdrawn: " + why);
  std::vector<server::CommandDispatcher::Outgoing> out;
  const auto now = clock_.wall_ms();
  for (auto& [station, d] : a.deliveries) {
    out.push_back({station, orders::stop(a.broadcast_id)});
    if (!is_final(d.state)) {
      d.state = "stopped";
      d.detail = why;
      d.updated_ms = now;
      dirty_.insert({a.record.id, station});
    }
  }
  if (!out.empty()) commands_.enqueue_many(std::move(out));
  (void)streams_.stop(stream_of(a.record.id));
  kLog.info("alert stopped: alert={} why={} stations={} commands_withdrawn={}", a.record.id, why,
            a.deliveries.size(), withdrawn);
}

// A standard message (all-clear, correction) to every station the alert went to.
void AlertDesk::send_standard(const store::AlertRecord& record, const std::string& clip, const std::string& suffix) {
  std::vector<server::CommandDispatcher::Outgoing> out;
  const auto expires = clock_.wall_ms() + kStandardMessageExpiryMs;
  auto clip_record = store_.find_clip(clip);
  for (const auto& d : store_.list_deliveries(record.id)) {
    if (clip_record && !pinned(d.station_id, clip)) {
      out.push_back({d.station_id, cache_command(*clip_record, false)});
    }
    out.push_back({d.station_id, alert_play(record.id + suffix, orders::Sound::clip(clip), 0, expires)});
  }
  if (!out.empty()) commands_.enqueue_many(std::move(out));
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
  store_.put_alert(r, store::audit_entry(r.ended_ms, caller.name, "alert.cancel", id,
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
  store_.put_alert(r, store::audit_entry(r.ended_ms, caller.name, "alert.all_clear", id, text.empty() ? "standard message" : text));
  send_standard(r, clip, "-allclear");
  {
    std::lock_guard lock(mutex_);
    ++counters_["all_clear"];
  }
  kLog.info("alert all-clear: alert={} by={}", id, caller.name);
  return view(id, false);
}

void AlertDesk::on_command_result(const std::string& station_id, const v1::CommandResult& result) {
  std::lock_guard lock(mutex_);
  auto c = by_command_.find(result.command_id());
  if (c == by_command_.end()) return;
  auto a = active_.find(c->second);
  by_command_.erase(c);
  if (a == active_.end()) return;
  auto d = a->second.deliveries.find(station_id);
  if (d == a->second.deliveries.end() || is_final(d->second.state)) return;
  if (result.outcome() == v1::CommandResult::OUTCOME_APPLIED) {
    if (d->second.state != "sent") return;
    d->second.state = "acknowledged";
    // What the station said beyond "queued" (its amplifier warming up) is shown.
    if (result.detail() != "queued" && result.detail() != "duplicate") d->second.detail = result.detail();
  } else {
    d->second.state = "failed";
    d->second.detail = result.detail().empty() ? "refused by the station" : result.detail();
  }
  d->second.updated_ms = clock_.wall_ms();
  dirty_.insert({a->first, station_id});
}

void AlertDesk::on_playback(const std::string& station_id, const v1::PlaybackReport& report) {
  std::lock_guard lock(mutex_);
  auto b = by_broadcast_.find(report.broadcast_id());
  if (b == by_broadcast_.end()) return;
  auto a = active_.find(b->second);
  if (a == active_.end() || a->second.broadcast_id != report.broadcast_id()) return;
  auto d = a->second.deliveries.find(station_id);
  if (d == a->second.deliveries.end()) return;
  auto& s = d->second;
  using O = v1::PlaybackReport;
  if (report.outcome() == O::OUTCOME_PLAYING) {
    if (report.actual_start_ms() && !s.first_sound_ms && a->second.record.issued_ms) {
      // The first sound of this station for this alert: how long it took.
      const double ms = static_cast<double>(report.actual_start_ms() - a->second.record.issued_ms);
      if (latency_counts_.empty()) latency_counts_.assign(kLatencyBucketsMs.size() + 1, 0);
      const auto bucket = std::lower_bound(kLatencyBucketsMs.begin(), kLatencyBucketsMs.end(), ms);
      ++latency_counts_[static_cast<std::size_t>(bucket - kLatencyBucketsMs.begin())];
      latency_sum_ms_ += ms;
    }
    if (report.actual_start_ms() && (!s.first_sound_ms || report.actual_start_ms() < s.first_sound_ms)) {
      s.first_sound_ms = report.actual_start_ms();
    }
    if (!is_final(s.state)) s.state = "playing";
  } else {
    ++s.parts_done;
    if (report.actual_start_ms() && !s.first_sound_ms) s.first_sound_ms = report.actual_start_ms();
    switch (report.outcome()) {
      case O::OUTCOME_PLAYED:
        if (s.state == "failed" || s.state == "stopped") break;
        if (s.parts_done >= s.parts_expected) {
          s.state = "played";
          s.detail.clear();
        } else {
          s.state = "acknowledged";
          s.detail = "played " + std::to_string(s.parts_done) + " of " + std::to_string(s.parts_expected) + " parts";
        }
        break;
      case O::OUTCOME_STOPPED:
        s.state = "stopped";
        if (s.detail.empty()) s.detail = report.detail();
        break;
      case O::OUTCOME_PREEMPTED:
        s.state = "failed";
        s.detail = report.detail();
        break;
      default:
        s.state = "failed";
        s.detail = report.detail().empty() ? "did not play" : report.detail();
        break;
    }
  }
  s.updated_ms = clock_.wall_ms();
  dirty_.insert({a->first, station_id});
}

void AlertDesk::flush() {
  std::vector<store::AlertDelivery> batch;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [alert, station] : dirty_) {
      auto a = active_.find(alert);
      if (a == active_.end()) continue;
      auto d = a->second.deliveries.find(station);
      if (d != a->second.deliveries.end()) batch.push_back(d->second);
    }
    dirty_.clear();
  }
  if (batch.empty()) return;
  try {
    store_.put_deliveries(batch);
  } catch (...) {
    std::lock_guard lock(mutex_);
    for (const auto& d : batch) dirty_.insert({d.alert_id, d.station_id});
    throw;
  }
}

void AlertDesk::expire() {
  const auto now = clock_.wall_ms();
  std::vector<store::AlertRecord> expired;
  {
    std::lock_guard lock(mutex_);
    for (auto it = active_.begin(); it != active_.end();) {
      auto& rec = it->second.record;
      if (const auto step = AlertWorkflow::decide(state_of(rec.state), AlertAction::expire);
          step.allowed() && now >= rec.expires_ms) {
        rec.state = to_string(step.next);
        ++counters_["expired"];
        rec.ended_ms = now;
        rec.ended_by = "system";
        expired.push_back(rec);
      }
      const bool forget = is_ended(rec.state) && now > std::max(rec.expires_ms, rec.ended_ms) + kKeepEndedMs &&
                          std::none_of(dirty_.begin(), dirty_.end(), [&](const auto& d) { return d.first == it->first; });
      if (forget) {
        by_broadcast_.erase(it->second.broadcast_id);
        it = active_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& r : expired) {
    std::vector<std::string> ids;
    for (const auto& c : store_.alert_commands(r.id)) ids.push_back(c.command_id);
    (void)commands_.withdraw(ids, "withdrawn: alert expired");
    (void)streams_.stop(stream_of(r.id));
    auto stored = store_.find_alert(r.id);
    if (!stored) continue;
    const auto step = AlertWorkflow::decide(state_of(stored->state), AlertAction::expire);
    if (!step.allowed()) continue;
    stored->state = to_string(step.next);
    stored->ended_by = "system";
    stored->ended_ms = now;
    store_.put_alert(*stored, store::audit_entry(now, "system", "alert.expire", r.id, ""));
    kLog.info("alert expired: alert={}", r.id);
  }
}

json AlertDesk::view(const std::string& id, bool with_stations) {
  // Copied under the lock, built outside it: the control loop's events take the same
  // lock, and a view of thousands of stations must not hold them up.
  std::optional<std::vector<store::AlertDelivery>> deliveries;
  {
    std::lock_guard lock(mutex_);
    if (auto it = active_.find(id); it != active_.end()) {
      deliveries.emplace();
      deliveries->reserve(it->second.deliveries.size());
      for (const auto& [station, d] : it->second.deliveries) deliveries->push_back(d);
    }
  }
  auto r = load(id);
  if (!deliveries) deliveries = store_.list_deliveries(id);
  return view_of(r, *deliveries, with_stations);
}

json AlertDesk::list(std::size_t limit) {
  json items = json::array();
  for (const auto& r : store_.list_alerts(limit)) {
    auto v = view(r.id, false);
    items.push_back(std::move(v));
  }
  return {{"items", items}, {"total", items.size()}};
}

json AlertDesk::view_of(const store::AlertRecord& r, const std::vector<store::AlertDelivery>& deliveries,
                        bool with_stations) const {
  const auto spec = json::parse(r.definition);
  json v = {{"id", r.id},
            {"state", r.state},
            {"version", r.version},
            {"status", spec["status"]},
            {"label", spec["status"] == "actual" ? "" : upper(spec["status"])},
            {"severity", spec["severity"]},
            {"headline", spec.value("headline", "")},
            {"targets", spec["targets"]},
            {"content", spec["content"]},
            {"tone", spec["tone"]},
            {"repeat", spec["repeat"]},
            {"language", spec["language"]},
            {"source", spec["source"]},
            {"expires_ms", r.expires_ms},
            {"created_by", r.created_by},
            {"created_ms", r.created_ms},
            {"confirmed_by", r.confirmed_by},
            {"issued_ms", r.issued_ms},
            {"ended_by", r.ended_by},
            {"ended_ms", r.ended_ms}};
  if (spec.contains("cap")) v["cap"] = spec["cap"];
  v["needs_second_person"] = needs_second_person(spec);
  if (state_of(r.state) == AlertState::draft) {
    const auto stations = resolve_targets(spec["targets"]);
    v["target_count"] = stations.size();
    v["confirm_prompt"] = "Issue " + upper(spec["severity"]) + " alert" +
                          (spec["status"] == "actual" ? "" : " (" + upper(spec["status"]) + ")") + " to " +
                          std::to_string(stations.size()) + " stations? Confirm with target_count " +
                          std::to_string(stations.size()) + ".";
    return v;
  }
  json stations = json::array();
  std::map<std::string, int> counts;
  std::vector<std::string> unreachable, failed;
  for (const auto& d : deliveries) {
    const auto station = registry_.find(d.station_id);
    const bool online = station && station->state == registry::StationState::online;
    std::string state = d.state;
    if (state == "sent" && !online) state = "unreachable";
    ++counts[state];
    if (state == "unreachable") unreachable.push_back(d.station_id);
    if (state == "failed") failed.push_back(d.station_id + " (" + d.detail + ")");
    if (!with_stations) continue;
    json s = {{"station", d.station_id}, {"state", state},       {"detail", d.detail},
              {"online", online},        {"parts_done", d.parts_done}, {"parts_expected", d.parts_expected},
              {"first_sound_ms", d.first_sound_ms}};
    if (d.first_sound_ms && r.issued_ms) s["first_sound_after_ms"] = d.first_sound_ms - r.issued_ms;
    stations.push_back(std::move(s));
  }
  json summary = {{"targets", deliveries.size()}};
  for (const char* k : {"sent", "acknowledged", "playing", "played", "failed", "stopped", "unreachable"}) {
    summary[k] = counts[k];
  }
  v["target_count"] = deliveries.size();
  v["summary"] = summary;
  auto join = [](const std::vector<std::string>& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size() && i < 20; ++i) out += (i ? ", " : "") + items[i];
    if (items.size() > 20) out += ", ...";
    return out;
  };
  std::string progress = std::to_string(counts["playing"]) + "/" + std::to_string(deliveries.size()) + " sounding";
  if (counts["played"]) progress += ", " + std::to_string(counts["played"]) + " played";
  if (counts["acknowledged"]) progress += ", " + std::to_string(counts["acknowledged"]) + " acknowledged";
  if (counts["sent"]) progress += ", " + std::to_string(counts["sent"]) + " sent";
  if (counts["stopped"]) progress += ", " + std::to_string(counts["stopped"]) + " stopped";
  if (!unreachable.empty()) progress += ", " + std::to_string(unreachable.size()) + " unreachable: " + join(unreachable);
  if (!failed.empty()) progress += ", " + std::to_string(failed.size()) + " failed: " + join(failed);
  v["progress"] = progress;
  if (with_stations) v["stations"] = stations;
  return v;
}

// CAP ingest: one message becomes a new alert (issued at once or a draft, by source),
// replaces one (Update) or stops one (Cancel).
json AlertDesk::ingest_cap(const std::string& xml, const users::Caller& caller) {
  try {
    return ingest_cap_checked(xml, caller);
  } catch (const AlertError& e) {
    if (e.status() != 403) {
      std::lock_guard lock(mutex_);
      ++counters_["cap_refused"];
    }
    throw;
  }
}

json AlertDesk::ingest_cap_checked(const std::string& xml, const users::Caller& caller) {
  require_emergency(caller);
  CapMessage m;
  try {
    m = parse_cap(xml);
  } catch (const CapError& e) {
    kLog.warn("cap refused: line={} element={} error={}", e.line(), e.element(), e.what());
    std::string where = e.line() ? "line " + std::to_string(e.line()) : "";
    if (!e.element().empty()) where += (where.empty() ? "" : ", ") + std::string("element <") + e.element() + ">";
    throw AlertError(400, "bad_cap", (where.empty() ? "" : where + ": ") + e.what());
  }
  // Trusted only on the word of a source that proved itself (its token or its
  // signature) and may speak for this <sender>: the <sender> element alone is text
  // anyone can write. Untrusted messages live in a namespace of their own, so that one
  // cannot claim a real message's identifier first, nor cancel or update what a real
  // source sent.
  const auto verdict = cap_trust_->judge(xml, m.sender, caller);
  const CapSource* trusted_source = verdict.source;
  std::string why_draft = verdict.why_untrusted;
  if (verdict.bad_signature) {
    std::lock_guard lock(mutex_);
    ++counters_["cap_bad_signature"];
    kLog.warn("cap signature refused: identifier={} sender={} reason={} by={}", m.identifier, m.sender, why_draft,
              caller.name);
  }
  const std::string seen_as = trusted_source ? m.sender : "unverified:" + m.sender;
  const std::string source = "cap:" + m.sender;
  // Acts for the message with the caller's scope: a commune's user cannot reach past
  // their commune through CAP any more than through the alert form.
  users::Caller cap_caller{source, {"emergency"}, verdict.zones, true, trusted_source ? trusted_source->name : ""};
  if (const auto seen = store_.alert_of_cap(seen_as, m.identifier)) {
    {
      std::lock_guard lock(mutex_);
      ++counters_["cap_duplicate"];
    }
    return {{"result", "duplicate"}, {"identifier", m.identifier}, {"alert_id", *seen}};
  }
  auto done = [&](const std::string& result, const std::string& alert_id, const std::string& detail) {
    {
      std::lock_guard lock(mutex_);
      ++counters_["cap_" + result];
    }
    (void)store_.record_cap_message(seen_as, m.identifier, alert_id, clock_.wall_ms());
    store_.add_audit(store::audit_entry(clock_.wall_ms(), caller.name, "cap." + lower(m.msg_type), alert_id.empty() ? m.identifier : alert_id,
                      m.sender + " " + m.identifier + ": " + result + (detail.empty() ? "" : " (" + detail + ")")));
    json out = {{"result", result}, {"identifier", m.identifier}, {"sender", m.sender}};
    if (!alert_id.empty()) out["alert"] = view(alert_id);
    if (!detail.empty()) out["detail"] = detail;
    return out;
  };
  if (m.status == "System" || m.status == "Draft") return done("ignored", "", m.status + " messages are not broadcast");
  if (m.msg_type == "Ack" || m.msg_type == "Error") return done("ignored", "", m.msg_type + " messages are not broadcast");
  const std::string status = m.status == "Actual" ? "actual" : m.status == "Test" ? "test" : "exercise";
  // The alerts this message refers to.
  std::vector<std::string> referenced;
  for (const auto& ref : m.references) {
    const auto ref_as = trusted_source ? ref.sender : "unverified:" + ref.sender;
    if (auto id = store_.alert_of_cap(ref_as, ref.identifier); id && !id->empty()) referenced.push_back(*id);
  }
  if (m.msg_type == "Cancel") {
    if (referenced.empty()) return done("ignored", "", "it refers to no alert received here");
    for (const auto& id : referenced) {
      auto r = store_.find_alert(id);
      if (r && !is_ended(r->state)) (void)cancel(id, "CAP cancel " + m.identifier, false, cap_caller);
    }
    return done("cancelled", referenced.front(), "");
  }
  // Alert or Update: the info block in the language we speak best.
  const CapInfo* info = &m.infos.front();
  for (const auto& lang : settings_.languages) {
    auto it = std::find_if(m.infos.begin(), m.infos.end(), [&](const CapInfo& i) { return voice_of(i.language) == lang; });
    if (it != m.infos.end()) {
      info = &*it;
      break;
    }
  }
  json body;
  body["status"] = status;
  body["severity"] = severity_of(*info);
  body["headline"] = info->headline;
  body["language"] = voice_of(info->language);
  std::string text;
  for (const auto* part : {&info->headline, &info->description, &info->instruction}) {
    if (part->empty()) continue;
    text += (text.empty() ? "" : " ") + *part;
    if (text.back() != '.' && text.back() != '!' && text.back() != '?') text += '.';
  }
  if (text.empty()) text = info->event;
  body["tts"] = text;
  // Areas to zones: a zone's configured geocodes ("valueName=value") or area names.
  json to = json::array();
  std::vector<std::string> asked;
  for (const auto& zone : store_.list_zones()) {
    bool match = false;
    for (const auto& area : info->areas) {
      for (const auto& want : zone.cap_areas) {
        if (want.find('=') != std::string::npos) {
          for (const auto& [name, value] : area.geocodes) match = match || want == name + "=" + value;
        } else {
          match = match || lower(want) == lower(area.description);
        }
      }
    }
    if (match) to.push_back("zone:" + zone.id);
  }
  if (to.empty()) {
    std::string areas;
    for (const auto& area : info->areas) {
      areas += (areas.empty() ? "" : "; ") + area.description;
      for (const auto& [name, value] : area.geocodes) areas += " " + name + "=" + value;
    }
    throw AlertError(422, "no_area", "no zone is configured for the CAP area(s): " + (areas.empty() ? "none given" : areas) +
                                         " (set a zone's cap_areas)");
  }
  body["to"] = to;
  if (!info->expires.empty()) {
    auto at = parse_cap_time(info->expires);
    if (!at || *at <= clock_.wall_ms()) throw AlertError(422, "expired", "the CAP alert expired at " + info->expires);
    body["expires_at_ms"] = *at;
  }
  body["cap"] = {{"identifier", m.identifier}, {"sender", m.sender},     {"sent", m.sent},
                 {"msg_type", m.msg_type},     {"event", info->event},   {"urgency", info->urgency},
                 {"severity", info->severity}, {"certainty", info->certainty}, {"status", m.status}};
  const bool at_once = trusted_source && trusted_source->issue_at_once;
  if (trusted_source && !at_once) why_draft = "source " + trusted_source->name + "'s messages wait for a person";
  if (m.msg_type == "Update" && !referenced.empty()) {
    auto r = store_.find_alert(referenced.front());
    if (r && json::parse(r->definition)["status"] != status) {
      throw AlertError(422, "status_fixed", "the update's status " + m.status + " differs from the alert it updates");
    }
    if (r && is_on_air(r->state) && at_once) {
      (void)update(r->id, body, cap_caller);
      return done("updated", r->id, "");
    }
    if (r && state_of(r->state) == AlertState::draft) {
      (void)cancel(r->id, "replaced by CAP update " + m.identifier, false, cap_caller);
    }
  }
  auto created = create(body, cap_caller);
  const std::string id = created["id"];
  if (at_once) {
    std::lock_guard issue(issue_mutex_);
    auto r = load(id);
    r.state = to_string(AlertWorkflow::decide(state_of(r.state), AlertAction::confirm).next);
    r.confirmed_by = source;
    store_.put_alert(r, store::audit_entry(clock_.wall_ms(), source, "alert.confirm", id, "CAP source issues at once"));
    (void)issue_confirmed(std::move(r), source);
    return done("issued", id, "");
  }
  kLog.info("cap draft: identifier={} sender={} reason={}", m.identifier, m.sender, why_draft);
  return done("draft", id, "waits for a person to confirm: " + why_draft);
}

std::optional<users::Caller> AlertDesk::cap_source_caller(const std::string& secret) const {
  const auto hash = digest::sha256_hex(secret);
  for (const auto& s : settings_.cap_sources) {
    if (s.token_sha256.empty()) continue;  // a source that signs, with no token
    // Both are hex digests of one length: compared in constant time all the same.
    if (hash.size() == s.token_sha256.size() &&
        sodium_memcmp(hash.data(), s.token_sha256.data(), hash.size()) == 0) {
      return users::Caller{"cap-source:" + s.name, {"emergency"}, s.zones, true, s.name};
    }
  }
  return std::nullopt;
}

}  // namespace loa::alerts
