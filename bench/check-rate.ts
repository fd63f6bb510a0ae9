// Live-check cost: probes per second of CPU on one core (a local TLS 1.3 server in another process), and memory per 1,000 services.
// Run: npx tsc -p . && node --expose-gc dist/bench/check-rate.js   (BENCH_PROBES, BENCH_SERVICES to change the sizes)
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import tls from 'node:tls';
import { Store } from '../zones/store/sqlite.js';
import { parseZoneText } from '../zones/io/zonefile-parse.js';
import { CheckRunner } from '../server/checks/runner.js';
import { CheckScheduler } from '../server/checks/scheduler.js';
import { probe } from '../server/checks/probe.js';
import { Limiter } from '../server/checks/limiter.js';
import { importRecords } from './lib/zones.js';

const PROBES = Number(process.env.BENCH_PROBES ?? 2000);
const SERVICES = Number(process.env.BENCH_SERVICES ?? 10_000);

/** In the child: a TLS 1.3 server on a free loopback port; tells the parent the port. */
function childServer(): void {
  const [key, cert] = process.argv.slice(3);
  const srv = tls.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (s) => s.end());
  srv.on('tlsClientError', () => {});
  srv.listen(0, '127.0.0.1', () => process.send!({ port: (srv.address() as { port: number }).port }));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'daneprime-check-rate-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '2', '-subj', '/CN=srv.example.test'], { stdio: 'ignore' });
    const child = fork(fileURLToPath(import.meta.url), ['server', join(dir, 'k.pem'), join(dir, 'c.pem')]);
    const port = await new Promise<number>((r) => child.once('message', (m: { port: number }) => r(m.port)));

    // 1. Probes: PROBES direct-TLS probes, 4 at once (the runner's limit), timed in wall clock and in this process's CPU.
    const limiter = new Limiter(4);
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    let failed = 0;
    await Promise.all(Array.from({ length: PROBES }, () => limiter.run(async () => {
      const p = await probe({ address: '127.0.0.1', port, starttls: 'none', sni: 'srv.example.test', domain: 'srv.example.test' });
      if (p.failure) failed++;
    })));
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const cpuSec = (cpu.user + cpu.system) / 1e6;
    child.kill();

    // 2. Memory: SERVICES services in a store, the runner and the scheduler's state for all of them.
    const store = new Store(join(dir, 'm.db'));
    const records = [`$ORIGIN example.test.`, `@ 60 SOA ns1 h 1 7200 3600 1209600 60`, `@ 60 NS ns1`, `ns1 60 A 127.0.0.1`];
    for (let i = 0; i < SERVICES; i++) records.push(`h${i} 60 A 127.0.0.1`, `_443._tcp.h${i} 60 TLSA 3 1 1 ${'ab'.repeat(32)}`);
    importRecords(store, 'example.test.', parseZoneText(records.join('\n'), { origin: 'example.test.' }), Math.floor(Date.now() / 1000));
    const zoneId = store.zone('example.test.')!.id;
    const gc = (globalThis as { gc?: () => void }).gc;
    const runner = new CheckRunner({ store, probe: async () => ({ failure: { verdict: 'unreachable', reason: 'bench' }, plaintextAfterStartTls: false, chain: [] }) });
    store.transaction(() => {
      for (let i = 0; i < SERVICES; i++) {
        runner.checks.add({ zone_id: zoneId, name: `_443._tcp.h${i}.example.test.`, starttls: 'none', connect: '[]', sni: null, domain: null, own_addresses_only: 0, created_at: 0 });
      }
    });
    // Every service checked once (a stub probe keeps the network out), so the history exists.
    for (const svc of runner.checks.services()) await runner.checkService(svc);
    const settle = async () => { for (let i = 0; i < 3; i++) { gc?.(); await new Promise((r) => setTimeout(r, 200)); } };
    await settle();
    const heap0 = process.memoryUsage().heapUsed;
    const rss0 = process.memoryUsage().rss;
    // The scheduler's state for every service: what a serving process holds between checks.
    const scheduler = new CheckScheduler(runner, { intervalSec: 3600, tickMs: 3_600_000 });
    scheduler.start();
    await new Promise((r) => setTimeout(r, 300));
    await settle();
    const heap1 = process.memoryUsage().heapUsed;
    const rss1 = process.memoryUsage().rss;
    scheduler.stop();
    store.close();

    const out = {
      probes: PROBES, failed, wallSeconds: +wall.toFixed(2), cpuSeconds: +cpuSec.toFixed(2),
      probesPerSecondWall: Math.round(PROBES / wall), probesPerCpuSecond: Math.round(PROBES / cpuSec),
      services: SERVICES, heapBytesPerThousandServices: gc ? Math.round((heap1 - heap0) / SERVICES * 1000) : 'run with --expose-gc',
      rssBytesPerThousandServices: Math.round((rss1 - rss0) / SERVICES * 1000),
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'server') childServer();
else void main();
