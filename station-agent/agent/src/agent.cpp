#include "loa/agent/agent.hpp"

#include <atomic>
#include <csignal>
#include <filesystem>
#include <optional>

#include "loa/link/client_link.hpp"
#include "loa/agent/amplifier_schedule.hpp"
#include "loa/agent/clock_reporter.hpp"
#include "loa/agent/live_receiver.hpp"
#include "loa/agent/agent_state.hpp"
#include "loa/agent/command_applier.hpp"
#include "loa/agent/config_keeper.hpp"
#include "loa/agent/agent_updater.hpp"
#include "loa/agent/release_keeper.hpp"
#include "loa/config/config_section.hpp"
#include "loa/daemon/service_manager.hpp"
#include "loa/daemon/signal_fd.hpp"
#include "loa/curve/key_pair.hpp"
#include "loa/hardware/hardware_monitor.hpp"
#include "loa/hwconfig/station_hardware.hpp"
#include "loa/log/log.hpp"
#include "loa/sqlite/database.hpp"
#include "loa/wire/codec.hpp"

namespace loa::agent {
namespace {

const log::Logger kLog("agent");
namespace v1 = ::loa::v1;

constexpr std::size_t kOutboxBatch = 100;
// Reports sent but not acknowledged this long are sent again on the same connection.
constexpr std::chrono::milliseconds kReportResend{10000};
// The station alarm proof of play raises when a playout that should sound is silent.
constexpr const char* kDeadAirAlarm = "playout.dead_air";
// The station alarm of a pushed configuration that did not prove itself and was undone.
constexpr const char* kConfigRolledBackAlarm = "config.rolled_back";
// The station alarm of a configuration in force that no longer loads.
constexpr const char* kConfigInvalidAlarm = "config.invalid";
// How often the files of the configuration in force are read again for their digest (a
// technician's edit by hand shows at the controller as drift).
constexpr std::chrono::seconds kConfigRehash{5};
// A clip fetch that has heard nothing this long is asked for again: long enough for a
// 64 KiB chunk over a slow, lossy 3G link, so a slow chunk is not fetched twice.
constexpr std::chrono::seconds kClipFetchQuiet{10};

// The state folder holds the secret key: owner only.
const std::string& prepare_state_dir(const AgentConfig& config) {
  std::filesystem::create_directories(config.state_dir);
  std::filesystem::permissions(config.state_dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
  return config.state_dir;
}

// "tcp://HOST:PORT" -> HOST (the endpoint was checked when the configuration was read).
std::string endpoint_host(const std::string& endpoint) {
  auto rest = endpoint.substr(endpoint.find("://") + 3);
  return rest.substr(0, rest.rfind(':'));
}

curve::KeyPair agent_keys(const AgentConfig& config) {
  return curve::load_or_create(prepare_state_dir(config) + "/agent.key");
}

}  // namespace

std::string agent_public_key(const AgentConfig& config) { return agent_keys(config).public_z85; }

struct Agent::Impl final : link::IClientLinkListener, hardware::IHealthSink, playout::IPlayoutReports {
  AgentConfig config;
  std::string version;  // this program's
  time::SystemClock clock;
  AgentState state;
  // GStreamer's plugins, loaded before any thread starts (it sets the environment) and
  // before the clock and the player use GStreamer.
  std::vector<std::string> missing_plugins;
  ConfigKeeper config_keeper;  // before the hardware: it says which station file to run
  std::optional<ConfigKeeper::Probation> probation;  // of the configuration in force (loop thread)
  bool config_waiting = false;  // a pushed configuration is kept, to come into force when the air is idle
  std::string config_digest;  // as last reported
  std::chrono::steady_clock::time_point config_checked{};
  std::chrono::steady_clock::time_point release_checked{};
  std::atomic<bool> outbox_dirty{true};  // there may be reports past outbox_sent_upto
  std::optional<bool> dead_air;  // as last told to the controller; unknown after a start (loop thread)
  std::unique_ptr<hardware::HardwareMonitor> hardware;  // its threads use state and outbox_dirty
  ClipCache clips;
  playout::SharedClock shared_clock;
  playout::Player player;
  std::unique_ptr<LiveReceiver> live;
  ClockReporter clock_reporter;
  CommandApplier applier;
  ReleaseKeeper releases;
  AgentUpdater updater;
  AmplifierSchedule amplifier;
  std::unique_ptr<link::ClientLink> link;
  std::uint64_t outbox_sent_upto = 0;  // highest seq sent on this connection
  // Last time the controller acknowledged a report (or we started sending afresh). A
  // controller that could not store what it got (a full disk) does not acknowledge
  // it; the agent sends it again after kReportResend on the same connection.
  std::chrono::steady_clock::time_point outbox_progress{};

  Impl(const AgentConfig& c, std::string own_version)
      : config(c),
        version(std::move(own_version)),
        state(prepare_state_dir(c) + "/agent.db"),
        missing_plugins(playout::load_playout_plugins(c.audio.output, c.state_dir + "/gst-registry.bin")),
        config_keeper(c.state_dir, c.hardware.station_file),
        probation(switch_staged_config()),
        config_digest(config_keeper.digest()),
        hardware(load_hardware(c)),
        clips(c.state_dir + "/clips", static_cast<std::uint64_t>(c.clips.max_cache_mib) << 20),
        player(playout::PlayoutSettings{c.audio.output, c.audio.live_silence_limit},
               [this](const std::string& sha) { return clips.has(sha) ? clips.path_of(sha) : std::string(); }, *this,
               clock, shared_clock),
        applier(state, clock, hardware.get(), &clips, &player),
        releases(c.state_dir, version),
        updater(releases, applier, clock,
                AgentUpdater::Settings{c.updates.release_keys, std::uint64_t{c.updates.max_package_mib} << 20},
                [this](const v1::Alarm& a) { on_alarm(a); }),
        amplifier(AmplifierSchedule::Settings{c.hardware.amplifier_warm_up, c.hardware.amplifier_idle_off,
                                                std::chrono::milliseconds(5000)}) {
    for (const auto& missing : missing_plugins) kLog.warn("GStreamer plugin missing, plays needing it fail: {}", missing);
    applier.set_amplifier_warm_up(c.hardware.amplifier_warm_up);
    applier.set_config_keeper(&config_keeper);
    if (auto reason = config_keeper.take_rollback_reason()) config_alarm(true, *reason);
    updater.report_rollback();
    applier.restore_licence();
    if (hardware) hardware->restore_compliance_mutes(state.compliance_mutes());
    clips.keep_while([this](const std::string& sha) { return player.needs_clip(sha); });
    auto keys = agent_keys(c);
    link::ClientLinkSettings s;
    s.station_id = c.station_id;
    s.endpoints = c.controller.endpoints;
    s.enroll_endpoints = c.controller.enroll_endpoints;
    s.controller_public_key = c.controller.public_key;
    s.public_key = keys.public_z85;
    s.secret_key = keys.secret_z85;
    s.link = c.link;
    s.reconnect_min = c.reconnect_min;
    s.reconnect_max = c.reconnect_max;
    s.software_version = version;
    // The hardware configuration's digest, which the controller compares with the one
    // it holds; the agent's own file where there is no hardware configuration.
    s.config_hash = config_digest.empty() ? c.config_hash : config_digest;
    s.capabilities = {"ping", "set_log_level", "cache_clip", "play", "stop", "set_volume", "live", "apply_config"};
    if (updater.enabled()) s.capabilities.insert(s.capabilities.end(), {"update_agent", "revert_agent"});
    if (hardware) {
      s.capabilities.insert(s.capabilities.end(), {"hardware", "set_amplifier", "set_mute", "set_licence", "silent_test"});
      s.alarm_limits = hardware->alarm_limits();
    }
    link = std::make_unique<link::ClientLink>(s, *this, clock);
    live = std::make_unique<LiveReceiver>(
        live_settings(s, c.audio), [this](const v1::AudioFrame& frame) { player.on_live_frame(frame); },
        [this] { return shared_clock.now_ns(); });
    kLog.info("started: station={} key={} version={} queued_reports={}", c.station_id,
              curve::fingerprint(keys.public_z85), version, state.outbox_size());
  }

  void on_online(const v1::Welcome& welcome) override {
    // Live audio and the shared clock are served on the control endpoint's host.
    const auto host = endpoint_host(link->endpoint());
    state.set_controller_epoch(link->highest_epoch());
    if (welcome.clock_port() && config.audio.follow_controller_clock) {
      // The Welcome's time is at most a one-way trip old: a far better start than a
      // station clock that may be seconds off.
      const auto controller_now = welcome.controller_time_ms() > 0
                                      ? static_cast<std::uint64_t>(welcome.controller_time_ms()) * 1'000'000
                                      : 0;
      shared_clock.follow(host, static_cast<std::uint16_t>(welcome.clock_port()), controller_now);
    }
    if (welcome.audio_port()) live->connect(host, static_cast<std::uint16_t>(welcome.audio_port()));
    outbox_sent_upto = 0;  // whatever was in flight on the old link is re-sent
    outbox_dirty = true;
    for (const auto& r : clips.resume_requests()) send_clip_request(r);
    for (const auto& r : updater.resume_requests()) send_clip_request(r);
    flush_outbox();
  }

  void on_offline() override {}

  void on_stale_command(const v1::Command& command, std::uint64_t epoch, std::uint64_t highest) override {
    kLog.warn("refused command {}: from controller epoch {}, below {} (that controller lost its lease)", command.id(),
              epoch, highest);
    state.record_refused(command, epoch, "controller epoch " + std::to_string(epoch) + " below " + std::to_string(highest));
  }

  static LiveReceiver::Settings live_settings(const link::ClientLinkSettings& link, const AgentConfig::Audio& audio) {
    LiveReceiver::Settings s;
    s.controller_public_key = link.controller_public_key;
    s.public_key = link.public_key;
    s.secret_key = link.secret_key;
    s.receive_high_water_mark = audio.receive_high_water_mark;
    s.datagrams = audio.live_datagrams;
    s.reorder_margin_ns = static_cast<std::uint64_t>(audio.live_reorder_margin.count()) * 1'000'000;
    return s;
  }

  static std::unique_ptr<hardware::HardwareMonitor> make_hardware(const AgentConfig& c, const std::string& station_file,
                                                                  hardware::IHealthSink& sink,
                                                                  const time::IClock& clock) {
    if (station_file.empty()) return nullptr;
    hardware::MonitorSettings settings;
    settings.telemetry_interval = c.hardware.telemetry_interval;
    settings.unmute_hold = c.hardware.unmute_hold;
    return std::make_unique<hardware::HardwareMonitor>(hwconfig::load_station_hardware(station_file), sink,
                                                       clock, settings);
  }

  // The hardware watch on the configuration in force. A pushed one that no longer loads
  // (edited by hand, a damaged disk) must not keep the station from starting: on
  // probation it is undone; otherwise the station runs without its hardware watch,
  // still playing what it is sent, and says why. The agent's own file is the operator's,
  // and an error in it still stops the start with FILE:LINE.
  std::unique_ptr<hardware::HardwareMonitor> load_hardware(const AgentConfig& c) {
    if (config_keeper.version() == 0) return make_hardware(c, config_keeper.station_file(), *this, clock);
    try {
      auto loaded = make_hardware(c, config_keeper.station_file(), *this, clock);
      invalid_config_alarm(false, "the hardware configuration loads", "cấu hình phần cứng đã hợp lệ");
      return loaded;
    } catch (const config::ConfigError& e) {
      if (probation) {
        config_keeper.roll_back(std::string("the configuration does not load: ") + e.what());
        probation.reset();
        config_digest = config_keeper.digest();
        return load_hardware(c);
      }
      kLog.error("hardware configuration v{} does not load, running without the hardware watch: {}",
                 config_keeper.version(), e.what());
      invalid_config_alarm(true, std::string("the hardware configuration does not load; devices are not watched: ") + e.what(),
                           std::string("cấu hình phần cứng bị lỗi, thiết bị không được giám sát: ") + e.what());
      return nullptr;
    }
  }
  void invalid_config_alarm(bool active, const std::string& message, const std::string& message_vi) {
    v1::Alarm a;
    a.set_alarm_id(kConfigInvalidAlarm);
    a.set_active(active);
    a.set_severity(v1::Alarm::SEVERITY_CRITICAL);
    a.set_message(message);
    a.set_message_vi(message_vi);
    a.set_changed_at_ms(clock.wall_ms());
    on_alarm(a);
  }

  // From the pollers' threads: queue for the controller; the loop sends it.
  void on_telemetry(const v1::Telemetry& telemetry) override {
    try {
      (void)state.enqueue_telemetry(telemetry, config.hardware.max_queued_telemetry);
      outbox_dirty = true;
    } catch (const sqlite::SqliteError& e) {
      kLog.error("cannot queue telemetry: error={}", e.what());
    }
  }

  // Reports for the controller go through the outbox (kept across restarts and outages).
  void queue_report(const v1::Envelope& env, const std::string& what) {
    try {
      (void)state.enqueue(env);
      outbox_dirty = true;
    } catch (const sqlite::SqliteError& e) {
      kLog.error("cannot queue report: report={} error={}", what, e.what());
    }
  }

  // The as-run record of every playout (called on the loop thread).
  void on_playout(const v1::PlaybackReport& played) override {
    v1::PlaybackReport report = played;
    if (report.actual_start_ms() != 0) {
      if (auto locked = clock_reporter.locked_since(report.actual_start_ms())) report.set_clock_locked(*locked);
    }
    if (report.planned_start_ms() != 0) {
      try {
        state.forget_waiting_play(report.broadcast_id(), report.content_id(), report.planned_start_ms());
      } catch (const sqlite::SqliteError& e) {
        kLog.error("cannot forget a finished play: broadcast={} error={}", report.broadcast_id(), e.what());
      }
    }
    v1::Envelope env;
    *env.mutable_playback_report() = report;
    queue_report(env, "playback " + report.broadcast_id());
    watch_dead_air(report);
  }

  // Proof of play: a playout that should have sounded and came out silent raises the
  // station's dead-air alarm; the next one that sounds clears it. After a start the
  // agent does not know what the controller holds, so the first measured playout says
  // which it is (a clear of an alarm that is not open changes nothing there).
  void watch_dead_air(const v1::PlaybackReport& report) {
    if (!report.has_loudness_dbfs() || dead_air == report.dead_air()) return;
    const bool silent = report.dead_air();
    dead_air = silent;
    v1::Alarm alarm;
    alarm.set_alarm_id(kDeadAirAlarm);
    alarm.set_severity(v1::Alarm::SEVERITY_CRITICAL);
    alarm.set_active(silent);
    alarm.set_changed_at_ms(clock.wall_ms());
    alarm.set_message(silent ? "Dead air: " + report.broadcast_id() + " played silent for " +
                                   std::to_string(report.longest_silence_ms() / 1000) + " s"
                             : "Sound again: " + report.broadcast_id() + " at " +
                                   std::to_string(static_cast<int>(report.loudness_dbfs())) + " dBFS");
    alarm.set_message_vi(silent ? "Mất tiếng: " + report.broadcast_id() + " phát im lặng " +
                                      std::to_string(report.longest_silence_ms() / 1000) + " giây"
                                : "Có tiếng lại: " + report.broadcast_id() + " ở mức " +
                                      std::to_string(static_cast<int>(report.loudness_dbfs())) + " dBFS");
    if (silent) kLog.warn("dead air: broadcast={}", report.broadcast_id());
    on_alarm(alarm);
  }

  // From the pollers' threads.
  void on_compliance_mute(const std::string& device_id, bool muted) override {
    try {
      state.set_compliance_mute(device_id, muted);
    } catch (const sqlite::SqliteError& e) {
      kLog.error("cannot record a compliance mute: device={} muted={} error={}", device_id, muted, e.what());
    }
  }

  // At start nothing is on air: a configuration kept before the restart comes into
  // force now. The probation of the one in force, if any.
  std::optional<ConfigKeeper::Probation> switch_staged_config() {
    if (config_keeper.staged()) config_keeper.switch_to_staged(clock.wall_ms());
    return config_keeper.probation();
  }

  // Raised when a pushed configuration was undone, cleared when a later one proves itself.
  void config_alarm(bool active, const std::string& message) {
    v1::Alarm a;
    a.set_alarm_id(kConfigRolledBackAlarm);
    a.set_active(active);
    a.set_severity(v1::Alarm::SEVERITY_WARNING);
    a.set_message(message);
    a.set_message_vi(active ? "Cấu hình mới đã bị hoàn lại: " + message : "Cấu hình mới đã hoạt động");
    a.set_changed_at_ms(clock.wall_ms());
    on_alarm(a);
  }

  // The configuration on probation proves itself (controller reached, every device
  // answering) or is undone at its deadline. Returns true when the agent must restart.
  bool watch_config() {
    if (applier.take_config_switch()) config_waiting = true;
    // A new configuration never cuts what is on air (an alert, a relay): it waits for
    // the air to be idle, then the agent restarts on it.
    if (config_waiting && !player.now_playing()) {
      kLog.info("restarting on the new configuration: nothing on air");
      return true;
    }
    if (std::chrono::steady_clock::now() - config_checked >= kConfigRehash) {
      config_checked = std::chrono::steady_clock::now();
      if (auto digest = config_keeper.digest(); digest != config_digest) {
        kLog.warn("hardware configuration changed under the agent: digest={}", digest.substr(0, 12));
        config_digest = digest;
        v1::Telemetry t;
        t.set_device_id("config");
        t.set_measured_at_ms(clock.wall_ms());
        t.set_config_hash(digest);
        on_telemetry(t);
      }
    }
    if (!probation) return false;
    const auto silent = hardware ? hardware->never_answered() : std::vector<std::string>{};
    if (link->online() && silent.empty()) {
      config_keeper.confirm();
      probation.reset();
      config_alarm(false, "configuration v" + std::to_string(config_keeper.version()) + " in force");
      return false;
    }
    if (clock.wall_ms() < probation->deadline_ms) return false;
    std::string reason;
    if (!link->online()) reason = "controller not reached";
    for (const auto& id : silent) reason += (reason.empty() ? "device not answering: " : ", ") + id;
    config_keeper.roll_back(reason);
    return true;
  }

  // A staged release comes into force once the air is idle; the one on probation proves
  // itself or is undone (see AgentUpdater). True when the agent must restart.
  bool watch_release() {
    // Its files are read at most once a second: a switch or a verdict a second late is nothing.
    const auto now = std::chrono::steady_clock::now();
    if (now - release_checked < std::chrono::seconds(1)) return false;
    release_checked = now;
    const auto silent = hardware ? hardware->never_answered() : std::vector<std::string>{};
    return updater.watch(!player.now_playing().has_value(), link->online(), silent);
  }

  // From the pollers' threads.
  void on_alarm(const v1::Alarm& alarm) override {
    v1::Envelope env;
    *env.mutable_alarm() = alarm;
    queue_report(env, "alarm " + alarm.alarm_id());
  }


  void on_message(const v1::Envelope& env) override {
    switch (env.body_case()) {
      case v1::Envelope::kCommand: {
        const auto& command = env.command();
        if (!CommandApplier::invalid_field(command).empty()) {
          // Rejected before any of it is used (a clip id as a file name, a broadcast id
          // in a pipeline): apply() answers so.
          (void)applier.apply(command);
          outbox_dirty = true;
          flush_outbox();
          break;
        }
        if ((command.has_update_agent() || command.has_revert_agent()) && !state.applied_result(command.id())) {
          // Answered once the outcome is known (the new release proved itself or not).
          if (auto request = updater.on_command(command)) send_clip_request(*request);
          outbox_dirty = true;
          flush_outbox();
          break;
        }
        if (command.has_cache_clip() && !state.applied_result(command.id()) &&
            !clips.has(command.cache_clip().clip_sha256())) {
          // Answered once the clip is here (see kClipChunk), not now.
          if (auto request = clips.want(command)) send_clip_request(*request);
          break;
        }
        if (command.has_play() && command.play().start_at_ms() != 0 && !state.applied_result(command.id())) {
          // Kept on disk first: a restart before air time must not lose it.
          state.keep_waiting_play(command.play());
        }
        if (command.has_stop() && !state.applied_result(command.id())) {
          // A cancelled broadcast must not come back with the next restart.
          state.forget_waiting_plays(command.stop().broadcast_id());
        }
        (void)applier.apply(command);
        outbox_dirty = true;
        flush_outbox();
        break;
      }
      case v1::Envelope::kClipChunk: {
        if (std::optional<v1::ClipRequest> next; updater.on_chunk(env.clip_chunk(), next)) {
          if (next) send_clip_request(*next);
          outbox_dirty = true;
          flush_outbox();
          break;
        }
        auto outcome = clips.on_chunk(env.clip_chunk());
        if (outcome.next) send_clip_request(*outcome.next);
        for (const auto& command : outcome.commands) {
          if (outcome.kind == ClipCache::ChunkOutcome::complete) {
            (void)applier.apply(command);
          } else {
            (void)applier.fail(command, outcome.reason);
          }
          outbox_dirty = true;
        }
        flush_outbox();
        break;
      }
      case v1::Envelope::kReportAck:
        state.acknowledge(env.report_ack().report_seq());
        outbox_progress = std::chrono::steady_clock::now();
        break;
      default: kLog.debug("ignored: body={}", wire::body_name(env)); break;
    }
  }

  // Amplifiers on ahead of air time, off once the air is idle (when configured).
  void power_amplifiers() {
    if (!hardware || !amplifier.enabled()) return;
    const auto now = clock.wall_ms();
    const auto action = amplifier.decide(now, player.next_start_ms(), player.now_playing().has_value());
    if (action == AmplifierSchedule::Action::none) return;
    const bool on = action == AmplifierSchedule::Action::switch_on;
    bool ok = true;
    std::string detail;
    for (const auto& [device, result] : hardware->set_amplifier("", on)) {
      ok = ok && result.ok;
      detail += " " + device + "=" + (result.ok ? "ok" : result.reason);
    }
    amplifier.switched(now, action, ok);
    kLog.info("amplifier {}: scheduled=true next_start_ms={} result={}", on ? "on" : "off",
              player.next_start_ms().value_or(0), detail);
  }

  void send_clip_request(const v1::ClipRequest& request) {
    v1::Envelope env;
    *env.mutable_clip_request() = request;
    // Not sent (link down): on_online asks again for every clip still being fetched.
    (void)link->send(env);
  }

  // Sends queued reports the controller has not acknowledged, oldest first.
  void flush_outbox() {
    if (!link->online()) return;
    const auto now = std::chrono::steady_clock::now();
    if (outbox_sent_upto > 0 && now - outbox_progress > kReportResend && state.outbox_size() > 0) {
      kLog.warn("reports unacknowledged for {} s: sending them again", kReportResend.count() / 1000);
      outbox_sent_upto = 0;
      outbox_dirty = true;
      outbox_progress = now;
    }
    if (!outbox_dirty) return;
    if (outbox_sent_upto == 0) outbox_progress = now;
    for (;;) {
      auto batch = state.outbox_after(outbox_sent_upto, kOutboxBatch);
      if (batch.empty()) {
        outbox_dirty = false;
        return;
      }
      for (const auto& entry : batch) {
        if (!link->send(entry.envelope)) return;  // queue full: the next tick continues
        outbox_sent_upto = entry.seq;
      }
    }
  }

  int run() {
    daemon::SignalFd signals;
    if (hardware) hardware->start();
    daemon::Watchdog watchdog;
    for (const auto& play : state.waiting_plays()) {
      // Scheduled before a restart: still played on time (or reported missed).
      kLog.info("restored play: broadcast={} start_at_ms={}", play.broadcast_id(), play.start_at_ms());
      (void)player.enqueue(play);
    }
    link->open();
    daemon::notify_ready();
    // Playout must act within 100 ms of a preempting command or its air time.
    const auto tick_every = std::clamp(config.link.heartbeat_interval / 4, std::chrono::milliseconds(20),
                                       std::chrono::milliseconds(50));
    for (;;) {
      std::vector<zmq::pollitem_t> items{{nullptr, signals.fd(), ZMQ_POLLIN, 0}};
      live->subscribe_only(player.wanted_streams());
      const auto link_items = items.size();
      link->add_poll_items(items);
      const auto live_item = items.size();
      live->add_poll_items(items);
      // Wake for the next air time itself, not the tick after it.
      auto wait = tick_every;
      if (auto next = player.next_start_ms()) {
        const auto until = std::chrono::milliseconds(*next - clock.wall_ms());
        if (until < wait) wait = std::max(until, std::chrono::milliseconds(0));
      }
      wait = live->next_due_in(wait);
      try {
        zmq::poll(items.data(), items.size(), wait);
        if (items[0].revents & ZMQ_POLLIN) {
          int sig = signals.read();
          if (sig == SIGHUP) {
            kLog.info("SIGHUP: nothing to reload yet; configuration changes need a restart");
          } else if (sig != 0) {
            kLog.info("stopping: signal={}", sig);
            daemon::notify_stopping();
            if (hardware) hardware->stop();
            link->close("shutdown");
            return 0;
          }
        }
        if (live_item > link_items) link->handle(&items[link_items]);
        live->handle(&items[live_item]);
        link->tick();
        player.tick();
        if (auto reading = clock_reporter.update(shared_clock.quality(), clock.wall_ms(), std::chrono::steady_clock::now())) {
          on_telemetry(*reading);
        }
        power_amplifiers();
        if (link->online()) {
          for (const auto& r : clips.stalled_requests(std::chrono::steady_clock::now(), kClipFetchQuiet)) {
            send_clip_request(r);
          }
          for (const auto& r : updater.stalled_requests(std::chrono::steady_clock::now(), kClipFetchQuiet)) {
            send_clip_request(r);
          }
        }
        flush_outbox();
        watchdog.feed();
        if (watch_config() || watch_release()) {
          flush_outbox();
          if (hardware) hardware->stop();
          link->close("restart");
          return Agent::kRestart;
        }
      } catch (const sqlite::SqliteError& e) {
        // A full or failing disk: keep the link and retry; nothing acknowledged is lost
        // because results are only acknowledged after they are stored.
        kLog.error("state store failed: error={}", e.what());
      } catch (const zmq::error_t& e) {
        kLog.error("link error: error={}", e.what());
      }
    }
  }
};

Agent::Agent(const AgentConfig& config, const std::string& version) : impl_(std::make_unique<Impl>(config, version)) {}
Agent::~Agent() = default;
int Agent::run() { return impl_->run(); }

}  // namespace loa::agent
