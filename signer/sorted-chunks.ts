// A sorted sequence of entries keyed by a binary string, stored in chunks: edits move at most one chunk.

/**
 * One sorted array of a million entries would make every NSEC3 insert a 1.2M-element splice
 * (measured: 84% of an edit's time on a 1M-name zone, ~8 ms). Chunks of a few hundred keep
 * lookups at O(log n) — binary search over chunk heads, then inside one chunk — and make an
 * insert or removal touch one chunk only.
 *
 * Searches compare numbers, not strings: each chunk keeps the first 6 octets of every key as
 * a number in one Float64Array, and the chunk heads have one too. A random-label query's
 * search then reads two small contiguous arrays instead of chasing an entry and a string per
 * step (≈ 28 cache misses on a 10,000-name chain); full keys are compared only when
 * prefixes tie.
 *
 * The keys are NSEC3 hashes, spread evenly over their range, so a search starts where
 * interpolation puts the key and gallops from there: one or two probes land next to the
 * answer, where a binary search's first probes each touch a cache line of their own (7% of
 * a random-label flood's server time, measured). Any key order stays correct, just slower.
 */
interface Chunk<T> {
  items: T[];
  /** prefix(items[i].hash), kept in step with items. */
  keys: Float64Array;
}

/**
 * Whether entry i of a chunk sorts before (`key`, prefix `p`); with `inclusive`, an equal key
 * counts as before. A plain function, not a closure: a random-label query searches twice, and
 * two closures with their contexts per search would be a tenth of such a query's allocation.
 */
function isBefore<T extends { readonly hash: string }>(keys: Float64Array, items: readonly T[], i: number, p: number, key: string, inclusive: boolean): boolean {
  const k = keys[i];
  return k < p || (k === p && (inclusive ? items[i].hash <= key : items[i].hash < key));
}

/**
 * The first index i of `keys` (ascending prefixes of items[i].hash) whose entry is not
 * before (`key`, prefix `p`): after it when `inclusive` (an equal key counts as before), at
 * or after it otherwise. keys.length when every entry is before it.
 */
function firstNotBefore<T extends { readonly hash: string }>(keys: Float64Array, items: readonly T[], p: number, key: string, inclusive: boolean): number {
  const n = keys.length;
  if (n === 0) return 0;
  const first = keys[0], last = keys[n - 1];
  const guess = p <= first ? 0 : p >= last ? n - 1 : Math.floor(((p - first) / (last - first)) * (n - 1));
  // Bracket the answer by galloping from the guess, then bisect the bracket [lo, hi).
  let lo: number, hi: number;
  if (isBefore(keys, items, guess, p, key, inclusive)) {
    lo = guess + 1;
    let step = 1, probe = lo;
    while (probe < n && isBefore(keys, items, probe, p, key, inclusive)) { lo = probe + 1; probe = lo + step; step <<= 1; }
    hi = Math.min(probe, n);
  } else {
    hi = guess;
    let step = 1, probe = hi - 1;
    while (probe >= 0 && !isBefore(keys, items, probe, p, key, inclusive)) { hi = probe; probe = hi - step; step <<= 1; }
    lo = probe < 0 ? 0 : probe + 1;
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isBefore(keys, items, mid, p, key, inclusive)) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** The first 6 octets of a binary string as an exact integer (< 2^48), zero-padded. */
function prefix(key: string): number {
  let p = 0;
  for (let i = 0; i < 6; i++) p = p * 256 + (i < key.length ? key.charCodeAt(i) & 0xff : 0);
  return p;
}

export class SortedChunks<T extends { readonly hash: string }> {
  private chunks: Chunk<T>[] = [];
  /** prefix of each chunk's first key, and that first entry. */
  private heads = new Float64Array(0);
  private firsts: T[] = [];
  private count = 0;

  /** Positions are chunk × stride + index: a chunk holds at most 2 × chunkSize entries (insert splits it past that). */
  private readonly stride: number;

  constructor(private readonly chunkSize = 512) {
    this.stride = 2 * chunkSize + 1;
  }

  get size(): number {
    return this.count;
  }

  /** Replace the contents with `sorted` (ascending by hash, no duplicates). */
  reset(sorted: T[]): void {
    this.chunks = [];
    for (let i = 0; i < sorted.length; i += this.chunkSize) this.chunks.push(makeChunk(sorted.slice(i, i + this.chunkSize)));
    this.count = sorted.length;
    this.reindexHeads();
  }

  /** After chunks were added or removed (rare: a split every chunkSize inserts). */
  private reindexHeads(): void {
    const heads = new Float64Array(this.chunks.length);
    for (let i = 0; i < heads.length; i++) heads[i] = this.chunks[i].keys[0];
    this.heads = heads;
    this.firsts = this.chunks.map((c) => c.items[0]);
  }

  /** Where `key` is or would go: chunk index (the last whose first hash ≤ key; 0 when key is smallest) and position in it. */
  private locate(key: string, p = prefix(key)): { c: number; i: number } {
    const c = Math.max(0, firstNotBefore(this.heads, this.firsts, p, key, true) - 1);
    const chunk = this.chunks[c];
    return { c, i: firstNotBefore(chunk.keys, chunk.items, p, key, false) };
  }

  find(key: string): T | undefined {
    if (this.count === 0) return undefined;
    const { c, i } = this.locate(key);
    const e = this.chunks[c].items[i];
    return e && e.hash === key ? e : undefined;
  }

  /** The entry with this key if present, else the greatest entry below it, wrapping to the last (needs size > 0). */
  atOrBefore(key: string): T {
    return this.at(this.positionAtOrBefore(key));
  }

  /**
   * Where atOrBefore(key)'s entry sits, as one number: chunk × stride + index. It names that
   * entry until the next insert or remove. Found from the prefix arrays alone, so a caller that
   * keeps something per entry (the query path's ready cover bytes) can find it by position
   * without touching the entry itself, a cache miss per random-label query.
   */
  positionAtOrBefore(key: string): number {
    const p = prefix(key);
    const { c, i } = this.locate(key, p);
    const chunk = this.chunks[c];
    const items = chunk.items;
    // The entry at i matches only if its prefix does: testing that first spares a random-label
    // search two reads (the next entry and its hash string) that nothing else needs.
    if (i < items.length && chunk.keys[i] === p && items[i].hash === key) return c * this.stride + i;
    return this.positionBefore(c, i);
  }

  /** The position of the entry before index i of chunk c, wrapping from the very first to the very last. */
  private positionBefore(c: number, i: number): number {
    if (i > 0) return c * this.stride + i - 1;
    const w = c > 0 ? c - 1 : this.chunks.length - 1;
    return w * this.stride + this.chunks[w].items.length - 1;
  }

  /** The entry at a position from positionAtOrBefore (no insert or remove since). */
  at(position: number): T {
    const c = Math.floor(position / this.stride);
    return this.chunks[c].items[position - c * this.stride];
  }

  /** The entry after `e` in hash order, wrapping to the first. */
  after(e: T): T {
    const { c, i } = this.locate(e.hash);
    const items = this.chunks[c].items;
    if (i + 1 < items.length) return items[i + 1];
    return c + 1 < this.chunks.length ? this.chunks[c + 1].items[0] : this.chunks[0].items[0];
  }

  /** The entry before `e`, wrapping to the last. */
  before(e: T): T {
    const { c, i } = this.locate(e.hash);
    return this.at(this.positionBefore(c, i));
  }

  /** Insert `e`; returns false (and changes nothing) when its key is already present. */
  insert(e: T): boolean {
    if (this.count === 0) { this.chunks = [makeChunk([e])]; this.count = 1; this.reindexHeads(); return true; }
    const { c, i } = this.locate(e.hash);
    const chunk = this.chunks[c];
    if (i < chunk.items.length && chunk.items[i].hash === e.hash) return false;
    chunk.items.splice(i, 0, e);
    this.count++;
    // Keys move with one copy of the chunk's array; an edit on a million-name chain must not
    // recompute keys it did not change.
    const keys = new Float64Array(chunk.keys.length + 1);
    keys.set(chunk.keys.subarray(0, i));
    keys[i] = prefix(e.hash);
    keys.set(chunk.keys.subarray(i), i + 1);
    chunk.keys = keys;
    if (chunk.items.length > 2 * this.chunkSize) {
      const rest = chunk.items.splice(this.chunkSize);
      chunk.keys = keys.slice(0, this.chunkSize);
      this.chunks.splice(c + 1, 0, { items: rest, keys: keys.slice(this.chunkSize) });
      this.reindexHeads();
    } else if (i === 0) {
      this.heads[c] = keys[0];
      this.firsts[c] = e;
    }
    return true;
  }

  /** Remove the entry with `e`'s key; returns false when absent. */
  remove(e: T): boolean {
    if (this.count === 0) return false;
    const { c, i } = this.locate(e.hash);
    const chunk = this.chunks[c];
    if (i >= chunk.items.length || chunk.items[i].hash !== e.hash) return false;
    chunk.items.splice(i, 1);
    this.count--;
    if (chunk.items.length === 0) {
      this.chunks.splice(c, 1);
      this.reindexHeads();
      return true;
    }
    const keys = new Float64Array(chunk.keys.length - 1);
    keys.set(chunk.keys.subarray(0, i));
    keys.set(chunk.keys.subarray(i + 1), i);
    chunk.keys = keys;
    if (i === 0) { this.heads[c] = keys[0]; this.firsts[c] = chunk.items[0]; }
    return true;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (const chunk of this.chunks) yield* chunk.items;
  }
}

function keysOf<T extends { readonly hash: string }>(items: T[]): Float64Array {
  const keys = new Float64Array(items.length);
  for (let i = 0; i < items.length; i++) keys[i] = prefix(items[i].hash);
  return keys;
}

function makeChunk<T extends { readonly hash: string }>(items: T[]): Chunk<T> {
  return { items, keys: keysOf(items) };
}
