// One battery for both UDP listeners (the batched recvmmsg/sendmmsg addon and node:dgram): each reply
// goes to its own sender and carries its own query's bytes, bursts that arrive as one batch included.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { listenUdp, resolveUdpIo, parseUdpIo, receiveBufferShort, type UdpHandler, type UdpIo, type UdpListener } from '../server/net/udp.js';
import { batchedUdp } from '../server/net/udp-batch.js';
import { remoteText } from '../server/query/responder.js';
import { requirePresent } from './helpers/tools.js';

/** The batched addon, for the tests that need it: built by npm ci; missing, they skip locally and fail in CI. */
const requireAddon = (io: UdpIo, t: TestContext) => io !== 'batch' || requirePresent(batchedUdp.available, `batched UDP addon not built: ${batchedUdp.reason}`, t);

test('the batched UDP addon is built and loads (npm ci runs node-gyp); only outside CI may it be missing', (t) => {
  if (!requireAddon('batch', t)) return;
  assert.equal(resolveUdpIo('auto'), 'batch');
});

test('udp io choices: auto/batch/dgram parse, anything else is an error naming the value', () => {
  assert.equal(parseUdpIo('dgram'), 'dgram');
  assert.equal(resolveUdpIo('dgram'), 'dgram');
  assert.throws(() => parseUdpIo('fast'), /bad udp io "fast": expected auto, batch or dgram/);
});

/** What a test handler is: the reply to a datagram (undefined: none) from its bytes and its sender's address. */
type ReplyFn = (msg: Buffer, remote: string) => Buffer | undefined;
/** The listener's handler for a ReplyFn: it replies through the datagram's responder. */
const replying = (f: ReplyFn): UdpHandler => (msg, r) => { const out = f(msg, remoteText(r.remote)); if (out) r.reply(out); };

/** A reply that only this query can have produced: its bytes reversed, tagged with its length. */
const echo: ReplyFn = (msg) => Buffer.concat([Buffer.from([msg.length]), Buffer.from(msg).reverse()]);

async function client(host = '127.0.0.1'): Promise<{ sock: dgram.Socket; replies: Buffer[] }> {
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const replies: Buffer[] = [];
  sock.on('message', (m) => replies.push(m));
  sock.bind(0, host);
  await once(sock, 'listening');
  return { sock, replies };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const IOS: UdpIo[] = ['batch', 'dgram'];

for (const io of IOS) {
  test(`${io}: a burst from two clients is answered, each reply to its own sender with its own bytes`, async (t) => {
    if (!requireAddon(io, t)) return;
    const logs: string[] = [];
    const l = await listenUdp({ host: '127.0.0.1', port: 0 }, replying(echo), (m) => logs.push(m), io);
    assert.equal(l.io, io);
    const a = await client();
    const b = await client();
    try {
      // 100 datagrams each, sent without waiting: the batched path sees several batches of up to 64
      // (even a default-sized receive buffer holds about 256 such datagrams, so none is lost here).
      const sent = (tag: string, i: number) => Buffer.from(`${tag}-${i}-${'x'.repeat(i % 50)}`);
      for (let i = 0; i < 100; i++) {
        a.sock.send(sent('a', i), l.port, '127.0.0.1');
        b.sock.send(sent('b', i), l.port, '127.0.0.1');
      }
      await until(() => a.replies.length + b.replies.length >= 200);
      await new Promise((r) => setTimeout(r, 50));
      for (const [c, tag] of [[a, 'a'], [b, 'b']] as const) {
        const want = new Set(Array.from({ length: 100 }, (_, i) => echo(sent(tag, i), '')!.toString('latin1')));
        for (const r of c.replies) assert.ok(want.delete(r.toString('latin1')), `${tag}: unexpected or repeated reply ${r.toString('latin1')}`);
        assert.equal(want.size, 0, `${tag}: ${want.size} queries unanswered`);
      }
      assert.deepEqual(logs, []);
      if (io === 'batch') {
        const s = l.stats!();
        assert.deepEqual(s, { received: 200, sent: 200, dropped: 0 });
      }
    } finally {
      a.sock.close(); b.sock.close();
      await l.close();
    }
  });

  test(`${io}: queries that arrive while the process is busy wait in a receive buffer sized for thousands, not dropped`, async (t) => {
    if (!requireAddon(io, t)) return;
    const BURST = 3000;
    let burst = 0;
    let stalled = false;
    const l = await listenUdp({ host: '127.0.0.1', port: 0 }, replying((msg) => {
      if (msg.toString() === 'stall') {
        // The event loop held for 600 ms, as a long garbage collection would: the burst arrives meanwhile.
        stalled = true;
        const until = Date.now() + 600;
        while (Date.now() < until);
      } else burst++;
      return undefined;
    }), () => {}, io);
    try {
      const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
      // Linux reports twice what was asked (its bookkeeping overhead); without CAP_NET_ADMIN, rmem_max caps the ask.
      if (receiveBufferShort(l)) {
        assert.equal(l.receiveBuffer, 2 * rmemMax, 'asked for less than the kernel allows');
        assert.ok(io === 'dgram' || process.getuid?.() !== 0, 'as root the addon forces its size past rmem_max');
        t.diagnostic(`receive buffer capped at ${l.receiveBuffer} by net.core.rmem_max: the burst part needs more`);
        return;
      }
      // A separate process sends: 'stall', then, while the listener is held, the burst.
      const sender = spawn(process.execPath, ['-e', `
        const s = require('node:dgram').createSocket('udp4');
        const port = ${l.port};
        s.send('stall', port, '127.0.0.1', () => setTimeout(() => {
          let left = ${BURST};
          for (let i = 0; i < ${BURST}; i++) s.send('q' + i, port, '127.0.0.1', () => { if (--left === 0) s.close(); });
        }, 150));
      `], { stdio: 'inherit' });
      await once(sender, 'exit');
      await until(() => burst >= BURST, 5000).catch(() => {});
      assert.ok(stalled, 'the stall datagram arrived');
      assert.equal(burst, BURST, `${BURST - burst} of ${BURST} queries dropped while the listener was busy`);
    } finally {
      await l.close();
    }
  });

  test(`${io}: a throwing handler costs that one reply and is logged; undefined means no reply`, async (t) => {
    if (!requireAddon(io, t)) return;
    const logs: string[] = [];
    const handler: ReplyFn = (msg) => {
      const s = msg.toString();
      if (s === 'boom') throw new Error('handler bug');
      if (s === 'quiet') return undefined;
      return Buffer.from(`re:${s}`);
    };
    const l = await listenUdp({ host: '127.0.0.1', port: 0 }, replying(handler), (m) => logs.push(m), io);
    const c = await client();
    try {
      for (const m of ['one', 'boom', 'quiet', 'two']) c.sock.send(Buffer.from(m), l.port, '127.0.0.1');
      await until(() => c.replies.length >= 2);
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(c.replies.map(String).sort(), ['re:one', 're:two']);
      assert.equal(logs.length, 1);
      assert.match(logs[0], /udp: internal error answering 127\.0\.0\.1: Error: handler bug/);
    } finally {
      c.sock.close();
      await l.close();
    }
  });

  test(`${io}: in a burst from two source addresses, each datagram's remote names its own sender`, async (t) => {
    if (!requireAddon(io, t)) return;
    // The batched path hands out a function per batch slot (udp-batch.ts): a slot mix-up would
    // name another datagram's sender, which transfer ACLs would then judge.
    const seen: string[] = [];
    const l = await listenUdp({ host: '127.0.0.1', port: 0 }, replying((msg, remote) => { seen.push(`${msg} ${remote}`); return undefined; }), () => {}, io);
    const a = await client('127.0.0.1');
    const b = await client('127.0.0.2');
    try {
      for (let i = 0; i < 20; i++) (i % 2 ? b : a).sock.send(Buffer.from(i % 2 ? '127.0.0.2' : '127.0.0.1'), l.port, '127.0.0.1');
      await until(() => seen.length === 20);
      for (const line of seen) { const [sent, named] = line.split(' '); assert.equal(named, sent, line); }
      assert.equal(new Set(seen).size, 2);
    } finally {
      a.sock.close();
      b.sock.close();
      await l.close();
    }
  });

  test(`${io}: IPv6 ::1, the handler sees the sender's address; after close() the port is free again`, async (t) => {
    if (!requireAddon(io, t)) return;
    const seen: string[] = [];
    let l: UdpListener = await listenUdp({ host: '::1', port: 0 }, replying((msg, remote) => { seen.push(remote); return Buffer.from(msg); }), () => {}, io);
    const c = await client('::1');
    try {
      c.sock.send(Buffer.from('hello'), l.port, '::1');
      await until(() => c.replies.length === 1);
      assert.equal(String(c.replies[0]), 'hello');
      assert.deepEqual(seen, ['::1']);
      const port = l.port;
      await l.close();
      l = await listenUdp({ host: '::1', port }, replying(() => Buffer.from('again')), () => {}, io);
      c.sock.send(Buffer.from('x'), port, '::1');
      await until(() => c.replies.length === 2);
      assert.equal(String(c.replies[1]), 'again');
    } finally {
      c.sock.close();
      await l.close();
    }
  });

  test(`${io}: a host name (--dns localhost:PORT) is resolved, as node:dgram does`, async (t) => {
    if (!requireAddon(io, t)) return;
    const l = await listenUdp({ host: 'localhost', port: 0 }, replying((msg) => Buffer.from(msg)), () => {}, io);
    const host = (await import('node:dns/promises')).lookup('localhost');
    const c = await client((await host).address);
    try {
      c.sock.send(Buffer.from('named'), l.port, (await host).address);
      await until(() => c.replies.length === 1);
      assert.equal(String(c.replies[0]), 'named');
    } finally {
      c.sock.close();
      await l.close();
    }
  });

  test(`${io}: a port already bound is an EADDRINUSE error, not a crash`, async (t) => {
    if (!requireAddon(io, t)) return;
    const first = await listenUdp({ host: '127.0.0.1', port: 0 }, replying(echo), () => {}, io);
    try {
      await assert.rejects(listenUdp({ host: '127.0.0.1', port: first.port }, replying(echo), () => {}, io), (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE');
    } finally {
      await first.close();
    }
  });
}
