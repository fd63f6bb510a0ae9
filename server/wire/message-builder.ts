// Build one message entry by entry (zone transfers, NOTIFY, SOA replies), and append a last RR (TSIG) to a finished one.
import type { Name } from '../../zones/model/name.js';
import type { Query } from './parse.js';
import type { RREntry } from './response.js';
import { Writer } from './message-writer.js';
import { writeSection } from './rrset-writer.js';
import { OPT_FIXED, writeOpt, writeHeader } from './encode.js';

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
