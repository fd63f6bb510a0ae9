// Turn a flat list of records (from a zone file or the store) into a checked in-memory Zone.
import { type Name, isInZone } from './model/name.js';
import type { Rec } from './model/types.js';
import { makeRRset } from './model/rrset.js';
import { Zone, ignoredDelta } from './zone.js';
import { checkZone, ZoneCheckError } from './zone-check.js';

/**
 * Group records into RRsets and build the zone. An RRset's TTL is its first record's TTL,
 * as BIND does (RFC 2181 §5.2 forbids mixed TTLs; the first one wins). Throws
 * ZoneCheckError when `check` and the zone breaks a rule.
 */
export function buildZone(apex: Name, records: Iterable<Rec>, check = true): Zone {
  const zone = new Zone(apex);
  // Nobody consumes the delta of a fresh build; recording 10^6 touched names would only cost.
  const delta = ignoredDelta();
  const outside: string[] = [];
  let cur: { name: Name; type: number; ttl: number; rdatas: Buffer[] } | undefined;
  const flush = () => {
    if (!cur) return;
    // Records of one RRset usually arrive together (the store writes them so); when they do not,
    // merge with what is already there, keeping the first TTL.
    const have = zone.rrset(cur.name, cur.type);
    const rdatas = have ? [...have.rdatas, ...cur.rdatas] : cur.rdatas;
    zone.setRRset(cur.name, cur.type, makeRRset(cur.name, cur.type, have ? have.ttl : cur.ttl, rdatas), delta);
  };
  for (const r of records) {
    if (!isInZone(r.name, apex)) {
      if (outside.length < 5) outside.push(`${r.name} is outside the zone ${apex}`);
      continue;
    }
    if (cur && cur.name === r.name && cur.type === r.type) { cur.rdatas.push(r.rdata); continue; }
    flush();
    cur = { name: r.name, type: r.type, ttl: r.ttl, rdatas: [r.rdata] };
  }
  flush();
  if (outside.length && check) throw new ZoneCheckError(outside);
  if (check) checkZone(zone);
  return zone;
}
