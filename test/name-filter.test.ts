// The zone's name filter: never "no" for a held name (through growth, removal and saturated counters), and "no" for most missing ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NameFilter, suffixHash, SUFFIX_HASH_SEED } from '../zones/model/name-filter.js';
import { Zone, newDelta } from '../zones/zone.js';
import { makeRRset } from '../zones/model/rrset.js';
import { RRType } from '../zones/model/types.js';
import { lookup } from '../server/query/resolve.js';

const hashOf = (name: string) => suffixHash(name, 0, name.length, SUFFIX_HASH_SEED);

/** xorshift32: repeatable, and its low bits are as random as its high ones. */
function seeded(seed: number): (n: number) => number {
  return (n) => {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
}

/** The share of `tries` random names under example.com. that the filter lets through ("maybe"). */
function passRate(filter: NameFilter, rnd: (n: number) => number, tries: number): number {
  let maybe = 0;
  for (let i = 0; i < tries; i++) if (filter.mayHold(hashOf(`r${rnd(1 << 30).toString(16)}x.example.com.`))) maybe++;
  return maybe / tries;
}

test('suffixHash extended label by label equals the hash of the whole suffix', () => {
  const name = 'a.bb.ccc.example.com.';
  let h = SUFFIX_HASH_SEED;
  let end = name.length;
  for (const start of [9, 5, 2, 0]) {
    h = suffixHash(name, start, end, h);
    end = start;
    assert.equal(h, hashOf(name.slice(start)), `suffix from ${start}`);
  }
});

test('NameFilter against a Set under random adds and removes: held names always "maybe", most missing names "no"', () => {
  const rnd = seeded(7);
  const held = new Set<string>();
  const filter = new NameFilter(() => held);
  const universe = Array.from({ length: 20_000 }, (_, i) => `h${i}.example.com.`);
  for (let step = 0; step < 60_000; step++) {
    const name = universe[rnd(universe.length)];
    // Grow first, then churn: the table is rebuilt several times on the way up.
    if (held.has(name) && (step > 30_000 ? rnd(2) === 0 : rnd(8) === 0)) {
      held.delete(name);
      filter.remove(name);
    } else if (!held.has(name)) {
      held.add(name);
      filter.add(name);
    }
    if (step % 1000 === 0) for (const h of held) assert.ok(filter.mayHold(hashOf(h)), `${h} is held at step ${step}`);
  }
  for (const h of held) assert.ok(filter.mayHold(hashOf(h)), `${h} is held`);
  // Missing names: random labels, as a flood sends them. Most must be told apart without the Map.
  const rate = passRate(filter, rnd, 20_000);
  assert.ok(held.size > 1000, `${held.size} names held`);
  // About 20 slots a name here: three slots per name pass about 0.5% (one slot would pass 18%).
  assert.ok(rate < 0.02, `${rate} of missing names got "maybe"`);
});

test('NameFilter at its fullest, just before it grows: still "no" for all but a few percent of missing names', () => {
  // 32,768 names in 262,144 slots is 8 a name, the fewest the table keeps: three slots per
  // name in one block pass about 3.8% of missing names there; one slot per name would pass
  // 12% at this density, and 22% at 4 slots a name.
  const held = Array.from({ length: 32_768 }, (_, i) => `host-${i}.example.com.`);
  const filter = new NameFilter(() => held);
  for (const name of held) filter.add(name);
  for (const name of held) assert.ok(filter.mayHold(hashOf(name)), `${name} is held`);
  const rnd = seeded(11);
  const full = passRate(filter, rnd, 50_000);
  assert.ok(full < 0.05, `${full} of missing names got "maybe"`);
  // One more name grows the table, and the rate falls with it.
  held.push('one-more.example.com.');
  filter.add('one-more.example.com.');
  const grown = passRate(filter, rnd, 50_000);
  assert.ok(grown < 0.005, `${grown} of missing names got "maybe" after growing`);
});

test('NameFilter: a counter that saturates stays "maybe" rather than wrapping to "no"', () => {
  const held: string[] = [];
  const filter = new NameFilter(() => held);
  // The same name added 300 times drives its slot's one-octet counter past 255; with 256 or
  // one copy left, a counter kept modulo 256 would read 0 or 1 where the truth is 256.
  for (let i = 0; i < 300; i++) { held.push('x.example.'); filter.add('x.example.'); }
  for (let i = 0; i < 44; i++) { held.pop(); filter.remove('x.example.'); }
  assert.ok(filter.mayHold(hashOf('x.example.')), '256 copies are still held');
  for (let i = 0; i < 255; i++) { held.pop(); filter.remove('x.example.'); }
  assert.ok(filter.mayHold(hashOf('x.example.')), 'one copy is still held');
});

test('Zone: every name a lookup can reach passes the filter after random edits, and lookups agree with the node map', () => {
  const rnd = seeded(3);
  const zone = new Zone('example.');
  zone.setRRset('example.', RRType.SOA, makeRRset('example.', RRType.SOA, 60, [Buffer.alloc(22)]), newDelta());
  const labels = ['a', 'b', 'c', '*', 'www', '_tcp', '_443'];
  const randomName = () => {
    let n = 'example.';
    for (let depth = 1 + rnd(4); depth > 0; depth--) n = `${labels[rnd(labels.length)]}.${n}`;
    return n;
  };
  const seen = new Set<string>();
  for (let step = 0; step < 4000; step++) {
    const name = randomName();
    seen.add(name);
    const put = rnd(3) !== 0;
    zone.setRRset(name, RRType.A, put ? makeRRset(name, RRType.A, 60, [Buffer.from([10, 0, 0, step & 255])]) : undefined, newDelta());
  }
  for (const name of seen) {
    const node = zone.get(name);
    if (node) assert.ok(zone.mayHold(hashOf(name)), `${name} exists`);
    const r = lookup(zone, name, RRType.A);
    // A name that exists is never reported missing; a missing one is, unless a wildcard matched it.
    if (node && node.rrsets.has(RRType.A)) assert.equal(r.kind, 'answer', name);
    if (node && !node.rrsets.has(RRType.A)) assert.equal(r.kind, 'nodata', name);
    if (!node) assert.ok(r.kind === 'nxdomain' || ('wildcard' in r && r.wildcard !== undefined), `${name}: ${r.kind}`);
  }
  for (const name of zone.nodes.keys()) assert.ok(zone.mayHold(hashOf(name)), `${name} exists`);
});

test('lookups between edits see each node exactly as the Map holds it: a node found lately never outlives its removal', () => {
  const rnd = seeded(5);
  const zone = new Zone('example.');
  zone.setRRset('example.', RRType.SOA, makeRRset('example.', RRType.SOA, 60, [Buffer.alloc(22)]), newDelta());
  const labels = ['a', 'b', 'c', 'www', '_tcp'];
  for (let step = 0; step < 3000; step++) {
    let name = 'example.';
    for (let depth = 1 + rnd(3); depth > 0; depth--) name = `${labels[rnd(labels.length)]}.${name}`;
    const put = rnd(2) === 0;
    zone.setRRset(name, RRType.A, put ? makeRRset(name, RRType.A, 60, [Buffer.from([10, 0, 0, step & 255])]) : undefined, newDelta());
    // The name itself and a name below it, through the table of nodes found lately.
    for (const q of [name, `x.${name}`]) {
      const r = lookup(zone, q, RRType.A);
      const node = zone.get(q);
      if (node) assert.equal(r.kind, node.rrsets.has(RRType.A) ? 'answer' : 'nodata', `${q} at step ${step}`);
      else {
        assert.equal(r.kind, 'nxdomain', `${q} at step ${step}`);
        // The closest encloser is the deepest ancestor the Map holds.
        let ce = q.slice(q.indexOf('.') + 1);
        while (!zone.get(ce)) ce = ce.slice(ce.indexOf('.') + 1);
        assert.equal((r as { closestEncloser: string }).closestEncloser, ce, `${q} at step ${step}`);
      }
    }
  }
});
