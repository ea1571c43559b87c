#!/usr/bin/env bash
# deploy/demo as a newcomer runs it: reaches "ready" with every station online, the
# console answers, SIGTERM (and SIGINT) stop every process it started, and a second run
# reuses the data (same token, same stations).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
trap 'pkill -KILL -f "$work" 2>/dev/null || true; rm -rf "$work"' EXIT
# Below the ephemeral range, so the second run finds its ports again.
# The demo takes six ports from there (console, control, enrollment, audio, clock): pick
# a base none of which is in use, TCP or UDP.
while :; do
  http_port=$((20000 + RANDOM % 12000))
  in_use=$(ss -Htuln | awk '{print $5}' | sed 's/.*://' | sort -u)
  clash=0
  for p in $(seq "$http_port" $((http_port + 5))); do grep -qx "$p" <<<"$in_use" && clash=1; done
  [ "$clash" = 0 ] && break
done
control_port=$((http_port + 2))

run_demo() {  # $1: signal to stop with
  # A background job starts with SIGINT ignored; a person at a terminal does not. Up to 90 s
  # to "ready": the first run renders the sample and alert clips, on a machine busy with tests.
  setsid env --default-signal=INT "$root/deploy/demo" --no-build --stations 3 --http-port "$http_port" --control-port "$control_port" \
    --data-dir "$work/data" > "$work/out" 2>&1 &
  local demo=$!
  for _ in $(seq 900); do grep -q '^ready$' "$work/out" && break; sleep 0.1; done
  grep -q '^ready$' "$work/out" || { echo >&2 "FAIL: no ready line"; cat "$work/out" >&2; exit 1; }
  for line in "console: http://127.0.0.1:$http_port/" "control: tcp://127.0.0.1:$control_port"; do
    grep -qxF "$line" "$work/out" || { echo >&2 "FAIL: missing line '$line'"; cat "$work/out" >&2; exit 1; }
  done
  grep -q '^login: admin ' "$work/out" && grep -q '^token: ' "$work/out" || { echo >&2 "FAIL: login/token lines"; exit 1; }
  grep -q '^login: truc-ban ' "$work/out" || { echo >&2 "FAIL: no second person for the two-person rule"; exit 1; }
  page=$(curl -fsS "http://127.0.0.1:$http_port/") || { echo >&2 "FAIL: console does not answer"; exit 1; }
  [[ "$page" == *"<title>Loa</title>"* ]] || { echo >&2 "FAIL: console page"; exit 1; }
  token=$(sed -n 's/^token: //p' "$work/out")
  online=$(LOA_URL="http://127.0.0.1:$http_port" LOA_TOKEN="$token" "$root/build/bin/loactl" --json stations \
    | grep -c '"state": "online"')
  [ "$online" = 3 ] || { echo >&2 "FAIL: $online stations online"; exit 1; }
  grep -qE '^station: demo-1 devsim=tcp://127\.0\.0\.1:[0-9]+$' "$work/out" || { echo >&2 "FAIL: station line"; cat "$work/out" >&2; exit 1; }
  # Each station watches its simulated hardware: both devices answer, the carrier is its own.
  health=""
  for _ in $(seq 100); do
    health=$(LOA_URL="http://127.0.0.1:$http_port" LOA_TOKEN="$token" "$root/build/bin/loactl" station health demo-2)
    [[ "$health" == *"61000 kHz"* && "$health" == *"compliance: compliant"* ]] && break
    sleep 0.1
  done
  [[ "$health" == *"61000 kHz"* && "$health" == *"compliance: compliant"* ]] || { echo >&2 "FAIL: health"; echo "$health" >&2; exit 1; }
  # The district is set up: two communes, a recurring bulletin and an hourly relay.
  zones=$(LOA_URL="http://127.0.0.1:$http_port" LOA_TOKEN="$token" "$root/build/bin/loactl" --json zones)
  [[ "$zones" == *'"cam-binh"'* && "$zones" == *'"thach-ha"'* ]] || { echo >&2 "FAIL: zones"; echo "$zones" >&2; exit 1; }
  broadcasts=$(LOA_URL="http://127.0.0.1:$http_port" LOA_TOKEN="$token" "$root/build/bin/loactl" --json broadcasts)
  [[ "$broadcasts" == *'"relay_url": "test:tone"'* && "$broadcasts" == *'FREQ=MINUTELY;INTERVAL=15'* ]] ||
    { echo >&2 "FAIL: sample broadcasts"; echo "$broadcasts" >&2; exit 1; }
  # The sample clip plays on a station and lands in its audio-out folder.
  clip=$(LOA_URL="http://127.0.0.1:$http_port" LOA_TOKEN="$token" "$root/build/bin/loactl" --json clips |
         sed -n 's/.*"id": "\([0-9a-f]\{64\}\)".*/\1/p' | head -1)
  [ -n "$clip" ] || { echo >&2 "FAIL: no sample clip"; exit 1; }
  LOA_URL="http://127.0.0.1:$http_port" LOA_TOKEN="$token" "$root/build/bin/loactl" play --clip "$clip" --to demo-1 \
    --broadcast "demo-$1" >/dev/null || { echo >&2 "FAIL: play"; exit 1; }
  for _ in $(seq 150); do
    ls "$work/data/stations/demo-1/audio-out/"*"demo-$1.wav" >/dev/null 2>&1 && break
    sleep 0.1
  done
  ls "$work/data/stations/demo-1/audio-out/"*"demo-$1.wav" >/dev/null 2>&1 || { echo >&2 "FAIL: nothing played"; exit 1; }
  kill "-$1" "$demo"
  for _ in $(seq 100); do kill -0 "$demo" 2>/dev/null || break; sleep 0.1; done
  if pgrep -f "$work" >/dev/null; then echo >&2 "FAIL: processes left after SIG$1:"; pgrep -fa "$work" >&2; exit 1; fi
  echo "$token" > "$work/token-$1"
}

run_demo TERM
run_demo INT
first=$(cat "$work/token-TERM")
second=$(cat "$work/token-INT")
[ "$first" = "$second" ] || { echo >&2 "FAIL: second run made a new token"; exit 1; }
echo "1 passed, 0 failed"
