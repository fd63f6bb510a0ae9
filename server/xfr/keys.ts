// TSIG key management shared by the CLI and API: create (secret shown once), list without secrets, delete, look up.
import { randomBytes } from 'node:crypto';
import { parseName, type Name } from '../../zones/model/name.js';
import type { TsigAlgorithm, XfrStore } from '../../zones/store/xfr-sqlite.js';
import type { TsigKey } from '../wire/tsig.js';

/**
 * RFC 8945 §6. HMAC-SHA256 is the default; HMAC-MD5 and HMAC-SHA1 are here because clients
 * still default to them (certbot's RFC 2136 plugin, older nsupdate configurations).
 */
export const TSIG_ALGORITHMS: readonly TsigAlgorithm[] = ['hmac-sha256', 'hmac-sha512', 'hmac-sha384', 'hmac-sha224', 'hmac-sha1', 'hmac-md5'];

/** The hash's output length in octets: a generated secret is that long (RFC 8945 §6). */
const OUTPUT: Record<TsigAlgorithm, number> = { 'hmac-md5': 16, 'hmac-sha1': 20, 'hmac-sha224': 28, 'hmac-sha256': 32, 'hmac-sha384': 48, 'hmac-sha512': 64 };

export class TsigKeyError extends Error {
  /** `field`: the input at fault (name, algorithm, secret), for the admin API's 400s. */
  constructor(readonly code: 'invalid' | 'exists' | 'missing' | 'in_use', message: string, readonly field?: string) { super(message); }
}

/** Key names are domain names (RFC 8945 §4.2); we keep them lowercase, fully qualified. */
export function tsigKeyName(text: string): Name {
  try {
    return parseName(text.endsWith('.') ? text : text + '.').toLowerCase();
  } catch (err) {
    throw new TsigKeyError('invalid', `bad key name ${JSON.stringify(text)}: ${(err as Error).message}`, 'name');
  }
}

/**
 * Add a key. Without a secret one is generated with the hash's output length (RFC 8945 §6:
 * at least that long). Returns the secret in base64 — the only time it is ever shown.
 */
export function createTsigKey(xs: XfrStore, name: string, algorithm: string = 'hmac-sha256', secretB64: string | undefined, now: number):
  { name: Name; algorithm: TsigAlgorithm; secret: string; generated: boolean } {
  if (!TSIG_ALGORITHMS.includes(algorithm as TsigAlgorithm)) throw new TsigKeyError('invalid', `algorithm must be one of ${TSIG_ALGORITHMS.join(', ')}`, 'algorithm');
  const alg = algorithm as TsigAlgorithm;
  const key = tsigKeyName(name);
  let secret: Buffer;
  if (secretB64 !== undefined) {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(secretB64)) throw new TsigKeyError('invalid', 'secret must be base64', 'secret');
    secret = Buffer.from(secretB64, 'base64');
    if (secret.length < 16) throw new TsigKeyError('invalid', 'secret must be at least 16 bytes', 'secret');
  } else {
    secret = randomBytes(OUTPUT[alg]);
  }
  if (xs.tsigKey(key)) throw new TsigKeyError('exists', `TSIG key ${key} already exists`, 'name');
  xs.addTsigKey(key, alg, secret, now);
  return { name: key, algorithm: alg, secret: secret.toString('base64'), generated: secretB64 === undefined };
}

/** Keys as they may be shown: never the secret. */
export function listTsigKeys(xs: XfrStore): { name: Name; algorithm: TsigAlgorithm; created_at: number }[] {
  return xs.tsigKeys().map((k) => ({ name: k.name, algorithm: k.algorithm, created_at: k.created_at }));
}

export function deleteTsigKey(xs: XfrStore, name: string): void {
  const r = xs.deleteTsigKey(tsigKeyName(name));
  if (r === 'missing') throw new TsigKeyError('missing', `no TSIG key ${name}`, 'name');
  if (r === 'in_use') throw new TsigKeyError('in_use', `TSIG key ${name} is still named by a secondary or an update policy; remove those first`, 'name');
}

/** Read a key for signing/verifying; read from the store each time so CLI changes apply at once. */
export function lookupTsigKey(xs: XfrStore, name: Name): TsigKey | undefined {
  const row = xs.tsigKey(name.toLowerCase());
  return row ? { name: row.name, algorithm: row.algorithm, secret: row.secret } : undefined;
}
