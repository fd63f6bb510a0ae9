// The RRsets at one owner name, by type: a Map's interface over one small flat array.

import type { RRset } from './rrset.js';

/**
 * A name holds a handful of types at most, and a zone holds a million names. A Map per name
 * costs ~230 B before its first entry (its hash table is pre-sized); this costs an object
 * and an array of exactly 2 × size slots, and a linear scan over ≤ 10 types is as fast as a
 * hash probe. Insertion order is kept, as a Map keeps it.
 */
export class TypeMap {
  /** [type, rrset, type, rrset, …]. */
  private slots: (number | RRset)[] = EMPTY;

  get size(): number {
    return this.slots.length >> 1;
  }

  private indexOf(type: number): number {
    const s = this.slots;
    for (let i = 0; i < s.length; i += 2) if (s[i] === type) return i;
    return -1;
  }

  get(type: number): RRset | undefined {
    const i = this.indexOf(type);
    return i < 0 ? undefined : (this.slots[i + 1] as RRset);
  }

  has(type: number): boolean {
    return this.indexOf(type) >= 0;
  }

  set(type: number, rrset: RRset): this {
    const i = this.indexOf(type);
    // Copy on write (an iteration in progress keeps the array it started on); slice and
    // concat allocate exactly what they hold, where push would leave room for 16 more.
    if (i >= 0) {
      const next = this.slots.slice();
      next[i + 1] = rrset;
      this.slots = next;
    } else {
      this.slots = this.slots.concat([type, rrset]);
    }
    return this;
  }

  delete(type: number): boolean {
    const i = this.indexOf(type);
    if (i < 0) return false;
    const next = this.slots.slice(0, i).concat(this.slots.slice(i + 2));
    this.slots = next.length ? next : EMPTY;
    return true;
  }

  *keys(): IterableIterator<number> {
    const s = this.slots;
    for (let i = 0; i < s.length; i += 2) yield s[i] as number;
  }

  *values(): IterableIterator<RRset> {
    const s = this.slots;
    for (let i = 1; i < s.length; i += 2) yield s[i] as RRset;
  }
}

const EMPTY: (number | RRset)[] = Object.freeze([]) as unknown as (number | RRset)[];
