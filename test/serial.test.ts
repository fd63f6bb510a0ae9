// SOA serial policies (RFC 1982 arithmetic): increment, and unixtime that never goes backwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextSerial } from '../zones/commit-plan.js';

test('increment: +1, wrapping past 2^32-1 to 1 (never 0)', () => {
  assert.equal(nextSerial(2024010101, 'increment', 1_800_000_000), 2024010102);
  assert.equal(nextSerial(0xffffffff, 'increment', 1_800_000_000), 1);
});

test('unixtime: the clock when it is ahead, else +1', () => {
  assert.equal(nextSerial(2024010101, 'unixtime', 2_100_000_000), 2_100_000_000);
  assert.equal(nextSerial(1_800_000_005, 'unixtime', 1_800_000_000), 1_800_000_006, 'two edits in one second');
});
