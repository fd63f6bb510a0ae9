#!/bin/sh
# The deploy hook of a renewal that keeps the key (certbot --reuse-key, lego renew --reuse-key):
# the TLSA records stay true, so there is nothing to publish; the service is reloaded. A renewal
# that brought a new key is NOT deployed: its key has no TLSA record yet, and DANE clients would
# fail. A key change goes through dane-key-change.sh instead.
#
# certbot:  certbot renew --deploy-hook /path/dane-renew-hook.sh   (it sets RENEWED_LINEAGE)
# lego:     lego … renew --reuse-key --renew-hook /path/dane-renew-hook.sh   (LEGO_CERT_PATH)
# environment:
#   DANE_NAME    the service's TLSA owner, e.g. _25._tcp.mail.example.com
#   RELOAD_CMD   makes the service read the renewed certificate (run by sh -c)
#   daneprime is asked through the API when DANEPRIME_API, DANEPRIME_TOKEN and DANEPRIME_ZONE
#   are set; otherwise through the local CLI (`daneprime`, with DANEPRIME_DB).
set -eu
: "${DANE_NAME:?}" "${RELOAD_CMD:?}"
say() { echo "dane-renew-hook: $*" >&2; }

if [ -n "${RENEWED_LINEAGE:-}" ]; then cert=$RENEWED_LINEAGE/cert.pem
elif [ -n "${LEGO_CERT_PATH:-}" ]; then cert=$LEGO_CERT_PATH
else say "neither RENEWED_LINEAGE (certbot) nor LEGO_CERT_PATH (lego) is set"; exit 2
fi

if [ -n "${DANEPRIME_API:-}" ]; then
  status=$(curl -sSf -H "Authorization: Bearer $DANEPRIME_TOKEN" "$DANEPRIME_API/zones/$DANEPRIME_ZONE/services/$DANE_NAME/rollover")
else
  status=$(daneprime service status "$DANE_NAME" --json)
fi
# Only the records in use now count (a next record is not yet safe to deploy against).
current=$(printf '%s\n' "$status" | sed -n 's/.*"current":\[\([^]]*\)\].*/\1/p')

# The key's digests as DANE-EE records of selector 1 name them (3 1 1: SHA-256, 3 1 2: SHA-512).
spki() { openssl x509 -in "$cert" -noout -pubkey | openssl pkey -pubin -outform DER; }
sha256=$(spki | openssl dgst -sha256 -r | cut -d' ' -f1)
sha512=$(spki | openssl dgst -sha512 -r | cut -d' ' -f1)
case "$current" in
  *"\"3 1 1 $sha256\""* | *"\"3 1 2 $sha512\""*) ;;
  # A 3 0 x record names the whole certificate: every renewal changes it, the key kept or not.
  *'"3 '*)
    say "no current TLSA record of $DANE_NAME names $cert (its SPKI SHA-256 is $sha256): not deployed; renew with --reuse-key (3 1 x records), or roll with dane-key-change.sh or daneprime service next --cert"
    exit 1 ;;
  # Without a usage-3 record (only 2 x x, naming the CA) the new leaf breaks nothing here.
  *) ;;
esac
sh -c "$RELOAD_CMD"
say "$cert deployed (key unchanged, TLSA untouched)"
