// E2E: RFC 7766 TCP behaviour of the running server — pipelined queries in one write, a message split across writes, idle close (DANEPRIME_TCP_IDLE_MS), per-client connection cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFixtureServer, sleep } from './helpers/server.js';
import { TcpClient, frame } from './helpers/client.js';
import { buildQuery } from './helpers/dns.js';

const IDLE_MS = 400;

test('TCP transport (RFC 7766)', async (t) => {
  const clients: TcpClient[] = [];
  t.after(() => { for (const c of clients) c.destroy(); });
  const { srv } = await startFixtureServer(t, { env: { DANEPRIME_TCP_IDLE_MS: String(IDLE_MS) } });
  const connect = async () => { const c = await TcpClient.connect('127.0.0.1', srv!.port); clients.push(c); return c; };

  await t.test('pipelining: several queries in ONE write are all answered, IDs matched', async () => {
    const c = await connect();
    const qs: [number, string, string, string][] = [
      [101, 'www.example.com', 'A', 'NOERROR'], [102, '_443._tcp.www.example.com', 'TLSA', 'NOERROR'],
      [103, 'nope.example.com', 'A', 'NXDOMAIN'], [104, 'www.example.org', 'A', 'REFUSED'],
      [105, 'big.example.com', 'TXT', 'NOERROR'], [106, 'alias.example.com', 'A', 'NOERROR'],
    ];
    await c.write(Buffer.concat(qs.map(([id, n, ty]) => frame(buildQuery(n, ty, { id })))));
    const replies = await c.waitReplies(qs.length);
    assert.equal(replies.length, qs.length);
    const byId = new Map(replies.map((r) => [r.id, r]));
    for (const [id, n, ty, rcode] of qs) {
      const r = byId.get(id);
      assert.ok(r, `reply for id ${id}`);
      assert.equal(r.questions![0].name.toLowerCase(), n);
      assert.equal(r.questions![0].type, ty);
      assert.equal(r.rcode, rcode, `${n} ${ty}`);
    }
    assert.equal(byId.get(105)!.answers!.length, 6, 'all six TXT records, no truncation on TCP');
    assert.ok(!c.closed, 'connection stays open for more queries');
  });

  await t.test('a message split across several writes (inside the length prefix too) is reassembled', async () => {
    const c = await connect();
    const f = frame(buildQuery('www.example.com', 'A', { id: 7 }));
    for (const piece of [f.subarray(0, 1), f.subarray(1, 5), f.subarray(5, 20), f.subarray(20)]) {
      await c.write(piece);
      await sleep(10);
    }
    // Then a second query whose frame ends in the next write together with a third.
    const f2 = frame(buildQuery('mail.example.com', 'AAAA', { id: 8 }));
    const f3 = frame(buildQuery('ns1.example.com', 'A', { id: 9 }));
    await c.write(f2.subarray(0, 9));
    await sleep(10);
    await c.write(Buffer.concat([f2.subarray(9), f3]));
    const replies = await c.waitReplies(3);
    assert.deepEqual(replies.map((r) => r.id), [7, 8, 9]);
    assert.deepEqual(replies.map((r) => r.rcode), ['NOERROR', 'NOERROR', 'NOERROR']);
    assert.equal(replies[0].answers![0].data, '192.0.2.80');
    assert.equal(replies[1].answers![0].data, '2001:db8::25');
  });

  await t.test(`an idle connection is closed by the server (DANEPRIME_TCP_IDLE_MS=${IDLE_MS})`, async () => {
    const c = await connect();
    const t0 = Date.now();
    await c.write(frame(buildQuery('www.example.com', 'A', { id: 1 })));
    assert.equal((await c.waitReplies(1)).length, 1);
    let timer: NodeJS.Timeout | undefined;
    const closedAt = await Promise.race([c.closedAt, new Promise<number>((r) => { timer = setTimeout(() => r(-1), IDLE_MS + 2000); })]);
    clearTimeout(timer);
    assert.notEqual(closedAt, -1, 'server closed the idle connection');
    assert.ok(closedAt - t0 >= IDLE_MS - 50, `closed after ${closedAt - t0} ms, not before the idle timeout`);
  });

  await t.test('activity keeps a connection open past the idle timeout', async () => {
    const c = await connect();
    for (let i = 0; i < 4; i++) {
      await c.write(frame(buildQuery('www.example.com', 'A', { id: 200 + i })));
      assert.equal((await c.waitReplies(i + 1)).length, i + 1);
      await sleep(IDLE_MS / 2);
    }
    assert.ok(!c.closed, 'open after 2×idle of regular traffic');
  });

  await t.test('connections per client are capped (32); the next one is dropped, the others still work', async () => {
    for (const c of clients.splice(0)) c.destroy();
    await sleep(50); // let the server see the closes
    const held: TcpClient[] = [];
    for (let i = 0; i < 32; i++) held.push(await connect());
    const extra = await connect();
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([extra.closedAt.then(() => true), new Promise<boolean>((r) => { timer = setTimeout(() => r(false), 1000); })]);
    clearTimeout(timer);
    assert.ok(closed, 'the 33rd connection from 127.0.0.1 is closed at once');
    await held[31].write(frame(buildQuery('www.example.com', 'A', { id: 33 })));
    assert.equal((await held[31].waitReplies(1))[0]?.id, 33);
  });
});
