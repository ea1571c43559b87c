#include "loa/app/controller.hpp"

#include <poll.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "loa/alerts/alert_desk.hpp"
#include "loa/app/standby.hpp"
#include "loa/api/api_server.hpp"
#include "loa/app/secret_file.hpp"
#include "fanout.hpp"
#include "loa/clips/clip_library.hpp"
#include "loa/curve/key_pair.hpp"
#include "loa/daemon/heap.hpp"
#include "loa/daemon/service_manager.hpp"
#include "loa/daemon/signal_fd.hpp"
#include "loa/federation/relay_applier.hpp"
#include "loa/feeds/feed_poller.hpp"
#include "loa/federation/uplink.hpp"
#include "loa/live/clock_server.hpp"
#include "loa/live/live_streams.hpp"
#include "loa/live/stream_desk.hpp"
#include "loa/log/log.hpp"
#include "loa/log/rate_limiter.hpp"
#include "loa/registry/station_registry.hpp"
#include "loa/schedule/planner.hpp"
#include "loa/schedule/relay_runner.hpp"
#include "loa/schedule/scheduler.hpp"
#include "loa/server/command_dispatcher.hpp"
#include "loa/server/control_server.hpp"
#include "loa/store/store.hpp"
#include "loa/updates/update_desk.hpp"
#include "loa/users/user_directory.hpp"
#include "loa/version.hpp"

namespace loa::app {
namespace {

const log::Logger kLog("controller");
// Memory the allocator keeps freed is given back once a minute when it passes this
// (daemon::trim_heap): a burst's leftovers do not stay resident for the life of the
// controller.
constexpr auto kHeapTrimEvery = std::chrono::seconds(60);
constexpr long long kHeapKeptFreeBytes = 8LL << 20;

// Each agent is one TCP connection; a province is thousands of them.
void raise_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// Live frames go out on the control server's audio socket.
class AudioSocket final : public live::IFramePublisher {
 public:
  explicit AudioSocket(server::ControlServer& control) : control_(control) {}
  void publish(const std::string& message) override { control_.publish_audio(message); }

 private:
  server::ControlServer& control_;
};

// "tcp://HOST:PORT" -> the address to bind the UDP clock on ("*" is every address).
std::string endpoint_address(const std::string& endpoint) {
  auto rest = endpoint.substr(endpoint.find("://") + 3);
  auto host = rest.substr(0, rest.rfind(':'));
  return host == "*" ? "0.0.0.0" : host;
}

}  // namespace

struct Controller::Impl {
  ControllerConfig config;
  const ha::Lease* lease = nullptr;
  time::SystemClock clock;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<registry::StationRegistry> registry;
  std::unique_ptr<server::CommandDispatcher> commands;
  std::unique_ptr<clips::ClipLibrary> clips;
  server::LinkCounters counters;
  std::unique_ptr<live::ClockServer> station_clock;
  std::unique_ptr<reports::ReportKeeper> reports;
  std::unique_ptr<server::ControlServer> control;
  std::unique_ptr<AudioSocket> audio_socket;
  std::unique_ptr<live::LiveStreams> streams;
  std::unique_ptr<live::StreamDesk> stream_desk;
  std::unique_ptr<schedule::Planner> planner;
  std::unique_ptr<schedule::Scheduler> scheduler;
  std::unique_ptr<schedule::RelayRunner> relays;
  std::unique_ptr<users::UserDirectory> users;
  std::unique_ptr<alerts::AlertDesk> alerts;
  std::unique_ptr<federation::MemberDesk> members;  // member controllers below this one
  std::unique_ptr<ReportsFanout> reports_fanout;
  std::unique_ptr<EventsFanout> events_fanout;
  std::unique_ptr<federation::RelayApplier> relay_applier;  // the link up, for a member
  std::unique_ptr<federation::StationSnapshot> snapshot;
  std::unique_ptr<federation::Uplink> uplink;
  std::unique_ptr<feeds::FeedPoller> feeds;  // upstream feeds polled
  std::unique_ptr<configs::ConfigDesk> configs;  // station hardware configurations, drift
  std::unique_ptr<updates::UpdateDesk> updates;  // agent releases and their rollouts
  std::unique_ptr<api::ApiServer> api;
  std::string control_endpoint;
  int http_port = 0;

  // A member's link up to the controller above: its own key pair is this controller's.
  void start_uplink(const curve::KeyPair& keys) {
    auto& i = *this;
    if (i.config.federation.member_id.empty()) return;
    const auto& f = i.config.federation;
    federation::UplinkSettings us;
    us.link.station_id = f.member_id;
    us.link.endpoints = {f.above};
    us.link.enroll_endpoints = {f.above_enroll};
    us.link.controller_public_key = f.above_public_key;
    us.link.public_key = keys.public_z85;
    us.link.secret_key = keys.secret_z85;
    us.link.link = i.config.control.link;
    us.link.reconnect_max = f.reconnect_max;
    us.link.software_version = kVersion;
    us.report_interval = f.report_interval;
    i.snapshot = std::make_unique<federation::StationSnapshot>(
        federation::StationSnapshot::Sources{*i.registry, *i.store, *i.store, *i.reports});
    i.uplink = std::make_unique<federation::Uplink>(us, *i.store, *i.relay_applier,
                                                    [s = i.snapshot.get()] { return s->take(); }, i.clock);
    i.uplink->start();
  }
};

Controller::Controller(const ControllerConfig& config, const ha::Lease* lease) : impl_(std::make_unique<Impl>()) {
  impl_->config = config;
  impl_->lease = lease;
}

Controller::~Controller() { stop(); }

void Controller::start() {
  auto& i = *impl_;
  const auto& c = i.config;
  raise_file_limit();
  std::filesystem::create_directories(c.data_dir);
  ::chmod(c.data_dir.c_str(), 0700);

  auto keys = curve::load_or_create(c.data_dir + "/controller.key");
  {
    // The public half, to hand to agents (controller.public_key_file in their config).
    std::ofstream pub(c.data_dir + "/controller.pub");
    pub << keys.public_z85 << "\n";
  }
  std::string token = c.http.api_token.empty() ? load_or_create_secret(c.data_dir + "/api-token", 32) : c.http.api_token;
  std::string password =
      c.http.admin_password.empty() ? load_or_create_secret(c.data_dir + "/admin-password", 16) : c.http.admin_password;

  i.store = c.store.backend == "postgresql" ? store::open_postgres_store(c.store.postgresql)
                                            : store::open_sqlite_store(c.data_dir + "/controller.db");
  i.registry = std::make_unique<registry::StationRegistry>(*i.store, i.clock, c.control.enrollment);
  i.commands = std::make_unique<server::CommandDispatcher>(*i.store, i.clock, c.control.command_resend);
  clips::TranscodeSettings transcode;
  transcode.opus_bitrate_bps = static_cast<int>(c.clips.opus_bitrate_bps);
  transcode.target_lufs = c.clips.target_lufs;
  i.clips = std::make_unique<clips::ClipLibrary>(c.data_dir + "/clips", *i.store, transcode);
  if (i.lease) {
    // A pair shares clips through the database: this one may have been the standby
    // while the other took uploads.
    i.clips->keep_bytes_in_store(true);
    (void)i.clips->restore_missing();
  }

  i.station_clock = std::make_unique<live::ClockServer>(endpoint_address(c.control.bind),
                                                        static_cast<std::uint16_t>(c.live.clock_port));

  server::ControlServerSettings cs;
  cs.bind_endpoint = c.control.bind;
  cs.enroll_endpoint = c.control.enroll_bind;
  cs.audio_endpoint = c.control.audio_bind;
  live::LiveSettings ls;
  ls.latency = c.live.latency;
  ls.bitrate = static_cast<int>(c.live.opus_bitrate_bps);
  ls.stall_timeout = c.live.stall_timeout;
  // The queue bound is configured in frames; the socket counts messages.
  cs.audio_high_water_mark =
      std::max(2, static_cast<int>(c.live.audio_high_water_mark) / ls.frames_per_message());
  cs.clock_port = i.station_clock->port();
  cs.clips_dir = c.data_dir + "/clips";
  cs.releases_dir = c.data_dir + "/releases";
  cs.link = c.control.link;
  cs.public_key_z85 = keys.public_z85;
  cs.secret_key_z85 = keys.secret_z85;
  if (i.lease) {
    cs.may_send = [lease = i.lease] { return lease->held(); };
    cs.controller_epoch = i.lease->epoch();
  }
  i.reports = std::make_unique<reports::ReportKeeper>(*i.store, *i.store, i.clock);
  i.members = std::make_unique<federation::MemberDesk>(federation::MemberDesk::Stores{*i.store, *i.store}, *i.registry,
                                                       *i.commands, i.clock);
  i.reports_fanout = std::make_unique<ReportsFanout>(*i.reports, *i.members);
  i.control = std::make_unique<server::ControlServer>(cs, *i.registry, *i.commands, *i.reports_fanout, i.counters,
                                                      i.clock);
  i.audio_socket = std::make_unique<AudioSocket>(*i.control);
  i.streams = std::make_unique<live::LiveStreams>(ls, *i.station_clock, *i.audio_socket);
  i.stream_desk = std::make_unique<live::StreamDesk>(*i.streams, *i.store, *i.commands, i.clock);

  // The alert desk hears every station's results and playouts from the first moment.
  alerts::AlertSettings al;
  al.two_person_severities = c.alerts.two_person_severities;
  if (al.two_person_severities.empty()) {
    kLog.warn("alerts: two-person rule is off (alerts.two_person_severities: []): one person alone can issue an "
              "Actual alert of any severity");
  }
  al.standard_clips = c.alerts.standard_clips;
  al.default_expiry = c.alerts.default_expiry;
  al.default_language = c.alerts.language;
  al.languages = c.alerts.cap_languages;
  for (const auto& s : c.alerts.cap_sources) {
    al.cap_sources.push_back({s.name, s.token_sha256, s.signing_key_pem, s.senders, s.zones, s.issue_at_once});
  }
  i.users = std::make_unique<users::UserDirectory>(*i.store, i.clock);
  i.alerts = std::make_unique<alerts::AlertDesk>(al, alerts::AlertStores{*i.store, *i.store, *i.store, *i.store}, *i.registry, *i.commands, *i.clips, *i.streams, i.clock);
  i.events_fanout = std::make_unique<EventsFanout>(*i.alerts, *i.members);
  i.control->set_events(i.events_fanout.get());
  i.alerts->start();
  i.control_endpoint = i.control->start();
  if (const auto resumed = i.stream_desk->resume()) kLog.info("live streams resumed: {}", resumed);

  schedule::PlannerSettings ps;
  ps.conflict_window = std::chrono::hours(24 * c.schedule.conflict_window_days);
  ps.local_zone = c.schedule.time_zone;
  i.planner = std::make_unique<schedule::Planner>(schedule::ScheduleStores{*i.store, *i.store, *i.store}, ps);
  schedule::SchedulerSettings ss;
  ss.horizon = std::chrono::hours(c.schedule.horizon_hours);
  ss.sync_interval = c.schedule.sync_interval;
  i.scheduler = std::make_unique<schedule::Scheduler>(schedule::ScheduleStores{*i.store, *i.store, *i.store}, *i.commands, *i.planner, i.clock, ss);
  i.relays = std::make_unique<schedule::RelayRunner>(*i.planner, *i.streams, i.clock, c.live.latency);
  i.scheduler->on_relays([relays = i.relays.get()](auto list) { relays->set_relays(std::move(list)); });
  i.relays->start();
  i.scheduler->start();
  i.scheduler->request_sync();  // the horizon moved while the controller was down
  // Alerts and bulletins from above: from a controller above, or from upstream feeds.
  i.relay_applier = std::make_unique<federation::RelayApplier>(
      federation::RelayApplier::Stores{*i.store, *i.store, *i.store, *i.store}, *i.alerts, *i.clips, *i.commands, i.clock,
      c.alerts.language);
  i.start_uplink(keys);
  std::vector<feeds::FeedSource> feed_sources;
  for (const auto& f : c.feeds) feed_sources.push_back({f.name, f.kind, f.url, f.cap_source, f.zones, f.every});
  i.feeds = std::make_unique<feeds::FeedPoller>(std::move(feed_sources), feeds::FeedPoller::Stores{*i.store, *i.store},
                                                *i.alerts, *i.relay_applier, *i.clips, c.data_dir + "/feeds", i.clock);
  i.feeds->start();
  i.configs = std::make_unique<configs::ConfigDesk>(*i.store, *i.store, *i.store, *i.registry, *i.commands, i.clock,
                                                    c.data_dir + "/config-check");
  i.configs->start();
  i.updates = std::make_unique<updates::UpdateDesk>(
      *i.store, *i.store, *i.store, *i.registry, *i.commands, i.clock,
      updates::UpdateDesk::Settings{cs.releases_dir, c.updates.release_keys, std::chrono::minutes(10)});
  if (const auto restored = i.updates->restore_missing()) kLog.info("agent releases restored from the store: {}", restored);
  i.updates->start();

  api::ApiSettings as;
  as.listen_address = c.http.listen;
  as.port = static_cast<int>(c.http.port);
  as.api_token = token;
  as.admin_password = password;
  as.metrics_open_on_loopback = c.http.metrics_open_on_loopback;
  as.tls_cert_file = c.http.tls_cert_file;
  as.tls_key_file = c.http.tls_key_file;
  as.limits = c.http.limits;
  as.spool_dir = c.data_dir + "/uploads";
  as.max_clip_bytes = static_cast<std::size_t>(c.clips.max_upload_mib) << 20;
  as.console = c.console;
  if (i.lease) {
    as.controller_epoch = i.lease->epoch();
    as.controller_node = i.lease->node();
  }
  i.api = std::make_unique<api::ApiServer>(
      as, api::ApiContext{*i.store, *i.registry, *i.commands, *i.control, *i.reports, i.counters, *i.clips, *i.planner, *i.scheduler, *i.stream_desk,
                          *i.users, *i.alerts, c.schedule.time_zone, fleet::TreeLevels(c.tree.levels), *i.members,
                          i.uplink.get(), *i.feeds, i.configs.get(), i.updates.get()});
  i.http_port = i.api->start();

  kLog.info("started: version={} control={} enroll={} http=http://{}:{}/ key={} stations={} pending_commands={}", kVersion,
            i.control_endpoint, i.control->enroll_endpoint(), c.http.listen, i.http_port, curve::fingerprint(keys.public_z85),
            i.registry->list().size(), i.commands->pending_count());
}

void Controller::stop() {
  if (impl_->api) impl_->api->stop();
  if (impl_->uplink) impl_->uplink->stop();
  if (impl_->feeds) impl_->feeds->stop();
  if (impl_->configs) impl_->configs->stop();
  if (impl_->updates) impl_->updates->stop();
  if (impl_->relays) impl_->relays->stop();
  if (impl_->alerts) impl_->alerts->stop();
  // Stations are told each stream ended; operators' streams stay recorded as running,
  // so the next start opens them again (StreamDesk::resume).
  impl_->stream_desk.reset();
  impl_->streams.reset();
  if (impl_->scheduler) impl_->scheduler->stop();
  if (impl_->control) impl_->control->stop();
}

const std::string& Controller::control_endpoint() const { return impl_->control_endpoint; }
int Controller::http_port() const { return impl_->http_port; }

std::vector<const daemon::LoopBeat*> Controller::loops() const {
  return {&impl_->control->liveness(), &impl_->alerts->liveness()};
}

int run_until_signalled(const ControllerConfig& config) {
  daemon::SignalFd signals;
  std::unique_ptr<ha::Lease> lease;
  if (config.ha.enabled) {
    // The fence: a controller that lost the lease stops at once, every socket with it,
    // and its service manager starts it again as the standby.
    lease = wait_for_lease(config, signals, [](const std::string& why) {
      kLog.error("lease lost ({}): stopping at once; the other controller acts now", why);
      std::_Exit(75);
    });
    if (!lease) return 0;
  }
  Controller controller(config, lease.get());
  controller.start();
  daemon::notify_ready();
  // systemd's watchdog is fed only while the control loop and the alert desk both go
  // round: a controller frozen on the alert path is restarted, not left for dead.
  daemon::Watchdog watchdog;
  log::RateLimiter late_log(std::chrono::seconds(30));
  auto next_trim = std::chrono::steady_clock::now() + kHeapTrimEvery;
  for (;;) {
    pollfd pfd{signals.fd(), POLLIN, 0};
    if (::poll(&pfd, 1, 1000) <= 0) {
      if (const auto now = std::chrono::steady_clock::now(); now >= next_trim) {
        next_trim = now + kHeapTrimEvery;
        if (const auto kept = daemon::trim_heap(kHeapKeptFreeBytes)) {
          kLog.debug("heap trimmed: kept_free_bytes={} now={}", kept, daemon::heap_use().free_bytes);
        }
      }
      bool all_alive = true;
      for (const auto* loop : controller.loops()) {
        if (!loop->late()) continue;
        all_alive = false;
        std::uint64_t suppressed = 0;
        if (late_log.allow(loop->name(), std::chrono::steady_clock::now(), suppressed)) {
          kLog.error("loop late: loop={} quiet_ms={} limit_ms={} suppressed={}", loop->name(), loop->quiet().count(),
                     loop->limit().count(), suppressed);
        }
      }
      if (all_alive) watchdog.feed();
      continue;
    }
    int sig = signals.read();
    if (sig == SIGHUP) {
      kLog.info("SIGHUP: nothing to reload yet; configuration changes need a restart");
      continue;
    }
    kLog.info("stopping: signal={}", sig);
    daemon::notify_stopping();
    break;
  }
  controller.stop();
  kLog.info("stopped");
  return 0;
}

}  // namespace loa::app
