// The TSIG RR of a message (RFC 8945 §4.2), read field by field within its RDATA: what the query parser checks and verification reads.
import { type Name, readWireName } from '../../zones/model/name.js';

export interface TsigRecord {
  keyName: Name;
  algorithm: Name;
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  other: Buffer;
}

/**
 * Parse the TSIG RR that starts at `offset` (it must be the last RR, RFC 8945 §5.1). Throws
 * RangeError when a field runs past the RDATA (the query parser answers FORMERR), NameError
 * for a bad name.
 */
export function parseTsig(msg: Buffer, offset: number): TsigRecord {
  const owner = readWireName(msg, offset);
  const fits = (p: number, n: number) => { if (p + n > end) throw new RangeError('TSIG RDATA overruns its length'); };
  if (owner.next + 10 > msg.length) throw new RangeError('TSIG RR truncated');
  const end = owner.next + 10 + msg.readUInt16BE(owner.next + 8);
  if (end > msg.length) throw new RangeError('TSIG RDATA runs past the message');
  let p = owner.next + 10;
  const alg = readWireName(msg, p);
  p = alg.next;
  fits(p, 10);
  const timeSigned = msg.readUIntBE(p, 6);
  const fudge = msg.readUInt16BE(p + 6);
  const macLen = msg.readUInt16BE(p + 8);
  fits(p + 10, macLen + 6);
  const mac = msg.subarray(p + 10, p + 10 + macLen);
  p += 10 + macLen;
  const originalId = msg.readUInt16BE(p);
  const error = msg.readUInt16BE(p + 2);
  const otherLen = msg.readUInt16BE(p + 4);
  fits(p + 6, otherLen);
  return { keyName: owner.name, algorithm: alg.name, timeSigned, fudge, mac, originalId, error, other: msg.subarray(p + 6, p + 6 + otherLen) };
}
