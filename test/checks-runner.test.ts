// A check start to end with the probe stubbed: what is stored, which events are raised (and not raised twice), leftovers after a week, the schedule after a TLSA change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import { zonesFromText } from './helpers/dns.js';
import { makeCerts, newLeaf } from './helpers/certs.js';
import { readFileSync } from 'node:fs';
import { CheckRunner } from '../server/checks/runner.js';
import { CheckScheduler } from '../server/checks/scheduler.js';
import { planService, ServiceError } from '../server/checks/service-spec.js';
import type { ProbeOutcome } from '../server/checks/probe.js';
import type { CheckEvent } from '../server/checks/types.js';
import { waitFor } from './helpers/procs.js';
import { rdataFromText } from '../zones/model/rdata/index.js';

const certs = makeCerts('srv.example.test');
const leaf = new X509Certificate(certs.leafPem);
const next = new X509Certificate(readFileSync(newLeaf(certs.dir, 'srv.example.test', 'n').cert, 'utf8'));
const spki = (c: X509Certificate) => createHash('sha256').update(c.publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
const tlsFacts = { version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', group: 'X25519', aead: true, forwardSecrecy: true };

function setup() {
  const s = zonesFromText({ 'example.test': `$ORIGIN example.test.
@ 60 SOA ns1 h 1 7200 3600 1209600 60
@ 60 NS ns1
ns1 60 A 127.0.0.1
srv 60 A 192.0.2.7
srv 60 AAAA 2001:db8::7
_443._tcp.srv 60 TLSA 3 1 1 ${spki(leaf)}
_443._tcp.srv 60 TLSA 3 1 1 ${'cd'.repeat(32)}
` });
  let presented: X509Certificate[] = [leaf];
  const probed: string[] = [];
  const events: CheckEvent[] = [];
  const runner = new CheckRunner({
    store: s.store, now: () => s.clock.now, onEvent: (e) => events.push(e),
    probe: async (t): Promise<ProbeOutcome> => { probed.push(`${t.address}:${t.port} ${t.sni}`); return { tls: tlsFacts, plaintextAfterStartTls: false, chain: presented }; },
  });
  runner.checks.add(planService(s.store, { name: '_443._tcp.srv.example.test.' }, { mayConnect: true }, s.clock.now));
  return { ...s, runner, probed, events, present: (c: X509Certificate[]) => { presented = c; } };
}

test('endpoints are the host\'s A and AAAA from our zone; the check is stored with its fingerprints', async () => {
  const s = setup();
  const r = await s.runner.check('_443._tcp.srv.example.test.');
  assert.deepEqual(s.probed.sort(), ['192.0.2.7:443 srv.example.test.', '2001:db8::7:443 srv.example.test.']);
  assert.equal(r.verdict, 'match');
  assert.deepEqual(r.endpoints.map((e) => e.address), ['192.0.2.7:443', '[2001:db8::7]:443']);
  const svc = s.runner.checks.service('_443._tcp.srv.example.test.')!;
  assert.equal(svc.last_verdict, 'match');
  assert.equal(s.runner.checks.fingerprints(svc.id).length, 2);
  // The first check raises nothing but what is wrong: here, nothing.
  assert.deepEqual(s.events, []);
});

test('a planned rollover is a notice; a key matching nothing is critical, once', async () => {
  const s = setup();
  await s.runner.check('_443._tcp.srv.example.test.');
  // The next key, not in the TLSA set.
  s.present([next]);
  s.clock.now += 60;
  const r = await s.runner.check('_443._tcp.srv.example.test.');
  assert.equal(r.verdict, 'mismatch');
  const changed = s.events.filter((e) => e.kind === 'key-changed-without-rollover');
  assert.equal(changed.length, 2);
  assert.ok(changed.every((e) => e.level === 'critical' && /matches no TLSA record/.test(e.message)));
  assert.equal(s.events.filter((e) => e.kind === 'mismatch').length, 2);
  // The same state again: nothing new.
  const n = s.events.length;
  await s.runner.check('_443._tcp.srv.example.test.');
  assert.equal(s.events.length, n);
  // Back to the published key: a notice per endpoint.
  s.present([leaf]);
  await s.runner.check('_443._tcp.srv.example.test.');
  const back = s.events.slice(n).filter((e) => e.kind === 'key-changed');
  assert.equal(back.length, 2);
  assert.ok(back.every((e) => e.level === 'notice'));
});

test('a record that matched nothing for 7 days is a leftover notice, raised once', async () => {
  const s = setup();
  await s.runner.check('_443._tcp.srv.example.test.');
  s.clock.now += 7 * 86400;
  await s.runner.check('_443._tcp.srv.example.test.');
  const left = s.events.filter((e) => e.kind === 'leftover');
  assert.equal(left.length, 1);
  assert.equal(left[0].level, 'notice');
  assert.equal(left[0].endpoint, null);
  assert.match(left[0].message, new RegExp(`3 1 1 ${'cd'.repeat(32)} has matched no endpoint for 7 days`));
  s.clock.now += 3600;
  await s.runner.check('_443._tcp.srv.example.test.');
  assert.equal(s.events.filter((e) => e.kind === 'leftover').length, 1);
});

test('every record matching the current certificate: a "no next key" warning', async () => {
  const s = setup();
  const first = await s.runner.check('_443._tcp.srv.example.test.');
  assert.ok(!first.endpoints[0].warnings.some((w) => /next key/.test(w)), 'two records, one unmatched: a next key exists');
  s.edit('example.test.', [{ name: '_443._tcp.srv.example.test.', type: 52, ttl: 60, rdatas: [rdataFromText(52, `3 1 1 ${spki(leaf)}`, 'example.test.')] }]);
  const r = await s.runner.check('_443._tcp.srv.example.test.');
  assert.ok(r.endpoints[0].warnings.some((w) => /no record for a next key/.test(w)), r.endpoints[0].warnings.join('; '));
  assert.ok(s.events.some((e) => e.kind === 'no-next-key' && e.level === 'warning'));
});

test('the service rules: a TLSA owner with records, in a served zone, a known STARTTLS, addresses that parse, none for scoped tokens', () => {
  const s = setup();
  const bad = (req: object, rules: { mayConnect: boolean }, field: string) => {
    assert.throws(() => planService(s.store, { name: '_443._tcp.srv.example.test.', ...req }, rules, 0), (e: unknown) => e instanceof ServiceError && e.field === field);
  };
  bad({ name: 'srv.example.test.' }, { mayConnect: true }, 'name');
  bad({ name: '_25._tcp.srv.example.test.' }, { mayConnect: true }, 'name');
  bad({ name: '_443._tcp.srv.example.org.' }, { mayConnect: true }, 'name');
  bad({ starttls: 'ftp' }, { mayConnect: true }, 'starttls');
  bad({ connect: ['192.0.2.1:99999'] }, { mayConnect: true }, 'connect');
  bad({ connect: ['192.0.2.1:25', '[::1]'] }, { mayConnect: true }, 'connect[1]');
  bad({ connect: ['192.0.2.1:25'] }, { mayConnect: false }, 'connect');
  const ok = planService(s.store, { name: '_443._tcp.srv.example.test.', connect: ['[2001:DB8::1]:443'] }, { mayConnect: true }, 0);
  assert.equal(ok.connect, '["[2001:db8::1]:443"]');
  assert.equal(ok.starttls, 'none');
});

test('the scheduler checks a service soon after its TLSA RRset changes, and not for other names', async () => {
  const s = setup();
  const sched = new CheckScheduler(s.runner, { intervalSec: 3600, tickMs: 3_600_000, now: () => s.clock.now });
  // Pretend the first check happened: nothing is due for an hour.
  await s.runner.check('_443._tcp.srv.example.test.');
  sched.start();
  const before = s.probed.length;
  sched.zoneChanged('example.test.', ['www.example.test.']);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(s.probed.length, before, 'another name changed: no check');
  sched.zoneChanged('example.test.', ['_443._tcp.srv.example.test.']);
  await waitFor('a check after the change', 2000, () => s.probed.length >= before + 2);
  sched.stop();
});
