// Transfers from a snapshot: a 100,000-name zone is transferred while 100 edits a second land. The transfer completes,
// shows the version it started with, ldns-verify-zone accepts it, and Knot as secondary ends at the last serial.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from './helpers/tools.js';
import { cli, startServer, startKnot, freePort, waitFor, kdig, type Child } from './helpers/procs.js';

const NAMES = 100_000;
const EDITS_PER_SECOND = 100;

function bigZone(): string {
  const out = ['$ORIGIN example.com.', '$TTL 3600', '@ SOA ns1 hostmaster 2024010101 7200 3600 1209600 300', '@ NS ns1', 'ns1 A 192.0.2.53'];
  for (let i = 0; i < NAMES; i++) {
    out.push(`h${i} A 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    if (i % 10 === 0) out.push(`_443._tcp.h${i} TLSA 3 1 1 ${(i % 256).toString(16).padStart(2, '0').repeat(32)}`);
  }
  return out.join('\n') + '\n';
}

function serialAt(port: number): number | undefined {
  const soa = kdig(['@127.0.0.1', '-p', String(port), 'example.com', 'SOA', '+short']).trim().split(/\s+/);
  return soa.length >= 3 ? Number(soa[2]) : undefined;
}

test(`a ${NAMES.toLocaleString('en-US')}-name zone transferred while ${EDITS_PER_SECOND} edits a second land`, { timeout: 240_000 }, async (t) => {
  for (const tool of ['knotd', 'kdig', 'ldns-verify-zone']) if (!requireTool(tool, t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'daneprime-snapshot-'));
  const db = join(dir, 'dp.db');
  const children: Child[] = [];
  try {
    writeFileSync(join(dir, 'big.zone'), bigZone());
    cli(['zone', 'import', join(dir, 'big.zone'), '--db', db]);
    const secret = cli(['tsig', 'add', 'xfr', '--db', db]).trim().split('\n').pop()!;
    const knotPort = await freePort();
    cli(['zone', 'secondary', 'add', 'example.com', `127.0.0.1:${knotPort}`, '--tsig', 'xfr', '--db', db]);
    const token = cli(['token', 'create', '--admin', '--db', db]).trim();
    const ours = await startServer(db, { DANEPRIME_API: '127.0.0.1:0' }, 0, 2);
    children.push(ours);
    const api = /api: listening on (http:\/\/\S+)/.exec(ours.log())![1];

    // Edits at a steady 100 a second until told to stop; each acknowledged serial is kept.
    const serials: number[] = [];
    let editing = true;
    const edits = (async () => {
      for (let i = 0; editing; i++) {
        const due = Date.now() + 1000 / EDITS_PER_SECOND;
        const res = await fetch(`${api}/api/v1/zones/example.com/rrsets/e${i % 500}/TXT`, {
          method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ ttl: 300, records: [`"edit ${i}"`] }),
        });
        assert.equal(res.status, 200, await res.clone().text());
        serials.push(((await res.json()) as { serial: number }).serial);
        await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      }
    })();

    // Our own AXFR, and Knot's first one, both while the edits land.
    const knot = await startKnot(dir, { port: knotPort, primaryPort: ours.port, secret, zone: 'example.com' });
    children.push(knot);
    await waitFor('some edits to land first', 10_000, () => serials.length >= 20);
    const started = Date.now();
    const serialBefore = serials[serials.length - 1];
    const axfr = spawn('kdig', ['@127.0.0.1', '-p', String(ours.port), 'example.com', 'AXFR', '+nocomments', '+nostats', '-y', `hmac-sha256:xfr:${secret}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    axfr.stdout.on('data', (d: Buffer) => chunks.push(d));
    const code = await new Promise<number | null>((resolve) => axfr.on('exit', resolve));
    const during = serials.filter((s) => s > serialBefore).length;
    t.diagnostic(`AXFR took ${Date.now() - started} ms while ${during} edits landed`);
    await waitFor('Knot to load the zone', 120_000, () => (serialAt(knotPort) ?? 0) > 2024010101);
    editing = false;
    await edits;
    assert.equal(code, 0);
    assert.ok(during >= 10, `edits landed during the transfer (${during})`);
    assert.match(ours.log(), /AXFR example\.com\. from 127\.0\.0\.1(?: \(key [^)]*\))?: AXFR, serial \d+: \d+ records .*\(commits landed meanwhile\)/);

    // One version: both SOAs carry the serial the transfer started with, and the zone verifies.
    const lines = Buffer.concat(chunks).toString('utf8').split('\n').filter((l) => l.trim() && !l.startsWith(';') && !/\tTSIG\t/.test(l));
    const soas = lines.filter((l) => /\tSOA\t/.test(l)).map((l) => Number(l.split(/\s+/)[6]));
    assert.equal(soas.length, 2);
    assert.equal(soas[0], soas[1]);
    assert.ok(soas[0] >= serialBefore && soas[0] < serials[serials.length - 1], `the snapshot's serial ${soas[0]}`);
    assert.ok(lines.length > 2 * NAMES, `${lines.length} records`);
    const file = join(dir, 'axfr.zone');
    writeFileSync(file, lines.slice(0, -1).join('\n') + '\n');
    const verify = spawnSync('ldns-verify-zone', [file], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);

    // Knot follows to the last serial by IXFR.
    const last = serials[serials.length - 1];
    await waitFor('Knot to reach the last serial', 60_000, () => serialAt(knotPort) === last);
    assert.doesNotMatch(knot.log(), /failed/i);
  } finally {
    if (process.env.XFR_TEST_LOGS) for (const c of children) process.stderr.write(c.log());
    for (const c of children.reverse()) await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
