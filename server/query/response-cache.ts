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
}

const MAX_AGE = 60;

/** What one stored reply costs besides its bytes: the Entry, the Map slot, the key. */
const ENTRY_OVERHEAD = 160;
const weigh = (e: Entry): number => e.bytes.length + ENTRY_OVERHEAD;

/** Bounds per kind of stored reply, in entries and in bytes; the defaults suit one server. */
export interface ResponseCacheBounds {
  replies?: number;
  replyBytes?: number;
  shapes?: number;
  shapeBytes?: number;
}

/** What keyOfRaw read from a plain query. */
export interface RawQuestion {
  /** The question key: name (lowercased), type, class, EDNS mode and size limit. */
  key: string;
  questionEnd: number;
  /** The part of the key that is not the question: EDNS mode and size limit. */
  variant: string;
}

/** A cache key for an answered query: by its question, or by what the reply is made of. */
export interface ReplyKey {
  key: string;
  /** Keyed by make-up: look it up after the proofs are chosen, before signing. */
  byShape: boolean;
}

/**
 * Two kinds of key, each for what decides the reply's bytes besides ID, question spelling
 * and RD/CD:
 *
 * - **By question** (name, type, EDNS mode with DO, size limit), for answers whose names come
 *   from the zone: a repeated question is answered before parsing.
 * - **By make-up**, for NXDOMAIN and wildcard answers, whose qname the zone does not hold:
 *   random labels never repeat, but the records proving them do — every name hashing into
 *   the same NSEC3 interval under the same closest encloser gets the same SOA, NSEC3 RRsets
 *   and RRSIGs. The key lists each section's RRsets by identity (RRset.id, with the owner,
 *   TTL and whether it is signed; an owner equal to the qname is written `@`, as it is
 *   encoded as a pointer to the question), the question's length (so every other offset in
 *   the reply is the same) and the EDNS variant.
 *   A random-label flood then costs a lookup, one NSEC3 hash and a copy.
 *
 * Each kind has its own bounds, in entries and in bytes, so a flood of random names cannot
 * evict repeated questions, and large TCP replies cannot make the cache grow past its bytes.
 */
export class ResponseCache {
  private readonly map: BoundedMap<string, Entry>;
  private readonly shapes: BoundedMap<string, Entry>;
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
   * The key for a question: its wire bytes with the name ASCII-lowercased, then type and
   * class, whether EDNS was used and with DO (the OPT echo differs), and the size limit.
   * undefined — not cacheable — for names with compression pointers or octets ≥ 0x80, whose
   * case folding we do not trust a string function with.
   */
  static key(msg: Buffer, questionEnd: number, edns: 'none' | 'do' | 'nodo', maxSize: number): string | undefined {
    for (let i = 12; i < questionEnd - 4;) {
      const len = msg[i];
      if (len === 0) break;
      if (len > 63) return undefined;
      for (let j = i + 1; j <= i + len; j++) if (msg[j] >= 0x80) return undefined;
      i += len + 1;
    }
    const name = msg.toString('latin1', 12, questionEnd - 4).toLowerCase();
    return `${name}${msg.toString('latin1', questionEnd - 4, questionEnd)}${edns}${maxSize}`;
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
    let maxSize = tcp ? 65535 : 512;
    if (msg[11] === 1) {
      // The OPT (RFC 6891 §6.1.2): root owner, type 41, size, ext-rcode 0, version 0, flags, options.
      const o = questionEnd;
      if (o + 11 > msg.length || msg[o] !== 0 || msg.readUInt16BE(o + 1) !== 41 || msg[o + 5] !== 0 || msg[o + 6] !== 0) return undefined;
      if (o + 11 + msg.readUInt16BE(o + 9) !== msg.length || !wellFormedOptions(msg, o + 11)) return undefined;
      edns = (msg[o + 7] & 0x80) !== 0 ? 'do' : 'nodo';
      if (!tcp) maxSize = Math.max(512, Math.min(msg.readUInt16BE(o + 3), EDNS_UDP_SIZE));
    } else if (msg[11] !== 0 || questionEnd !== msg.length) return undefined;
    const key = ResponseCache.key(msg, questionEnd, edns, maxSize);
    return key === undefined ? undefined : { key, questionEnd, variant: `${edns}${maxSize}` };
  }

  /**
   * The key an answered plain query's reply is stored under, or undefined when it must not
   * be stored. Make-up keys need the proofs already in the sections (addProofs).
   */
  static replyKey(raw: RawQuestion, answered: Answered, qname: Name): ReplyKey | undefined {
    const steps = answered.steps;
    if (steps.length === 0) return undefined;
    if (byQuestion(answered)) return { key: raw.key, byShape: false };
    // A DNAME's synthesised CNAME spells the qname out in its RDATA: no two qnames share it.
    for (const s of steps) if (s.result.kind === 'dname') return undefined;
    const r = answered.response;
    let key = `${raw.variant} ${raw.questionEnd} ${r.rcode}${r.aa ? 'a' : ''}`;
    key = shapeOf(shapeOf(shapeOf(key + '|', r.answer, qname) + '|', r.authority, qname) + '|', r.additional, qname);
    return { key, byShape: true };
  }

  /** A ready reply for this message, with its ID, question spelling and RD/CD copied in; or undefined. */
  get(key: string, msg: Buffer, questionEnd: number, generation: number, now: number, byShape = false): Buffer | undefined {
    const e = (byShape ? this.shapes : this.map).get(key);
    // Reused for at most MAX_AGE seconds: signatures in it stay far from expiry (refreshed 7 days early).
    if (!e || e.generation !== generation || now < e.made || now > e.made + MAX_AGE) return undefined;
    if (byShape) this.shapeHits++;
    else this.hits++;
    // A fresh copy: the send is asynchronous, and the cached bytes are shared.
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

  /**
   * Store a reply under its key. A make-up key is refused when some name in the reply other
   * than an owner equal to the qname lies at or below the qname: it could have been
   * compressed into the question, and the next qname of the same make-up is another name.
   */
  set(key: ReplyKey, bytes: Buffer, answered: Answered, qname: Name, generation: number, now: number): void {
    if (key.byShape) {
      if (pointsIntoQname(answered, qname)) return;
      this.shapes.set(key.key, { bytes, generation, made: now });
    } else {
      this.map.set(key.key, { bytes, generation, made: now });
    }
  }
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

/** Each entry as `[@ or owner]id[:ttl][+]`: @ for the qname, + when the entry is to be signed. */
function shapeOf(key: string, entries: readonly RREntry[], qname: Name): string {
  for (const e of entries) {
    const owner = e.owner === qname ? '@' : e.owner === e.rrset.name ? '' : e.owner;
    key += `${owner}${e.rrset.id}${e.ttl === undefined ? '' : ':' + e.ttl}${e.zone ? '+' : ''},`;
  }
  return key;
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
