// End to end through the real CLI: publish a TLSA over the API, then openssl s_client verifies a live s_server with it and delv validates it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireTool } from './helpers/tools.js';
import { startServer } from './helpers/procs.js';
import { makeCerts, opensslSpkiDigest } from './helpers/certs.js';

const CLI = fileURLToPath(new URL('../server/cli.js', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../../test/fixtures/example.com.zone', import.meta.url));

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** `daneprime serve` with `workers` processes on free ports: its DNS port and API address. */
async function serve(db: string, workers: number): Promise<{ stop(): Promise<void>; dns: number; api: string }> {
  const srv = await startServer(db, { DANEPRIME_API: '127.0.0.1:0' }, 0, workers);
  return { stop: srv.stop, dns: srv.port, api: /api: listening on (http:\/\/\S+)/.exec(srv.log())![1] };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** openssl s_server with the certificate; resolves once it accepts connections. */
function sServer(cert: string, key: string, port: number): Promise<ChildProcess> {
  const proc = spawn('openssl', ['s_server', '-cert', cert, '-key', key, '-accept', `127.0.0.1:${port}`, '-naccept', '4'], { stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`s_server did not start:\n${out}`)), 10_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('ACCEPT')) { clearTimeout(timer); resolve(proc); }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
  });
}

function sClient(port: number, rrdata: string): { ok: boolean; out: string } {
  const r = spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'www.example.com',
    '-dane_tlsa_domain', 'www.example.com', '-dane_tlsa_rrdata', rrdata, '-verify_return_error', '-brief'], { input: '', encoding: 'utf8', timeout: 10_000 });
  return { ok: r.status === 0, out: r.stdout + r.stderr };
}

for (const workers of [1, 2]) test(`publish through the API (${workers} worker(s)) → served signed → openssl DANE-verifies a live TLS server, delv fully validates`, async (t) => {
  for (const tool of ['openssl', 'delv', 'kdig']) if (!requireTool(tool, t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'daneprime-e2e-'));
  const db = join(dir, 'db.sqlite');
  cli(['zone', 'import', FIXTURE, '--db', db]);
  const token = cli(['token', 'create', '--admin', '--label', 'e2e', '--db', db]).trim();
  assert.match(token, /^dp_/);
  const scoped = cli(['token', 'create', '--zone', 'example.com', '--name', '_443._tcp.www', '--type', 'TLSA', '--label', 'www', '--db', db]).trim();
  assert.match(cli(['token', 'list', '--db', db]), /2\tscoped\texample\.com\.: _443\._tcp\.www\.example\.com\. TLSA\twww/);

  const certs = makeCerts('www.example.com');
  const server = await serve(db, workers);
  let tls: ChildProcess | undefined;
  t.after(async () => { tls?.kill(); await server.stop(); });

  // The scoped token publishes the TLSA for the certificate (default 3 1 1).
  const res = await fetch(`${server.api}/api/v1/zones/example.com/tlsa`, {
    method: 'POST', headers: { authorization: `Bearer ${scoped}`, 'content-type': 'application/json' },
    body: JSON.stringify({ host: 'www', port: 443, certificate: certs.leafPem }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const audit = await (await fetch(`${server.api}/api/v1/audit`, { headers: { authorization: `Bearer ${token}` } })).json() as { entries: { tokenLabel: string }[] };
  assert.equal(audit.entries[0].tokenLabel, 'www');

  // The record as our DNS server serves it.
  const kdig = spawnSync('kdig', ['@127.0.0.1', '-p', String(server.dns), '_443._tcp.www.example.com', 'TLSA', '+short'], { encoding: 'utf8' });
  const rrdata = kdig.stdout.trim();
  assert.equal(rrdata.replace(/ /g, '').toLowerCase(), `311${opensslSpkiDigest(certs.leafCert)}`);

  const port = await freePort();
  tls = await sServer(certs.leafCert, certs.leafKey, port);
  const good = sClient(port, rrdata);
  assert.ok(good.ok, good.out);
  assert.match(good.out, /Verification: OK/);
  const bad = sClient(port, `3 1 1 ${'00'.repeat(32)}`);
  assert.ok(!bad.ok, 'a wrong TLSA must fail verification');

  // delv with the zone's KSK as trust anchor validates the TLSA RRset.
  const ksk = spawnSync('kdig', ['@127.0.0.1', '-p', String(server.dns), 'example.com', 'DNSKEY', '+short'], { encoding: 'utf8' })
    .stdout.split('\n').find((l) => l.startsWith('257 '))!;
  const [flags, proto, alg, ...key] = ksk.split(' ');
  const ta = join(dir, 'ta.conf');
  writeFileSync(ta, `trust-anchors { example.com. static-key ${flags} ${proto} ${alg} "${key.join('')}"; };\n`);
  const delv = spawnSync('delv', ['@127.0.0.1', '-p', String(server.dns), '-a', ta, '+root=example.com', '_443._tcp.www.example.com', 'TLSA'], { encoding: 'utf8', timeout: 20_000 });
  assert.match(delv.stdout + delv.stderr, /; fully validated/, delv.stdout + delv.stderr);
  assert.match(delv.stdout, new RegExp(opensslSpkiDigest(certs.leafCert).slice(0, 16), 'i'));
});
