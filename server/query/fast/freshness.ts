// The fast path's one freshness rule: what it made is reused only while no commit happened anywhere and for at most a minute.
import type { Registry } from '../../../zones/registry.js';
import { MIN_REFRESH } from '../../../signer/policy.js';

/**
 * The token of the zones' current contents: it moves on every commit to any zone. Read here
 * and nowhere else in the fast path, so the counter it comes from has one reader to follow
 * if it is renamed or replaced.
 */
export function freshnessToken(zones: Registry): number {
  return zones.generation;
}

/** How long (seconds) anything the fast path made may be reused: no zone's policy renews signatures later than this before they expire. */
export const MAX_AGE = MIN_REFRESH;

/**
 * Whether bytes made at `made` (unix seconds) under token `madeUnder` may be reused at `now`
 * under token `token`: no commit anywhere since, and at most MAX_AGE old. Signatures in them
 * stay far from expiry (refreshed days early), and a clock that stepped back must not see
 * signatures from its future.
 */
export function reusable(madeUnder: number, made: number, token: number, now: number): boolean {
  return madeUnder === token && now >= made && now <= made + MAX_AGE;
}
