// Encoded replies for repeated questions: the positive path skips lookup, signing and encoding entirely.
import { BoundedMap } from '../../zones/util/bounded-map.js';
import type { Answered } from './answer.js';
import { EDNS_UDP_SIZE } from './encode.js';

interface Entry {
  bytes: Buffer;
  /** Zones generation the reply was made from: any commit anywhere makes it stale. */
  generation: number;
  /** Made at (unix seconds): a clock that stepped back must not see signatures from its future. */
  made: number;
}

const MAX_AGE = 60;

/**
 * Keyed by what decides the reply's bytes besides ID, question case and RD/CD: the name,
 * type, DO and the size limit. Only answers whose names come from the zone are stored —
 * never NXDOMAIN or wildcard-synthesised ones, whose random labels would only evict
 * useful entries.
 */
export class ResponseCache {
  private readonly map: BoundedMap<string, Entry>;
  hits = 0;

  constructor(maxEntries = 100_000) {
    this.map = new BoundedMap(maxEntries);
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
   * qualify: QUERY, one question, nothing but an optional bare EDNS(0) OPT. Anything else
   * (TSIG, options, other opcodes) takes the full path.
   */
  static keyOfRaw(msg: Buffer, tcp: boolean): { key: string; questionEnd: number } | undefined {
    if (msg.length < 17 || (msg[2] & 0xf8) !== 0 || msg.readUInt32BE(4) !== 0x00010000 || msg[8] !== 0 || msg[9] !== 0 || msg[10] !== 0) return undefined;
    let i = 12;
    while (i < msg.length && msg[i] !== 0) { if (msg[i] > 63) return undefined; i += msg[i] + 1; }
    const questionEnd = i + 5;
    if (questionEnd > msg.length || msg[questionEnd - 2] !== 0 || msg[questionEnd - 1] !== 1) return undefined; // class IN
    let edns: 'none' | 'do' | 'nodo' = 'none';
    let maxSize = tcp ? 65535 : 512;
    if (msg[11] === 1) {
      // A bare OPT (RFC 6891 §6.1.2): root owner, type 41, size, ext-rcode 0, version 0, flags, no options.
      const o = questionEnd;
      if (o + 11 !== msg.length || msg[o] !== 0 || msg.readUInt16BE(o + 1) !== 41 || msg[o + 5] !== 0 || msg[o + 6] !== 0 || msg.readUInt16BE(o + 9) !== 0) return undefined;
      edns = (msg[o + 7] & 0x80) !== 0 ? 'do' : 'nodo';
      if (!tcp) maxSize = Math.max(512, Math.min(msg.readUInt16BE(o + 3), EDNS_UDP_SIZE));
    } else if (msg[11] !== 0 || questionEnd !== msg.length) return undefined;
    const key = ResponseCache.key(msg, questionEnd, edns, maxSize);
    return key === undefined ? undefined : { key, questionEnd };
  }

  /** A ready reply for this message, with its ID, question spelling and RD/CD copied in; or undefined. */
  get(key: string, msg: Buffer, questionEnd: number, generation: number, now: number): Buffer | undefined {
    const e = this.map.get(key);
    // Reused for at most MAX_AGE seconds: signatures in it stay far from expiry (refreshed 7 days early).
    if (!e || e.generation !== generation || now < e.made || now > e.made + MAX_AGE) return undefined;
    this.hits++;
    const out = Buffer.from(e.bytes);
    out[0] = msg[0];
    out[1] = msg[1];
    out[2] = (out[2] & ~0x01) | (msg[2] & 0x01); // RD (RFC 1035 §4.1.1: copied)
    out[3] = (out[3] & ~0x10) | (msg[3] & 0x10); // CD (RFC 4035 §3.1.6: copied)
    msg.copy(out, 12, 12, questionEnd); // the question as asked: same name, so same length
    return out;
  }

  set(key: string, bytes: Buffer, answered: Answered, generation: number, now: number): void {
    if (!cacheable(answered)) return;
    this.map.set(key, { bytes, generation, made: now });
  }
}

function cacheable(a: Answered): boolean {
  if (a.steps.length === 0) return false;
  for (const s of a.steps) {
    const r = s.result;
    if (r.kind === 'nxdomain') return false;
    if ((r.kind === 'answer' || r.kind === 'any' || r.kind === 'cname' || r.kind === 'nodata') && r.wildcard) return false;
  }
  return true;
}
