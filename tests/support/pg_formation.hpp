#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace loa::test {

// A replicated PostgreSQL on loopback, managed by pg_auto_failover: a monitor and two
// data nodes (a primary and its synchronous standby), each its own pg_autoctl process
// tree in its own folder and process group. Its timeouts are the short ones a standby
// controller pair needs (a dead primary is replaced in seconds, not the default half
// minute), and the keepers' network_partition_timeout stays below the monitor's
// primary_demote_timeout, so an isolated old primary stops before the new one is
// promoted. Stopped and removed when the handle goes away.
class PgFormation {
 public:
  // Why a formation cannot run here (no pg_autoctl or PostgreSQL server, not root), or
  // nothing when it can.
  [[nodiscard]] static std::optional<std::string> unavailable();

  PgFormation();  // up with a primary and a secondary, or throws saying why not
  PgFormation(const PgFormation&) = delete;
  PgFormation& operator=(const PgFormation&) = delete;
  ~PgFormation();

  // A libpq connection string naming both nodes, asking for the one that takes writes:
  // what a controller is given, so that it finds the new primary after a failover.
  [[nodiscard]] std::string uri(const std::string& database) const;
  // The same for the node that is primary now (for a test's own setup).
  [[nodiscard]] std::string primary_uri(const std::string& database) const;

  // The node (0 or 1) the monitor says is primary, or -1 while there is none.
  [[nodiscard]] int primary() const;
  // Both nodes report primary and secondary: replication is whole again.
  [[nodiscard]] bool healthy() const;
  // A power cut on a node: its keeper, its PostgreSQL and every backend get SIGKILL.
  void kill_node(int node);
  [[nodiscard]] bool running(int node) const { return nodes_.at(static_cast<std::size_t>(node)).group > 0; }
  // Starts a killed node again; it rejoins as a secondary.
  void restart_node(int node);

  // The monitor's view, for a failing test's message.
  [[nodiscard]] std::string state() const;

 private:
  struct Member {
    std::string name, pgdata, log;
    int port = 0;
    pid_t group = -1;  // the pg_autoctl process and all it started
  };
  void form();
  void tear_down();
  void start(Member& m, const std::vector<std::string>& args);
  void stop(Member& m);
  [[nodiscard]] std::string autoctl(const std::string& args) const;

  std::string dir_, bin_;
  Member monitor_;
  std::vector<Member> nodes_;
};

}  // namespace loa::test
