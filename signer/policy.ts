// Signature validity policy: when an RRSIG starts and ends, when to re-sign, and whether one may be served.
//
// The clock is always passed in (`now`, unix seconds) so behaviour is testable and only the
// outermost caller reads the real time. RRSIG times are 32-bit unsigned and compared with
// RFC 1982 serial arithmetic (RFC 4034 §3.1.5), so they keep working across 2106.
import { createHash } from 'node:crypto';
import type { Name } from '../zones/model/name.js';

const HOUR = 3600;
const DAY = 86400;

/**
 * The least time before expiry a zone's policy may renew signatures at (seconds): a reply
 * made with a signature is reused for up to this long (the fast path's MAX_AGE), and the
 * signature must outlive every reuse.
 */
export const MIN_REFRESH = 60;

/** Inception is backdated this much, for validators whose clocks run slow. */
export const SIGNATURE_SKEW = HOUR;

export interface ValidityOptions {
  /** Backdating of inception, to tolerate validators whose clocks run slow (default 1 h). */
  skew?: number;
  /** Base lifetime from now (default 14 days). */
  lifetime?: number;
  /** Maximum extra lifetime, spread per RRset so re-signing does not all happen at once (default 1 day). */
  jitter?: number;
  /** Seed for the jitter, e.g. validitySeed(owner, type); no seed → no jitter. */
  seed?: string | Buffer;
}

export interface Validity { inception: number; expiration: number }

/** A seed that is stable per RRset, so repeated signing of the same RRset picks the same offset. */
export function validitySeed(owner: Name, type: number): string {
  return `${owner}/${type}`;
}

/** Deterministic jitter in [0, max] derived from the seed. */
function jitterFor(seed: string | Buffer, max: number): number {
  if (max <= 0) return 0;
  return createHash('sha256').update(seed).digest().readUInt32BE(0) % (max + 1);
}

/** Reduce a time to the 32-bit RRSIG field value (RFC 4034 §3.1.5: modulo 2^32). */
export function toSerial32(t: number): number {
  return Math.floor(t) >>> 0;
}

/**
 * Signed 32-bit distance a − b under serial arithmetic (RFC 1982 §3.2): negative when a is
 * "before" b. Both arguments may be full unix times or 32-bit field values.
 */
export function serialDiff(a: number, b: number): number {
  return (toSerial32(a) - toSerial32(b)) | 0;
}

/**
 * Inception = base − skew; expiration = base + lifetime + per-RRset jitter. `base` is the
 * zone's signing epoch (zone-signer.ts), so that every process makes the same RRSIG.
 */
export function signatureValidity(base: number, opts: ValidityOptions = {}): Validity {
  const skew = opts.skew ?? SIGNATURE_SKEW;
  const lifetime = opts.lifetime ?? 14 * DAY;
  const jitter = opts.seed === undefined ? 0 : jitterFor(opts.seed, opts.jitter ?? DAY);
  return { inception: toSerial32(base - skew), expiration: toSerial32(base + lifetime + jitter) };
}

/**
 * Re-sign when less than `refreshBefore` (default 7 days) remains, or when the signature is
 * not yet valid (inception in the future: our clock stepped back, or a key import was wrong).
 */
export function needsRefresh(rrsig: Validity, now: number, refreshBefore = 7 * DAY): boolean {
  return serialDiff(rrsig.expiration, now) < refreshBefore || serialDiff(rrsig.inception, now) > 0;
}

/** A validator with our clock would accept it: inception ≤ now ≤ expiration (RFC 4035 §5.3.1). */
export function isServable(rrsig: Validity, now: number): boolean {
  return serialDiff(rrsig.inception, now) <= 0 && serialDiff(rrsig.expiration, now) >= 0;
}
