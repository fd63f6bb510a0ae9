// Knot DNS as a real secondary of our server: AXFR with TSIG, delv validation through Knot, NOTIFY + IXFR on edits, ACL refusals, ldns-verify-zone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireTool } from './helpers/tools.js';
import { cli, startServer, startKnot, freePort, waitFor, kdig, type Child } from './helpers/procs.js';

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/example.com.zone', import.meta.url));
const NEW_TLSA = '3 1 1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

function knotSerial(port: number): number | undefined {
  const soa = kdig(['@127.0.0.1', '-p', String(port), 'example.com', 'SOA', '+short']).trim().split(/\s+/);
  return soa.length >= 3 ? Number(soa[2]) : undefined;
}

function delv(port: number, ta: string, name: string, type: string): string {
  const r = spawnSync('delv', ['@127.0.0.1', '-p', String(port), '-a', ta, '+root=example.com', name, type], { encoding: 'utf8', timeout: 10_000 });
  return (r.stdout ?? '') + (r.stderr ?? '');
}

for (const workers of [1, 2]) test(`Knot DNS as secondary of ${workers} worker(s): transfer with TSIG, validation, NOTIFY/IXFR, ACL`, { timeout: 60_000 }, async (t) => {
  for (const tool of ['knotd', 'kdig', 'delv', 'ldns-verify-zone']) if (!requireTool(tool, t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'daneprime-knot-'));
  const db = join(dir, 'dp.db');
  const children: Child[] = [];
  try {
    cli(['zone', 'import', FIXTURE, '--db', db]);
    const secret = cli(['tsig', 'add', 'xfr', '--db', db]).trim().split('\n').pop()!;
    const knotPort = await freePort();
    cli(['zone', 'secondary', 'add', 'example.com', `127.0.0.1:${knotPort}`, '--tsig', 'xfr', '--db', db]);
    const token = cli(['token', 'create', '--admin', '--db', db]).trim();
    const ours = await startServer(db, { DANEPRIME_API: '127.0.0.1:0' }, 0, workers);
    children.push(ours);
    const knot = await startKnot(dir, { port: knotPort, primaryPort: ours.port, secret, zone: 'example.com' });
    children.push(knot);
    await waitFor('Knot to load the zone by AXFR', 20_000, () => knotSerial(knotPort) === 2024010101);
    const tsigArg = ['-y', `hmac-sha256:xfr:${secret}`];
    const at = ['@127.0.0.1', '-p', String(ours.port)];

    await t.test('(a) Knot serves the transferred zone and delv validates through it', () => {
      const ksk = kdig([...at, 'example.com', 'DNSKEY', '+short']).split('\n').find((l) => l.startsWith('257'))!;
      const [flags, proto, alg, ...key] = ksk.split(/\s+/);
      const ta = join(dir, 'ta.conf');
      writeFileSync(ta, `trust-anchors { example.com. static-key ${flags} ${proto} ${alg} "${key.join('')}"; };\n`);
      assert.match(delv(knotPort, ta, 'www.example.com', 'A'), /; fully validated[\s\S]*192\.0\.2\.80/);
      assert.match(delv(knotPort, ta, 'nothere.example.com', 'A'), /; negative response, fully validated/);
      assert.match(delv(knotPort, ta, 'foo.wild.example.com', 'A'), /; fully validated[\s\S]*192\.0\.2\.99/);
      assert.match(delv(knotPort, ta, '_443._tcp.www.example.com', 'TLSA'), /; fully validated[\s\S]*TLSA/);
    });

    await t.test('(f) a TSIG-signed SOA query gets a signed answer kdig verifies, UDP and TCP (RFC 8945 §5.3); a bad MAC gets BADSIG', () => {
      for (const tcp of [[], ['+tcp']]) {
        const r = spawnSync('kdig', [...at, 'example.com', 'SOA', ...tcp, ...tsigArg], { encoding: 'utf8', timeout: 10_000 });
        assert.match(r.stdout, /status: NOERROR/);
        assert.match(r.stdout, /TSIG PSEUDOSECTION:\n\S+\s+0\s+ANY\s+TSIG\s+hmac-sha256\. \d+ 300 32 \S+ \d+ NOERROR/);
        assert.doesNotMatch(r.stderr, /failed to verify/, 'the answer\'s MAC verifies');
      }
      assert.match(kdig([...at, 'example.com', 'SOA', '-y', 'hmac-sha256:xfr:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=']), /status: BADSIG/);
    });

    await t.test('(c) transfers without or with a wrong TSIG key are refused', async () => {
      assert.match(kdig([...at, 'example.com', 'AXFR']), /REFUSED/);
      assert.match(kdig([...at, 'example.com', 'AXFR', '-y', 'hmac-sha256:xfr:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=']), /BADSIG/);
      assert.match(kdig([...at, 'example.com', 'AXFR', '-y', `hmac-sha256:other:${secret}`]), /BADKEY/);
      await waitFor('the refusal to be logged', 2000, () => /refused AXFR example\.com\. from 127\.0\.0\.1/.test(ours.log()));
    });

    await t.test('(d) ldns-verify-zone passes on our AXFR output', () => {
      const axfr = kdig([...at, 'example.com', 'AXFR', ...tsigArg]);
      const lines = axfr.split('\n').filter((l) => l.trim() && !l.startsWith(';') && !/\tTSIG\t/.test(l));
      assert.ok(lines.length > 100, 'a signed zone');
      // Both SOAs came; the zone file for the verifier holds one.
      const file = join(dir, 'axfr.zone');
      writeFileSync(file, lines.slice(0, -1).join('\n') + '\n');
      const r = spawnSync('ldns-verify-zone', [file], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(r.status, 0, r.stdout + r.stderr);
    });

    await t.test('(b) an edit from another process (zone import --replace): NOTIFY, Knot pulls IXFR and serves the new TLSA within 5 s (about 0.5 s on an idle machine: the diagnostic says)', async () => {
      const text = readFileSync(FIXTURE, 'utf8').replace('2024010101', '2024010102')
        .replace(/^_443\._tcp\.www TLSA .*$/m, `_443._tcp.www TLSA ${NEW_TLSA}`);
      const edited = join(dir, 'edited.zone');
      writeFileSync(edited, text);
      const started = Date.now();
      cli(['zone', 'import', edited, '--replace', '--db', db]);
      await waitFor('Knot to serve the new TLSA', 5000, () =>
        kdig(['@127.0.0.1', '-p', String(knotPort), '_443._tcp.www.example.com', 'TLSA', '+short']).includes(NEW_TLSA.slice(-16).toUpperCase()));
      t.diagnostic(`edit visible on Knot after ${Date.now() - started} ms`);
      assert.equal(knotSerial(knotPort), 2024010102);
      // Knot logs the transfer around the time it switches the zone: wait for the line, boundedly.
      await waitFor('Knot to log the IXFR', 5000, () => /IXFR/.test(knot.log()));
    });

    await t.test('(b) an edit through the API: NOTIFY, Knot pulls an incremental IXFR and serves the new TLSA within 5 s (well under 0.5 s idle)', async () => {
      const api = /api: listening on (http:\/\/\S+)/.exec(ours.log())![1];
      const styleBefore = (knot.log().match(/AXFR-style IXFR/g) ?? []).length;
      const ixfrBefore = (knot.log().match(/IXFR, incoming/g) ?? []).length;
      const tlsa = '3 1 1 ' + 'bc'.repeat(32);
      const started = Date.now();
      const res = await fetch(`${api}/api/v1/zones/example.com/rrsets/_443._tcp.www/TLSA`, {
        method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ttl: 300, records: [tlsa] }),
      });
      const body = await res.text();
      assert.equal(res.status, 200, body);
      const serial = (JSON.parse(body) as { serial: number }).serial;
      await waitFor('Knot to serve the API-edited TLSA', 5000, () =>
        kdig(['@127.0.0.1', '-p', String(knotPort), '_443._tcp.www.example.com', 'TLSA', '+short']).includes('BCBCBCBC'));
      t.diagnostic(`API edit visible on Knot after ${Date.now() - started} ms`);
      assert.equal(knotSerial(knotPort), serial);
      await waitFor('Knot to log the IXFR', 5000, () => (knot.log().match(/IXFR, incoming/g) ?? []).length > ixfrBefore);
      assert.equal((knot.log().match(/AXFR-style IXFR/g) ?? []).length, styleBefore, 'the step was incremental, not AXFR-style');
    });

    await t.test('(e) a week later (injected clock) Knot holds freshly signed data', async () => {
      await ours.stop();
      const WEEK = 7 * 86400;
      const later = await startServer(db, { DANEPRIME_CLOCK_OFFSET: String(WEEK) }, ours.port, workers);
      children.push(later);
      const floor = Math.floor(Date.now() / 1000) + WEEK - 2 * 3600; // inception is backdated 1 h
      await waitFor('Knot to hold signatures made a week later', 10_000, () => {
        const sig = kdig(['@127.0.0.1', '-p', String(knotPort), 'www.example.com', 'A', '+dnssec', '+short']).split('\n').find((l) => l.startsWith('A '));
        const inception = sig?.split(/\s+/)[5];
        return !!inception && Date.parse(inception.replace(/^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/, '$1-$2-$3T$4:$5:$6Z')) / 1000 >= floor;
      });
      assert.ok((knotSerial(knotPort) ?? 0) > 2024010103, 'the re-sign moved the serial');
      assert.match(later.log(), /signatures renewed/);
    });
  } finally {
    if (process.env.XFR_TEST_LOGS) for (const c of children) process.stderr.write(c.log());
    for (const c of children.reverse()) await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
