// Signatures kept with what they sign: an RRset's RRSIG RDATAs packed into one latin1 string.

/**
 * Why a string: one P-256 RRSIG kept this way costs ~130 octets of heap, against ~250 as an
 * array of Buffers (each Buffer object alone is ~100). A signing server keeps a signature for
 * every RRset of its zone — a million-name zone has 2.3 M RRsets counting NSEC3 — so this is
 * the difference between re-signing on every pass (AXFR, a random-label flood) and not.
 *
 * Layout: the keys generation (2 chars, mod 65536), then per RRSIG its length (2 chars) and
 * its RDATA, one char per octet.
 */
export function packSigs(keysVersion: number, sigs: readonly Buffer[]): string {
  let total = 2;
  for (const sig of sigs) total += 2 + sig.length;
  const b = Buffer.allocUnsafe(total);
  b.writeUInt16BE(keysVersion & 0xffff, 0);
  let at = 2;
  for (const sig of sigs) {
    b.writeUInt16BE(sig.length, at);
    sig.copy(b, at + 2);
    at += 2 + sig.length;
  }
  // One flat one-byte string (concatenating pieces would leave a rope holding every piece).
  return b.toString('latin1');
}

export interface UnpackedSigs {
  keysVersion: number;
  sigs: Buffer[];
}

export function unpackSigs(packed: string): UnpackedSigs {
  const b = Buffer.from(packed, 'latin1');
  const sigs: Buffer[] = [];
  for (let at = 2; at + 2 <= b.length; ) {
    const len = b.readUInt16BE(at);
    sigs.push(b.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  return { keysVersion: b.readUInt16BE(0), sigs };
}

/** Whether packed signatures were made with keys generation `keysVersion` (compared mod 65536, as packed). */
export function packedWith(packed: string, keysVersion: number): boolean {
  return packed.charCodeAt(0) === ((keysVersion >>> 8) & 0xff) && packed.charCodeAt(1) === (keysVersion & 0xff);
}

/**
 * The Signature Expiration and Inception of the first packed RRSIG, read from the string
 * without unpacking it (layout above); undefined when none is packed.
 */
export function packedTimes(packed: string): { expiration: number; inception: number } | undefined {
  if (packed.length < 4 + 16) return undefined;
  const u32 = (at: number): number =>
    ((packed.charCodeAt(at) << 24) | (packed.charCodeAt(at + 1) << 16) | (packed.charCodeAt(at + 2) << 8) | packed.charCodeAt(at + 3)) >>> 0;
  return { expiration: u32(4 + 8), inception: u32(4 + 12) };
}

/** RRSIG Signature Expiration and Inception (RFC 4034 §3.1.5: octets 8–15 of the RDATA). */
export function sigTimes(rrsig: Buffer): { expiration: number; inception: number } {
  return { expiration: rrsig.readUInt32BE(8), inception: rrsig.readUInt32BE(12) };
}
