// Two workers, many API clients at once, Knot as secondary: one serial per commit, no 5xx, one linear IXFR journal,
// and Knot follows by true IXFR from whichever worker answers, ending with exactly our zone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireTool } from './helpers/tools.js';
import { cli, startServer, startKnot, freePort, waitFor, kdig, type Child } from './helpers/procs.js';
import { Store } from '../zones/store/sqlite.js';
import { XfrStore } from '../zones/store/xfr-sqlite.js';

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/example.com.zone', import.meta.url));
const CLIENTS = 8;
const EDITS_PER_CLIENT = 40;

function serialAt(port: number): number | undefined {
  const soa = kdig(['@127.0.0.1', '-p', String(port), 'example.com', 'SOA', '+short']).trim().split(/\s+/);
  return soa.length >= 3 ? Number(soa[2]) : undefined;
}

/** The zone as AXFR gives it, one sorted line per RR (TSIG and the closing SOA left out). */
function axfrLines(port: number, extra: string[] = []): string[] {
  const out = kdig(['@127.0.0.1', '-p', String(port), 'example.com', 'AXFR', '+nocomments', '+nostats', ...extra]);
  const lines = out.split('\n').filter((l) => l.trim() && !l.startsWith(';') && !/\tTSIG\t/.test(l));
  return [...new Set(lines)].sort();
}

test('2 workers, 8 concurrent API clients: unique consecutive serials, no 5xx, a linear journal, Knot follows by IXFR', { timeout: 90_000 }, async (t) => {
  for (const tool of ['knotd', 'kdig']) if (!requireTool(tool, t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'daneprime-concurrent-'));
  const db = join(dir, 'dp.db');
  const children: Child[] = [];
  try {
    cli(['zone', 'import', FIXTURE, '--db', db]);
    const secret = cli(['tsig', 'add', 'xfr', '--db', db]).trim().split('\n').pop()!;
    const knotPort = await freePort();
    cli(['zone', 'secondary', 'add', 'example.com', `127.0.0.1:${knotPort}`, '--tsig', 'xfr', '--db', db]);
    const token = cli(['token', 'create', '--admin', '--db', db]).trim();
    const ours = await startServer(db, { DANEPRIME_API: '127.0.0.1:0' }, 0, 2);
    children.push(ours);
    const knot = await startKnot(dir, { port: knotPort, primaryPort: ours.port, secret, zone: 'example.com' });
    children.push(knot);
    await waitFor('Knot to load the zone', 15_000, () => serialAt(knotPort) === 2024010101);
    const api = /api: listening on (http:\/\/\S+)/.exec(ours.log())![1];

    // Half the clients keep one connection (each stays on one worker), half open one per request (spread over both).
    const statuses: number[] = [];
    const serials: number[] = [];
    await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = 0; i < EDITS_PER_CLIENT; i++) {
        const res = await fetch(`${api}/api/v1/zones/example.com/rrsets/c${c}-${i}/TXT`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(c % 2 ? { connection: 'close' } : {}) },
          body: JSON.stringify({ ttl: 300, records: [`"client ${c} edit ${i}"`] }),
        });
        statuses.push(res.status);
        const body = await res.json() as { serial: number };
        if (res.status === 200) serials.push(body.serial);
      }
    }));
    const total = CLIENTS * EDITS_PER_CLIENT;
    assert.deepEqual([...new Set(statuses)], [200], `every edit acknowledged (statuses ${[...new Set(statuses)].join(', ')})`);
    const sorted = [...serials].sort((a, b) => a - b);
    assert.equal(new Set(serials).size, total, 'no two edits share a serial');
    assert.deepEqual(sorted, Array.from({ length: total }, (_, i) => 2024010102 + i), 'one serial per commit, none skipped');

    // The journal: one chain from the imported serial to the last, every step incremental.
    const store = new Store(db);
    try {
      const steps = [...new XfrStore(store).journalFrom(store.zone('example.com.')!.id, 2024010101)];
      assert.equal(steps.length, total);
      steps.forEach((s, i) => {
        assert.deepEqual([s.serial_from, s.serial_to], [2024010101 + i, 2024010102 + i]);
        assert.ok(s.removed !== null && s.added !== null, `step ${s.serial_from} is incremental`);
      });
    } finally {
      store.close();
    }

    const last = sorted[sorted.length - 1];
    await waitFor('Knot to reach the last serial', 30_000, () => serialAt(knotPort) === last);
    const incoming = knot.log().split('\n').filter((l) => /IXFR, incoming/.test(l));
    t.diagnostic(`Knot: ${incoming.length} IXFR log lines`);
    assert.ok(incoming.length > 0, 'Knot transferred by IXFR');
    assert.doesNotMatch(knot.log(), /AXFR-style IXFR|fallback to AXFR|failed/i, 'never a whole transfer, never a failed step');
    // Both workers answered transfers (the primary hands TCP connections round-robin).
    const workersServed = new Set([...ours.log().matchAll(/\[(\d+)\].*xfr: IXFR/g)].map((m) => m[1]));
    t.diagnostic(`IXFR served by worker pids: ${[...workersServed].join(', ') || 'not logged per pid'}`);
    // Knot's copy is our zone, RRSIG for RRSIG and NSEC3 for NSEC3.
    assert.deepEqual(axfrLines(knotPort), axfrLines(ours.port, ['-y', `hmac-sha256:xfr:${secret}`]));
  } finally {
    if (process.env.XFR_TEST_LOGS) for (const c of children) process.stderr.write(c.log());
    for (const c of children.reverse()) await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
