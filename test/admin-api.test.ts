// Admin API over inject: every endpoint, every error shape, consistency with the DNS path (next query signed, NSEC3 right).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiServer, fixture } from './helpers/api.js';
import { ask, rawAsk, buildQuery } from './helpers/dns.js';
import { verifySigned, nsec3Owners, nsec3Of } from './helpers/signed.js';

const Z = '/api/v1/zones/example.com';
const HASH = 'ab'.repeat(32);

test('healthz, metrics, openapi need no token; the API does', async () => {
  const t = apiServer();
  assert.deepEqual((await t.call('GET', '/healthz', undefined, {})).json(), { status: 'ok', zones: 1 });
  ask(t.ctx, 'www.example.com', 'A', { dnssecOk: true });
  ask(t.ctx, 'nope.example.com', 'A');
  const m = await t.call('GET', '/metrics', undefined, {});
  assert.equal(m.statusCode, 200);
  assert.match(m.headers['content-type'] as string, /^text\/plain/);
  assert.match(m.body, /daneprime_dns_requests_total\{zone="example.com.",proto="udp",family="1",type="A"\} 2/);
  assert.match(m.body, /daneprime_dns_responses_total\{zone="example.com.",rcode="NOERROR"\} 1/);
  assert.match(m.body, /daneprime_dns_responses_total\{zone="example.com.",rcode="NXDOMAIN"\} 1/);
  assert.match(m.body, /daneprime_dns_do_requests_total\{zone="example.com."\} 1/);
  assert.match(m.body, /daneprime_dnssec_signatures_total [1-9]/);
  assert.match(m.body, /daneprime_dnssec_cache_misses_total [1-9]/);
  assert.match(m.body, /daneprime_dnssec_cache_hits_total \d+/);
  const doc = (await t.call('GET', '/api/v1/openapi.json', undefined, {})).json();
  assert.equal(doc.openapi, '3.1.0');
  for (const [path, methods] of Object.entries({
    '/api/v1/zones': ['get', 'post'], '/api/v1/zones/{zone}': ['get', 'delete'], '/api/v1/zones/{zone}/export': ['get'],
    '/api/v1/zones/{zone}/rrsets': ['get', 'patch'], '/api/v1/zones/{zone}/rrsets/{name}/{type}': ['get', 'put', 'delete'],
    '/api/v1/zones/{zone}/tlsa': ['get', 'post'], '/api/v1/zones/{zone}/keys': ['get'], '/api/v1/zones/{zone}/ds': ['get'], '/api/v1/zones/{zone}/policy': ['get', 'put'],
    '/api/v1/tokens': ['get', 'post'], '/api/v1/tokens/{id}': ['delete'], '/api/v1/audit': ['get'], '/healthz': ['get'], '/metrics': ['get'],
  })) {
    for (const method of methods) assert.ok(doc.paths[path]?.[method], `${method} ${path} in OpenAPI`);
  }
  assert.ok(doc.paths['/api/v1/zones/{zone}/rrsets/{name}/{type}'].put.requestBody.content['application/json'].schema.properties.records);
  assert.ok(doc.paths['/api/v1/zones/{zone}/tlsa'].post.responses['400']);

  const none = await t.call('GET', '/api/v1/zones', undefined, {});
  assert.equal(none.statusCode, 401);
  assert.equal(none.headers['www-authenticate'], 'Bearer');
  assert.deepEqual(none.json(), { error: 'unauthorized', field: 'authorization', detail: 'missing "Authorization: Bearer <token>" header' });
  assert.equal((await t.call('GET', '/api/v1/zones', undefined, { authorization: 'Bearer dp_nope' })).statusCode, 401);
  assert.equal((await t.call('GET', '/api/v1/nowhere')).statusCode, 404);
  const m2 = await t.call('GET', '/metrics', undefined, {});
  assert.match(m2.body, /daneprime_api_errors_total\{status="401"\} 2/);
});

test('zones: list, get (serial = ETag, DNSSEC, NSEC3, DS), 404', async () => {
  const t = apiServer();
  assert.deepEqual((await t.call('GET', '/api/v1/zones')).json(), { zones: [{ name: 'example.com.', serial: 2024010101, signed: true }] });
  for (const z of ['example.com', 'example.com.', 'EXAMPLE.com']) {
    const r = await t.call('GET', `/api/v1/zones/${z}`);
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers.etag, '"2024010101"');
    const b = r.json();
    assert.equal(b.name, 'example.com.');
    assert.equal(b.dnssec.status, 'signed');
    assert.deepEqual({ ...b.dnssec.nsec3, chainLength: 0 }, { iterations: 0, salt: '', optOut: false, chainLength: 0 });
    assert.match(b.dnssec.ds[0], /^\d+ 13 2 [0-9A-F]{64}$/);
  }
  const nf = await t.call('GET', '/api/v1/zones/nope.example');
  assert.equal(nf.statusCode, 404);
  assert.deepEqual(nf.json(), { error: 'not_found', field: 'zone', detail: 'no such zone: nope.example.' });
  assert.equal((await t.call('GET', '/api/v1/zones/bad..name')).statusCode, 400);
});

test('zones: create from JSON RRsets (keys made, signed, served at once), from a zone file, errors, delete', async () => {
  const t = apiServer();
  const created = await t.call('POST', '/api/v1/zones', {
    name: 'new.test', rrsets: [
      { name: '@', type: 'SOA', ttl: 300, records: ['ns1 hostmaster 1 7200 3600 1209600 300'] },
      { name: '@', type: 'NS', records: ['ns1.new.test.'] },
      { name: 'ns1', type: 'A', records: ['192.0.2.1'] },
      { name: '_443._tcp.ns1', type: 'TLSA', records: [`3 1 1 ${HASH}`] },
    ],
  });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(created.json().dnssec.status, 'signed');
  assert.equal(created.json().dnssec.keys, 2);
  const r = rawAsk(t.ctx, buildQuery('_443._tcp.ns1.new.test', 'TLSA', { dnssecOk: true }))!;
  assert.equal(verifySigned(t, 'new.test.', r).filter((x) => x.type === 52).length, 1);

  const again = await t.call('POST', '/api/v1/zones', { name: 'new.test', zonefile: fixture('example.com.zone') });
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().error, 'exists');

  // A zone file as text/dns, the name from the SOA; and as a JSON field, with a CSK and NSEC3 settings.
  const text = fixture('example.com.zone').replace(/example\.com\./g, 'file.test.');
  const f = await t.app.inject({ method: 'POST', url: '/api/v1/zones', headers: { ...t.admin, 'content-type': 'text/dns' }, payload: text });
  assert.equal(f.statusCode, 201, f.body);
  assert.equal(f.json().name, 'file.test.');
  const j = await t.call('POST', '/api/v1/zones', { name: 'json.test', zonefile: text.replace(/file\.test\./g, 'json.test.'), csk: true, settings: { nsec3: { iterations: 0, salt: 'aabb' } } });
  assert.equal(j.statusCode, 201, j.body);
  assert.equal(j.json().dnssec.keys, 1);
  assert.equal(j.json().dnssec.nsec3.salt, 'aabb');

  const bad = [
    [{ name: 'x.test', zonefile: '@ SOA ns1 hostmaster 1 2 3 4 5\n@ NS ns1\nns1 A 300.1.1.1\n' }, 'zonefile'],
    [{ name: 'x.test', rrsets: [{ name: '@', type: 'SOA', records: ['ns1 hostmaster 1 2 3 4 5'] }] }, null], // no NS at the apex
    [{ name: 'x.test', rrsets: [{ name: '@', type: 'A', records: ['1.2.3'] }] }, 'rrsets[0].records[0]'],
    [{ name: 'x.test', rrsets: [{ name: '@', type: 'BOGUS', records: ['1'] }] }, 'rrsets[0].type'],
    [{ name: 'x.test', settings: { nsec3: { iterations: 500 } }, zonefile: text.replace(/file\.test\./g, 'x.test.') }, 'settings'],
    [{ rrsets: [] }, 'body.name'],
  ] as const;
  for (const [body, field] of bad) {
    const res = await t.call('POST', '/api/v1/zones', body);
    assert.equal(res.statusCode, 400, `${JSON.stringify(body).slice(0, 80)}: ${res.body}`);
    assert.equal(res.json().field, field, res.body);
    assert.equal(res.json().error, 'invalid');
  }
  assert.equal((await t.call('GET', '/api/v1/zones/x.test')).statusCode, 404, 'nothing written');

  const del = await t.call('DELETE', '/api/v1/zones/new.test.');
  assert.deepEqual(del.json(), { deleted: 'new.test.' });
  assert.equal(ask(t.ctx, 'ns1.new.test', 'A').rcode, 'REFUSED', 'no longer served');
  assert.equal((await t.call('DELETE', '/api/v1/zones/new.test')).statusCode, 404);
  const stale = await t.app.inject({ method: 'DELETE', url: '/api/v1/zones/file.test', headers: { ...t.admin, 'if-match': '"1"' } });
  assert.equal(stale.statusCode, 412);
});

test('zones: export as a zone file, signed on request', async () => {
  const t = apiServer();
  const r = await t.call('GET', `${Z}/export`);
  assert.equal(r.statusCode, 200);
  assert.match(r.headers['content-type'] as string, /^text\/dns/);
  assert.match(r.body, /^_443\._tcp\.www\.example\.com\.\s+3600\s+IN\s+TLSA\s+3 1 1 8CB0/m);
  assert.doesNotMatch(r.body, /RRSIG|DNSKEY/);
  const signed = await t.call('GET', `${Z}/export?signed=true`);
  assert.match(signed.body, /RRSIG/);
  assert.match(signed.body, /NSEC3/);
});

test('rrsets: list with filters, get one (name with or without the final dot, relative), 404', async () => {
  const t = apiServer();
  const all = (await t.call('GET', `${Z}/rrsets`)).json();
  assert.ok(all.rrsets.length > 30);
  assert.ok(!all.rrsets.some((r: { type: string }) => ['DNSKEY', 'NSEC3PARAM', 'CDS'].includes(r.type)), 'signer-made RRsets are not listed');
  const mail = (await t.call('GET', `${Z}/rrsets?name=mail`)).json();
  assert.deepEqual(mail.rrsets.map((r: { type: string }) => r.type).sort(), ['A', 'AAAA']);
  const tlsa = (await t.call('GET', `${Z}/rrsets?type=TLSA`)).json();
  assert.equal(tlsa.rrsets.length, 5);
  for (const name of ['_443._tcp.www', '_443._tcp.www.example.com', '_443._tcp.www.example.com.']) {
    const one = await t.call('GET', `${Z}/rrsets/${name}/TLSA`);
    assert.equal(one.statusCode, 200);
    assert.equal(one.headers.etag, '"2024010101"');
    assert.deepEqual(one.json().data[0], { usage: 3, selector: 1, matchingType: 1, data: '8CB0FC6C527506A053F4F14C8464BEBBD6DEDE2738D11468DD953D7D6A3021F1' });
    assert.equal(one.json().records[0], '3 1 1 8CB0FC6C527506A053F4F14C8464BEBBD6DEDE2738D11468DD953D7D6A3021F1');
  }
  assert.equal((await t.call('GET', `${Z}/rrsets/www/MX`)).statusCode, 404);
  assert.equal((await t.call('GET', `${Z}/rrsets/@/DNSKEY`)).statusCode, 404, 'DNSKEY is the signer\'s');
  const badType = await t.call('GET', `${Z}/rrsets/www/NOPE`);
  assert.deepEqual(badType.json(), { error: 'invalid', field: 'type', detail: 'unknown or meta RR type "NOPE"' });
  assert.equal((await t.call('GET', `${Z}/rrsets?type=ANY`)).statusCode, 400);
});

test('PUT replaces one RRset: one serial bump, served signed with a correct NSEC3 chain by the next query', async () => {
  const t = apiServer();
  const owner = '_8443._tcp.newhost.example.com';
  assert.equal(ask(t.ctx, owner, 'TLSA').rcode, 'NXDOMAIN');
  const r = await t.app.inject({
    method: 'PUT', url: `${Z}/rrsets/_8443._tcp.newhost/TLSA`, headers: { ...t.admin, 'if-match': '"2024010101"' },
    payload: { ttl: 300, records: [`3 1 1 ${HASH}`, `3 1 2 ${'cd'.repeat(64)}`] },
  });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().serial, 2024010102);
  assert.equal(r.headers.etag, '"2024010102"');
  assert.equal(r.json().rrset.ttl, 300);
  assert.deepEqual(r.json().warnings, []);
  // The very next query: positive, signed.
  const pos = rawAsk(t.ctx, buildQuery(owner, 'TLSA', { dnssecOk: true }))!;
  assert.equal(pos[3] & 0xf, 0);
  assert.equal(verifySigned(t, 'example.com.', pos).filter((x) => x.section === 'answer' && x.type === 52).length, 2);
  // The new empty non-terminal has its own NSEC3 (NODATA proof matches it exactly).
  const ent = rawAsk(t.ctx, buildQuery('_tcp.newhost.example.com', 'A', { dnssecOk: true }))!;
  assert.equal(ent[3] & 0xf, 0);
  assert.ok(nsec3Owners(verifySigned(t, 'example.com.', ent)).some((h) => h.equals(nsec3Of('_tcp.newhost.example.com'))));
  assert.equal(ask(t.ctx, 'example.com', 'SOA').answers![0].data.serial, 2024010102);

  // The same PUT again changes nothing: no bump.
  const same = await t.call('PUT', `${Z}/rrsets/_8443._tcp.newhost/TLSA`, { ttl: 300, records: [`3 1 2 ${'cd'.repeat(64)}`, `3 1 1 ${HASH}`] });
  assert.equal(same.json().serial, 2024010102);
  assert.equal(same.json().changed, 0);

  // Stale If-Match: 412 and nothing written.
  const stale = await t.app.inject({ method: 'PUT', url: `${Z}/rrsets/www/A`, headers: { ...t.admin, 'if-match': '"2024010101"' }, payload: { records: ['192.0.2.81'] } });
  assert.equal(stale.statusCode, 412);
  assert.equal(stale.json().error, 'stale');
  assert.equal(ask(t.ctx, 'www.example.com', 'A').answers![0].data, '192.0.2.80');
  const badEtag = await t.app.inject({ method: 'PUT', url: `${Z}/rrsets/www/A`, headers: { ...t.admin, 'if-match': 'yesterday' }, payload: { records: ['192.0.2.81'] } });
  assert.equal(badEtag.statusCode, 400);
});

test('PUT/PATCH validation: 400 {error, field, detail} and nothing written', async () => {
  const t = apiServer();
  const cases: [string, string, unknown, string | null, RegExp][] = [
    ['_443._tcp.www', 'TLSA', { records: ['3 1 1 abcd'] }, 'records[0]', /needs 32 bytes/],
    ['_443._tcp.www', 'TLSA', { records: [`3 1 2 ${HASH}`] }, 'records[0]', /needs 64 bytes/],
    ['_443._tcp.www', 'TLSA', { records: ['3 1 1 zz'] }, 'records[0]', /hex/i],
    ['_443._tcp.www', 'TLSA', { records: ['256 1 1 ' + HASH] }, 'records[0]', /usage/],
    ['_0443._tcp.www', 'TLSA', { records: [`3 1 1 ${HASH}`] }, 'name', /leading zeros/],
    ['_99999._tcp.www', 'TLSA', { records: [`3 1 1 ${HASH}`] }, 'name', /0-65535/],
    ['_443._quic.www', 'TLSA', { records: [`3 1 1 ${HASH}`] }, 'name', /tcp, udp or sctp/],
    ['www', 'TLSA', { records: [`3 1 1 ${HASH}`] }, 'name', /_PORT\._PROTO/],
    ['www', 'CNAME', { records: ['mail'] }, 'name', /CNAME cannot coexist/],
    ['x.sub', 'TXT', { records: ['"occluded"'] }, 'name', /occluded/],
    ['below.dn', 'A', { records: ['192.0.2.1'] }, 'name', /DNAME/],
    ['other.example.', 'A', { records: ['192.0.2.1'] }, 'name', /not inside zone/],
    ['@', 'DNSKEY', { records: ['257 3 13 AAAA'] }, 'changes[0].type', /maintained by the signer/],
    ['www', 'A', { records: ['192.0.2.1'], recrods: [] }, 'body.recrods', /additional properties/],
    ['www', 'A', { records: [] }, 'body.records', /fewer than 1/],
    ['www', 'A', { ttl: -1, records: ['192.0.2.1'] }, 'body.ttl', />= 0/],
    ['www', 'A', {}, 'body.records', /required/],
  ];
  for (const [name, type, body, field, detail] of cases) {
    const r = await t.call('PUT', `${Z}/rrsets/${name}/${type}`, body);
    assert.equal(r.statusCode, 400, `${name} ${type}: ${r.body}`);
    assert.equal(r.json().field, field, `${name} ${type}: ${r.body}`);
    assert.match(r.json().detail, detail, `${name} ${type}`);
  }
  const notJson = await t.app.inject({ method: 'PUT', url: `${Z}/rrsets/www/A`, headers: { ...t.admin, 'content-type': 'application/json' }, payload: '{"records":' });
  assert.equal(notJson.statusCode, 400);
  const wrongType = await t.app.inject({ method: 'PUT', url: `${Z}/rrsets/www/A`, headers: { ...t.admin, 'content-type': 'application/xml' }, payload: '<a/>' });
  assert.equal(wrongType.statusCode, 415);
  assert.equal(ask(t.ctx, 'example.com', 'SOA').answers![0].data.serial, 2024010101, 'no write happened');
});

test('PATCH applies a list of changes atomically (all or nothing); DELETE removes one RRset', async () => {
  const t = apiServer();
  const failing = await t.call('PATCH', `${Z}/rrsets`, { changes: [
    { name: 'www', type: 'A', records: ['192.0.2.81'] },
    { name: 'mail', type: 'CNAME', records: ['www'] },
  ] });
  assert.equal(failing.statusCode, 400);
  assert.equal(ask(t.ctx, 'www.example.com', 'A').answers![0].data, '192.0.2.80', 'first change rolled back');
  const twice = await t.call('PATCH', `${Z}/rrsets`, { changes: [{ name: 'www', type: 'A', records: ['192.0.2.1'] }, { name: 'www.example.com.', type: 'A', delete: true }] });
  assert.equal(twice.json().field, 'changes[1]');
  const both = await t.call('PATCH', `${Z}/rrsets`, { changes: [{ name: 'www', type: 'A', delete: true, records: ['192.0.2.1'] }] });
  assert.equal(both.json().field, 'changes[0].records');
  const neither = await t.call('PATCH', `${Z}/rrsets`, { changes: [{ name: 'www', type: 'A' }] });
  assert.equal(neither.json().field, 'changes[0].records');

  const ok = await t.call('PATCH', `${Z}/rrsets`, { changes: [
    { name: 'mail', type: 'A', delete: true }, { name: 'mail', type: 'AAAA', delete: true },
    { name: 'mail', type: 'CNAME', records: ['www'] },
    { name: '_25._tcp.mail', type: 'TLSA', ttl: 600, records: [`3 1 1 ${HASH}`] },
  ] });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().serial, 2024010102, 'one bump for the whole list');
  assert.equal(ok.json().changed, 4);
  assert.ok(ok.json().warnings.some((w: { code: string }) => w.code === 'alias_host'), 'TLSA at a CNAME host warns');
  assert.equal(ask(t.ctx, 'mail.example.com', 'A').answers![0].type, 'CNAME');

  const del = await t.call('DELETE', `${Z}/rrsets/_25._tcp.mail/TLSA`);
  assert.equal(del.json().serial, 2024010103);
  assert.equal(ask(t.ctx, '_25._tcp.mail.example.com', 'TLSA').rcode, 'NXDOMAIN');
  assert.equal((await t.call('DELETE', `${Z}/rrsets/_25._tcp.mail/TLSA`)).statusCode, 404);
  const gone = rawAsk(t.ctx, buildQuery('_25._tcp.mail.example.com', 'TLSA', { dnssecOk: true }))!;
  verifySigned(t, 'example.com.', gone);
});

test('keys and DS: public parts only', async () => {
  const t = apiServer();
  const keys = (await t.call('GET', `${Z}/keys`)).json().keys;
  assert.deepEqual(keys.map((k: { role: string }) => k.role).sort(), ['ksk', 'zsk']);
  for (const k of keys) {
    assert.match(k.dnskey, /^25[67] 3 13 [A-Za-z0-9+/=]+$/);
    assert.deepEqual(Object.keys(k).sort(), ['active', 'algorithm', 'createdAt', 'dnskey', 'ds', 'flags', 'keyTag', 'nextTransition', 'role', 'state', 'stateSince']);
    assert.equal(k.state, 'active');
    assert.equal(k.nextTransition, null, 'no lifetime set: the key stays');
  }
  const ds = (await t.call('GET', `${Z}/ds`)).json();
  assert.equal(ds.ds.length, 1);
  assert.equal(ds.ds[0], keys.find((k: { role: string }) => k.role === 'ksk').ds);
  assert.match(ds.records[0], /^example\.com\. IN DS \d+ 13 2 [0-9A-F]{64}$/);
  assert.equal((await t.call('GET', '/api/v1/zones/nope/ds')).statusCode, 404);
});

test('key policy: GET/PUT /zones/{zone}/policy, bad durations name their field, keys show their next transition', async () => {
  const t = apiServer();
  const before = (await t.call('GET', `${Z}/policy`)).json();
  assert.deepEqual(before, { zskLifetime: 0, kskLifetime: 0, cskLifetime: 0, propagationDelay: 3600, signatureValidity: 14 * 86400, refresh: 7 * 86400, dsResolver: null });
  for (const [bodyIn, field] of [
    [{ zskLifetime: '30x' }, 'zskLifetime'], [{ kskLifetime: '-1d' }, 'kskLifetime'], [{ propagationDelay: 'soon' }, 'propagationDelay'],
    [{ refresh: '20d' }, 'refresh'], [{ refresh: '30s' }, 'refresh'], [{ dsResolver: 'not an address' }, 'dsResolver'], [{ zskLifetime: '99999d' }, 'zskLifetime'],
  ] as const) {
    const r = await t.call('PUT', `${Z}/policy`, bodyIn);
    assert.equal(r.statusCode, 400, JSON.stringify(bodyIn));
    assert.equal(r.json().error, 'invalid');
    assert.equal(r.json().field, field, r.body);
    assert.ok(r.json().detail.length > 10);
  }
  assert.equal((await t.call('PUT', `${Z}/policy`, { nonsense: 1 })).statusCode, 400);
  assert.deepEqual((await t.call('GET', `${Z}/policy`)).json(), before, 'nothing written by a refused request');
  const serial = (await t.call('GET', Z)).json().serial;
  const put = await t.call('PUT', `${Z}/policy`, { zskLifetime: '90d', propagationDelay: '1h', dsResolver: '192.0.2.53:5353' });
  assert.equal(put.statusCode, 200, put.body);
  assert.equal(put.json().zskLifetime, 90 * 86400);
  assert.equal(put.json().dsResolver, '192.0.2.53:5353');
  assert.equal((await t.call('GET', Z)).json().serial, serial, 'lifetimes alone re-sign nothing');
  const keys = (await t.call('GET', `${Z}/keys`)).json();
  assert.equal(keys.policy.zskLifetime, 90 * 86400);
  const zsk = keys.keys.find((k: { role: string }) => k.role === 'zsk');
  assert.equal(zsk.nextTransition.to, 'rollover');
  assert.equal(Date.parse(zsk.nextTransition.at), Date.parse(zsk.stateSince) + 90 * 86400_000);
  assert.equal(keys.keys.find((k: { role: string }) => k.role === 'ksk').nextTransition, null);
  const sig = await t.call('PUT', `${Z}/policy`, { signatureValidity: '10d', refresh: '2d' });
  assert.equal(sig.statusCode, 200, sig.body);
  assert.equal((await t.call('GET', Z)).json().serial, serial + 1, 'a new signature policy signs the zone anew');
  const soa = rawAsk(t.ctx, buildQuery('example.com', 'SOA', { dnssecOk: true }))!;
  verifySigned(t, 'example.com.', soa);
});

test('tokens: admin creates (secret once), lists (no secrets), revokes; a revoked token is refused', async () => {
  const t = apiServer();
  const c = await t.call('POST', '/api/v1/tokens', { zone: 'example.com', names: ['_443._tcp.www'], types: ['TLSA'], label: 'www cert' });
  assert.equal(c.statusCode, 201, c.body);
  const { token, info } = c.json();
  assert.match(token, /^dp_[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(info.names, ['_443._tcp.www.example.com.']);
  const scoped = { authorization: `Bearer ${token}` };
  const stored = JSON.stringify(t.store.db.prepare('SELECT * FROM tokens').all());
  assert.ok(!stored.includes(token.slice(3)), 'only the hash is stored');
  assert.equal((await t.call('GET', `${Z}/rrsets/_443._tcp.www/TLSA`, undefined, scoped)).statusCode, 200);
  const list = await t.call('GET', '/api/v1/tokens');
  assert.ok(!list.body.includes(token) && !list.body.includes('hash'));
  assert.equal(list.json().tokens.length, 2);
  assert.equal((await t.call('GET', '/api/v1/tokens', undefined, scoped)).statusCode, 403);
  assert.equal((await t.call('POST', '/api/v1/tokens', { admin: true }, scoped)).statusCode, 403);
  for (const [body, status, field] of [
    [{ zone: 'example.com', names: ['www'] }, 400, 'types'], [{ zone: 'example.com', types: ['A'] }, 400, 'names'],
    [{ names: ['www'], types: ['A'] }, 400, 'zone'], [{ zone: 'nope.test', names: ['www'], types: ['A'] }, 404, 'zone'],
    [{ zone: 'example.com', names: ['www'], types: ['BOGUS'] }, 400, 'types[0]'], [{ admin: true, zone: 'example.com' }, 400, 'admin'],
  ] as const) {
    const r = await t.call('POST', '/api/v1/tokens', body);
    assert.equal(r.statusCode, status, r.body);
    assert.equal(r.json().field, field);
  }
  assert.equal((await t.call('DELETE', `/api/v1/tokens/${info.id}`)).json().revoked, info.id);
  assert.equal((await t.call('GET', `${Z}/rrsets/_443._tcp.www/TLSA`, undefined, scoped)).statusCode, 401);
  assert.equal((await t.call('DELETE', `/api/v1/tokens/${info.id}`)).statusCode, 404);
  assert.equal((await t.call('DELETE', '/api/v1/tokens/abc')).statusCode, 400);
});

test('audit: every write with token, time, zone, before and after; admins only', async () => {
  const t = apiServer();
  const writer = t.token({ admin: false, zone: 'example.com.', names: ['www.example.com.'], types: [1], label: 'web deploy' });
  await t.call('PUT', `${Z}/rrsets/www/A`, { records: ['192.0.2.81'] }, writer);
  await t.call('DELETE', `${Z}/rrsets/www/A`, undefined, writer);
  const a = await t.call('GET', '/api/v1/audit?zone=example.com&limit=10');
  const [del, put] = a.json().entries;
  assert.equal(put.action, 'rrset.put');
  assert.equal(put.tokenLabel, 'web deploy');
  assert.equal(put.zone, 'example.com.');
  assert.deepEqual(put.before.records, ['192.0.2.80']);
  assert.deepEqual(put.after.records, ['192.0.2.81']);
  assert.equal(put.at, new Date(t.clock.now * 1000).toISOString());
  assert.equal(del.action, 'rrset.delete');
  assert.equal(del.after, null);
  // The zone's import by the test set-up went through the same commit path, and is audited too.
  assert.deepEqual(a.json().entries.map((e: { action: string; tokenLabel: string }) => [e.action, e.tokenLabel]),
    [['rrset.delete', 'web deploy'], ['rrset.put', 'web deploy'], ['zone.create', 'test']]);
  assert.equal((await t.call('GET', `/api/v1/audit?before=${del.id}`)).json().entries.length, 2);
  assert.equal((await t.call('GET', '/api/v1/audit', undefined, writer)).statusCode, 403);
  assert.equal((await t.call('GET', '/api/v1/audit?limit=0')).statusCode, 400);
});

test('records may also be given in the structured form responses show', async () => {
  const t = apiServer();
  const put = await t.call('PUT', `${Z}/rrsets/_443._tcp.mail/TLSA`, { records: [{ usage: 3, selector: 1, matchingType: 1, data: HASH }] });
  assert.equal(put.statusCode, 200, put.body);
  assert.deepEqual(put.json().rrset.records, [`3 1 1 ${HASH.toUpperCase()}`]);
  const txt = await t.call('PATCH', `${Z}/rrsets`, { changes: [
    { name: 'mail', type: 'TXT', records: [{ strings: ['v=spf1 -all', 'say \\"hi\\"'] }] },
    { name: 'mail', type: 'MX', records: [{ preference: 10, exchange: 'mail.example.com.' }, '20 www'] },
  ] });
  assert.equal(txt.statusCode, 200, txt.body);
  const got = (await t.call('GET', `${Z}/rrsets/mail/TXT`)).json();
  assert.deepEqual(got.data, [{ strings: ['v=spf1 -all', 'say \\"hi\\"'] }]);
  assert.deepEqual(got.records, ['"v=spf1 -all" "say \\"hi\\""']);
  for (const [rec, field] of [
    [{ usage: 3, selector: 1, data: HASH }, 'records[0].matchingType'],
    [{ usage: 3, selector: 1, matchingType: 1, data: HASH, extra: 1 }, 'records[0].extra'],
    [{ usage: 3, selector: 1, matchingType: 1, data: 'abcd' }, 'records[0]'],
    [{ usage: 'DANE-EE', selector: 1, matchingType: 1, data: HASH }, 'records[0]'],
  ] as const) {
    const r = await t.call('PUT', `${Z}/rrsets/_443._tcp.mail/TLSA`, { records: [rec] });
    assert.equal(r.statusCode, 400, r.body);
    assert.equal(r.json().field, field, r.body);
  }
  assert.equal((await t.call('PUT', `${Z}/rrsets/x/TYPE4000`, { records: [{ a: 1 }] })).json().field, 'records[0]');
});
