// Bounded cache of RRSIGs per RRset object, ready as Buffers: the hot layer over the packed copy each RRset keeps.
import type { RRset } from '../zones/model/rrset.js';
import { BoundedMap } from '../zones/util/bounded-map.js';

/** When signatures made together may be served (ZoneSigner.current checks it). */
export interface SigValidity {
  /** The signatures' inception (unix seconds): before it, they would not validate. */
  validFrom: number;
  /** Re-sign at or after this time (unix seconds): well before the earliest expiration. */
  refreshAt: number;
  /** Keys generation the signatures were made with: a key change makes them stale. */
  keysVersion: number;
}

export interface CachedSigs extends SigValidity {
  /** RRSIG RDATAs, one per signing key. */
  sigs: Buffer[];
}

/**
 * Keyed by RRset identity. RRsets are immutable and replaced on edit, so an edit invalidates
 * exactly the RRsets it replaced (their entries are deleted, and could never be hit again).
 * The same Buffer array per RRset also lets the encoder's wire pieces (rr-wire.ts) see by
 * identity that an RRset's signatures did not change.
 */
export class SignatureCache extends BoundedMap<RRset, CachedSigs> {
  hits = 0;
  /** Served from the RRset's packed copy after the cache had let it go (kept-sigs.ts). */
  unpacked = 0;
  misses = 0;
  signed = 0;

  // Since every signature is also kept packed on its RRset, a miss here costs an unpack
  // (~1 µs), not a signature: the bound only needs to cover the answers' working set (about
  // 23,000 RRsets, NSEC3 included, on the 10,000-name bench zone). On a million-name zone a
  // random flood misses it nearly always, and a bound of 100,000 entries costs 35–80 MB more
  // resident memory under that flood than 50,000 does.
  constructor(maxEntries = 50_000) {
    super(maxEntries);
  }
}
