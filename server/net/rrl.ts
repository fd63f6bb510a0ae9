// Response rate limiting over UDP (as Knot's `rrl` and BIND's RRL): token buckets per client prefix and response class; over the rate, every `slip`-th reply goes out truncated and the rest are dropped.
import { classifyReply, questionEnd, RRL_CLASSES } from './rrl-class.js';

export interface RrlOptions {
  /** Responses per second per client prefix and bucket, in this process. */
  rate: number;
  /**
   * Of the responses over the rate, every `slip`-th is sent as an empty TC=1 reply and the
   * rest are dropped; 0: all dropped, 1: all truncated. A spoofed victim gets at most a
   * `slip`-th of the flood, in replies no larger than the queries; a real client whose
   * queries happen to share the prefix retries a truncated reply over TCP, which is never
   * limited (BIND's default is 2 too).
   */
  slip: number;
  /** Buckets kept at most (memory bound under floods of spoofed sources). */
  maxBuckets?: number;
}

/** A bucket: tokens refill at `rate` per second up to `burst`. */
class Bucket {
  constructor(public tokens: number, public at: number, public limited: number) {}
}

/** The groups of the IPv6 address being read (reused: prefixKey allocates nothing). */
const groups = new Int32Array(8);

/**
 * The client's network as a number: the first three octets of an IPv4 address (a /24), a
 * hash of the first 56 bits of an IPv6 address (a /56: what a provider gives one customer), so
 * one client cannot escape its limit by hopping between its own addresses. Read from the
 * address text the listeners have, without allocating (this runs for every reply).
 */
export function prefixKey(addr: string): number {
  const colon = addr.indexOf(':');
  if (colon < 0) return ipv4Prefix(addr, 0);
  // An IPv4-mapped IPv6 address (::ffff:192.0.2.1) is the IPv4 client.
  if (addr.length > 7 && addr.charCodeAt(addr.length - 1) !== 0x3a && addr.lastIndexOf('.') > 0 && /^::ffff:/i.test(addr)) return ipv4Prefix(addr, 7);
  const end = addr.indexOf('%') < 0 ? addr.length : addr.indexOf('%');
  let i = 0, n = 0, gapAt = -1;
  if (addr.charCodeAt(0) === 0x3a && addr.charCodeAt(1) === 0x3a) { gapAt = 0; i = 2; }
  while (i < end && n < 8) {
    let v = 0;
    for (; i < end; i++) {
      const c = addr.charCodeAt(i);
      const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 ? (c | 0x20) - 0x57 : -1;
      if (d < 0) break;
      v = v * 16 + d;
    }
    // A dotted IPv4 tail fills the last two groups, past the /56.
    if (i < end && addr.charCodeAt(i) === 0x2e) { groups[n++] = 0; if (n < 8) groups[n++] = 0; break; }
    groups[n++] = v & 0xffff;
    if (i >= end) break;
    i++; // ':'
    if (i < end && addr.charCodeAt(i) === 0x3a) { gapAt = n; i++; }
  }
  const zeros = gapAt < 0 ? 0 : 8 - n;
  let h = 0x811c9dc5;
  for (let k = 0; k < 4; k++) {
    const g = gapAt < 0 || k < gapAt ? groups[k] : k < gapAt + zeros ? 0 : groups[k - zeros];
    h = Math.imul(h ^ (k === 3 ? g >> 8 : g), 16777619);
  }
  return (h >>> 0) | 0x01000000;
}

/** a.b.c of the dotted quad starting at `from`, as a 24-bit number. */
function ipv4Prefix(addr: string, from: number): number {
  let v = 0, octet = 0, dots = 0;
  for (let i = from; i < addr.length && dots < 3; i++) {
    const c = addr.charCodeAt(i);
    if (c === 0x2e) { v = v * 256 + octet; octet = 0; dots++; } else octet = octet * 10 + (c - 0x30);
  }
  return v;
}

/**
 * Decides, per UDP reply, whether it goes out as made, truncated, or not at all. The table of
 * buckets is two generations of at most maxBuckets/2 each: a lookup that finds its bucket in
 * the old one moves it to the new one, and when the new one is full the old one is dropped.
 * So memory is bounded whatever the sources, and a bucket that is touched survives; one not
 * touched for a whole generation is forgotten, which costs nothing once it has been idle a
 * second (it would be full again). Only a flood of spoofed sources so wide that a generation
 * fills in under a second can make a limited client's bucket be forgotten early, granting it
 * one more second's worth of replies.
 */
export class ResponseRateLimiter {
  readonly rate: number;
  readonly slip: number;
  /** One second's worth of replies, at least one (a rate below 1/s still answers now and then). */
  private readonly burst: number;
  private readonly half: number;
  private current = new Map<number, Bucket>();
  private old = new Map<number, Bucket>();
  /** Replies over the rate, by class index (RRL_CLASSES): sent truncated, and dropped. */
  readonly slipped = new Array<number>(RRL_CLASSES.length).fill(0);
  readonly dropped = new Array<number>(RRL_CLASSES.length).fill(0);
  readonly classes = RRL_CLASSES;

  constructor(opts: RrlOptions, private readonly clock: () => number = () => performance.now()) {
    if (!(opts.rate > 0)) throw new Error(`rrl: rate must be > 0, not ${opts.rate}`);
    this.rate = opts.rate;
    this.slip = opts.slip;
    this.burst = Math.max(1, opts.rate);
    this.half = Math.max(1, Math.floor((opts.maxBuckets ?? 100_000) / 2));
  }

  /** Buckets held now (for the metrics and the memory test). */
  tracked(): number {
    return this.current.size + this.old.size;
  }

  /**
   * The reply to send instead of `reply` to a client of network `prefix` (prefixKey, or the
   * batched addon's prefix()): itself, an empty TC=1 copy of its header and question, or
   * undefined (drop).
   */
  filter(reply: Buffer, prefix: number): Buffer | undefined {
    const kind = classifyReply(reply);
    const cls = kind % 8;
    // Prefix, name and class in one number (35 bits): no string is made per reply. Two buckets
    // that collide share one, which can only limit them sooner.
    const key = ((Math.imul(prefix, 0x9e3779b1) ^ Math.floor(kind / 8)) >>> 0) * 8 + cls;
    const now = this.clock();
    let b = this.current.get(key);
    if (b === undefined) {
      b = this.old.get(key);
      if (b !== undefined) this.old.delete(key);
      else b = new Bucket(this.burst, now, 0);
      if (this.current.size >= this.half) {
        this.old = this.current;
        this.current = new Map();
      }
      this.current.set(key, b);
    }
    // Refill for the time since the bucket was last used, up to one second's worth (the burst).
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) * this.rate) / 1000);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return reply;
    }
    b.limited++;
    if (this.slip > 0 && b.limited % this.slip === 0) {
      this.slipped[cls]++;
      return truncated(reply);
    }
    this.dropped[cls]++;
    return undefined;
  }
}

/** The header and question of `reply` with TC=1 and no records: "ask again over TCP" (RFC 1035 §4.2.1, RFC 7766 §5). */
function truncated(reply: Buffer): Buffer {
  const end = questionEnd(reply);
  const tc = Buffer.from(reply.subarray(0, end));
  tc[2] |= 0x02;
  tc.writeUInt16BE(end > 12 ? 1 : 0, 4);
  tc.writeUInt32BE(0, 6);
  tc.writeUInt16BE(0, 10);
  return tc;
}
