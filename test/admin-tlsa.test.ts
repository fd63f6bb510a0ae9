// TLSA publishing: association data from openssl-made certificates (RFC 6698 §2.1), add/replace roll-over, RFC 7218 listing, DANE lint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { apiServer } from './helpers/api.js';
import { ask } from './helpers/dns.js';
import { requireTool } from './helpers/tools.js';
import { makeCerts, opensslSpkiDigest, opensslCertDigest } from './helpers/certs.js';
import { zonesFromText } from './helpers/dns.js';
import { lintTlsa, signedAnswerSize, SAFE_UDP_SIZE } from '../server/admin/dane-lint.js';
import { parseTlsaOwner, tlsaOwnerProblem } from '../server/admin/tlsa.js';
import { rdataFromText } from '../zones/model/rdata/index.js';
import { RRType } from '../zones/model/types.js';

const Z = '/api/v1/zones/example.com';

test('TLSA from a certificate equals the hash of openssl x509 -pubkey\'s SPKI (and of the whole certificate)', async (t) => {
  if (!requireTool('openssl', t)) return;
  const certs = makeCerts('www.example.com');
  const api = apiServer();
  const chain = certs.leafPem + certs.caPem;
  const r = await api.call('POST', `${Z}/tlsa`, { host: 'www', port: 443, certificate: chain });
  assert.equal(r.statusCode, 200, r.body);
  const want = opensslSpkiDigest(certs.leafCert);
  assert.deepEqual(r.json().rrset.records, [`3 1 1 ${want.toUpperCase()}`], 'defaults to 3 1 1 from the leaf');
  assert.equal(ask(api.ctx, '_443._tcp.www.example.com', 'TLSA').answers![0].data.certificate.toString('hex'), want);

  const full = await api.call('POST', `${Z}/tlsa`, { host: 'www', port: 443, selector: 0, certificate: certs.leafPem });
  assert.equal(full.json().rrset.records[0], `3 0 1 ${opensslCertDigest(certs.leafCert).toUpperCase()}`);
  // DANE-TA takes the last certificate of the chain: the CA.
  const ta = await api.call('POST', `${Z}/tlsa`, { host: 'www', port: 443, usage: 2, certificate: chain });
  assert.equal(ta.json().rrset.records[0], `2 1 1 ${opensslSpkiDigest(certs.caCert).toUpperCase()}`);
  const sha512 = await api.call('POST', `${Z}/tlsa`, { host: 'www', port: 443, matching: 2, certificate: certs.leafPem });
  assert.equal(sha512.json().rrset.records[0], `3 1 2 ${opensslSpkiDigest(certs.leafCert, 'sha512').toUpperCase()}`);
  const pub = execFileSync('openssl', ['x509', '-in', certs.leafCert, '-noout', '-pubkey'], { encoding: 'utf8' });
  const spki = await api.call('POST', `${Z}/tlsa`, { host: 'www', port: 443, spki: pub });
  assert.equal(spki.json().rrset.records[0], `3 1 1 ${want.toUpperCase()}`);
  const exact = await api.call('POST', `${Z}/tlsa`, { host: 'www', port: 443, matching: 0, spki: pub });
  const der = execFileSync('sh', ['-c', 'openssl pkey -pubin -outform DER | od -An -tx1 | tr -d " \\n"'], { input: pub, encoding: 'utf8' });
  assert.equal(exact.json().rrset.data[0].data.toLowerCase(), der);
});

test('TLSA add keeps the current record beside the next (RFC 7671 §8); replace swaps; GET lists with RFC 7218 mnemonics', async () => {
  const api = apiServer();
  const cur = 'aa'.repeat(32), next = 'bb'.repeat(32);
  await api.call('POST', `${Z}/tlsa`, { host: 'smtp', port: 25, data: cur });
  const add = await api.call('POST', `${Z}/tlsa`, { host: 'smtp.example.com.', port: 25, data: next, mode: 'add', ttl: 300 });
  assert.equal(add.json().rrset.records.length, 2);
  assert.equal(add.json().rrset.ttl, 300);
  const rep = await api.call('POST', `${Z}/tlsa`, { host: 'smtp.example.com', port: 25, data: next, mode: 'replace' });
  assert.deepEqual(rep.json().rrset.records, [`3 1 1 ${next.toUpperCase()}`]);
  await api.call('POST', `${Z}/tlsa`, { host: 'smtp', port: 25, protocol: 'udp', usage: 2, selector: 0, matching: 2, data: 'cc'.repeat(64) });
  const list = (await api.call('GET', `${Z}/tlsa`)).json().services;
  const udp = list.find((s: { name: string }) => s.name === '_25._udp.smtp.example.com.');
  assert.deepEqual({ ...udp, records: undefined }, { name: '_25._udp.smtp.example.com.', host: 'smtp.example.com.', port: 25, protocol: 'udp', ttl: 3600, records: undefined });
  assert.deepEqual({ ...udp.records[0], data: undefined, record: undefined }, {
    usage: 2, usageName: 'DANE-TA', selector: 0, selectorName: 'Cert', matching: 2, matchingName: 'SHA2-512', data: undefined, record: undefined,
  });
  const wild = list.find((s: { name: string }) => s.name === '*._tcp.host.example.com.');
  assert.equal(wild.port, null);
  assert.equal(wild.records[0].usageName, 'DANE-EE');
  assert.equal(wild.records[0].selectorName, 'SPKI');
  assert.equal(wild.records[0].matchingName, 'SHA2-256');
});

test('TLSA POST errors: 400 with the field, nothing written', async () => {
  const api = apiServer();
  const cases: [object, string | null, RegExp][] = [
    [{ host: 'www', port: 443 }, 'certificate', /exactly one/],
    [{ host: 'www', port: 443, data: 'ab'.repeat(32), certificate: 'x' }, 'certificate', /exactly one/],
    [{ host: 'www', port: 443, data: 'abc' }, 'data', /hex/],
    [{ host: 'www', port: 443, data: 'abcd' }, 'data', /needs 32 bytes/],
    [{ host: 'www', port: 443, certificate: 'not pem' }, 'certificate', /PEM/],
    [{ host: 'www', port: 443, certificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }, 'certificate', /does not parse/],
    [{ host: 'www', port: 443, selector: 0, spki: 'x' }, 'spki', /selector 1/],
    [{ host: 'www', port: 443, spki: 'garbage' }, 'spki', /PEM public key/],
    [{ host: 'www', port: 443, matching: 7, spki: 'garbage' }, 'spki', /PEM public key/],
    [{ host: 'www', port: 70000, data: 'ab'.repeat(32) }, 'body.port', /<= 65535/],
    [{ host: 'www', port: 443, protocol: 'quic', data: 'ab'.repeat(32) }, 'body.protocol', /allowed values/],
    [{ host: 'www', port: 443, mode: 'merge', data: 'ab'.repeat(32) }, 'body.mode', /allowed values/],
    [{ host: 'elsewhere.test.', port: 443, data: 'ab'.repeat(32) }, 'host', /not inside zone/],
    [{ host: 'x.sub', port: 443, data: 'ab'.repeat(32) }, 'host', /occluded/],
    [{ host: 'www', port: 443, data: 'ab'.repeat(32), extra: 1 }, 'body.extra', /additional properties/],
  ];
  for (const [body, field, detail] of cases) {
    const r = await api.call('POST', `${Z}/tlsa`, body);
    assert.equal(r.statusCode, 400, `${JSON.stringify(body)}: ${r.body}`);
    assert.equal(r.json().field, field, `${JSON.stringify(body)}: ${r.body}`);
    assert.match(r.json().detail, detail, JSON.stringify(body));
  }
  assert.equal(ask(api.ctx, 'example.com', 'SOA').answers![0].data.serial, 2024010101);
});

test('DANE lint warns (and still writes): wildcard shadowed by a new ENT, alias host, SMTP usages, oversized RRset', async () => {
  const api = apiServer();
  // *.wild answers foo.wild today; a TLSA at _443._tcp.foo.wild makes foo.wild an empty non-terminal.
  assert.equal(ask(api.ctx, 'foo.wild.example.com', 'A').answers!.length, 1);
  const w = await api.call('POST', `${Z}/tlsa`, { host: 'foo.wild', port: 443, data: 'ab'.repeat(32) });
  assert.equal(w.statusCode, 200);
  assert.deepEqual(w.json().warnings.map((x: { code: string; name: string }) => `${x.code} ${x.name}`), ['wildcard_shadowed foo.wild.example.com.']);
  assert.equal(ask(api.ctx, 'foo.wild.example.com', 'A').answers!.length, 0, 'the outage the warning is about');

  const alias = await api.call('POST', `${Z}/tlsa`, { host: 'alias', port: 443, data: 'ab'.repeat(32) });
  assert.deepEqual(alias.json().warnings.map((x: { code: string }) => x.code), ['alias_host']);
  assert.match(alias.json().warnings[0].detail, /RFC 7671 §7/);

  const smtp = await api.call('POST', `${Z}/tlsa`, { host: 'mail', port: 25, usage: 1, matching: 0, data: 'ab'.repeat(40) });
  assert.deepEqual(smtp.json().warnings.map((x: { code: string }) => x.code), ['smtp_pkix', 'smtp_full']);
  assert.deepEqual((await api.call('POST', `${Z}/tlsa`, { host: 'mail', port: 25, data: 'ab'.repeat(32) })).json().warnings, []);

  const records = Array.from({ length: 14 }, (_, i) => `3 1 2 ${i.toString(16).padStart(2, '0').repeat(64)}`);
  const big = await api.call('PUT', `${Z}/rrsets/_443._tcp.mail/TLSA`, { records });
  assert.deepEqual(big.json().warnings.map((x: { code: string }) => x.code), ['too_big']);
  assert.match(big.json().warnings[0].detail, /1232/);
});

test('lint and owner-form units', () => {
  const s = zonesFromText({ 'example.com': '$ORIGIN example.com.\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n* A 192.0.2.2\nweb CNAME ns1\n' });
  const zone = s.zones.get('example.com.')!;
  const rd = rdataFromText(RRType.TLSA, '3 1 1 ' + 'ab'.repeat(32), 'example.com.');
  // host does not exist, *.example.com answers it: both new ENTs are reported where a wildcard covers them.
  assert.deepEqual(lintTlsa(zone, '_443._tcp.host.example.com.', [rd], { signatures: 1 }).map((w) => `${w.code} ${w.name}`), ['wildcard_shadowed host.example.com.']);
  assert.deepEqual(lintTlsa(zone, '_443._tcp.ns1.example.com.', [rd], { signatures: 1 }), []);
  assert.deepEqual(lintTlsa(zone, '_443._tcp.web.example.com.', [rd], { signatures: 1 }).map((w) => w.code), ['alias_host']);
  assert.equal(signedAnswerSize('example.com.', '_443._tcp.www.example.com.', [rd], 1), 12 + 31 + 12 + 35 + 12 + 18 + 13 + 64 + 11);
  assert.ok(signedAnswerSize('example.com.', '_443._tcp.www.example.com.', Array(30).fill(rd), 1) > SAFE_UDP_SIZE);
  assert.deepEqual(parseTlsaOwner('_443._tcp.www.example.com.'), { port: 443, protocol: 'tcp', host: 'www.example.com.' });
  assert.deepEqual(parseTlsaOwner('*._udp.example.com.'), { port: undefined, protocol: 'udp', host: 'example.com.' });
  for (const bad of ['_0443._tcp.x.', '_65536._tcp.x.', '_443._tls.x.', '443._tcp.x.', '_443.x.', 'x.']) assert.ok(tlsaOwnerProblem(bad), bad);
  assert.equal(tlsaOwnerProblem('_0._sctp.x.'), undefined);
});
