// The message writer: appends to one buffer, compresses names (RFC 1035 §4.1.4) and copies RRset wire pieces with their pointer slots filled.
import { type Name, labels, parentName } from '../../zones/model/name.js';
import { SLOT, type NameWire } from './rr-wire.js';

class Overflow extends Error {}
/** Thrown by every write that would pass the limit: the caller truncates at whole RRsets. */
export const OVERFLOW = new Overflow('response does not fit');

/**
 * Compression targets scanned linearly before a Map takes over. A reply names a dozen or so
 * owners and suffixes: comparing a dozen strings costs less than hashing a fresh key per probe
 * (and a Map allocates a new table on every clear). Zone transfers fill 64 KB messages with
 * hundreds of names, which is what the Map past this count is for.
 */
const SCAN_TARGETS = 32;

/** Appends to a fixed buffer; compression targets are remembered by lowercase Name key. */
export class Writer {
  off = 0;
  private readonly targets: Name[] = [];
  private readonly targetOffsets: number[] = [];
  private count = 0;
  private more: Map<Name, number> | undefined;
  constructor(readonly buf: Buffer, public limit: number) {}

  /** Start a new message in the same buffer (the query path reuses one writer). */
  reset(limit: number): this {
    this.off = 0;
    this.limit = limit;
    this.count = 0;
    this.more = undefined;
    return this;
  }

  ensure(n: number): void {
    if (this.off + n > this.limit) throw OVERFLOW;
  }
  u8(v: number): void { this.ensure(1); this.buf[this.off++] = v; }
  u16(v: number): void { this.ensure(2); this.buf[this.off++] = v >>> 8; this.buf[this.off++] = v & 0xff; }
  u32(v: number): void { this.ensure(4); this.buf.writeUInt32BE(v >>> 0, this.off); this.off += 4; }
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.ensure(n);
    const buf = this.buf, off = this.off;
    // TypedArray#set costs a fixed ~20 ns a call; most pieces here are a label or a record head.
    if (n <= 16) for (let i = 0; i < n; i++) buf[off + i] = b[i];
    else buf.set(b, off);
    this.off = off + n;
  }

  /** Remember that `name` is spelled out at `offset` (RFC 1035 §4.1.4 pointers reach 14 bits). */
  mark(name: Name, offset: number): void {
    if (this.offsetOf(name) === undefined) this.addTarget(name, offset);
  }

  /** Like mark, for a name known not to be a target yet. */
  private addTarget(name: Name, offset: number): void {
    if (offset >= 0x4000) return;
    if (this.count < SCAN_TARGETS) {
      this.targets[this.count] = name;
      this.targetOffsets[this.count++] = offset;
    } else {
      (this.more ??= new Map()).set(name, offset);
    }
  }

  /** Where `name` was spelled out, if it was and a pointer can reach it. */
  offsetOf(name: Name): number | undefined {
    const targets = this.targets, n = this.count, len = name.length;
    // Lengths first: most targets differ in length, and that test needs no call into a builtin.
    for (let i = 0; i < n; i++) { const t = targets[i]; if (t.length === len && t === name) return this.targetOffsets[i]; }
    return this.more?.get(name);
  }

  /**
   * Mark the question name and each of its suffixes (RFC 1035 §4.1.4): the zone's apex and
   * every owner above the qname can then point into the question instead of being spelled
   * out again. A Name without escapes has one character per wire octet, so a suffix that
   * starts at character i starts at octet `at + i` of the question.
   */
  markQuestion(qname: Name, at: number): void {
    if (qname.indexOf('\\') >= 0) { this.mark(qname, at); return; }
    for (let i = 0; i < qname.length - 1; i = qname.indexOf('.', i) + 1) this.addTarget(i === 0 ? qname : qname.slice(i), at + i);
  }

  /** Write `name`, compressed unless told not to; returns where a later pointer to it may point. */
  name(name: Name, compress = true): number | undefined {
    const at = this.off;
    let n = name;
    while (n !== '.') {
      if (compress) {
        const ptr = this.offsetOf(n);
        if (ptr !== undefined) { this.u16(0xc000 | ptr); return n === name ? ptr : at < 0x4000 ? at : undefined; }
        this.addTarget(n, this.off);
      }
      this.label(n);
      n = parentName(n);
    }
    this.u8(0);
    return at < 0x4000 && compress ? at : undefined;
  }

  /**
   * Copy run[from, to) (records, rr-wire.ts) and fill each owner slot in it with a pointer to
   * `ownerAt`. `firstFollowsOwner`: the first record has no slot (it follows the owner itself).
   */
  records(run: Buffer, from: number, to: number, ownerAt: number, firstFollowsOwner: boolean): void {
    const start = this.copy(run, from, to);
    this.fillSlots(firstFollowsOwner ? this.recordEnd(start) : start, ownerAt);
  }

  /**
   * Copy an RRset's run with its owner part (rr-wire.ts): the owner's labels, a pointer to
   * the apex at `apexAt`, then the records, their slots pointing at the owner, which becomes
   * a compression target. Returns where the owner is.
   */
  ownerRun(run: Buffer, to: number, prefix: number, apexAt: number, owner: Name): number {
    const start = this.copy(run, 0, to);
    this.buf[start + prefix] = 0xc0 | (apexAt >> 8);
    this.buf[start + prefix + 1] = apexAt & 0xff;
    const ownerAt = prefix > 0 ? start : apexAt;
    if (prefix > 0) this.addTarget(owner, start);
    this.fillSlots(this.recordEnd(start + prefix + SLOT), ownerAt);
    return ownerAt;
  }

  /** Where the record (TYPE…RDATA) written at `at` ends. */
  private recordEnd(at: number): number {
    return at + 10 + ((this.buf[at + 8] << 8) | this.buf[at + 9]);
  }

  /** From `at` to the end of the message, slot then record, fill each slot with a pointer to `ownerAt`. */
  private fillSlots(at: number, ownerAt: number): void {
    const buf = this.buf, end = this.off;
    const hi = 0xc0 | (ownerAt >> 8), lo = ownerAt & 0xff;
    while (at < end) {
      buf[at] = hi;
      buf[at + 1] = lo;
      at = this.recordEnd(at + SLOT);
    }
  }

  /** Copy run[from, to) to the end of the message; returns where it starts. */
  private copy(run: Buffer, from: number, to: number): number {
    const n = to - from;
    this.ensure(n);
    const start = this.off;
    // The whole run needs no view; a part of it does (a typed-array allocation, so only then).
    this.buf.set(from === 0 && to === run.length ? run : run.subarray(from, to), start);
    this.off = start + n;
    return start;
  }

  /**
   * The same bytes as name(nw's name), from labels and suffix keys made once. Returns where
   * a later pointer to this name may point (undefined: past a pointer's reach).
   */
  nameWire(nw: NameWire): number | undefined {
    const { wire, suffixes, starts } = nw;
    let k = 0;
    let ptr: number | undefined;
    for (; k < suffixes.length; k++) if ((ptr = this.offsetOf(suffixes[k])) !== undefined) break;
    if (k === 0 && ptr !== undefined) { this.u16(0xc000 | ptr); return ptr; }
    const end = k < suffixes.length ? starts[k] : wire.length;
    const at = this.off;
    this.ensure(end + (ptr === undefined ? 0 : 2));
    for (let i = 0; i < k; i++) this.addTarget(suffixes[i], at + starts[i]);
    const buf = this.buf;
    // A loop beats subarray + set (two builtins, one typed-array allocation) for names this short.
    if (end <= 64) for (let i = 0; i < end; i++) buf[at + i] = wire[i];
    else buf.set(end === wire.length ? wire : wire.subarray(0, end), at);
    this.off = at + end;
    if (ptr !== undefined) this.u16(0xc000 | ptr);
    return at < 0x4000 ? at : undefined;
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
