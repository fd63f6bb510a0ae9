// The zone-file and JSON-body fuzzers (seed printed; FUZZ_SEED repeats a run): mutated master files into the parser
// (ZoneParseError or records that survive a write and re-read, never another exception, never slow), and mutated
// bodies into the REST and PowerDNS-compatible APIs (never a 5xx).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, apiServer } from './helpers/api.js';
import { pdnsServer } from './helpers/pdns-api.js';
import { Rng } from './fuzz/rng.js';
import { fuzzZoneFiles } from './fuzz/zonefile-fuzz.js';
import { fuzzJsonBodies, PDNS_SEEDS, REST_SEEDS } from './fuzz/json-fuzz.js';

const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);

test('zone-file fuzzer: 20,000 mutated master files parse or throw ZoneParseError, and what parses survives a write and re-read', { timeout: 120_000 }, (t) => {
  t.diagnostic(`seed ${seed} (FUZZ_SEED=${seed} repeats this run)`);
  const files = ['example.com.zone', 'rich.zone', 'ttl-rfc1035.zone', 'child.example.com.zone', 'example.net.zone'].map(fixture);
  const r = fuzzZoneFiles(files, 'example.com.', 20_000, new Rng(seed));
  t.diagnostic(`${r.parsed} parsed, ${r.refused} refused with ZoneParseError, slowest ${r.slowestMs.toFixed(0)} ms`);
  assert.deepEqual(r.failures, [], `seed ${seed}`);
  assert.ok(r.parsed > 500 && r.refused > 500, 'both outcomes are exercised');
  assert.ok(r.slowestMs < 2000, `slowest parse ${r.slowestMs} ms`);
});

test('JSON-body fuzzer: 3,000 mutated bodies to each of the REST and PowerDNS-compatible APIs, none answered 5xx', { timeout: 180_000 }, async (t) => {
  t.diagnostic(`seed ${seed} (FUZZ_SEED=${seed} repeats this run)`);
  const a = apiServer();
  const rest = await fuzzJsonBodies(a.app, a.admin, REST_SEEDS, 3000, new Rng(seed));
  t.diagnostic(`REST: ${JSON.stringify(rest.byStatus)}`);
  assert.deepEqual(rest.failures, [], `seed ${seed}`);
  const p = pdnsServer();
  const pdns = await fuzzJsonBodies(p.app, p.admin, PDNS_SEEDS, 3000, new Rng(seed));
  t.diagnostic(`PowerDNS: ${JSON.stringify(pdns.byStatus)}`);
  assert.deepEqual(pdns.failures, [], `seed ${seed}`);
  for (const r of [rest, pdns]) assert.ok((r.byStatus[400] ?? 0) + (r.byStatus[422] ?? 0) > 100 && Object.keys(r.byStatus).some((s) => Number(s) < 300), 'refusals and successes both');
});
