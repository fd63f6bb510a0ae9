// Input limits on the write paths (REST, PowerDNS API, DNS UPDATE, zone import): RRsets too large for a message, the SOA,
// apex-only types below the apex, unassigned TLSA parameters, bodies that are not UTF-8, long names in paths.
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool } from './helpers/tools.js';
import { cli, fixturePath, freePort, pollUntil, runCli, startServer, tmpDir } from './helpers/server.js';
import assert from 'node:assert/strict';
import { apiServer } from './helpers/api.js';
import { pdnsServer, Z } from './helpers/pdns-api.js';
import { MAX_RRSET_OCTETS } from '../zones/commit-plan.js';
import { RRType } from '../zones/model/types.js';
import { parseZoneText, ZoneParseError } from '../zones/io/zonefile-parse.js';

test('an RRset of 1,000 × 10 KB TXT records is refused (400, field named, nothing written); one that fits a message is taken', async () => {
  const s = apiServer();
  const chunk = '"' + 'x'.repeat(250) + '"';
  const record = Array.from({ length: 40 }, () => chunk).join(' ');
  const huge = await s.call('PUT', '/api/v1/zones/example.com/rrsets/huge.example.com./TXT', { ttl: 300, records: Array.from({ length: 1000 }, () => record) });
  assert.equal(huge.statusCode, 400, huge.body);
  assert.equal(huge.json().field, 'records');
  assert.match(huge.json().detail, new RegExp(`at most ${MAX_RRSET_OCTETS}`));
  assert.equal(s.zones.get('example.com.')!.rrset('huge.example.com.', RRType.TXT), undefined, 'nothing written');
  const fits = await s.call('PUT', '/api/v1/zones/example.com/rrsets/huge.example.com./TXT', { ttl: 300, records: Array.from({ length: 5 }, (_, i) => `"${i}" ${record}`) });
  assert.equal(fits.statusCode, 200, fits.body);
});

test('the PowerDNS-compatible API refuses the same RRset with 422 naming it', async () => {
  const p = pdnsServer();
  const content = Array.from({ length: 40 }, () => '"' + 'y'.repeat(250) + '"').join(' ');
  const r = await p.call('PATCH', Z, { rrsets: [{ name: 'huge.example.com.', type: 'TXT', ttl: 300, changetype: 'REPLACE', records: Array.from({ length: 1000 }, (_, i) => ({ content: `"${i}" ${content}`, disabled: false })) }] });
  assert.equal(r.statusCode, 422, r.body);
  assert.match(r.json().error, /^rrsets\[0\]/);
});

test('an owner name of 200 characters in a path is read, not cut off with a 414', async () => {
  const s = apiServer();
  const long = `${Array.from({ length: 4 }, () => 'a'.repeat(45)).join('.')}.example.com.`;
  const r = await s.call('PUT', `/api/v1/zones/example.com/rrsets/${long}/TXT`, { ttl: 300, records: ['"long"'] });
  assert.equal(r.statusCode, 200, r.body);
  const tooLong = await s.call('GET', `/api/v1/zones/example.com/rrsets/${'b'.repeat(300)}.example.com./TXT`);
  assert.equal(tooLong.statusCode, 400, tooLong.body);
  assert.ok(tooLong.json().error && tooLong.json().detail, 'our {error, field, detail} shape');
});

test('the SOA cannot be deleted (400 not_allowed) and a PUT with two SOA records is a 400 naming records; the PowerDNS API says 422', async () => {
  const s = apiServer();
  const del = await s.call('DELETE', '/api/v1/zones/example.com/rrsets/example.com./SOA');
  assert.equal(del.statusCode, 400, del.body);
  assert.equal(del.json().error, 'not_allowed');
  const two = await s.call('PUT', '/api/v1/zones/example.com/rrsets/example.com./SOA', { ttl: 300, records: ['ns1.example.com. h.example.com. 1 2 3 4 5', 'ns1.example.com. h.example.com. 2 2 3 4 5'] });
  assert.equal(two.statusCode, 400, two.body);
  assert.equal(two.json().field, 'records');
  assert.equal(s.zones.get('example.com.')!.soa.rdatas.length, 1);
  const p = pdnsServer();
  const pdel = await p.call('PATCH', Z, { rrsets: [{ name: 'example.com.', type: 'SOA', changetype: 'DELETE' }] });
  assert.equal(pdel.statusCode, 422, pdel.body);
});

const KEY = '257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==';
const DIGEST = '0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6';
const APEX_ONLY: [string, string][] = [['DNSKEY', KEY], ['CDNSKEY', KEY], ['CDS', `4242 13 2 ${DIGEST}`], ['NSEC3PARAM', '1 0 0 -']];

test('DNSKEY, CDNSKEY, CDS and NSEC3PARAM below the apex are refused (400 naming the type; PowerDNS API 422); nothing is written', async () => {
  const s = apiServer();
  const p = pdnsServer();
  for (const [type, rdata] of APEX_ONLY) {
    const r = await s.call('PUT', `/api/v1/zones/example.com/rrsets/www.example.com./${type}`, { ttl: 300, records: [rdata] });
    assert.equal(r.statusCode, 400, `${type}: ${r.body}`);
    assert.match(r.json().detail, new RegExp(`${type} belongs at the zone apex example\\.com\\.`));
    assert.ok(r.json().field, 'a field is named');
    assert.equal(s.zones.get('example.com.')!.rrset('www.example.com.', RRType[type as 'CDS']), undefined);
    const q = await p.call('PATCH', Z, { rrsets: [{ name: 'www.example.com.', type, ttl: 300, changetype: 'REPLACE', records: [{ content: rdata, disabled: false }] }] });
    assert.equal(q.statusCode, 422, `${type}: ${q.body}`);
    assert.match(q.json().error, /^rrsets\[0\]\.type: /, 'the type is named');
  }
});

test('TLSA usage > 3, selector > 1, matching type > 2 are refused (400 naming the record; PowerDNS API 422); 3 1 1 and 2 0 0 are taken', async () => {
  const s = apiServer();
  const p = pdnsServer();
  const url = '/api/v1/zones/example.com/rrsets/_25._tcp.mail.example.com./TLSA';
  for (const [params, what] of [['9 1 1', 'usage 9'], ['4 1 1', 'usage 4'], ['3 2 1', 'selector 2'], ['3 1 3', 'matching type 3'], ['3 1 255', 'matching type 255']]) {
    const rdata = `${params} ${DIGEST}`;
    const r = await s.call('PUT', url, { ttl: 300, records: [`3 1 1 ${DIGEST}`, rdata] });
    assert.equal(r.statusCode, 400, `${params}: ${r.body}`);
    assert.equal(r.json().field, 'records[1]');
    assert.match(r.json().detail, new RegExp(`TLSA ${what} is not assigned`));
    const q = await p.call('PATCH', Z, { rrsets: [{ name: '_25._tcp.mail.example.com.', type: 'TLSA', ttl: 300, changetype: 'REPLACE', records: [{ content: rdata, disabled: false }] }] });
    assert.equal(q.statusCode, 422, `${params}: ${q.body}`);
  }
  assert.equal(s.zones.get('example.com.')!.rrset('_25._tcp.mail.example.com.', RRType.TLSA), undefined, 'nothing written');
  const ok = await s.call('PUT', url, { ttl: 300, records: [`3 1 1 ${DIGEST}`, '2 0 0 3082'] });
  assert.equal(ok.statusCode, 200, ok.body);
});

test('a JSON body that is not UTF-8 is a 400 (REST: field body; PowerDNS API too), not stored as U+FFFD', async () => {
  const s = apiServer();
  const bad = Buffer.concat([Buffer.from('{"ttl":300,"records":["\\"'), Buffer.from([0x61, 0xff, 0xfe, 0x62]), Buffer.from('\\""]}')]);
  const r = await s.app.inject({ method: 'PUT', url: '/api/v1/zones/example.com/rrsets/u.example.com./TXT', headers: { ...s.admin, 'content-type': 'application/json' }, payload: bad });
  assert.equal(r.statusCode, 400, r.body);
  assert.deepEqual([r.json().error, r.json().field], ['invalid', 'body']);
  assert.match(r.json().detail, /not valid UTF-8/);
  assert.equal(s.zones.get('example.com.')!.rrset('u.example.com.', RRType.TXT), undefined, 'nothing written');
  // A truncated multi-byte character is as bad as a stray byte; a whole one (é) is taken, as its UTF-8 octets.
  const cut = Buffer.concat([Buffer.from('{"ttl":300,"records":["\\"'), Buffer.from([0xc3]), Buffer.from('\\""]}')]);
  const r2 = await s.app.inject({ method: 'PUT', url: '/api/v1/zones/example.com/rrsets/u.example.com./TXT', headers: { ...s.admin, 'content-type': 'application/json' }, payload: cut });
  assert.equal(r2.statusCode, 400, r2.body);
  const good = await s.call('PUT', '/api/v1/zones/example.com/rrsets/u.example.com./TXT', { ttl: 300, records: ['"café"'] });
  assert.equal(good.statusCode, 200, good.body);
  assert.deepEqual(good.json().rrset.records, ['"caf\\195\\169"']);
  const zone = await s.app.inject({ method: 'POST', url: '/api/v1/zones', headers: { ...s.admin, 'content-type': 'text/dns' }, payload: Buffer.concat([Buffer.from('$ORIGIN z.test.\n@ 300 SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\nt TXT "'), Buffer.from([0xff]), Buffer.from('"\n')]) });
  assert.equal(zone.statusCode, 400, zone.body);
  assert.equal(zone.json().field, 'body');
  const p = pdnsServer();
  const q = await p.app.inject({ method: 'PATCH', url: Z, headers: { ...p.admin, 'content-type': 'application/json' }, payload: Buffer.concat([Buffer.from('{"rrsets":[{"name":"u.example.com.","type":"TXT","ttl":300,"changetype":"REPLACE","records":[{"content":"\\"'), Buffer.from([0xc3]), Buffer.from('\\"","disabled":false}]}]}')]) });
  assert.equal(q.statusCode, 400, q.body);
  assert.match(q.json().error, /not valid UTF-8/);
  assert.equal(p.zones.get('example.com.')!.rrset('u.example.com.', RRType.TXT), undefined, 'nothing written');
});

test('owner names over 100 characters are read on every route with a name in its path or query, never a 414', async () => {
  const s = apiServer();
  const long = `${'c'.repeat(60)}.${'d'.repeat(60)}.example.com.`;
  for (const url of [`/api/v1/zones/example.com/rrsets?name=${long}`, `/api/v1/zones/example.com/rrsets/${long}/A`, `/api/v1/zones/${long}`,
    `/api/v1/zones/example.com/services/_443._tcp.${long}/checks`]) {
    const r = await s.call('GET', url);
    assert.ok(r.statusCode !== 414 && r.statusCode < 500, `${url}: ${r.statusCode}`);
    if (r.statusCode >= 400) assert.ok(r.json().error && r.json().detail, `${url}: our shape: ${r.body}`);
  }
  const p = pdnsServer();
  const q = await p.call('GET', `/api/v1/servers/localhost/zones/${long}`);
  assert.equal(q.statusCode, 404, q.body);
});

test('DNS UPDATE (nsupdate, 2 workers) of a TLSA usage 9, a DNSKEY below the apex or a deleted SOA is REFUSED and changes nothing; zone import refuses them too', { timeout: 120_000 }, async (t) => {
  for (const tool of ['nsupdate', 'kdig']) if (!requireTool(tool, t)) return;
  const { dir, cleanup } = tmpDir();
  t.after(cleanup);
  const db = join(dir, 'x.db');
  cli(['zone', 'import', fixturePath('example.com.zone'), '--db', db]);
  const secret = cli(['tsig', 'add', 'up', '--db', db]).trim().split('\n').pop()!;
  cli(['update-policy', 'add', 'example.com', '--key', 'up', '--db', db]);
  const srv = await startServer(db, { env: { DANEPRIME_WORKERS: '2' } });
  t.after(async () => { await srv.stop(); });
  const nsupdate = (line: string) => {
    const r = spawnSync('nsupdate', ['-y', `hmac-sha256:up:${secret}`], { input: `server 127.0.0.1 ${srv.port}\nzone example.com\n${line}\nsend\n`, encoding: 'utf8', timeout: 20_000 });
    return `${r.stdout}${r.stderr}`;
  };
  const dig = (name: string, type: string) => spawnSync('kdig', ['@127.0.0.1', '-p', String(srv.port), name, type, '+short'], { encoding: 'utf8', timeout: 10_000 }).stdout.trim();
  assert.match(nsupdate(`update add _25._tcp.mail.example.com 300 TLSA 9 1 1 ${DIGEST}`), /update failed: REFUSED/);
  assert.match(nsupdate(`update add www.example.com 300 DNSKEY ${KEY}`), /update failed: REFUSED/);
  assert.match(nsupdate('update delete example.com SOA'), /^$|update failed/, 'RFC 2136 §3.4.2.2: an SOA deletion is ignored or refused');
  assert.equal(dig('_25._tcp.mail.example.com', 'TLSA'), '');
  assert.equal(dig('www.example.com', 'DNSKEY'), '');
  assert.match(dig('example.com', 'SOA'), /^ns1\.example\.com\. hostmaster\.example\.com\. /);
  assert.equal(nsupdate(`update add _25._tcp.mail.example.com 300 TLSA 3 1 1 ${DIGEST}`), '', 'a valid TLSA goes in');
  await pollUntil(() => dig('_25._tcp.mail.example.com', 'TLSA') !== '', 10_000);

  for (const [line, what] of [[`_25._tcp.mail TLSA 3 2 1 ${DIGEST}`, /TLSA selector 2 is not assigned/], [`www DNSKEY ${KEY}`, /DNSKEY belongs at the zone apex/]] as const) {
    const file = join(dir, 'bad.zone');
    writeFileSync(file, `${readFileSync(fixturePath('example.com.zone'), 'utf8')}\n${line}\n`);
    const r = runCli(['zone', 'import', file, '--db', join(dir, 'import.db')]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, what);
  }
  assert.equal(cli(['zone', 'list', '--db', join(dir, 'import.db')]).trim(), '', 'nothing imported');
});

test('a zone holds at most --max-zone-records records: the API says 400 naming records, UPDATE is REFUSED, import is refused; deleting still works', { timeout: 120_000 }, async (t) => {
  if (!requireTool('nsupdate', t)) return;
  const { dir, cleanup } = tmpDir();
  t.after(cleanup);
  const db = join(dir, 'x.db');
  cli(['zone', 'import', fixturePath('example.com.zone'), '--db', db]); // 50 records
  const secret = cli(['tsig', 'add', 'up', '--db', db]).trim().split('\n').pop()!;
  cli(['update-policy', 'add', 'example.com', '--key', 'up', '--db', db]);
  const token = cli(['token', 'create', '--admin', '--db', db]).trim();
  const apiPort = await freePort();
  const srv = await startServer(db, { env: { DANEPRIME_WORKERS: '2', DANEPRIME_API: `127.0.0.1:${apiPort}`, DANEPRIME_MAX_ZONE_RECORDS: '52' } });
  t.after(async () => { await srv.stop(); });
  const put = (name: string, records: string[]) => fetch(`http://127.0.0.1:${apiPort}/api/v1/zones/example.com/rrsets/${name}/TXT`,
    { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ ttl: 300, records }) });
  assert.equal((await put('a.example.com.', ['"1"', '"2"'])).status, 200, 'up to the limit');
  const over = await put('b.example.com.', ['"3"']);
  assert.equal(over.status, 400);
  const body = await over.json() as { error: string; field: string; detail: string };
  assert.deepEqual([body.error, body.field], ['invalid', 'records']);
  assert.match(body.detail, /would hold 53 records; at most 52 \(--max-zone-records/);
  const r = spawnSync('nsupdate', ['-y', `hmac-sha256:up:${secret}`], { input: `server 127.0.0.1 ${srv.port}\nzone example.com\nupdate add c.example.com 300 A 192.0.2.1\nsend\n`, encoding: 'utf8', timeout: 20_000 });
  assert.match(`${r.stdout}${r.stderr}`, /update failed: REFUSED/);
  assert.equal((await put('a.example.com.', ['"only"'])).status, 200, 'a change that shrinks the zone is taken');
  const small = runCli(['zone', 'import', fixturePath('example.com.zone'), '--db', join(dir, 'small.db')], { env: { DANEPRIME_MAX_ZONE_RECORDS: '10' } });
  assert.notEqual(small.status, 0);
  assert.match(small.stderr, /would hold \d+ records; at most 10 \(--max-zone-records/);
});

test('text that cannot round-trip is refused with a clear error: a non-ASCII name (400/422 naming it), a lone UTF-16 surrogate in TXT; zone files too', async () => {
  const s = apiServer();
  const name = await s.call('PUT', `/api/v1/zones/example.com/rrsets/${encodeURIComponent('café.example.com.')}/A`, { ttl: 300, records: ['192.0.2.1'] });
  assert.equal(name.statusCode, 400, name.body);
  assert.equal(name.json().field, 'name');
  assert.match(name.json().detail, /non-ASCII character "é".*A-label \(xn--/);
  const surrogate = await s.call('PUT', '/api/v1/zones/example.com/rrsets/s.example.com./TXT', { ttl: 300, records: ['"\ud800"'] });
  assert.equal(surrogate.statusCode, 400, surrogate.body);
  assert.equal(surrogate.json().field, 'records[0]');
  assert.match(surrogate.json().detail, /lone UTF-16 surrogate \(U\+D800\)/);
  assert.equal(s.zones.get('example.com.')!.rrset('s.example.com.', RRType.TXT), undefined, 'nothing written');
  const escaped = await s.call('PUT', `/api/v1/zones/example.com/rrsets/${encodeURIComponent('caf\\195\\169.example.com.')}/A`, { ttl: 300, records: ['192.0.2.1'] });
  assert.equal(escaped.statusCode, 200, `the octets as escapes are taken: ${escaped.body}`);
  const p = pdnsServer();
  const q = await p.call('PATCH', Z, { rrsets: [{ name: 'café.example.com.', type: 'A', ttl: 300, changetype: 'REPLACE', records: [{ content: '192.0.2.1', disabled: false }] }] });
  assert.equal(q.statusCode, 422, q.body);
  assert.match(q.json().error, /^rrsets\[0\]\.name: .*non-ASCII/);
  assert.throws(() => parseZoneText('$ORIGIN example.com.\n@ 300 SOA ns h 1 2 3 4 5\ncafé 300 A 192.0.2.1\n', { fileName: 'z' }), (e: Error) => e instanceof ZoneParseError && /z:3: .*non-ASCII/.test(e.message));
});
