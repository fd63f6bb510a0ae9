// Encoded replies for repeated questions, and for random names proven by the same records: both skip signing and encoding.
import type { Name } from '../../zones/model/name.js';
import { isInZone } from '../../zones/model/name.js';
import { BoundedMap } from '../../zones/util/bounded-map.js';
import type { Answered } from './answer.js';
import { EDNS_UDP_SIZE } from './encode.js';
import type { RREntry } from './response.js';
import { compressibleRdataNames } from './rr-wire.js';

interface Entry {
  bytes: Buffer;
  /** Zones generation the reply was made from: any commit anywhere makes it stale. */
  generation: number;
  /** Made at (unix seconds): a clock that stepped back must not see signatures from its future. */
  made: number;
  /**
   * Stored by question: the question it answers (name lowercased, then type and class, as
   * latin1) and its variant, checked on every hit, since the map key is only a hash of them.
   */
  question?: string;
  variant?: number;
  /** Stored by make-up: the make-up itself (replyKey's parts), checked on every hit. */
  parts?: number[];
}

const MAX_AGE = 60;

/** What one stored reply costs besides its bytes: the Entry, the Map slot, the key. */
const ENTRY_OVERHEAD = 160;
const weigh = (e: Entry): number => e.bytes.length + ENTRY_OVERHEAD + (e.question?.length ?? 0) + 8 * (e.parts?.length ?? 0);

/** ASCII case folding of one name octet (RFC 4343 §3): length octets (≤ 63) pass unchanged. */
const fold = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c);

/** Bounds per kind of stored reply, in entries and in bytes; the defaults suit one server. */
export interface ResponseCacheBounds {
  replies?: number;
  replyBytes?: number;
  shapes?: number;
  shapeBytes?: number;
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
}

/** A cache key for an answered query: by its question, or by what the reply is made of. */
export type ReplyKey =
  | { byShape: false; raw: RawQuestion }
  /** Keyed by make-up: look it up after the proofs are chosen, before signing. */
  | { byShape: true; hash: number; parts: number[] };

/**
 * Two kinds of key, each for what decides the reply's bytes besides ID, question spelling
 * and RD/CD:
 *
 * - **By question** (name, type, EDNS mode with DO, size limit), for answers whose names come
 *   from the zone: a repeated question is answered before parsing.
 * - **By make-up**, for NXDOMAIN and wildcard answers, whose qname the zone does not hold:
 *   random labels never repeat, but the records proving them do — every name hashing into
 *   the same NSEC3 interval under the same closest encloser gets the same SOA, NSEC3 RRsets
 *   and RRSIGs. The make-up lists each section's RRsets by identity (RRset.id, with the
 *   owner, TTL and whether it is signed; an owner equal to the qname is marked as such, as it
 *   is encoded as a pointer to the question), the question's length (so every other offset
 *   in the reply is the same) and the EDNS variant.
 *   A random-label flood then costs a lookup, one NSEC3 hash and a copy.
 *
 * Both kinds are found by a 32-bit hash (a number: a Map probe with a fresh string key
 * measured 0.2–0.6 µs) and hold what was hashed, which every hit compares, so a collision
 * is a miss, never another question's reply.
 *
 * Each kind has its own bounds, in entries and in bytes, so a flood of random names cannot
 * evict repeated questions, and large TCP replies cannot make the cache grow past its bytes.
 */
export class ResponseCache {
  private readonly map: BoundedMap<number, Entry>;
  private readonly shapes: BoundedMap<number, Entry>;
  hits = 0;
  shapeHits = 0;

  constructor(bounds: ResponseCacheBounds = {}) {
    this.map = new BoundedMap(bounds.replies ?? 100_000, { of: weigh, max: bounds.replyBytes ?? 64 << 20 });
    this.shapes = new BoundedMap(bounds.shapes ?? 50_000, { of: weigh, max: bounds.shapeBytes ?? 64 << 20 });
  }

  /** Replies held: by question and by make-up. */
  get held(): { replies: number; shapes: number } {
    return { replies: this.map.size, shapes: this.shapes.size };
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
    let maxSize = tcp ? 65535 : 512; // < 0x10000: the variant packs the EDNS mode above it
    if (msg[11] === 1) {
      // The OPT (RFC 6891 §6.1.2): root owner, type 41, size, ext-rcode 0, version 0, flags, options.
      const o = questionEnd;
      if (o + 11 > msg.length || msg[o] !== 0 || msg.readUInt16BE(o + 1) !== 41 || msg[o + 5] !== 0 || msg[o + 6] !== 0) return undefined;
      if (o + 11 + msg.readUInt16BE(o + 9) !== msg.length || !wellFormedOptions(msg, o + 11)) return undefined;
      edns = (msg[o + 7] & 0x80) !== 0 ? 'do' : 'nodo';
      if (!tcp) maxSize = Math.max(512, Math.min(msg.readUInt16BE(o + 3), EDNS_UDP_SIZE));
    } else if (msg[11] !== 0 || questionEnd !== msg.length) return undefined;
    const variant = (edns === 'none' ? 0 : edns === 'do' ? 0x10000 : 0x20000) | maxSize;
    const hash = ResponseCache.questionHash(msg, questionEnd, variant);
    return hash === undefined ? undefined : { hash, questionEnd, variant };
  }

  /**
   * The key an answered plain query's reply is stored under, or undefined when it must not
   * be stored. Make-up keys need the proofs already in the sections (addProofs).
   */
  static replyKey(raw: RawQuestion, answered: Answered, qname: Name): ReplyKey | undefined {
    const steps = answered.steps;
    if (steps.length === 0) return undefined;
    if (byQuestion(answered)) return { byShape: false, raw };
    // A DNAME's synthesised CNAME spells the qname out in its RDATA: no two qnames share it.
    for (const s of steps) if (s.result.kind === 'dname') return undefined;
    const r = answered.response;
    const parts = [raw.variant, raw.questionEnd, r.rcode | (r.aa ? 0x10000 : 0)];
    if (!shapeOf(parts, r.answer, qname) || !shapeOf(parts, r.authority, qname) || !shapeOf(parts, r.additional, qname)) return undefined;
    return { byShape: true, hash: hashParts(parts), parts };
  }

  /** A ready reply for this repeated question, with its ID, spelling and RD/CD copied in; or undefined. */
  get(raw: RawQuestion, msg: Buffer, generation: number, now: number): Buffer | undefined {
    const e = this.map.get(raw.hash);
    if (!e || e.variant !== raw.variant || !sameQuestion(e.question!, msg, raw.questionEnd)) return undefined;
    const out = ready(e, msg, raw.questionEnd, generation, now);
    if (out) this.hits++;
    return out;
  }

  /** A ready reply of this make-up (replyKey), with ID, question and RD/CD copied in; or undefined. */
  getByShape(key: { hash: number; parts: number[] }, msg: Buffer, questionEnd: number, generation: number, now: number): Buffer | undefined {
    const e = this.shapes.get(key.hash);
    const out = e && sameParts(e.parts!, key.parts) ? ready(e, msg, questionEnd, generation, now) : undefined;
    if (out) this.shapeHits++;
    return out;
  }

  /**
   * Store a reply under its key. A make-up key is refused when some name in the reply other
   * than an owner equal to the qname lies at or below the qname: it could have been
   * compressed into the question, and the next qname of the same make-up is another name.
   */
  set(key: ReplyKey, msg: Buffer, bytes: Buffer, answered: Answered, qname: Name, generation: number, now: number): void {
    if (key.byShape) {
      if (pointsIntoQname(answered, qname)) return;
      this.shapes.set(key.hash, { bytes, generation, made: now, parts: key.parts });
    } else {
      // One entry per hash, for both kinds: a colliding key replaces it and is told apart on every hit.
      const { hash, questionEnd, variant } = key.raw;
      const q = Buffer.from(msg.subarray(12, questionEnd));
      for (let j = 0; j < q.length - 4; j++) q[j] = fold(q[j]);
      this.map.set(hash, { bytes, generation, made: now, question: q.toString('latin1'), variant });
    }
  }
}

/** The stored bytes for this message when still fresh: ID, question spelling and RD/CD copied in. */
function ready(e: Entry, msg: Buffer, questionEnd: number, generation: number, now: number): Buffer | undefined {
  // Reused for at most MAX_AGE seconds: signatures in it stay far from expiry (refreshed 7 days early).
  if (e.generation !== generation || now < e.made || now > e.made + MAX_AGE) return undefined;
  // A fresh copy: the cached bytes are shared, and a batch of replies is sent at once.
  const out = Buffer.allocUnsafe(e.bytes.length);
  out.set(e.bytes);
  out[0] = msg[0];
  out[1] = msg[1];
  out[2] = (out[2] & ~0x01) | (msg[2] & 0x01); // RD (RFC 1035 §4.1.1: copied)
  out[3] = (out[3] & ~0x10) | (msg[3] & 0x10); // CD (RFC 4035 §3.1.6: copied)
  // The question as asked: same name (or, by make-up, same length), so same offsets after it.
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

/**
 * Each entry as four numbers: owner (-1: the qname, encoded as a pointer to the question; -2:
 * the RRset's own name), RRset id, TTL (-1: the RRset's), signed (1) or not; then a section
 * end. false when an owner is some other name (a wildcard met after a CNAME): such replies
 * are not stored by make-up, rather than spell the name into the key.
 */
function shapeOf(parts: number[], entries: readonly RREntry[], qname: Name): boolean {
  for (const e of entries) {
    const owner = e.owner === qname ? -1 : e.owner === e.rrset.name ? -2 : 0;
    if (owner === 0) return false;
    parts.push(owner, e.rrset.id, e.ttl ?? -1, e.zone ? 1 : 0);
  }
  parts.push(-3);
  return true;
}

/** FNV-1a over the parts' 32-bit values, as a small integer Map key. */
function hashParts(parts: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) h = Math.imul(h ^ p, 0x01000193);
  return h | 0;
}

function sameParts(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function pointsIntoQname(a: Answered, qname: Name): boolean {
  const r = a.response;
  for (const section of [r.answer, r.authority, r.additional]) {
    for (const e of section) {
      if (e.owner !== qname && isInZone(e.owner, qname)) return true;
      for (const rd of e.rrset.rdatas) {
        for (const n of compressibleRdataNames(e.rrset.type, rd)) if (isInZone(n, qname)) return true;
      }
    }
  }
  return false;
}
