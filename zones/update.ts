// The one way zones change: validate → store (one transaction) → apply to the served zone → tell listeners.
import type { Name } from './model/name.js';
import type { Rec } from './model/types.js';
import type { Store } from './store/sqlite.js';
import { buildZone } from './zone-build.js';

/** Import over an existing zone without `replace`: a user error, reported as one line. */
export class ZoneExistsError extends Error {
  override name = 'ZoneExistsError';
}

export interface ImportResult {
  apex: Name;
  records: number;
  rrsets: number;
  names: number;
  replaced: boolean;
}

/**
 * Import a whole zone: semantic checks first (nothing is written when they fail), then one
 * transaction that creates or replaces it. Running servers notice the commit and reload.
 */
export function importZone(store: Store, apex: Name, records: Rec[], opts: { replace?: boolean; now: number }): ImportResult {
  const zone = buildZone(apex, records); // throws ZoneCheckError before anything is written
  const existed = store.zone(apex) !== undefined;
  if (existed && !opts.replace) throw new ZoneExistsError(`zone ${apex} already exists; use --replace to overwrite it`);
  let rrsets = 0;
  const rows: Rec[] = [];
  for (const rrset of zone.allRRsets()) {
    rrsets++;
    for (const rdata of rrset.rdatas) rows.push({ name: rrset.name, type: rrset.type, ttl: rrset.ttl, rdata });
  }
  store.createZone(apex, rows, { replace: opts.replace, now: opts.now });
  return { apex, records: rows.length, rrsets, names: zone.nodes.size, replaced: existed };
}
