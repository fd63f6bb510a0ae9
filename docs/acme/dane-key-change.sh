#!/bin/sh
# A planned key change of a DANE service without an outage (RFC 7671 §8), with certbot or lego:
#   1. make the next key and publish its TLSA record beside the current one (daneprime service next);
#   2. wait until daneprime says `ready` (every secondary serves the record, and has for twice its
#      TTL: no resolver can still hold only the old one);
#   3. only then request the certificate for that key and deploy it;
#   4. wait until daneprime's live checks see the new key and it has retired the old record.
# Run it again after an interruption: while the rollover is under way it resumes with the same key.
#
# usage: dane-key-change.sh NAME HOST
#   NAME  the service's TLSA owner, e.g. _25._tcp.mail.example.com
#   HOST  the certificate's DNS name, e.g. mail.example.com
# environment:
#   ACME_CLIENT  certbot or lego
#   ACME_ARGS    its other arguments, split on blanks: ACME server, account, DNS-01 plugin…
#   KEY_DIR      where next.key, next.csr and the new certificate are made (kept private)
#   CERT_FILE    the certificate (with its chain) the service reads; KEY_FILE its key
#   RELOAD_CMD   makes the service read them again (run by sh -c), e.g. "systemctl reload postfix"
#   LEGO_PATH    lego's directory (its --path; default KEY_DIR/lego)
#   KEY_ALG      ec (P-256, the default) or rsa (3072 bits)
#   POLL         seconds between two looks at the rollover's state (default 30)
#   MAX_WAIT     give up after this many seconds of waiting for one state (default 86400)
#   daneprime is asked through the API when DANEPRIME_API (…/api/v1), DANEPRIME_TOKEN (a token
#   whose scope holds NAME) and DANEPRIME_ZONE are set; otherwise through the local CLI
#   (`daneprime`, with DANEPRIME_DB).
set -eu
NAME=${1:?usage: dane-key-change.sh NAME HOST}
HOST=${2:?usage: dane-key-change.sh NAME HOST}
: "${ACME_CLIENT:?certbot or lego}" "${KEY_DIR:?}" "${CERT_FILE:?}" "${KEY_FILE:?}" "${RELOAD_CMD:?}"
LEGO_PATH=${LEGO_PATH:-$KEY_DIR/lego}
POLL=${POLL:-30}
MAX_WAIT=${MAX_WAIT:-86400}
umask 077

say() { echo "dane-key-change: $*" >&2; }

# The rollover's status, as JSON (`service status --json` and GET …/rollover print the same).
status() {
  if [ -n "${DANEPRIME_API:-}" ]; then
    curl -sSf -H "Authorization: Bearer $DANEPRIME_TOKEN" "$DANEPRIME_API/zones/$DANEPRIME_ZONE/services/$NAME/rollover"
  else
    daneprime service status "$NAME" --json
  fi
}
state() { status | sed -n 's/.*"state":"\([a-z]*\)".*/\1/p'; }

# Publish the next key's TLSA records (one per usage/selector/matching in use).
publish() {
  if [ -n "${DANEPRIME_API:-}" ]; then
    # The PEM as one JSON string: its lines joined by \n (base64 and dashes need no other escape).
    body=$(awk 'BEGIN { printf "{\"spki\":\"" } { printf "%s\\n", $0 } END { printf "\"}" }' "$1")
    curl -sS -H "Authorization: Bearer $DANEPRIME_TOKEN" -H 'Content-Type: application/json' \
      -d "$body" -w '\n%{http_code}\n' "$DANEPRIME_API/zones/$DANEPRIME_ZONE/services/$NAME/next" > "$KEY_DIR/next.out"
    # A 4xx carries {error, field, detail}: show it and stop.
    code=$(tail -n 1 "$KEY_DIR/next.out")
    [ "$code" = 201 ] || { cat "$KEY_DIR/next.out" >&2; return 1; }
  else
    daneprime service next "$NAME" --spki "$1" >&2
  fi
}

# Wait while the state is one of "$@"; print the state it moved to. No answer (daneprime
# restarting, the network) is waited out like those states: a wait of hours must not end on it.
wait_while() {
  waited=0
  while :; do
    s=$(state) || s=
    case " $* " in *" $s "*) ;; *) [ -z "$s" ] || { echo "$s"; return 0; } ;; esac
    [ "$waited" -lt "$MAX_WAIT" ] || { say "still ${s:-without an answer} after ${MAX_WAIT}s"; return 1; }
    sleep "$POLL"; waited=$((waited + POLL))
  done
}

mkdir -p "$KEY_DIR"
s=$(state)
[ -n "$s" ] || { say "no status for $NAME"; exit 1; }
spki_sha256() { openssl pkey -pubin -in "$1" -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1; }
if [ "$s" = steady ] && [ -f "$KEY_DIR/next.pub" ] && status | grep -q "$(spki_sha256 "$KEY_DIR/next.pub")"; then
  # An earlier run deployed the key and was stopped before the end: the engine finished the rollover.
  mv "$KEY_DIR/next.key" "$KEY_DIR/current.key"; rm -f "$KEY_DIR/next.pub"
  say "done: the next key is current"; exit 0
fi
if [ "$s" = steady ]; then
  # A new key, never used before: the record published now is the only one that may name it.
  rm -f "$KEY_DIR/next.key"
  case "${KEY_ALG:-ec}" in
    ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$KEY_DIR/next.key" ;;
    rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$KEY_DIR/next.key" ;;
    *) say "KEY_ALG is ec or rsa"; exit 2 ;;
  esac
  openssl pkey -in "$KEY_DIR/next.key" -pubout -out "$KEY_DIR/next.pub"
  publish "$KEY_DIR/next.pub"
  say "published the next key's record; waiting for ready"
elif [ ! -f "$KEY_DIR/next.key" ]; then
  # Someone else's rollover (its key is not here): deploying ours would break DANE.
  say "a rollover of $NAME is under way ($s) without a key in $KEY_DIR"; exit 1
fi

# Deploying the new key before `ready` is what breaks DANE: resolvers may hold only the old record.
s=$(wait_while publishing holding)
case "$s" in
  ready | verifying) ;;
  *) say "the rollover is $s, not ready: nothing deployed"; exit 1 ;;
esac

# The certificate is requested only now, for the key published hours ago.
openssl req -new -key "$KEY_DIR/next.key" -subj "/CN=$HOST" -addext "subjectAltName=DNS:$HOST" -out "$KEY_DIR/next.csr"
rm -f "$KEY_DIR/next.crt" "$KEY_DIR/next.chain" "$KEY_DIR/next.fullchain"
case "$ACME_CLIENT" in
  certbot)
    # shellcheck disable=SC2086 # ACME_ARGS is a list of arguments
    certbot certonly --non-interactive --csr "$KEY_DIR/next.csr" --cert-path "$KEY_DIR/next.crt" \
      --chain-path "$KEY_DIR/next.chain" --fullchain-path "$KEY_DIR/next.fullchain" $ACME_ARGS >&2 ;;
  lego)
    # shellcheck disable=SC2086
    lego --csr "$KEY_DIR/next.csr" --path "$LEGO_PATH" $ACME_ARGS run >&2
    # lego names the file after the CSR's first name and writes the chain after the leaf.
    cp "$LEGO_PATH/certificates/$HOST.crt" "$KEY_DIR/next.fullchain" ;;
  *) say "ACME_CLIENT is certbot or lego"; exit 2 ;;
esac

# Key first, then certificate, each replaced whole (mv), so the service never reads half a file.
cp "$KEY_DIR/next.key" "$KEY_FILE.new" && mv "$KEY_FILE.new" "$KEY_FILE"
cp "$KEY_DIR/next.fullchain" "$CERT_FILE.new" && mv "$CERT_FILE.new" "$CERT_FILE"
sh -c "$RELOAD_CMD"
# lego keeps no key for a CSR it was given: put it where `lego renew --reuse-key` reads it, so
# that the renewals to come keep this key (and the TLSA record stays true).
[ "$ACME_CLIENT" != lego ] || cp "$KEY_DIR/next.key" "$LEGO_PATH/certificates/$HOST.key"
say "deployed; waiting for daneprime to see the new key and retire the old record"

# The engine retires the old record by itself once every endpoint shows the new key.
s=$(wait_while ready verifying retiring)
[ "$s" = steady ] || { say "the rollover ended $s"; exit 1; }
mv "$KEY_DIR/next.key" "$KEY_DIR/current.key"; rm -f "$KEY_DIR/next.pub"
say "done: the old record is retired"
