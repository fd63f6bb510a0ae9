// `serve --pdns-api`: the flag and its usage errors, every worker serving the API, a change served by every worker when the reply comes, NOTIFY on request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import * as packet from 'dns-packet';
import { runCli, cli, pollUntil } from './helpers/server.js';
import { startPdnsServer, pdnsFetch, replace } from './helpers/pdns-api.js';

const Z = '/api/v1/servers/localhost/zones/example.com.';

function udpAsk(port: number, name: string, type: string, id: number): Promise<packet.Packet & { answers: packet.Answer[] }> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => { s.close(); reject(new Error('timeout')); }, 2000);
    s.once('message', (m) => { clearTimeout(timer); s.close(); resolve(packet.decode(m) as packet.Packet & { answers: packet.Answer[] }); });
    s.send(packet.encode({ type: 'query', id, questions: [{ name, type: type as packet.RecordType, class: 'IN' }] }), port, '127.0.0.1');
  });
}

test('--pdns-api / DANEPRIME_PDNS_API: a bad value is a one-line usage error before anything starts', () => {
  for (const [args, env, message] of [
    [['--pdns-api', 'nonsense'], {}, /^daneprime: bad --pdns-api address "nonsense"/],
    [['--pdns-api', '127.0.0.1:70000'], {}, /^daneprime: bad --pdns-api address "127\.0\.0\.1:70000": port out of range/],
    [[], { DANEPRIME_PDNS_API: 'x:y' }, /^daneprime: bad --pdns-api address "x:y"/],
  ] as [string[], Record<string, string>, RegExp][]) {
    const r = runCli(['serve', '--db', '/nonexistent/never-created.db', ...args], { env });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  assert.match(cli(['--help']), /--pdns-api ADDR:PORT\|off/);
});

test('with two workers: both serve the API, a PATCH is served by every worker once answered, NOTIFY goes out on request', async (t) => {
  // A stand-in secondary that acknowledges every NOTIFY and counts them.
  const secondary = dgram.createSocket('udp4');
  await new Promise<void>((r) => secondary.bind(0, '127.0.0.1', () => r()));
  t.after(() => secondary.close());
  const notifies: number[] = [];
  secondary.on('message', (m, rinfo) => {
    const msg = packet.decode(m) as packet.Packet & { opcode?: string; answers: packet.Answer[] };
    if (msg.opcode !== 'NOTIFY') return;
    notifies.push((msg.answers[0] as packet.Answer & { data: { serial: number } }).data.serial);
    const reply = Buffer.from(m.subarray(0, 12));
    reply[2] |= 0x80; // QR, same id and opcode (RFC 1996 §4.7)
    reply.fill(0, 4, 12);
    secondary.send(reply, rinfo.port, rinfo.address);
  });
  const port = (secondary.address()).port;
  const { srv, url, key, dnsPort } = await startPdnsServer(t, {
    workers: 2, before: (db) => cli(['zone', 'secondary', 'add', 'example.com', `127.0.0.1:${port}`, '--db', db]),
  });
  assert.equal(srv.stderr().match(/pdns-api: listening on/g)?.length, 2, 'each worker serves the API');
  // The leader tells the secondary what it serves at start.
  assert.ok((await pollUntil(() => notifies.length >= 1, 5000)).value, 'start-up NOTIFY');

  for (let i = 0; i < 4; i++) {
    const value = `"run-${i}"`;
    const r = await pdnsFetch(url, key, 'PATCH', Z, replace(['_acme-challenge.www.example.com.', 'TXT', [value]]));
    assert.equal(r.status, 204, r.text);
    // Right after the reply: fresh sockets land on both workers; none may serve the old data.
    const rs = await Promise.all(Array.from({ length: 20 }, (_, j) => udpAsk(dnsPort, '_acme-challenge.www.example.com', 'TXT', 100 * i + j + 1)));
    assert.deepEqual(new Set(rs.map((x) => Buffer.concat((x.answers[0] as packet.TxtAnswer | undefined)?.data as Buffer[] ?? []).toString())), new Set([`run-${i}`]));
  }
  // Requests spread over both workers; every one sees the zone as committed.
  const serials = await Promise.all(Array.from({ length: 8 }, () => pdnsFetch(url, key, 'GET', `/api/v1/servers/localhost/zones`)));
  assert.deepEqual(new Set(serials.map((s) => (s.json as { serial: number }[])[0].serial)), new Set([2024010105]));
  assert.ok((await pollUntil(() => notifies.includes(2024010105), 5000)).value, 'each commit is notified');

  const before = notifies.length;
  const n = await pdnsFetch(url, key, 'PUT', `${Z}/notify`, '');
  assert.equal(n.status, 200, n.text);
  assert.deepEqual(n.json, { result: 'Notification queued' });
  assert.ok((await pollUntil(() => notifies.length > before, 5000)).value, 'PUT …/notify sends NOTIFY now');
  assert.equal(notifies.at(-1), 2024010105);
});
