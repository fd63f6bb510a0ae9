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
 * One query in this many is timed. A clock read costs about 0.1 µs here, two per query were
 * a third of the time of a reply-cache hit (bench/query-path.ts); a histogram of one query in
 * 16 has the same quantiles, and its `_count` says how many were timed.
 */
export const TIMED_EVERY = 16;

/** A zone's counters in one block: requests by transport, family and type; responses by rcode; DO. */
const TYPES = OTHER_TYPE + 1;
const RESPONSES_AT = 2 * 2 * TYPES;
const DO_AT = RESPONSES_AT + RCODE_SLOTS;
const BLOCK = DO_AT + 1;

/**
 * One process's query counters. Every answered query costs three writes into its zone's
 * Float64Array block (and one query in TIMED_EVERY two clock reads): no Map, no label string,
 * no prom-client call per query; the scrape turns these into series (metrics.ts, exposition.ts).
 *
 * Zones are counted by a small index: 0 is `other` (no hosted zone answered), then each hosted
 * apex in the order first seen, its block made then (about 1.2 KB). An apex comes from a
 * served zone, so the blocks are bounded by the zones this process has answered for.
 */
export class QueryStats implements QueryObserver {
  private readonly zoneIndex = new Map<Name, number>();
  /** Zone labels by index (0: other). */
  readonly zoneNames: string[] = ['other'];
  readonly blocks: Float64Array[] = [new Float64Array(BLOCK)];
  /** Bucket counts of the timed requests' durations (the last is +Inf), and their sum in seconds. */
  readonly duration = { buckets: new Float64Array(DURATION_BUCKETS.length + 1), sum: 0 };

  private received_ = 0;
  private started = -1;
  private proto = 0;
  private family = 0;
  /** The zone of the last answer, and its block: most queries ask the zone the one before did. */
  private lastZone: Name | undefined;
  private lastBlock: Float64Array = this.blocks[0];

  /** A message arrived: note over what (and, for one in TIMED_EVERY, when). */
  received(responder: Responder): void {
    this.started = this.received_++ % TIMED_EVERY === 0 ? performance.now() : -1;
    this.proto = responder.transport === 'tcp' ? 1 : 0;
    this.family = familyOf(responder);
  }

  /** The message just received was answered. */
  answered(qtype: number | undefined, rcode: number, zone: Name | undefined, dnssecOk: boolean): void {
    const b = zone === undefined ? this.blocks[0] : zone === this.lastZone ? this.lastBlock : this.blockOf(zone);
    b[(this.proto * 2 + this.family) * TYPES + (qtype === undefined ? OTHER_TYPE : TYPE_INDEX[qtype])]++;
    b[RESPONSES_AT + (rcode < RCODE_SLOTS ? rcode : RCODE_SLOTS - 1)]++;
    if (dnssecOk) b[DO_AT]++;
    if (this.started >= 0) {
      const ms = performance.now() - this.started;
      this.started = -1;
      const d = this.duration;
      let i = 0;
      while (i < BUCKET_MS.length && ms > BUCKET_MS[i]) i++;
      d.buckets[i]++;
      d.sum += ms / 1000;
    }
  }

  private blockOf(zone: Name): Float64Array {
    let z = this.zoneIndex.get(zone);
    if (z === undefined) {
      z = this.zoneNames.length;
      this.zoneNames.push(zone);
      this.zoneIndex.set(zone, z);
      this.blocks.push(new Float64Array(BLOCK));
    }
    this.lastZone = zone;
    return (this.lastBlock = this.blocks[z]);
  }

  /** Every non-zero counter, for the scrape. */
  *series(): Generator<{ zone: string } & ({ kind: 'request'; proto: string; family: string; type: string } | { kind: 'response'; rcode: number } | { kind: 'do' }) & { value: number }> {
    for (let z = 0; z < this.blocks.length; z++) {
      const b = this.blocks[z];
      const zone = this.zoneNames[z];
      for (let i = 0; i < RESPONSES_AT; i++) {
        if (b[i] === 0) continue;
        const type = i % TYPES, pf = (i - type) / TYPES;
        yield { zone, kind: 'request', proto: PROTOS[pf >> 1], family: FAMILIES[pf & 1], type: typeLabel(type), value: b[i] };
      }
      for (let r = 0; r < RCODE_SLOTS; r++) if (b[RESPONSES_AT + r] !== 0) yield { zone, kind: 'response', rcode: r, value: b[RESPONSES_AT + r] };
      if (b[DO_AT] !== 0) yield { zone, kind: 'do', value: b[DO_AT] };
    }
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
