// Response rate limiting end to end, two workers: a flood from one /24 is limited (half of the excess as TC=1) while another /24 is answered in full; kdig truncated over UDP retries over TCP and gets its answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { join } from 'node:path';
import * as packet from 'dns-packet';
import { startServer, kdig } from './helpers/procs.js';
import { runCli, tmpDir, fixturePath } from './helpers/server.js';
import { requireTool } from './helpers/tools.js';
import { batchedUdp } from '../server/net/udp-batch.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const query = (id: number) => packet.encode({ type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ name: 'www.example.com', type: 'A', class: 'IN' }] });

interface Tally { sent: number; answered: number; truncated: number; other: number }

/**
 * Send `perSecond` queries a second for `seconds` from `sockets` UDP sockets bound to `source`
 * (several source ports: the kernel spreads them over both workers' sockets), then wait for
 * stragglers. Every reply is tallied: a full answer, or TC=1 with no records. Queries go out
 * in bursts every `tick` ms.
 */
async function flood(port: number, source: string, perSecond: number, seconds: number, sockets = 8, tick = 20): Promise<Tally> {
  const t: Tally = { sent: 0, answered: 0, truncated: 0, other: 0 };
  const socks = await Promise.all(Array.from({ length: sockets }, () => new Promise<dgram.Socket>((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(0, source, () => resolve(s));
  })));
  for (const s of socks) {
    s.on('message', (m) => {
      const p = packet.decode(m);
      if ((p.flags! & packet.TRUNCATED_RESPONSE) !== 0 && p.answers!.length === 0) t.truncated++;
      else if (p.answers!.length === 1 && (p.answers![0] as packet.StringAnswer).data === '192.0.2.80') t.answered++;
      else t.other++;
    });
  }
  const perTick = Math.round((perSecond * tick) / 1000);
  const start = Date.now();
  while (Date.now() - start < seconds * 1000) {
    for (let i = 0; i < perTick; i++) socks[t.sent % sockets].send(query(t.sent++ & 0xffff), port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, Math.max(0, start + Math.ceil((t.sent / perTick)) * tick - Date.now())));
  }
  await new Promise((r) => setTimeout(r, 1000));
  for (const s of socks) s.close();
  return t;
}

/** One query at a time from `source`, each waited for (up to 3 s): every one must get its full answer. */
async function steady(port: number, source: string, count: number, gapMs: number): Promise<Tally> {
  const t: Tally = { sent: 0, answered: 0, truncated: 0, other: 0 };
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, source, () => r()));
  for (let i = 0; i < count; i++) {
    const reply = await new Promise<Buffer | undefined>((resolve) => {
      const timer = setTimeout(() => { s.off('message', on); resolve(undefined); }, 3000);
      const on = (m: Buffer) => { clearTimeout(timer); s.off('message', on); resolve(m); };
      s.on('message', on);
      s.send(query(i), port, '127.0.0.1');
      t.sent++;
    });
    if (reply) {
      const p = packet.decode(reply);
      if ((p.flags! & packet.TRUNCATED_RESPONSE) !== 0) t.truncated++;
      else if ((p.answers![0] as packet.StringAnswer | undefined)?.data === '192.0.2.80') t.answered++;
      else t.other++;
    }
    await new Promise((r) => setTimeout(r, gapMs));
  }
  s.close();
  return t;
}

function setup(t: { after(fn: () => void): void }) {
  const dir = tmpDir('daneprime-rrl-');
  t.after(dir.cleanup);
  const db = join(dir.dir, 'db');
  assert.equal(runCli(['zone', 'import', fixturePath('example.com.zone'), '--db', db]).status, 0);
  return db;
}

for (const io of batchedUdp.available ? ['batch', 'dgram'] : ['dgram']) {
test(`--rrl 50 with two workers (udp io ${io}): a 2,000 q/s flood from 127.0.0.0/24 is cut to about 50/s, half the rest TC=1; 127.0.1.0/24 is answered every time`, { timeout: 120_000 }, async (t) => {
  const db = setup(t);
  const srv = await startServer(db, { DANEPRIME_API: '127.0.0.1:0', DANEPRIME_UDP_IO: io }, 0, 2, ['--rrl', '50']);
  t.after(() => srv.stop());
  assert.match(srv.log(), /rrl: 50 UDP responses\/s per client prefix \(\/24, \/56\) and bucket, 25\/s in each of 2 workers; slip 2/);
  const [flooded, other] = await Promise.all([flood(srv.port, '127.0.0.2', 2000, 3), steady(srv.port, '127.0.1.2', 60, 40)]);
  const limited = flooded.sent - flooded.answered;
  t.diagnostic(`flood ${JSON.stringify(flooded)}; other /24 ${JSON.stringify(other)}`);
  // The whole server's rate: 50/s for 3 s plus one second's burst, with room for timing.
  assert.ok(flooded.answered >= 50 && flooded.answered <= 50 * 3 + 50 + 40, `answered ${flooded.answered} of ${flooded.sent}`);
  assert.ok(flooded.sent >= 4000, `the flood ran (${flooded.sent} sent)`);
  const ratio = flooded.truncated / limited;
  assert.ok(ratio > 0.4 && ratio < 0.55, `slip 2: about half of the ${limited} limited replies are TC=1, got ${flooded.truncated}`);
  assert.equal(flooded.other, 0);
  assert.deepEqual(other, { sent: 60, answered: 60, truncated: 0, other: 0 }, 'another /24 in the same run is never limited');
  // The counters (each worker counts its own; the sum over two scrapes that reach both is at least one worker's share).
  const api = /api: listening on http:\/\/(\S+)/.exec(srv.log())![1];
  const metrics = await (await fetch(`http://${api}/metrics`)).text();
  assert.match(metrics, /daneprime_rrl_limited_total\{class="noerror",action="slipped"\} [1-9]\d*/);
  assert.match(metrics, /daneprime_rrl_limited_total\{class="noerror",action="dropped"\} [1-9]\d*/);
});
}

test('a client of a limited prefix that gets TC=1 retries over TCP and gets its answer (kdig, no +tcp)', { timeout: 120_000 }, async (t) => {
  if (!requireTool('kdig', t)) return;
  const db = setup(t);
  // slip 1: every limited reply is TC=1, so kdig's UDP query is truncated, never silently dropped.
  // 1/s (0.5/s per worker) against a flood sent every 5 ms: a token waits for the flood's next
  // burst a few ms in every 2 s, so kdig's query finds the bucket empty but for a chance of ~0.1%.
  const srv = await startServer(db, {}, 0, 2, ['--rrl', '1', '--rrl-slip', '1']);
  t.after(() => srv.stop());
  const flooding = flood(srv.port, '127.0.0.2', 1000, 4, 8, 5);
  await new Promise((r) => setTimeout(r, 1000));
  // kdig runs beside the flood (not spawnSync, which would pause the flood and let the bucket refill).
  const outs: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await execFileAsync('kdig', ['-b', '127.0.0.3', '@127.0.0.1', '-p', String(srv.port), '+time=2', '+retry=1', 'www.example.com', 'A'], { timeout: 10_000 });
    outs.push(r.stdout + r.stderr);
  }
  const flooded = await flooding;
  t.diagnostic(outs.map((o) => /;; From .*/.exec(o)?.[0]).join(' / '));
  assert.ok(flooded.truncated > 1000, `the flood was limited (${flooded.truncated} TC)`);
  for (const out of outs) {
    assert.match(out, /WARNING: truncated reply from \S+\(UDP\), retrying over TCP/, out);
    assert.match(out, /www\.example\.com\.\s+\d+\s+IN\s+A\s+192\.0\.2\.80/, out);
    assert.match(out, /;; From 127\.0\.0\.1@\d+\(TCP\)/, out);
  }
  // The same question over UDP from elsewhere: answered at once, not truncated.
  const elsewhere = kdig(['-b', '127.0.1.3', '@127.0.0.1', '-p', String(srv.port), 'www.example.com', 'A']);
  assert.match(elsewhere, /192\.0\.2\.80/);
  assert.match(elsewhere, /\(UDP\)/);
  assert.doesNotMatch(elsewhere, /truncated/);
});

test('--rrl values are checked at start-up', () => {
  for (const [args, re] of [
    [['--rrl', '0'], /bad --rrl "0": expected responses per second/],
    [['--rrl', 'fast'], /bad --rrl "fast"/],
    [['--rrl', '10', '--rrl-slip', '11'], /bad --rrl-slip "11"/],
  ] as [string[], RegExp][]) {
    const r = runCli(['serve', '--db', '/nonexistent/db', '--api', 'off', ...args]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, re);
  }
});
