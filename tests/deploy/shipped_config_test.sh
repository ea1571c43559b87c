#!/usr/bin/env bash
# The example configurations in deploy/ list real options with working defaults: each
# file passes --check-config as shipped and with every option uncommented.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="$root/build/bin"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p loa-data
# A controller public key where the agent's default looks for it.
printf 'rq:rM>}U?@Lns47E1%%kR.o@n%%FcmmsL/@{H8]yf7\n' > loa-data/controller.pub

passed=0
failed=0
check() {  # program file
  if out=$("$bin/$1" --config "$2" --check-config 2>&1); then
    passed=$((passed + 1))
  else
    echo "FAIL: $1 --config $2: $out"; failed=$((failed + 1))
  fi
}
for f in controller agent; do
  cp "$root/deploy/$f.yaml" "$f.yaml"
  sed -E 's/^(\s*)#([a-z_]+:)/\1\2/' "$root/deploy/$f.yaml" > "$f-all.yaml"
  grep -qE '^\s*[a-z_]+:' "$f-all.yaml" || { echo "FAIL: nothing uncommented in $f.yaml"; failed=$((failed + 1)); }
done
check loa-controller controller.yaml
check loa-controller controller-all.yaml
printf 'station_id: test-1\n' > agent-id.yaml && cat agent-all.yaml >> agent-id.yaml
check loa-agent agent-id.yaml
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
