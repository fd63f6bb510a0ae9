// When each key of a zone moves to its next rollover state (RFC 7583), from the zone's policy and TTLs: a pure function of the clock.
//
// ZSK, pre-publication (RFC 6781 §4.1.1.1, RFC 7583 §3.2):
//   published ─(Ipub = Dprp + TTL(DNSKEY))→ active, and the old ZSK → retired
//   retired ─(Iret = Dsgn + Dprp + TTLsig)→ removed. Dsgn is 0: the commit that activates
//   the new key makes every signature anew with it.
// KSK/CSK, double DS (RFC 7583 §3.3.2) with CDS/CDNSKEY (RFC 7344, RFC 8078):
//   published ─(Dprp + TTL(DNSKEY))→ ready: signs the DNSKEY RRset, listed in CDS/CDNSKEY
//   next to the active key, so the parent is asked for both DS;
//   ready ─(the parent serves the new DS, then 2 × TTL(DS))→ active, the old key → retired
//   and out of CDS/CDNSKEY (the parent is asked for the new DS only);
//   retired ─(Dprp + TTL(DNSKEY), a CSK: + the largest TTL its signatures had)→ removed.
// A rollover starts when the active key of a role is `lifetime` old and none of that role
// is on its way in.
import type { KeyRole, KeyState } from './keystore.js';

export interface ScheduleKey {
  id: number;
  role: KeyRole;
  state: KeyState;
  /** Unix seconds the key entered its state. */
  since: number;
  /** A ready KSK/CSK: when its DS was first seen at the parent (null: not yet). */
  dsSeenAt: number | null;
}

export interface SchedulePolicy {
  zskLifetime: number;
  kskLifetime: number;
  cskLifetime: number;
  propagationDelay: number;
}

/** The zone's TTLs the waits are made of (seconds). */
export interface ZoneTtls {
  /** TTL of the DNSKEY RRset. */
  dnskey: number;
  /** The largest TTL of any signed RRset, negative answers' TTL included: how long a signature may sit in a cache. */
  maxSigned: number;
  /** TTL of the parent's DS RRset; undefined while unknown. */
  ds: number | undefined;
}

/** What a key does next: `to` at `at` (unix seconds), or `at` null while it waits for the parent's DS. */
export interface Transition { to: KeyState | 'removed' | 'rollover'; at: number | null }

export function lifetimeOf(role: KeyRole, p: SchedulePolicy): number {
  return role === 'zsk' ? p.zskLifetime : role === 'ksk' ? p.kskLifetime : p.cskLifetime;
}

/** The next transition of key `k` among `keys`; undefined when it has none (an active key that never rolls). */
export function nextTransition(k: ScheduleKey, keys: readonly ScheduleKey[], p: SchedulePolicy, ttl: ZoneTtls): Transition | undefined {
  const dprp = p.propagationDelay;
  switch (k.state) {
    case 'published':
      return { to: k.role === 'zsk' ? 'active' : 'ready', at: k.since + dprp + ttl.dnskey };
    case 'ready':
      return { to: 'active', at: k.dsSeenAt === null || ttl.ds === undefined ? null : k.dsSeenAt + 2 * ttl.ds };
    case 'retired':
      return { to: 'removed', at: k.since + dprp + (k.role === 'ksk' ? ttl.dnskey : Math.max(ttl.dnskey, ttl.maxSigned)) };
    case 'active': {
      const lifetime = lifetimeOf(k.role, p);
      if (lifetime <= 0) return undefined;
      const incoming = keys.some((o) => o.role === k.role && (o.state === 'published' || o.state === 'ready'));
      return incoming ? undefined : { to: 'rollover', at: k.since + lifetime };
    }
  }
}

/** What is due at `now`: keys to add (a rollover starting, per role), keys to move, keys to remove. */
export interface DueSteps {
  start: KeyRole[];
  moves: { id: number; state: KeyState }[];
  remove: number[];
}

/**
 * Every transition due at `now`, as one set of changes (one commit). A key becoming active
 * retires the active key of its role in the same step, so the role never has two active keys
 * nor none.
 */
export function dueSteps(keys: readonly ScheduleKey[], p: SchedulePolicy, ttl: ZoneTtls, now: number): DueSteps {
  const due: DueSteps = { start: [], moves: [], remove: [] };
  for (const k of keys) {
    const t = nextTransition(k, keys, p, ttl);
    if (!t || t.at === null || t.at > now) continue;
    if (t.to === 'removed') due.remove.push(k.id);
    else if (t.to === 'rollover') { if (!due.start.includes(k.role)) due.start.push(k.role); }
    else {
      due.moves.push({ id: k.id, state: t.to });
      if (t.to === 'active') {
        for (const o of keys) if (o.role === k.role && o.state === 'active') due.moves.push({ id: o.id, state: 'retired' });
      }
    }
  }
  return due;
}

export function nothingDue(d: DueSteps): boolean {
  return !d.start.length && !d.moves.length && !d.remove.length;
}
