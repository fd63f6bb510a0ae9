// Which names a zone cannot hold, told from a small counting table before any Map probe.
import type { Name } from './name.js';
import { powerOfTwoAtLeast } from '../util/power-of-two.js';

/** Seed of suffixHash: the hash of the empty suffix. */
export const SUFFIX_HASH_SEED = 0x811c9dc5;

/**
 * FNV-1a over `name[start..end)` read right to left, continuing from `h`, the hash of
 * `name[end..]`. Right to left so that one pass over a query name yields the hash of every
 * suffix on the way: a lookup walking down from the apex extends the hash by one label per
 * step instead of hashing each ancestor afresh.
 */
export function suffixHash(name: Name, start: number, end: number, h: number): number {
  for (let i = end - 1; i >= start; i--) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h;
}

/** FNV's low bits are weak: mix all 32 into the ones that pick a slot. */
function slotOf(h: number, mask: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x45d9f3b);
  return (h ^ (h >>> 16)) & mask;
}

/**
 * The table grows when it has fewer slots per name than this, to twice as many: 4 to 8 slots
 * per name (4 to 8 octets), so a missing name finds its slot taken (and probes the Map)
 * about one time in 9 on a freshly grown table and one in 5 just before it grows.
 */
const SLOTS_PER_NAME = 4;
const MIN_SLOTS = 1024;
/** A counter that reached this stays there (it may then say "maybe" for ever, never "no" wrongly). */
const STUCK = 255;

/**
 * A counting filter over a set of names: `mayHold(h)` false means no name with hash `h` is in
 * the set; true means there may be one. A random-label flood asks the zone about a name that
 * is not there on every query, and a Map miss on a large zone costs a few cache misses (the
 * bucket, then each colliding entry's key string); one byte from this table, far smaller than
 * the Map, answers most of them. Counters, not bits, so a name can be removed; a counter that
 * saturates is never decremented again, which keeps every answer safe.
 */
export class NameFilter {
  private counts = new Uint8Array(MIN_SLOTS);
  private mask = MIN_SLOTS - 1;
  private names = 0;

  /** `all` re-lists every name held, for growing the table (the caller owns the set). */
  constructor(private readonly all: () => Iterable<Name>) {}

  add(name: Name): void {
    if (++this.names * SLOTS_PER_NAME > this.counts.length) this.rebuild();
    else this.bump(name, 1);
  }

  remove(name: Name): void {
    this.names--;
    this.bump(name, -1);
  }

  /** Whether a name hashing to `h` (suffixHash of the whole name from the seed) may be held. */
  mayHold(h: number): boolean {
    return this.counts[slotOf(h, this.mask)] !== 0;
  }

  private bump(name: Name, by: 1 | -1): void {
    const slot = slotOf(suffixHash(name, 0, name.length, SUFFIX_HASH_SEED), this.mask);
    const c = this.counts[slot];
    if (c !== STUCK) this.counts[slot] = c + by;
  }

  /** Size the table for the names held now, doubled, and count them all again (stuck counters start afresh). */
  private rebuild(): void {
    const size = powerOfTwoAtLeast(Math.max(MIN_SLOTS, 2 * this.names * SLOTS_PER_NAME));
    this.counts = new Uint8Array(size);
    this.mask = size - 1;
    for (const n of this.all()) this.bump(n, 1);
  }
}
