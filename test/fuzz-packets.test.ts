// The packet fuzzer in CI: 100,000 seeded mutations (seed printed; FUZZ_SEED repeats a run) against a live 2-worker
// server with every feature on. Every reply parses (dns-packet) with a request's ID, a sentinel is answered after every
// burst, no exception reaches the listeners, both workers live to the end, and RSS grows < 30 MB after warm-up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpDir } from './helpers/server.js';
import { fuzzDatabase, fuzzServer, runPacketFuzz } from './fuzz/packet-fuzzer.js';

const PACKETS = Number(process.env.FUZZ_PACKETS ?? 100_000);

test(`packet fuzzer: ${PACKETS} mutated packets over UDP and TCP, no crash, no hang, every reply parses, memory flat`, { timeout: 300_000 }, async (t) => {
  const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
  t.diagnostic(`seed ${seed} (FUZZ_SEED=${seed} repeats this run)`);
  const { dir, cleanup } = tmpDir('daneprime-fuzz-');
  t.after(cleanup);
  const { db, keys } = fuzzDatabase(dir);
  const server = await fuzzServer(db);
  t.after(() => server.stop());
  const s = await runPacketFuzz(server, keys, { packets: PACKETS, seed, warmupPackets: 20_000 });
  t.diagnostic(`${s.sent} packets (${s.udp} UDP, ${s.tcp} TCP, ${s.framingLies} framing lies) in ${s.ms} ms, ${s.replies} replies; `
    + `RSS MB ${s.rssBaseline.map((x) => x.toFixed(1))} → ${s.rssEnd.map((x) => x.toFixed(1))}`);
  assert.deepEqual(s.failures, [], `seed ${seed}`);
  assert.equal(s.sent, PACKETS);
  assert.equal(s.crashes, 0);
  assert.equal(s.hangs, 0);
  assert.ok(s.replies > PACKETS / 2, `most packets answered (${s.replies})`);
  assert.equal(s.pidsStart.length, 2, 'two workers');
  assert.deepEqual(s.pidsEnd, s.pidsStart, 'the same two workers at the end');
  for (const [i, mb] of s.rssEnd.entries()) assert.ok(mb - s.rssBaseline[i] < 30, `process ${i}: RSS ${s.rssBaseline[i].toFixed(1)} → ${mb.toFixed(1)} MB`);
});
