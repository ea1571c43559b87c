#!/usr/bin/env bash
# deploy/demo --federated 2 as a newcomer runs it: the province's console, login and
# token lines, one member line per member, one station line per station, then "ready"
# once every station is online at its member and every member above; an alert sent down
# from the province sounds on a station of each member; SIGINT stops every process.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
trap 'pkill -KILL -f "$work" 2>/dev/null || true; rm -rf "$work"' EXIT
# The demo takes the province's ports, then HTTP+1..2 and CONTROL+10..23 for its members.
while :; do
  http_port=$((20000 + RANDOM % 12000))
  control_port=$((http_port + 5))
  in_use=$(ss -Htuln | awk '{print $5}' | sed 's/.*://' | sort -u)
  clash=0
  for p in $(seq "$http_port" $((control_port + 25))); do grep -qx "$p" <<<"$in_use" && clash=1; done
  [ "$clash" = 0 ] && break
done
fail() { echo >&2 "FAIL: $1"; cat "$work/out" >&2; exit 1; }

setsid env --default-signal=INT "$root/deploy/demo" --no-build --federated 2 --stations 2 --http-port "$http_port" \
  --control-port "$control_port" --data-dir "$work/data" > "$work/out" 2>&1 &
demo=$!
for _ in $(seq 1200); do grep -q '^ready$' "$work/out" && break; sleep 0.1; done
grep -q '^ready$' "$work/out" || fail "no ready line"
# The lines in their order: console, login, token; members; stations; ready.
order=$(sed -E 's/^(console|login|token|member|station|ready).*/\1/;t;d' "$work/out" | uniq | tr '\n' ' ')
[ "$order" = "console login token member station ready " ] || fail "lines out of order: $order"
grep -qxF "console: http://127.0.0.1:$http_port/" "$work/out" || fail "console line"
for k in 1 2; do
  grep -qE "^member: member-$k console=http://127\.0\.0\.1:$((http_port + k))/ token=[A-Za-z0-9]+$" "$work/out" ||
    fail "member-$k line"
done
[ "$(grep -c '^station: ' "$work/out")" = 4 ] || fail "four station lines"
token=$(sed -n 's/^token: //p' "$work/out")
above() { LOA_URL="http://127.0.0.1:$http_port" LOA_TOKEN="$token" "$root/build/bin/loactl" "$@"; }
[ "$(above --json members | grep -c '"state": "online"')" = 2 ] || fail "members online above"

above relay alert "Đây là tin diễn tập." --status exercise --severity minor >/dev/null || fail "relay"
for s in m1-1 m2-1; do
  for _ in $(seq 300); do
    ls "$work/data/stations/$s/audio-out/"*EXERCISE-*.wav >/dev/null 2>&1 && break
    sleep 0.1
  done
  ls "$work/data/stations/$s/audio-out/"*EXERCISE-*.wav >/dev/null 2>&1 || fail "the alert from above did not sound on $s"
done

kill -INT "$demo"
for _ in $(seq 100); do kill -0 "$demo" 2>/dev/null || break; sleep 0.1; done
if pgrep -f "$work" >/dev/null; then echo >&2 "FAIL: processes left after SIGINT:"; pgrep -fa "$work" >&2; exit 1; fi
echo "1 passed, 0 failed"
