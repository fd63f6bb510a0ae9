// Listeners: 0.0.0.0 and [::] on one port side by side (IPv6 sockets are v6-only), kdig over both families; a listen error is one line and exit 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import net from 'node:net';
import dgram from 'node:dgram';
import { spawn } from 'node:child_process';
import { track, waitFor, freePort, kdig } from './helpers/procs.js';
import { runCli, tmpDir, fixturePath, CLI } from './helpers/server.js';
import { requireTool } from './helpers/tools.js';
import { batchedUdp } from '../server/net/udp-batch.js';

function setup(t: { after(fn: () => void): void }) {
  const dir = tmpDir('daneprime-listen-');
  t.after(dir.cleanup);
  const db = join(dir.dir, 'db');
  assert.equal(runCli(['zone', 'import', fixturePath('example.com.zone'), '--db', db]).status, 0);
  return db;
}

const ioModes = batchedUdp.available ? ['batch', 'dgram'] : ['dgram'];

for (const io of ioModes) {
  test(`--dns 0.0.0.0:P --dns [::]:P with two workers (udp io ${io}): kdig answered over IPv4 and IPv6, UDP and TCP`, { timeout: 90_000 }, async (t) => {
    if (!requireTool('kdig', t)) return;
    const db = setup(t);
    const port = await freePort();
    const srv = track(spawn(process.execPath, [CLI, 'serve', '--db', db, '--dns', `0.0.0.0:${port}`, '--dns', `[::]:${port}`, '--api', 'off', '--workers', '2', '--udp-io', io],
      { stdio: ['ignore', 'pipe', 'pipe'] }));
    t.after(() => srv.stop());
    await waitFor('both workers serving', 20_000, () => {
      if (srv.proc.exitCode !== null) throw new Error(`exited: ${srv.log()}`);
      return (srv.log().match(/serving 1 zone/g) ?? []).length === 2;
    });
    assert.equal((srv.log().match(new RegExp(`dns: listening on \\[::\\]:${port} \\(udp, tcp\\)`, 'g')) ?? []).length, 2, srv.log());
    assert.equal((srv.log().match(new RegExp(`dns: listening on 0\\.0\\.0\\.0:${port} \\(udp, tcp\\)`, 'g')) ?? []).length, 2, srv.log());
    // Several queries each: fresh source ports spread over both workers' sockets.
    for (const server of ['127.0.0.1', '::1']) {
      for (const transport of ['+notcp', '+tcp']) {
        for (let i = 0; i < 4; i++) {
          const out = kdig([`@${server}`, '-p', String(port), transport, '+short', 'www.example.com', 'A']);
          assert.equal(out.trim(), '192.0.2.80', `${server} ${transport}: ${out}`);
        }
      }
    }
  });
}

test('a port already in use: one line naming the address and the reason, exit 1, no stack trace', { timeout: 90_000 }, async (t) => {
  const db = setup(t);
  // TCP taken by another process's listener.
  const blocker = net.createServer();
  const port = await new Promise<number>((r) => blocker.listen(0, '127.0.0.1', () => r((blocker.address() as net.AddressInfo).port)));
  t.after(() => blocker.close());
  for (const workers of ['1', '2']) {
    const r = runCli(['serve', '--db', db, '--dns', `127.0.0.1:${port}`, '--api', 'off', '--workers', workers], { timeoutMs: 30_000 });
    assert.equal(r.status, 1, r.stderr);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('daneprime:'));
    assert.deepEqual(errors, [`daneprime: cannot listen on tcp 127.0.0.1:${port}: address already in use (EADDRINUSE)`], r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  // UDP taken (TCP free), by each UDP path.
  const udp = dgram.createSocket('udp4');
  const uport = await new Promise<number>((r) => udp.bind(0, '127.0.0.1', () => r(udp.address().port)));
  t.after(() => udp.close());
  for (const io of ioModes) {
    const r = runCli(['serve', '--db', db, '--dns', `127.0.0.1:${uport}`, '--api', 'off', '--workers', '1', '--udp-io', io], { timeoutMs: 30_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^daneprime: cannot listen on udp 127\\.0\\.0\\.1:${uport}: address already in use \\(EADDRINUSE\\)$`, 'm'), r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  // The admin API's port taken.
  const dnsPort = await freePort();
  const r = runCli(['serve', '--db', db, '--dns', `127.0.0.1:${dnsPort}`, '--api', `127.0.0.1:${port}`, '--workers', '2'], { timeoutMs: 30_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.deepEqual(r.stderr.split('\n').filter((l) => l.startsWith('daneprime:')), [`daneprime: cannot listen on api 127.0.0.1:${port}: address already in use (EADDRINUSE)`], r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});
