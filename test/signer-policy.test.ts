// Validity policy: inception/expiration with jitter, refresh and servability under 32-bit serial arithmetic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signatureValidity, needsRefresh, isServable, serialDiff, validitySeed } from '../signer/policy.js';

const DAY = 86400;
const now = 1_767_225_600; // 2026-01-01T00:00:00Z, injected

test('validity: inception now−1h, expiration now+14d plus per-RRset jitter ≤ 1d, deterministic', () => {
  const plain = signatureValidity(now);
  assert.deepEqual(plain, { inception: now - 3600, expiration: now + 14 * DAY });
  const seeds = Array.from({ length: 200 }, (_, i) => validitySeed(`h${i}.example.`, 1));
  const exps = seeds.map((seed) => signatureValidity(now, { seed }).expiration);
  for (const e of exps) assert.ok(e >= now + 14 * DAY && e <= now + 15 * DAY);
  assert.ok(new Set(exps).size > 150, 'jitter spreads RRsets');
  assert.deepEqual(signatureValidity(now, { seed: seeds[0] }), signatureValidity(now, { seed: seeds[0] }));
  assert.deepEqual(signatureValidity(now, { skew: 0, lifetime: 10, jitter: 0, seed: 'x' }), { inception: now, expiration: now + 10 });
});

test('needsRefresh: < 7 days left, or inception in the future', () => {
  const v = signatureValidity(now);
  assert.equal(needsRefresh(v, now), false);
  assert.equal(needsRefresh(v, now + 7 * DAY - 1), false);
  assert.equal(needsRefresh(v, now + 7 * DAY + 1), true);
  assert.equal(needsRefresh(v, now + 20 * DAY), true); // already expired
  assert.equal(needsRefresh(v, now - 2 * 3600), true); // clock went back past inception
  assert.equal(needsRefresh(v, now, 15 * DAY), true); // configurable threshold
});

test('isServable: inception ≤ now ≤ expiration', () => {
  const v = signatureValidity(now);
  assert.equal(isServable(v, now), true);
  assert.equal(isServable(v, v.inception), true);
  assert.equal(isServable(v, v.expiration), true);
  assert.equal(isServable(v, v.expiration + 1), false);
  assert.equal(isServable(v, v.inception - 1), false);
});

test('serial arithmetic across the 2106 wrap (RFC 4034 §3.1.5, RFC 1982)', () => {
  const nearWrap = 2 ** 32 - 3 * DAY; // early February 2106
  const v = signatureValidity(nearWrap);
  assert.ok(v.expiration < v.inception, 'expiration field wrapped past 2^32');
  assert.equal(isServable(v, nearWrap), true);
  assert.equal(isServable(v, nearWrap + 10 * DAY), true); // `now` beyond 2^32 is reduced too
  assert.equal(isServable(v, nearWrap + 15 * DAY), false);
  assert.equal(needsRefresh(v, nearWrap), false);
  assert.equal(needsRefresh(v, nearWrap + 8 * DAY), true);
  assert.equal(serialDiff(5, 2 ** 32 - 5), 10);
  assert.equal(serialDiff(2 ** 32 - 5, 5), -10);
});
