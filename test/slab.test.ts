// Slabs: buffers carved from shared slabs never overlap, and large ones get memory of their own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Slabs } from '../zones/util/slab.js';

test('slab buffers are disjoint, sized as asked, and outlive the slab they came from', () => {
  const slabs = new Slabs(1024);
  const got: Buffer[] = [];
  // 1,000 buffers of 1–128 octets: many slabs, each filled with its own index.
  for (let i = 0; i < 1000; i++) {
    const b = slabs.alloc(1 + (i % 128));
    assert.equal(b.length, 1 + (i % 128));
    b.fill(i & 0xff);
    got.push(b);
  }
  got.forEach((b, i) => assert.ok(b.every((x) => x === (i & 0xff)), `buffer ${i} kept its octets`));
  // Over an eighth of a slab: an ArrayBuffer of its own, not a slab's.
  const big = slabs.alloc(129);
  assert.equal(big.byteOffset, 0);
  assert.equal(big.buffer.byteLength, 129);
  assert.equal(slabs.alloc(0).length, 0);
});
