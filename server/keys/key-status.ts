// A zone's keys as the CLI and the API show them: state, since when, and the next transition with its time, from the policy and the zone's TTLs.
import type { Name } from '../../zones/model/name.js';
import { parentName } from '../../zones/model/name.js';
import { RRType } from '../../zones/model/types.js';
import { soaMinimum } from '../../zones/model/rdata/index.js';
import type { Zone } from '../../zones/zone.js';
import type { RRset } from '../../zones/model/rrset.js';
import type { Registry } from '../../zones/registry.js';
import type { KeyRow } from '../../zones/store/sqlite.js';
import type { KeyPolicy } from '../../zones/store/key-policy-sqlite.js';
import { nextTransition, type ScheduleKey, type Transition, type ZoneTtls } from '../../signer/key-schedule.js';

const maxTtlCache = new WeakMap<Zone, { soa: RRset; max: number }>();

/**
 * The largest TTL a signature of the zone may be cached with: every RRset's, and negative
 * answers' (RFC 2308 §5). Kept until the SOA changes (every commit gives it a new serial).
 */
export function maxSignedTtl(zone: Zone): number {
  const soa = zone.soa;
  const c = maxTtlCache.get(zone);
  if (c && c.soa === soa) return c.max;
  let max = Math.min(soa.ttl, soaMinimum(soa.rdatas[0]));
  for (const r of zone.allRRsets()) if (r.ttl > max) max = r.ttl;
  maxTtlCache.set(zone, { soa, max });
  return max;
}

/** The parent zone when it is hosted here and delegates `apex` (NS at the child's name): its DS is ours to set. */
export function hostedParent(zones: Registry, apex: Name): Zone | undefined {
  if (apex === '.') return undefined;
  const parent = zones.find(parentName(apex));
  return parent && parent.apex !== apex && parent.rrset(apex, RRType.NS) ? parent : undefined;
}

/**
 * The TTLs a zone's key waits are made of. The DS TTL is the hosted parent's, or the largest
 * one the parent was seen serving a ready key's DS with (`keys`).
 */
export function zoneTtls(zones: Registry, zone: Zone, keys: readonly Pick<KeyRow, 'ds_ttl'>[] = []): ZoneTtls {
  const parent = hostedParent(zones, zone.apex);
  const seen = keys.map((k) => k.ds_ttl).filter((t): t is number => t !== null);
  const ds = parent ? (parent.rrset(zone.apex, RRType.DS)?.ttl ?? parent.rrset(zone.apex, RRType.NS)!.ttl) : seen.length ? Math.max(...seen) : undefined;
  return { dnskey: zone.rrset(zone.apex, RRType.DNSKEY)?.ttl ?? zone.soa.ttl, maxSigned: maxSignedTtl(zone), ds };
}

export function scheduleKey(k: KeyRow): ScheduleKey {
  return { id: k.id, role: k.role, state: k.state, since: k.state_since, dsSeenAt: k.ds_seen_at };
}

export interface KeyStatus {
  state: KeyRow['state'];
  since: number;
  next: Transition | undefined;
}

/** Each key's state and next transition (undefined `ttls`: the zone is not loaded, no times). */
export function keyStatuses(keys: readonly KeyRow[], policy: KeyPolicy, ttls: ZoneTtls | undefined): Map<number, KeyStatus> {
  const sk = keys.map(scheduleKey);
  const out = new Map<number, KeyStatus>();
  for (const k of sk) out.set(k.id, { state: k.state, since: k.since, next: ttls ? nextTransition(k, sk, policy, ttls) : undefined });
  return out;
}

/** "active → retired at 2026-…Z", "ready → active once the parent serves the DS", or "" */
export function transitionText(t: Transition | undefined): string {
  if (!t) return '';
  if (t.at === null) return `${t.to} once the parent serves its DS (then 2 × DS TTL)`;
  return `${t.to} at ${new Date(t.at * 1000).toISOString()}`;
}
