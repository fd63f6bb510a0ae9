// The query path's counters as plain numbers (requests by zone, transport, family and type; responses by rcode; DO; duration), read at scrape time.
import type { Name } from '../../zones/model/name.js';
import { RRType } from '../../zones/model/types.js';
import type { QueryObserver } from '../query/context.js';
import type { Responder } from '../query/responder.js';

/**
 * The query types counted by name; any other folds into `other`, so a client asking random
 * types cannot grow the series (CoreDNS's `plugin/metrics/vars` keeps a fixed list the same way).
 */
export const COUNTED_TYPES: readonly string[] = [
  'A', 'NS', 'CNAME', 'SOA', 'PTR', 'MX', 'TXT', 'AAAA', 'SRV', 'NAPTR', 'DS', 'RRSIG', 'NSEC', 'DNSKEY',
  'NSEC3', 'NSEC3PARAM', 'TLSA', 'SMIMEA', 'CDS', 'CDNSKEY', 'OPENPGPKEY', 'SVCB', 'HTTPS', 'CAA', 'ANY', 'AXFR', 'IXFR',
];
const TYPE_CODES: Record<string, number> = { ...RRType, CAA: 257, ANY: 255, AXFR: 252, IXFR: 251 };
const OTHER_TYPE = COUNTED_TYPES.length;
/** qtype → its index in COUNTED_TYPES, or OTHER_TYPE: one array read per query. */
const TYPE_INDEX = new Uint8Array(65536).fill(OTHER_TYPE);
COUNTED_TYPES.forEach((t, i) => { TYPE_INDEX[TYPE_CODES[t]] = i; });
export const typeLabel = (i: number): string => COUNTED_TYPES[i] ?? 'other';

/** Response codes counted by number; larger ones (none the query path sends) fold into the last. */
export const RCODE_SLOTS = 32;

/**
 * Upper bounds of the duration histogram, seconds: from 50 µs (a reply-cache hit) to 1 s.
 * CoreDNS starts at 250 µs; an answer from memory is mostly below that, so finer steps there.
 */
export const DURATION_BUCKETS: readonly number[] = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
const BUCKET_MS = DURATION_BUCKETS.map((s) => s * 1000);

/** Transport and address family as label values, by their index in the keys below. */
export const PROTOS = ['udp', 'tcp'] as const;
export const FAMILIES = ['1', '2'] as const; // CoreDNS: 1 for IPv4, 2 for IPv6

/**
 * One process's query counters. Every answered query costs a clock read, a few array writes
 * and two Map updates under number keys: no label string is built and no prom-client call is
 * made per query; the scrape turns these into series (exposition.ts).
 *
 * Zones are counted by a small index: 0 is `other` (no hosted zone answered), then each hosted
 * apex in the order first seen. An apex comes from a served zone, so the index is bounded by
 * the zones this process has hosted.
 */
export class QueryStats implements QueryObserver {
  private readonly zoneIndex = new Map<Name, number>();
  /** Zone labels by index (0: other). */
  readonly zoneNames: string[] = ['other'];
  /** ((zone × 2 + proto) × 2 + family) × (types + 1) + type → requests. */
  readonly requests = new Map<number, number>();
  /** zone × RCODE_SLOTS + rcode → responses. */
  readonly responses = new Map<number, number>();
  /** zone → requests with the DO bit (RFC 3225). */
  readonly doRequests = new Map<number, number>();
  /** Bucket counts of the request durations (the last is +Inf), and their sum in seconds. */
  readonly duration = { buckets: new Float64Array(DURATION_BUCKETS.length + 1), sum: 0 };

  private started = 0;
  private proto = 0;
  private family = 0;

  /** A message arrived: note when, and over what. */
  received(responder: Responder): void {
    this.started = performance.now();
    this.proto = responder.transport === 'tcp' ? 1 : 0;
    this.family = familyOf(responder);
  }

  /** The message just received was answered. */
  answered(qtype: number | undefined, rcode: number, zone: Name | undefined, dnssecOk: boolean): void {
    const ms = performance.now() - this.started;
    const z = zone === undefined ? 0 : this.indexOf(zone);
    const t = qtype === undefined ? OTHER_TYPE : TYPE_INDEX[qtype];
    const rk = ((z * 2 + this.proto) * 2 + this.family) * (OTHER_TYPE + 1) + t;
    this.requests.set(rk, (this.requests.get(rk) ?? 0) + 1);
    const ck = z * RCODE_SLOTS + (rcode < RCODE_SLOTS ? rcode : RCODE_SLOTS - 1);
    this.responses.set(ck, (this.responses.get(ck) ?? 0) + 1);
    if (dnssecOk) this.doRequests.set(z, (this.doRequests.get(z) ?? 0) + 1);
    const d = this.duration;
    let b = 0;
    while (b < BUCKET_MS.length && ms > BUCKET_MS[b]) b++;
    d.buckets[b]++;
    d.sum += ms / 1000;
  }

  private indexOf(zone: Name): number {
    let z = this.zoneIndex.get(zone);
    if (z === undefined) {
      z = this.zoneNames.length;
      this.zoneNames.push(zone);
      this.zoneIndex.set(zone, z);
    }
    return z;
  }

  /** Split a requests key into its parts. */
  static requestKey(k: number): { zone: number; proto: number; family: number; type: number } {
    const type = k % (OTHER_TYPE + 1);
    let rest = (k - type) / (OTHER_TYPE + 1);
    const family = rest % 2;
    rest = (rest - family) / 2;
    const proto = rest % 2;
    return { zone: (rest - proto) / 2, proto, family, type };
  }
}

/**
 * 2 for an IPv6 client, else 1. A listener that reads its datagrams in batches names its
 * family once (Responder.family) instead of spelling out each source address; the others pass
 * the address text. A v4-mapped address (::ffff:192.0.2.1 on a dual-stack socket) is IPv4.
 */
function familyOf(r: Responder): number {
  if (r.family !== undefined) return r.family === 6 ? 1 : 0;
  const a = r.remote;
  return typeof a === 'string' && a.includes(':') && !a.startsWith('::ffff:') ? 1 : 0;
}
