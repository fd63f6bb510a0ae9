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

/** FNV's low bits are weak: mix all 32 into the ones that pick a block. */
function blockOf(h: number, blockMask: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x45d9f3b);
  return (h ^ (h >>> 16)) & blockMask;
}

/** A second mix of the same hash, independent of blockOf's: each BLOCK_BITS of it, from the lowest, picks one slot in the block. */
function offsetsOf(h: number): number {
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}

/**
 * Each name counts in PROBES slots of one BLOCK-slot block, a 64-octet cache line: a probe
 * still reads one line, and three slots answer "no" far more often than one. The table grows
 * fourfold once it holds more than one name per SLOTS_PER_NAME slots, so it keeps 8 to 32
 * slots a name. Missing names that pass, measured with random labels: 3.8% at the fullest
 * (8 a name), 0.2% just after growing (32 a name); 0.4% on the bench zone (12,031 names, 22
 * a name) and 3.1% with 120,031 names (8.7 a name). One slot per name, in a table of 4 to 16
 * slots a name, would pass 16.6% and 10.8% of those two. Each pass costs a Map probe that
 * misses, the bucket and the entries' key strings, cold under a flood. A million names take
 * 16 MiB (16,777,216 slots).
 */
const PROBES = 3;
const BLOCK_BITS = 6;
const BLOCK = 1 << BLOCK_BITS;
const SLOTS_PER_NAME = 8;
const MIN_SLOTS = 1024;
/** A counter that reached this stays there (it may then say "maybe" for ever, never "no" wrongly). */
const STUCK = 255;

/**
 * A counting filter over a set of names: `mayHold(h)` false means no name with hash `h` is in
 * the set; true means there may be one. A random-label flood asks the zone about a name that
 * is not there on every query, and a Map miss on a large zone costs a few cache misses (the
 * bucket, then each colliding entry's key string); one line of this table, far smaller than
 * the Map, answers most of them. Counters, not bits, so a name can be removed; a counter that
 * saturates is never decremented again, which keeps every answer safe.
 */
export class NameFilter {
  private counts = new Uint8Array(MIN_SLOTS);
  /** The bits of a slot index that pick its block: the table size less one, without the low BLOCK_BITS. */
  private blockMask = MIN_SLOTS - BLOCK;
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
    const counts = this.counts, base = blockOf(h, this.blockMask);
    for (let i = 0, o = offsetsOf(h); i < PROBES; i++, o >>>= BLOCK_BITS) if (counts[base | (o & (BLOCK - 1))] === 0) return false;
    return true;
  }

  /** Count the name in (or out of) its PROBES slots; a slot picked twice counts it twice, in and out alike. */
  private bump(name: Name, by: 1 | -1): void {
    const h = suffixHash(name, 0, name.length, SUFFIX_HASH_SEED);
    const base = blockOf(h, this.blockMask);
    for (let i = 0, o = offsetsOf(h); i < PROBES; i++, o >>>= BLOCK_BITS) {
      const slot = base | (o & (BLOCK - 1));
      const c = this.counts[slot];
      if (c !== STUCK) this.counts[slot] = c + by;
    }
  }

  /** Size the table for the names held now, doubled, and count them all again (stuck counters start afresh). */
  private rebuild(): void {
    const size = powerOfTwoAtLeast(Math.max(MIN_SLOTS, 2 * this.names * SLOTS_PER_NAME));
    this.counts = new Uint8Array(size);
    this.blockMask = size - BLOCK;
    for (const n of this.all()) this.bump(n, 1);
  }
}
