// Admin API for zone transfers: TSIG keys (secret shown once) and secondaries, errors, admin-only, audit, and the ACL honouring them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as packet from 'dns-packet';
import { apiServer, type ApiTest } from './helpers/api.js';
import { rawRRs } from './helpers/wire.js';
import { CapturingResponder } from './helpers/dns.js';
import { handleMessage } from '../server/query/handle.js';
import { XfrStore } from '../zones/store/xfr-sqlite.js';
import { XfrService } from '../server/xfr/service.js';
import { Journal } from '../server/xfr/journal.js';
import { transferAllowed, notifyTargets } from '../server/xfr/acl.js';
import { TsigSigner } from '../server/wire/tsig.js';
import { RRType } from '../zones/model/types.js';

const SEC = '/api/v1/zones/example.com/secondaries';
const SECRET = Buffer.alloc(32, 7).toString('base64');

function expectError(r: { statusCode: number; body: string; json(): unknown }, status: number, error: string, field: string | null): void {
  assert.equal(r.statusCode, status, r.body);
  const b = r.json() as { error: string; field: string | null; detail: string };
  assert.equal(b.error, error, r.body);
  assert.equal(b.field, field, r.body);
  assert.ok(b.detail.length > 0);
}

test('tsig: create (secret once, generated or given), list without secrets, errors, delete', async () => {
  const t = apiServer();
  const xs = new XfrStore(t.store);
  assert.deepEqual((await t.call('GET', '/api/v1/tsig')).json(), []);

  const gen = await t.call('POST', '/api/v1/tsig', { name: 'xfr-key' });
  assert.equal(gen.statusCode, 201, gen.body);
  const g = gen.json();
  assert.deepEqual(Object.keys(g).sort(), ['algorithm', 'name', 'secret']);
  assert.equal(g.name, 'xfr-key.');
  assert.equal(g.algorithm, 'hmac-sha256');
  assert.equal(Buffer.from(g.secret, 'base64').length, 32);
  assert.deepEqual(xs.tsigKey('xfr-key.')!.secret, Buffer.from(g.secret, 'base64'), 'the store holds the secret returned');

  const given = await t.call('POST', '/api/v1/tsig', { name: 'Given.Example.', algorithm: 'hmac-sha512', secret: SECRET });
  assert.equal(given.statusCode, 201, given.body);
  assert.deepEqual(given.json(), { name: 'given.example.', algorithm: 'hmac-sha512', secret: SECRET });
  const g512 = await t.call('POST', '/api/v1/tsig', { name: 'big', algorithm: 'hmac-sha512' });
  assert.equal(Buffer.from(g512.json().secret, 'base64').length, 64);

  const list = await t.call('GET', '/api/v1/tsig');
  assert.equal(list.statusCode, 200);
  assert.deepEqual(list.json(), [
    { name: 'big.', algorithm: 'hmac-sha512', created: new Date(t.clock.now * 1000).toISOString() },
    { name: 'given.example.', algorithm: 'hmac-sha512', created: new Date(t.clock.now * 1000).toISOString() },
    { name: 'xfr-key.', algorithm: 'hmac-sha256', created: new Date(t.clock.now * 1000).toISOString() },
  ]);
  assert.ok(!list.body.includes(g.secret) && !list.body.includes(SECRET), 'GET never returns a secret');

  expectError(await t.call('POST', '/api/v1/tsig', { name: 'XFR-KEY.' }), 409, 'exists', 'name');
  expectError(await t.call('POST', '/api/v1/tsig', { name: 'bad..name' }), 400, 'invalid', 'name');
  expectError(await t.call('POST', '/api/v1/tsig', { name: 'k1', algorithm: 'hmac-md4' }), 400, 'invalid', 'body.algorithm');
  expectError(await t.call('POST', '/api/v1/tsig', { name: 'k1', secret: 'not base64!' }), 400, 'invalid', 'secret');
  expectError(await t.call('POST', '/api/v1/tsig', { name: 'k1', secret: Buffer.alloc(8).toString('base64') }), 400, 'invalid', 'secret');
  expectError(await t.call('POST', '/api/v1/tsig', { algorithm: 'hmac-sha256' }), 400, 'invalid', 'body.name');
  expectError(await t.call('POST', '/api/v1/tsig', { name: 'k1', secrte: SECRET }), 400, 'invalid', 'body.secrte');
  assert.equal(xs.tsigKey('k1.'), undefined, 'nothing written');

  assert.equal((await t.call('DELETE', '/api/v1/tsig/big')).statusCode, 204);
  expectError(await t.call('DELETE', '/api/v1/tsig/big.'), 404, 'not_found', 'name');
  expectError(await t.call('DELETE', '/api/v1/tsig/bad..name'), 400, 'invalid', 'name');
  assert.equal(xs.tsigKey('big.'), undefined);
});

test('secondaries: add (port, prefix, TSIG), list, errors, remove; a key in use cannot be deleted', async () => {
  const t = apiServer();
  await t.call('POST', '/api/v1/tsig', { name: 'xfr-key' });
  assert.deepEqual((await t.call('GET', SEC)).json(), []);

  const a = await t.call('POST', SEC, { address: '192.0.2.1' });
  assert.equal(a.statusCode, 201, a.body);
  assert.deepEqual(a.json(), { address: '192.0.2.1', port: 53, tsig: null });
  assert.deepEqual((await t.call('POST', SEC, { address: '[2001:DB8::2]:5353', tsig: 'XFR-key' })).json(), { address: '2001:db8::2', port: 5353, tsig: 'xfr-key.' });
  assert.equal((await t.call('POST', SEC, { address: '198.51.100.0/24', tsig: 'xfr-key.' })).statusCode, 201);
  assert.deepEqual((await t.call('GET', '/api/v1/zones/EXAMPLE.com./secondaries')).json(), [
    { address: '192.0.2.1', port: 53, tsig: null },
    { address: '2001:db8::2', port: 5353, tsig: 'xfr-key.' },
    { address: '198.51.100.0/24', port: 53, tsig: 'xfr-key.' },
  ]);

  expectError(await t.call('POST', SEC, { address: '192.0.2.1:53' }), 409, 'exists', 'address');
  expectError(await t.call('POST', SEC, { address: '192.0.2.1', tsig: 'xfr-key' }), 409, 'exists', 'address');
  expectError(await t.call('POST', SEC, { address: '192.0.2.300' }), 400, 'invalid', 'address');
  expectError(await t.call('POST', SEC, { address: '10.0.0.0/33' }), 400, 'invalid', 'address');
  expectError(await t.call('POST', SEC, { address: '192.0.2.9', tsig: 'nokey' }), 400, 'invalid', 'tsig');
  expectError(await t.call('POST', SEC, { address: '192.0.2.9', tsig: 'bad..key' }), 400, 'invalid', 'tsig');
  expectError(await t.call('POST', SEC, { tsig: 'xfr-key' }), 400, 'invalid', 'body.address');
  expectError(await t.call('POST', '/api/v1/zones/nope.test/secondaries', { address: '192.0.2.9' }), 404, 'not_found', 'zone');
  expectError(await t.call('GET', '/api/v1/zones/nope.test/secondaries'), 404, 'not_found', 'zone');
  expectError(await t.call('GET', '/api/v1/zones/bad..zone/secondaries'), 400, 'invalid', 'zone');
  assert.equal((await t.call('GET', SEC)).json().length, 3, 'nothing written by the failures');

  // The key is required by two secondaries: deleting it is a conflict and changes nothing.
  expectError(await t.call('DELETE', '/api/v1/tsig/xfr-key'), 409, 'in_use', 'name');
  assert.equal((await t.call('GET', '/api/v1/tsig')).json().length, 1);

  assert.equal((await t.call('DELETE', `${SEC}/${encodeURIComponent('[2001:db8::2]:5353')}`)).statusCode, 204);
  assert.equal((await t.call('DELETE', `${SEC}/${encodeURIComponent('198.51.100.0/24')}`)).statusCode, 204);
  assert.equal((await t.call('DELETE', `${SEC}/192.0.2.1%3A53`)).statusCode, 204);
  expectError(await t.call('DELETE', `${SEC}/192.0.2.1`), 404, 'not_found', 'address');
  expectError(await t.call('DELETE', `${SEC}/not-an-ip`), 400, 'invalid', 'address');
  expectError(await t.call('DELETE', `/api/v1/zones/nope.test/secondaries/192.0.2.1`), 404, 'not_found', 'zone');
  assert.deepEqual((await t.call('GET', SEC)).json(), []);
  assert.equal((await t.call('DELETE', '/api/v1/tsig/xfr-key')).statusCode, 204, 'no longer in use');
});

test('scoped tokens get 403 on every transfer route; no token gets 401', async () => {
  const t = apiServer();
  await t.call('POST', '/api/v1/tsig', { name: 'xfr-key' });
  await t.call('POST', SEC, { address: '192.0.2.1' });
  const scoped = t.token({ admin: false, zone: 'example.com.', names: ['example.com.'], subtree: true, types: [RRType.TLSA] });
  const calls: [string, string, unknown?][] = [
    ['GET', '/api/v1/tsig'], ['POST', '/api/v1/tsig', { name: 'k2' }], ['POST', '/api/v1/tsig', { bogus: 1 }], ['DELETE', '/api/v1/tsig/xfr-key'],
    ['GET', SEC], ['POST', SEC, { address: '192.0.2.2' }], ['DELETE', `${SEC}/192.0.2.1`],
  ];
  for (const [method, url, body] of calls) {
    expectError(await t.call(method, url, body, scoped), 403, 'forbidden', null);
    assert.equal((await t.call(method, url, body, {})).statusCode, 401);
  }
  assert.equal((await t.call('GET', '/api/v1/tsig')).json().length, 1, 'unchanged');
  assert.equal((await t.call('GET', SEC)).json().length, 1, 'unchanged');
});

test('every write is audited, never with a secret', async () => {
  const t = apiServer();
  const k = (await t.call('POST', '/api/v1/tsig', { name: 'xfr-key' })).json();
  await t.call('POST', '/api/v1/tsig', { name: 'given', secret: SECRET });
  await t.call('POST', SEC, { address: '192.0.2.1:5300', tsig: 'xfr-key' });
  await t.call('DELETE', `${SEC}/192.0.2.1%3A5300`);
  await t.call('DELETE', '/api/v1/tsig/given');
  await t.call('POST', '/api/v1/tsig', { name: 'xfr-key' }); // a failure: not audited
  const r = await t.call('GET', '/api/v1/audit');
  const all = r.json().entries.reverse() as { action: string; zone: string; tokenLabel: string; before: unknown; after: unknown }[];
  // The first entry is the test set-up's zone import; the rest are this test's writes.
  assert.deepEqual([all[0].action, all[0].tokenLabel], ['zone.create', 'test']);
  const entries = all.slice(1);
  assert.deepEqual(entries.map((e) => [e.action, e.zone, e.before, e.after]), [
    ['tsig.create', '', null, { name: 'xfr-key.', algorithm: 'hmac-sha256', generated: true }],
    ['tsig.create', '', null, { name: 'given.', algorithm: 'hmac-sha256', generated: false }],
    ['secondary.add', 'example.com.', null, { address: '192.0.2.1', port: 5300, tsig: 'xfr-key.' }],
    ['secondary.remove', 'example.com.', { address: '192.0.2.1', port: 5300, tsig: 'xfr-key.' }, null],
    ['tsig.delete', '', { name: 'given.', algorithm: 'hmac-sha256' }, null],
  ]);
  assert.ok(entries.every((e) => e.tokenLabel === 'test-admin'));
  // Neither the base64 nor the hex of either secret anywhere in the stored rows.
  const raw = JSON.stringify(t.store.audit({ limit: 1000 }));
  for (const s of [k.secret, SECRET]) {
    assert.ok(!raw.includes(s) && !raw.includes(Buffer.from(s, 'base64').toString('hex')), 'no secret in the audit log');
  }
});

test('a secondary and key added over the API are honoured by the transfer ACL and by AXFR with TSIG', async () => {
  const t = apiServer();
  const xs = new XfrStore(t.store);
  const k = (await t.call('POST', '/api/v1/tsig', { name: 'xfr-key' })).json();
  assert.equal(transferAllowed(t.store, xs, 'example.com.', '127.0.0.1', 'xfr-key.').allowed, false, 'not yet a secondary');
  assert.equal((await t.call('POST', SEC, { address: '127.0.0.1', tsig: 'xfr-key' })).statusCode, 201);
  assert.equal((await t.call('POST', SEC, { address: '203.0.113.0/24' })).statusCode, 201);
  assert.deepEqual(transferAllowed(t.store, xs, 'example.com.', '127.0.0.1', 'xfr-key.'), { allowed: true });
  assert.deepEqual(transferAllowed(t.store, xs, 'example.com.', '::ffff:127.0.0.1', 'xfr-key.'), { allowed: true });
  assert.equal(transferAllowed(t.store, xs, 'example.com.', '127.0.0.1', null).allowed, false, 'the key is required');
  assert.deepEqual(transferAllowed(t.store, xs, 'example.com.', '203.0.113.9', null), { allowed: true }, 'prefix, no key');
  assert.equal(transferAllowed(t.store, xs, 'example.com.', '192.0.2.1', null).allowed, false);
  assert.deepEqual(notifyTargets(t.store, xs, 'example.com.').map((s) => s.address), ['127.0.0.1'], 'prefixes are not notified');

  // In-process AXFR through a capturing TCP responder, signed with the secret the API returned once.
  const now = () => t.clock.now;
  const journal = new Journal(t.store, xs);
  t.ctx.special = new XfrService({ store: t.store, xs, zones: t.zones, dnssec: t.dnssec, log: () => {}, now, journal }).special;
  const axfr = packet.encode({ type: 'query', id: 9, flags: 0, questions: [{ name: 'example.com', type: 'AXFR', class: 'IN' }] });
  const key = { name: 'xfr-key.', algorithm: 'hmac-sha256' as const, secret: Buffer.from(k.secret, 'base64') };
  const signed = await transfer(t, new TsigSigner(key, undefined, now).sign(axfr));
  const rrs = signed.flatMap((m) => rawRRs(m).filter((r) => r.section === 'answer'));
  assert.ok(rrs.length > 30, `a whole zone (${rrs.length} RRs)`);
  assert.equal(rrs[0].type, RRType.SOA);
  assert.equal(rrs[rrs.length - 1].type, RRType.SOA);
  const unsigned = await transfer(t, axfr);
  assert.equal(unsigned.flatMap((m) => rawRRs(m).filter((r) => r.section === 'answer')).length, 0, 'refused without the key');

  // Removed over the API: refused at once, no restart.
  assert.equal((await t.call('DELETE', `${SEC}/127.0.0.1`)).statusCode, 204);
  assert.equal(transferAllowed(t.store, xs, 'example.com.', '127.0.0.1', 'xfr-key.').allowed, false);
});

test('the transfer routes are in the OpenAPI document', async () => {
  const t = apiServer();
  const doc = (await t.call('GET', '/api/v1/openapi.json', undefined, {})).json();
  for (const [path, methods] of Object.entries({
    '/api/v1/tsig': ['get', 'post'], '/api/v1/tsig/{name}': ['delete'],
    '/api/v1/zones/{zone}/secondaries': ['get', 'post'], '/api/v1/zones/{zone}/secondaries/{address}': ['delete'],
  })) {
    for (const method of methods) assert.ok(doc.paths[path]?.[method], `${method} ${path} in OpenAPI`);
  }
  assert.deepEqual(doc.paths['/api/v1/tsig'].post.requestBody.content['application/json'].schema.properties.algorithm.enum, ['hmac-sha256', 'hmac-sha512', 'hmac-sha384', 'hmac-sha224', 'hmac-sha1', 'hmac-md5']);
  assert.ok(doc.paths['/api/v1/tsig'].post.responses['409']);
  assert.ok(!('secret' in doc.paths['/api/v1/tsig'].get.responses['200'].content['application/json'].schema.items.properties));
});

/** Run a transfer request from 127.0.0.1 through a capturing TCP responder; resolves with the reply messages once the stream ends. */
async function transfer(t: ApiTest, msg: Buffer): Promise<Buffer[]> {
  const r = new CapturingResponder('tcp');
  handleMessage(t.ctx, msg, r);
  if (r.replies.length) return r.replies;
  for (let i = 0; i < 200 && !r.closed; i++) await new Promise((res) => setImmediate(res));
  return r.streamed;
}
