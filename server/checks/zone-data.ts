// What a check reads from our own zones (the store, the same in every process and the CLI): the zone holding a name, TLSA, SRV and address records.
import type { Store, ZoneRow } from '../../zones/store/sqlite.js';
import { isInZone, type Name } from '../../zones/model/name.js';
import { RRType } from '../../zones/model/types.js';
import { rdataToText } from '../../zones/model/rdata/index.js';
import { tlsaRecord, type TlsaRecord } from './tlsa-match.js';

/** The hosted zone `name` belongs to (longest suffix), or undefined. */
export function hostingZone(store: Store, name: Name): ZoneRow | undefined {
  let best: ZoneRow | undefined;
  for (const z of store.listZones()) {
    if (isInZone(name, z.name) && (!best || z.name.length > best.name.length)) best = z;
  }
  return best;
}

function rdatasAt(store: Store, name: Name, type: number): Buffer[] | undefined {
  const zone = hostingZone(store, name);
  if (!zone) return undefined;
  return store.recordsAt(zone.id, name).filter((r) => r.type === type).map((r) => r.rdata);
}

/** The TLSA RRset at `name` in our zones ([] when none). */
export function tlsaRecordsAt(store: Store, name: Name): TlsaRecord[] {
  return (rdatasAt(store, name, RRType.TLSA) ?? []).map(tlsaRecord);
}

/** A/AAAA of `host` from our zones, as address text; undefined when no zone of ours holds the name. */
export function ownAddresses(store: Store, host: Name): string[] | undefined {
  const a = rdatasAt(store, host, RRType.A);
  if (a === undefined) return undefined;
  const aaaa = rdatasAt(store, host, RRType.AAAA) ?? [];
  return [...a.map((r) => rdataToText(RRType.A, r)), ...aaaa.map((r) => rdataToText(RRType.AAAA, r))];
}

export interface SrvTarget { priority: number; weight: number; port: number; target: Name }

/** The SRV RRset at `name` from our zones; undefined when no zone of ours holds the name. */
export function ownSrv(store: Store, name: Name): SrvTarget[] | undefined {
  const rdatas = rdatasAt(store, name, RRType.SRV);
  if (rdatas === undefined) return undefined;
  return rdatas.map((rd) => {
    const [priority, weight, port, target] = rdataToText(RRType.SRV, rd).split(/\s+/);
    return { priority: Number(priority), weight: Number(weight), port: Number(port), target: target.toLowerCase() };
  });
}
