#!/usr/bin/env bash
# deploy/demo --standby as a newcomer runs it: one console line per controller (the
# active one first), the token and station lines, then "ready"; the same token works
# through both URLs; the active controller killed, the other serves within 10 s and
# loactl given both URLs goes on unchanged; SIGTERM stops every process, the database
# servers included. Root only (the database servers run as the postgres user).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ "$(id -u)" != 0 ] || [ ! -x /usr/bin/pg_autoctl ]; then
  echo "skipped: needs root and pg_auto_failover (deploy/install-deps)"
  exit 77
fi
work="$(mktemp -d)"
chmod 755 "$work"  # the database servers (user postgres) live below it
trap 'pkill -KILL -f "$work" 2>/dev/null || true; rm -rf "$work"' EXIT
# The pair takes ports HTTP..HTTP+1 and CONTROL..CONTROL+3, CONTROL+10..13, CONTROL+20..22.
while :; do
  http_port=$((20000 + RANDOM % 12000))
  in_use=$(ss -Htuln | awk '{print $5}' | sed 's/.*://' | sort -u)
  clash=0
  for p in $(seq "$http_port" $((http_port + 26))); do grep -qx "$p" <<<"$in_use" && clash=1; done
  [ "$clash" = 0 ] && break
done
control_port=$((http_port + 2))
fail() { echo >&2 "FAIL: $*"; cat "$work/out" >&2; tail -20 "$work/data/logs/"controller*.log >&2 || true; exit 1; }

setsid env --default-signal=INT "$root/deploy/demo" --no-build --standby --stations 2 --http-port "$http_port" \
  --control-port "$control_port" --data-dir "$work/data" > "$work/out" 2>&1 &
demo=$!
for _ in $(seq 1200); do grep -q '^ready$' "$work/out" && break; kill -0 "$demo" 2>/dev/null || break; sleep 0.1; done
grep -q '^ready$' "$work/out" || fail "no ready line"

mapfile -t consoles < <(sed -n 's/^console: //p' "$work/out")
[ "${#consoles[@]}" = 2 ] || fail "${#consoles[@]} console lines"
first="${consoles[0]%/}" second="${consoles[1]%/}"
curl -fsS "$first/api/v1/health" | grep -q '"role":"active"' || fail "the first console line is not the active controller"
curl -sS "$second/api/v1/health" | grep -q '"role":"standby"' || fail "the second console line is not the standby"
# "token:" after the consoles, then the stations, then ready.
order=$(grep -nE '^(console|token|station|ready)' "$work/out" | cut -d: -f2 | uniq | tr '\n' ' ')
[ "$order" = "console token station ready " ] || fail "lines in the order: $order"
token=$(sed -n 's/^token: //p' "$work/out")
both="$first,$second"

online() { LOA_URL="$both" LOA_TOKEN="$token" "$root/build/bin/loactl" --json stations | grep -c '"state": "online"' || true; }
[ "$(online)" = 2 ] || fail "stations online through both URLs: $(online)"

# The active controller dies; the other serves with the same token.
config="$work/data/controller.yaml"
[[ "$first" == *":$http_port" ]] || config="$work/data/controller-b.yaml"
killed=$(date +%s%N)
pkill -KILL -f "loa-controller --config $config"
for _ in $(seq 200); do curl -fsS "$second/api/v1/health" 2>/dev/null | grep -q '"role":"active"' && break; sleep 0.05; done
serving=$(( ($(date +%s%N) - killed) / 1000000 ))
curl -fsS "$second/api/v1/health" | grep -q '"role":"active"' || fail "no takeover after ${serving} ms"
echo "the standby serving ${serving} ms after the active controller was killed"
[ "$serving" -le 10000 ] || fail "takeover took ${serving} ms"
for _ in $(seq 200); do [ "$(online)" = 2 ] && break; sleep 0.1; done
[ "$(online)" = 2 ] || fail "stations online after the takeover: $(online)"

kill -TERM "$demo"
for _ in $(seq 200); do kill -0 "$demo" 2>/dev/null || break; sleep 0.1; done
sleep 0.5
if pgrep -f "$work" >/dev/null; then echo >&2 "FAIL: processes left after SIGTERM:"; pgrep -fa "$work" >&2; exit 1; fi
echo "1 passed, 0 failed"
