// The RFC 7583 schedule as a table: each key's next transition and what is due, from the policy, the zone's TTLs and the clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextTransition, dueSteps, type ScheduleKey, type SchedulePolicy, type ZoneTtls } from '../signer/key-schedule.js';

const P: SchedulePolicy = { zskLifetime: 100, kskLifetime: 1000, cskLifetime: 0, propagationDelay: 10 };
const TTL: ZoneTtls = { dnskey: 30, maxSigned: 60, ds: 50 };
const key = (id: number, role: ScheduleKey['role'], state: ScheduleKey['state'], since: number, dsSeenAt: number | null = null): ScheduleKey => ({ id, role, state, since, dsSeenAt });

test('ZSK pre-publication: rollover at lifetime, active after Ipub = Dprp + TTL(DNSKEY), removed after Iret = Dprp + largest TTL', () => {
  const z1 = key(1, 'zsk', 'active', 0);
  assert.deepEqual(nextTransition(z1, [z1], P, TTL), { to: 'rollover', at: 100 });
  assert.deepEqual(dueSteps([z1], P, TTL, 99), { start: [], moves: [], remove: [] });
  assert.deepEqual(dueSteps([z1], P, TTL, 100).start, ['zsk']);
  const z2 = key(2, 'zsk', 'published', 100);
  assert.equal(nextTransition(z1, [z1, z2], P, TTL), undefined, 'no second rollover while one is on its way in');
  assert.deepEqual(nextTransition(z2, [z1, z2], P, TTL), { to: 'active', at: 140 });
  assert.deepEqual(dueSteps([z1, z2], P, TTL, 140).moves, [{ id: 2, state: 'active' }, { id: 1, state: 'retired' }], 'the old key retires in the same step');
  const z1r = key(1, 'zsk', 'retired', 140);
  assert.deepEqual(nextTransition(z1r, [z1r], P, TTL), { to: 'removed', at: 210 });
  assert.deepEqual(dueSteps([z1r, key(2, 'zsk', 'active', 140)], P, TTL, 210).remove, [1]);
});

test('KSK double DS: ready after Dprp + TTL(DNSKEY), active only 2 × TTL(DS) after the parent serves the DS, retired removed after Dprp + TTL(DNSKEY)', () => {
  const k1 = key(1, 'ksk', 'active', 0);
  const k2 = key(2, 'ksk', 'published', 1000);
  assert.deepEqual(nextTransition(k2, [k1, k2], P, TTL), { to: 'ready', at: 1040 });
  const k2r = key(2, 'ksk', 'ready', 1040);
  assert.deepEqual(nextTransition(k2r, [k1, k2r], P, TTL), { to: 'active', at: null }, 'waits for the parent, however long');
  assert.deepEqual(dueSteps([k1, k2r], P, TTL, 10 ** 9), { start: [], moves: [], remove: [] });
  const seen = key(2, 'ksk', 'ready', 1040, 2000);
  assert.deepEqual(nextTransition(seen, [k1, seen], P, { ...TTL, ds: undefined }), { to: 'active', at: null }, 'DS TTL unknown: no time yet');
  assert.deepEqual(nextTransition(seen, [k1, seen], P, TTL), { to: 'active', at: 2100 });
  assert.deepEqual(dueSteps([k1, seen], P, TTL, 2100).moves, [{ id: 2, state: 'active' }, { id: 1, state: 'retired' }]);
  assert.deepEqual(nextTransition(key(1, 'ksk', 'retired', 2100), [], P, TTL), { to: 'removed', at: 2140 });
  // A CSK's signatures were on zone data too: its retired wait is the largest TTL.
  assert.deepEqual(nextTransition(key(3, 'csk', 'retired', 2100), [], P, TTL), { to: 'removed', at: 2170 });
});

test('no lifetime: an active key never rolls; a rollover under way still finishes', () => {
  const never: SchedulePolicy = { ...P, zskLifetime: 0, kskLifetime: 0 };
  assert.equal(nextTransition(key(1, 'zsk', 'active', 0), [], never, TTL), undefined);
  assert.deepEqual(dueSteps([key(1, 'zsk', 'active', 0), key(2, 'zsk', 'published', 0)], never, TTL, 40).moves, [{ id: 2, state: 'active' }, { id: 1, state: 'retired' }]);
});
