// In-process random-label flood on a big signed zone: what a query costs once the zone outgrows every bounded cache.
import { PerformanceObserver } from 'node:perf_hooks';
import * as packet from 'dns-packet';
import { Store } from '../zones/store/sqlite.js';
import { parseZoneText } from '../zones/io/zonefile-parse.js';
import { hostZones } from '../server/zone-host.js';
import { handleMessage, type QueryContext } from '../server/query/handle.js';
import { generatedZone, importRecords } from './lib/zones.js';
import { benchResponder } from './lib/responder.js';
import { RRsetWireCache } from '../server/wire/rr-wire.js';
import { FastPath } from '../server/query/fast/fast-path.js';

// BENCH_NAMES (300,000): a chain several times the 65,536 NSEC3 RRsets held and the 50,000
// RRsets holding wire pieces, as on a million-name zone, but ready in about a minute.
const N = Number(process.env.BENCH_NAMES ?? 300_000);
const WARM = Number(process.env.BENCH_WARM ?? 200_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 400_000);
const now = Math.floor(Date.now() / 1000);
const mib = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;

const store = new Store(':memory:');
importRecords(store, 'example.com.', parseZoneText(generatedZone(N), { origin: 'example.com.' }), now);
const { zones, dnssec } = hostZones(store, { serving: true, now: () => now });
let t = performance.now();
while (dnssec.presign(now, Infinity));
console.log(`${N.toLocaleString('en-US')} names, every RRset signed first (${((performance.now() - t) / 1000).toFixed(1)} s); RSS ${mib(process.memoryUsage().rss)}`);

// The server's caches, as `daneprime serve` sets them up.
const wire = new RRsetWireCache();
const ctx: QueryContext = { zones, dnssec, now: () => now, wire, fastPath: new FastPath() };
const query = (name: string) => packet.encode({
  type: 'query', id: 1, questions: [{ name, type: 'A', class: 'IN' }],
  additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: packet.DNSSEC_OK, options: [] } as unknown as packet.Answer],
});
const label = () => Math.random().toString(16).slice(2, 18).padEnd(16, '0');
// Half NXDOMAIN, half wildcard, every label new: no reply cache can help.
const queries = Array.from({ length: WARM + QUERIES }, (_, i) => query(i & 1 ? `${label()}.example.com` : `${label()}.wild.example.com`));
for (let i = 0; i < WARM; i++) handleMessage(ctx, queries[i], benchResponder);

const gc = { scavenges: 0, scavengeMs: 0, other: 0, otherMs: 0 };
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    // kind 1 is a scavenge (young generation); the rest is marking and compaction of the old.
    if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === 1) { gc.scavenges++; gc.scavengeMs += e.duration; } else { gc.other++; gc.otherMs += e.duration; }
  }
});
obs.observe({ entryTypes: ['gc'] });
const chain = dnssec.forApex('example.com.')!.chain;
const before = { unheld: chain.unheld, made: wire.made, signed: dnssec.cache.signed };
t = performance.now();
for (let i = WARM; i < WARM + QUERIES; i++) handleMessage(ctx, queries[i], benchResponder);
const ms = performance.now() - t;
await new Promise((r) => setTimeout(r, 50)); // let the observer see the last collections
obs.disconnect();
const perQ = (x: number) => `${((x * 1000) / QUERIES).toFixed(2)} µs`;
console.log(`${QUERIES.toLocaleString('en-US')} random NXDOMAIN + wildcard queries: ${perQ(ms)} per query, of which GC ${perQ(gc.scavengeMs + gc.otherMs)} (${gc.scavenges} scavenges ${gc.scavengeMs.toFixed(0)} ms, ${gc.other} other ${gc.otherMs.toFixed(0)} ms)`);
console.log(`NSEC3 RRsets built for one answer ${chain.unheld - before.unheld}, wire pieces made and held ${wire.made - before.made}, signatures made ${dnssec.cache.signed - before.signed}`);
console.log(`RSS ${mib(process.memoryUsage().rss)}, heap used ${mib(process.memoryUsage().heapUsed)}`);
