// The one way zones change: validate → store (one transaction) → apply to the served zone → tell listeners.
import type { Name } from './model/name.js';
import { RRType, isDnssecDerivedType, type Rec } from './model/types.js';
import type { Store, NewKey } from './store/sqlite.js';
import { buildZone } from './zone-build.js';
import { parseSettings, type ZoneSettings } from './settings.js';

export interface ImportOptions {
  replace?: boolean;
  now: number;
  /** Settings for a new zone (or to change on replace); defaults: signed, NSEC3 1 0 0 -. */
  settings?: Partial<ZoneSettings>;
  /**
   * Keys for a zone that has none yet — made by the caller (the signer layer), so this
   * module stays free of crypto. Existing keys are kept on replace: the parent's DS stays valid.
   */
  makeKeys?: () => NewKey[];
}

export interface ImportResult {
  apex: Name;
  records: number;
  rrsets: number;
  names: number;
  replaced: boolean;
  /** DNSSEC records in the input that we derive ourselves and therefore dropped. */
  droppedDnssec: number;
  keysCreated: number;
}

/** Records the signer makes for itself: RRSIG/NSEC/NSEC3/NSEC3PARAM anywhere, DNSKEY/CDS/CDNSKEY at the apex. */
export function isDerivedRecord(r: Rec, apex: Name): boolean {
  if (isDnssecDerivedType(r.type)) return true;
  return r.name === apex && (r.type === RRType.DNSKEY || r.type === RRType.CDS || r.type === RRType.CDNSKEY);
}

/**
 * Import a whole zone: semantic checks first (nothing is written when they fail), then one
 * transaction that creates or replaces it, with its keys. Running servers notice the commit.
 */
export function importZone(store: Store, apex: Name, input: Rec[], opts: ImportOptions): ImportResult {
  const existing = store.zone(apex);
  if (existing && !opts.replace) throw new Error(`zone ${apex} already exists; use --replace to overwrite it`);
  const settings = parseSettings({ ...(existing ? JSON.parse(existing.settings) : {}), ...(opts.settings ?? {}) });
  const records = settings.signed ? input.filter((r) => !isDerivedRecord(r, apex)) : input;
  const zone = buildZone(apex, records); // throws ZoneCheckError before anything is written
  let rrsets = 0;
  const rows: Rec[] = [];
  for (const rrset of zone.allRRsets()) {
    rrsets++;
    for (const rdata of rrset.rdatas) rows.push({ name: rrset.name, type: rrset.type, ttl: rrset.ttl, rdata });
  }
  let keysCreated = 0;
  store.transaction(() => {
    const id = store.createZone(apex, rows, { replace: opts.replace, now: opts.now, settings });
    if (settings.signed && store.keys(id).length === 0 && opts.makeKeys) {
      const keys = opts.makeKeys();
      store.addKeys(id, keys, opts.now);
      keysCreated = keys.length;
    }
  });
  return { apex, records: rows.length, rrsets, names: zone.nodes.size, replaced: !!existing, droppedDnssec: input.length - records.length, keysCreated };
}
