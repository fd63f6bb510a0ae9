// An UPDATE message (RFC 2136 §2) read into its zone, prerequisites and updates; anything malformed is FORMERR.
import { readWireName, type Name } from '../../zones/model/name.js';
import { RRType } from '../../zones/model/types.js';
import { rdataFromMessage } from '../../zones/model/rdata/from-message.js';
import { RdataError } from '../../zones/model/rdata/index.js';

/** Classes an UPDATE uses (RFC 2136 §2.4, §2.5): the zone's, ANY and NONE. */
export const CLASS = { IN: 1, NONE: 254, ANY: 255 } as const;

/** One RR of the prerequisite or update section: RDATA in uncompressed wire form. */
export interface UpdateRR {
  /** Lowercase owner name. */
  name: Name;
  type: number;
  klass: number;
  ttl: number;
  rdata: Buffer;
}

export interface UpdateMessage {
  zone: Name;
  zoneClass: number;
  prerequisites: UpdateRR[];
  updates: UpdateRR[];
}

/** A message that breaks RFC 2136's format: answered FORMERR, with the reason logged. */
export class UpdateFormatError extends Error {}

/**
 * Read the sections of an UPDATE (header counts ZOCOUNT, PRCOUNT, UPCOUNT, ADCOUNT). The
 * additional section (OPT, TSIG) is the caller's. RFC 2136 §3.1.1: exactly one zone RR, of
 * type SOA, else FORMERR.
 */
export function readUpdate(msg: Buffer, additionalEnd: number): UpdateMessage {
  if (msg.length < 12) throw new UpdateFormatError('shorter than a DNS header');
  const zocount = msg.readUInt16BE(4), prcount = msg.readUInt16BE(6), upcount = msg.readUInt16BE(8);
  if (zocount !== 1) throw new UpdateFormatError(`ZOCOUNT is ${zocount}, not 1`);
  let off = 12;
  const z = readName(msg, off);
  off = z.next;
  need(msg, off, 4);
  const ztype = msg.readUInt16BE(off), zoneClass = msg.readUInt16BE(off + 2);
  off += 4;
  if (ztype !== RRType.SOA) throw new UpdateFormatError(`the zone section's type is ${ztype}, not SOA`);
  const prerequisites: UpdateRR[] = [];
  const updates: UpdateRR[] = [];
  for (let i = 0; i < prcount + upcount; i++) {
    const rr = readRR(msg, off, additionalEnd);
    off = rr.next;
    (i < prcount ? prerequisites : updates).push(rr.rr);
  }
  return { zone: z.name, zoneClass, prerequisites, updates };
}

/** Where the additional section starts, after the zone, prerequisite and update sections. */
export function additionalStart(msg: Buffer): number {
  let off = 12;
  off = readName(msg, off).next + 4;
  const n = msg.readUInt16BE(6) + msg.readUInt16BE(8);
  for (let i = 0; i < n; i++) {
    off = readName(msg, off).next;
    need(msg, off, 10);
    off += 10 + msg.readUInt16BE(off + 8);
  }
  return off;
}

function need(msg: Buffer, off: number, n: number): void {
  if (off + n > msg.length) throw new UpdateFormatError('message truncated');
}

function readName(msg: Buffer, off: number): { name: Name; next: number } {
  try {
    return readWireName(msg, off);
  } catch (err) {
    throw new UpdateFormatError(`bad name: ${(err as Error).message}`);
  }
}

function readRR(msg: Buffer, off: number, end: number): { rr: UpdateRR; next: number } {
  const n = readName(msg, off);
  off = n.next;
  need(msg, off, 10);
  const type = msg.readUInt16BE(off), klass = msg.readUInt16BE(off + 2), ttl = msg.readUInt32BE(off + 4), rdlen = msg.readUInt16BE(off + 8);
  off += 10;
  if (off + rdlen > end) throw new UpdateFormatError('RDATA runs past the message');
  let rdata: Buffer;
  try {
    // Empty RDATA is how deletions and value-independent prerequisites are spelled (§2.4, §2.5).
    rdata = rdlen === 0 ? Buffer.alloc(0) : rdataFromMessage(type, msg, off, off + rdlen);
  } catch (err) {
    if (err instanceof RdataError) throw new UpdateFormatError(`${n.name}: ${err.message}`);
    throw err;
  }
  return { rr: { name: n.name, type, klass, ttl, rdata }, next: off + rdlen };
}
