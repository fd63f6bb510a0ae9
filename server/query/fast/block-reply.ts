// Replies made from ready parts: records encoded once (preencode) and copied into many replies with their compression pointers moved.
import { type Name } from '../../../zones/model/name.js';
import { RRType } from '../../../zones/model/types.js';
import type { RREntry } from '../../wire/response.js';
import { compressedRdataNames, type RRsetWireCache } from '../../wire/rr-wire.js';
import { Writer } from '../../wire/message-writer.js';
import { writeSection } from '../../wire/rrset-writer.js';
import { OPT_FIXED, replyWriter, copyOut, writeOpt, writeHeader, questionWire } from '../../wire/encode.js';

/** The writer preencode fills, apart from the reply writer: it runs while a reply is being made (its bytes are copied out). */
const preencodeWriter = new Writer(Buffer.allocUnsafe(65535), 65535);

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

export const blockReply = new BlockReply(replyWriter);

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
