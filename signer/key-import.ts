// Import an existing ECDSA P-256 private key (BIND/ldns "K*.private" file, PKCS#8 or SEC1 PEM) into PKCS#8 DER.
//
// Errors name the problem (wrong algorithm, wrong curve, bad scalar) but never echo key material.
import { createECDH, createPrivateKey, type KeyObject } from 'node:crypto';
import { KeyFormatError, assertP256, publicKeyFromPrivate, ALG_ECDSAP256SHA256 } from './algorithms.js';

export interface ImportedKey {
  privateKeyPkcs8: Buffer;
  /** 64-octet x||y, as it goes into the DNSKEY. */
  publicKey: Buffer;
}

/** Import from either supported text format, chosen by content. */
export function importPrivateKey(text: string): ImportedKey {
  if (/^\s*Private-key-format:/m.test(text)) return importBindPrivate(text);
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return importPem(text);
  throw new KeyFormatError('unrecognised key file: expected a BIND "Private-key-format" file or a PEM private key');
}

function finish(key: KeyObject): ImportedKey {
  assertP256(key);
  return { privateKeyPkcs8: key.export({ type: 'pkcs8', format: 'der' }), publicKey: publicKeyFromPrivate(key) };
}

/**
 * BIND private-key format v1.x (as written by dnssec-keygen and ldns-keygen): "Field: value"
 * lines; for algorithm 13 the key is "PrivateKey:" = base64 of the big-endian scalar (32
 * octets, fewer when it has leading zeros).
 */
export function importBindPrivate(text: string): ImportedKey {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z0-9-]+):\s*(.*?)\s*$/.exec(line);
    if (m) fields.set(m[1].toLowerCase(), m[2]);
  }
  const format = fields.get('private-key-format');
  if (!format || !/^v1\.\d+$/.test(format)) throw new KeyFormatError(`unsupported Private-key-format ${JSON.stringify(format ?? '')}; expected v1.x`);
  const algText = fields.get('algorithm');
  const alg = algText === undefined ? NaN : parseInt(algText, 10);
  if (alg !== ALG_ECDSAP256SHA256) {
    throw new KeyFormatError(`unsupported DNSSEC algorithm ${algText ?? '(missing)'}: only 13 (ECDSAP256SHA256) is supported`);
  }
  const b64 = fields.get('privatekey');
  if (!b64) throw new KeyFormatError('missing PrivateKey field');
  const raw = Buffer.from(b64, 'base64');
  // ldns (and OpenSSL's BN_bn2bin behind it) writes the scalar without leading zero octets, so
  // one key in 256 is 31 octets long: pad it back to 32, as the big-endian number it is.
  if (raw.length === 0 || raw.length > 32) throw new KeyFormatError(`PrivateKey must decode to at most 32 octets for P-256, got ${raw.length}`);
  const d = Buffer.concat([Buffer.alloc(32 - raw.length), raw]);
  return fromScalar(d);
}

/** Build a KeyObject from a raw P-256 scalar; OpenSSL derives the public point and range-checks d. */
function fromScalar(d: Buffer): ImportedKey {
  let pub: Buffer;
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(d);
    pub = ecdh.getPublicKey(); // 0x04 || x || y
  } catch {
    throw new KeyFormatError('PrivateKey is not a valid P-256 scalar');
  }
  const b64u = (b: Buffer) => b.toString('base64url');
  const key = createPrivateKey({
    key: { kty: 'EC', crv: 'P-256', d: b64u(d), x: b64u(pub.subarray(1, 33)), y: b64u(pub.subarray(33, 65)) },
    format: 'jwk',
  });
  return finish(key);
}

/** PKCS#8 ("BEGIN PRIVATE KEY") or SEC1 ("BEGIN EC PRIVATE KEY") PEM; encrypted PEM is refused. */
export function importPem(pem: string): ImportedKey {
  if (/ENCRYPTED/.test(pem)) throw new KeyFormatError('encrypted PEM keys are not supported; decrypt it first (openssl pkey)');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (e) {
    throw new KeyFormatError(`cannot parse PEM private key: ${(e as Error).message}`);
  }
  return finish(key);
}
