// Parse an incoming DNS message: header, the one question, EDNS(0) OPT — just what answering needs.
import { type Name, readWireName, NameError } from '../../zones/model/name.js';
import { RRType } from '../../zones/model/types.js';
import { parseTsig } from './tsig-record.js';

export const Opcode = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5 } as const;

export const Rcode = {
  NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, YXDOMAIN: 6,
  NOTAUTH: 9, BADVERS: 16, BADSIG: 16, BADKEY: 17, BADTIME: 18,
} as const;

export interface Edns {
  /** Requestor's UDP payload size, as sent. */
  udpSize: number;
  version: number;
  dnssecOk: boolean;
  /** Raw options, for the parts (cookies, padding, TSIG later) that want them. */
  options: { code: number; data: Buffer }[];
}

export interface Query {
  id: number;
  /** The second header word as received (opcode, RD, CD kept for the reply). */
  flags: number;
  opcode: number;
  rd: boolean;
  cd: boolean;
  qname: Name;
  qtype: number;
  qclass: number;
  /** The question exactly as sent (case and all), echoed in the reply (RFC 1035 §4.1.2). */
  questionWire: Buffer;
  edns?: Edns;
  /** Offset of the first answer-section RR (NOTIFY and IXFR carry an SOA there / in authority). */
  bodyOffset: number;
  ancount: number;
  nscount: number;
  arcount: number;
  /** Where the TSIG RR starts, when the message ends with one (RFC 8945 §5.1). */
  tsigOffset?: number;
}

export type ParseResult =
  | { kind: 'query'; query: Query }
  /** Answer with this rcode; `partial` holds whatever of the query could be read. */
  | { kind: 'error'; rcode: number; partial: Partial<Query> & { id: number; flags: number }; reason: string }
  /** Not worth a reply: a response (QR=1) or a message too short to carry an ID. */
  | { kind: 'drop'; reason: string };

class FormErr extends Error {}

function need(buf: Buffer, off: number, n: number): void {
  if (off + n > buf.length) throw new FormErr('message truncated');
}

/** Skip one resource record; returns its type, the offset of its RDATA and the offset after it. */
function skipRR(buf: Buffer, off: number): { type: number; nameEnd: number; rdata: number; next: number } {
  const { next } = readWireName(buf, off);
  need(buf, next, 10);
  const type = buf.readUInt16BE(next);
  const rdlen = buf.readUInt16BE(next + 8);
  need(buf, next + 10, rdlen);
  return { type, nameEnd: next, rdata: next + 10, next: next + 10 + rdlen };
}

export function parseQuery(buf: Buffer): ParseResult {
  if (buf.length < 12) return { kind: 'drop', reason: 'shorter than a DNS header' };
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  // RFC 1035 §4.1.1: never answer a response, or a reflection loop follows.
  if (flags & 0x8000) return { kind: 'drop', reason: 'QR=1 (a response)' };
  const opcode = (flags >> 11) & 0xf;
  const qdcount = buf.readUInt16BE(4);
  const ancount = buf.readUInt16BE(6);
  const nscount = buf.readUInt16BE(8);
  const arcount = buf.readUInt16BE(10);
  const rd = (flags & 0x0100) !== 0, cd = (flags & 0x0010) !== 0;
  // What was read so far: the error reply echoes it. Locals, with the partial object made only
  // on error: every query comes through here, and few are malformed.
  let qname: Name | undefined, questionWire: Buffer | undefined, qtype = 0, qclass = 0;
  let edns: Edns | undefined;
  try {
    if (qdcount !== 1) throw new FormErr(`QDCOUNT is ${qdcount}, not 1`);
    // The lookup key is lowercase (RFC 4343); the question is echoed from its bytes as sent.
    const q = readWireName(buf, 12);
    // RFC 1035 §4.1.4: a pointer names a prior occurrence; before the only question there is none
    // (the header is not a name). Echoed, such a question would point into the reply's bytes.
    for (let p = 12; buf[p] !== 0; p += buf[p] + 1) if (buf[p] & 0xc0) throw new FormErr('compression pointer in the question');
    need(buf, q.next, 4);
    qtype = buf.readUInt16BE(q.next);
    qclass = buf.readUInt16BE(q.next + 2);
    const bodyOffset = q.next + 4;
    questionWire = buf.subarray(12, bodyOffset);
    qname = q.name;
    let off = bodyOffset;
    for (let i = 0; i < ancount + nscount; i++) off = skipRR(buf, off).next;
    let tsigOffset: number | undefined;
    for (let i = 0; i < arcount; i++) {
      const start = off;
      const rr = skipRR(buf, off);
      off = rr.next;
      if (rr.type === RRType.OPT) {
        // RFC 6891 §6.1.1: one OPT only, owned by the root.
        if (edns) throw new FormErr('more than one OPT record');
        if (rr.nameEnd !== start + 1 || buf[start] !== 0) throw new FormErr('OPT owner is not the root');
        edns = parseOpt(buf, rr.nameEnd, rr.rdata, rr.next);
      } else if (rr.type === RRType.TSIG) {
        // RFC 8945 §5.1: TSIG must be the last record.
        if (i !== arcount - 1) throw new FormErr('TSIG is not the last record');
        parseTsig(buf, start); // its fields within its RDATA, or FORMERR here rather than a throw where it is verified
        tsigOffset = start;
      }
    }
    if (off !== buf.length) throw new FormErr('trailing bytes after the last record');
    const query: Query = {
      id, flags, opcode, rd, cd, qname, qtype, qclass,
      questionWire, edns, bodyOffset, ancount, nscount, arcount, tsigOffset,
    };
    return { kind: 'query', query };
  } catch (err) {
    if (err instanceof FormErr || err instanceof NameError || err instanceof RangeError) {
      const partial: Partial<Query> & { id: number; flags: number } = { id, flags, opcode, rd, cd };
      if (questionWire) Object.assign(partial, { qname, qtype, qclass, questionWire });
      if (edns) partial.edns = edns;
      // RFC 8906 §8.1.4: an opcode we do not implement is NOTIMP, however the rest reads.
      const known = opcode === Opcode.QUERY || opcode === Opcode.NOTIFY || opcode === Opcode.UPDATE;
      return { kind: 'error', rcode: known ? Rcode.FORMERR : Rcode.NOTIMP, partial, reason: known ? err.message : `opcode ${opcode} is not implemented` };
    }
    throw err;
  }
}

function parseOpt(buf: Buffer, fixed: number, rdata: number, end: number): Edns {
  const udpSize = buf.readUInt16BE(fixed + 2);
  const version = buf[fixed + 5];
  const dnssecOk = (buf.readUInt16BE(fixed + 6) & 0x8000) !== 0;
  const options: { code: number; data: Buffer }[] = [];
  for (let o = rdata; o < end;) {
    need(buf, o, 4);
    const code = buf.readUInt16BE(o);
    const len = buf.readUInt16BE(o + 2);
    if (o + 4 + len > end) throw new FormErr('EDNS option runs past the OPT RDATA');
    options.push({ code, data: buf.subarray(o + 4, o + 4 + len) });
    o += 4 + len;
  }
  return { udpSize, version, dnssecOk, options };
}
