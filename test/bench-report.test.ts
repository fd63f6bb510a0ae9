// bench/lib/report.ts: ours ÷ peer by QPS is taken within each run, where both met the same machine phase.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarize, qpsRatio, ratio, type RunResult } from '../bench/lib/report.js';

const runs = (...qps: number[]) => ({ runs: qps.map((q): RunResult => ({ qps: q, completed: q * 5, lost: 0, servfail: 0, nxdomain: 0, avgLatency: 0.0005, maxLatency: 0.005, cpuSeconds: 1 } as RunResult)) });

test('the ratio is the median of the runs\' own ratios, not the ratio of the medians', () => {
  // A measured bench cell: the third run met a slow phase for ours only.
  const ours = summarize(runs(97570, 126363, 90459));
  const knot = summarize(runs(95313, 125763, 121229));
  assert.equal(ours.qps / knot.qps < 0.81, true, 'the medians alone say 0.80×');
  assert.ok(Math.abs(qpsRatio(ours, knot)! - 126363 / 125763) < 1e-9, 'the middle of 1.02, 1.00 and 0.75');
  assert.equal(ratio(ours, knot), '1.00×');
});

test('runs of different counts, or a peer that answered nothing in a run, fall back as they must', () => {
  assert.ok(Math.abs(qpsRatio(summarize(runs(100, 200, 300)), summarize(runs(100, 100)))! - 2) < 1e-9, 'unequal counts: the medians');
  assert.ok(Math.abs(qpsRatio(summarize(runs(100, 200, 300)), summarize(runs(0, 100, 100)))! - 2.5) < 1e-9, 'a run without answers from the peer is left out');
  assert.equal(ratio(summarize(runs(100)), summarize(runs(0))), '—');
  assert.equal(ratio(undefined, summarize(runs(100))), '—');
});
