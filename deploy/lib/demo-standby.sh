# The database under `deploy/demo --standby`: PostgreSQL replicated between two nodes
# and managed by pg_auto_failover (a monitor and two keepers), all on loopback under
# DATA_DIR/formation, run as the postgres user when the demo runs as root. Sourced by
# deploy/demo, which calls formation_start and, on its way out, formation_stop.
#
# Its failure detection is the one docs/architecture.md describes ("The database under
# the pair"): a dead primary is replaced in about 5 s, and a primary cut off stops taking
# writes before the other is promoted.

formation_dir="$data_dir/formation"
monitor_port=$((control_port + 20))
node_ports=($((control_port + 21)) $((control_port + 22)))
formation_pids=()

formation_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
as_db=()
[ "$(id -u)" = 0 ] && as_db=(runuser -u postgres --)

autoctl() {  # pg_autoctl as the servers' owner, with the server programs on its PATH
  "${as_db[@]}" env HOME="$formation_dir" PATH="$formation_bin:/usr/bin:/bin" /usr/bin/pg_autoctl "$@"
}

formation_check() {
  if [ -z "$formation_bin" ] || [ ! -x /usr/bin/pg_autoctl ]; then
    echo "demo: --standby needs PostgreSQL and pg_auto_failover (deploy/install-deps installs them)" >&2
    exit 1
  fi
}

# Starts one pg_autoctl in its own process group (so that stopping it stops its server).
formation_run() {  # $1: log name, then pg_autoctl's arguments
  local log="$formation_dir/$1.log"
  shift
  setsid "${as_db[@]}" env HOME="$formation_dir" PATH="$formation_bin:/usr/bin:/bin" /usr/bin/pg_autoctl "$@" \
    >>"$log" 2>&1 &
  formation_pids+=($!)
}

# The node the monitor says is primary (its port), or nothing.
formation_primary_port() {
  autoctl show state --pgdata "$formation_dir/monitor" --json 2>/dev/null |
    tr -d ' \n' | grep -o '"nodeport":[0-9]*,[^}]*"current_group_state":"\(primary\|wait_primary\|single\)"' |
    sed 's/"nodeport":\([0-9]*\).*/\1/' | head -1
}

formation_start() {
  formation_check
  mkdir -p "$formation_dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$formation_dir"
  local first=0
  [ -d "$formation_dir/monitor" ] || first=1
  if [ "$first" = 1 ]; then
    formation_run monitor create monitor --pgdata "$formation_dir/monitor" --pgport "$monitor_port" --auth trust \
      --no-ssl --hostname 127.0.0.1 --run
  else
    formation_run monitor run --pgdata "$formation_dir/monitor"
  fi
  local monitor_db="host=127.0.0.1 port=$monitor_port user=postgres dbname=pg_auto_failover"
  for _ in $(seq 300); do
    "$formation_bin/psql" "$monitor_db" -Atc 'select 1' >/dev/null 2>&1 && break
    sleep 0.1
  done
  if [ "$first" = 1 ]; then
    local setting
    for setting in health_check_period=1000 health_check_max_retries=1 health_check_retry_delay=500 \
      health_check_timeout=1000 node_considered_unhealthy_timeout=2000 primary_demote_timeout=3000 \
      startup_grace_period=2000; do
      "$formation_bin/psql" "$monitor_db" -qAtc "ALTER SYSTEM SET pgautofailover.${setting%%=*} TO ${setting#*=}" >/dev/null
    done
    "$formation_bin/psql" "$monitor_db" -qAtc 'select pg_reload_conf()' >/dev/null
  fi
  local i
  for i in 1 2; do
    local pgdata="$formation_dir/node$i"
    if [ "$first" = 1 ]; then
      formation_run "node$i" create postgres --pgdata "$pgdata" --pgport "${node_ports[$((i - 1))]}" --auth trust \
        --no-ssl --hostname 127.0.0.1 --name "node$i" \
        --monitor "postgres://autoctl_node@127.0.0.1:$monitor_port/pg_auto_failover" --run
      # The first is primary before the second clones it.
      if [ "$i" = 1 ]; then
        for _ in $(seq 600); do [ -n "$(formation_primary_port)" ] && break; sleep 0.1; done
      fi
    else
      formation_run "node$i" run --pgdata "$pgdata"
    fi
  done
  for _ in $(seq 900); do
    [ -n "$(formation_primary_port)" ] && "$formation_bin/psql" "$(formation_uri postgres)" -Atc 'select 1' >/dev/null 2>&1 && break
    sleep 0.1
  done
  [ -n "$(formation_primary_port)" ] || {
    echo "demo: the database did not come up; see $formation_dir/*.log" >&2
    exit 1
  }
  if [ "$first" = 1 ]; then
    for i in 1 2; do
      autoctl config set --pgdata "$formation_dir/node$i" timeout.network_partition_timeout 2 >/dev/null 2>&1 || true
    done
    "$formation_bin/psql" "$(formation_uri postgres)" -qAtc 'CREATE DATABASE loa' >/dev/null
  fi
}

# What both controllers are given: both nodes, and the one that takes writes.
formation_uri() {  # $1: database
  echo "host=127.0.0.1,127.0.0.1 port=${node_ports[0]},${node_ports[1]} user=postgres dbname=$1 target_session_attrs=read-write connect_timeout=2"
}

formation_stop() {
  local pid
  for pid in "${formation_pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${formation_pids[@]}"; do
    for _ in $(seq 100); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
}
