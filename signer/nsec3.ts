// NSEC3 primitives (RFC 5155): the hash, base32hex, type bitmaps, NSEC3 and NSEC3PARAM RDATA.
import { writeNameWire, type Name } from '../zones/model/name.js';
import { sha1Input as input, sha1OfInput } from './nsec3-sha1.js';

export const NSEC3_HASH_SHA1 = 1;
/** RFC 5155 §3.1.2.1: the Opt-Out flag is bit 7 (value 1) of the flags octet. */
export const NSEC3_FLAG_OPT_OUT = 1;
const SHA1_LEN = 20;

/**
 * Hashed owner name (RFC 5155 §5): IH(0) = H(wire || salt), IH(k) = H(IH(k−1) || salt),
 * result IH(iterations), over the lowercase, uncompressed wire name.
 */
export function nsec3Hash(name: Name, salt: Buffer, iterations: number): Buffer {
  return Buffer.from(nsec3HashString(name, salt, iterations), 'latin1');
}

/**
 * nsec3Hash as a binary (latin1) string, the form the NSEC3 chain sorts and searches.
 *
 * Runs once per NXDOMAIN/NODATA for a name the zone has never seen, so it is on the hot path.
 * It allocates nothing but the result: the name is written into the one input buffer of
 * nsec3-sha1.ts and the digest comes back as a latin1 string (a Buffer result costs more
 * than the SHA-1 itself; see bench/nsec3-hash.ts). Iterations dominate otherwise, which is
 * why RFC 9276 §3.1 says use iterations 0 and no salt; the loop exists for zones imported
 * with other parameters.
 */
export function nsec3HashString(name: Name, salt: Buffer, iterations: number): string {
  const n = writeNameWire(name, input, 0);
  // RFC 9276 §3.1 salts are empty: skip the copy (Buffer#copy costs a call into C++ even for nothing).
  if (salt.length > 0) salt.copy(input, n);
  let digest = sha1OfInput(n + salt.length);
  if (iterations > 0) {
    if (salt.length > 0) salt.copy(input, SHA1_LEN);
    for (let i = 0; i < iterations; i++) {
      input.write(digest, 0, 'latin1');
      digest = sha1OfInput(SHA1_LEN + salt.length);
    }
  }
  return digest;
}

const B32HEX = '0123456789abcdefghijklmnopqrstuv';
const B32HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 32; i++) {
  B32HEX_VALUE[B32HEX.charCodeAt(i)] = i;
  B32HEX_VALUE[B32HEX.toUpperCase().charCodeAt(i)] = i;
}

/** Base32 with the extended hex alphabet (RFC 4648 §7), lowercase, no padding (RFC 5155 §3.3). */
export function base32hexEncode(data: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < data.length; i++) {
    acc = ((acc << 8) | data[i]) & 0xffff;
    bits += 8;
    while (bits >= 5) { bits -= 5; out += B32HEX[(acc >>> bits) & 31]; }
  }
  if (bits > 0) out += B32HEX[(acc << (5 - bits)) & 31];
  return out;
}

/** Decode unpadded base32hex, case-insensitive; throws on bad characters or impossible lengths. */
export function base32hexDecode(text: string): Buffer {
  // 1, 3 and 6 leftover characters cannot come from whole octets (RFC 4648 §6).
  const rem = text.length % 8;
  if (rem === 1 || rem === 3 || rem === 6) throw new RangeError(`invalid base32hex length ${text.length}`);
  const out = Buffer.allocUnsafe(Math.floor((text.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? B32HEX_VALUE[c] : -1;
    if (v < 0) throw new RangeError(`invalid base32hex character ${JSON.stringify(text[i])}`);
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) { bits -= 8; out[o++] = (acc >>> bits) & 0xff; }
  }
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) throw new RangeError('non-zero trailing bits in base32hex');
  return out;
}

// One bitmap codec serves zone files and the signer (RFC 4034 §4.1.2 windows).
import { encodeBitmap as typeBitmap, decodeBitmap as typesFromBitmap } from '../zones/model/rdata/bitmap.js';
export { typeBitmap, typesFromBitmap };

export interface Nsec3ParamFields {
  hashAlgorithm: number;
  flags: number;
  iterations: number;
  salt: Buffer;
}

export interface Nsec3Fields extends Nsec3ParamFields {
  /** Raw (binary) next hashed owner name, 20 octets for SHA-1; or as a latin1 string. */
  nextHashed: Buffer | string;
  types: Iterable<number>;
  /** typeBitmap(types), when the caller has it already (the chain keeps one per type list). */
  bitmap?: Buffer;
}

function paramPrefix(f: Nsec3ParamFields, extra: number): { out: Buffer; o: number } {
  if (f.salt.length > 255) throw new RangeError('NSEC3 salt longer than 255 octets');
  if (f.iterations < 0 || f.iterations > 0xffff) throw new RangeError('NSEC3 iterations out of range');
  const out = Buffer.allocUnsafe(5 + f.salt.length + extra);
  out[0] = f.hashAlgorithm;
  out[1] = f.flags;
  out.writeUInt16BE(f.iterations, 2);
  out[4] = f.salt.length;
  f.salt.copy(out, 5);
  return { out, o: 5 + f.salt.length };
}

/** NSEC3 RDATA (RFC 5155 §3.2). */
export function nsec3Rdata(f: Nsec3Fields): Buffer {
  if (f.nextHashed.length < 1 || f.nextHashed.length > 255) throw new RangeError('bad NSEC3 next hashed owner length');
  const bitmap = f.bitmap ?? typeBitmap(f.types);
  const { out, o } = paramPrefix(f, 1 + f.nextHashed.length + bitmap.length);
  out[o] = f.nextHashed.length;
  if (typeof f.nextHashed === 'string') out.write(f.nextHashed, o + 1, 'latin1');
  else f.nextHashed.copy(out, o + 1);
  bitmap.copy(out, o + 1 + f.nextHashed.length);
  return out;
}

/**
 * NSEC3PARAM RDATA (RFC 5155 §4.2). Flags must be 0 when published (§4.1.2: the Opt-Out
 * bit belongs on NSEC3 records only), so a non-zero value is rejected here.
 */
export function nsec3paramRdata(f: Nsec3ParamFields): Buffer {
  if (f.flags !== 0) throw new RangeError('NSEC3PARAM flags must be 0 (RFC 5155 §4.1.2)');
  return paramPrefix(f, 0).out;
}

/** Owner name of the NSEC3 RR for a hash: base32hex(hash) as the first label under the zone (RFC 5155 §3). */
export function nsec3Owner(hash: Buffer, zone: Name): Name {
  return base32hexEncode(hash) + (zone === '.' ? '.' : '.' + zone);
}
