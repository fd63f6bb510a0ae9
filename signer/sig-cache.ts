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
 * Keyed by RRset identity. RRsets are immutable and replaced on edit, so an edit invalidates
 * exactly the RRsets it replaced (their entries are deleted, and could never be hit again).
 *
 * Bounded as an approximate LRU with two generations: hits in the current generation cost one
 * Map probe (a strict LRU's delete+reinsert per hit measured as a quarter of the whole query
 * path); when the current generation fills half the budget it becomes the old one, and the
 * previous old generation — entries not used for a whole generation — is dropped.
 */
export class SignatureCache {
  private young = new Map<RRset, CachedSigs>();
  private old = new Map<RRset, CachedSigs>();
  hits = 0;
  misses = 0;
  signed = 0;

  constructor(readonly maxEntries = 500_000) {}

  get size(): number {
    return this.young.size + this.old.size;
  }

  get(rrset: RRset): CachedSigs | undefined {
    const e = this.young.get(rrset);
    if (e) return e;
    const o = this.old.get(rrset);
    if (o) {
      this.old.delete(rrset);
      this.put(rrset, o);
    }
    return o;
  }

  set(rrset: RRset, e: CachedSigs): void {
    this.old.delete(rrset);
    this.put(rrset, e);
  }

  private put(rrset: RRset, e: CachedSigs): void {
    this.young.set(rrset, e);
    if (this.young.size >= Math.max(1, this.maxEntries >> 1)) {
      this.old = this.young;
      this.young = new Map();
    }
  }

  delete(rrset: RRset): void {
    this.young.delete(rrset);
    this.old.delete(rrset);
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
  }
}
