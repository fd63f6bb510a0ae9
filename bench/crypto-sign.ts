// Benchmark: ECDSA P-256 signatures per second, node:crypto (OpenSSL) vs @noble/curves, on DNSSEC-sized messages.
import { randomBytes, randomInt } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { generateKeyPair, privateKeyFromPkcs8, signP256 } from '../signer/algorithms.js';

const RUNS = 5;
const N = Number(process.env.BENCH_N ?? 4000);

// Signed data for one RRset is roughly 64..200 octets (RRSIG header + a few small RRs).
const messages = Array.from({ length: 256 }, () => randomBytes(randomInt(64, 201)));
const { privateKeyPkcs8 } = generateKeyPair();
const key = privateKeyFromPkcs8(privateKeyPkcs8);
// noble gets its own random key: our KeyObject is never exported in any form but PKCS#8.
const nobleKey = p256.utils.randomSecretKey();

function rate(n: number, fn: (m: Buffer) => unknown): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(messages[i & 255]);
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(label: string, n: number, fn: (m: Buffer) => unknown): number {
  rate(Math.min(n, 500), fn); // warm-up (JIT, table precomputation)
  const runs = Array.from({ length: RUNS }, () => rate(n, fn));
  const m = median(runs);
  console.log(`${label.padEnd(22)} median ${m.toFixed(0).padStart(8)} sig/s   runs: ${runs.map((r) => r.toFixed(0)).join(' ')}`);
  return m;
}

const ossl = measure('node:crypto sign', N, (m) => signP256(key, m));
const noble = measure('@noble/curves sign', Math.max(200, N / 10), (m) => p256.sign(m, nobleKey, { prehash: true, lowS: false }));
console.log(`ratio node:crypto / noble = ${(ossl / noble).toFixed(1)}×   (node ${process.version}, ${process.arch})`);
