// Encoded replies for repeated questions: a repeat skips parsing, lookup, signing and encoding.
import type { Answered } from '../answer.js';
import type { Name } from '../../../zones/model/name.js';
import { fold, type ReplyKey } from '../classify.js';
import { messageBuffer } from '../../wire/message-buffer.js';
import { powerOfTwoAtLeast } from '../../../zones/util/power-of-two.js';
import { reusable } from './freshness.js';

interface Entry {
  bytes: Buffer;
  /** The freshness token the reply was made under (freshness.ts). */
  token: number;
  /** Made at (unix seconds). */
  made: number;
  /**
   * The key it answers: the question (name folded, then type and class, as latin1) and the
   * variant, checked on every hit, since the slot is picked by a hash of them.
   */
  question: string;
  variant: number;
  /** The zone that answered (metrics label the reuse with it). */
  zone: Name;
}

/** What one stored reply costs besides its bytes: the Entry, the slot, the key. */
const ENTRY_OVERHEAD = 160;
const weigh = (e: Entry): number => e.bytes.length + ENTRY_OVERHEAD + e.question.length;

/** Bounds on stored replies, in entries (rounded up to a power of two) and in bytes; the defaults suit one server. */
export interface ReplyCacheBounds {
  replies?: number;
  replyBytes?: number;
}

/**
 * Replies by reply key (classify.ts) for answers whose names all come from the zone, so that
 * the question repeats: a repeat is answered before parsing.
 *
 * NXDOMAIN and wildcard answers are not stored: their qnames are random labels that never
 * repeat (missing-name-reply.ts makes those).
 *
 * A direct-mapped table: the key's 32-bit hash picks one slot, and the slot's hash, kept in a
 * typed array of its own, tells a miss without touching any entry. Every plain query probes
 * here first, and under a random-label flood every probe misses: one read from one array,
 * where the two Map probes of a generational cache each cost a few cache misses on a large
 * table. A key that lands on a taken slot replaces its entry. Each entry holds its key, which
 * every hit compares, so a collision is a miss, never another question's reply. Bounded in
 * entries (the slots) and in bytes: an entry that would take the total past the byte budget
 * empties the table first, so large TCP replies cannot make it grow past its budget.
 */
export class ReplyCache {
  private readonly slots: (Entry | undefined)[];
  private readonly hashes: Int32Array;
  private readonly mask: number;
  private readonly maxBytes: number;
  private bytes = 0;
  private count = 0;
  hits = 0;
  /** The zone of the reply the last `get` returned (undefined after a miss): what answered, for metrics. */
  lastZone: Name | undefined;

  constructor(bounds: ReplyCacheBounds = {}) {
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

  /** Whether the full path's answer to a plain query may be stored under its key. */
  static cacheable(answered: Answered): boolean {
    return answered.steps.length > 0 && byQuestion(answered);
  }

  /** A ready reply for the plain query `msg` with key `key`, its ID, spelling and RD/CD copied in; or undefined. */
  get(key: ReplyKey, msg: Buffer, token: number, now: number): Buffer | undefined {
    this.lastZone = undefined;
    const slot = key.hash & this.mask;
    if (this.hashes[slot] !== key.hash) return undefined;
    const e = this.slots[slot];
    if (!e || e.variant !== key.variant || !sameQuestion(e.question, msg, key.questionEnd)) return undefined;
    const out = ready(e, msg, key.questionEnd, token, now);
    if (out) { this.hits++; this.lastZone = e.zone; }
    return out;
  }

  /**
   * Store the reply to the plain query `msg` under its key. The bytes are copied into memory
   * of their own: a reply is a slice of a slab shared with other replies, and keeping the
   * slice would keep the whole slab alive for as long as the entry lives, far past what the
   * byte budget counts.
   */
  set(key: ReplyKey, msg: Buffer, bytes: Buffer, token: number, now: number, zone: Name): void {
    // One entry per slot: a colliding key replaces it and is told apart on every hit.
    const q = Buffer.from(msg.subarray(12, key.questionEnd));
    for (let j = 0; j < q.length - 4; j++) q[j] = fold(q[j]);
    const own = Buffer.allocUnsafeSlow(bytes.length);
    own.set(bytes);
    const e: Entry = { bytes: own, token, made: now, question: q.toString('latin1'), variant: key.variant, zone };
    const slot = key.hash & this.mask;
    const old = this.slots[slot];
    if (old) { this.bytes -= weigh(old); this.count--; }
    if (this.bytes + weigh(e) > this.maxBytes) this.clear();
    this.slots[slot] = e;
    this.hashes[slot] = key.hash;
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
function ready(e: Entry, msg: Buffer, questionEnd: number, token: number, now: number): Buffer | undefined {
  if (!reusable(e.token, e.made, token, now)) return undefined;
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

/** Answers whose names all come from the zone, so the question repeats: not NXDOMAIN, not wildcard-synthesised. */
function byQuestion(a: Answered): boolean {
  for (const s of a.steps) {
    const r = s.result;
    if (r.kind === 'nxdomain') return false;
    if ((r.kind === 'answer' || r.kind === 'any' || r.kind === 'cname' || r.kind === 'nodata') && r.wildcard) return false;
  }
  return true;
}
