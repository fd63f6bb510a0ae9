// The admin API over TLS, judged by openssl s_client: TLS 1.2/1.3 with ECDHE+AEAD only, reloads on file change and SIGHUP with two workers, no plain-text API off loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import https from 'node:https';
import http from 'node:http';
import net from 'node:net';
import { startServer, waitFor, freePort } from './helpers/procs.js';
import { runCli, tmpDir, fixturePath } from './helpers/server.js';
import { requireTool } from './helpers/tools.js';

/** A self-signed certificate for localhost and 127.0.0.1: `ec` (P-256) or `rsa` (2048). */
function makeCert(dir: string, name: string, kind: 'ec' | 'rsa', cn = 'localhost'): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`), key = join(dir, `${name}.key`);
  const alg = kind === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
  const r = spawnSync('openssl', ['req', '-x509', ...alg, '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', `/CN=${cn}`, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { cert, key };
}

/** One handshake by openssl s_client: whether it completed, the protocol and cipher, and the served certificate's SHA-256 fingerprint. */
function sClient(port: number, args: string[]): { ok: boolean; cipher: string; fingerprint: string; out: string } {
  const r = spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...args],
    { input: '', encoding: 'utf8', timeout: 20_000 });
  const out = (r.stdout ?? '') + (r.stderr ?? '');
  const cipher = /Cipher is (\S+)/.exec(out)?.[1] ?? '(NONE)';
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(r.stdout ?? '')?.[0];
  const fp = pem ? spawnSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: pem, encoding: 'utf8' }).stdout.trim().replace(/^.*=/, '') : '';
  return { ok: r.status === 0 && cipher !== '(NONE)', cipher, fingerprint: fp, out };
}

const fingerprintOf = (certFile: string) =>
  spawnSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', certFile], { encoding: 'utf8' }).stdout.trim().replace(/^.*=/, '');

function setup(t: { after(fn: () => void): void }) {
  const dir = tmpDir('daneprime-tls-');
  t.after(dir.cleanup);
  const db = join(dir.dir, 'db');
  assert.equal(runCli(['zone', 'import', fixturePath('example.com.zone'), '--db', db]).status, 0);
  const token = runCli(['token', 'create', '--admin', '--db', db]).stdout.trim();
  return { dir: dir.dir, db, token };
}

/** GET `path` over https through `port`, trusting `ca`. */
function httpsGet(port: number, path: string, ca: Buffer, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path, servername: 'localhost', ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A TCP relay that keeps every byte it forwards, both ways: what an observer on the wire sees. */
async function recordingRelay(target: number): Promise<{ port: number; seen: () => Buffer; close: () => void }> {
  const chunks: Buffer[] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    client.on('data', (d) => { chunks.push(d); upstream.write(d); });
    upstream.on('data', (d) => { chunks.push(d); client.write(d); });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as net.AddressInfo).port, seen: () => Buffer.concat(chunks), close: () => server.close() };
}

const apiPort = (log: string): number => Number(/api: listening on https:\/\/[^\s]*:(\d+)/.exec(log)?.[1] ?? 0);

test('admin API over TLS with two workers: TLS 1.1, CBC and RSA key exchange refused; TLS 1.2/1.3 with ECDHE+AEAD served; the token only ever inside TLS', { timeout: 120_000 }, async (t) => {
  if (!requireTool('openssl', t)) return;
  const { dir, db, token } = setup(t);
  const ec = makeCert(dir, 'ec', 'ec');
  const srv = await startServer(db, { DANEPRIME_API: '0.0.0.0:0' }, 0, 2, ['--api-tls-cert', ec.cert, '--api-tls-key', ec.key]);
  t.after(() => srv.stop());
  await waitFor('both workers serving the API', 15_000, () => (srv.log().match(/api: listening on https:/g) ?? []).length === 2);
  const port = apiPort(srv.log());
  assert.ok(port > 0, srv.log());

  // The client is allowed old protocols (SECLEVEL=0), so a refusal is the server's.
  const tls11 = sClient(port, ['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0']);
  assert.equal(tls11.ok, false, `TLS 1.1 must be refused: ${tls11.out}`);
  assert.match(tls11.out, /alert protocol version|unsupported protocol|no protocols available/i);
  const cbc = sClient(port, ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384']);
  assert.equal(cbc.ok, false, `an ECDHE CBC suite must be refused: ${cbc.out}`);
  const gcm = sClient(port, ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256']);
  assert.equal(gcm.ok, true, gcm.out);
  assert.equal(gcm.cipher, 'ECDHE-ECDSA-AES128-GCM-SHA256');
  const chacha = sClient(port, ['-tls1_2', '-cipher', 'ECDHE-ECDSA-CHACHA20-POLY1305']);
  assert.equal(chacha.ok, true, chacha.out);
  const tls13 = sClient(port, ['-tls1_3']);
  assert.equal(tls13.ok, true, tls13.out);
  assert.match(tls13.out, /TLSv1\.3/);
  // The server's order: the 256-bit suite when the client offers both.
  const pref = sClient(port, ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384']);
  assert.equal(pref.cipher, 'ECDHE-ECDSA-AES256-GCM-SHA384');
  assert.equal(gcm.fingerprint, fingerprintOf(ec.cert));

  // A token-bearing request through a relay that records the wire: answered, and the token is nowhere in the bytes.
  const ca = readFileSync(ec.cert);
  const relay = await recordingRelay(port);
  t.after(relay.close);
  const zones = await Promise.all(Array.from({ length: 6 }, () => httpsGet(relay.port, '/api/v1/zones', ca, token)));
  for (const z of zones) {
    assert.equal(z.status, 200, z.body);
    assert.match(z.body, /example\.com\./);
  }
  assert.ok(relay.seen().length > 1000, 'the relay saw the exchanges');
  assert.equal(relay.seen().includes(token), false, 'the token never appears on the wire');
  assert.equal(relay.seen().includes('example.com'), false, 'nor does the reply');

  // Plain HTTP to the TLS port gets no HTTP answer at all: the request is never processed.
  const plain = await new Promise<string>((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/api/v1/zones', headers: { authorization: `Bearer ${token}` } },
      (res) => resolve(`status ${res.statusCode}`));
    req.on('error', (err) => resolve(`error ${(err as NodeJS.ErrnoException).code}`));
    req.end();
  });
  assert.match(plain, /^error /, 'plain HTTP is not answered');
});

test('TLS with an RSA certificate: RSA key exchange and CBC refused, ECDHE-RSA with AES-GCM served', { timeout: 90_000 }, async (t) => {
  if (!requireTool('openssl', t)) return;
  const { dir, db } = setup(t);
  const rsa = makeCert(dir, 'rsa', 'rsa');
  const srv = await startServer(db, { DANEPRIME_API: '127.0.0.1:0' }, 0, 1, ['--api-tls-cert', rsa.cert, '--api-tls-key', rsa.key]);
  t.after(() => srv.stop());
  await waitFor('the API', 15_000, () => apiPort(srv.log()) > 0);
  const port = apiPort(srv.log());
  for (const cipher of ['AES128-GCM-SHA256', 'AES256-GCM-SHA384', 'AES128-SHA', 'ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA384', 'DHE-RSA-AES128-GCM-SHA256']) {
    const r = sClient(port, ['-tls1_2', '-cipher', cipher]);
    assert.equal(r.ok, false, `${cipher} must be refused: ${r.out}`);
  }
  const ok = sClient(port, ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256']);
  assert.equal(ok.ok, true, ok.out);
  assert.equal(ok.cipher, 'ECDHE-RSA-AES128-GCM-SHA256');
  assert.equal(ok.fingerprint, fingerprintOf(rsa.cert));
});

test('a replaced certificate is served by every worker: on a change to the files, and on SIGHUP', { timeout: 120_000 }, async (t) => {
  if (!requireTool('openssl', t)) return;
  const { dir, db } = setup(t);
  // The served paths are symlinks in live/ to files in archive/ (certbot's layout). Re-pointing a
  // link changes live/, which is watched; rewriting a target in place does not, so only SIGHUP
  // picks that up.
  const archive = join(dir, 'archive');
  mkdirSync(join(dir, 'live'));
  mkdirSync(archive);
  const first = makeCert(archive, 'first', 'ec', 'first');
  const second = makeCert(archive, 'second', 'ec', 'second');
  const third = makeCert(dir, 'third', 'ec', 'third');
  const live = { cert: join(dir, 'live', 'cert.pem'), key: join(dir, 'live', 'key.pem') };
  symlinkSync(first.cert, live.cert);
  symlinkSync(first.key, live.key);
  const srv = await startServer(db, { DANEPRIME_API: '127.0.0.1:0' }, 0, 2, ['--api-tls-cert', live.cert, '--api-tls-key', live.key]);
  t.after(() => srv.stop());
  await waitFor('both workers serving the API', 15_000, () => (srv.log().match(/api: listening on https:/g) ?? []).length === 2);
  const port = apiPort(srv.log());
  // Several connections: the primary deals them out to both workers in turn.
  const served = () => new Set(Array.from({ length: 6 }, () => sClient(port, ['-tls1_3']).fingerprint));
  assert.deepEqual(served(), new Set([fingerprintOf(first.cert)]));

  // 1. The links re-pointed at a renewed pair (key first, as a renewal may): both workers take it without a signal.
  const repoint = (link: string, target: string) => { symlinkSync(target, link + '.new'); renameSync(link + '.new', link); };
  repoint(live.key, second.key);
  repoint(live.cert, second.cert);
  await waitFor('both workers to reload the changed files', 20_000, () => (srv.log().match(/TLS reloaded \(files changed\): certificate CN=second/g) ?? []).length >= 2);
  assert.deepEqual(served(), new Set([fingerprintOf(second.cert)]));

  // 2. The targets rewritten in place: nothing in live/ moves, no reload; SIGHUP to the primary reloads every worker.
  const secondFp = fingerprintOf(second.cert);
  writeFileSync(second.key, readFileSync(third.key));
  writeFileSync(second.cert, readFileSync(third.cert));
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(served(), new Set([secondFp]), 'no reload without a signal');
  srv.proc.kill('SIGHUP');
  await waitFor('both workers to reload on SIGHUP', 20_000, () => (srv.log().match(/TLS reloaded \(SIGHUP\): certificate CN=third/g) ?? []).length >= 2);
  assert.deepEqual(served(), new Set([fingerprintOf(third.cert)]));

  // 3. A broken pair (the key of another certificate) is refused and the served one stays.
  writeFileSync(second.key, readFileSync(first.key));
  srv.proc.kill('SIGHUP');
  await waitFor('the failed reload logged', 20_000, () => (srv.log().match(/TLS reload \(SIGHUP\) failed, still serving the previous certificate: --api-tls-key \S+ is not the key of the certificate/g) ?? []).length >= 2);
  assert.deepEqual(served(), new Set([fingerprintOf(third.cert)]));
  assert.equal(srv.proc.exitCode, null, 'still running');
});

test('no plain-text API off loopback unless --api-insecure; bad TLS files are one line and exit 1', { timeout: 90_000 }, async (t) => {
  if (!requireTool('openssl', t)) return;
  const { dir, db } = setup(t);
  const port = await freePort();
  const serve = (args: string[]) => runCli(['serve', '--db', db, '--dns', '127.0.0.1:0', '--workers', '2', ...args], { timeoutMs: 30_000 });
  for (const api of [`0.0.0.0:${port}`, `[::]:${port}`, `192.0.2.1:${port}`]) {
    const r = serve(['--api', api]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^daneprime: refusing to serve the admin API on \S+ without TLS: .*--api-insecure/);
    assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
  }
  const ec = makeCert(dir, 'ec', 'ec');
  const other = makeCert(dir, 'other', 'ec');
  writeFileSync(join(dir, 'garbage.pem'), 'not a certificate\n');
  const bad: [string[], RegExp][] = [
    [['--api-tls-cert', join(dir, 'missing.pem'), '--api-tls-key', ec.key], /--api-tls-cert \S+missing\.pem: cannot read: ENOENT/],
    [['--api-tls-cert', join(dir, 'garbage.pem'), '--api-tls-key', ec.key], /--api-tls-cert \S+garbage\.pem: not a PEM certificate/],
    [['--api-tls-cert', ec.cert, '--api-tls-key', join(dir, 'garbage.pem')], /--api-tls-key \S+garbage\.pem: not a PEM private key/],
    [['--api-tls-cert', ec.cert, '--api-tls-key', other.key], /--api-tls-key \S+other\.key is not the key of the certificate in \S+ec\.crt/],
    [['--api-tls-cert', ec.cert], /--api-tls-cert needs --api-tls-key/],
  ];
  for (const [args, re] of bad) {
    const r = serve(['--api', `0.0.0.0:${port}`, ...args]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  // --api-insecure: the operator's decision, and it serves.
  const srv = await startServer(db, { DANEPRIME_API: `0.0.0.0:${port}` }, 0, 1, ['--api-insecure']);
  t.after(() => srv.stop());
  await waitFor('the plain API', 15_000, () => srv.log().includes(`api: listening on http://0.0.0.0:${port}`));
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  assert.equal(res.status, 200);
});
