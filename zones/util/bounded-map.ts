// A size-bounded map with approximate LRU eviction in O(1): two generations of plain Maps.

/** An optional second bound: `of` weighs a value (its bytes, say), `max` bounds the total. */
export interface WeightBound<V> {
  of: (value: V) => number;
  max: number;
}

/**
 * Bounded by entry count, and optionally by weight: a generation also closes when the
 * weights of the values put into it reach half of `weight.max`. Weights
 * are counted when a value is put and never subtracted, so an overwrite counts twice and the
 * map holds at most `weight.max` plus one value's weight per generation.
 *
 * Hits in the current generation cost one Map probe (a strict LRU's delete+reinsert per hit
 * measured as a quarter of the whole query path when used for signatures). When the current
 * generation holds half the budget it becomes the old one, and the previous old generation —
 * entries unused for a whole generation — is dropped. A hit in the old generation promotes.
 */
export class BoundedMap<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private youngWeight = 0;

  constructor(readonly maxEntries: number, private readonly weight?: WeightBound<V>) {}

  get size(): number {
    return this.young.size + this.old.size;
  }

  get(key: K): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined) return v;
    const o = this.old.get(key);
    if (o !== undefined) {
      this.old.delete(key);
      this.put(key, o);
    }
    return o;
  }

  /** Look without counting as a use (a journal reading what was served must not keep it alive). */
  peek(key: K): V | undefined {
    return this.young.get(key) ?? this.old.get(key);
  }

  set(key: K, value: V): void {
    this.old.delete(key);
    this.put(key, value);
  }

  private put(key: K, value: V): void {
    this.young.set(key, value);
    if (this.weight) this.youngWeight += this.weight.of(value);
    if (this.young.size >= Math.max(1, this.maxEntries >> 1) || (this.weight && this.youngWeight >= this.weight.max / 2)) {
      this.old = this.young;
      this.young = new Map();
      this.youngWeight = 0;
    }
  }

  delete(key: K): void {
    this.young.delete(key);
    this.old.delete(key);
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
    this.youngWeight = 0;
  }
}
