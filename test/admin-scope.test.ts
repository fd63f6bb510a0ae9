// Token scopes: a token for one RRset (or subtree) of one zone may touch exactly that, and every refusal says what is outside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiServer, fixture } from './helpers/api.js';
import { ask } from './helpers/dns.js';
import { scopeProblem, type Principal } from '../server/admin/tokens.js';
import { RRType } from '../zones/model/types.js';

const Z = '/api/v1/zones/example.com';
const HASH = 'ab'.repeat(32);
const TLSA = { records: [`3 1 1 ${HASH}`] };

function setup() {
  const t = apiServer({ 'example.com': fixture('example.com.zone'), 'example.org': fixture('example.com.zone').replace(/example\.com\./g, 'example.org.') });
  const www = t.token({ admin: false, zone: 'example.com.', names: ['_443._tcp.www.example.com.'], types: [RRType.TLSA], label: 'www tlsa' });
  return { t, www };
}

test('a token for _443._tcp.www TLSA replaces that RRset and nothing else', async () => {
  const { t, www } = setup();
  const ok = await t.call('PUT', `${Z}/rrsets/_443._tcp.www/TLSA`, TLSA, www);
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ask(t.ctx, '_443._tcp.www.example.com', 'TLSA').answers![0].data.certificate.toString('hex'), HASH);

  const refused: [string, string, unknown, RegExp][] = [
    ['PUT', `${Z}/rrsets/www/A`, { records: ['192.0.2.1'] }, /name www\.example\.com\. is outside this token's scope \(_443\._tcp\.www\.example\.com\.\)/],
    ['PUT', `${Z}/rrsets/@/MX`, { records: ['10 mail'] }, /name example\.com\. is outside/],
    ['PUT', `${Z}/rrsets/_443._tcp.mail/TLSA`, TLSA, /name _443\._tcp\.mail\.example\.com\. is outside/],
    ['PUT', `${Z}/rrsets/_443._tcp.www/TXT`, { records: ['"x"'] }, /type TXT is outside this token's scope \(TLSA\)/],
    ['PUT', '/api/v1/zones/example.org/rrsets/_443._tcp.www/TLSA', TLSA, /zone example\.org\. is outside this token's scope \(zone example\.com\.\)/],
    ['DELETE', `${Z}/rrsets/www/A`, undefined, /name www\.example\.com\. is outside/],
    ['GET', `${Z}/rrsets/www/A`, undefined, /name www\.example\.com\. is outside/],
    ['POST', `${Z}/tlsa`, { host: 'www', port: 8443, data: HASH }, /name _8443\._tcp\.www\.example\.com\. is outside/],
    ['POST', `${Z}/tlsa`, { host: 'mail', port: 443, data: HASH }, /name _443\._tcp\.mail\.example\.com\. is outside/],
    ['GET', '/api/v1/zones/example.org', undefined, /zone example\.org\. is outside/],
    ['GET', '/api/v1/zones/example.org/rrsets', undefined, /zone example\.org\. is outside/],
    ['GET', '/api/v1/zones/example.org/tlsa', undefined, /zone example\.org\. is outside/],
    ['GET', '/api/v1/zones/example.org/keys', undefined, /zone example\.org\. is outside/],
    ['GET', `${Z}/export`, undefined, /needs an admin token/],
    ['POST', '/api/v1/zones', { name: 'x.test', zonefile: '' }, /needs an admin token/],
    ['DELETE', Z, undefined, /needs an admin token/],
    ['GET', '/api/v1/tokens', undefined, /needs an admin token/],
    ['GET', '/api/v1/audit', undefined, /needs an admin token/],
  ];
  for (const [method, url, body, detail] of refused) {
    const r = await t.call(method, url, body, www);
    assert.equal(r.statusCode, 403, `${method} ${url}: ${r.body}`);
    assert.equal(r.json().error, 'forbidden');
    assert.match(r.json().detail, detail, `${method} ${url}`);
  }
  // A PATCH with one change outside the scope writes nothing at all.
  const patch = await t.call('PATCH', `${Z}/rrsets`, { changes: [
    { name: '_443._tcp.www', type: 'TLSA', records: [`3 1 1 ${'cd'.repeat(32)}`] }, { name: 'www', type: 'A', records: ['192.0.2.1'] },
  ] }, www);
  assert.equal(patch.statusCode, 403);
  assert.equal(patch.json().field, 'changes[1]');
  assert.equal(ask(t.ctx, '_443._tcp.www.example.com', 'TLSA').answers![0].data.certificate.toString('hex'), HASH);
  assert.equal(ask(t.ctx, 'www.example.com', 'A').answers![0].data, '192.0.2.80');
  // Its own TLSA through the TLSA endpoint is fine.
  assert.equal((await t.call('POST', `${Z}/tlsa`, { host: 'www', port: 443, data: HASH, mode: 'add' }, www)).statusCode, 200);
});

test('a scoped token reads only what it may change', async () => {
  const { t, www } = setup();
  assert.deepEqual((await t.call('GET', '/api/v1/zones', undefined, www)).json().zones.map((z: { name: string }) => z.name), ['example.com.']);
  const list = (await t.call('GET', `${Z}/rrsets`, undefined, www)).json().rrsets;
  assert.deepEqual(list.map((r: { name: string; type: string }) => `${r.name} ${r.type}`), ['_443._tcp.www.example.com. TLSA']);
  const tlsa = (await t.call('GET', `${Z}/tlsa`, undefined, www)).json().services;
  assert.deepEqual(tlsa.map((s: { name: string }) => s.name), ['_443._tcp.www.example.com.']);
  assert.equal((await t.call('GET', Z, undefined, www)).statusCode, 200);
  assert.equal((await t.call('GET', `${Z}/ds`, undefined, www)).statusCode, 200);
});

test('--subtree covers names below the scope names, not beside them', async () => {
  const { t } = setup();
  const sub = t.token({ admin: false, zone: 'example.com.', names: ['www.example.com.'], subtree: true, types: [RRType.TLSA, RRType.A] });
  assert.equal((await t.call('PUT', `${Z}/rrsets/_443._tcp.www/TLSA`, TLSA, sub)).statusCode, 200);
  assert.equal((await t.call('PUT', `${Z}/rrsets/www/A`, { records: ['192.0.2.1'] }, sub)).statusCode, 200);
  assert.equal((await t.call('PUT', `${Z}/rrsets/_25._tcp.mail/TLSA`, TLSA, sub)).statusCode, 403);
  assert.equal((await t.call('PUT', `${Z}/rrsets/xwww/A`, { records: ['192.0.2.1'] }, sub)).statusCode, 403);
});

test('scopeProblem: label-wise subtree match, admin passes', () => {
  const p: Principal = { id: 1, label: '', admin: false, zone: 'example.com.', names: ['www.example.com.'], subtree: true, types: [RRType.TLSA] };
  assert.equal(scopeProblem(p, 'example.com.', '_443._tcp.www.example.com.', RRType.TLSA), undefined);
  assert.match(scopeProblem(p, 'example.com.', 'awww.example.com.', RRType.TLSA)!, /awww/);
  assert.match(scopeProblem(p, 'example.com.', 'www.example.com.', RRType.A)!, /type A/);
  assert.equal(scopeProblem({ ...p, admin: true, zone: undefined }, 'x.', 'y.x.', RRType.A), undefined);
});
