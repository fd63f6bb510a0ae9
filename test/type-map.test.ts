// TypeMap against a Map under random sets and deletes: same answers, same order, and iterations see a fixed view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TypeMap } from '../zones/model/type-map.js';
import { makeRRset, type RRset } from '../zones/model/rrset.js';

test('TypeMap behaves as a Map<number, RRset> under random edits', () => {
  let seed = 11;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  const tm = new TypeMap();
  const ref = new Map<number, RRset>();
  for (let step = 0; step < 5000; step++) {
    const type = 1 + rnd(8);
    if (rnd(3) === 0) {
      assert.equal(tm.delete(type), ref.delete(type));
    } else {
      const r = makeRRset('a.example.', type, step, [Buffer.from([step & 255])]);
      tm.set(type, r);
      ref.set(type, r);
    }
    assert.equal(tm.size, ref.size);
    assert.deepEqual([...tm.keys()], [...ref.keys()]);
    assert.deepEqual([...tm.values()], [...ref.values()]);
    for (let t = 0; t <= 9; t++) {
      assert.equal(tm.get(t), ref.get(t));
      assert.equal(tm.has(t), ref.has(t));
    }
  }
});

test('TypeMap: an iteration keeps the view it started with while the map changes', () => {
  const tm = new TypeMap();
  const a = makeRRset('a.example.', 1, 60, [Buffer.from([1, 2, 3, 4])]);
  const b = makeRRset('a.example.', 28, 60, [Buffer.alloc(16)]);
  tm.set(1, a);
  tm.set(28, b);
  const seen: RRset[] = [];
  for (const r of tm.values()) {
    seen.push(r);
    tm.delete(28);
    tm.set(16, a);
  }
  assert.deepEqual(seen, [a, b]);
  assert.deepEqual([...tm.keys()], [1, 16]);
});

test('makeRRset drops duplicate RDATA and sorts by octets', () => {
  const r = makeRRset('a.example.', 16, 60, [Buffer.from('b'), Buffer.from('a'), Buffer.from('b'), Buffer.from('a')]);
  assert.deepEqual(r.rdatas.map((x) => x.toString()), ['a', 'b']);
  assert.ok(Object.isFrozen(r.rdatas));
});
