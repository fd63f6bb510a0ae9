// Deterministic ECDSA over P-256 with SHA-256 (RFC 6979 §3.2): the same key and data always give the same signature.
//
// Why deterministic: a zone is served by several worker processes and survives restarts, and
// its secondaries follow it by IXFR. An IXFR step tells a secondary which RRSIGs to delete, so
// every process must have served exactly the RRSIG bytes the step names. With a random nonce
// each process signs differently; with RFC 6979 an RRSIG is a function of the key and the
// signed data alone, so any process, any time, makes the same one (RFC 6979 §3: "the
// signature is still a valid ECDSA signature", verifiers cannot tell).
//
// A small addon (signer/native/ecdsa.c, built by `npm ci`) signs in OpenSSL. Where it is not
// built, this file computes the same signatures: the point multiplication k·G, the expensive
// step, in OpenSSL (node:crypto's ECDH computes the public point of a private scalar),
// constant-time, and the rest as a few modular operations on BigInts, about 2.5 times the
// addon's time. The inversion of k is blinded with a random factor, so its variable-time
// BigInt arithmetic sees only a random value, never k.
import { createECDH, createHash, createHmac, randomBytes, type KeyObject } from 'node:crypto';
import { loadAddon, availability } from '../zones/util/native-addon.js';

const loaded = loadAddon<{ sign(d: Buffer, data: Buffer): Buffer }>('ecdsa.node');

/** Whether the addon signs here, and if not, why (the fallback gives the same signatures, more slowly). */
export const nativeEcdsa = availability(loaded);

/** The order n of the P-256 base point (FIPS 186-4 D.1.2.3). */
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

const toBig = (b: Buffer): bigint => BigInt(`0x${b.toString('hex')}`);
const to32 = (x: bigint): Buffer => Buffer.from(x.toString(16).padStart(64, '0'), 'hex');

/** The private scalar of each key, read once: BigInt for arithmetic, 32 octets for the nonce derivation. */
const scalars = new WeakMap<KeyObject, { d: bigint; octets: Buffer }>();

function scalarOf(key: KeyObject): { d: bigint; octets: Buffer } {
  let s = scalars.get(key);
  if (!s) {
    const jwk = key.export({ format: 'jwk' });
    if (typeof jwk.d !== 'string') throw new RangeError('not an EC private key');
    const octets = Buffer.from(jwk.d, 'base64url');
    s = { d: toBig(octets), octets };
    scalars.set(key, s);
  }
  return s;
}

/** The candidate nonces of RFC 6979 §3.2 (HMAC-SHA256 DRBG, qlen = hlen = 256), first to last. */
function* nonces(x: Buffer, h1: Buffer): Generator<bigint> {
  // bits2octets(h1): h1 as an integer reduced mod n (§2.3.4); qlen = 256, so no shift.
  const h = to32(toBig(h1) % N);
  let v: Buffer = Buffer.alloc(32, 0x01);
  let k: Buffer = Buffer.alloc(32, 0x00);
  const mac = (key: Buffer, ...parts: Buffer[]): Buffer => {
    const m = createHmac('sha256', key);
    for (const p of parts) m.update(p);
    return m.digest();
  };
  k = mac(k, v, Buffer.of(0x00), x, h); // step d
  v = mac(k, v); // step e
  k = mac(k, v, Buffer.of(0x01), x, h); // step f
  v = mac(k, v); // step g
  for (;;) {
    v = mac(k, v); // step h.2: one HMAC output is qlen bits
    const candidate = toBig(v);
    if (candidate > 0n && candidate < N) yield candidate;
    k = mac(k, v, Buffer.of(0x00)); // step h.3
    v = mac(k, v);
  }
}

function inverse(a: bigint): bigint {
  let r0 = a % N, r1 = N, s0 = 1n, s1 = 0n;
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return s0 < 0n ? s0 + N : s0;
}

const ecdh = createECDH('prime256v1');

/**
 * Sign `data` (hashed with SHA-256 here) with a P-256 private key; returns r||s, 64 octets
 * (RFC 6605 §4). Deterministic: RFC 6979 §3.2 nonce.
 */
export const signP256Deterministic: (key: KeyObject, data: Buffer) => Buffer = 'addon' in loaded
  ? (key, data) => loaded.addon.sign(scalarOf(key).octets, data)
  : (key, data) => signInJavaScript(key, data);

/** The same signature computed here (the fallback, and what the tests hold the addon to). */
export function signInJavaScript(key: KeyObject, data: Buffer): Buffer {
  const { d, octets } = scalarOf(key);
  const h1 = createHash('sha256').update(data).digest();
  // z: the leftmost 256 bits of the hash (all of them for P-256 with SHA-256).
  const z = toBig(h1);
  for (const k of nonces(octets, h1)) {
    ecdh.setPrivateKey(to32(k));
    const point = ecdh.getPublicKey(); // 0x04 || x || y
    const r = toBig(point.subarray(1, 33)) % N;
    if (r === 0n) continue;
    const blind = (toBig(randomBytes(32)) % (N - 1n)) + 1n;
    const kInverse = (inverse((k * blind) % N) * blind) % N;
    const s = (kInverse * ((z + r * d) % N)) % N;
    if (s === 0n) continue;
    return Buffer.concat([to32(r), to32(s)]);
  }
  throw new Error('unreachable: the nonce sequence is infinite');
}
