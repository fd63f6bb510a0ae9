// RDATA codecs: text → wire → text → wire round trips for every type, known wire vectors, error cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  RdataError, canonicalRdata, decodeRdata, rdataFromText, rdataTargetName, rdataToText, soaMinimum, soaSerial, withSoaSerial,
} from '../zones/model/rdata/index.js';
import { typeFromText } from '../zones/model/types.js';

const O = 'example.com.';
const t = (name: string): number => typeFromText(name)!;
const wire = (type: string, text: string): Buffer => rdataFromText(t(type), text, O);

const SAMPLES: [string, string][] = [
  ['A', '192.0.2.1'],
  ['AAAA', '2001:db8::1'],
  ['NS', 'ns1'],
  ['CNAME', 'Target.example.net.'],
  ['DNAME', 'example.net.'],
  ['PTR', 'host'],
  ['SOA', 'ns1 hostmaster 2024010101 2h 15m 1w 300'],
  ['MX', '10 mail'],
  ['TXT', '"hello world" unquoted "esc\\"aped\\\\" "\\255\\000"'],
  ['SPF', '"v=spf1 -all"'],
  ['SRV', '0 5 5060 sip'],
  ['CAA', '0 issue "ca.example.net; account=230123"'],
  ['TLSA', '3 1 1 ' + 'ab'.repeat(32)],
  ['SMIMEA', '3 0 2 ' + 'cd'.repeat(64)],
  ['SSHFP', '4 2 ' + '01'.repeat(32)],
  ['NAPTR', '100 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .'],
  ['DS', '60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118'],
  ['CDS', '0 0 0 00'],
  ['DNSKEY', '257 3 ECDSAP256SHA256 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+ KkxLbxILfDLUT0rAK9iUzy1L53eKGQ=='],
  ['CDNSKEY', '0 3 0 AA=='],
  ['HINFO', '"PC" "Linux"'],
  ['RP', 'admin info'],
  ['AFSDB', '1 afs'],
  ['RRSIG', 'A 13 2 1h 20240101000000 20231201000000 12345 example.com. AAAA'],
  ['NSEC', 'next A NS SOA RRSIG NSEC DNSKEY TYPE1234'],
  ['NSEC3', '1 1 12 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG'],
  ['NSEC3', '1 0 0 - 2vptu5timamqttgl4luu9kg21e0aor3s'],
  ['NSEC3PARAM', '1 0 0 -'],
  ['OPENPGPKEY', 'mQINBFit2jsBEADrbl5vjVxYeAE0g0IDYCBpHirv1Sjlqxx5gjtPhb2YhvyDMXjq'],
  ['URI', '10 1 "ftp://ftp1.example.com/public"'],
  ['ZONEMD', '2024010101 1 1 ' + 'ef'.repeat(48)],
  ['SVCB', '1 . alpn=h2,h3 port=8443 ipv4hint=192.0.2.1,192.0.2.2 ech=AEP+DQA/ ipv6hint=2001:db8::1 key999'],
  ['HTTPS', '0 svc'],
  ['HTTPS', '1 . alpn="f\\\\\\\\oo\\\\,bar,h2" no-default-alpn dohpath="/q{?dns}"'],
  ['TYPE65280', '\\# 3 ABCDEF'],
  ['LOC', '\\# 0'],
];

for (const [type, text] of SAMPLES) {
  test(`round trip ${type} ${text}`, () => {
    const w1 = wire(type, text);
    const text2 = rdataToText(t(type), w1);
    const w2 = wire(type, text2);
    assert.deepEqual(w2, w1);
    assert.equal(rdataToText(t(type), w2), text2);
    // RFC 3597: the generic form of a known type must give the same wire.
    const generic = `\\# ${w1.length} ${w1.toString('hex')}`;
    assert.deepEqual(wire(type, w1.length ? generic : '\\# 0'), w1);
    assert.equal(typeof decodeRdata(t(type), w1), 'object');
  });
}

test('every required type has a presentation sample', () => {
  const required = 'A AAAA NS CNAME DNAME PTR SOA MX TXT SPF SRV CAA TLSA SMIMEA SSHFP NAPTR DS CDS DNSKEY CDNSKEY HINFO RP AFSDB RRSIG NSEC NSEC3 NSEC3PARAM OPENPGPKEY URI ZONEMD SVCB HTTPS';
  const have = new Set(SAMPLES.map(([ty]) => ty));
  for (const ty of required.split(' ')) assert.ok(have.has(ty), ty);
});

// RFC 9460 Appendix D test vectors.
const name = (s: string): string => s.split('.').filter(Boolean).map((l) => l.length.toString(16).padStart(2, '0') + Buffer.from(l).toString('hex')).join('') + '00';
const SVCB_VECTORS: [string, string][] = [
  ['0 foo.example.com.', '0000' + name('foo.example.com')],
  ['1 .', '000100'],
  ['16 foo.example.com. port=53', '0010' + name('foo.example.com') + '000300020035'],
  ['1 foo.example.com. key667=hello', '0001' + name('foo.example.com') + '029b000568656c6c6f'],
  ['1 foo.example.com. key667="hello\\210qoo"', '0001' + name('foo.example.com') + '029b000968656c6c6fd2716f6f'],
  ['1 foo.example.com. ipv6hint="2001:db8::1,2001:db8::53:1"', '0001' + name('foo.example.com') + '00060020' + '20010db8000000000000000000000001' + '20010db8000000000000000000530001'],
  ['1 example.com. ipv6hint="2001:db8:122:344::192.0.2.33"', '0001' + name('example.com') + '0006001020010db8012203440000000000c0000221'.replace('0000000000c0', '00000000c0')],
  ['16 foo.example.org. (alpn=h2,h3-19 mandatory=ipv4hint,alpn ipv4hint=192.0.2.1)', '0010' + name('foo.example.org') + '00000004000100040001000902683205683' + '32d313900040004c0000201'],
  ['16 foo.example.org. alpn="f\\\\\\\\oo\\\\,bar,h2"', '0010' + name('foo.example.org') + '0001000c08665c6f6f2c626172026832'],
  ['16 foo.example.org. alpn=f\\\\\\092oo\\092,bar,h2', '0010' + name('foo.example.org') + '0001000c08665c6f6f2c626172026832'],
];
for (const [text, hex] of SVCB_VECTORS) {
  test(`RFC 9460 vector: SVCB ${text}`, () => {
    assert.equal(wire('SVCB', text).toString('hex'), hex);
  });
}

test('known wire bytes (RFC 1035, RFC 4034 §5.4, RFC 6698 example)', () => {
  assert.equal(wire('MX', '10 mail').toString('hex'), '000a' + name('mail.example.com'));
  assert.equal(wire('DS', '60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118').toString('hex'), 'ec4505012bb183af5f22588179a53b0a98631fad1a292118');
  assert.equal(wire('TXT', '"a" ""').toString('hex'), '016100');
  assert.equal(wire('NSEC', 'host.example.com. A MX RRSIG NSEC TYPE1234').toString('hex'),
    // RFC 4034 §4.3 example: window 0 {A MX RRSIG NSEC}, window 4 {TYPE1234}.
    name('host.example.com') + '0006400100000003' + '041b' + '00'.repeat(26) + '20');
  assert.equal(wire('AAAA', '::ffff:192.0.2.1').toString('hex'), '00000000000000000000ffffc0000201');
});

test('RdataError names the type and field', () => {
  const cases: [string, string, RegExp][] = [
    ['TLSA', '3 1 1 ' + 'ab'.repeat(31), /^TLSA matching type 1 needs 32 bytes of data, got 31$/],
    ['TLSA', '3 1 2 ' + 'ab'.repeat(32), /^TLSA matching type 2 needs 64 bytes of data, got 32$/],
    ['TLSA', '256 1 1 ab', /^TLSA usage: 256 is out of range 0-255$/],
    ['TLSA', '3 1 0 abc', /^TLSA data: hex has an odd number of digits$/],
    ['TLSA', '3 1 0 zz', /^TLSA data: invalid hex/],
    ['TLSA', '3 1', /^TLSA matching type: missing$/],
    ['DS', '1 8 1 ' + '00'.repeat(19), /^DS digest type 1 needs 20 bytes of digest, got 19$/],
    ['DS', '1 8 4 ' + '00'.repeat(32), /^DS digest type 4 needs 48 bytes of digest, got 32$/],
    ['SSHFP', '1 2 ' + '00'.repeat(20), /^SSHFP fingerprint type 2 needs 32 bytes of fingerprint, got 20$/],
    ['MX', '65536 mail', /^MX preference: 65536 is out of range 0-65535$/],
    ['MX', '-1 mail', /^MX preference: '-1' is not an unsigned integer$/],
    ['SOA', 'a b 4294967296 1 1 1 1', /^SOA serial: 4294967296 is out of range/],
    ['SOA', 'a b 1 1x 1 1 1', /^SOA refresh: '1x' is not a valid TTL/],
    ['A', '192.0.2.256', /^A address: '192.0.2.256' is not an IPv4 address$/],
    ['AAAA', '2001:db8::1::2', /^AAAA address: .* is not an IPv6 address$/],
    ['TXT', '"' + 'x'.repeat(256) + '"', /^TXT strings: character-string longer than 255 bytes \(256\)$/],
    ['TXT', '"\\256"', /^TXT strings: bad escape/],
    ['DNSKEY', '257 3 13 abc', /^DNSKEY public key: invalid base64$/],
    ['DNSKEY', '257 2 13 AAAA', /^DNSKEY protocol must be 3, got 2$/],
    ['NSEC3', '1 1 12 zz 2vptu5timamqttgl4luu9kg21e0aor3s', /^NSEC3 salt: invalid hex/],
    ['NSEC3', '1 1 12 - 2vptu5timamqttgl4luu9kg21e0aor3w', /^NSEC3 next hashed owner: invalid base32hex/],
    ['NSEC', 'next A BOGUS', /^NSEC types: unknown type 'BOGUS'$/],
    ['RRSIG', 'A 13 2 3600 20241301000000 20231201000000 1 example.com. AAAA', /^RRSIG expiration: '20241301000000' is not a valid/],
    ['CAA', '0 is-sue "x"', /^CAA tag: 'is-sue' must be/],
    ['SVCB', '1 . port=1 port=2', /^SVCB params: duplicate key 'port'$/],
    ['SVCB', '1 . mandatory=port', /^SVCB params: mandatory key 'port' is missing$/],
    ['SVCB', '1 . mandatory=mandatory', /^SVCB params: mandatory must not list 'mandatory'$/],
    ['SVCB', '1 . no-default-alpn', /^SVCB params: no-default-alpn requires alpn$/],
    ['SVCB', '1 . port=99999', /^SVCB params port: '99999' is not a port number/],
    ['SVCB', '1 . alpn', /^SVCB params alpn: a value is required$/],
    ['SVCB', '1 . foo=bar', /^SVCB params: unknown SvcParamKey 'foo'$/],
    ['SVCB', '1 . key65535=x', /^SVCB params: unknown SvcParamKey 'key65535'$/],
    ['A', '\\# 3 010203', /^A address: truncated/],
    ['A', '\\# 4 010203', /^A generic rdata: length 4 given but 3 bytes of hex$/],
    ['A', '\\# 5 0102030405', /^A has 1 trailing bytes$/],
    ['A', '192.0.2.1 extra', /^A unexpected extra text 'extra'$/],
    ['TYPE65280', 'abc', /^TYPE65280 has no presentation format here; use RFC 3597/],
    ['CNAME', 'a..b', /^CNAME target: empty label/],
    ['ZONEMD', '1 1 1 ' + 'ab'.repeat(11), /^ZONEMD digest: needs at least 12 bytes$/],
    ['ZONEMD', '1 1 2 ' + 'ab'.repeat(48), /^ZONEMD hash algorithm 2 needs 64 bytes of digest, got 48$/],
    ['URI', '1 1 two words', /^URI target: expected one string/],
  ];
  for (const [type, text, re] of cases) {
    assert.throws(() => wire(type, text), (e: unknown) => e instanceof RdataError && re.test(e.message), `${type} ${text}`);
  }
});

test('relative RDATA names need an origin', () => {
  assert.throws(() => rdataFromText(t('NS'), 'ns1', undefined as unknown as string), /relative name 'ns1' but no origin/);
});

test('rdataToText: names absolute, case kept; TXT always quoted; unknown types generic', () => {
  assert.equal(rdataToText(t('MX'), wire('MX', '10 Mail')), '10 Mail.example.com.');
  assert.equal(rdataToText(t('TXT'), wire('TXT', 'plain')), '"plain"');
  assert.equal(rdataToText(t('LOC'), wire('LOC', '\\# 2 abcd')), '\\# 2 ABCD');
  assert.equal(rdataToText(65280, Buffer.alloc(0)), '\\# 0');
});

test('canonicalRdata lowercases only the RFC 4034/6840 list; fast path returns same buffer', () => {
  const mx = wire('MX', '10 MAIL.Example.COM.');
  assert.equal(rdataToText(15, canonicalRdata(15, mx)), '10 mail.example.com.');
  const lower = wire('MX', '10 mail.example.com.');
  assert.equal(canonicalRdata(15, lower), lower);
  const soa = wire('SOA', 'NS1 HostMaster 1 2 3 4 5');
  assert.equal(rdataToText(6, canonicalRdata(6, soa)), 'ns1.example.com. hostmaster.example.com. 1 2 3 4 5');
  for (const [type, text] of [['HINFO', '"PC" "LINUX"'], ['SVCB', '1 FOO.example. port=1'], ['TXT', '"ABC"']]) {
    const w = wire(type, text);
    assert.equal(canonicalRdata(t(type), w), w, type);
  }
  const rrsig = wire('RRSIG', 'A 13 2 3600 20240101000000 20231201000000 1 EXAMPLE.com. AAAA');
  assert.match(rdataToText(46, canonicalRdata(46, rrsig)), / example\.com\. /);
  // Uppercase letters inside binary fields must not be touched (only name bytes are).
  const nsec = wire('NSEC', 'X.example. TYPE65');
  assert.equal(rdataToText(47, canonicalRdata(47, nsec)), 'x.example. HTTPS');
});

test('rdataTargetName', () => {
  assert.equal(rdataTargetName(2, wire('NS', 'NS1')), 'ns1.example.com.');
  assert.equal(rdataTargetName(15, wire('MX', '10 mail')), 'mail.example.com.');
  assert.equal(rdataTargetName(33, wire('SRV', '0 0 1 Sip')), 'sip.example.com.');
  assert.equal(rdataTargetName(65, wire('HTTPS', '1 .')), undefined);
  assert.equal(rdataTargetName(65, wire('HTTPS', '0 svc')), 'svc.example.com.');
  assert.equal(rdataTargetName(5, wire('CNAME', 'x')), 'x.example.com.');
  assert.equal(rdataTargetName(1, wire('A', '192.0.2.1')), undefined);
});

test('decodeRdata gives named fields', () => {
  assert.deepEqual(decodeRdata(52, wire('TLSA', '3 1 1 ' + 'ab'.repeat(32))), { usage: 3, selector: 1, matchingType: 1, data: 'AB'.repeat(32) });
  assert.deepEqual(decodeRdata(15, wire('MX', '10 mail')), { preference: 10, exchange: 'mail.example.com.' });
  assert.deepEqual(decodeRdata(6, wire('SOA', 'ns h 7 1h 2 3 4')), { mname: 'ns.example.com.', rname: 'h.example.com.', serial: 7, refresh: 3600, retry: 2, expire: 3, minimum: 4 });
  assert.deepEqual(decodeRdata(64, wire('SVCB', '1 . alpn=h2 port=443')), { priority: 1, target: '.', params: { alpn: ['h2'], port: 443 } });
  assert.deepEqual(decodeRdata(65280, Buffer.from('ab', 'hex')), { rdata: 'ab' });
});

test('SOA helpers', () => {
  const soa = wire('SOA', 'ns h 7 1 2 3 4');
  assert.equal(soaSerial(soa), 7);
  assert.equal(soaMinimum(soa), 4);
  const s2 = withSoaSerial(soa, 2 ** 32 + 5);
  assert.equal(soaSerial(s2), 5);
  assert.equal(soaSerial(soa), 7, 'original untouched');
});

test('wire validation rejects malformed input', () => {
  assert.throws(() => rdataToText(47, Buffer.from('00000100', 'hex')), /NSEC types: trailing zero octet/);
  assert.throws(() => rdataToText(2, Buffer.from('c00c', 'hex')), /compressed or invalid label/);
  assert.throws(() => rdataToText(64, Buffer.from('000100' + '0003000201bb' + '00010003026832', 'hex')), /strictly ascending/);
});
