// What the per-query counters cost: the in-process query path with and without them, in alternating slices of one process, so that a loaded machine's drift falls on both alike.
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

const N = Number(process.env.BENCH_NAMES ?? 2000);
const SLICES = Number(process.env.BENCH_SLICES ?? 20);
const SLICE_MS = 150;

const query = (name: string, type: string, id: number) => packet.encode({
  type: 'query', id, flags: 0, questions: [{ name, type: type as packet.RecordType, class: 'IN' }],
  additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: packet.DNSSEC_OK, options: [] } as unknown as packet.Answer],
});

function main(): void {
  const now = Math.floor(Date.now() / 1000);
  const store = new Store(':memory:');
  importRecords(store, 'example.com.', parseZoneText(generatedZone(N), { origin: 'example.com.' }), now);
  const { zones, dnssec } = hostZones(store, { serving: true, now: () => now });
  while (dnssec.presign(now, Infinity));
  const positive = [query('www.example.com', 'A', 1), query('_443._tcp.www.example.com', 'TLSA', 2), query('mail.example.com', 'AAAA', 3)];
  const random = Array.from({ length: 100_000 }, (_, i) => query(`${Math.random().toString(36).slice(2, 10)}.example.com`, 'A', i & 0xffff));
  const mixes: Record<string, (i: number) => Buffer> = { positive: (i) => positive[i % 3], nxdomain: (i) => random[i % random.length] };
  const metrics = new Metrics();
  for (const [name, next] of Object.entries(mixes)) {
    const ctx: QueryContext = { zones, dnssec, now: () => now, wire: new RRsetWireCache(), fastPath: new FastPath() };
    let i = 0;
    const slice = (on: boolean): number => {
      ctx.observe = on ? metrics.observe : undefined;
      let n = 0;
      const t = performance.now(), end = t + SLICE_MS;
      while (performance.now() < end) { for (let k = 0; k < 100; k++) handleMessage(ctx, next(i++), benchResponder); n += 100; }
      return n / ((performance.now() - t) / 1000);
    };
    for (let w = 0; w < 6; w++) slice(w % 2 === 0); // warm-up, both ways
    const off: number[] = [], on: number[] = [];
    for (let s = 0; s < SLICES; s++) { off.push(slice(false)); on.push(slice(true)); }
    const median = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1];
    const [a, b] = [median(off), median(on)];
    console.log(`${name.padEnd(9)} without counters ${Math.round(a).toLocaleString('en-US').padStart(10)} q/s, with ${Math.round(b).toLocaleString('en-US').padStart(10)} q/s `
      + `(${((b / a - 1) * 100).toFixed(1)} %, ${((1e9 / b - 1e9 / a)).toFixed(0)} ns per query; medians of ${SLICES} alternating ${SLICE_MS} ms slices)`);
  }
}

main();
