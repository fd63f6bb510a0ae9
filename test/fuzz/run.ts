// The packet fuzzer from the command line, for long runs: node dist/test/fuzz/run.js --packets 10000000 [--seed N] [--burst N]
// Prints progress (packets, rate, replies, RSS per server process) and exits 1 on any failure.
import { parseArgs } from 'node:util';
import { tmpDir } from '../helpers/server.js';
import { childPids, fuzzDatabase, fuzzServer, rssMb, runPacketFuzz, type FuzzStats } from './packet-fuzzer.js';

const { values } = parseArgs({ options: { packets: { type: 'string', default: '1000000' }, seed: { type: 'string' }, burst: { type: 'string', default: '1000' } } });
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const packets = Number(values.packets);
const mb = (xs: number[]) => xs.map((x) => x.toFixed(1)).join('/');
const line = (s: FuzzStats) => `${new Date().toISOString()} seed ${seed}: ${s.sent} packets (${s.udp} udp, ${s.tcp} tcp, ${s.framingLies} framing lies) in ${(s.ms / 1000).toFixed(0)} s `
  + `(${Math.round(s.sent / (s.ms / 1000))}/s), ${s.replies} replies, ${s.crashes} crashes, ${s.hangs} hangs, ${s.failures.length} failures, RSS MB baseline ${mb(s.rssBaseline)}, now ${mb([server.proc.pid!, ...childPids(server.proc.pid!)].map(rssMb))}`;

const { dir, cleanup } = tmpDir('daneprime-fuzz-');
console.log(`seed ${seed}, ${packets} packets, dir ${dir}`);
const { db, keys } = fuzzDatabase(dir);
const server = await fuzzServer(db);
let s: FuzzStats;
try {
  s = await runPacketFuzz(server, keys, { packets, seed, burst: Number(values.burst), progressEvery: 100_000, progress: (p) => console.log(line(p)), onFailure: (m) => console.log(`FAIL ${m}`) });
} finally {
  await server.stop();
}
console.log(`${line(s)}, end ${mb(s.rssEnd)}; worker PIDs ${s.pidsStart.join(',')} → ${s.pidsEnd.join(',')}`);
if (process.env.FUZZ_LOG) console.log(server.log());
if (!process.env.FUZZ_KEEP) cleanup();
process.exit(s.failures.length ? 1 : 0);
