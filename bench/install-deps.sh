#!/usr/bin/env bash
# Installs the peer servers and load generator the bench drives (PowerDNS + sqlite3 backend, Knot, dnsperf) on Debian/Ubuntu.
# Idempotent: apt runs only for missing packages. Needs root (or sudo). Not part of `npm test` or CI.
set -euo pipefail
pkgs=(pdns-server pdns-backend-sqlite3 dnsperf knot knot-dnssecutils)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && { echo "bench deps: all present"; exit 0; }
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
# Debian starts both daemons on port 53; the bench runs its own instances on private ports.
for svc in pdns knot; do $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true; done
# Without systemd (containers) the init scripts may still have started them: stop exactly those,
# by their pid files, so that instances other work on this machine started stay untouched.
for pidfile in /run/pdns/pdns.pid /run/knot/knot.pid; do
  [ -s "$pidfile" ] && $SUDO kill "$(cat "$pidfile")" >/dev/null 2>&1 || true
done
echo "bench deps: installed ${missing[*]}"
