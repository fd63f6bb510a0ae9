// Benchmark: NSEC3 hashes per second (nsec3Hash) for random query names, at RFC 9276 and legacy parameters.
import { randomBytes } from 'node:crypto';
import { nsec3Hash } from '../signer/nsec3.js';
import { nativeSha1, sha1Input, sha1OfInput, sha1OfInputByCrypto } from '../signer/nsec3-sha1.js';
import { nameToWire } from '../zones/model/name.js';

const RUNS = 5;
const N = Number(process.env.BENCH_N ?? 200_000);
const names = Array.from({ length: 1024 }, () => `${randomBytes(6).toString('hex')}.www.example.com.`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const [label, salt, iterations] of [
  ['iterations 0, no salt', Buffer.alloc(0), 0],
  ['iterations 10, 8-octet salt', randomBytes(8), 10],
  ['iterations 100, 8-octet salt', randomBytes(8), 100],
] as [string, Buffer, number][]) {
  const n = Math.max(1000, Math.floor(N / (iterations + 1)));
  const once = () => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) nsec3Hash(names[i & 1023], salt, iterations);
    return n / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  once();
  const runs = Array.from({ length: RUNS }, once);
  console.log(`${label.padEnd(30)} median ${median(runs).toFixed(0).padStart(9)} hashes/s   runs: ${runs.map((r) => r.toFixed(0)).join(' ')}`);
}

// The SHA-1 under it: the addon (signer/native/sha1.c) against node:crypto's one-shot hash(),
// interleaved, over the same names written into the same input.
const wires = names.map((n) => nameToWire(n));
const sha1Rate = (digest: (n: number) => string) => {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) { const w = wires[i & 1023]; w.copy(sha1Input, 0); digest(w.length); }
  return N / (Number(process.hrtime.bigint() - t0) / 1e9);
};
if (!nativeSha1.available) console.log(`SHA-1 addon not loaded (${nativeSha1.reason}): nsec3Hash used node:crypto above`);
else {
  sha1Rate(sha1OfInput); sha1Rate(sha1OfInputByCrypto);
  const addon: number[] = [], crypto: number[] = [];
  for (let r = 0; r < RUNS; r++) { addon.push(sha1Rate(sha1OfInput)); crypto.push(sha1Rate(sha1OfInputByCrypto)); }
  const ns = (rate: number) => (1e9 / rate).toFixed(0);
  console.log(`SHA-1 of one name: addon ${ns(median(addon))} ns, node:crypto hash() ${ns(median(crypto))} ns (medians of ${RUNS}, interleaved; addon's time ÷ crypto's ${(median(crypto) / median(addon)).toFixed(2)})`);
}
