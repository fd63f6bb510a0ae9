// Turn a flat list of records (from a zone file or the store) into a checked in-memory Zone.
import { type Name, isInZone } from './model/name.js';
import type { Rec } from './model/types.js';
import { makeRRset } from './model/rrset.js';
import { Zone, newDelta } from './zone.js';
import { checkZone, ZoneCheckError } from './zone-check.js';

/**
 * Group records into RRsets and build the zone. An RRset's TTL is its first record's TTL,
 * as BIND does (RFC 2181 §5.2 forbids mixed TTLs; the first one wins). Throws
 * ZoneCheckError when `check` and the zone breaks a rule.
 */
export function buildZone(apex: Name, records: Iterable<Rec>, check = true): Zone {
  const groups = new Map<string, { name: Name; type: number; ttl: number; rdatas: Buffer[] }>();
  const outside: string[] = [];
  for (const r of records) {
    if (!isInZone(r.name, apex)) {
      if (outside.length < 5) outside.push(`${r.name} is outside the zone ${apex}`);
      continue;
    }
    const key = `${r.type} ${r.name}`;
    const g = groups.get(key);
    if (g) g.rdatas.push(r.rdata);
    else groups.set(key, { name: r.name, type: r.type, ttl: r.ttl, rdatas: [r.rdata] });
  }
  if (outside.length && check) throw new ZoneCheckError(outside);
  const zone = new Zone(apex);
  const delta = newDelta();
  for (const g of groups.values()) zone.setRRset(g.name, g.type, makeRRset(g.name, g.type, g.ttl, g.rdatas), delta);
  if (check) checkZone(zone);
  return zone;
}
