// Write a Response as DNS wire bytes: name compression, whole-RRset truncation, EDNS(0) OPT — the only byte writer.
import { type Name, labels, parentName } from '../../zones/model/name.js';
import { RRType } from '../../zones/model/types.js';
import type { Query } from './parse.js';
import type { RREntry, Response } from './response.js';
import { rrsetWire, type NameWire, type RRBody, type RRsetWireCache } from './rr-wire.js';

/** Our advertised EDNS buffer size (DNS flag day 2020: fits any path MTU without fragments). */
export const EDNS_UDP_SIZE = 1232;
const OPT_FIXED = 11;

/** Largest reply this query may get (RFC 6891 §6.2.5, RFC 1035 §4.2.1, RFC 7766 §8). */
export function maxResponseSize(q: Pick<Query, 'edns'> | undefined, tcp: boolean): number {
  if (tcp) return 65535;
  if (!q?.edns) return 512;
  return Math.max(512, Math.min(q.edns.udpSize, EDNS_UDP_SIZE));
}

class Overflow extends Error {}
const OVERFLOW = new Overflow('response does not fit');

/** Appends to a fixed buffer; compression targets are remembered by lowercase Name key. */
class Writer {
  off = 0;
  private readonly names = new Map<Name, number>();
  constructor(readonly buf: Buffer, public limit: number) {}

  /** Start a new message in the same buffer (the query path reuses one writer). */
  reset(limit: number): this {
    this.off = 0;
    this.limit = limit;
    this.names.clear();
    return this;
  }

  ensure(n: number): void {
    if (this.off + n > this.limit) throw OVERFLOW;
  }
  u8(v: number): void { this.ensure(1); this.buf[this.off++] = v; }
  u16(v: number): void { this.ensure(2); this.buf.writeUInt16BE(v, this.off); this.off += 2; }
  u32(v: number): void { this.ensure(4); this.buf.writeUInt32BE(v >>> 0, this.off); this.off += 4; }
  bytes(b: Uint8Array): void { this.ensure(b.length); this.buf.set(b, this.off); this.off += b.length; }

  /** Remember that `name` is spelled out at `offset` (RFC 1035 §4.1.4 pointers reach 14 bits). */
  mark(name: Name, offset: number): void {
    if (offset < 0x4000 && !this.names.has(name)) this.names.set(name, offset);
  }

  /** Where `name` was spelled out, if it was and a pointer can reach it. */
  offsetOf(name: Name): number | undefined {
    return this.names.get(name);
  }

  name(name: Name, compress = true): void {
    let n = name;
    while (n !== '.') {
      if (compress) {
        const ptr = this.names.get(n);
        if (ptr !== undefined) { this.u16(0xc000 | ptr); return; }
        this.mark(n, this.off);
      }
      this.label(n);
      n = parentName(n);
    }
    this.u8(0);
  }

  /** The same bytes as name(nw's name), from labels and suffix keys made once. */
  nameWire(nw: NameWire): void {
    const { wire, suffixes, starts } = nw;
    let k = 0;
    let ptr: number | undefined;
    for (; k < suffixes.length; k++) if ((ptr = this.names.get(suffixes[k])) !== undefined) break;
    const end = k < suffixes.length ? starts[k] : wire.length;
    this.ensure(end + (ptr === undefined ? 0 : 2));
    for (let i = 0; i < k; i++) this.mark(suffixes[i], this.off + starts[i]);
    this.buf.set(end === wire.length ? wire : wire.subarray(0, end), this.off);
    this.off += end;
    if (ptr !== undefined) this.u16(0xc000 | ptr);
  }

  /** Write the leftmost label of `name`, decoding presentation escapes. */
  private label(name: Name): void {
    const dot = name.indexOf('.');
    if (name.indexOf('\\') < 0 || name.indexOf('\\') > dot) {
      this.ensure(dot + 1);
      this.buf[this.off++] = dot;
      this.off += this.buf.write(name.slice(0, dot), this.off, 'latin1');
      return;
    }
    const text = labels(name)[0];
    const bytes: number[] = [];
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '\\') {
        if (/[0-9]/.test(text[i + 1])) { bytes.push(Number(text.slice(i + 1, i + 4))); i += 3; }
        else { bytes.push(text.charCodeAt(i + 1)); i++; }
      } else bytes.push(text.charCodeAt(i));
    }
    this.u8(bytes.length);
    this.bytes(Uint8Array.from(bytes));
  }
}

/** One record's TYPE…RDATA, compressing the RDATA names its type allows (see rr-wire.ts). */
function writeBody(w: Writer, body: RRBody): void {
  if (Buffer.isBuffer(body)) { w.bytes(body); return; }
  w.bytes(body.head);
  const lenAt = w.off;
  w.u16(0);
  for (const p of body.parts) {
    if (typeof p === 'string') w.name(p);
    else w.bytes(p);
  }
  w.buf.writeUInt16BE(w.off - lenAt - 2, lenAt);
}

/**
 * Writes an RRset and its RRSIGs; returns the number of RRs written. The records come from
 * wire pieces, cached per RRset on the query path and made on the spot otherwise, so both
 * paths write the same bytes by construction.
 */
function writeEntry(w: Writer, e: RREntry, wire?: RRsetWireCache): number {
  const ttl = e.ttl ?? e.rrset.ttl;
  const rw = wire ? wire.get(e.rrset, ttl, e.sigs) : rrsetWire(e.rrset, ttl, e.sigs);
  // The owner is spelled (or pointed to) once; every later record points at it.
  if (e.owner === e.rrset.name) w.nameWire(rw.owner);
  else w.name(e.owner);
  const at = w.offsetOf(e.owner);
  // Cached pieces may hold RRSIGs from a DO=1 answer; this entry gets them only if it has sigs.
  const bodies = rw.bodies, sigBodies = e.sigs ? rw.sigBodies : undefined;
  const n = bodies.length, total = n + (sigBodies ? sigBodies.length : 0);
  for (let i = 0; i < total; i++) {
    if (i > 0) {
      if (at !== undefined) w.u16(0xc000 | at);
      else w.name(e.owner);
    }
    if (i < n) writeBody(w, bodies[i]);
    else w.bytes(sigBodies![i - n]);
  }
  return total;
}

/** Write entries until one does not fit; returns [count written, whether all fit]. */
function writeSection(w: Writer, entries: readonly RREntry[], wire?: RRsetWireCache): [number, boolean] {
  let count = 0;
  for (const e of entries) {
    const mark = w.off;
    try {
      count += writeEntry(w, e, wire);
    } catch (err) {
      if (err !== OVERFLOW) throw err;
      w.off = mark; // never a partial RRset
      return [count, false];
    }
  }
  return [count, true];
}

function optSize(q: Query, resp: Response): number {
  if (!q.edns) return 0;
  return OPT_FIXED + (resp.ede ? 6 + Buffer.byteLength(resp.ede.text) : 0);
}

function writeOpt(w: Writer, q: Query, resp: Response): void {
  w.u8(0);
  w.u16(RRType.OPT);
  w.u16(EDNS_UDP_SIZE);
  // Extended RCODE (upper 8 bits of 12), version 0, DO echoed (RFC 3225 §3).
  w.u8(resp.rcode >> 4);
  w.u8(0);
  w.u16(q.edns!.dnssecOk ? 0x8000 : 0);
  if (resp.ede) {
    const text = Buffer.from(resp.ede.text);
    w.u16(6 + text.length);
    w.u16(15); // EDNS option code for Extended DNS Error (RFC 8914 §2)
    w.u16(2 + text.length);
    w.u16(resp.ede.code);
    w.bytes(text);
  } else {
    w.u16(0);
  }
}

const scratch = Buffer.allocUnsafe(65535);
/** One writer for the query path: answering is synchronous, so messages never overlap. */
const responseWriter = new Writer(scratch, 65535);

/**
 * Encode `resp` for `q` within `maxSize` bytes. When the answer or authority section does
 * not fit, set TC and keep only whole RRsets that fit (RFC 2181 §9, RFC 4035 §3.1.1);
 * additional data that does not fit is simply left out.
 */
export function encodeResponse(q: Query, resp: Response, maxSize: number, wire?: RRsetWireCache): Buffer {
  const w = responseWriter.reset(maxSize - optSize(q, resp));
  let tc = false;
  w.off = 12;
  w.bytes(q.questionWire);
  w.mark(q.qname, 12);
  const [an, anFit] = writeSection(w, resp.answer, wire);
  let ns = 0, ar = 0;
  if (!anFit) tc = true;
  else {
    const [n, nsFit] = writeSection(w, resp.authority, wire);
    ns = n;
    if (!nsFit) tc = true;
    else ar = writeSection(w, resp.additional, wire)[0];
  }
  w.limit = maxSize;
  if (q.edns) { writeOpt(w, q, resp); ar++; }
  writeHeader(scratch, q.id, q.flags, resp, tc, 1, an, ns, ar);
  return Buffer.from(scratch.subarray(0, w.off));
}

/** A reply with no sections (FORMERR, NOTIMP, REFUSED…), echoing what of the query we could read. */
export function encodeBare(id: number, flags: number, rcode: number, q?: Partial<Query>, ede?: Response['ede']): Buffer {
  const resp: Response = { rcode, aa: false, answer: [], authority: [], additional: [], ede };
  const w = responseWriter.reset(65535);
  w.off = 12;
  let qd = 0;
  if (q?.questionWire) { w.bytes(q.questionWire); qd = 1; }
  let ar = 0;
  if (q?.edns) { writeOpt(w, q as Query, resp); ar = 1; }
  writeHeader(scratch, id, flags, resp, false, qd, 0, 0, ar);
  return Buffer.from(scratch.subarray(0, w.off));
}

function writeHeader(buf: Buffer, id: number, qflags: number, resp: Response, tc: boolean,
  qd: number, an: number, ns: number, ar: number): void {
  // Keep opcode, RD and CD from the query (RFC 1035 §4.1.1, RFC 4035 §3.1.6); RA=0 (we do not recurse).
  let flags = 0x8000 | (qflags & 0x7900) | (qflags & 0x0010) | (resp.rcode & 0xf);
  if (resp.aa) flags |= 0x0400;
  if (tc) flags |= 0x0200;
  buf.writeUInt16BE(id, 0);
  buf.writeUInt16BE(flags, 2);
  buf.writeUInt16BE(qd, 4);
  buf.writeUInt16BE(an, 6);
  buf.writeUInt16BE(ns, 8);
  buf.writeUInt16BE(ar, 10);
}

/** Who a built message is for: the header ID and flags to keep, and the question to echo. */
export interface MessageHead {
  id: number;
  /** Header flags as received (opcode, RD, CD are kept in a response), or as to be sent in a request. */
  flags: number;
  questionWire?: Buffer;
  qname?: Name;
}

/**
 * Builds one message entry by entry, for the paths that send many or unusual messages (zone
 * transfers, NOTIFY). Owns its buffer, so several transfers can be in flight at once; the
 * same Writer gives name compression within the message (RFC 1035 §4.1.4).
 */
export class MessageBuilder {
  private readonly w: Writer;
  private readonly counts = [0, 0, 0];
  private section = 0;

  constructor(private readonly head: MessageHead, limit: number) {
    this.w = new Writer(Buffer.allocUnsafe(limit), limit);
    this.w.off = 12;
    if (head.questionWire) {
      this.w.bytes(head.questionWire);
      if (head.qname) this.w.mark(head.qname, 12);
    }
  }

  /** Bytes used so far. */
  get size(): number { return this.w.off; }
  get records(): number { return this.counts[0] + this.counts[1] + this.counts[2]; }

  /**
   * Append an RRset (with its RRSIGs) to `section` (0 answer, 1 authority, 2 additional;
   * never going back to an earlier one). Returns false when it does not fit; the builder is
   * then only good for `finish` (compression marks may point into the rolled-back bytes).
   */
  add(e: RREntry, section: 0 | 1 | 2 = 0): boolean {
    if (section < this.section) throw new Error('sections must be filled in order');
    this.section = section;
    const [n, fit] = writeSection(this.w, [e]);
    this.counts[section] += n;
    return fit;
  }

  /** The finished message: a response (QR=1) unless `request`; OPT added when `edns` is given. */
  finish(o: { rcode?: number; aa?: boolean; request?: boolean; edns?: Pick<Query, 'edns'> } = {}): Buffer {
    const resp: Response = { rcode: o.rcode ?? 0, aa: !!o.aa, answer: [], authority: [], additional: [] };
    let ar = this.counts[2];
    if (o.edns?.edns) { writeOpt(this.w, o.edns as Query, resp); ar++; }
    const qd = this.head.questionWire ? 1 : 0;
    writeHeader(this.w.buf, this.head.id, this.head.flags, resp, false, qd, this.counts[0], this.counts[1], ar);
    if (o.request) this.w.buf.writeUInt16BE(this.head.flags, 2);
    return Buffer.from(this.w.buf.subarray(0, this.w.off));
  }
}

/**
 * Append one RR, uncompressed, to the additional section of a finished message (TSIG must be
 * last and its owner uncompressed, RFC 8945 §4.2). Returns a new buffer with ARCOUNT + 1.
 */
export function appendRR(msg: Buffer, owner: Name, type: number, klass: number, ttl: number, rdata: Buffer): Buffer {
  const w = new Writer(Buffer.allocUnsafe(msg.length + 255 + 10 + rdata.length), 65535);
  w.bytes(msg);
  w.name(owner, false);
  w.u16(type);
  w.u16(klass);
  w.u32(ttl);
  w.u16(rdata.length);
  w.bytes(rdata);
  w.buf.writeUInt16BE(msg.readUInt16BE(10) + 1, 10);
  return w.buf.subarray(0, w.off);
}
