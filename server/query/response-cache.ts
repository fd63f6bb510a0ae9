// Encoded replies for repeated questions: a repeat skips parsing, lookup, signing and encoding.
import type { Answered } from './answer.js';
import { maxResponseSize } from '../wire/encode.js';
import { messageBuffer } from '../wire/message-buffer.js';
import { powerOfTwoAtLeast } from '../../zones/util/power-of-two.js';

interface Entry {
  bytes: Buffer;
  /** Zones generation the reply was made from: any commit anywhere makes it stale. */
  generation: number;
  /** Made at (unix seconds): a clock that stepped back must not see signatures from its future. */
  made: number;
  /**
   * The question it answers (name lowercased, then type and class, as latin1) and its
   * variant, checked on every hit, since the map key is only a hash of them.
   */
  question: string;
  variant: number;
}

/**
 * Whether bytes made at `made` (unix seconds) from zones generation `madeFrom` may be reused
 * now: no commit anywhere since, and at most a minute old. Signatures in them stay far from
 * expiry (refreshed 7 days early), and a clock that stepped back must not see signatures
 * from its future.
 */
export function reusable(madeFrom: number, made: number, generation: number, now: number): boolean {
  return madeFrom === generation && now >= made && now <= made + MAX_AGE;
}
const MAX_AGE = 60;

/** What one stored reply costs besides its bytes: the Entry, the Map slot, the key. */
const ENTRY_OVERHEAD = 160;
const weigh = (e: Entry): number => e.bytes.length + ENTRY_OVERHEAD + e.question.length;

/** ASCII case folding of one name octet (RFC 4343 §3): length octets (≤ 63) pass unchanged. */
const fold = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c);

/** Bounds on stored replies, in entries (rounded up to a power of two) and in bytes; the defaults suit one server. */
export interface ResponseCacheBounds {
  replies?: number;
  replyBytes?: number;
}

/** What keyOfRaw read from a plain query. */
export interface RawQuestion {
  /**
   * A 32-bit FNV-1a hash of the question (name lowercased, type, class) and the variant: a
   * number, because a Map probe with a freshly built string key measured 0.2–0.6 µs (the
   * string is flattened and hashed first) where a number costs a fraction of that.
   */
  hash: number;
  questionEnd: number;
  /** What besides the question decides the reply: EDNS mode (none, DO, no DO) and size limit. */
  variant: number;
  /** EDNS with DO set (RFC 3225). */
  dnssecOk: boolean;
  /** Largest reply this query may get (encode.ts, maxResponseSize). */
  maxSize: number;
}

/**
 * Replies by question (name, type, EDNS mode with DO, size limit) — what decides the reply's
 * bytes besides ID, question spelling and RD/CD — for answers whose names all come from the
 * zone, so that the question repeats: a repeat is answered before parsing.
 *
 * NXDOMAIN and wildcard answers are not stored: their qnames are random labels that never
 * repeat. (Until 2026-12 they were also kept by make-up, the records that prove them; on the
 * server that cost more than encoding them afresh: bench/README.md, "Replies by make-up".)
 *
 * A direct-mapped table: a 32-bit hash of the question picks one slot, and the slot's hash,
 * kept in a typed array of its own, tells a miss without touching any entry. Every query
 * probes here first, and under a random-label flood every probe misses: one read from one
 * array, where the two Map probes of a generational cache (BoundedMap) each cost a few cache
 * misses on a large table. A question that lands on a taken slot replaces its entry. Each
 * entry holds what was hashed, which every hit compares, so a collision is a miss, never
 * another question's reply. Bounded in entries (the slots) and in bytes: an entry that would
 * take the total past the byte budget empties the table first, so large TCP replies cannot
 * make it grow past its budget.
 */
export class ResponseCache {
  private readonly slots: (Entry | undefined)[];
  private readonly hashes: Int32Array;
  private readonly mask: number;
  private readonly maxBytes: number;
  private bytes = 0;
  private count = 0;
  hits = 0;

  constructor(bounds: ResponseCacheBounds = {}) {
    const size = powerOfTwoAtLeast(bounds.replies ?? 100_000);
    this.slots = new Array<Entry | undefined>(size).fill(undefined);
    this.hashes = new Int32Array(size);
    this.mask = size - 1;
    this.maxBytes = bounds.replyBytes ?? 64 << 20;
  }

  /** Replies held. */
  get held(): number {
    return this.count;
  }

  /**
   * The hash of a question: its wire bytes with the name ASCII-lowercased, then type and class
   * as sent, then the variant. undefined — not cacheable — for names with compression
   * pointers or octets ≥ 0x80, whose case folding we do not trust.
   */
  static questionHash(msg: Buffer, questionEnd: number, variant: number): number | undefined {
    let h = 0x811c9dc5;
    const nameEnd = questionEnd - 4;
    for (let i = 12; i < nameEnd; i++) {
      const c = msg[i];
      if (c >= 0x80) return undefined; // a pointer (0xc0…) or a non-ASCII octet
      h = Math.imul(h ^ fold(c), 0x01000193);
    }
    for (let i = nameEnd; i < questionEnd; i++) h = Math.imul(h ^ msg[i], 0x01000193);
    return Math.imul(h ^ variant, 0x01000193) | 0;
  }

  /**
   * The cache probe before any parsing — the packet-cache fast path. Only plain queries
   * qualify: QUERY, one question, nothing but an optional EDNS(0) OPT. Anything else (TSIG,
   * other opcodes, EDNS versions other than 0, a malformed option list) takes the full path.
   *
   * EDNS options may be present: we implement none that changes a reply (no DNS cookies,
   * NSID, padding or client subnet, and RFC 6891 §6.1.2 says unknown options are ignored),
   * so a query's options never change its bytes. Resolvers such as BIND send a cookie with
   * every query; refusing options here would send all their traffic down the slow path.
   * An option that starts to change replies must join the key.
   */
  static keyOfRaw(msg: Buffer, tcp: boolean): RawQuestion | undefined {
    if (msg.length < 17 || (msg[2] & 0xf8) !== 0 || msg.readUInt32BE(4) !== 0x00010000 || msg[8] !== 0 || msg[9] !== 0 || msg[10] !== 0) return undefined;
    let i = 12;
    while (i < msg.length && msg[i] !== 0) { if (msg[i] > 63) return undefined; i += msg[i] + 1; }
    const questionEnd = i + 5;
    if (questionEnd > msg.length || msg[questionEnd - 2] !== 0 || msg[questionEnd - 1] !== 1) return undefined; // class IN
    let edns: 'none' | 'do' | 'nodo' = 'none';
    let udpSize: number | undefined;
    if (msg[11] === 1) {
      // The OPT (RFC 6891 §6.1.2): root owner, type 41, size, ext-rcode 0, version 0, flags, options.
      const o = questionEnd;
      if (o + 11 > msg.length || msg[o] !== 0 || msg.readUInt16BE(o + 1) !== 41 || msg[o + 5] !== 0 || msg[o + 6] !== 0) return undefined;
      if (o + 11 + msg.readUInt16BE(o + 9) !== msg.length || !wellFormedOptions(msg, o + 11)) return undefined;
      edns = (msg[o + 7] & 0x80) !== 0 ? 'do' : 'nodo';
      udpSize = msg.readUInt16BE(o + 3);
    } else if (msg[11] !== 0 || questionEnd !== msg.length) return undefined;
    const maxSize = maxResponseSize(udpSize, tcp); // < 0x10000: the variant packs the EDNS mode above it
    const variant = (edns === 'none' ? 0 : edns === 'do' ? 0x10000 : 0x20000) | maxSize;
    const hash = ResponseCache.questionHash(msg, questionEnd, variant);
    return hash === undefined ? undefined : { hash, questionEnd, variant, dnssecOk: edns === 'do', maxSize };
  }

  /** Whether an answered plain query's reply may be stored under its question. */
  static cacheable(answered: Answered): boolean {
    return answered.steps.length > 0 && byQuestion(answered);
  }

  /** A ready reply for this repeated question, with its ID, spelling and RD/CD copied in; or undefined. */
  get(raw: RawQuestion, msg: Buffer, generation: number, now: number): Buffer | undefined {
    const slot = raw.hash & this.mask;
    if (this.hashes[slot] !== raw.hash) return undefined;
    const e = this.slots[slot];
    if (!e || e.variant !== raw.variant || !sameQuestion(e.question, msg, raw.questionEnd)) return undefined;
    const out = ready(e, msg, raw.questionEnd, generation, now);
    if (out) this.hits++;
    return out;
  }

  /**
   * Store a reply under its question. The bytes are copied into memory of their own: a reply
   * is a slice of an 8 KB pool shared with other replies, and keeping the slice would keep
   * the whole pool alive for as long as the entry lives, far past what the byte budget counts.
   */
  set(raw: RawQuestion, msg: Buffer, bytes: Buffer, generation: number, now: number): void {
    // One entry per hash: a colliding question replaces it and is told apart on every hit.
    const q = Buffer.from(msg.subarray(12, raw.questionEnd));
    for (let j = 0; j < q.length - 4; j++) q[j] = fold(q[j]);
    const own = Buffer.allocUnsafeSlow(bytes.length);
    own.set(bytes);
    const e: Entry = { bytes: own, generation, made: now, question: q.toString('latin1'), variant: raw.variant };
    const slot = raw.hash & this.mask;
    const old = this.slots[slot];
    if (old) { this.bytes -= weigh(old); this.count--; }
    if (this.bytes + weigh(e) > this.maxBytes) this.clear();
    this.slots[slot] = e;
    this.hashes[slot] = raw.hash;
    this.bytes += weigh(e);
    this.count++;
  }

  private clear(): void {
    this.slots.fill(undefined);
    this.hashes.fill(0);
    this.bytes = 0;
    this.count = 0;
  }
}

/** The stored bytes for this message when still fresh: ID, question spelling and RD/CD copied in. */
function ready(e: Entry, msg: Buffer, questionEnd: number, generation: number, now: number): Buffer | undefined {
  if (!reusable(e.generation, e.made, generation, now)) return undefined;
  // A fresh copy: the cached bytes are shared, and a batch of replies is sent at once.
  const out = messageBuffer(e.bytes.length);
  out.set(e.bytes);
  out[0] = msg[0];
  out[1] = msg[1];
  out[2] = (out[2] & ~0x01) | (msg[2] & 0x01); // RD (RFC 1035 §4.1.1: copied)
  out[3] = (out[3] & ~0x10) | (msg[3] & 0x10); // CD (RFC 4035 §3.1.6: copied)
  // The question as asked: the same name up to case, so the same offsets after it.
  for (let i = 12; i < questionEnd; i++) out[i] = msg[i];
  return out;
}

/** Whether the message asks `question` (lowercased name, then type and class as stored by set). */
function sameQuestion(question: string, msg: Buffer, questionEnd: number): boolean {
  if (question.length !== questionEnd - 12) return false;
  const nameEnd = questionEnd - 4 - 12;
  for (let j = 0; j < question.length; j++) {
    if (question.charCodeAt(j) !== (j < nameEnd ? fold(msg[12 + j]) : msg[12 + j])) return false;
  }
  return true;
}

/** An EDNS option list (code, length, data)* that ends exactly at the end of the message. */
function wellFormedOptions(msg: Buffer, at: number): boolean {
  while (at < msg.length) {
    if (at + 4 > msg.length) return false;
    at += 4 + msg.readUInt16BE(at + 2);
  }
  return at === msg.length;
}

/** Answers whose names all come from the zone, so the question repeats: not NXDOMAIN, not wildcard-synthesised. */
function byQuestion(a: Answered): boolean {
  for (const s of a.steps) {
    const r = s.result;
    if (r.kind === 'nxdomain') return false;
    if ((r.kind === 'answer' || r.kind === 'any' || r.kind === 'cname' || r.kind === 'nodata') && r.wildcard) return false;
  }
  return true;
}
