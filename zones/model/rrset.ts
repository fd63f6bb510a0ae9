// RRset: the unit the zone model, the signer and the encoder all work in (RFC 2181 §5).
import type { Name } from './name.js';

/**
 * An immutable RRset. Edits replace the object, never mutate it — so anything cached
 * against an RRset object (signatures, encoded bytes) is invalidated exactly when the
 * RRset changes, by losing its key. The writable slots, `signatures` and `encoded`, are
 * such caches.
 */
export interface RRset {
  readonly name: Name;
  readonly type: number;
  /** One TTL for the set (RFC 2181 §5.2). */
  readonly ttl: number;
  /** RDATA in uncompressed wire form, duplicates removed, sorted by wire octets (the signer re-sorts canonically, RFC 4034 §6.3). */
  readonly rdatas: readonly Buffer[];
  /**
   * The RRSIGs the signer last made for this RRset, packed (signer/kept-sigs.ts). Kept on the
   * RRset itself because a zone needs one per RRset: a slot costs 8 octets, a Map entry per
   * RRset several times that, and the slot dies with the RRset an edit replaces. The signer
   * checks keys and validity times before using it.
   */
  signatures: string | undefined;
  /**
   * The encoder's ready wire pieces for this RRset (server/wire/rr-wire.ts) while it holds
   * them. A slot is found with the RRset itself; a Map keyed by RRset cost a probe into a
   * large hash table per RRset per reply. The encoder bounds how many RRsets hold pieces at
   * once and empties the slot of the oldest.
   */
  encoded: object | undefined;
}

/** Build an RRset: drops duplicate RDATA (RFC 2181 §5) and sorts by wire octets. */
export function makeRRset(name: Name, type: number, ttl: number, rdatas: readonly Buffer[]): RRset {
  const sorted = [...rdatas].sort(Buffer.compare);
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (n === 0 || !sorted[n - 1].equals(sorted[i])) sorted[n++] = sorted[i];
  // An array grown by push keeps room for 17 elements (≈130 B wasted per RRset, 140 MB on a
  // million-name zone); slice() gives one of exactly the right size.
  return { name, type, ttl, rdatas: Object.freeze(sorted.slice(0, n)), signatures: undefined, encoded: undefined };
}

/** Same records and TTL? Used to skip no-op edits. */
export function sameRRset(a: RRset | undefined, b: RRset | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.ttl !== b.ttl || a.rdatas.length !== b.rdatas.length) return false;
  for (let i = 0; i < a.rdatas.length; i++) if (!a.rdatas[i].equals(b.rdatas[i])) return false;
  return true;
}
