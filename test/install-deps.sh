#!/usr/bin/env bash
# Installs the real DNS tools the tests drive (validators, dig/kdig/nsupdate/knsupdate, Knot as a
# secondary, ldns-verify-zone, openssl, ACME clients and a local CA, PowerDNS and lexicon for the
# PowerDNS-compatible API, and the TLS servers and DANE checkers of the live-check tests) on
# Debian/Ubuntu. Idempotent; needs root (or sudo).
set -euo pipefail
# ACME clients and a local ACME CA for the DNS-01 tests: pebble, certbot (+ its RFC 2136 plugin), lego.
# pdns_server answers the same PowerDNS API requests as daneprime; lexicon drives that API.
# Knot, BIND (named) and PowerDNS consume catalog zones.
# Live checks: Postfix (an SMTP STARTTLS server, and posttls-finger), Prosody (XMPP), hash-slinger
# (`tlsa --verify`); ldns-dane comes with ldnsutils; util-linux gives unshare and setpriv.
# curl: the docs/acme hooks call the admin API with it.
# prometheus gives promtool, which lints /metrics and the example alert rules.
# The status page's tests drive Debian's chromium headless (playwright-core downloads no browser).
pkgs=(bind9-dnsutils bind9-utils knot-dnsutils knot-dnssecutils knot ldnsutils unbound openssl
      pebble certbot python3-certbot-dns-rfc2136 lego
      pdns-server pdns-backend-sqlite3 python3-lexicon lexicon bind9
      postfix prosody hash-slinger util-linux curl chromium prometheus)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && { echo "test deps: all present"; exit 0; }
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# Postfix asks how to configure the machine's own mail: it must not (the tests run their own instance).
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
# The Debian packages start services we do not want holding ports during tests.
for svc in unbound knot named pdns postfix prosody prometheus; do $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true; done
pkill -x unbound >/dev/null 2>&1 || true
pkill -x knotd >/dev/null 2>&1 || true
pkill -x pdns_server >/dev/null 2>&1 || true
pkill -x named >/dev/null 2>&1 || true
# Where systemd does not run (containers), the packages' init scripts may have started them.
$SUDO service postfix stop >/dev/null 2>&1 || true
$SUDO service prosody stop >/dev/null 2>&1 || true
echo "test deps: installed ${missing[*]}"
