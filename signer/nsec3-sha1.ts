// SHA-1 over one input buffer for NSEC3 hashes: the addon (signer/native/sha1.c) when built, node:crypto otherwise; the same digest either way.
import { loadAddon, availability } from '../zones/util/native-addon.js';
import { hash as oneShotHash } from 'node:crypto';

interface Addon {
  readonly arena: ArrayBuffer;
  digest(n: number): string;
}

/** A name (≤ 255 octets) and a salt (≤ 255): the longest NSEC3 hash input. */
const INPUT = 512;

const loaded = loadAddon<Addon>('sha1.node');

/** Whether the addon hashes here, and if not, why (the fallback is correct, only slower). */
export const nativeSha1 = availability(loaded);

/** Where a caller writes the message to hash: the addon's own memory, so nothing is copied or converted per call. */
export const sha1Input: Buffer = 'addon' in loaded ? Buffer.from(loaded.addon.arena, 0, INPUT) : Buffer.allocUnsafe(INPUT);

/** Views of the first n octets of sha1Input, made once per length (a subarray per hash would allocate). */
const views: Buffer[] = [];
// Node accepts every Buffer encoding for hash() output; @types/node lists only hex/base64 ones.
const cryptoLatin1 = oneShotHash as (a: string, d: Uint8Array, e: string) => string;

/** The same as sha1OfInput through node:crypto: the fallback, and the peer the tests and bench/nsec3-hash.ts compare with. */
export const sha1OfInputByCrypto = (n: number): string => cryptoLatin1('sha1', (views[n] ??= sha1Input.subarray(0, n)), 'latin1');

/** SHA-1 of sha1Input[0, n) as a 20-character latin1 string, the form the NSEC3 chain sorts. */
export const sha1OfInput: (n: number) => string = 'addon' in loaded ? loaded.addon.digest : sha1OfInputByCrypto;
