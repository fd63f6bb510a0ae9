// Write a Response as DNS wire bytes: sections in order, whole-RRset truncation (TC), EDNS(0) OPT; the bytes go through message-writer.ts.
import { type Name, nameToWire } from '../../zones/model/name.js';
import { RRType, CLASS_IN } from '../../zones/model/types.js';
import type { Query } from './parse.js';
import { emptyResponse, type RREntry, type Response } from './response.js';
import { rrsetWire, nameWire, compressedRdataNames, SLOT, type RRBody, type RRsetWire, type RRsetWireCache } from './rr-wire.js';
import { Writer, OVERFLOW, messageBuffer } from './message-writer.js';

/** Our advertised EDNS buffer size (DNS flag day 2020: fits any path MTU without fragments). */
export const EDNS_UDP_SIZE = 1232;
const OPT_FIXED = 11;

/** Largest reply this query may get (RFC 6891 §6.2.5, RFC 1035 §4.2.1, RFC 7766 §8). */
export function maxResponseSize(q: Pick<Query, 'edns'> | undefined, tcp: boolean): number {
  if (tcp) return 65535;
  if (!q?.edns) return 512;
  return Math.max(512, Math.min(q.edns.udpSize, EDNS_UDP_SIZE));
}

/** One record's TYPE…RDATA, compressing the RDATA names its type allows (see rr-wire.ts). */
function writeBody(w: Writer, body: RRBody): void {
  w.bytes(body.head);
  const lenAt = w.off;
  w.u16(0);
  for (const p of body.parts) {
    if (Buffer.isBuffer(p)) w.bytes(p);
    else w.nameWire(p);
  }
  w.buf.writeUInt16BE(w.off - lenAt - 2, lenAt);
}

/**
 * Writes an RRset and its RRSIGs; returns the number of RRs written. The records come from
 * wire pieces, cached per RRset on the query path and made on the spot otherwise, so both
 * paths write the same bytes by construction.
 */
function writeEntry(w: Writer, e: RREntry, wire: RRsetWireCache | undefined, now: number): number {
  const rrset = e.rrset;
  const ttl = e.ttl ?? rrset.ttl;
  const apex = e.zone?.apex;
  let rw: RRsetWire;
  if (e.sigs || !wire) rw = rrsetWire(rrset, ttl, apex, e.sigs ?? (e.signer ? e.signer.signatures(rrset, now).sigs : undefined));
  else rw = e.signer ? wire.getSigned(rrset, ttl, apex, e.signer, now) : wire.get(rrset, ttl, apex);
  // Held pieces may carry RRSIGs from a DO=1 answer; this entry gets them only if it is signed.
  const signed = e.sigs !== undefined || e.signer !== undefined;
  const records = rw.count + (signed ? rw.sigCount : 0);
  const run = rw.run;
  const to = run === undefined ? 0 : signed ? run.length : rw.sigsAt;
  // The owner is spelled (or pointed to) once; every later record points at it. Cheapest
  // first: the owner itself already in the message (the qname, say), then the run's own owner
  // part pointing at the apex, else the owner spelled out label by label.
  let at = w.offsetOf(e.owner);
  if (at !== undefined) {
    w.u16(0xc000 | at);
  } else if (run !== undefined && rw.recordsAt > 0 && e.owner === rrset.name) {
    const apexAt = w.offsetOf(rw.apex!);
    if (apexAt !== undefined) {
      w.ownerRun(run, to, rw.prefix, apexAt, e.owner);
      return records;
    }
  }
  if (at === undefined) at = e.owner === rrset.name ? w.nameWire(rw.owner ??= nameWire(rrset.name)) : w.name(e.owner);
  if (at === undefined) {
    // The owner lies past a pointer's reach (a TCP message over 16 KB): spell it out per record.
    writeSpelledOut(w, e.owner, rw, to, signed);
  } else if (run !== undefined) {
    w.records(run, rw.recordsAt, to, at, true);
  } else {
    for (let i = 0; i < rw.count; i++) { if (i > 0) w.u16(0xc000 | at); writeBody(w, rw.bodies![i]); }
    if (signed && rw.sigRecords) w.records(rw.sigRecords, 0, rw.sigRecords.length, at, false);
  }
  return records;
}

/** The records of `rw` up to `to` in its run (or its bodies and, when signed, its RRSIGs) with the owner written out before each one but the first. */
function writeSpelledOut(w: Writer, owner: Name, rw: RRsetWire, to: number, signed: boolean): void {
  const each = (run: Buffer, from: number, end: number, firstHasSlot: boolean): void => {
    for (let at = from, first = true; at < end; first = false) {
      if (!first || firstHasSlot) { at += SLOT; w.name(owner); }
      const next = at + 10 + run.readUInt16BE(at + 8);
      w.bytes(run.subarray(at, next));
      at = next;
    }
  };
  if (rw.run) { each(rw.run, rw.recordsAt, to, false); return; }
  for (let i = 0; i < rw.count; i++) { if (i > 0) w.name(owner); writeBody(w, rw.bodies![i]); }
  if (signed && rw.sigRecords) each(rw.sigRecords, 0, rw.sigRecords.length, true);
}

/** Write entries until one does not fit; returns [count written, whether all fit]. */
function writeSection(w: Writer, entries: readonly RREntry[], wire: RRsetWireCache | undefined, now: number): [number, boolean] {
  let count = 0;
  for (const e of entries) {
    const mark = w.off;
    try {
      count += writeEntry(w, e, wire, now);
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

function writeOpt(w: Writer, dnssecOk: boolean, rcode: number, ede: Response['ede']): void {
  w.u8(0);
  w.u16(RRType.OPT);
  w.u16(EDNS_UDP_SIZE);
  // Extended RCODE (upper 8 bits of 12), version 0, DO echoed (RFC 3225 §3).
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
function copyOut(n: number): Buffer {
  const out = messageBuffer(n);
  out.set(n <= VIEWED ? (scratchViews[n] ??= scratch.subarray(0, n)) : scratch.subarray(0, n));
  return out;
}
/** One writer for the query path: answering is synchronous, so messages never overlap. */
const responseWriter = new Writer(scratch, 65535);
/** And one for preencode, which runs while a reply is being made (its bytes are copied out). */
const preencodeWriter = new Writer(Buffer.allocUnsafe(65535), 65535);

/**
 * Encode `resp` for `q` within `maxSize` bytes. When the answer or authority section does
 * not fit, set TC and keep only whole RRsets that fit (RFC 2181 §9, RFC 4035 §3.1.1);
 * additional data that does not fit is simply left out.
 */
export function encodeResponse(q: Query, resp: Response, maxSize: number, wire: RRsetWireCache | undefined, now: number): Buffer {
  const w = responseWriter.reset(maxSize - optSize(q, resp));
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

/**
 * Records encoded once for many replies: the bytes as written after a question naming
 * `base`, a name whose first label stands for one or more labels of the questions they
 * serve (`*.<encloser>` serves every name below the encloser). Every compression pointer in
 * them points into that question or into these bytes. In a reply to a longer name, a pointer
 * to the question name itself (offset 12, a wildcard answer's owner) stays; one to a suffix
 * of it moves by the question name's extra octets, one into these bytes by how far they moved.
 */
export interface Preencoded {
  readonly bytes: Buffer;
  /** Where each compression pointer sits in `bytes`. */
  readonly pointers: Uint16Array;
  readonly records: number;
  /** Wire length of `base`. */
  readonly baseLength: number;
  /** Whether some pointer names the question name itself: an answer owned by it, never a head of authority records. */
  readonly namesQuestion: boolean;
}

/** `entries` as one section of a reply to a question naming `base` (any type, class IN). */
export function preencode(base: Name, entries: readonly RREntry[], wire: RRsetWireCache | undefined, now: number): Preencoded {
  const question = questionWire(base, RRType.A);
  const w = preencodeWriter.reset(65535);
  w.off = 12;
  w.bytes(question);
  w.markQuestion(base, 12);
  const start = w.off;
  const [records, fit] = writeSection(w, entries, wire, now);
  if (!fit) throw new Error(`preencoded records for ${base} exceed a message`);
  const bytes = Buffer.from(w.buf.subarray(start, w.off));
  const pointers = Uint16Array.from(pointersIn(bytes, records));
  const namesQuestion = pointers.some((at) => (((bytes[at] & 0x3f) << 8) | bytes[at + 1]) === 12);
  return { bytes, pointers, records, baseLength: question.length - 4, namesQuestion };
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

/**
 * Offsets of the compression pointers in `count` records: in owner names, and in the RDATA
 * names the encoder compresses (rr-wire.ts: SOA, NS, CNAME, PTR, MX…), walked as it wrote them.
 */
export function pointersIn(bytes: Buffer, count: number): number[] {
  const out: number[] = [];
  const name = (at: number): number => {
    for (;;) {
      const len = bytes[at];
      if (len === 0) return at + 1;
      if ((len & 0xc0) === 0xc0) { out.push(at); return at + 2; }
      at += len + 1;
    }
  };
  let at = 0;
  for (let i = 0; i < count; i++) {
    at = name(at);
    const type = bytes.readUInt16BE(at);
    const rdata = at + 10;
    const end = rdata + bytes.readUInt16BE(at + 8);
    const names = compressedRdataNames(type);
    if (names > 0) {
      let n = type === RRType.MX ? rdata + 2 : rdata;
      for (let k = 0; k < names; k++) n = name(n);
    }
    at = end;
  }
  return out;
}

/** Ready records kept outside a Preencoded object (block-table.ts): copied into a message by slot. */
export interface Placeable {
  /** Copy slot `slot`'s records to the end of `w` after a question name of `nameLength` octets; how many, or -1 when they do not fit. */
  placeInto(w: Writer, nameLength: number, slot: number): number;
}

/** Takes records just written into a reply, to copy into later ones (block-table.ts). */
export interface Keeper {
  /** `bytes`: `records` records written at `start` after a question name of `nameLength` octets. */
  kept(bytes: Buffer, records: number, start: number, nameLength: number): void;
}

/**
 * A signed reply to a plain query made from ready parts (missing-name-reply.ts): the question
 * as asked, then blocks and records appended in section order (answer first), then the OPT;
 * AA is set. An add that does not fit the client's size returns false: the caller then
 * answers through encodeResponse, which truncates whole RRsets and sets TC. One instance,
 * `blockReply`, reused: answering is synchronous, like the writer it fills.
 */
export class BlockReply {
  private an = 0;
  private ns = 0;
  private nameLength = 0;
  private id = 0;
  private flags = 0;
  /**
   * The question name, marked as a compression target (with a string per suffix) only when
   * records are written afresh: blocks and table slots carry their pointers already, and most
   * random-label replies are made of nothing else.
   */
  private qname: Name = '.';
  private marked = false;

  constructor(private readonly w: Writer) {}

  /** Start the reply to `msg` (its question ends at `questionEnd`, naming `qname`); false when the question alone does not fit. */
  begin(msg: Buffer, questionEnd: number, qname: Name, maxSize: number): boolean {
    const w = this.w.reset(maxSize - OPT_FIXED);
    if (questionEnd > w.limit) return false;
    const buf = w.buf;
    for (let i = 12; i < questionEnd; i++) buf[i] = msg[i];
    w.off = questionEnd;
    this.qname = qname;
    this.marked = false;
    this.an = this.ns = 0;
    this.nameLength = questionEnd - 16;
    this.id = (msg[0] << 8) | msg[1];
    this.flags = (msg[2] << 8) | msg[3];
    return true;
  }

  /** `block` copied with its pointers moved (see Preencoded). */
  block(block: Preencoded, section: 'answer' | 'authority'): boolean {
    // Preencoded right after its base question: the header, the name, type and class.
    if (!place(this.w, block.bytes, block.pointers, 0, block.pointers.length, block.baseLength, 12 + block.baseLength + 4, this.nameLength)) return false;
    if (section === 'answer') this.an += block.records; else this.ns += block.records;
    return true;
  }

  /** One slot of `from` into the authority section. */
  slot(from: Placeable, slot: number): boolean {
    const n = from.placeInto(this.w, this.nameLength, slot);
    if (n < 0) return false;
    this.ns += n;
    return true;
  }

  /** `entries` written into the authority section; what was written is handed to `keep` as well, when given. */
  records(entries: readonly RREntry[], wire: RRsetWireCache | undefined, now: number, keep?: Keeper): boolean {
    const w = this.w, start = w.off;
    if (!this.marked) { w.markQuestion(this.qname, 12); this.marked = true; }
    const [n, fit] = writeSection(w, entries, wire, now);
    this.ns += n;
    if (fit && keep) keep.kept(w.buf.subarray(start, w.off), n, start, this.nameLength);
    return fit;
  }

  finish(rcode: number, maxSize: number): Buffer {
    const w = this.w;
    w.limit = maxSize;
    writeOpt(w, true, rcode, undefined);
    writeHeader(w.buf, this.id, this.flags, rcode, true, false, 1, this.an, this.ns, 1);
    return copyOut(w.off);
  }
}

export const blockReply = new BlockReply(responseWriter);

/**
 * Copy `bytes` to the end of the message, moving `count` compression pointers (their offsets
 * in `bytes` are pointers[from…]). The bytes were written at `ownStart` in a message whose
 * question name took `baseLength` octets; they go after one of `nameLength` octets. A pointer
 * to the question name itself (offset 12) stays; one to a suffix of it moves by the names'
 * difference; one into the bytes themselves (at or after `ownStart`) by how far they moved.
 * False when they do not fit or a pointer can no longer reach.
 */
export function place(w: Writer, bytes: Uint8Array, pointers: ArrayLike<number>, from: number, count: number,
  baseLength: number, ownStart: number, nameLength: number): boolean {
  const start = w.off;
  if (start + bytes.length > w.limit) return false;
  w.bytes(bytes);
  const questionShift = nameLength - baseLength, ownShift = start - ownStart;
  const buf = w.buf;
  for (let i = from; i < from + count; i++) {
    const at = start + pointers[i];
    let to = ((buf[at] & 0x3f) << 8) | buf[at + 1];
    if (to === 12) continue;
    to += to < ownStart ? questionShift : ownShift;
    if (to >= 0x4000) return false;
    buf[at] = 0xc0 | (to >> 8);
    buf[at + 1] = to & 0xff;
  }
  return true;
}

/** A reply with no sections (FORMERR, NOTIMP, REFUSED…), echoing what of the query we could read. */
export function encodeBare(id: number, flags: number, rcode: number, q?: Partial<Query>, ede?: Response['ede']): Buffer {
  const resp = emptyResponse(rcode);
  resp.ede = ede;
  const w = responseWriter.reset(65535);
  w.off = 12;
  let qd = 0;
  if (q?.questionWire) { w.bytes(q.questionWire); qd = 1; }
  let ar = 0;
  if (q?.edns) { writeOpt(w, q.edns.dnssecOk, resp.rcode, resp.ede); ar = 1; }
  writeHeader(scratch, id, flags, resp.rcode, resp.aa, false, qd, 0, 0, ar);
  return copyOut(w.off);
}

function writeHeader(buf: Buffer, id: number, qflags: number, rcode: number, aa: boolean, tc: boolean,
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
  /** Entries here carry their RRSIGs outright (sigs), so the clock is only a formality: read once per message. */
  private readonly now = Math.floor(Date.now() / 1000);

  /**
   * `limit`: the largest message. With `edns`, the records leave room for the OPT that
   * `finish` appends (RFC 6891 §6.1.1), so a full message still takes it.
   */
  constructor(private readonly head: MessageHead, private readonly limit: number, edns = false) {
    this.w = new Writer(Buffer.allocUnsafe(limit), edns ? limit - OPT_FIXED : limit);
    this.w.off = 12;
    if (head.questionWire) {
      this.w.bytes(head.questionWire);
      if (head.qname) this.w.markQuestion(head.qname, 12);
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
    const [n, fit] = writeSection(this.w, [e], undefined, this.now);
    this.counts[section] += n;
    return fit;
  }

  /** The finished message: a response (QR=1) unless `request`; OPT added when `edns` is given. */
  finish(o: { rcode?: number; aa?: boolean; request?: boolean; edns?: Pick<Query, 'edns'> } = {}): Buffer {
    const rcode = o.rcode ?? 0;
    let ar = this.counts[2];
    this.w.limit = this.limit;
    if (o.edns?.edns) { writeOpt(this.w, o.edns.edns.dnssecOk, rcode, undefined); ar++; }
    const qd = this.head.questionWire ? 1 : 0;
    writeHeader(this.w.buf, this.head.id, this.head.flags, rcode, !!o.aa, false, qd, this.counts[0], this.counts[1], ar);
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
