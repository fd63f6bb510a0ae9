// Encoded replies for repeated questions: the positive path skips lookup, signing and encoding entirely.
import { BoundedMap } from '../../zones/util/bounded-map.js';
import type { Answered } from './answer.js';
import type { Query } from './parse.js';

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

  static key(q: Query, maxSize: number): string {
    return `${q.qname}\u0000${q.qtype}\u0000${q.edns?.dnssecOk ? 1 : 0}\u0000${maxSize}`;
  }

  /** A ready reply for `q`, with its ID, question spelling and RD/CD copied in; or undefined. */
  get(key: string, q: Query, generation: number, now: number): Buffer | undefined {
    const e = this.map.get(key);
    // Reused for at most MAX_AGE seconds: signatures in it stay far from expiry (refreshed 7 days early).
    if (!e || e.generation !== generation || now < e.made || now > e.made + MAX_AGE) return undefined;
    this.hits++;
    const out = Buffer.from(e.bytes);
    out.writeUInt16BE(q.id, 0);
    out[2] = (out[2] & ~0x01) | ((q.flags >> 8) & 0x01); // RD (RFC 1035 §4.1.1: copied)
    out[3] = (out[3] & ~0x10) | (q.flags & 0x10); // CD (RFC 4035 §3.1.6: copied)
    q.questionWire.copy(out, 12); // the question as asked: same name, so same length
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
