#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "loa/alerts/alert_desk.hpp"
#include "loa/api/console_settings.hpp"
#include "loa/clips/clip_library.hpp"
#include "loa/federation/member_desk.hpp"
#include "loa/federation/uplink.hpp"
#include "loa/configs/config_desk.hpp"
#include "loa/updates/update_desk.hpp"
#include "loa/feeds/feed_poller.hpp"
#include "loa/fleet/tree_levels.hpp"
#include "loa/http/http_front.hpp"
#include "loa/live/stream_desk.hpp"
#include "loa/registry/station_registry.hpp"
#include "loa/reports/report_keeper.hpp"
#include "loa/schedule/planner.hpp"
#include "loa/schedule/scheduler.hpp"
#include "loa/server/command_dispatcher.hpp"
#include "loa/server/control_server.hpp"
#include "loa/server/link_counters.hpp"
#include "loa/store/store.hpp"
#include "loa/users/user_directory.hpp"

namespace loa::api {

struct ApiSettings {
  std::string listen_address = "127.0.0.1";
  int port = 8080;                 // 0 = any free port
  std::string api_token;           // bearer token for scripts (loactl)
  std::string admin_password;      // password of the "admin" console login
  std::size_t max_body_bytes = 1 << 20;        // JSON requests
  std::size_t max_clip_bytes = 200u << 20;     // clip uploads
  // /metrics needs a credential (any role, or a scrape user's token); this opens it to
  // callers on the loopback interface only (a Prometheus on the same machine).
  bool metrics_open_on_loopback = false;
  // HTTPS (TLS 1.2 and 1.3 only) when both are given: PEM certificate chain and key.
  // Session cookies are then marked Secure.
  std::string tls_cert_file;
  std::string tls_key_file;
  // What the front holds against slow, idle and oversized clients.
  http::FrontLimits limits;
  std::string spool_dir;  // uploads are written here as they arrive (under the data folder)
  // One of a standby pair: the epoch of the lease it acts under (0: it runs alone).
  std::uint64_t controller_epoch = 0;
  std::string controller_node;  // and its name in the pair
  ConsoleSettings console;
};

// What the API acts on. All of it outlives the server.
struct ApiContext {
  store::Store& store;
  registry::StationRegistry& registry;
  server::CommandDispatcher& commands;
  server::ControlServer& control;
  reports::ReportKeeper& reports;
  server::LinkCounters& counters;
  clips::ClipLibrary& clips;
  schedule::Planner& planner;
  schedule::Scheduler& scheduler;
  live::StreamDesk& streams;
  users::UserDirectory& users;
  alerts::AlertDesk& alerts;
  std::string time_zone = "Asia/Ho_Chi_Minh";  // local time of operators, quiet hours, as-run
  fleet::TreeLevels levels = fleet::TreeLevels::two_tier();  // what kinds of zone hang under which
  federation::MemberDesk& members;             // member controllers below this one
  const federation::Uplink* uplink = nullptr;  // the link up, for a member of another
  feeds::FeedPoller& feeds;                    // upstream feeds polled
  configs::ConfigDesk* configs = nullptr;      // station hardware configurations (null: no such routes)
  updates::UpdateDesk* updates = nullptr;      // agent releases and rollouts (null: no such routes)
};

// The operator HTTP API under /api/v1, /metrics, and the web console at /.
class ApiServer {
 public:
  ApiServer(ApiSettings settings, ApiContext context);
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;
  ~ApiServer();

  // Binds and starts serving on its own threads; returns the port bound.
  int start();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace loa::api
