// Signatures per second: deterministic ECDSA in the addon and in JavaScript, against node:crypto's randomised signing.
import { randomBytes, sign } from 'node:crypto';
import { generateKeyPair, privateKeyFromPkcs8 } from '../signer/algorithms.js';
import { signP256Deterministic, signInJavaScript, nativeEcdsa } from '../signer/deterministic-ecdsa.js';

const N = Number(process.env.BENCH_N ?? 20_000);
const key = privateKeyFromPkcs8(generateKeyPair().privateKeyPkcs8);
const messages = Array.from({ length: 256 }, (_, i) => randomBytes(64 + (i % 136)));

function measure(name: string, n: number, f: (m: Buffer) => Buffer): void {
  for (let i = 0; i < 500; i++) f(messages[i & 255]);
  const t = performance.now();
  for (let i = 0; i < n; i++) f(messages[i & 255]);
  const us = ((performance.now() - t) * 1000) / n;
  console.log(`${name.padEnd(34)} ${us.toFixed(1).padStart(6)} µs  ${Math.round(1e6 / us).toLocaleString('en-US').padStart(7)} sig/s`);
}

measure('node:crypto (randomised)', N, (m) => sign('sha256', m, { key, dsaEncoding: 'ieee-p1363' }));
if (nativeEcdsa.available) measure('RFC 6979, addon', N, (m) => signP256Deterministic(key, m));
else console.log(`RFC 6979, addon: not built (${nativeEcdsa.reason})`);
measure('RFC 6979, JavaScript fallback', Math.max(1000, N / 4), (m) => signInJavaScript(key, m));
