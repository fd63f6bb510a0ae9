// ECDSA P-256 with SHA-256 (DNSSEC algorithm 13, RFC 6605): key generation, signing, verification.
//
// Two backends, on purpose:
//  * Signing is deterministic (RFC 6979, deterministic-ecdsa.ts), with the point
//    multiplication in OpenSSL: every worker process, and the same process after a restart,
//    makes the same RRSIG for the same RRset, which IXFR relies on.
//  * Verification uses @noble/curves, a pure-JS implementation that shares no code with
//    OpenSSL, so tests that sign with one and verify with the other catch encoding mistakes
//    (DER vs r||s, missing 0x04 point prefix) that a self-consistent backend would hide.
//
// Wire forms (RFC 6605 §4): the public key is x||y (64 octets, no SEC1 0x04 prefix) and the
// signature is r||s (64 octets, each big-endian, left-padded) — OpenSSL's "ieee-p1363" form.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { signP256Deterministic } from './deterministic-ecdsa.js';

export const ALG_ECDSAP256SHA256 = 13;
export const P256_PUBLIC_KEY_LENGTH = 64;
export const P256_SIGNATURE_LENGTH = 64;

export class KeyFormatError extends Error {}

/** A fresh P-256 key pair: PKCS#8 DER for the key store, x||y for the DNSKEY. */
export function generateKeyPair(): { privateKeyPkcs8: Buffer; publicKey: Buffer } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privateKeyPkcs8: privateKey.export({ type: 'pkcs8', format: 'der' }),
    publicKey: publicKeyFromPrivate(privateKey),
  };
}

/** Load a PKCS#8 DER private key, insisting that it is a P-256 EC key. */
export function privateKeyFromPkcs8(der: Buffer): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch (e) {
    throw new KeyFormatError(`not a PKCS#8 private key: ${(e as Error).message}`);
  }
  assertP256(key);
  return key;
}

/** Throws unless `key` is an EC key on P-256 (prime256v1). */
export function assertP256(key: KeyObject): void {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== 'ec' || curve !== 'prime256v1') {
    throw new KeyFormatError(`expected an ECDSA P-256 key, got ${key.asymmetricKeyType ?? '?'}${curve ? ' ' + curve : ''}`);
  }
}

/** The 64-octet x||y public key of a P-256 private (or public) KeyObject. */
export function publicKeyFromPrivate(key: KeyObject): Buffer {
  assertP256(key);
  // An uncompressed P-256 SubjectPublicKeyInfo is a fixed 26-byte header + 0x04 + x + y.
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  if (spki.length !== 91 || spki[26] !== 0x04) throw new KeyFormatError('unexpected P-256 SPKI encoding');
  return Buffer.from(spki.subarray(27));
}

/** Sign `data` (SHA-256 inside) and return r||s, 64 octets (RFC 6605 §4); the same inputs give the same signature. */
export function signP256(privateKey: KeyObject, data: Buffer): Buffer {
  return signP256Deterministic(privateKey, data);
}

/**
 * Verify an r||s signature over `data` with a 64-octet x||y key, using @noble/curves.
 * lowS is off: ECDSA as used by DNSSEC has no low-S rule and OpenSSL emits high-S half the time.
 */
export function verifyP256(publicKey64: Buffer, data: Buffer, sig: Buffer): boolean {
  if (publicKey64.length !== P256_PUBLIC_KEY_LENGTH || sig.length !== P256_SIGNATURE_LENGTH) return false;
  const sec1 = new Uint8Array(65);
  sec1[0] = 0x04;
  sec1.set(publicKey64, 1);
  try {
    return p256.verify(sig, data, sec1, { prehash: true, lowS: false });
  } catch {
    return false; // point not on the curve, r or s out of range
  }
}
