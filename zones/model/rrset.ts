// RRset: the unit the zone model, the signer and the encoder all work in (RFC 2181 §5).
import type { Name } from './name.js';

/**
 * An immutable RRset. Edits replace the object, never mutate it — so anything cached
 * against an RRset object (signatures, encoded bytes) is invalidated exactly when the
 * RRset changes, by losing its key.
 */
export interface RRset {
  /**
   * Unique per RRset object in this process (never reused): a cheap identity for keys that
   * must name several RRsets at once, such as a reply's make-up in the response cache.
   */
  readonly id: number;
  readonly name: Name;
  readonly type: number;
  /** One TTL for the set (RFC 2181 §5.2). */
  readonly ttl: number;
  /** RDATA in uncompressed wire form, duplicates removed, sorted by wire octets (the signer re-sorts canonically, RFC 4034 §6.3). */
  readonly rdatas: readonly Buffer[];
}

let lastId = 0;

/** Build an RRset: drops duplicate RDATA (RFC 2181 §5) and sorts by wire octets. */
export function makeRRset(name: Name, type: number, ttl: number, rdatas: readonly Buffer[]): RRset {
  const sorted = [...rdatas].sort(Buffer.compare);
  const unique: Buffer[] = [];
  for (const r of sorted) if (unique.length === 0 || !unique[unique.length - 1].equals(r)) unique.push(r);
  return Object.freeze({ id: ++lastId, name, type, ttl, rdatas: Object.freeze(unique) });
}

/** Same records and TTL? Used to skip no-op edits. */
export function sameRRset(a: RRset | undefined, b: RRset | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.ttl !== b.ttl || a.rdatas.length !== b.rdatas.length) return false;
  for (let i = 0; i < a.rdatas.length; i++) if (!a.rdatas[i].equals(b.rdatas[i])) return false;
  return true;
}
