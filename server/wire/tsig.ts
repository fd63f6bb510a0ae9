// TSIG (RFC 8945): verify a signed request, sign replies — including the multi-message rules of long transfers.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Name, nameToWire } from '../../zones/model/name.js';
import { RRType, CLASS_ANY } from '../../zones/model/types.js';
import { appendRR } from './message-builder.js';
import { parseTsig, type TsigRecord } from './tsig-record.js';
import type { TsigAlgorithm } from '../../zones/store/xfr-sqlite.js';

export interface TsigKey {
  /** Key name as a lowercase Name ("xfr."). */
  name: Name;
  algorithm: TsigAlgorithm;
  secret: Buffer;
}

/** TSIG error codes (RFC 8945 §3, carried in the TSIG RR's Error field). */
export const TsigError = { NOERROR: 0, BADSIG: 16, BADKEY: 17, BADTIME: 18, BADTRUNC: 22 } as const;

/** Algorithm names on the wire (RFC 8945 §6; HMAC-MD5 keeps its historical name). */
const ALG_NAME: Record<TsigAlgorithm, Name> = {
  'hmac-md5': 'hmac-md5.sig-alg.reg.int.', 'hmac-sha1': 'hmac-sha1.', 'hmac-sha224': 'hmac-sha224.',
  'hmac-sha256': 'hmac-sha256.', 'hmac-sha384': 'hmac-sha384.', 'hmac-sha512': 'hmac-sha512.',
};
const ALG_HASH: Record<TsigAlgorithm, string> = {
  'hmac-md5': 'md5', 'hmac-sha1': 'sha1', 'hmac-sha224': 'sha224', 'hmac-sha256': 'sha256', 'hmac-sha384': 'sha384', 'hmac-sha512': 'sha512',
};
/** RFC 8945 §10: 300 s fudge is the recommended default. */
export const FUDGE = 300;

export { parseTsig, type TsigRecord } from './tsig-record.js';

function u16(n: number): Buffer { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; }
function u48(n: number): Buffer { const b = Buffer.alloc(6); b.writeUIntBE(n, 0, 6); return b; }

/** The TSIG variables of RFC 8945 §4.3.3 (all of them, or only the timers). */
function variables(key: TsigKey, t: { timeSigned: number; fudge: number; error: number; other: Buffer }, timersOnly: boolean): Buffer {
  const timers = Buffer.concat([u48(t.timeSigned), u16(t.fudge)]);
  if (timersOnly) return timers;
  return Buffer.concat([nameToWire(key.name), u16(CLASS_ANY), Buffer.alloc(4), nameToWire(ALG_NAME[key.algorithm]), timers,
    u16(t.error), u16(t.other.length), t.other]);
}

/** The message as it was before the TSIG was added: ARCOUNT − 1, original ID (RFC 8945 §4.3.2). */
function unsignedPart(msg: Buffer, tsigOffset: number, originalId: number): Buffer {
  const m = Buffer.from(msg.subarray(0, tsigOffset));
  m.writeUInt16BE(originalId, 0);
  m.writeUInt16BE(m.readUInt16BE(10) - 1, 10);
  return m;
}

function withLength(mac: Buffer): Buffer { return Buffer.concat([u16(mac.length), mac]); }

function hmac(key: TsigKey, parts: Buffer[]): Buffer {
  const h = createHmac(ALG_HASH[key.algorithm], key.secret);
  for (const p of parts) h.update(p);
  return h.digest();
}

function tsigRdata(key: TsigKey, t: { timeSigned: number; fudge: number; error: number; other: Buffer }, mac: Buffer, originalId: number): Buffer {
  return Buffer.concat([nameToWire(ALG_NAME[key.algorithm]), u48(t.timeSigned), u16(t.fudge), withLength(mac), u16(originalId), u16(t.error), withLength(t.other)]);
}

export type VerifyResult =
  | { ok: true; key: TsigKey; record: TsigRecord }
  /** `key` is set when the reply must be signed (BADTIME); otherwise it goes out with an empty MAC. */
  | { ok: false; error: number; record: TsigRecord; key?: TsigKey; reason: string };

/**
 * Verify the TSIG of a message (RFC 8945 §5.2). `requestMac` is given when verifying a
 * response to a request we signed; `lookup` finds a key by its (lowercase) name.
 */
export function verifyTsig(msg: Buffer, tsigOffset: number, lookup: (name: Name) => TsigKey | undefined, now: number,
  requestMac?: Buffer): VerifyResult {
  const record = parseTsig(msg, tsigOffset);
  const key = lookup(record.keyName);
  // §5.2.1: unknown key or algorithm → BADKEY.
  if (!key || ALG_NAME[key.algorithm] !== record.algorithm) return { ok: false, error: TsigError.BADKEY, record, reason: `unknown key ${record.keyName}` };
  const expect = hmac(key, [...(requestMac ? [withLength(requestMac)] : []), unsignedPart(msg, tsigOffset, record.originalId), variables(key, record, false)]);
  // §5.2.2.1: we accept no truncation; a shorter MAC is simply a bad signature.
  if (record.mac.length !== expect.length || !timingSafeEqual(record.mac, expect)) return { ok: false, error: TsigError.BADSIG, record, reason: 'bad MAC' };
  // §5.2.3: time is checked only after the MAC, so a forged time cannot provoke a signed BADTIME.
  // The window is the smaller of the request's fudge and ours: a signer cannot widen it (a
  // request signed hours ago with a fudge of 65535 s would otherwise replay).
  const window = Math.min(record.fudge, FUDGE);
  if (Math.abs(now - record.timeSigned) > window) return { ok: false, error: TsigError.BADTIME, record, key, reason: `time off by ${now - record.timeSigned} s (window ${window} s)` };
  return { ok: true, key, record };
}

/**
 * Signs the messages of one reply stream (RFC 8945 §5.3.1): the first MAC covers the
 * request MAC, the message and all TSIG variables; each later MAC covers the prior MAC,
 * the message and the timers only. We sign every message (no unsigned intermediates).
 */
export class TsigSigner {
  private priorMac: Buffer | undefined;

  constructor(private readonly key: TsigKey, private readonly requestMac: Buffer | undefined, private readonly now: () => number,
    private readonly error = 0, private readonly other: Buffer = Buffer.alloc(0), private readonly fudge = FUDGE) {}

  get lastMac(): Buffer | undefined { return this.priorMac; }

  sign(msg: Buffer): Buffer {
    const t = { timeSigned: this.now(), fudge: this.fudge, error: this.error, other: this.other };
    const id = msg.readUInt16BE(0);
    const first = this.priorMac === undefined;
    const parts = first
      ? [...(this.requestMac ? [withLength(this.requestMac)] : []), msg, variables(this.key, t, false)]
      : [withLength(this.priorMac!), msg, variables(this.key, t, true)];
    const mac = hmac(this.key, parts);
    this.priorMac = mac;
    return appendRR(msg, this.key.name, RRType.TSIG, CLASS_ANY, 0, tsigRdata(this.key, t, mac, id));
  }
}

/** A BADKEY/BADSIG reply carries a TSIG with an empty MAC and the error (RFC 8945 §5.3.2). */
export function unsignedTsigError(msg: Buffer, record: TsigRecord, error: number, now: number): Buffer {
  const rdata = Buffer.concat([nameToWire(record.algorithm), u48(now), u16(FUDGE), u16(0), u16(msg.readUInt16BE(0)), u16(error), u16(0)]);
  return appendRR(msg, record.keyName, RRType.TSIG, CLASS_ANY, 0, rdata);
}

/** BADTIME replies are signed and carry our time in Other Data (RFC 8945 §5.2.3). */
export function badTimeSigner(key: TsigKey, requestMac: Buffer, now: () => number): TsigSigner {
  return new TsigSigner(key, requestMac, now, TsigError.BADTIME, u48(now()));
}
