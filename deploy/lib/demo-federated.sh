# deploy/demo --federated M: the controller already started is the province's, with no
# stations of its own; M member controllers under it each get their own stations and
# console. Sourced by deploy/demo, whose variables and functions it uses.

run_federated() {
  local above_url="http://127.0.0.1:$http_port" above_pub="$data_dir/controller/controller.pub"
  local member_lines=() k
  for k in $(seq 1 "$federated"); do
    local id="member-$k" mport=$((control_port + 10 * k)) mhttp=$((http_port + k))
    local mdir="$data_dir/$id" mtoken
    mtoken="$(secret "$data_dir/$id-token")"
    mkdir -p "$mdir"
    cat > "$mdir/controller.yaml" <<YAML
data_dir: $mdir/controller
control:
  bind: tcp://127.0.0.1:$mport
  enroll_bind: tcp://127.0.0.1:$((mport + 1))
  audio_bind: tcp://127.0.0.1:$((mport + 2))
live:
  clock_port: $((mport + 3))
http:
  listen: 127.0.0.1
  port: $mhttp
  api_token: $mtoken
  admin_password: $password
federation:
  member_id: $id
  above: tcp://127.0.0.1:$control_port
  above_public_key_file: $above_pub
YAML
    "$bin/loa-controller" --config "$mdir/controller.yaml" >>"$data_dir/logs/$id.log" 2>&1 &
    pids+=($!)
    LOA_URL="http://127.0.0.1:$mhttp" LOA_TOKEN="$mtoken" wait_for_api $((${#pids[@]} - 1)) "$data_dir/logs/$id.log"
    local i
    for i in $(seq 1 "$stations"); do
      LOA_URL="http://127.0.0.1:$mhttp" LOA_TOKEN="$mtoken" start_station "m$k-$i" "$i" "$mdir/controller/controller.pub" \
        "  endpoint: tcp://127.0.0.1:$mport
  enroll_endpoint: tcp://127.0.0.1:$((mport + 1))"
    done
    member_lines+=("member: $id console=http://127.0.0.1:$mhttp/ token=$mtoken")
  done

  # Each member asks to be enrolled above; approved there with the key it shows (as an
  # operator reads it on the member's console).
  for k in $(seq 1 "$federated"); do
    local id="member-$k" mtoken state="" fingerprint=""
    mtoken="$(cat "$data_dir/$id-token")"
    for _ in $(seq 300); do
      state="$(LOA_URL="$above_url" "$bin/loactl" --json station show "$id" 2>/dev/null | sed -n 's/.*"state": *"\([a-z]*\)".*/\1/p' | head -1)"
      [ -n "$state" ] && break
      sleep 0.1
    done
    if [ "$state" = pending ]; then
      fingerprint="$(LOA_URL="http://127.0.0.1:$((http_port + k))" LOA_TOKEN="$mtoken" "$bin/loactl" --json uplink |
        sed -n 's/.*"fingerprint": *"\([^"]*\)".*/\1/p')"
      LOA_URL="$above_url" "$bin/loactl" station approve "$id" --fingerprint "$fingerprint" >/dev/null
    elif [ -z "$state" ]; then
      echo "demo: $id never asked to be enrolled above; see $data_dir/logs/$id.log" >&2
      exit 1
    fi
  done

  echo "console: $above_url/"
  echo "control: tcp://127.0.0.1:$control_port"
  echo "login: admin $password"
  echo "token: $token"
  local line
  for line in "${member_lines[@]}"; do echo "$line"; done
  for line in "${station_lines[@]}"; do echo "$line"; done

  # Ready: every station online at its member, every member online above.
  local members_online=0 all_stations=0
  for _ in $(seq 900); do
    members_online=$(LOA_URL="$above_url" "$bin/loactl" --json members | grep -c '"state": "online"' || true)
    all_stations=0
    for k in $(seq 1 "$federated"); do
      local n
      n=$(LOA_URL="http://127.0.0.1:$((http_port + k))" LOA_TOKEN="$(cat "$data_dir/member-$k-token")" \
        "$bin/loactl" --json stations --state online | grep -c '"state": "online"' || true)
      all_stations=$((all_stations + n))
    done
    [ "$members_online" -ge "$federated" ] && [ "$all_stations" -ge $((federated * stations)) ] && break
    sleep 0.1
  done
  if [ "$members_online" -lt "$federated" ] || [ "$all_stations" -lt $((federated * stations)) ]; then
    echo "demo: $members_online of $federated members and $all_stations of $((federated * stations)) stations online; see $data_dir/logs" >&2
    exit 1
  fi
  echo "ready"

  # Runs until Ctrl-C (or SIGTERM); a daemon that dies ends the demo.
  while :; do
    local pid
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null && continue
      echo "demo: process $pid exited; see $data_dir/logs" >&2
      exit 1
    done
    sleep 1 & wait $! || true
  done
}
