// Write a Response as DNS wire bytes: sections in order, whole-RRset truncation (TC), EDNS(0) OPT; the bytes go through message-writer.ts.
import { type Name, nameToWire } from '../../zones/model/name.js';
import { RRType, CLASS_IN } from '../../zones/model/types.js';
import type { Query } from './parse.js';
import { emptyResponse, type Response } from './response.js';
import type { RRsetWireCache } from './rr-wire.js';
import { Writer } from './message-writer.js';
import { messageBuffer } from './message-buffer.js';
import { writeSection } from './rrset-writer.js';

/** Our advertised EDNS buffer size (DNS flag day 2020: fits any path MTU without fragments). */
export const EDNS_UDP_SIZE = 1232;
export const OPT_FIXED = 11;

/**
 * The largest reply a query may get (RFC 6891 §6.2.5, RFC 1035 §4.2.1, RFC 7766 §8), from the
 * requestor's EDNS UDP payload size (undefined: no OPT): the one rule every path sizes by.
 */
export function maxResponseSize(udpSize: number | undefined, tcp: boolean): number {
  if (tcp) return 65535;
  if (udpSize === undefined) return 512;
  return Math.max(512, Math.min(udpSize, EDNS_UDP_SIZE));
}

function optSize(q: Query, resp: Response): number {
  if (!q.edns) return 0;
  return OPT_FIXED + (resp.ede ? 6 + Buffer.byteLength(resp.ede.text) : 0);
}

/**
 * The reply's OPT RR (RFC 6891 §6.1.2): our payload size, the upper RCODE bits, version 0, DO
 * echoed (RFC 3225 §3), and no option but an Extended DNS Error (RFC 8914) when given: the
 * options a query carries are never echoed (server/query/edns-options.ts).
 */
export function writeOpt(w: Writer, dnssecOk: boolean, rcode: number, ede: Response['ede']): void {
  w.u8(0);
  w.u16(RRType.OPT);
  w.u16(EDNS_UDP_SIZE);
  // Extended RCODE (upper 8 bits of 12), version 0, DO echoed.
  w.u8(rcode >> 4);
  w.u8(0);
  w.u16(dnssecOk ? 0x8000 : 0);
  if (ede) {
    const text = Buffer.from(ede.text);
    w.u16(6 + text.length);
    w.u16(15); // EDNS option code for Extended DNS Error (RFC 8914 §2)
    w.u16(2 + text.length);
    w.u16(ede.code);
    w.bytes(text);
  } else {
    w.u16(0);
  }
}

const scratch = Buffer.allocUnsafe(65535);
/**
 * Views of the scratch buffer's first n bytes, made once per length up to a UDP reply's: a
 * subarray per reply is one more Buffer to construct (about 30 ns) on every answer.
 */
const scratchViews: Buffer[] = [];
const VIEWED = 4096;
/** The first `n` bytes of the shared scratch buffer as a reply of its own (the scratch is reused by the next query). */
export function copyOut(n: number): Buffer {
  const out = messageBuffer(n);
  out.set(n <= VIEWED ? (scratchViews[n] ??= scratch.subarray(0, n)) : scratch.subarray(0, n));
  return out;
}
/** The one writer replies are made in: answering is synchronous, so messages never overlap; copyOut takes the bytes. */
export const replyWriter = new Writer(scratch, 65535);

/**
 * Encode `resp` for `q` within `maxSize` bytes. When the answer or authority section does
 * not fit, set TC and keep only whole RRsets that fit (RFC 2181 §9, RFC 4035 §3.1.1);
 * additional data that does not fit is simply left out.
 */
export function encodeResponse(q: Query, resp: Response, maxSize: number, wire: RRsetWireCache | undefined, now: number): Buffer {
  const w = replyWriter.reset(maxSize - optSize(q, resp));
  let tc = false;
  w.off = 12;
  w.bytes(q.questionWire);
  w.markQuestion(q.qname, 12);
  const [an, anFit] = writeSection(w, resp.answer, wire, now);
  let ns = 0, ar = 0;
  if (!anFit) tc = true;
  else {
    const [n, nsFit] = writeSection(w, resp.authority, wire, now);
    ns = n;
    if (!nsFit) tc = true;
    else ar = writeSection(w, resp.additional, wire, now)[0];
  }
  w.limit = maxSize;
  if (q.edns) { writeOpt(w, q.edns.dnssecOk, resp.rcode, resp.ede); ar++; }
  writeHeader(scratch, q.id, q.flags, resp.rcode, resp.aa, tc, 1, an, ns, ar);
  return copyOut(w.off);
}

/** A question section entry: `name` uncompressed, `type`, class IN (RFC 1035 §4.1.2). */
export function questionWire(name: Name, type: number): Buffer {
  const wire = nameToWire(name);
  const q = Buffer.allocUnsafe(wire.length + 4);
  wire.copy(q);
  q.writeUInt16BE(type, wire.length);
  q.writeUInt16BE(CLASS_IN, wire.length + 2);
  return q;
}

/** A reply with no sections (FORMERR, NOTIMP, REFUSED…), echoing what of the query we could read. */
export function encodeBare(id: number, flags: number, rcode: number, q?: Partial<Query>, ede?: Response['ede']): Buffer {
  const resp = emptyResponse(rcode);
  resp.ede = ede;
  const w = replyWriter.reset(65535);
  w.off = 12;
  let qd = 0;
  if (q?.questionWire) { w.bytes(q.questionWire); qd = 1; }
  let ar = 0;
  if (q?.edns) { writeOpt(w, q.edns.dnssecOk, resp.rcode, resp.ede); ar = 1; }
  writeHeader(scratch, id, flags, resp.rcode, resp.aa, false, qd, 0, 0, ar);
  return copyOut(w.off);
}

export function writeHeader(buf: Buffer, id: number, qflags: number, rcode: number, aa: boolean, tc: boolean,
  qd: number, an: number, ns: number, ar: number): void {
  // Keep opcode, RD and CD from the query (RFC 1035 §4.1.1, RFC 4035 §3.1.6); RA=0 (we do not recurse).
  let flags = 0x8000 | (qflags & 0x7900) | (qflags & 0x0010) | (rcode & 0xf);
  if (aa) flags |= 0x0400;
  if (tc) flags |= 0x0200;
  // Octet by octet: Buffer#writeUInt16BE validates its arguments on every call.
  buf[0] = id >>> 8; buf[1] = id & 0xff;
  buf[2] = flags >>> 8; buf[3] = flags & 0xff;
  buf[4] = qd >>> 8; buf[5] = qd & 0xff;
  buf[6] = an >>> 8; buf[7] = an & 0xff;
  buf[8] = ns >>> 8; buf[9] = ns & 0xff;
  buf[10] = ar >>> 8; buf[11] = ar & 0xff;
}
