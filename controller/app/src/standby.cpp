#include "loa/app/standby.hpp"

#include <poll.h>
#include <unistd.h>

#include <csignal>

#include "loa/daemon/service_manager.hpp"
#include "loa/ha/standby_front.hpp"
#include "loa/log/log.hpp"
#include "loa/store/store.hpp"
#include "loa/time/clock.hpp"

namespace loa::app {
namespace {

const log::Logger kLog("standby");

std::string host_name() {
  char name[256] = {};
  return ::gethostname(name, sizeof name - 1) == 0 ? std::string(name) : std::string("controller");
}

}  // namespace

std::unique_ptr<ha::Lease> wait_for_lease(const ControllerConfig& c, daemon::SignalFd& signals,
                                          std::function<void(const std::string&)> on_lost) {
  const std::string node = c.ha.node.empty() ? host_name() : c.ha.node;
  const bool tls = !c.http.tls_cert_file.empty() && !c.http.tls_key_file.empty();
  const std::string url = !c.ha.url.empty() ? c.ha.url
                                            : std::string(tls ? "https://" : "http://") +
                                                  (c.http.listen == "0.0.0.0" ? host_name() : c.http.listen) + ":" +
                                                  std::to_string(c.http.port);
  (void)store::open_postgres_store(c.store.postgresql);  // the lease's table is part of the schema
  ha::LeaseSettings settings;
  settings.conninfo = c.store.postgresql;
  // Unique to this process: a controller restarted on the same node is another holder.
  settings.holder = node + "/" + std::to_string(::getpid()) + "/" + std::to_string(time::SystemClock().wall_ms());
  settings.url = url;
  settings.ttl = c.ha.lease_ttl;
  settings.renew_every = c.ha.lease_renew;
  auto lease = std::make_unique<ha::Lease>(settings);
  if (!lease->try_acquire()) {
    http::FrontSettings fs;
    fs.listen_address = c.http.listen;
    fs.port = static_cast<int>(c.http.port);
    fs.tls_cert_file = c.http.tls_cert_file;
    fs.tls_key_file = c.http.tls_key_file;
    fs.spool_dir = c.data_dir + "/uploads";
    fs.limits = c.http.limits;
    ha::StandbyFront front(fs, *lease, node);
    front.start();
    daemon::notify_ready();
    kLog.info("standby: node={} url={} waiting for the lease", node, url);
    for (;;) {
      pollfd pfd{signals.fd(), POLLIN, 0};
      if (::poll(&pfd, 1, static_cast<int>(c.ha.lease_renew.count() / 2)) > 0) {
        const int sig = signals.read();
        if (sig == SIGHUP) continue;
        kLog.info("stopping while standby: signal={}", sig);
        return nullptr;
      }
      if (lease->try_acquire()) break;
    }
    front.stop();
  }
  lease->keep(std::move(on_lost));
  kLog.info("active: node={} epoch={}", node, lease->epoch());
  return lease;
}

}  // namespace loa::app
