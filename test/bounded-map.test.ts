// BoundedMap: two generations bounded by entry count and, with a weigher, by weight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedMap } from '../zones/util/bounded-map.js';

test('an entry-count bound: at most maxEntries held, the newest kept, an old hit promoted', () => {
  const m = new BoundedMap<number, string>(8);
  for (let i = 0; i < 100; i++) m.set(i, `v${i}`);
  assert.ok(m.size <= 8, `${m.size} held`);
  assert.equal(m.get(99), 'v99');
  assert.equal(m.get(0), undefined);
  // A hit in the old generation survives the next rotation.
  const survivor = [96, 97, 98, 99].find((k) => m.peek(k) !== undefined)!;
  m.get(survivor);
  for (let i = 100; i < 103; i++) m.set(i, `v${i}`);
  assert.equal(m.peek(survivor), `v${survivor}`);
});

test('a weight bound: values of 100 under a budget of 1,000 keep at most about 10, whatever the entry bound', () => {
  const m = new BoundedMap<number, Buffer>(1_000_000, { of: (b) => b.length, max: 1000 });
  for (let i = 0; i < 500; i++) m.set(i, Buffer.alloc(100));
  // Each generation closes at half the budget (5 values), so at most 10 are held.
  assert.ok(m.size <= 10 && m.size >= 5, `${m.size} held`);
  assert.ok(m.peek(499));
  assert.equal(m.peek(400), undefined);
  // Unweighted, the same puts are all held.
  const u = new BoundedMap<number, Buffer>(1_000_000);
  for (let i = 0; i < 500; i++) u.set(i, Buffer.alloc(100));
  assert.equal(u.size, 500);
});

test('one value heavier than the whole budget is held alone, until the next generation closes', () => {
  const m = new BoundedMap<string, Buffer>(100, { of: (b) => b.length, max: 10 });
  m.set('big', Buffer.alloc(1000));
  assert.ok(m.get('big'));
  m.set('small', Buffer.alloc(1));
  assert.ok(m.peek('big'), 'a small put does not close the generation');
  m.set('next', Buffer.alloc(5));
  assert.equal(m.peek('big'), undefined);
  assert.ok(m.peek('next'));
});
