// DNS UPDATE throughput and NOTIFY delay: signed UPDATE messages (one RRset each) applied per second by one serving process,
// and the time from each UPDATE's reply to the NOTIFY it causes leaving for a secondary.
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as packet from 'dns-packet';
import { Store } from '../zones/store/sqlite.js';
import { parseZoneText } from '../zones/io/zonefile-parse.js';
import { XfrStore } from '../zones/store/xfr-sqlite.js';
import { PolicyStore } from '../zones/store/policy-sqlite.js';
import { addSecondary } from '../server/xfr/acl.js';
import { createTsigKey, lookupTsigKey } from '../server/xfr/keys.js';
import { addPolicy } from '../server/update/policy.js';
import { TsigSigner } from '../server/wire/tsig.js';
import { serve } from '../server/main.js';
import { generatedZone, importRecords } from './lib/zones.js';

const N = Number(process.env.BENCH_NAMES ?? 10_000);
const UPDATES = Number(process.env.BENCH_UPDATES ?? 2000);
/** UPDATEs in flight at once (each client waits for its reply before the next). */
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'daneprime-update-rate-'));
  const db = join(dir, 'u.db');
  try {
    const now = Math.floor(Date.now() / 1000);
    const store = new Store(db);
    importRecords(store, 'example.com.', parseZoneText(generatedZone(N), { origin: 'example.com.' }), now);
    const xs = new XfrStore(store);
    createTsigKey(xs, 'bench', 'hmac-sha256', undefined, now);
    addPolicy(store, new PolicyStore(store), xs, 'example.com.', { key: 'bench' }, now);
    const key = lookupTsigKey(xs, 'bench.')!;
    // A fake secondary: notes when each NOTIFY arrives (by the serial it carries) and acknowledges it.
    const sec = dgram.createSocket('udp4');
    const notified = new Map<number, number>();
    sec.on('message', (m, r) => {
      if (((m[2] >> 3) & 0xf) !== 4) return;
      const p = packet.decode(m);
      const soa = (p.answers ?? []).find((a) => a.type === 'SOA') as packet.Answer & { data: { serial: number } } | undefined;
      if (soa && !notified.has(soa.data.serial)) notified.set(soa.data.serial, performance.now());
      const ack = Buffer.from(m);
      ack[2] |= 0x84;
      sec.send(ack, r.port, r.address);
    });
    await new Promise<void>((r) => sec.bind(0, '127.0.0.1', () => r()));
    addSecondary(store, xs, 'example.com.', `127.0.0.1:${sec.address().port}`, undefined, now);
    store.close();

    const srv = await serve({ db, dns: [{ host: '127.0.0.1', port: 0 }], log: () => {}, presign: false });
    const port = srv.addresses[0].port;
    const serialNow = () => { const rd = srv.zones.get('example.com.')!.soa.rdatas[0]; return rd.readUInt32BE(rd.length - 20); };
    /** Send UPDATEs from `clients` sockets until `count` are applied; `onReply` sees each reply's time. */
    const run = async (from: number, count: number, clients: number, onReply?: () => void) => {
      let next = from;
      const client = async (c: number) => {
        const sock = dgram.createSocket('udp4');
        await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
        for (let i = next++; i < from + count; i = next++) {
          const msg = packet.encode({
            type: 'query', id: (i * 7 + c) & 0xffff, flags: 5 << 11, // opcode UPDATE
            questions: [{ name: 'example.com', type: 'SOA', class: 'IN' }],
            authorities: [{ name: `u${i}.example.com`, type: 'TXT', class: 'IN', ttl: 300, data: [`update ${i}`] }],
          } as unknown as packet.Packet);
          const signed = new TsigSigner(key, undefined, () => Math.floor(Date.now() / 1000)).sign(msg);
          const reply = await new Promise<Buffer>((resolve) => { sock.once('message', resolve); sock.send(signed, port, '127.0.0.1'); });
          if ((reply[3] & 0xf) !== 0) throw new Error(`UPDATE ${i}: rcode ${reply[3] & 0xf}`);
          onReply?.();
        }
        sock.close();
      };
      await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
    };
    // Throughput: CLIENTS in flight.
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await run(0, UPDATES, CLIENTS);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    // NOTIFY delay: one at a time, so each reply's serial is the zone's serial when it arrives.
    const replyAt = new Map<number, number>();
    await run(UPDATES, 300, 1, () => replyAt.set(serialNow(), performance.now()));
    await new Promise((r) => setTimeout(r, 300));
    const delays = [...replyAt].filter(([s]) => notified.has(s)).map(([s, t]) => notified.get(s)! - t);
    console.log(`${UPDATES} UPDATEs (one TXT RRset each, TSIG hmac-sha256, ${CLIENTS} clients in flight) on a ${N.toLocaleString('en-US')}-name signed zone:`);
    console.log(`  ${(UPDATES / seconds).toFixed(0)} applied per second; server and clients in this one process used ${((cpu.user + cpu.system) / 1e6 / seconds * 100).toFixed(0)}% of a core`);
    console.log(`  NOTIFY arrival after the UPDATE's reply (one client): median ${pct(delays, 0.5).toFixed(2)} ms, p99 ${pct(delays, 0.99).toFixed(2)} ms, ${delays.length} of 300 matched`);
    await srv.close();
    sec.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
