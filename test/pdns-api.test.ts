// PowerDNS-compatible API over inject: content conversion, routes and their JSON, errors, scoped tokens, atomic PATCH through the pipeline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RRType } from '../zones/model/types.js';
import { contentToRdata, rdataToContent } from '../server/pdns-api/content.js';
import { zoneId, zoneIdToName } from '../server/pdns-api/names.js';
import { PdnsError } from '../server/pdns-api/errors.js';
import { pdnsServer, replace, rrsetLines, shape, Z, ZONES, type RRsetOut } from './helpers/pdns-api.js';
import { ask } from './helpers/dns.js';
import { verifySigned } from './helpers/signed.js';

const ACME = '_acme-challenge.www.example.com.';
const HASH = 'ab'.repeat(32);

/** content → RDATA → content. */
const roundTrip = (type: number, content: string) => rdataToContent(type, contentToRdata(type, content, 'c'));

function refusal(fn: () => unknown): PdnsError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PdnsError, String(err));
    return err;
  }
  assert.fail('expected a refusal');
}

test('content: TXT quoting and escapes, as PowerDNS takes and shows them', () => {
  assert.equal(roundTrip(RRType.TXT, '"v=spf1 -all"'), '"v=spf1 -all"');
  assert.deepEqual([...contentToRdata(RRType.TXT, '"v=spf1 -all"', 'c')], [11, ...Buffer.from('v=spf1 -all')]);
  assert.equal(roundTrip(RRType.TXT, '"a" "b c"'), '"a" "b c"');
  // \" and \\ stay escaped; UTF-8 text shows as its characters, however it was written;
  // control octets, and strings that are not UTF-8, as \DDD.
  assert.equal(roundTrip(RRType.TXT, '"a\\"b" "c\\\\d"'), '"a\\"b" "c\\\\d"');
  assert.deepEqual([...contentToRdata(RRType.TXT, '"\\195\\169"', 'c')], [2, 195, 169]);
  assert.deepEqual([...contentToRdata(RRType.TXT, '"é"', 'c')], [2, 195, 169]);
  assert.equal(roundTrip(RRType.TXT, '"caf\\195\\169" "café"'), '"café" "café"');
  assert.equal(roundTrip(RRType.TXT, '"tab\\009" "del\\127" "bad\\255" "\\239\\187\\191bom"'), '"tab\\009" "del\\127" "bad\\255" "\ufeffbom"');
  assert.equal(roundTrip(RRType.SPF, '"v=spf1 mx -all"'), '"v=spf1 mx -all"');
  // Unquoted, `v=spf1 -all` would be two strings that a reader joins into "v=spf1-all".
  const e = refusal(() => contentToRdata(RRType.TXT, 'v=spf1 -all', 'rrsets[0].records[1].content'));
  assert.equal(e.status, 422);
  assert.match(e.message, /^rrsets\[0\]\.records\[1\]\.content: TXT content "v=spf1 -all" must be quoted/);
  assert.equal(refusal(() => contentToRdata(RRType.TXT, '"unterminated', 'c')).status, 422);
  // RFC 3597 form needs no quotes.
  assert.equal(roundTrip(RRType.TXT, '\\# 3 02 6869'), '"hi"');
});

test('content: names are absolute, letter case kept; hex shown lowercase; other forms canonical', () => {
  assert.equal(roundTrip(RRType.MX, '10 mail.example.com.'), '10 mail.example.com.');
  assert.equal(roundTrip(RRType.CNAME, 'Target.Example.ORG.'), 'Target.Example.ORG.');
  assert.equal(roundTrip(RRType.SRV, '10 5 443 srv.example.com.'), '10 5 443 srv.example.com.');
  assert.equal(roundTrip(RRType.NS, '.'), '.');
  for (const [type, content] of [[RRType.MX, '10 mail'], [RRType.CNAME, 'www'], [RRType.NS, '@'], [RRType.SRV, '1 1 1 x']] as const) {
    const e = refusal(() => contentToRdata(type, content, 'c'));
    assert.equal(e.status, 422);
    assert.match(e.message, /absolute: end them with a dot/, content);
  }
  assert.equal(roundTrip(RRType.TLSA, `3 1 1 ${HASH.toUpperCase()}`), `3 1 1 ${HASH}`);
  assert.equal(roundTrip(RRType.DS, `12345 13 2 ${HASH.toUpperCase()}`), `12345 13 2 ${HASH}`);
  assert.equal(roundTrip(RRType.SSHFP, `4 2 ${HASH.toUpperCase()}`), `4 2 ${HASH}`);
  assert.equal(roundTrip(RRType.AAAA, '2001:DB8:0:0::1'), '2001:db8::1');
  assert.equal(roundTrip(RRType.CAA, '0 issue "letsencrypt.org"'), '0 issue "letsencrypt.org"');
  assert.equal(roundTrip(RRType.SOA, 'ns1.example.com. hostmaster.example.com. 1 10800 3600 604800 3600'), 'ns1.example.com. hostmaster.example.com. 1 10800 3600 604800 3600');
  assert.equal(roundTrip(65280, '\\# 2 ABCD'), '\\# 2 abcd');
  const bad = refusal(() => contentToRdata(RRType.A, 'not-an-ip', 'rrsets[2].records[0].content'));
  assert.match(bad.message, /^rrsets\[2\]\.records\[0\]\.content: A content "not-an-ip": /);
  assert.match(refusal(() => contentToRdata(RRType.A, 42, 'x')).message, /^x: required/);
});

test('zone ids: final dot optional, =XX escapes both ways, case folded', () => {
  for (const id of ['example.com', 'example.com.', 'EXAMPLE.com.']) assert.equal(zoneIdToName(id), 'example.com.');
  assert.equal(zoneIdToName('2=2F0.2.0.192.in-addr.arpa.'), '2/0.2.0.192.in-addr.arpa.');
  assert.equal(zoneId('2/0.2.0.192.in-addr.arpa.'), '2=2F0.2.0.192.in-addr.arpa.');
  assert.equal(zoneId('_dmarc.example.com.'), '=5Fdmarc.example.com.');
  assert.equal(zoneIdToName(zoneId('_dmarc.example.com.')), '_dmarc.example.com.');
  assert.equal(zoneId('.'), '=2E');
  assert.equal(zoneIdToName('=2E'), '.');
  assert.equal(refusal(() => zoneIdToName('a..b')).status, 404);
});

test('discovery: /api, /api/v1, the server "localhost"; every path needs a key', async () => {
  const t = pdnsServer();
  assert.deepEqual((await t.call('GET', '/api')).json(), [{ url: '/api/v1', version: 1 }]);
  assert.deepEqual((await t.call('GET', '/api/v1')).json(), [{ api_features: [], server_url: '/api/v1/servers{/server}' }]);
  const servers = (await t.call('GET', '/api/v1/servers')).json();
  const local = (await t.call('GET', '/api/v1/servers/localhost')).json();
  assert.deepEqual(servers, [local]);
  assert.equal(local.daemon_type, 'authoritative');
  assert.equal(local.id, 'localhost');
  assert.equal(local.url, '/api/v1/servers/localhost');
  assert.equal(local.zones_url, '/api/v1/servers/localhost/zones{/zone}');
  const [major, minor] = (local.version as string).split('.').map(Number);
  assert.ok(major === 4 && minor >= 2, local.version);
  assert.equal((await t.call('GET', '/api/v1/servers/other')).statusCode, 404);
  assert.equal((await t.call('GET', '/api/v1/servers/other/zones')).statusCode, 404);

  for (const headers of [{}, { 'x-api-key': 'dp_wrong' }, { 'x-api-key': '' }, { authorization: 'Bearer x' }] as Record<string, string>[]) {
    const r = await t.call('GET', '/api', undefined, headers);
    assert.equal(r.statusCode, 401);
    assert.match(r.json().error, /^Unauthorized/);
    assert.match(r.headers['www-authenticate'] as string, /^X-API-Key/);
  }
  assert.equal((await t.call('GET', '/nowhere', undefined, {})).statusCode, 401, 'no key: nothing is revealed, not even a 404');
  const nf = await t.call('GET', '/api/v1/nowhere');
  assert.equal(nf.statusCode, 404);
  assert.equal(typeof nf.json().error, 'string');
});

test('zones: list and get in PowerDNS 4.7 form; id forms; the signer\'s records are not shown', async () => {
  const t = pdnsServer();
  const list = (await t.call('GET', ZONES)).json();
  assert.deepEqual(list, [{
    account: '', catalog: '', dnssec: true, edited_serial: 2024010101, id: 'example.com.', kind: 'Master', last_check: 0, masters: [],
    name: 'example.com.', notified_serial: 2024010101, serial: 2024010101, url: '/api/v1/servers/localhost/zones/example.com.',
  }]);
  assert.deepEqual(Object.keys((await t.call('GET', `${ZONES}?dnssec=false`)).json()[0]).includes('dnssec'), false);
  assert.deepEqual((await t.call('GET', `${ZONES}?zone=nope.test.`)).json(), []);
  assert.equal((await t.call('GET', `${ZONES}?zone=example.com`)).json().length, 1);

  for (const id of ['example.com', 'example.com.', 'EXAMPLE.COM.']) {
    const r = await t.call('GET', `${ZONES}/${id}`);
    assert.equal(r.statusCode, 200, id);
    const z = r.json();
    assert.deepEqual(Object.keys(z).sort(), ['account', 'api_rectify', 'catalog', 'dnssec', 'edited_serial', 'id', 'kind', 'last_check', 'master_tsig_key_ids',
      'masters', 'name', 'notified_serial', 'nsec3narrow', 'nsec3param', 'rrsets', 'serial', 'slave_tsig_key_ids', 'soa_edit', 'soa_edit_api', 'url']);
    assert.equal(z.id, 'example.com.');
    assert.equal(z.kind, 'Master');
    assert.equal(z.dnssec, true);
    assert.equal(z.nsec3param, '1 0 0 -');
    const types = new Set((z.rrsets as RRsetOut[]).filter((s) => s.name === 'example.com.').map((s) => s.type));
    assert.deepEqual([...types].sort(), ['A', 'MX', 'NS', 'SOA'], 'DNSKEY, CDS, CDNSKEY, NSEC3PARAM are the signer\'s');
    const mx = (z.rrsets as RRsetOut[]).find((s) => s.name === 'example.com.' && s.type === 'MX')!;
    assert.deepEqual(mx, { comments: [], name: 'example.com.', records: [{ content: '10 mail.example.com.', disabled: false }], ttl: 3600, type: 'MX' });
  }
  const filtered = async (q: string) => rrsetLines((await t.call('GET', `${Z}?${q}`)).json().rrsets);
  assert.deepEqual(await filtered('rrset_name=www.example.com.&rrset_type=A'), ['www.example.com. A 3600 192.0.2.80']);
  assert.deepEqual(await filtered('rrset_name=mail.example.com'), ['mail.example.com. A 3600 192.0.2.25', 'mail.example.com. AAAA 3600 2001:db8::25']);
  assert.deepEqual(await filtered('rrset_name=_443._tcp.www.example.com.&rrset_type=TLSA'), [`_443._tcp.www.example.com. TLSA 3600 3 1 1 8cb0fc6c527506a053f4f14c8464bebbd6dede2738d11468dd953d7d6a3021f1`]);
  assert.deepEqual(await filtered('rrset_name=nothere.example.com.'), []);
  // As in PowerDNS, rrset_type alone does not filter.
  assert.ok((await filtered('rrset_type=A')).length > 10);
  assert.equal((await t.call('GET', `${Z}?rrset_name=www.example.com.&rrset_type=BOGUS`)).statusCode, 422);
  assert.equal('rrsets' in (await t.call('GET', `${Z}?rrsets=false`)).json(), false);
  const nf = await t.call('GET', `${ZONES}/nothere.example.`);
  assert.equal(nf.statusCode, 404);
  assert.match(nf.json().error, /Could not find domain 'nothere\.example\.'/);
});

test('PATCH: REPLACE and DELETE in one commit: one serial, signed at once, audited with the token label', async () => {
  const t = pdnsServer();
  const auditBefore = t.store.audit({ zone: 'example.com.', limit: 1000 }).length;
  const r = await t.call('PATCH', Z, {
    rrsets: [
      // lego's shape: kind on the RRset, name/type/ttl inside each record.
      { name: ACME, type: 'TXT', ttl: 120, changetype: 'REPLACE', kind: 'Master', records: [{ content: '"tok-1"', disabled: false, name: ACME, type: 'TXT', ttl: 120 }] },
      { name: 'new.example.com.', type: 'A', ttl: 300, changetype: 'replace', records: [{ content: '192.0.2.7' }, { content: '192.0.2.8' }], comments: [{ content: 'kept nowhere', account: 'x' }] },
      { name: 'host.example.com.', type: 'A', changetype: 'DELETE' },
      { name: 'big.example.com.', type: 'TXT', ttl: 60, changetype: 'REPLACE', records: [] },
    ],
  });
  assert.equal(r.statusCode, 204, r.body);
  assert.equal(r.body, '');
  assert.equal(ask(t.ctx, 'example.com', 'SOA').answers![0].data.serial, 2024010102, 'one commit, one serial');
  const txt = ask(t.ctx, ACME, 'TXT', { dnssecOk: true });
  assert.deepEqual(txt.answers!.filter((a) => a.type === 'TXT').map((a) => Buffer.concat(a.data as Buffer[]).toString()), ['tok-1']);
  assert.equal(verifySigned(t, 'example.com.', txt.raw).filter((x) => x.type === RRType.RRSIG).length, 1);
  assert.equal(ask(t.ctx, 'host.example.com', 'A').answers!.length, 0, 'host is now an empty non-terminal');
  assert.equal(ask(t.ctx, 'big.example.com', 'TXT').rcode, 'NXDOMAIN', 'REPLACE with no records deletes');
  const lines = rrsetLines((await t.call('GET', `${Z}?rrset_name=new.example.com.`)).json().rrsets);
  assert.deepEqual(lines, ['new.example.com. A 300 192.0.2.7 | 192.0.2.8']);
  const got = (await t.call('GET', `${Z}?rrset_name=${ACME}&rrset_type=TXT`)).json().rrsets[0];
  assert.deepEqual(got, { comments: [], name: ACME, records: [{ content: '"tok-1"', disabled: false }], ttl: 120, type: 'TXT' }, 'comments are not kept');
  const audit = t.store.audit({ zone: 'example.com.', limit: 1000 });
  assert.equal(audit.length - auditBefore, 4, 'one audit row per RRset changed');
  assert.ok(audit.slice(0, 4).every((a) => a.token_label === 'pdns-admin' && a.action === 'pdns.patch'));

  // Without a ttl, REPLACE keeps the RRset's own; DELETE of an absent RRset changes nothing.
  assert.equal((await t.call('PATCH', Z, { rrsets: [{ name: 'www.example.com.', type: 'A', changetype: 'REPLACE', records: [{ content: '192.0.2.81', disabled: false }] }] })).statusCode, 204);
  assert.deepEqual(rrsetLines((await t.call('GET', `${Z}?rrset_name=www.example.com.`)).json().rrsets), ['www.example.com. A 3600 192.0.2.81']);
  assert.equal((await t.call('PATCH', Z, { rrsets: [{ name: 'absent.example.com.', type: 'A', changetype: 'DELETE' }] })).statusCode, 204);
  assert.equal((await t.call('PATCH', Z, { rrsets: [] })).statusCode, 204);
  assert.equal(ask(t.ctx, 'example.com', 'SOA').answers![0].data.serial, 2024010103, 'no-op changes make no serial');
  // Owner names without the final dot are read as absolute, never relative to the zone.
  assert.equal((await t.call('PATCH', Z, replace(['nodot.example.com', 'A', ['192.0.2.9']]))).statusCode, 204);
  assert.equal(ask(t.ctx, 'nodot.example.com', 'A').answers![0].data, '192.0.2.9');
  assert.equal((await t.call('PATCH', Z, replace(['nodot', 'A', ['192.0.2.9']]))).statusCode, 422);
});

test('PATCH is all or nothing: one bad RRset, or one the zone rules refuse, writes nothing', async () => {
  const t = pdnsServer();
  const before = t.store.audit({ zone: 'example.com.', limit: 1000 }).length;
  const cases: [unknown, RegExp][] = [
    [replace(['ok.example.com.', 'A', ['192.0.2.1']], ['bad.example.com.', 'A', ['not-an-ip']]), /^rrsets\[1\]\.records\[0\]\.content: /],
    [replace(['ok.example.com.', 'A', ['192.0.2.1']], ['www.example.com.', 'CNAME', ['other.example.net.']]), /CNAME/],
    [replace(['ok.example.com.', 'A', ['192.0.2.1']], ['ok.example.com.', 'A', ['192.0.2.2']]), /^rrsets\[1\]: duplicate RRset/],
    [{ rrsets: [...replace(['ok.example.com.', 'A', ['192.0.2.1']]).rrsets, { name: 'example.com.', type: 'SOA', changetype: 'DELETE' }] }, /^rrsets\[1\]: the SOA/],
    [replace(['ok.example.com.', 'A', ['192.0.2.1']], ['x.example.net.', 'A', ['192.0.2.2']]), /^rrsets\[1\]\.name: x\.example\.net\. is out of zone/],
    [replace(['ok.example.com.', 'A', ['192.0.2.1']], ['www.example.com.', 'TLSA', [`3 1 1 ${HASH}`]]), /^rrsets\[1\]\.name: /],
  ];
  for (const [body, message] of cases) {
    const r = await t.call('PATCH', Z, body);
    assert.equal(r.statusCode, 422, r.body);
    assert.match(r.json().error, message);
    assert.equal(ask(t.ctx, 'ok.example.com', 'A').rcode, 'NXDOMAIN', JSON.stringify(body));
  }
  assert.equal(ask(t.ctx, 'example.com', 'SOA').answers![0].data.serial, 2024010101);
  assert.equal(t.store.audit({ zone: 'example.com.', limit: 1000 }).length, before);
});

test('PATCH refusals: the status and a message naming the field', async () => {
  const t = pdnsServer();
  const rec = (content: unknown, extra: object = {}) => ({ rrsets: [{ name: 'x.example.com.', type: 'TXT', ttl: 60, changetype: 'REPLACE', records: [{ content, disabled: false, ...extra }] }] });
  const cases: [number, unknown, RegExp][] = [
    [400, 'not json', /not JSON/],
    [422, '[]', /body must be a JSON object/],
    [422, {}, /^rrsets: required/],
    [422, { rrsets: 'x' }, /^rrsets: required/],
    [422, { rrsets: [7] }, /^rrsets\[0\]: must be an object/],
    [422, { rrsets: [{ type: 'A', changetype: 'DELETE' }] }, /^rrsets\[0\]\.name: required/],
    [422, { rrsets: [{ name: 'x.example.com.', type: 'BOGUS', changetype: 'DELETE' }] }, /^rrsets\[0\]\.type: unknown type "BOGUS"/],
    [422, { rrsets: [{ name: 'x.example.com.', type: 'ANY', changetype: 'DELETE' }] }, /^rrsets\[0\]\.type: /],
    [422, { rrsets: [{ name: 'x.example.com.', type: 'A', changetype: 'UPSERT' }] }, /^rrsets\[0\]\.changetype: must be "REPLACE" or "DELETE"/],
    [422, { rrsets: [{ name: 'x.example.com.', type: 'A', records: [] }] }, /^rrsets\[0\]\.changetype/],
    [422, { rrsets: [{ name: 'x.example.com.', type: 'A', ttl: -1, changetype: 'REPLACE', records: [{ content: '192.0.2.1' }] }] }, /^rrsets\[0\]\.ttl: /],
    [422, { rrsets: [{ name: 'x.example.com.', type: 'A', ttl: '60', changetype: 'REPLACE', records: [{ content: '192.0.2.1' }] }] }, /^rrsets\[0\]\.ttl: /],
    [422, { rrsets: [{ name: 'x.example.com.', type: 'A', ttl: 60, changetype: 'REPLACE', records: 'x' }] }, /^rrsets\[0\]\.records: must be a list/],
    [422, rec(undefined), /^rrsets\[0\]\.records\[0\]\.content: required/],
    [422, rec('unquoted'), /^rrsets\[0\]\.records\[0\]\.content: TXT content "unquoted" must be quoted/],
    // Disabled records are refused, not dropped: a client reading the RRset back must find what it sent.
    [422, rec('"x"', { disabled: true }), /^rrsets\[0\]\.records\[0\]\.disabled: disabled records are not supported/],
    [422, { rrsets: [{ name: 'example.com.', type: 'DNSKEY', ttl: 60, changetype: 'REPLACE', records: [{ content: '257 3 13 AAAA' }] }] }, /^rrsets\[0\]\.type: example\.com\. DNSKEY is made by the signer/],
    [422, { rrsets: [{ name: 'example.com.', type: 'NSEC3PARAM', changetype: 'DELETE' }] }, /made by the signer/],
    [422, { rrsets: [{ name: 'x.example.com.', type: 'RRSIG', changetype: 'DELETE' }] }, /made by the signer/],
  ];
  for (const [status, body, message] of cases) {
    const r = await t.call('PATCH', Z, body);
    assert.equal(r.statusCode, status, `${JSON.stringify(body)}: ${r.body}`);
    assert.deepEqual(Object.keys(r.json()), ['error']);
    assert.match(r.json().error, message, JSON.stringify(body));
  }
  assert.equal((await t.call('PATCH', `${ZONES}/nothere.example.`, replace(['a.nothere.example.', 'A', ['192.0.2.1']]))).statusCode, 404);
  // Bodies are bounded: 413 before the whole body is read.
  const big = await t.call('PATCH', Z, `{"rrsets":[],"pad":"${'x'.repeat(17 * 1024 * 1024)}"}`);
  assert.equal(big.statusCode, 413);
  assert.equal(typeof big.json().error, 'string');
  assert.equal(ask(t.ctx, 'example.com', 'SOA').answers![0].data.serial, 2024010101);
});

test('scoped tokens: see their zone only, change only their RRsets; NOTIFY allowed', async () => {
  const t = pdnsServer({ 'example.com': 'example.com. 3600 SOA ns1.example.com. h.example.com. 1 7200 3600 1209600 300\nexample.com. 3600 NS ns1.example.com.\n', 'other.test': 'other.test. 3600 SOA ns1.other.test. h.other.test. 1 7200 3600 1209600 300\nother.test. 3600 NS ns1.other.test.\n' });
  const acme = t.key({ admin: false, zone: 'example.com.', names: [ACME], types: [RRType.TXT], label: 'www-acme' });
  assert.deepEqual((await t.call('GET', ZONES, undefined, acme)).json().map((z: { name: string }) => z.name), ['example.com.']);
  assert.equal((await t.call('GET', ZONES, undefined, t.admin)).json().length, 2);
  assert.equal((await t.call('GET', `${ZONES}/other.test.`, undefined, acme)).statusCode, 404, 'another zone does not exist for it');
  assert.equal((await t.call('PATCH', `${ZONES}/other.test.`, replace(['a.other.test.', 'A', ['192.0.2.1']]), acme)).statusCode, 404);
  assert.equal((await t.call('PUT', `${ZONES}/other.test./notify`, undefined, acme)).statusCode, 404);

  assert.equal((await t.call('PATCH', Z, replace([ACME, 'TXT', ['"t"']]), acme)).statusCode, 204);
  const own = (await t.call('GET', Z, undefined, acme)).json();
  assert.deepEqual(rrsetLines(own.rrsets), [`${ACME} TXT 300 "t"`], 'its zone shows only the RRsets in its scope');
  assert.equal(own.kind, 'Master');
  for (const body of [replace(['www.example.com.', 'A', ['192.0.2.1']]), replace([ACME, 'A', ['192.0.2.1']]), replace([ACME, 'TXT', ['"u"']], ['www.example.com.', 'TXT', ['"v"']])]) {
    const r = await t.call('PATCH', Z, body, acme);
    assert.equal(r.statusCode, 403, JSON.stringify(body));
    assert.match(r.json().error, /^rrsets\[\d\]: (name|type) .* is outside this token's scope/);
  }
  assert.equal(ask(t.ctx, ACME, 'TXT').answers!.length, 1, 'the refused mixed PATCH wrote nothing');
  assert.equal(Buffer.concat(ask(t.ctx, ACME, 'TXT').answers![0].data).toString(), 't');
  const a = t.store.audit({ zone: 'example.com.', limit: 10 });
  assert.equal(a[0].token_label, 'www-acme');

  assert.equal((await t.call('POST', ZONES, { name: 'new.test.', nameservers: ['ns1.new.test.'] }, acme)).statusCode, 403);
  assert.equal((await t.call('PUT', Z, { kind: 'Master' }, acme)).statusCode, 403);
  assert.equal((await t.call('DELETE', Z, undefined, acme)).statusCode, 403);
  assert.ok(t.zones.get('example.com.'));
  const n = await t.call('PUT', `${Z}/notify`, undefined, acme);
  assert.equal(n.statusCode, 200);
  assert.deepEqual(n.json(), { result: 'Notification queued' });
  assert.deepEqual(t.notified, ['example.com.']);
});

test('zone create: 201 with the zone, signed unless dnssec is false; SOA made when absent; 409, 422', async () => {
  const t = pdnsServer();
  const r = await t.call('POST', ZONES, { name: 'new.test', kind: 'Native', nameservers: ['ns1.new.test.', 'ns2.example.net.'], rrsets: [{ name: 'ns1.new.test.', type: 'A', ttl: 600, records: [{ content: '192.0.2.53', disabled: false }] }], account: 'ignored', soa_edit_api: 'DEFAULT' });
  assert.equal(r.statusCode, 201, r.body);
  const z = r.json();
  assert.equal(z.id, 'new.test.');
  assert.equal(z.dnssec, true);
  assert.equal(z.serial, t.clock.now, 'a made SOA starts at the current time');
  assert.deepEqual(rrsetLines(z.rrsets), [
    'new.test. NS 3600 ns1.new.test. | ns2.example.net.',
    `new.test. SOA 3600 ns1.new.test. hostmaster.new.test. ${t.clock.now} 10800 3600 604800 3600`,
    'ns1.new.test. A 600 192.0.2.53',
  ]);
  const q = ask(t.ctx, 'ns1.new.test', 'A', { dnssecOk: true });
  assert.equal(q.answers!.filter((x) => x.type === 'RRSIG').length, 1);
  verifySigned(t, 'new.test.', q.raw);
  assert.equal(t.store.audit({ zone: 'new.test.', limit: 1 })[0].token_label, 'pdns-admin');
  assert.equal((await t.call('POST', ZONES, { name: 'new.test.', nameservers: ['ns1.new.test.'] })).statusCode, 409);

  const unsigned = await t.call('POST', ZONES, { name: 'plain.test.', dnssec: false, rrsets: [
    { name: 'plain.test.', type: 'SOA', ttl: 60, records: [{ content: 'ns.plain.test. h.plain.test. 7 1 1 1 1' }] },
    { name: 'plain.test.', type: 'NS', ttl: 60, records: [{ content: 'ns.plain.test.' }] },
  ] });
  assert.equal(unsigned.statusCode, 201, unsigned.body);
  assert.equal(unsigned.json().dnssec, false);
  assert.equal(unsigned.json().nsec3param, '');
  assert.equal(unsigned.json().serial, 7);
  assert.equal(ask(t.ctx, 'plain.test', 'SOA', { dnssecOk: true }).answers!.some((x) => x.type === 'RRSIG'), false);

  const n3 = await t.call('POST', ZONES, { name: 'n3.test.', nameservers: ['ns1.n3.test.'], nsec3param: '1 0 5 abcd' });
  assert.equal(n3.json().nsec3param, '1 0 5 abcd');
  // A classless reverse zone: its id escapes the slash.
  const rev = await t.call('POST', ZONES, { name: '2/0.2.0.192.in-addr.arpa.', nameservers: ['ns1.example.com.'] });
  assert.equal(rev.statusCode, 201, rev.body);
  assert.equal(rev.json().id, '2=2F0.2.0.192.in-addr.arpa.');
  assert.equal(rev.json().url, '/api/v1/servers/localhost/zones/2=2F0.2.0.192.in-addr.arpa.');
  assert.equal((await t.call('GET', rev.json().url)).json().name, '2/0.2.0.192.in-addr.arpa.');

  const refused: [unknown, RegExp][] = [
    [{ nameservers: [] }, /^name: required/],
    [{ name: 'a..b.', nameservers: [] }, /^name: bad name/],
    [{ name: 'nons.test.' }, /^nameservers: a zone needs NS records/],
    [{ name: 'sec.test.', kind: 'Slave', masters: ['192.0.2.1'] }, /^kind: Slave zones are not supported/],
    [{ name: 'both.test.', nameservers: ['ns.both.test.'], rrsets: [{ name: 'both.test.', type: 'NS', ttl: 1, records: [{ content: 'ns.both.test.' }] }] }, /^nameservers: give the apex NS/],
    [{ name: 'key.test.', nameservers: ['ns.key.test.'], rrsets: [{ name: 'key.test.', type: 'DNSKEY', ttl: 1, records: [{ content: '257 3 13 AAAA' }] }] }, /^rrsets\[0\]\.type: .* made by the signer/],
    [{ name: 'bad.test.', nameservers: ['ns.bad.test.'], rrsets: [{ name: 'x.bad.test.', type: 'MX', ttl: 1, records: [{ content: '10 mail' }] }] }, /^rrsets\[0\]\.records\[0\]\.content: /],
    [{ name: 'n3bad.test.', nameservers: ['ns.n3bad.test.'], nsec3param: '1 0 500 -' }, /^nsec3param: /],
    [{ name: 'n3bad.test.', nameservers: ['ns.n3bad.test.'], nsec3param: 'nonsense' }, /^nsec3param: /],
  ];
  for (const [body, message] of refused) {
    const e = await t.call('POST', ZONES, body);
    assert.equal(e.statusCode, 422, `${JSON.stringify(body)}: ${e.body}`);
    assert.match(e.json().error, message);
  }
  assert.equal(t.zones.get('nons.test.'), undefined);
});

test('zone PUT takes PowerDNS settings and keeps none; DELETE; NOTIFY on request', async () => {
  const t = pdnsServer();
  const ok = await t.call('PUT', Z, { kind: 'Master', account: 'x', soa_edit_api: 'INCEPTION-INCREMENT', masters: [], dnssec: true, nsec3param: '1 0 0 -', rrsets: [] });
  assert.equal(ok.statusCode, 204, ok.body);
  assert.equal((await t.call('GET', Z)).json().account, '');
  assert.match((await t.call('PUT', Z, { dnssec: false })).json().error, /^dnssec: signing is turned off by importing/);
  assert.match((await t.call('PUT', Z, { nsec3param: '1 0 10 -' })).json().error, /^nsec3param: /);
  assert.match((await t.call('PUT', Z, { kind: 'Secondary' })).json().error, /^kind: /);
  assert.equal((await t.call('PUT', Z, 'garbage')).statusCode, 400);
  assert.equal((await t.call('PUT', `${ZONES}/nothere.example.`, { kind: 'Master' })).statusCode, 404);

  // lego sends PUT …/notify with Content-Type: application/json and no body.
  const n = await t.call('PUT', `${ZONES}/example.com/notify`, '');
  assert.equal(n.statusCode, 200, n.body);
  assert.deepEqual(t.notified, ['example.com.']);
  assert.equal((await t.call('PUT', `${ZONES}/nothere.example./notify`)).statusCode, 404);

  const d = await t.call('DELETE', `${ZONES}/example.com`);
  assert.equal(d.statusCode, 204);
  assert.equal(d.body, '');
  assert.equal((await t.call('GET', Z)).statusCode, 404);
  assert.equal((await t.call('DELETE', Z)).statusCode, 404);
  assert.equal(ask(t.ctx, 'www.example.com', 'A').rcode, 'REFUSED');
  assert.equal(t.store.audit({ zone: 'example.com.', limit: 1 })[0].action, 'zone.delete');
  assert.equal(t.store.audit({ zone: 'example.com.', limit: 1 })[0].token_label, 'pdns-admin');
});

test('every response form matches itself across routes (list entry ⊂ zone)', async () => {
  const t = pdnsServer();
  const entry = shape((await t.call('GET', ZONES)).json()[0]) as Record<string, unknown>;
  const zone = shape((await t.call('GET', Z)).json()) as Record<string, unknown>;
  for (const [k, v] of Object.entries(entry)) assert.deepEqual(zone[k], v, k);
});
