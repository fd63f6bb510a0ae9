// Bounded cache of RRSIGs per RRset object: what makes on-the-fly signing cost one signature per RRset, not per query.
import type { RRset } from '../zones/model/rrset.js';
import { BoundedMap } from '../zones/util/bounded-map.js';

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
 */
export class SignatureCache extends BoundedMap<RRset, CachedSigs> {
  hits = 0;
  /** Served from the RRset's packed copy after the cache had let it go (kept-sigs.ts). */
  unpacked = 0;
  misses = 0;
  signed = 0;

  constructor(maxEntries = 500_000) {
    super(maxEntries);
  }
}
