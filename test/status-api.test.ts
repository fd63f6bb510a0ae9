// The status page's read-only routes: who a token is, the zones at a glance, a zone's DNSSEC status; scopes, errors, and the soonest RRSIG expiry against the RRSIGs served.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { apiServer, fixture } from './helpers/api.js';
import { ask } from './helpers/dns.js';
import { RRType } from '../zones/model/types.js';
import { buildApi } from '../server/admin/app.js';
import { runCli, tmpDir } from './helpers/server.js';
import { join } from 'node:path';

const ORG = fixture('example.com.zone').replace(/example\.com\./g, 'example.org.');

function setup() {
  const t = apiServer({ 'example.com': fixture('example.com.zone'), 'example.org': ORG });
  const scoped = t.token({ admin: false, zone: 'example.com.', names: ['_443._tcp.www.example.com.'], types: [RRType.TLSA], label: 'www tlsa' });
  return { t, scoped };
}

test('GET /whoami names the token\'s reach, never its secret', async () => {
  const { t, scoped } = setup();
  const a = await t.call('GET', '/api/v1/whoami');
  assert.equal(a.statusCode, 200);
  assert.deepEqual(a.json(), { label: 'test-admin', admin: true, zone: null, names: [], subtree: false, types: [] });
  const s = await t.call('GET', '/api/v1/whoami', undefined, scoped);
  assert.deepEqual(s.json(), { label: 'www tlsa', admin: false, zone: 'example.com.', names: ['_443._tcp.www.example.com.'], subtree: false, types: [RRType.TLSA] });
  assert.doesNotMatch(s.body, /dp_/);
  const none = await t.call('GET', '/api/v1/whoami', undefined, {});
  assert.equal(none.statusCode, 401);
  assert.equal(none.json().field, 'authorization');
});

test('GET /status/zones: every zone for an admin with its secondaries; a scoped token sees its zone and no secondaries', async () => {
  const { t, scoped } = setup();
  const a = (await t.call('GET', '/api/v1/status/zones')).json() as { zones: { name: string; serial: number; dnssec: string; soonestRrsigExpiry: string; secondaries: unknown[] | null }[] };
  assert.deepEqual(a.zones.map((z) => [z.name, z.serial, z.dnssec, z.secondaries]), [['example.com.', 2024010101, 'signed', []], ['example.org.', 2024010101, 'signed', []]]);
  const s = (await t.call('GET', '/api/v1/status/zones', undefined, scoped)).json() as typeof a;
  assert.deepEqual(s.zones.map((z) => [z.name, z.secondaries]), [['example.com.', null]]);
});

test('the soonest RRSIG expiry: no RRSIG served expires before it, and it is 14 days after the signing epoch', async () => {
  const { t } = setup();
  const z = ((await t.call('GET', '/api/v1/status/zones')).json() as { zones: { name: string; soonestRrsigExpiry: string }[] }).zones[0];
  const soonest = Date.parse(z.soonestRrsigExpiry) / 1000;
  assert.equal(soonest, t.store.zone('example.com.')!.sign_epoch + 14 * 86400);
  let seen = 0;
  for (const [name, type] of [['example.com', 'SOA'], ['example.com', 'DNSKEY'], ['www.example.com', 'A'], ['mail.example.com', 'AAAA'], ['_443._tcp.www.example.com', 'TLSA'], ['nothere.example.com', 'A']]) {
    const r = ask(t.ctx, name, type, { dnssecOk: true, udpSize: 4096 });
    for (const rr of [...(r.answers ?? []), ...(r.authorities ?? [])]) {
      if (rr.type !== 'RRSIG') continue;
      const exp = (rr.data as { expiration: number }).expiration;
      assert.ok(exp >= soonest, `${name} ${type}: RRSIG expires ${exp} before ${soonest}`);
      seen++;
    }
  }
  assert.ok(seen >= 6, `${seen} RRSIGs looked at`);
});

test('GET /zones/:zone/status: DS to publish, CDS mirroring it, parent DS unknown without a resolver; scope, 404, 400', async () => {
  const { t, scoped } = setup();
  const r = await t.call('GET', '/api/v1/zones/example.com/status');
  assert.equal(r.statusCode, 200, r.body);
  const st = r.json() as { ds: string[]; parentDs: { state: string; resolver: null; detail: string }; cds: { state: string; cds: string[]; cdnskey: string[]; matchesDs: boolean } };
  assert.deepEqual(st.ds, ((await t.call('GET', '/api/v1/zones/example.com/ds')).json() as { ds: string[] }).ds);
  assert.equal(st.ds.length, 1);
  assert.deepEqual(st.parentDs, { state: 'unknown', resolver: null, served: [], detail: 'no resolver configured (serve --ds-resolver ADDR:PORT)' });
  assert.equal(st.cds.state, 'published');
  assert.equal(st.cds.matchesDs, true);
  // The CDS the zone serves is what the route reports.
  const served = ask(t.ctx, 'example.com', 'CDS', { dnssecOk: false }).answers!.filter((a) => a.type === 'CDS');
  assert.equal(served.length, st.cds.cds.length);
  // dns-packet leaves CDS RDATA undecoded: the key tag is its first two octets (RFC 7344 §3.1, the DS format).
  const rdata = (served[0] as unknown as { data: Buffer }).data;
  assert.equal(rdata.readUInt16BE(0), Number(st.cds.cds[0].split(' ')[0]));
  assert.equal(st.cds.cdnskey.length, 1);

  assert.equal((await t.call('GET', '/api/v1/zones/example.com/status', undefined, scoped)).statusCode, 200);
  const other = await t.call('GET', '/api/v1/zones/example.org/status', undefined, scoped);
  assert.equal(other.statusCode, 403);
  assert.match(other.json().detail, /zone example\.org\. is outside/);
  const missing = await t.call('GET', '/api/v1/zones/nowhere.test/status');
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().field, 'zone');
  const bad = await t.call('GET', '/api/v1/zones/bad..name/status');
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().field, 'zone');
  assert.equal((await t.call('GET', '/api/v1/zones/example.com/status', undefined, {})).statusCode, 401);
});

test('a resolver that never answers: parent DS unknown, said so, in bounded time', async () => {
  const { t } = setup();
  const silent = dgram.createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
  let asked = 0;
  silent.on('message', () => { asked++; });
  const app = buildApi({ store: t.store, zones: t.zones, pipeline: t.pipeline, dnssec: t.dnssec, metrics: t.metrics, log: () => {}, now: () => t.clock.now, dsResolver: { host: '127.0.0.1', port: silent.address().port } });
  try {
    const started = Date.now();
    const r = await app.inject({ method: 'GET', url: '/api/v1/zones/example.com/status', headers: t.admin });
    assert.equal(r.statusCode, 200, r.body);
    const p = (r.json() as { parentDs: { state: string; detail: string } }).parentDs;
    assert.equal(p.state, 'unknown');
    assert.match(p.detail, /no answer from 127\.0\.0\.1:\d+ in 3000 ms/);
    assert.ok(Date.now() - started < 6000);
    assert.equal(asked, 2, 'one query and one retry');
  } finally {
    silent.close();
  }
});

test('GET / serves the page under the strict CSP; its assets too; nothing there needs a token', async () => {
  const { t } = setup();
  for (const [url, type] of [['/', /^text\/html/], ['/page/style.css', /^text\/css/], ['/page/app.js', /^text\/javascript/]] as [string, RegExp][]) {
    const r = await t.app.inject({ method: 'GET', url });
    assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
    assert.match(String(r.headers['content-type']), type);
    assert.match(String(r.headers['content-security-policy']), /^default-src 'none'; script-src 'self'; style-src 'self';/);
    assert.equal(r.headers['x-frame-options'], 'DENY');
  }
  const html = (await t.app.inject({ method: 'GET', url: '/' })).body;
  assert.match(html, /<input id="token" name="token" type="password"/);
  assert.doesNotMatch(html, /style=|<style|<script>/);
});

test('serve --ds-resolver: a bad address is a one-line error before anything listens', () => {
  const { dir, cleanup } = tmpDir('daneprime-ds-resolver-');
  try {
    for (const [args, env, message] of [
      [['--ds-resolver', '127.0.0.1'], {}, /bad --ds-resolver address "127\.0\.0\.1": expected ADDR:PORT/],
      [['--ds-resolver', '127.0.0.1:99999'], {}, /bad --ds-resolver address "127\.0\.0\.1:99999": port out of range/],
      [[], { DANEPRIME_DS_RESOLVER: 'resolver' }, /bad --ds-resolver address "resolver"/],
    ] as [string[], Record<string, string>, RegExp][]) {
      const r = runCli(['serve', '--db', join(dir, 'dp.db'), '--dns', '127.0.0.1:0', '--api', 'off', '--workers', '1', ...args], { env });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /listening/);
    }
  } finally {
    cleanup();
  }
});
