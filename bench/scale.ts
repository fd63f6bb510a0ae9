// Scale: a generated zone of N names (default 1,000,000): import time, memory, first signed answer, one edit's cost, NOTIFY delay.
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as packet from 'dns-packet';
import { Store } from '../zones/store/sqlite.js';
import { parseZoneText } from '../zones/io/zonefile-parse.js';
import { SERVER_ACTOR } from '../zones/commit.js';
import { XfrStore } from '../zones/store/xfr-sqlite.js';
import { addSecondary } from '../server/xfr/acl.js';
import { serve } from '../server/main.js';
import { rdataFromText } from '../zones/model/rdata/index.js';
import { RRType } from '../zones/model/types.js';
import { generatedZone, importRecords } from './lib/zones.js';

const N = Number(process.env.BENCH_NAMES ?? 1_000_000);
const EDITS = 20;
const mb = () => `${(process.memoryUsage().rss / 1048576).toFixed(0)} MB RSS`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'daneprime-scale-'));
  const db = join(dir, 'scale.db');
  try {
    const now = Math.floor(Date.now() / 1000);
    let t = performance.now();
    const text = generatedZone(N);
    const recs = parseZoneText(text, { origin: 'example.com.' });
    const parsed = performance.now() - t;
    const store = new Store(db);
    importRecords(store, 'example.com.', recs, now);
    console.log(`import of ${recs.length.toLocaleString('en-US')} records: ${((performance.now() - t) / 1000).toFixed(1)} s (parse ${(parsed / 1000).toFixed(1)} s), ${mb()}`);
    // A fake secondary: it only counts NOTIFYs and notes when they arrive.
    const sec = dgram.createSocket('udp4');
    const notifies: number[] = [];
    sec.on('message', (m, r) => {
      // Opcode 4 = NOTIFY (RFC 1996); answer it so the primary stops retrying.
      if (((m[2] >> 3) & 0xf) !== 4) return;
      notifies.push(performance.now());
      const ack = Buffer.from(m);
      ack[2] |= 0x84; // QR + AA
      sec.send(ack.subarray(0, m.length), r.port, r.address);
    });
    await new Promise<void>((r) => sec.bind(0, '127.0.0.1', () => r()));
    addSecondary(store, new XfrStore(store), 'example.com.', `127.0.0.1:${sec.address().port}`, undefined, now);
    store.close();
    recs.length = 0;

    t = performance.now();
    const srv = await serve({ db, dns: [{ host: '127.0.0.1', port: 0 }], log: () => {} });
    const loaded = performance.now() - t;
    const q = packet.encode({ type: 'query', id: 1, questions: [{ name: `h${N >> 1}.example.com`, type: 'A', class: 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: packet.DNSSEC_OK, options: [] } as unknown as packet.Answer] });
    const c = dgram.createSocket('udp4');
    const reply = await new Promise<Buffer>((resolve) => { c.once('message', resolve); c.send(q, srv.addresses[0].port, '127.0.0.1'); });
    c.close();
    const signed = (packet.decode(reply).answers ?? []).some((a) => a.type === 'RRSIG');
    console.log(`serve: zone loaded and NSEC3 chain built in ${(loaded / 1000).toFixed(1)} s; first signed answer ${((performance.now() - t) / 1000).toFixed(1)} s after start (${signed ? 'signed' : 'NOT signed'}); ${mb()} (this process also did the import; \`daneprime serve\` alone: see bench/README.md)`);
    await new Promise((r) => setTimeout(r, 500));

    const editMs: number[] = [];
    const notifyMs: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      const before = notifies.length;
      const tlsa = rdataFromText(RRType.TLSA, '3 1 1 ' + i.toString(16).padStart(2, '0').repeat(32), 'example.com.');
      const e0 = performance.now();
      srv.pipeline.commit({ kind: 'edit', apex: 'example.com.', edits: [{ name: `_443._tcp.new${i}.example.com.`, type: RRType.TLSA, ttl: 300, rdatas: [tlsa] }], action: 'bench.edit' }, SERVER_ACTOR);
      const e1 = performance.now();
      editMs.push(e1 - e0);
      while (notifies.length === before && performance.now() - e1 < 2000) await new Promise((r) => setImmediate(r));
      if (notifies.length > before) notifyMs.push(notifies[before] - e1);
      await new Promise((r) => setTimeout(r, 50));
    }
    console.log(`one edit (new name + TLSA, two new ENTs, NSEC3 chain updated, SOA bumped, committed): median ${median(editMs).toFixed(2)} ms, max ${Math.max(...editMs).toFixed(2)} ms over ${EDITS}`);
    console.log(`NOTIFY received by a secondary after commit: median ${notifyMs.length ? median(notifyMs).toFixed(2) : 'n/a'} ms (${notifyMs.length}/${EDITS} seen)`);
    console.log(`chain builds after load: ${srv.dnssec.forApex('example.com.')!.chain.builds} (1 = edits were incremental)`);
    sec.close();
    await srv.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
