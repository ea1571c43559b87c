#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "loa/clips/clip_library.hpp"
#include "loa/daemon/loop_beat.hpp"
#include "loa/live/live_streams.hpp"
#include "loa/registry/station_registry.hpp"
#include "loa/server/command_dispatcher.hpp"
#include "loa/server/control_server.hpp"
#include "loa/store/access_store.hpp"
#include "loa/store/alert_store.hpp"
#include "loa/store/clip_store.hpp"
#include "loa/store/station_store.hpp"
#include "loa/time/clock.hpp"
#include "loa/users/user_directory.hpp"

namespace loa::alerts {

using json = nlohmann::json;

// A system that sends CAP messages (a weather service's feed, a province's warning
// centre). It proves who it is with its own token, or by signing its messages (XML
// Signature); a message is issued at once only when it came with that proof and its
// <sender> is one the source may speak for. Anything else becomes a draft waiting for a
// person.
struct CapSource {
  std::string name;                 // how the log and the audit name it
  std::string token_sha256;         // SHA-256 (hex) of its bearer token; empty: it signs instead
  std::string signing_key_pem;      // its public key or certificate (PEM); empty: token only
  std::vector<std::string> senders; // CAP <sender> values it may speak for
  std::vector<std::string> zones;   // where its alerts may go (empty: everywhere)
  bool issue_at_once = false;       // false: its messages, too, wait for a person
};

struct AlertSettings {
  // Severities whose Actual alerts a second person with the emergency role must confirm.
  std::vector<std::string> two_person_severities{"extreme", "severe"};
  std::chrono::milliseconds default_expiry{std::chrono::hours(1)};
  std::string default_language = "vi";       // an espeak-ng voice
  std::vector<std::string> languages{"vi", "en"};  // CAP <info> blocks preferred, in order
  std::vector<CapSource> cap_sources;
  // Standard messages, pre-rendered and pinned on every station, by language.
  std::map<std::string, std::string> all_clear_text{
      {"vi", "Thông báo: tình huống khẩn cấp đã qua. Mọi người có thể trở lại sinh hoạt bình thường."},
      {"en", "All clear. The emergency is over."}};
  std::map<std::string, std::string> correction_text{
      {"vi", "Đính chính: thông báo khẩn cấp vừa phát là nhầm lẫn. Không có nguy hiểm."},
      {"en", "Correction: the emergency alert just broadcast was sent in error. There is no danger."}};
  // Spoken before and after the content of Test and Exercise alerts.
  std::map<std::string, std::string> test_label{
      {"vi", "Đây là tin thử nghiệm, không phải tin thật."},
      {"en", "This is a test. This is only a test."}};
  std::map<std::string, std::string> exercise_label{
      {"vi", "Đây là tin diễn tập, không phải tin thật."},
      {"en", "This is an exercise. This is only an exercise."}};
  // Render the attention tones and standard messages and pin them on every station.
  bool standard_clips = true;
  std::chrono::milliseconds flush_interval{100};  // station states written to the store
  std::chrono::milliseconds pin_interval{5000};   // stations checked for standard clips
};

// Why the desk refused a request. Each has a machine-readable name (code_of); the API
// gives each its HTTP status (controller/api/src/alert_routes.cpp).
enum class AlertProblem {
  invalid,          // a field is missing or malformed
  not_found,        // no alert by that id
  forbidden,        // the caller lacks the emergency role
  out_of_scope,     // a target outside the caller's zones
  expiry_passed,    // the alert (or CAP message) would expire before it is issued
  live_source,      // the live source cannot be opened
  status_fixed,     // an update may not change an alert's status (Actual, Exercise ...)
  no_area,          // a CAP message names no area any zone covers
  bad_cap,          // a CAP message that does not parse or validate
  speech_failed,    // the text could not be read aloud (the clip library says why)
  // The workflow's refusals (AlertWorkflow, Refusal):
  wrong_state,      // the action does not apply to the alert as it stands
  count_mismatch,   // the person confirmed another station count than the draft's
  no_stations,      // the targets hold no approved station
  expired,          // the alert is past its expiry
  two_person_rule,  // a second person must confirm
};

// "invalid", "not_found", ... ("expired" for both expiry problems).
[[nodiscard]] std::string_view code_of(AlertProblem problem);

// A refusal: what kind, and a message for the person. `reason`, when given, is a
// collaborator's own code for it (the clip library's bad_voice, tts_failed ...), which
// is then the refusal's code.
class AlertError : public std::runtime_error {
 public:
  AlertError(AlertProblem problem, const std::string& message, std::string reason = {})
      : std::runtime_error(message), problem_(problem), reason_(std::move(reason)) {}
  [[nodiscard]] AlertProblem problem() const { return problem_; }
  [[nodiscard]] std::string_view code() const { return reason_.empty() ? code_of(problem_) : reason_; }
  // The figures of the refusal, for a reader that words it in its own language (a
  // count mismatch: {"stations": 12, "given": 21}).
  [[nodiscard]] const nlohmann::json& details() const { return details_; }
  AlertError&& with(nlohmann::json details) && {
    details_ = std::move(details);
    return std::move(*this);
  }

 private:
  AlertProblem problem_;
  std::string reason_;
  nlohmann::json details_ = nlohmann::json::object();
};

// The alert desk: emergency alerts from draft to expiry.
//
//   draft -> confirmed -> issued -> (updated) -> cancelled | all_clear | expired
//
// What may happen to an alert in each state is AlertWorkflow's to say (no I/O); the desk
// asks it, then stores, sends and stops.
//
// Issuing sends every target station, in one store transaction, the whole alert as
// emergency plays: the attention tone (pinned on every station beforehand, so the
// first sound needs one small command), then the content, for each repeat. Stations
// answer and report sound beginning and ending; the desk keeps where each stands
// (sent, acknowledged, playing, played, failed, stopped; unreachable when offline).
// Delivery is the command path's: at least once, across restarts of either side, and
// applied once per command by the agent.
class CapTrust;

// What the desk reads and writes: alerts (with their commands, deliveries, CAP messages
// seen and pinned clips), the clips they play, the stations and zones they reach, and
// the audit log.
struct AlertStores {
  store::IAlertStore& alerts;
  store::IClipStore& clips;
  store::IStationStore& stations;
  store::IAccessStore& audit;
};

class AlertDesk final : public server::IStationEvents {
 public:
  AlertDesk(AlertSettings settings, AlertStores stores, registry::StationRegistry& registry,
            server::CommandDispatcher& commands, clips::ClipLibrary& clips, live::LiveStreams& streams,
            const time::IClock& clock);
  AlertDesk(const AlertDesk&) = delete;
  AlertDesk& operator=(const AlertDesk&) = delete;
  ~AlertDesk() override;

  // Loads alerts in progress, renders the standard clips and starts the thread that
  // writes station states, expires alerts and pins standard clips on stations.
  void start();
  void stop();

  // Each call throws AlertError for a refusal and returns the alert's view.
  // A draft from JSON (see docs/architecture.md); with "confirm": {"target_count": N}
  // it is confirmed in the same call.
  json create(const json& body, const users::Caller& caller);
  // Confirms with the target count the person was shown; issues the alert unless it
  // waits for a second person.
  json confirm(const std::string& id, std::int64_t target_count, const users::Caller& caller);
  // Replaces content, targets, severity, repeats or expiry of an issued alert.
  json update(const std::string& id, const json& body, const users::Caller& caller);
  // Stops it everywhere. `correction` plays the pre-written correction message.
  json cancel(const std::string& id, const std::string& reason, bool correction, const users::Caller& caller);
  // Stops it everywhere and plays the all-clear message (or `text`, read aloud).
  json all_clear(const std::string& id, const std::string& text, const users::Caller& caller);

  // Which stations a view speaks of (a commune user's own); null: every one.
  using StationShown = std::function<bool(const std::string& station_id)>;
  // The alert, where each station stands (unless `with_stations` is false: then only
  // the counts and the progress line), and its progress line. With `shown`, the
  // stations, counts and progress line are of those stations only.
  json view(const std::string& id, bool with_stations = true, const StationShown& shown = nullptr);
  json list(std::size_t limit, const StationShown& shown = nullptr);

  // Where an alert's deliveries stand, counted as view() counts them but without
  // building a view: a member reports this upward every 200 ms while an alert is
  // followed closely, and a view of every station that often took most of its CPU.
  struct Tally {
    std::string state;                          // the alert's
    std::size_t targets = 0;
    std::map<std::string, std::size_t> counts;  // by delivery state; "unreachable": sent, offline
    std::vector<std::pair<std::string, std::string>> problems;  // station, why; the first few
    bool final = false;                         // ended and settled: it will not change
  };
  std::optional<Tally> tally(const std::string& id, std::size_t max_problems);

  // When the desk's loop last went round.
  [[nodiscard]] const daemon::LoopBeat& liveness() const { return beat_; }

  // CAP 1.2 ingest (see cap_message.hpp). Returns what became of the message. The
  // caller is a CAP source (cap_source_caller) or a person or script with the
  // emergency role; only a source's own messages may be issued at once.
  json ingest_cap(const std::string& xml, const users::Caller& caller);
  // An alert from the controller above this one (federation), issued at once as a
  // trusted CAP source's is: the person who issued it there was checked there. The
  // body is as create()'s; throws AlertError. Returns its view.
  json issue_from_above(const json& body, const std::string& sender);

  // The caller a configured CAP source stands for, by its name: messages polled from
  // a feed configured for that source are its word (feeds::FeedPoller). nullopt when
  // no source has that name.
  [[nodiscard]] std::optional<users::Caller> cap_source_named(const std::string& name) const;
  // The caller a configured CAP source's bearer token stands for, or nullopt.
  [[nodiscard]] std::optional<users::Caller> cap_source_caller(const std::string& secret) const;

  // Counters since start: alerts issued, updated, cancelled, given the all-clear,
  // expired; CAP messages accepted, refused (malformed or unusable), duplicate, ignored.
  [[nodiscard]] std::map<std::string, std::uint64_t> counters() const;
  // Issue -> first sound on a station, over every station of every alert since start.
  struct LatencyHistogram {
    std::vector<std::pair<double, std::uint64_t>> buckets;  // upper bound (ms), cumulative count
    double sum_ms = 0;
    std::uint64_t count = 0;
  };
  [[nodiscard]] LatencyHistogram first_sound_latency() const;
  // What the desk holds in memory (for /metrics, and the soak that watches it stay flat):
  // alerts in progress or recently ended, and commands whose answer it still awaits.
  struct Held {
    std::size_t alerts = 0;
    std::size_t commands = 0;
  };
  [[nodiscard]] Held held() const;
  // Stations of each alert in progress, by state (for /metrics).
  [[nodiscard]] std::map<std::string, std::map<std::string, std::uint64_t>> station_states() const;

  // The standard clips (attention tones and messages) by name, once rendered.
  [[nodiscard]] std::map<std::string, std::string> standard_clips() const;

  // server::IStationEvents (control loop thread).
  void on_command_result(const std::string& station_id, const loa::v1::CommandResult& result) override;
  void on_playback(const std::string& station_id, const loa::v1::PlaybackReport& report) override;

 private:
  struct Active {
    store::AlertRecord record;
    std::string broadcast_id;  // what stations play it under (changes with each update)
    std::map<std::string, store::AlertDelivery> deliveries;
  };

  json ingest_cap_checked(const std::string& xml, const users::Caller& caller);
  json make_draft(const json& body, const users::Caller& caller, const std::string& source);
  json render_spec(json spec);
  void deliver(store::AlertRecord& record, const json& spec, const std::string& action, const std::string& by,
               const std::string& detail);
  void stop_everywhere(Active& active, const std::string& why);
  void send_standard(const store::AlertRecord& record, const std::string& clip, const std::string& suffix);
  [[nodiscard]] bool pinned(const std::string& station, const std::string& clip) const;
  json issue_confirmed(store::AlertRecord record, const std::string& by);
  // Confirms a draft that needs nobody (a trusted source's, one from above) and issues it.
  json issue_draft_at_once(const std::string& id, const std::string& by, const std::string& why);
  store::AlertRecord load(const std::string& id);
  void require_emergency(const users::Caller& caller) const;
  [[nodiscard]] bool needs_second_person(const json& spec) const;
  void require_scope(const users::Caller& caller, const store::AlertRecord& record) const;
  [[nodiscard]] std::vector<std::string> resolve_targets(const json& targets) const;
  json view_of(const store::AlertRecord& record, const std::vector<store::AlertDelivery>& deliveries,
               bool with_stations, const StationShown& shown) const;
  std::string clip_for_text(const std::string& text, const std::string& language, const std::string& name);
  void prepare_standard_clips();
  void pin_standard_clips();
  void flush();
  void expire();
  void run();

  AlertSettings settings_;
  std::unique_ptr<CapTrust> cap_trust_;  // reads settings_.cap_sources
  AlertStores stores_;
  registry::StationRegistry& registry_;
  server::CommandDispatcher& commands_;
  clips::ClipLibrary& clips_;
  live::LiveStreams& streams_;
  const time::IClock& clock_;

  std::mutex issue_mutex_;  // one change of an alert at a time
  mutable std::mutex mutex_;  // what follows
  std::condition_variable wake_;
  bool stopping_ = false;
  bool standard_ready_ = false;
  std::map<std::string, std::string> standard_;  // name -> clip sha256
  std::map<std::string, std::uint64_t> counters_;
  std::vector<std::uint64_t> latency_counts_;  // per bucket of kLatencyBucketsMs, not cumulative
  double latency_sum_ms_ = 0;
  std::set<std::pair<std::string, std::string>> pinned_;  // (station, clip) sent pinned; read by API threads
  std::map<std::string, Active> active_;  // alert id -> alert in progress
  std::unordered_map<std::string, std::string> by_broadcast_;  // broadcast id -> alert id
  std::unordered_map<std::string, std::string> by_command_;    // command id -> alert id
  std::set<std::pair<std::string, std::string>> dirty_;        // (alert, station) to write
  std::thread thread_;
  // The desk's own loop (housekeeping, expiry, pinning): it turns every flush_interval;
  // rendering a standard clip at start beats between clips.
  daemon::LoopBeat beat_{"alert_desk", std::chrono::seconds(10)};
};

}  // namespace loa::alerts
