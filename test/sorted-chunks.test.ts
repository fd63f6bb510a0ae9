// SortedChunks against a plain sorted array: random inserts/removals with tiny chunks force splits and empty chunks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SortedChunks } from '../signer/sorted-chunks.js';

interface E { hash: string }

function reference(list: E[], key: string): { atOrBefore: E; } {
  const sorted = [...list].sort((a, b) => (a.hash < b.hash ? -1 : 1));
  const exact = sorted.find((e) => e.hash === key);
  const below = sorted.filter((e) => e.hash < key);
  return { atOrBefore: exact ?? (below.length ? below[below.length - 1] : sorted[sorted.length - 1]) };
}

// Keys of 3 characters differ in their numeric prefix (the first 6 octets); keys that share
// 6 octets and differ after them exercise the full-string comparison on prefix ties. Searches
// start where interpolation puts a key: 3-letter keys are bunched (the guesses are poor and
// the gallop does the work), 20-octet random keys are spread evenly like NSEC3 hashes.
const KINDS = [['short keys', '', 3, 26, 97], ['keys sharing their first 6 octets', 'abcdef', 3, 26, 97], ['20-octet random keys, as NSEC3 hashes', '', 20, 256, 0]] as const;
for (const [what, shared, length, spread, base] of KINDS)
test(`SortedChunks agrees with a sorted array under random edits (${what})`, () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const key = () => shared + String.fromCharCode(...Array.from({ length }, () => base + Math.floor(rnd() * spread)));
  for (const chunkSize of [1, 2, 3, 8, 64]) {
    const sc = new SortedChunks<E>(chunkSize);
    const byKey = new Map<string, E>();
    for (let step = 0; step < 3000; step++) {
      const k = key();
      if (rnd() < 0.6) {
        const e = { hash: k };
        assert.equal(sc.insert(e), !byKey.has(k));
        if (!byKey.has(k)) byKey.set(k, e);
      } else if (byKey.has(k)) {
        assert.equal(sc.remove(byKey.get(k)!), true);
        byKey.delete(k);
      } else {
        assert.equal(sc.remove({ hash: k }), false);
      }
      assert.equal(sc.size, byKey.size);
      if (byKey.size === 0) continue;
      const q = key();
      const list = [...byKey.values()];
      assert.equal(sc.atOrBefore(q), reference(list, q).atOrBefore, `atOrBefore(${q}) chunk ${chunkSize}`);
      const sorted = list.sort((a, b) => (a.hash < b.hash ? -1 : 1));
      const i = Math.floor(rnd() * sorted.length);
      assert.equal(sc.after(sorted[i]), sorted[(i + 1) % sorted.length]);
      assert.equal(sc.before(sorted[i]), sorted[(i - 1 + sorted.length) % sorted.length]);
      assert.equal(sc.find(sorted[i].hash), sorted[i]);
    }
    assert.deepEqual([...sc].map((e) => e.hash), [...byKey.keys()].sort());
  }
});

test('reset() from a sorted list, then iterate in order', () => {
  const sc = new SortedChunks<E>(4);
  const list = Array.from({ length: 37 }, (_, i) => ({ hash: String(i).padStart(3, '0') }));
  sc.reset(list);
  assert.equal(sc.size, 37);
  assert.deepEqual([...sc], list);
  assert.equal(sc.atOrBefore('0005'), list[0]);
  assert.equal(sc.atOrBefore('/'), list[36], 'below the first wraps to the last');
});

test('positions: one per entry, each naming the entry atOrBefore finds, through splits and removals', () => {
  let seed = 11;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const key = () => String.fromCharCode(...Array.from({ length: 20 }, () => Math.floor(rnd() * 256)));
  for (const chunkSize of [1, 3, 16]) {
    const sc = new SortedChunks<E>(chunkSize);
    const held: E[] = [];
    for (let step = 0; step < 1500; step++) {
      if (rnd() < 0.7 || held.length === 0) { const e = { hash: key() }; if (sc.insert(e)) held.push(e); }
      else sc.remove(held.splice(Math.floor(rnd() * held.length), 1)[0]);
      if (held.length === 0) continue;
      const q = key();
      assert.equal(sc.at(sc.positionAtOrBefore(q)), sc.atOrBefore(q), `chunk ${chunkSize}: the position names atOrBefore's entry`);
    }
    // An entry's own key gives its position, and no two entries share one.
    const positions = held.map((e) => sc.positionAtOrBefore(e.hash));
    held.forEach((e, i) => assert.equal(sc.at(positions[i]), e));
    assert.equal(new Set(positions).size, held.length, `chunk ${chunkSize}: positions are distinct`);
  }
});
