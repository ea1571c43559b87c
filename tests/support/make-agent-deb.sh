#!/usr/bin/env bash
# make-agent-deb.sh PROGRAM VERSION OUT.deb
# Packages a loa-agent program as a loa-agent .deb of that version, laid out as the
# packages deploy/package builds (usr/bin/loa-agent): what the update tests roll out.
set -euo pipefail
program="$1" version="$2" out="$3"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/DEBIAN" "$root/usr/bin"
strip -o "$root/usr/bin/loa-agent" "$program"
cat > "$root/DEBIAN/control" <<CONTROL
Package: loa-agent
Version: $version
Architecture: $(dpkg --print-architecture)
Maintainer: Loa maintainers <loa@localhost>
Section: net
Priority: optional
Description: Commune radio station agent (test release)
 A second build of the station agent under another version.
CONTROL
dpkg-deb --root-owner-group -Zgzip --build "$root" "$out" >/dev/null
