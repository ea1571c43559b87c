#include "support/pg_formation.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/process.hpp"

namespace loa::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// The newest PostgreSQL server's programs (pg_autoctl runs them from its PATH).
std::string server_bin() {
  std::string best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const auto bin = entry.path() / "bin";
    if (fs::exists(bin / "initdb") && bin.string() > best) best = bin.string();
  }
  return best;
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// The monitor's failure detection, tightened from its defaults (a 5 s health check, 20 s
// before a node counts as unhealthy, 30 s for the primary to demote) so that the
// database behind a standby controller pair is back in a few seconds.
constexpr const char* kMonitorSettings[][2] = {
    {"health_check_period", "1000"},   {"health_check_max_retries", "1"},
    {"health_check_retry_delay", "500"}, {"health_check_timeout", "1000"},
    {"node_considered_unhealthy_timeout", "2000"}, {"primary_demote_timeout", "3000"},
    {"startup_grace_period", "2000"},
};

}  // namespace

std::optional<std::string> PgFormation::unavailable() {
  if (::geteuid() != 0) return "a pg_auto_failover formation runs its servers as the postgres user: run as root";
  if (::access("/usr/bin/pg_autoctl", X_OK) != 0) return "pg_autoctl is not installed (deploy/install-deps installs it)";
  if (server_bin().empty()) return "no PostgreSQL server is installed";
  if (::getpwnam("postgres") == nullptr) return "there is no postgres user";
  return std::nullopt;
}

PgFormation::PgFormation() : bin_(server_bin()) {
  if (const auto why = unavailable()) throw std::runtime_error(*why);
  try {
    form();
  } catch (...) {
    tear_down();  // a destructor does not run for what a constructor left half made
    throw;
  }
}

void PgFormation::form() {
  char tmpl[] = "/tmp/loa-formation.XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  const auto* pg = ::getpwnam("postgres");
  if (::chown(dir_.c_str(), pg->pw_uid, pg->pw_gid) != 0) throw std::runtime_error("cannot give " + dir_ + " to postgres");

  monitor_ = {"monitor", dir_ + "/monitor", dir_ + "/monitor.log", free_port(), -1};
  start(monitor_, {"create", "monitor", "--pgdata", monitor_.pgdata, "--pgport", std::to_string(monitor_.port),
                   "--auth", "trust", "--no-ssl", "--hostname", "127.0.0.1", "--run"});
  const auto monitor_db = "host=127.0.0.1 port=" + std::to_string(monitor_.port) + " user=postgres dbname=pg_auto_failover";
  if (!eventually([&] { return run_command(bin_ + "/psql " + quoted(monitor_db) + " -Atc 'select 1' 2>/dev/null").exit_code == 0; },
                  30s, 100ms)) {
    throw std::runtime_error("the monitor did not start: " + read_file(monitor_.log));
  }
  std::string alter;
  for (const auto& [name, value] : kMonitorSettings) {
    alter += " -c " + quoted("ALTER SYSTEM SET pgautofailover." + std::string(name) + " TO " + value);
  }
  if (run_command(bin_ + "/psql " + quoted(monitor_db) + " -q" + alter + " -c 'select pg_reload_conf()' 2>&1").exit_code != 0) {
    throw std::runtime_error("cannot tune the monitor");
  }

  const auto monitor_uri = "postgres://autoctl_node@127.0.0.1:" + std::to_string(monitor_.port) + "/pg_auto_failover";
  for (int i = 1; i <= 2; ++i) {
    Member node{"node" + std::to_string(i), dir_ + "/node" + std::to_string(i), dir_ + "/node" + std::to_string(i) + ".log",
                free_port(), -1};
    start(node, {"create", "postgres", "--pgdata", node.pgdata, "--pgport", std::to_string(node.port), "--auth", "trust",
                 "--no-ssl", "--hostname", "127.0.0.1", "--name", node.name, "--monitor", monitor_uri, "--run"});
    nodes_.push_back(node);
    // The first is primary before the second joins, so that the second clones it.
    if (i == 1 && !eventually([&] { return primary() == 0; }, 60s, 200ms)) {
      throw std::runtime_error("node1 did not become primary: " + state() + read_file(node.log));
    }
  }
  if (!eventually([&] { return healthy(); }, 90s, 200ms)) throw std::runtime_error("no secondary: " + state());
  // An isolated primary stops taking writes (network_partition_timeout) before the monitor
  // promotes the other (primary_demote_timeout): never two primaries at once.
  for (const auto& node : nodes_) (void)autoctl("config set --pgdata " + node.pgdata + " timeout.network_partition_timeout 2");
}

PgFormation::~PgFormation() { tear_down(); }

void PgFormation::tear_down() {
  for (auto& node : nodes_) stop(node);
  stop(monitor_);
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

void PgFormation::start(Member& m, const std::vector<std::string>& args) {
  // Everything the child needs is made before the fork: after it, in a process with
  // other threads, only system calls are safe.
  const auto* pg = ::getpwnam("postgres");
  const uid_t uid = pg->pw_uid;
  const gid_t gid = pg->pw_gid;
  std::vector<std::string> argv{"/usr/bin/pg_autoctl"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env{"PATH=" + bin_ + ":/usr/bin:/bin", "HOME=" + dir_, "LANG=C.UTF-8"};
  std::vector<char*> c_argv, c_env;
  for (auto& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  for (auto& e : env) c_env.push_back(e.data());
  c_env.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // Its own process group, so that a power cut takes the keeper, the server and every
    // backend at once; the postgres user, as the server refuses root.
    ::setsid();
    const int fd = ::open(m.log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) ::dup2(fd, 1), ::dup2(fd, 2), ::close(fd);
    if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) ::_exit(126);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(c_argv[0], c_argv.data(), c_env.data());
    ::_exit(127);
  }
  m.group = pid;
}

void PgFormation::stop(Member& m) {
  if (m.group <= 0) return;
  ::kill(-m.group, SIGKILL);
  ::waitpid(m.group, nullptr, 0);
  // The server's children notice their postmaster is gone; wait until none is left.
  (void)eventually([&] { return ::kill(-m.group, 0) != 0; }, 5s, 20ms);
  m.group = -1;
}

void PgFormation::kill_node(int node) { stop(nodes_.at(static_cast<std::size_t>(node))); }

void PgFormation::restart_node(int node) {
  auto& m = nodes_.at(static_cast<std::size_t>(node));
  start(m, {"run", "--pgdata", m.pgdata});
}

std::string PgFormation::autoctl(const std::string& args) const {
  return run_command("runuser -u postgres -- env HOME=" + dir_ + " PATH=" + bin_ + ":/usr/bin:/bin /usr/bin/pg_autoctl " + args +
                     " 2>/dev/null")
      .out;
}

std::string PgFormation::state() const {
  return autoctl("show state --pgdata " + monitor_.pgdata);
}

int PgFormation::primary() const {
  const auto text = autoctl("show state --json --pgdata " + monitor_.pgdata);
  const auto nodes = nlohmann::json::parse(text, nullptr, false);
  if (!nodes.is_array()) return -1;
  for (const auto& n : nodes) {
    const auto state = n.value("current_group_state", "");
    if (n.value("assigned_group_state", "") != state) continue;
    if (state != "primary" && state != "wait_primary" && state != "single") continue;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i].port == n.value("nodeport", 0)) return static_cast<int>(i);
    }
  }
  return -1;
}

bool PgFormation::healthy() const {
  const auto nodes = nlohmann::json::parse(autoctl("show state --json --pgdata " + monitor_.pgdata), nullptr, false);
  if (!nodes.is_array() || nodes.size() != 2) return false;
  int primaries = 0, secondaries = 0;
  for (const auto& n : nodes) {
    const auto state = n.value("current_group_state", "");
    if (state != n.value("assigned_group_state", "")) return false;
    primaries += state == "primary";
    secondaries += state == "secondary";
  }
  return primaries == 1 && secondaries == 1;
}

std::string PgFormation::uri(const std::string& database) const {
  std::string hosts, ports;
  for (const auto& node : nodes_) {
    hosts += (hosts.empty() ? "" : ",") + std::string("127.0.0.1");
    ports += (ports.empty() ? "" : ",") + std::to_string(node.port);
  }
  return "host=" + hosts + " port=" + ports + " user=postgres dbname=" + database +
         " target_session_attrs=read-write connect_timeout=2";
}

std::string PgFormation::primary_uri(const std::string& database) const {
  const int p = primary();
  if (p < 0) throw std::runtime_error("no primary: " + state());
  return "host=127.0.0.1 port=" + std::to_string(nodes_[static_cast<std::size_t>(p)].port) + " user=postgres dbname=" + database;
}

}  // namespace loa::test
