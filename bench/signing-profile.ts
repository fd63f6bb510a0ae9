// For a generated zone of N names: load time, first signed answer latency, signing rate and cache hit rate under floods.
import { Store } from '../zones/store/sqlite.js';
import { parseZoneText } from '../zones/io/zonefile-parse.js';
import { hostZones } from '../server/zone-host.js';
import { benchResponder } from './lib/responder.js';
import { handleMessage, type QueryContext } from '../server/query/handle.js';
import * as packet from 'dns-packet';
import { generatedZone, importRecords } from './lib/zones.js';

const N = Number(process.env.BENCH_NAMES ?? 100_000);

function query(name: string, type: string): Buffer {
  return packet.encode({
    type: 'query', id: 1, questions: [{ name, type: type as packet.RecordType, class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: packet.DNSSEC_OK, options: [] } as unknown as packet.Answer],
  });
}

const ms = (t: number) => `${(performance.now() - t).toFixed(1)} ms`;
const now = Math.floor(Date.now() / 1000);
const store = new Store(':memory:');
let t = performance.now();
const recs = parseZoneText(generatedZone(N), { origin: 'example.com.' });
console.log(`parse ${recs.length} records: ${ms(t)}`);
t = performance.now();
importRecords(store, 'example.com.', recs, now);
console.log(`check + store: ${ms(t)}`);
t = performance.now();
const { zones, dnssec } = hostZones(store, { serving: true, now: () => now });
console.log(`load + NSEC3 chain (${dnssec.forApex('example.com.')!.chain.size} names), no signing: ${ms(t)}`);
const ctx: QueryContext = { zones, dnssec, now: () => now };
t = performance.now();
handleMessage(ctx, query(`h${N >> 1}.example.com`, 'A'), benchResponder);
console.log(`first signed answer (A + RRSIG, signed on demand): ${ms(t)}`);
t = performance.now();
handleMessage(ctx, query('nonexistent-label.example.com', 'A'), benchResponder);
console.log(`first signed NXDOMAIN (SOA + 3 NSEC3, signed on demand): ${ms(t)}`);
const before = { signed: dnssec.cache.signed, hits: dnssec.cache.hits, misses: dnssec.cache.misses };
const Q = 50_000;
t = performance.now();
for (let i = 0; i < Q; i++) handleMessage(ctx, query(`r${i}-${Math.random().toString(36).slice(2, 8)}.example.com`, 'A'), benchResponder);
const secs = (performance.now() - t) / 1000;
const signed = dnssec.cache.signed - before.signed;
const hits = dnssec.cache.hits - before.hits, misses = dnssec.cache.misses - before.misses;
console.log(`${Q} random NXDOMAIN (cold chain): ${signed} signatures made (${(signed / secs).toFixed(0)}/s while answering), cache hit rate ${(100 * hits / (hits + misses)).toFixed(2)}%`);
t = performance.now();
const b2 = { hits: dnssec.cache.hits, misses: dnssec.cache.misses, signed: dnssec.cache.signed };
for (let i = 0; i < Q; i++) handleMessage(ctx, query(`w${i}-${Math.random().toString(36).slice(2, 8)}.wild.example.com`, 'A'), benchResponder);
const h2 = dnssec.cache.hits - b2.hits, m2 = dnssec.cache.misses - b2.misses;
console.log(`${Q} random wildcard in ${ms(t)}: ${dnssec.cache.signed - b2.signed} signatures made, cache hit rate ${(100 * h2 / (h2 + m2)).toFixed(2)}%`);
console.log(`resident memory: ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
