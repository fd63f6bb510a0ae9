// Bounded cache of RRSIGs per RRset object: what makes on-the-fly signing cost one signature per RRset, not per query.
import type { RRset } from '../zones/model/rrset.js';

export interface CachedSigs {
  /** RRSIG RDATAs, one per signing key. */
  sigs: Buffer[];
  /** The signatures' inception (unix seconds): before it, they would not validate. */
  validFrom: number;
  /** Re-sign at or after this time (unix seconds): well before the earliest expiration. */
  refreshAt: number;
  /** Keys generation the signatures were made with: a key change makes them stale. */
  keysVersion: number;
}

/**
 * LRU keyed by RRset identity. RRsets are immutable and replaced on edit, so an edit
 * invalidates exactly the RRsets it replaced (their entries are deleted, and could never
 * be hit again anyway). Map iteration order is insertion order, so re-inserting on a hit
 * keeps the least recently used entry first.
 */
export class SignatureCache {
  private readonly map = new Map<RRset, CachedSigs>();
  hits = 0;
  misses = 0;
  signed = 0;

  constructor(readonly maxEntries = 500_000) {}

  get size(): number {
    return this.map.size;
  }

  get(rrset: RRset): CachedSigs | undefined {
    const e = this.map.get(rrset);
    if (e) {
      // Refresh recency only occasionally would be cheaper; a delete+set is two hash operations.
      this.map.delete(rrset);
      this.map.set(rrset, e);
    }
    return e;
  }

  /** Look without counting as a use (a journal reading what was served must not keep it alive). */
  peek(rrset: RRset): CachedSigs | undefined {
    return this.map.get(rrset);
  }

  set(rrset: RRset, e: CachedSigs): void {
    this.map.delete(rrset);
    this.map.set(rrset, e);
    if (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next().value as RRset;
      this.map.delete(oldest);
    }
  }

  delete(rrset: RRset): void {
    this.map.delete(rrset);
  }

  clear(): void {
    this.map.clear();
  }
}
