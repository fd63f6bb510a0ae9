// Zones for benchmarks: the reference zone (every answer path) and a generated zone of N names.
import { writeFileSync } from 'node:fs';
import type { Store } from '../../zones/store/sqlite.js';
import type { Rec } from '../../zones/model/types.js';
import { SERVER_ACTOR } from '../../zones/commit.js';
import { initialKeys } from '../../signer/keystore-sqlite.js';
import { hostZones } from '../../server/zone-host.js';

/** Store a signed zone (KSK + ZSK) through the commit pipeline, as `zone import` does. */
export function importRecords(store: Store, apex: string, records: Rec[], now: number): void {
  hostZones(store, { serving: false, now: () => now }).pipeline.commit(
    { kind: 'import', apex, records, makeKeys: () => initialKeys(now, false) }, SERVER_ACTOR);
}

/** The reference zone: apex data, TLSA, wildcards, CNAME/DNAME chains, ENTs, XMPP SRV, delegations. */
export function referenceZone(origin = 'example.com.'): string {
  const tlsa = '3 1 1 8cb0fc6c527506a053f4f14c8464bebbd6dede2738d11468dd953d7d6a3021f1';
  return `$ORIGIN ${origin}
$TTL 3600
@ SOA ns1 hostmaster 2024010101 7200 3600 1209600 300
@ NS ns1
@ NS ns2
@ MX 10 mail
@ A 192.0.2.1
ns1 A 192.0.2.53
ns2 A 192.0.2.54
mail A 192.0.2.25
mail AAAA 2001:db8::25
_25._tcp.mail TLSA ${tlsa}
www A 192.0.2.80
www AAAA 2001:db8::80
_443._tcp.www TLSA ${tlsa}
*.wild A 192.0.2.99
*.wild AAAA 2001:db8::99
*._tcp.host TLSA ${tlsa}
host A 192.0.2.10
alias CNAME chain
chain CNAME _443._tcp.www
dn DNAME target
_443._tcp.svc.target TLSA ${tlsa}
_xmpp-client._tcp SRV 5 0 5222 xmpp
_xmpp-server._tcp SRV 5 0 5269 xmpp
xmpp A 192.0.2.52
_5222._tcp.xmpp TLSA ${tlsa}
_5269._tcp.xmpp TLSA ${tlsa}
secure NS ns.secure
ns.secure A 192.0.2.200
secure DS 12345 13 2 8cb0fc6c527506a053f4f14c8464bebbd6dede2738d11468dd953d7d6a3021f1
insecure NS ns.other.net.
`;
}

/** A generated zone: the reference zone plus `n` hosts, each with A, and every tenth with TLSA. */
export function generatedZone(n: number, origin = 'example.com.'): string {
  const parts = [referenceZone(origin)];
  const tlsa = '3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6';
  for (let i = 0; i < n; i++) {
    parts.push(`h${i} A 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}\n`);
    if (i % 10 === 0) parts.push(`_443._tcp.h${i} TLSA ${tlsa}\n`);
  }
  return parts.join('');
}

export function writeZone(path: string, text: string): void {
  writeFileSync(path, text);
}
