// The serving process's heap-growth policy (server/heap-policy.ts): which flag it asks V8 for, and when.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heapGrowingPercent, growthSetByOperator, startHeapPolicy, SMALL_HEAP_BYTES, SMALL_HEAP_GROWING_PERCENT } from '../server/heap-policy.js';

test('heap policy: small live heaps get a fixed growth allowance, big ones are left to V8', () => {
  assert.equal(heapGrowingPercent(30 << 20), SMALL_HEAP_GROWING_PERCENT);
  assert.equal(heapGrowingPercent(SMALL_HEAP_BYTES), SMALL_HEAP_GROWING_PERCENT);
  assert.equal(heapGrowingPercent(SMALL_HEAP_BYTES + 1), 0);
  // The million-record zone's heap (about 1 GB) must not get twice its size as room.
  assert.equal(heapGrowingPercent(1 << 30), 0);
});

test('heap policy: tells V8 once at start, again only when the heap crosses the bound, and never over an operator flag', () => {
  const set: string[] = [];
  const logs: string[] = [];
  let used = 40 << 20;
  const stop = startHeapPolicy((m) => logs.push(m), (f) => set.push(f), () => used, []);
  stop();
  assert.deepEqual(set, [`--heap-growing-percent=${SMALL_HEAP_GROWING_PERCENT}`]);
  assert.match(logs[0], /heap: live heap under 256 MB/);

  set.length = 0;
  used = 2 ** 31;
  startHeapPolicy(() => {}, (f) => set.push(f), () => used, [])();
  assert.equal(set.length, 0, 'a big heap at start: V8 keeps its own growth, nothing to set');

  set.length = 0;
  assert.equal(growthSetByOperator(['--heap-growing-percent=50']), true);
  assert.equal(growthSetByOperator(['--max-old-space-size=4096']), false);
  startHeapPolicy(() => {}, (f) => set.push(f), () => 1, ['--heap-growing-percent=50'])();
  assert.equal(set.length, 0, 'an operator flag stays in charge');
});

test('heap policy: a heap that grows past the bound is handed back to V8 at the next look', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const set: string[] = [];
  let used = 40 << 20;
  const stop = startHeapPolicy(() => {}, (f) => set.push(f), () => used, []);
  try {
    t.mock.timers.tick(10_000);
    assert.deepEqual(set, [`--heap-growing-percent=${SMALL_HEAP_GROWING_PERCENT}`], 'no change, no call');
    used = 300 << 20;
    t.mock.timers.tick(10_000);
    assert.equal(set.at(-1), '--heap-growing-percent=0');
    used = 50 << 20;
    t.mock.timers.tick(10_000);
    assert.equal(set.at(-1), `--heap-growing-percent=${SMALL_HEAP_GROWING_PERCENT}`);
    assert.equal(set.length, 3);
  } finally {
    stop();
  }
});
