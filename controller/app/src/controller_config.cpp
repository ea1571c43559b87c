#include "loa/app/controller_config.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "loa/config/config_section.hpp"
#include "loa/signing/release_signature.hpp"
#include "loa/curve/key_pair.hpp"
#include "loa/link/link_config.hpp"
#include "loa/log/log_config.hpp"
#include "loa/registry/station_registry.hpp"
#include "loa/schedule/recurrence.hpp"

namespace loa::app {

ControllerConfig load_controller_config(const std::string& path) {
  ControllerConfig c;
  if (path.empty()) return c;
  auto root = config::ConfigSection::load_file(path);
  root.read("data_dir", c.data_dir);

  auto store = root.section("store");
  store.read("backend", c.store.backend);
  store.read("postgresql", c.store.postgresql);
  if (c.store.backend != "sqlite" && c.store.backend != "postgresql") {
    store.fail("backend", "is sqlite or postgresql");
  }
  if (c.store.backend == "postgresql" && c.store.postgresql.empty()) {
    store.fail("postgresql", "the PostgreSQL backend needs a connection string (postgresql://user@host/db)");
  }
  store.finish();

  auto control = root.section("control");
  link::read_tcp_endpoint(control, "bind", c.control.bind);
  link::read_tcp_endpoint(control, "enroll_bind", c.control.enroll_bind);
  link::read_tcp_endpoint(control, "audio_bind", c.control.audio_bind);
  link::read_link_options(control, c.control.link);
  control.read("command_resend_ms", c.control.command_resend, std::chrono::milliseconds(100),
               std::chrono::milliseconds(3'600'000));
  auto& enrollment = c.control.enrollment;
  std::uint32_t max_pending = static_cast<std::uint32_t>(enrollment.max_pending);
  control.read("max_pending_stations", max_pending, 0, 100'000);
  enrollment.max_pending = max_pending;
  std::uint32_t pending_hours = static_cast<std::uint32_t>(enrollment.pending_ttl.count());
  control.read("pending_expire_hours", pending_hours, 1, 24 * 365);
  enrollment.pending_ttl = std::chrono::hours(pending_hours);
  auto rate = control.section("enrollment_rate");
  for (auto [key, value, least] : {std::tuple{"per_address_burst", &enrollment.per_address_burst, 1.0},
                                   std::tuple{"per_address_per_minute", &enrollment.per_address_per_minute, 0.0},
                                   std::tuple{"global_burst", &enrollment.global_burst, 1.0},
                                   std::tuple{"global_per_minute", &enrollment.global_per_minute, 0.0}}) {
    rate.read(key, *value);
    if (*value < least) rate.fail(key, "must be at least " + std::to_string(static_cast<int>(least)));
  }
  rate.finish();
  control.finish();

  auto http = root.section("http");
  http.read("listen", c.http.listen);
  http.read("port", c.http.port, 0, 65535);
  http.read("api_token", c.http.api_token);
  if (!c.http.api_token.empty() && c.http.api_token.size() < 16) {
    http.fail("api_token", "must be at least 16 characters");
  }
  http.read("admin_password", c.http.admin_password);
  if (http.has("metrics_need_token")) {
    http.fail("metrics_need_token",
              "no longer read: /metrics always needs a credential; metrics_open_on_loopback: true serves it "
              "without one to scrapers on this machine");
  }
  http.read("metrics_open_on_loopback", c.http.metrics_open_on_loopback);
  auto& limits = c.http.limits;
  auto read_count = [&](const char* key, std::size_t& value, std::uint32_t min, std::uint32_t max) {
    auto v = static_cast<std::uint32_t>(value);
    http.read(key, v, min, max);
    value = v;
  };
  read_count("max_connections", limits.max_connections, 16, 100000);
  read_count("max_connections_per_address", limits.max_connections_per_address, 1, 100000);
  http.read("idle_timeout_s", limits.idle_timeout_s, 1, 3600);
  http.read("request_timeout_s", limits.request_timeout_s, 1, 3600);
  http.read("upload_timeout_s", limits.upload_timeout_s, 10, 86400);
  read_count("max_header_count", limits.max_header_count, 16, 1000);
  auto memory_kib = static_cast<std::uint32_t>(limits.connection_memory_bytes >> 10);
  http.read("connection_memory_kib", memory_kib, 16, 1024);
  limits.connection_memory_bytes = static_cast<std::size_t>(memory_kib) << 10;
  read_count("workers", limits.workers, 2, 256);
  read_count("max_queued_requests", limits.max_queued, 16, 100000);
  read_count("max_event_streams", limits.max_streams, 1, 10000);
  http.read("tls_cert_file", c.http.tls_cert_file);
  http.read("tls_key_file", c.http.tls_key_file);
  if (c.http.tls_cert_file.empty() != c.http.tls_key_file.empty()) {
    http.fail(c.http.tls_cert_file.empty() ? "tls_cert_file" : "tls_key_file", "HTTPS needs both a certificate and a key");
  }
  http.finish();

  auto clips = root.section("clips");
  clips.read("opus_bitrate_bps", c.clips.opus_bitrate_bps, 6000, 256000);
  clips.read("target_lufs", c.clips.target_lufs);
  if (c.clips.target_lufs < -40 || c.clips.target_lufs > -5) clips.fail("target_lufs", "must be between -40 and -5");
  clips.read("max_upload_mib", c.clips.max_upload_mib, 1, 4096);
  clips.finish();

  auto updates = root.section("updates");
  updates.read("release_keys", c.updates.release_keys);
  for (const auto& key : c.updates.release_keys) {
    if (!signing::is_public_key(key)) updates.fail("release_keys", "'" + key + "' is not a release public key (base64 of 32 bytes)");
  }
  updates.finish();

  auto tree = root.section("tree");
  auto levels = tree.sections("levels");
  if (!levels.empty()) {
    c.tree.levels.clear();
    for (auto& level : levels) {
      fleet::TreeLevels::Level l;
      level.read("kind", l.kind);
      level.read("name", l.name);
      level.read("optional", l.optional);
      level.finish();
      c.tree.levels.push_back(std::move(l));
    }
    try {
      (void)fleet::TreeLevels(c.tree.levels);
    } catch (const std::invalid_argument& e) {
      tree.fail("levels", e.what());
    }
  }
  tree.finish();

  auto console = root.section("console");
  console.read("libraries_dir", c.console.libraries_dir);
  console.read("map_tiles", c.console.map_tiles_url);
  const auto& tiles = c.console.map_tiles_url;
  const bool web = tiles.rfind("http://", 0) == 0 || tiles.rfind("https://", 0) == 0;
  if (!tiles.empty() && (!web || tiles.find("{z}") == std::string::npos)) {
    console.fail("map_tiles", "must be an http(s) URL with {z}, {x} and {y}, as https://tile.openstreetmap.org/{z}/{x}/{y}.png");
  }
  console.read("map_attribution", c.console.map_attribution);
  console.finish();

  auto sched = root.section("schedule");
  sched.read("time_zone", c.schedule.time_zone);
  try {
    (void)schedule::TimeZone(c.schedule.time_zone);
  } catch (const schedule::ScheduleError& e) {
    sched.fail("time_zone", e.what());
  }
  sched.read("horizon_hours", c.schedule.horizon_hours, 1, 24 * 14);
  sched.read("sync_interval_ms", c.schedule.sync_interval, std::chrono::milliseconds(100),
             std::chrono::milliseconds(3'600'000));
  sched.read("conflict_window_days", c.schedule.conflict_window_days, 1, 366);
  sched.finish();

  auto live = root.section("live");
  live.read("clock_port", c.live.clock_port, 0, 65535);
  live.read("latency_ms", c.live.latency, std::chrono::milliseconds(40), std::chrono::milliseconds(10000));
  live.read("opus_bitrate_bps", c.live.opus_bitrate_bps, 6000, 256000);
  live.read("stall_timeout_ms", c.live.stall_timeout, std::chrono::milliseconds(500), std::chrono::milliseconds(600000));
  live.read("audio_high_water_mark", c.live.audio_high_water_mark, 5, 100000);
  live.finish();

  auto alerts = root.section("alerts");
  alerts.read("two_person_severities", c.alerts.two_person_severities);
  for (const auto& severity : c.alerts.two_person_severities) {
    if (severity != "extreme" && severity != "severe" && severity != "moderate" && severity != "minor" &&
        severity != "unknown") {
      alerts.fail("two_person_severities", "unknown severity " + severity);
    }
  }
  alerts.read("standard_clips", c.alerts.standard_clips);
  alerts.read("default_expiry_ms", c.alerts.default_expiry, std::chrono::milliseconds(60'000),
              std::chrono::milliseconds(7 * 86'400'000LL));
  alerts.read("language", c.alerts.language);
  alerts.read("cap_languages", c.alerts.cap_languages);
  if (alerts.has("cap_issue_at_once")) {
    alerts.fail("cap_issue_at_once",
                "no longer read: a CAP message is issued at once only with its source's token (cap_sources)");
  }
  for (auto& source : alerts.sections("cap_sources")) {
    ControllerConfig::CapSource s;
    source.read("name", s.name);
    source.read("token_sha256", s.token_sha256);
    source.read("signing_key_file", s.signing_key_file);
    source.read("senders", s.senders);
    source.read("zones", s.zones);
    source.read("issue_at_once", s.issue_at_once);
    if (source.has("sender")) source.fail("sender", "write the senders a source may speak for as senders: [...]");
    if (s.name.empty()) source.fail("name", "each CAP source has a name");
    if (s.token_sha256.empty() && s.signing_key_file.empty()) {
      source.fail("token_sha256", "a CAP source proves itself with a token (token_sha256), a signature (signing_key_file), or both");
    }
    if (!s.token_sha256.empty() &&
        (s.token_sha256.size() != 64 || s.token_sha256.find_first_not_of("0123456789abcdef") != std::string::npos)) {
      source.fail("token_sha256", "the SHA-256 of the source's token, 64 lower-case hex digits (printf %s TOKEN | sha256sum)");
    }
    if (!s.signing_key_file.empty()) {
      std::ifstream in(s.signing_key_file);
      std::ostringstream pem;
      pem << in.rdbuf();
      s.signing_key_pem = pem.str();
      if (!in || s.signing_key_pem.find("-----BEGIN ") == std::string::npos) {
        source.fail("signing_key_file", "cannot read a PEM public key or certificate from " + s.signing_key_file);
      }
    }
    if (s.senders.empty()) source.fail("senders", "the CAP <sender> values this source may speak for");
    source.finish();
    c.alerts.cap_sources.push_back(std::move(s));
  }
  alerts.finish();

  auto fed = root.section("federation");
  fed.read("member_id", c.federation.member_id);
  fed.read("above", c.federation.above);
  fed.read("above_enroll", c.federation.above_enroll);
  fed.read("above_public_key", c.federation.above_public_key);
  fed.read("above_public_key_file", c.federation.above_public_key_file);
  fed.read("report_interval_ms", c.federation.report_interval, std::chrono::milliseconds(100),
           std::chrono::milliseconds(60000));
  fed.read("reconnect_max_ms", c.federation.reconnect_max, std::chrono::milliseconds(100),
           std::chrono::milliseconds(3'600'000));
  if (!c.federation.member_id.empty()) {
    if (!registry::StationRegistry::is_valid_station_id(c.federation.member_id)) {
      fed.fail("member_id", "letters, digits, '.', '_' and '-', at most 64");
    }
    if (c.federation.above.rfind("tcp://", 0) != 0) fed.fail("above", "the control endpoint above, tcp://host:port");
    if (c.federation.above_enroll.empty()) {
      const auto colon = c.federation.above.rfind(':');
      const auto port = std::atoi(c.federation.above.c_str() + colon + 1);
      c.federation.above_enroll = c.federation.above.substr(0, colon + 1) + std::to_string(port + 1);
    }
    if (c.federation.above_public_key.empty()) {
      c.federation.above_public_key = curve::read_public_key_file(c.federation.above_public_key_file);
      if (c.federation.above_public_key.empty()) {
        fed.fail("above_public_key_file", "no public key of the controller above in '" +
                                              c.federation.above_public_key_file + "'");
      }
    } else if (!curve::is_valid_key(c.federation.above_public_key)) {
      fed.fail("above_public_key", "not a 40-character Z85 key");
    }
  }
  fed.finish();

  for (auto& feed : root.sections("feeds")) {
    ControllerConfig::Feed f;
    feed.read("name", f.name);
    feed.read("kind", f.kind);
    feed.read("url", f.url);
    feed.read("cap_source", f.cap_source);
    feed.read("zones", f.zones);
    feed.read("every_ms", f.every, std::chrono::milliseconds(1000), std::chrono::milliseconds(86'400'000));
    if (f.name.empty()) feed.fail("name", "each feed has a name");
    if (f.kind != "cap" && f.kind != "bulletins") feed.fail("kind", "cap (an Atom/RSS index of CAP messages) or bulletins");
    if (f.url.rfind("http://", 0) != 0 && f.url.rfind("https://", 0) != 0) feed.fail("url", "an http:// or https:// URL");
    if (f.kind == "cap") {
      const auto& sources = c.alerts.cap_sources;
      if (std::none_of(sources.begin(), sources.end(), [&](const auto& s) { return s.name == f.cap_source; })) {
        feed.fail("cap_source", "the name of one of alerts.cap_sources, whose word its messages are");
      }
    }
    feed.finish();
    c.feeds.push_back(std::move(f));
  }

  auto ha = root.section("ha");
  ha.read("enabled", c.ha.enabled);
  ha.read("node", c.ha.node);
  ha.read("url", c.ha.url);
  ha.read("lease_ttl_ms", c.ha.lease_ttl, std::chrono::milliseconds(1000), std::chrono::milliseconds(60000));
  ha.read("lease_renew_ms", c.ha.lease_renew, std::chrono::milliseconds(100), std::chrono::milliseconds(20000));
  if (c.ha.enabled && c.store.backend != "postgresql") {
    ha.fail("enabled", "a standby pair shares its state through replicated PostgreSQL (store.backend: postgresql)");
  }
  if (c.ha.lease_renew * 2 > c.ha.lease_ttl) ha.fail("lease_renew_ms", "is at most half of lease_ttl_ms");
  ha.finish();

  log::read_log_options(root.section("log"), c.log.level, c.log.target);
  root.finish();
  return c;
}

}  // namespace loa::app
