// Secondary monitoring: what Knot (a real secondary of 2 workers) serves after each NOTIFY, its lag when it cannot follow,
// the warning when the lag passes the refresh interval, and the states of peers that refuse the zone or do not answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as packet from 'dns-packet';
import { requireTool } from './helpers/tools.js';
import { cli, startServer, startKnot, freePort, waitFor, kdig, type Child } from './helpers/procs.js';
import { zonesFromText } from './helpers/dns.js';
import { XfrStore } from '../zones/store/xfr-sqlite.js';
import { addSecondary, notifyTargets } from '../server/xfr/acl.js';
import { SecondaryMonitor, secondaryStatus, QUIET_S, type SecondaryEvent } from '../server/xfr/monitor.js';

const FIXTURE = readFileSync(fileURLToPath(new URL('../../test/fixtures/example.com.zone', import.meta.url)), 'utf8');
/** The fixture with an SOA refresh of 3 s, so that "lags more than the refresh interval" comes within a test. */
const REFRESH = 3;
const withRefresh = (text: string) => text.replace(/(SOA\s+\S+\s+\S+\s+\(?\s*\d+\s+)\d+/, `$1${REFRESH}`);

interface Status { address: string; port: number; serial: number | null; lagSeconds: number | null; lastAnswer: string | null; state: string }

test('Knot as a monitored secondary of 2 workers: current after each NOTIFY; behind with a growing lag when its transfers are refused; a warning past the refresh interval', { timeout: 90_000 }, async (t) => {
  for (const tool of ['knotd', 'kdig']) if (!requireTool(tool, t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'daneprime-monitor-'));
  const db = join(dir, 'dp.db');
  const children: Child[] = [];
  try {
    const zone = join(dir, 'example.com.zone');
    writeFileSync(zone, withRefresh(FIXTURE));
    assert.match(readFileSync(zone, 'utf8'), new RegExp(`SOA\\s+\\S+\\s+\\S+\\s+\\(?\\s*\\d+\\s+${REFRESH}\\b`), 'the refresh was rewritten');
    cli(['zone', 'import', zone, '--db', db]);
    const secret = cli(['tsig', 'add', 'xfr', '--db', db]).trim().split('\n').pop()!;
    cli(['tsig', 'add', 'other', '--db', db]);
    const knotPort = await freePort();
    cli(['zone', 'secondary', 'add', 'example.com', `127.0.0.1:${knotPort}`, '--tsig', 'xfr', '--db', db]);
    const token = cli(['token', 'create', '--admin', '--db', db]).trim();
    const ours = await startServer(db, { DANEPRIME_API: '127.0.0.1:0' }, 0, 2);
    children.push(ours);
    const api = `http://${/api: listening on http:\/\/(\S+)/.exec(ours.log())![1]}`;
    const knot = await startKnot(dir, { port: knotPort, primaryPort: ours.port, secret, zone: 'example.com' });
    children.push(knot);
    const ourSerial = () => Number(kdig(['@127.0.0.1', '-p', String(ours.port), 'example.com', 'SOA', '+short']).trim().split(/\s+/)[2]);
    const status = (): Status => JSON.parse(cli(['zone', 'secondary', 'list', 'example.com', '--json', '--db', db]))[0];
    const edit = async (text: string) => {
      const r = await fetch(`${api}/api/v1/zones/example.com/rrsets/monitor.example.com./TXT`, {
        method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ ttl: 60, records: [`"${text}"`] }),
      });
      assert.equal(r.status, 200, await r.text());
    };

    await waitFor('Knot to load the zone and the monitor to see it current', 20_000, () => status().state === 'current');
    await edit('one');
    const serial = ourSerial();
    await waitFor('the monitor to see the new serial on Knot after the NOTIFY', 10_000, () => status().serial === serial);
    const cur = status();
    assert.equal(cur.state, 'current');
    assert.equal(cur.lagSeconds, 0);
    assert.ok(cur.lastAnswer && Date.now() - Date.parse(cur.lastAnswer) < 10_000, `lastAnswer ${cur.lastAnswer}`);
    const apiStatus = await (await fetch(`${api}/api/v1/zones/example.com/secondaries/status`, { headers: { authorization: `Bearer ${token}` } })).json() as Status[];
    assert.deepEqual([apiStatus[0].state, apiStatus[0].serial], ['current', serial], 'the API shows the same');
    const metrics = await (await fetch(`${api}/metrics`)).text();
    assert.match(metrics, new RegExp(`daneprime_secondary_lag_seconds\\{zone="example.com.",secondary="127.0.0.1:${knotPort}"\\} 0`));
    assert.match(metrics, new RegExp(`daneprime_secondary_serial\\{zone="example.com.",secondary="127.0.0.1:${knotPort}"\\} ${serial}`));

    // Knot's key no longer opens transfers: it keeps answering, with the old serial.
    cli(['zone', 'secondary', 'add', 'example.com', `127.0.0.1:${knotPort}`, '--tsig', 'other', '--db', db]);
    await new Promise((r) => setTimeout(r, 600));
    await edit('two');
    const newer = ourSerial();
    await waitFor('the monitor to see Knot behind', 10_000, () => status().state === 'behind');
    assert.equal(status().serial, serial, 'it serves what it had');
    await waitFor(`a warning once the lag passes the refresh interval (${REFRESH} s)`, 40_000, () => /secondary 127\.0\.0\.1:\d+ of example\.com\.: lags \d+ s, more than the zone's refresh interval/.test(ours.log()));
    const events = await (await fetch(`${api}/api/v1/events?zone=example.com`, { headers: { authorization: `Bearer ${token}` } })).json() as { events: { level: string; kind: string; endpoint: string; message: string }[] };
    const lagging = events.events.find((e) => e.kind === 'secondary');
    assert.ok(lagging, `a secondary event in GET /api/v1/events: ${JSON.stringify(events)}`);
    assert.equal(lagging.level, 'warning');
    assert.equal(lagging.endpoint, `127.0.0.1:${knotPort}`);
    assert.match(lagging.message, /lags \d+ s/);
    const behind = status();
    assert.ok(behind.lagSeconds! > REFRESH, `lag ${behind.lagSeconds}`);
    assert.match((await (await fetch(`${api}/metrics`)).text()), new RegExp(`daneprime_secondary_lag_seconds\\{zone="example.com.",secondary="127.0.0.1:${knotPort}"\\} (\\d+)`));

    // The key is back: the next check after a NOTIFY finds it current, and says so.
    cli(['zone', 'secondary', 'add', 'example.com', `127.0.0.1:${knotPort}`, '--tsig', 'xfr', '--db', db]);
    await new Promise((r) => setTimeout(r, 600));
    await edit('three');
    await waitFor('Knot current again', 20_000, () => status().state === 'current' && status().serial === ourSerial());
    assert.ok(ourSerial() > newer);
    await waitFor('the all-clear in the log', 5000, () => /secondary 127\.0\.0\.1:\d+ of example\.com\.: current again/.test(ours.log()));
  } finally {
    for (const c of children.reverse()) await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a peer that answers REFUSED is "refused", one that never answers is "unreachable"; each raises one warning', async (t) => {
  const s = zonesFromText({ 'example.com': FIXTURE });
  const xs = new XfrStore(s.store);
  const refuser = dgram.createSocket('udp4');
  const silent = dgram.createSocket('udp4');
  t.after(() => { refuser.close(); silent.close(); });
  await Promise.all([refuser, silent].map((sock) => new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()))));
  refuser.on('message', (m, from) => {
    const q = packet.decode(m);
    refuser.send(packet.encode({ type: 'response', id: q.id, flags: 5, questions: q.questions } as packet.Packet), from.port, from.address);
  });
  for (const sock of [refuser, silent]) addSecondary(s.store, xs, 'example.com.', `127.0.0.1:${sock.address().port}`, undefined, s.clock.now);
  const events: SecondaryEvent[] = [];
  const monitor = new SecondaryMonitor(s.store, xs, s.zones, () => {}, () => s.clock.now, (e) => events.push(e), { timeoutMs: 100 });
  t.after(() => monitor.close());
  for (const target of notifyTargets(s.store, xs, 'example.com.')) await monitor.check('example.com.', target);
  const byPort = new Map(secondaryStatus(s.store, xs, 'example.com.', s.clock.now).map((x) => [x.port, x]));
  assert.equal(byPort.get(refuser.address().port)!.state, 'refused');
  assert.match(byPort.get(refuser.address().port)!.detail, /rcode 5/);
  assert.ok(byPort.get(refuser.address().port)!.lastAnswer, 'a refusal is an answer');
  assert.equal(byPort.get(silent.address().port)!.state, 'unreachable');
  assert.equal(byPort.get(silent.address().port)!.lastAnswer, null);
  // Asked again, still in trouble: no second warning.
  for (const target of notifyTargets(s.store, xs, 'example.com.')) await monitor.check('example.com.', target);
  assert.deepEqual(events.map((e) => [e.level, e.secondary.split(':')[1]]).sort(),
    [['warning', String(refuser.address().port)], ['warning', String(silent.address().port)]].sort());
});

test('one secondary of many zones (a catalog consumer that is down): one event, the other zones counted into the next one after the quiet time', async (t) => {
  const zones: Record<string, string> = {};
  for (const z of ['a.test', 'b.test', 'c.test', 'd.test']) zones[z] = FIXTURE.replace(/example\.com\./g, `${z}.`);
  const s = zonesFromText(zones);
  const xs = new XfrStore(s.store);
  const silent = dgram.createSocket('udp4');
  t.after(() => silent.close());
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
  for (const z of Object.keys(zones)) addSecondary(s.store, xs, `${z}.`, `127.0.0.1:${silent.address().port}`, undefined, s.clock.now);
  const events: SecondaryEvent[] = [];
  const monitor = new SecondaryMonitor(s.store, xs, s.zones, () => {}, () => s.clock.now, (e) => events.push(e), { timeoutMs: 50 });
  t.after(() => monitor.close());
  const checkAll = async (names: string[]) => { for (const z of names) for (const target of notifyTargets(s.store, xs, `${z}.`)) await monitor.check(`${z}.`, target); };
  await checkAll(['a.test', 'b.test', 'c.test']);
  assert.equal(events.length, 1, 'three zones, one event');
  assert.equal(secondaryStatus(s.store, xs, 'c.test.', s.clock.now)[0].state, 'unreachable', 'each zone\'s status is still kept');
  s.clock.now += QUIET_S + 1;
  await checkAll(['d.test']);
  assert.equal(events.length, 2);
  assert.match(events[1].message, /and 2 more zone\(s\)/);
});
