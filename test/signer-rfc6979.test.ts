// RFC 6979 deterministic ECDSA: the Appendix A.2.5 vectors (P-256, SHA-256), repeatability, and independent verification.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { signP256Deterministic, signInJavaScript, nativeEcdsa } from '../signer/deterministic-ecdsa.js';
import { requirePresent } from './helpers/tools.js';
import { generateKeyPair, privateKeyFromPkcs8, verifyP256 } from '../signer/algorithms.js';

// RFC 6979 A.2.5: the P-256 key and the expected (r, s) with SHA-256.
const X = 'c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721';
const UX = '60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6';
const UY = '7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299';
const VECTORS = [
  { msg: 'sample', r: 'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716', s: 'f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8' },
  { msg: 'test', r: 'f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367', s: '019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083' },
];

function rfcKey() {
  const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');
  return createPrivateKey({ key: { kty: 'EC', crv: 'P-256', d: b64(X), x: b64(UX), y: b64(UY) }, format: 'jwk' });
}

test('RFC 6979 A.2.5: P-256 with SHA-256 signs "sample" and "test" to the published r and s, in the addon and in JavaScript', (t) => {
  const key = rfcKey();
  for (const [which, sign] of [['JavaScript', signInJavaScript], ['addon', signP256Deterministic]] as const) {
    if (which === 'addon' && !requirePresent(nativeEcdsa.available, `the ECDSA addon: ${nativeEcdsa.reason}`, t)) continue;
    for (const v of VECTORS) {
      const sig = sign(key, Buffer.from(v.msg));
      assert.equal(sig.subarray(0, 32).toString('hex'), v.r, `${which}: r for ${v.msg}`);
      assert.equal(sig.subarray(32).toString('hex'), v.s, `${which}: s for ${v.msg}`);
    }
  }
});

test('deterministic signatures repeat byte for byte, differ per message, and verify with an independent implementation', () => {
  const { privateKeyPkcs8, publicKey } = generateKeyPair();
  const key = privateKeyFromPkcs8(privateKeyPkcs8);
  // A second KeyObject for the same key (what another worker process loads): same signatures.
  const again = privateKeyFromPkcs8(privateKeyPkcs8);
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const data = randomBytes(20 + i * 7);
    const sig = signP256Deterministic(key, data);
    assert.deepEqual(signP256Deterministic(again, data), sig);
    assert.deepEqual(signInJavaScript(key, data), sig, 'the fallback makes the same signature');
    assert.ok(verifyP256(publicKey, data, sig));
    // noble implements RFC 6979 too: the same nonce, so the same bytes.
    const noble = p256.sign(data, privateKeyFromJwkScalar(privateKeyPkcs8), { prehash: true, lowS: false });
    assert.equal(Buffer.from(noble).toString('hex'), sig.toString('hex'));
    seen.add(sig.toString('hex'));
  }
  assert.equal(seen.size, 50);
});

function privateKeyFromJwkScalar(pkcs8: Buffer): Uint8Array {
  const jwk = privateKeyFromPkcs8(pkcs8).export({ format: 'jwk' });
  return Buffer.from(jwk.d!, 'base64url');
}
