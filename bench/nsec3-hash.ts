// Benchmark: NSEC3 hashes per second (nsec3Hash) for random query names, at RFC 9276 and legacy parameters.
import { randomBytes } from 'node:crypto';
import { nsec3Hash } from '../signer/nsec3.js';

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
