// What the API tells about a zone: serial, DNSSEC status, NSEC3 parameters, keys' public parts and the DS for the parent.
import type { Name } from '../../zones/model/name.js';
import { RRType } from '../../zones/model/types.js';
import { isDerivedRecord } from '../../zones/commit.js';
import { parseSettings } from '../../zones/settings.js';
import { rdataToText } from '../../zones/model/rdata/index.js';
import type { Zone } from '../../zones/zone.js';
import type { ZoneRow } from '../../zones/store/sqlite.js';
import { keyInfo } from '../../signer/keystore-sqlite.js';
import { wantsDs } from '../../signer/keystore.js';
import { dsRdata } from '../../signer/dnskey.js';
import type { ApiDeps } from './deps.js';
import { KeyPolicyStore } from '../../zones/store/key-policy-sqlite.js';
import { keyStatuses, zoneTtls } from '../keys/key-status.js';
import { ApiError, E } from './errors.js';
import { serialOf } from './edit.js';

/** The served zone and its row, or 404. */
export function servedZone(deps: ApiDeps, apex: Name): { zone: Zone; row: ZoneRow } {
  const zone = deps.zones.get(apex);
  const row = deps.store.zone(apex);
  if (!zone || !row) throw new ApiError(404, E.NOT_FOUND, `no such zone: ${apex}`, 'zone');
  return { zone, row };
}

/** Public parts of the zone's keys (the private halves never leave the store/signer), with their rollover state and next transition. */
export function publicKeys(deps: ApiDeps, apex: Name, row: ZoneRow) {
  const keys = deps.store.keys(row.id);
  const zone = deps.zones.get(apex);
  const status = keyStatuses(keys, KeyPolicyStore.of(deps.store).policy(row.id), zone ? zoneTtls(deps.zones, zone, keys) : undefined);
  const iso = (t: number) => new Date(t * 1000).toISOString();
  return keys.map((k) => {
    const info = keyInfo(apex, k);
    const next = status.get(k.id)?.next;
    return {
      keyTag: info.keyTag, role: info.role, algorithm: info.algorithm, flags: info.flags, active: info.active,
      createdAt: iso(k.created_at),
      dnskey: rdataToText(RRType.DNSKEY, info.dnskey),
      ds: info.role !== 'zsk' ? rdataToText(RRType.DS, dsRdata(apex, info.dnskey, 2)) : null,
      state: k.state, stateSince: iso(k.state_since),
      nextTransition: next ? { to: next.to, at: next.at === null ? null : iso(next.at) } : null,
    };
  });
}

/** DS records (SHA-256, RFC 4509) for the KSK/CSKs the CDS RRset lists (active, and ready during a rollover): what the parent should publish. */
export function dsRecords(deps: ApiDeps, apex: Name, row: ZoneRow): string[] {
  return publicKeys(deps, apex, row).filter((k) => wantsDs(k) && k.ds).map((k) => k.ds!);
}

/** signed, unsigned, or signed by its settings but without keys to sign with. */
export function dnssecState(deps: ApiDeps, apex: Name, row: ZoneRow): 'signed' | 'unsigned' | 'no_keys' {
  return !parseSettings(row.settings).signed ? 'unsigned' : deps.dnssec?.forApex(apex) ? 'signed' : 'no_keys';
}

export function zoneInfo(deps: ApiDeps, apex: Name) {
  const { zone, row } = servedZone(deps, apex);
  const settings = parseSettings(row.settings);
  const signer = deps.dnssec?.forApex(apex);
  let rrsets = 0;
  for (const r of zone.allRRsets()) if (!isDerivedRecord(r, apex)) rrsets++;
  return {
    name: apex,
    serial: serialOf(zone),
    rrsets,
    dnssec: {
      status: dnssecState(deps, apex, row),
      nsec3: settings.signed ? { ...settings.nsec3, chainLength: signer?.chain.size ?? 0 } : null,
      keys: deps.store.keys(row.id).length,
      ds: settings.signed ? dsRecords(deps, apex, row) : [],
    },
  };
}

export const zoneInfoSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' }, serial: { type: 'integer' }, rrsets: { type: 'integer' },
    dnssec: {
      type: 'object',
      properties: {
        status: { type: 'string', enum: ['signed', 'unsigned', 'no_keys'] },
        nsec3: {
          type: ['object', 'null'],
          properties: { iterations: { type: 'integer' }, salt: { type: 'string' }, optOut: { type: 'boolean' }, chainLength: { type: 'integer' } },
        },
        keys: { type: 'integer' },
        ds: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const;
