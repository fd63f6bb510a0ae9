// E2E: server process lifecycle — zone edits from another process served without restart, zone delete → REFUSED, IPv6 listener, SIGTERM exits 0 quickly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { CLI, cli, cliEnv, runCli, startServer, startFixtureServer, tmpDir, fixturePath, pollUntil, type RunningServer } from './helpers/server.js';
import { udpAsk, TcpClient, frame } from './helpers/client.js';
import { buildQuery } from './helpers/dns.js';

test('edits by another process are served within 1 s; delete → REFUSED within 1 s', async (t) => {
  const { dir, cleanup } = tmpDir();
  t.after(cleanup);
  const db = join(dir, 'x.db');
  cli(['zone', 'import', fixturePath('example.com.zone'), '--db', db]);
  let srv: RunningServer | undefined;
  t.after(async () => { await srv?.stop(); });
  srv = await startServer(db);
  const ask = (name: string, type: string) => udpAsk('127.0.0.1', srv!.port, name, type);
  assert.equal((await ask('www.example.com', 'A')).answers![0].data, '192.0.2.80');
  assert.equal((await ask('new.example.com', 'A')).rcode, 'NXDOMAIN');

  const changed = join(dir, 'changed.zone');
  writeFileSync(changed, [
    '$ORIGIN example.com.', '$TTL 300', '@ SOA ns1 hostmaster 2024010102 7200 3600 1209600 300', '@ NS ns1',
    'ns1 A 192.0.2.53', 'www A 198.51.100.80', 'new A 198.51.100.1', '',
  ].join('\n'));
  const t0 = Date.now();
  cli(['zone', 'import', changed, '--replace', '--db', db]);
  const { value: r, ms } = await pollUntil(async () => {
    const a = await ask('www.example.com', 'A');
    return a.answers?.[0]?.data === '198.51.100.80' ? a : undefined;
  }, 1000);
  assert.ok(r, `new www A not served within 1 s of the import (${Date.now() - t0} ms)`);
  t.diagnostic(`replace visible after ${ms} ms`);
  assert.equal((await ask('new.example.com', 'A')).answers![0].data, '198.51.100.1');
  assert.equal((await ask('mail.example.com', 'A')).rcode, 'NXDOMAIN', 'old names are gone');
  assert.equal((await ask('example.com', 'SOA')).answers![0].data.serial, 2024010102);

  cli(['zone', 'delete', 'example.com', '--db', db]);
  const del = await pollUntil(async () => (await ask('www.example.com', 'A')).rcode === 'REFUSED', 1000);
  assert.ok(del.value, 'REFUSED within 1 s of zone delete');
  t.diagnostic(`delete visible after ${del.ms} ms`);

  // And a brand-new zone appears the same way.
  cli(['zone', 'import', fixturePath('child.example.com.zone'), '--db', db]);
  const add = await pollUntil(async () => (await ask('www.child.example.com', 'A')).answers?.[0]?.data === '192.0.2.151', 1000);
  assert.ok(add.value, 'new zone served within 1 s of import');
});

function hasIpv6Loopback(): boolean {
  return Object.values(networkInterfaces()).some((addrs) => addrs?.some((a) => a.family === 'IPv6' && a.address === '::1'));
}

test('IPv6: --dns [::1]:0 serves UDP and TCP', async (t) => {
  if (!hasIpv6Loopback()) { t.skip('no ::1 on this machine'); return; }
  const { srv } = await startFixtureServer(t, { dns: ['[::1]:0', '127.0.0.1:0'] });
  assert.deepEqual(srv.listeners.map((l) => l.host), ['::1', '127.0.0.1']);
  const v6 = srv.listeners[0].port;
  const u = await udpAsk('::1', v6, '_443._tcp.www.example.com', 'TLSA');
  assert.equal(u.rcode, 'NOERROR');
  assert.equal(u.answers![0].type, 'TLSA');
  const c = await TcpClient.connect('::1', v6);
  t.after(() => c.destroy());
  await c.write(frame(buildQuery('www.example.com', 'A', { id: 66 })));
  const [r] = await c.waitReplies(1);
  assert.equal(r?.id, 66);
  assert.equal(r.answers![0].data, '192.0.2.80');
  assert.equal((await udpAsk('127.0.0.1', srv.listeners[1].port, 'www.example.com', 'A')).rcode, 'NOERROR');
});

test('SIGTERM: exit status 0 within 2 s, even with an open TCP connection', async (t) => {
  const { dir, cleanup } = tmpDir();
  t.after(cleanup);
  const db = join(dir, 'x.db');
  cli(['zone', 'import', fixturePath('example.com.zone'), '--db', db]);
  const srv = await startServer(db);
  t.after(async () => { await srv.stop(); }); // no-op once it exited
  const idle = net.connect({ host: '127.0.0.1', port: srv.port });
  idle.on('error', () => {});
  t.after(() => idle.destroy());
  await new Promise<void>((r) => idle.once('connect', () => r()));
  const { code, signal, ms } = await srv.stop(2000);
  assert.equal(signal, null, 'exited by itself, not killed');
  assert.equal(code, 0);
  assert.ok(ms < 2000, `took ${ms} ms`);
  assert.match(srv.stderr(), /SIGTERM: shutting down/);
});

test('SIGTERM during startup (after the DNS sockets, before the API listens): exit status 0, not death by the signal', async (t) => {
  const { dir, cleanup } = tmpDir();
  t.after(cleanup);
  const db = join(dir, 'x.db');
  cli(['zone', 'import', fixturePath('example.com.zone'), '--db', db]);
  // The admin API binds after the DNS listeners: signalling on the first DNS line lands while
  // startup is still awaiting it, the window in which Node's default would kill the process.
  const proc = spawn(process.execPath, [CLI, 'serve', '--db', db, '--dns', '127.0.0.1:0', '--api', '127.0.0.1:0'], { env: cliEnv({ DANEPRIME_WORKERS: '1' }), stdio: ['ignore', 'ignore', 'pipe'] });
  t.after(() => proc.kill('SIGKILL'));
  let err = '';
  let signalled = false;
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => {
    err += d;
    if (!signalled && /dns: listening on/.test(err)) { signalled = true; proc.kill('SIGTERM'); }
  });
  const [code, signal] = await once(proc, 'exit') as [number | null, NodeJS.Signals | null];
  assert.equal(signal, null, `killed by ${signal}; stderr:\n${err}`);
  assert.equal(code, 0, err);
  assert.match(err, /SIGTERM: shutting down/);
});

test('serve with a bad DANEPRIME_TCP_IDLE_MS, DANEPRIME_PRESIGN, --udp-io, --fast-path or --dns fails with exit 1', () => {
  const r = runCli(['serve', '--db', ':memory:', '--dns', '127.0.0.1:0'], { env: { DANEPRIME_TCP_IDLE_MS: 'soon' }, timeoutMs: 5000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^daneprime: bad DANEPRIME_TCP_IDLE_MS "soon": [^\n]*\n$/);
  const p = runCli(['serve', '--db', ':memory:', '--dns', '127.0.0.1:0'], { env: { DANEPRIME_PRESIGN: 'yes' }, timeoutMs: 5000 });
  assert.equal(p.status, 1);
  assert.equal(p.stderr, 'daneprime: bad DANEPRIME_PRESIGN "yes": expected 0 or 1\n');
  const d = runCli(['serve', '--db', ':memory:', '--dns', 'nonsense'], { timeoutMs: 5000 });
  assert.equal(d.status, 1);
  assert.equal(d.stderr, 'daneprime: bad --dns address "nonsense": expected ADDR:PORT or [IPv6]:PORT\n', 'one line, no stack trace');
  const u = runCli(['serve', '--db', ':memory:', '--dns', '127.0.0.1:0', '--udp-io', 'fast'], { timeoutMs: 5000 });
  assert.equal(u.status, 1);
  assert.equal(u.stderr, 'daneprime: --udp-io: bad udp io "fast": expected auto, batch or dgram\n');
  const f = runCli(['serve', '--db', ':memory:', '--dns', '127.0.0.1:0', '--fast-path', 'yes'], { timeoutMs: 5000 });
  assert.equal(f.status, 1);
  assert.equal(f.stderr, 'daneprime: bad --fast-path "yes": expected on or off\n');
  const fe = runCli(['serve', '--db', ':memory:', '--dns', '127.0.0.1:0'], { env: { DANEPRIME_FAST_PATH: '0' }, timeoutMs: 5000 });
  assert.equal(fe.status, 1);
  assert.equal(fe.stderr, 'daneprime: bad --fast-path "0": expected on or off\n');
});

test('serve with a database it cannot open exits 1: one line, with one worker or two (the primary says it once and stops)', (t) => {
  const { dir, cleanup } = tmpDir();
  t.after(cleanup);
  const file = join(dir, 'not-a-directory');
  writeFileSync(file, '');
  const db = join(file, 'x.db');
  const one = runCli(['serve', '--workers', '1', '--db', db, '--dns', '127.0.0.1:0', '--api', 'off'], { timeoutMs: 5000 });
  assert.equal(one.status, 1);
  assert.equal(one.stderr.split('\n').length, 2, 'one line, no stack trace');
  assert.match(one.stderr, /^daneprime: cannot open database .*not-a-directory\/x\.db: /);
  // Workers that cannot start are not restarted, and the primary does not exit 0.
  const two = runCli(['serve', '--workers', '2', '--db', db, '--dns', '127.0.0.1:0', '--api', 'off'], { timeoutMs: 20_000 });
  assert.equal(two.status, 1);
  assert.deepEqual(two.stderr.split('\n').filter((l) => l.startsWith('daneprime:')).map((l) => l.replace(/: [^:]*$/, '')),
    [one.stderr.trim().replace(/: [^:]*$/, '')], two.stderr);
  assert.doesNotMatch(two.stderr, /restarting|\n\s+at /);
});
