// lego --dns pdns against a local ACME CA (pebble) that resolves the DNS-01 challenge from us: a certificate issued with a scoped token, the challenge TXT published and removed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool } from './helpers/tools.js';
import { cli, pollUntil } from './helpers/server.js';
import { freePorts } from './helpers/procs.js';
import { startPdnsServer, auditOf } from './helpers/pdns-api.js';

const CHALLENGE = '_acme-challenge.www.example.com.';

/** A CA and an HTTPS certificate for 127.0.0.1 (Go checks the IP SAN), for pebble's own listener. */
function pebbleTls(dir: string): { ca: string; cert: string; key: string } {
  const p = (f: string) => join(dir, f);
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=pebble listener test CA');
  run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('pebble.key'), '-out', p('pebble.csr'), '-subj', '/CN=localhost');
  writeFileSync(p('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run('x509', '-req', '-in', p('pebble.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('pebble.pem'), '-days', '2', '-extfile', p('san.ext'));
  return { ca: p('ca.pem'), cert: p('pebble.pem'), key: p('pebble.key') };
}

/** Run a command to its end (bounded), collecting its output. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, out }); });
  });
}

test('lego --dns pdns issues a certificate from pebble through a scoped token', { timeout: 120_000 }, async (t) => {
  for (const tool of ['lego', 'pebble', 'openssl', 'kdig']) if (!requireTool(tool, t)) return;
  let lego = '';
  const { db, dir, url, dnsPort } = await startPdnsServer(t, {
    before: (db) => { lego = cli(['token', 'create', '--zone', 'example.com', '--name', '_acme-challenge.www', '--type', 'TXT', '--label', 'lego', '--db', db]).trim(); },
  });

  // pebble: a local ACME CA that asks our DNS server for the challenge (-dnsserver).
  const tls = pebbleTls(dir);
  const [acmePort, mgmtPort] = await freePorts(2);
  const config = join(dir, 'pebble.json');
  writeFileSync(config, JSON.stringify({
    pebble: {
      listenAddress: `127.0.0.1:${acmePort}`, managementListenAddress: `127.0.0.1:${mgmtPort}`, certificate: tls.cert, privateKey: tls.key,
      httpPort: 5002, tlsPort: 5001, ocspResponderURL: '', externalAccountBindingRequired: false,
    },
  }));
  // No random sleeps before validation, no nonces rejected on purpose, no reuse of earlier authorizations.
  const pebble = spawn('pebble', ['-config', config, '-dnsserver', `127.0.0.1:${dnsPort}`], {
    env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let pebbleLog = '';
  pebble.stdout.on('data', (d) => { pebbleLog += d; });
  pebble.stderr.on('data', (d) => { pebbleLog += d; });
  t.after(() => { pebble.kill('SIGTERM'); });
  assert.ok((await pollUntil(() => /Listening on: 127\.0\.0\.1/.test(pebbleLog), 10_000)).value, `pebble did not start:\n${pebbleLog}`);

  const legoPath = join(dir, 'lego');
  const r = await run('lego', [
    '--server', `https://127.0.0.1:${acmePort}/dir`, '--email', 'acme@example.com', '--accept-tos', '--key-type', 'ec256',
    '--dns', 'pdns',
    // lego's propagation check asks us (the authoritative NS of the fixture zone are not reachable here).
    '--dns.resolvers', `127.0.0.1:${dnsPort}`, '--dns.disable-cp',
    '--domains', 'www.example.com', '--path', legoPath, 'run',
  ], {
    ...process.env, LEGO_CA_CERTIFICATES: tls.ca, PDNS_API_URL: url, PDNS_API_KEY: lego,
    PDNS_POLLING_INTERVAL: '1', PDNS_PROPAGATION_TIMEOUT: '30', PDNS_HTTP_TIMEOUT: '10', NO_PROXY: '127.0.0.1,localhost',
  }, 90_000);
  assert.equal(r.code, 0, `lego failed:\n${r.out}\npebble:\n${pebbleLog}`);

  const crt = join(legoPath, 'certificates', 'www.example.com.crt');
  assert.ok(existsSync(crt), r.out);
  const text = execFileSync('openssl', ['x509', '-in', crt, '-noout', '-issuer', '-ext', 'subjectAltName'], { encoding: 'utf8' });
  assert.match(text, /DNS:www\.example\.com/);
  assert.match(text, /issuer=.*Pebble/);

  // The challenge went in and came out again through the pipeline, in lego's name.
  const writes = auditOf(db, 'example.com.').filter((a) => a.action === 'pdns.patch');
  assert.equal(writes.length, 2, JSON.stringify(writes));
  assert.ok(writes.every((w) => w.label === 'lego'));
  const [added, removed] = writes as { before: { name: string; type: string } | null; after: { name: string; type: string; records: string[] } | null }[];
  assert.equal(added.before, null);
  assert.deepEqual([added.after!.name, added.after!.type, added.after!.records.length], [CHALLENGE, 'TXT', 1]);
  assert.deepEqual([removed.before!.name, removed.before!.type], [CHALLENGE, 'TXT']);
  assert.equal(removed.after, null);
  const kd = spawnSync('kdig', ['@127.0.0.1', '-p', String(dnsPort), CHALLENGE, 'TXT', '+short', '+retry=0', '+time=2'], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(kd.stdout.trim(), '', 'the challenge TXT is gone');
});
