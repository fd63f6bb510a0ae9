// Micro-bench of the in-process query path (classify → fast path or parse → answer → sign/prove → encode) per query mix, DO=1; BENCH_FAST_PATH=off measures the full path alone, BENCH_METRICS=off without the server's per-query counters.
import { Store } from '../zones/store/sqlite.js';
import { parseZoneText } from '../zones/io/zonefile-parse.js';
import { hostZones } from '../server/zone-host.js';
import { benchResponder } from './lib/responder.js';
import { handleMessage, type QueryContext } from '../server/query/handle.js';
import { RRsetWireCache } from '../server/wire/rr-wire.js';
import { FastPath } from '../server/query/fast/fast-path.js';
import { Metrics } from '../server/metrics/metrics.js';
import * as packet from 'dns-packet';
import { generatedZone, importRecords } from './lib/zones.js';

const N = Number(process.env.BENCH_NAMES ?? 10000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);

function query(name: string, type: string, id: number): Buffer {
  return packet.encode({
    type: 'query', id, flags: 0, questions: [{ name, type: type as packet.RecordType, class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: packet.DNSSEC_OK, options: [] } as unknown as packet.Answer],
  });
}

const rand = () => Math.random().toString(36).slice(2, 10);
function pregenerated(make: () => Buffer, n = 200_000): () => Buffer {
  const qs = Array.from({ length: n }, make);
  let i = 0;
  return () => qs[i++ % n];
}

const mixes: Record<string, () => Buffer> = {
  positive: (() => { const qs = [query('www.example.com', 'A', 1), query('_443._tcp.www.example.com', 'TLSA', 2), query('mail.example.com', 'AAAA', 3), query(`h${N >> 1}.example.com`, 'A', 4)]; let i = 0; return () => qs[i++ & 3]; })(),
  // Unique random labels, made up front so the figure is the server's, not the generator's.
  nxdomain: pregenerated(() => query(`${rand()}.example.com`, 'A', 5)),
  wildcard: pregenerated(() => query(`${rand()}.wild.example.com`, 'A', 6)),
  chains: (() => { const qs = [query('alias.example.com', 'TLSA', 7), query('_443._tcp.svc.dn.example.com', 'TLSA', 8)]; let i = 0; return () => qs[i++ & 1]; })(),
};

function main(): void {
  const now = Math.floor(Date.now() / 1000);
  const store = new Store(':memory:');
  let t = performance.now();
  const recs = parseZoneText(generatedZone(N), { origin: 'example.com.' });
  importRecords(store, 'example.com.', recs, now);
  const { zones, dnssec } = hostZones(store, { serving: true, now: () => now });
  console.log(`zone: ${recs.length} records, import+load+chain ${(performance.now() - t).toFixed(0)} ms`);
  // Sign everything first, as the server does in the background after loading, so the
  // figures are serving (the NSEC3 RRsets a random-label mix meets are signed), not signing.
  t = performance.now();
  while (dnssec.presign(now, Infinity));
  console.log(`signed: ${dnssec.cache.signed} signatures in ${(performance.now() - t).toFixed(0)} ms`);
  // BENCH_FAST_PATH=off: every query takes the full path, as `daneprime serve --fast-path off` answers.
  const fast = process.env.BENCH_FAST_PATH === 'off' ? undefined : new FastPath();
  const ctx: QueryContext = { zones, dnssec, now: () => now, wire: new RRsetWireCache(), fastPath: fast };
  // The per-query counters, as `daneprime serve` keeps them (BENCH_METRICS=off: none, to measure their cost).
  const metrics = new Metrics();
  if (process.env.BENCH_METRICS !== 'off') ctx.observe = metrics.observe;
  const only = process.env.BENCH_MIX;
  for (const [name, next] of Object.entries(mixes)) {
    if (only && name !== only) continue;
    // Warm up for half a second: the JIT, and for the random mixes the first meeting with each
    // NSEC3 RRset (its wire pieces and RRSIGs, about 12,000 on the 10,000-name zone), which a
    // few thousand queries do not cover and which would otherwise land in the first measured run.
    for (const end = performance.now() + 500; performance.now() < end;) for (let i = 0; i < 200; i++) handleMessage(ctx, next(), benchResponder);
    const runs: number[] = [];
    for (let r = 0; r < 3; r++) {
      let n = 0;
      t = performance.now();
      const end = t + (SECONDS * 1000) / 3;
      while (performance.now() < end) { for (let i = 0; i < 200; i++) handleMessage(ctx, next(), benchResponder); n += 200; }
      runs.push(n / ((performance.now() - t) / 1000));
    }
    runs.sort((a, b) => a - b);
    console.log(`${name.padEnd(9)} ${Math.round(runs[1]).toLocaleString('en-US').padStart(9)} q/s (median of 3; min ${Math.round(runs[0])}, max ${Math.round(runs[2])})`);
  }
  console.log(`signatures made ${dnssec.cache.signed}, cache hits ${dnssec.cache.hits}, misses ${dnssec.cache.misses}; replies reused by question ${fast?.cache.hits ?? 0}; wire pieces made ${ctx.wire!.made}, RRSIG records fetched ${ctx.wire!.signed}`);
}

main();
