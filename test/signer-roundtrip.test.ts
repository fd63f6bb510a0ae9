// Sign-then-verify round trips: node:crypto signs, both OpenSSL and @noble/curves verify; wildcards; key store roles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt, verify as osslVerify, createPublicKey } from 'node:crypto';
import { generateKeyPair, privateKeyFromPkcs8, publicKeyFromPrivate, signP256, verifyP256 } from '../signer/algorithms.js';
import { dnskeyRdata } from '../signer/dnskey.js';
import { MemoryKeyStore } from '../signer/keystore.js';
import { signRRset } from '../signer/rrset-sign.js';
import { parseRrsig, rrsigHeader, signedData } from '../signer/tbs.js';
import { verifyRrsig } from '../signer/verify.js';
import { RRType } from '../zones/model/types.js';

const validity = { inception: 1_760_000_000, expiration: 1_761_000_000 };

function setup() {
  const store = new MemoryKeyStore();
  const { privateKeyPkcs8 } = generateKeyPair();
  const info = store.addKey('example.com.', privateKeyPkcs8, 'zsk');
  const [key] = store.signingKeys('example.com.', 'zsk');
  return { key, dnskey: info.dnskey };
}

test('algorithm backends agree: OpenSSL signs, noble verifies; tampering fails', () => {
  const { privateKeyPkcs8, publicKey } = generateKeyPair();
  const priv = privateKeyFromPkcs8(privateKeyPkcs8);
  assert.deepEqual(publicKeyFromPrivate(priv), publicKey);
  for (let i = 0; i < 50; i++) {
    const msg = randomBytes(randomInt(0, 300));
    const sig = signP256(priv, msg);
    assert.equal(sig.length, 64);
    assert.equal(verifyP256(publicKey, msg, sig), true);
    const bad = Buffer.from(sig); bad[randomInt(64)] ^= 1 << randomInt(8);
    assert.equal(verifyP256(publicKey, msg, bad), false);
  }
  assert.equal(verifyP256(Buffer.alloc(64), Buffer.from('x'), Buffer.alloc(64)), false); // not a curve point
});

test('random RRsets: signRRset output verifies with noble (verifyRrsig) and with OpenSSL', () => {
  const { key, dnskey } = setup();
  const pub = createPublicKey(key.privateKey);
  for (let i = 0; i < 40; i++) {
    const n = randomInt(1, 8);
    const rdatas = Array.from({ length: n }, () => randomBytes(randomInt(0, 60)));
    const owner = `h${i}.sub.example.com.`;
    const ttl = randomInt(0, 86400);
    const type = [RRType.A, RRType.TXT, RRType.TLSA, RRType.CAA][i % 4];
    const rrsig = signRRset({ owner, type, ttl, rdatas }, key, validity, 'example.com.');
    const f = parseRrsig(rrsig);
    assert.equal(f.labels, 4);
    assert.equal(f.originalTtl, ttl);
    assert.equal(f.keyTag, key.keyTag);
    assert.equal(verifyRrsig(rrsig, owner, type, ttl, rdatas, dnskey), true);
    // Order and duplicates do not matter to the verifier either.
    assert.equal(verifyRrsig(rrsig, owner, type, ttl, [...rdatas].reverse().concat(rdatas[0]), dnskey), true);
    const data = signedData(rrsigHeader(f), owner, type, 1, ttl, rdatas);
    assert.equal(osslVerify('sha256', data, { key: pub, dsaEncoding: 'ieee-p1363' }, f.signature), true);
    // Any change to the RRset breaks it.
    const changed = rdatas.map((r) => Buffer.from(r));
    changed.push(Buffer.from('extra'));
    assert.equal(verifyRrsig(rrsig, owner, type, ttl, changed, dnskey), false);
    assert.equal(verifyRrsig(rrsig, owner, type, ttl + 1, rdatas, dnskey), false); // TTL above Original TTL
  }
});

test('wildcard RRset: labels excludes "*", and an expanded answer verifies (RFC 4035 §5.3.2)', () => {
  const { key, dnskey } = setup();
  const rdatas = [Buffer.from([192, 0, 2, 7])];
  const rrsig = signRRset({ owner: '*.w.example.com.', type: RRType.A, ttl: 300, rdatas }, key, validity, 'example.com.');
  assert.equal(parseRrsig(rrsig).labels, 3);
  assert.equal(verifyRrsig(rrsig, '*.w.example.com.', RRType.A, 300, rdatas, dnskey), true);
  assert.equal(verifyRrsig(rrsig, 'anything.w.example.com.', RRType.A, 300, rdatas, dnskey), true);
  assert.equal(verifyRrsig(rrsig, 'a.b.w.example.com.', RRType.A, 300, rdatas, dnskey), true);
  assert.equal(verifyRrsig(rrsig, 'x.other.example.com.', RRType.A, 300, rdatas, dnskey), false);
  assert.equal(verifyRrsig(rrsig, 'example.com.', RRType.A, 300, rdatas, dnskey), false); // fewer labels than signed
});

test('verifyRrsig rejects a wrong key, non-zone key, wrong algorithm', () => {
  const { key, dnskey } = setup();
  const other = setup();
  const rdatas = [Buffer.from('hello')];
  const rrsig = signRRset({ owner: 'example.com.', type: RRType.TXT, ttl: 60, rdatas }, key, validity, 'example.com.');
  assert.equal(verifyRrsig(rrsig, 'example.com.', RRType.TXT, 60, rdatas, other.dnskey), false);
  const noZoneBit = Buffer.from(dnskey); noZoneBit[0] = 0;
  assert.equal(verifyRrsig(rrsig, 'example.com.', RRType.TXT, 60, rdatas, noZoneBit), false);
  const wrongAlg = Buffer.from(rrsig); wrongAlg[2] = 8;
  assert.equal(verifyRrsig(wrongAlg, 'example.com.', RRType.TXT, 60, rdatas, dnskey), false);
  assert.equal(verifyRrsig(Buffer.alloc(5), 'example.com.', RRType.TXT, 60, rdatas, dnskey), false);
});

test('MemoryKeyStore: roles, flags, active keys', () => {
  const store = new MemoryKeyStore();
  const ksk = store.addKey('example.com.', generateKeyPair().privateKeyPkcs8, 'ksk');
  const zsk = store.addKey('example.com.', generateKeyPair().privateKeyPkcs8, 'zsk');
  const retired = store.addKey('example.com.', generateKeyPair().privateKeyPkcs8, 'zsk', false);
  const csk = store.addKey('example.org.', generateKeyPair().privateKeyPkcs8, 'csk');
  assert.equal(ksk.flags, 257);
  assert.equal(zsk.flags, 256);
  assert.deepEqual(store.listKeys('example.com.').map((k) => k.keyTag), [ksk.keyTag, zsk.keyTag, retired.keyTag]);
  assert.deepEqual(store.signingKeys('example.com.', 'ksk').map((k) => k.keyTag), [ksk.keyTag]);
  assert.deepEqual(store.signingKeys('example.com.', 'zsk').map((k) => k.keyTag), [zsk.keyTag]);
  assert.deepEqual(store.signingKeys('example.org.', 'ksk').map((k) => k.keyTag), [csk.keyTag]);
  assert.deepEqual(store.signingKeys('example.org.', 'zsk').map((k) => k.keyTag), [csk.keyTag]);
  assert.deepEqual(store.listKeys('nowhere.'), []);
  assert.deepEqual(dnskeyRdata(257, ksk.dnskey.subarray(4)), ksk.dnskey);
});
