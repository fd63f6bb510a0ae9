// Known-answer tests for the signer: RFC 5155 hashes, RFC 6605 key/DS/RRSIG, key tags, ordering, bitmaps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nsec3Hash, base32hexEncode, base32hexDecode, typeBitmap, typesFromBitmap, nsec3Rdata, nsec3paramRdata, nsec3Owner } from '../signer/nsec3.js';
import { dnskeyRdata, dsRdata, keyTag } from '../signer/dnskey.js';
import { importBindPrivate } from '../signer/key-import.js';
import { rrsigHeader, rrsigLabels, signedData, canonicalRdataOrder, parseRrsig } from '../signer/tbs.js';
import { verifyRrsig } from '../signer/verify.js';
import { RRType } from '../zones/model/types.js';
import { RFC6605, RFC4034_DSKEY, rrsigTimeFromText } from './signer-fixtures.js';

// RFC 5155 Appendix A: zone "example", NSEC3PARAM 1 0 12 aabbccdd.
const RFC5155_HASHES: Record<string, string> = {
  'example.': '0p9mhaveqvm6t7vbl5lop2u3t2rp3tom',
  'a.example.': '35mthgpgcu1qg68fab165klnsnk3dpvl',
  'ai.example.': 'gjeqe526plbf1g8mklp59enfd789njgi',
  'ns1.example.': '2t7b4g4vsa5smi47k61mv5bv1a22bojr',
  'ns2.example.': 'q04jkcevqvmu85r014c7dkba38o0ji5r',
  'w.example.': 'k8udemvp1j2f7eg6jebps17vp3n8i58h',
  '*.w.example.': 'r53bq7cc2uvmubfu5ocmm6pers9tk9en',
  'x.w.example.': 'b4um86eghhds6nea196smvmlo4ors995',
  'y.w.example.': 'ji6neoaepv8b5o6k4ev33abha8ht9fgc',
  'x.y.w.example.': '2vptu5timamqttgl4luu9kg21e0aor3s',
  'xx.example.': 't644ebqk9bibcna874givr6joj62mlhv',
};

test('RFC 5155 Appendix A hashed owner names', () => {
  const salt = Buffer.from('aabbccdd', 'hex');
  for (const [name, want] of Object.entries(RFC5155_HASHES)) {
    const h = nsec3Hash(name, salt, 12);
    assert.equal(h.length, 20);
    assert.equal(base32hexEncode(h), want, name);
    assert.deepEqual(base32hexDecode(want), h);
    assert.deepEqual(base32hexDecode(want.toUpperCase()), h);
  }
  assert.equal(nsec3Owner(nsec3Hash('example.', salt, 12), 'example.'), '0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.');
});

test('base32hex: RFC 4648 §10 vectors (lowercased, padding stripped) and rejects', () => {
  const v: [string, string][] = [['', ''], ['f', 'co'], ['fo', 'cpng'], ['foo', 'cpnmu'], ['foob', 'cpnmuog'], ['fooba', 'cpnmuoj1'], ['foobar', 'cpnmuoj1e8']];
  for (const [plain, enc] of v) {
    assert.equal(base32hexEncode(Buffer.from(plain)), enc);
    assert.equal(base32hexDecode(enc).toString(), plain);
  }
  assert.throws(() => base32hexDecode('cpnmu='), RangeError);
  assert.throws(() => base32hexDecode('w'), RangeError);
  assert.throws(() => base32hexDecode('cpnmw'), RangeError); // 'w' is outside the hex alphabet
});

test('NSEC3 RDATA: RFC 5155 Appendix A apex record layout', () => {
  // 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example. NSEC3 1 1 12 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr MX DNSKEY NS SOA NSEC3PARAM RRSIG
  const next = base32hexDecode('2t7b4g4vsa5smi47k61mv5bv1a22bojr');
  const rd = nsec3Rdata({ hashAlgorithm: 1, flags: 1, iterations: 12, salt: Buffer.from('aabbccdd', 'hex'), nextHashed: next,
    types: [RRType.MX, RRType.DNSKEY, RRType.NS, RRType.SOA, RRType.NSEC3PARAM, RRType.RRSIG] });
  const bitmap = Buffer.from('0007' + '2201000000' + '02' + '90', 'hex'); // NS SOA | MX | RRSIG | DNSKEY NSEC3PARAM
  assert.deepEqual(rd, Buffer.concat([Buffer.from('0101000c04aabbccdd14', 'hex'), next, bitmap]));
  assert.deepEqual(nsec3paramRdata({ hashAlgorithm: 1, flags: 0, iterations: 12, salt: Buffer.from('aabbccdd', 'hex') }),
    Buffer.from('0100000c04aabbccdd', 'hex'));
  assert.throws(() => nsec3paramRdata({ hashAlgorithm: 1, flags: 1, iterations: 0, salt: Buffer.alloc(0) }));
});

test('type bitmap: DNAME, RRSIG, NSEC3PARAM, TLSA and CAA (second window)', () => {
  const types = [RRType.CAA, RRType.TLSA, RRType.DNAME, RRType.NSEC3PARAM, RRType.RRSIG, RRType.TLSA];
  const bm = typeBitmap(types);
  // window 0, 7 octets: 39 → octet 4 0x01; 46 → octet 5 0x02; 51,52 → octet 6 0x10|0x08. window 1: 257 → 0x40.
  assert.equal(bm.toString('hex'), '0007' + '00000000010218' + '0101' + '40');
  assert.deepEqual(typesFromBitmap(bm), [39, 46, 51, 52, 257]);
  // RFC 4034 §4.3: A MX RRSIG NSEC TYPE1234.
  const rfc = Buffer.from('0006400100000003041b' + '00'.repeat(26) + '20', 'hex');
  assert.deepEqual(typeBitmap([1, 15, 46, 47, 1234]), rfc);
  assert.deepEqual(typesFromBitmap(rfc), [1, 15, 46, 47, 1234]);
  assert.equal(typeBitmap([]).length, 0);
  assert.throws(() => typesFromBitmap(Buffer.from('01014000010140', 'hex')), /out of order/); // windows out of order
  assert.throws(() => typesFromBitmap(Buffer.from('0000', 'hex')), /window length/); // zero-length window
});

test('key tag: RFC 4034 §5.4 DNSKEY (algorithm 5) is 60485', () => {
  assert.equal(keyTag(RFC4034_DSKEY.rdata), RFC4034_DSKEY.keyTag);
});

test('RFC 6605 §6.1: private key → DNSKEY, key tag 55648, DS digest', () => {
  const imported = importBindPrivate(`Private-key-format: v1.2\nAlgorithm: 13 (ECDSAP256SHA256)\nPrivateKey: ${RFC6605.privateKeyB64}\n`);
  const dnskey = dnskeyRdata(257, imported.publicKey);
  assert.equal(dnskey.subarray(4).toString('base64'), RFC6605.dnskeyB64);
  assert.equal(keyTag(dnskey), RFC6605.keyTag);
  const ds = dsRdata(RFC6605.zone, dnskey, 2);
  assert.equal(ds.readUInt16BE(0), 55648);
  assert.equal(ds[2], 13);
  assert.equal(ds[3], 2);
  assert.equal(ds.subarray(4).toString('hex'), RFC6605.dsDigestHex);
  assert.equal(dsRdata(RFC6605.zone, dnskey, 4).length, 4 + 48);
  assert.deepEqual(dsRdata(RFC6605.zone, dnskey), ds, 'SHA-256 is the default digest type');
});

test('RFC 6605 §6.1: the published RRSIG over www.example.net. A verifies', () => {
  const r = RFC6605.rrsig;
  const dnskey = dnskeyRdata(257, Buffer.from(RFC6605.dnskeyB64, 'base64'));
  const header = rrsigHeader({ typeCovered: RRType.A, algorithm: 13, labels: r.labels, originalTtl: r.ttl,
    expiration: rrsigTimeFromText(r.expiration), inception: rrsigTimeFromText(r.inception), keyTag: 55648, signerName: 'example.net.' });
  const rrsig = Buffer.concat([header, Buffer.from(r.sigB64, 'base64')]);
  const a = Buffer.from([192, 0, 2, 1]);
  assert.equal(verifyRrsig(rrsig, r.owner, RRType.A, r.ttl, [a], dnskey), true);
  assert.equal(verifyRrsig(rrsig, r.owner, RRType.A, r.ttl, [Buffer.from([192, 0, 2, 2])], dnskey), false);
  assert.equal(verifyRrsig(rrsig, 'xxx.example.net.', RRType.A, r.ttl, [a], dnskey), false);
  assert.equal(verifyRrsig(rrsig, r.owner, RRType.AAAA, r.ttl, [a], dnskey), false);
  const parsed = parseRrsig(rrsig);
  assert.equal(parsed.signerName, 'example.net.');
  assert.equal(parsed.signature.toString('base64'), r.sigB64);
});

test('canonical RR order (RFC 4034 §6.3): octet order, shorter prefix first, duplicates dropped', () => {
  const r = (h: string) => Buffer.from(h, 'hex');
  const input = [r('c0000202'), r('0a'), r('c0000201'), r('0a00'), r('c0000201'), r('ff'), r('00')];
  assert.deepEqual(canonicalRdataOrder(input).map((b) => b.toString('hex')), ['00', '0a', '0a00', 'c0000201', 'c0000202', 'ff']);
  assert.equal(input[0].toString('hex'), 'c0000202', 'input not reordered');
  // Signed data is independent of input order and of duplicates.
  const h = rrsigHeader({ typeCovered: 1, algorithm: 13, labels: 2, originalTtl: 60, expiration: 2, inception: 1, keyTag: 7, signerName: 'example.' });
  assert.deepEqual(signedData(h, 'a.example.', 1, 1, 60, input), signedData(h, 'a.example.', 1, 1, 60, canonicalRdataOrder(input).reverse()));
});

test('signed data layout for one RR (RFC 4034 §3.1.8.1)', () => {
  const h = rrsigHeader({ typeCovered: 1, algorithm: 13, labels: 2, originalTtl: 300, expiration: 0x01020304, inception: 0x05060708, keyTag: 0x1234, signerName: 'example.' });
  assert.equal(h.toString('hex'), '0001' + '0d' + '02' + '0000012c' + '01020304' + '05060708' + '1234' + '076578616d706c6500');
  const sd = signedData(h, 'a.example.', 1, 1, 300, [Buffer.from([192, 0, 2, 1])]);
  assert.equal(sd.subarray(h.length).toString('hex'), '01610765' + '78616d706c6500' + '0001' + '0001' + '0000012c' + '0004' + 'c0000201');
});

test('RRSIG labels field: wildcard "*" and root not counted (RFC 4034 §3.1.3)', () => {
  assert.equal(rrsigLabels('www.example.com.'), 3);
  assert.equal(rrsigLabels('*.example.com.'), 2);
  assert.equal(rrsigLabels('*.'), 0);
  assert.equal(rrsigLabels('.'), 0);
  assert.equal(rrsigLabels('a.*.example.com.'), 4); // "*" not leftmost is an ordinary label
});
