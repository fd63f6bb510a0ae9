// No RRSIG outside its validity window leaves the server: with every cache warm (signature cache, wire pieces, reply cache, missing-name replies, a transfer's kept signatures, the IXFR journal), the injected clock moves past the refresh point, past expiry and back before inception; every RRSIG of every UDP, TCP, AXFR and IXFR answer is checked against it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as packet from 'dns-packet';
import { zonesFromText, buildQuery, CapturingResponder, TEST_ACTOR, type TestServer } from './helpers/dns.js';
import { rawRRs, type RawRR } from './helpers/wire.js';
import { handleMessage } from '../server/query/handle.js';
import { XfrStore } from '../zones/store/xfr-sqlite.js';
import { XfrService } from '../server/xfr/service.js';
import { Journal } from '../server/xfr/journal.js';
import { addSecondary } from '../server/xfr/acl.js';
import { SignatureRefresher } from '../server/xfr/refresh.js';
import { rdataFromText } from '../zones/model/rdata/index.js';
import { RRType } from '../zones/model/types.js';
import { KeyPolicyStore } from '../zones/store/key-policy-sqlite.js';

const fixture = readFileSync(fileURLToPath(new URL('../../test/fixtures/example.com.zone', import.meta.url)), 'utf8');
const APEX = 'example.com.';
const DAY = 86400;

type Server = TestServer & { logged: string[]; notified: number[] };

function setup(): Server {
  const s = zonesFromText({ 'example.com': fixture });
  const xs = new XfrStore(s.store);
  const logged: string[] = [];
  s.ctx.special = new XfrService({ store: s.store, xs, zones: s.zones, dnssec: s.dnssec, log: (m) => logged.push(m), now: () => s.clock.now, journal: new Journal(s.store, xs) }).special;
  addSecondary(s.store, xs, APEX, '127.0.0.1', undefined, s.clock.now);
  const notified: number[] = [];
  s.pipeline.setHooks({ notify: (_apex, soa) => notified.push(soa.rdatas[0].readUInt32BE(soa.rdatas[0].length - 20)) });
  return Object.assign(s, { logged, notified });
}

const QUESTIONS: [string, string][] = [
  ['www.example.com', 'A'], ['example.com', 'DNSKEY'], ['example.com', 'SOA'], ['example.com', 'NS'], ['nothere.example.com', 'A'],
  ['random-label-1.example.com', 'A'], ['foo.wild.example.com', 'A'], ['_443._tcp.www.example.com', 'TLSA'], ['www.example.com', 'TXT'],
];

/** Every question over UDP and TCP, each twice (the second from whatever the first left warm). */
function askAll(s: Server): Buffer[] {
  const out: Buffer[] = [];
  for (let pass = 0; pass < 2; pass++) {
    for (const [name, type] of QUESTIONS) {
      for (const tcp of [false, true]) {
        const r = new CapturingResponder(tcp ? 'tcp' : 'udp');
        handleMessage(s.ctx, buildQuery(name, type, { dnssecOk: true, udpSize: 4096 }), r);
        assert.equal(r.replies.length, 1, `${name} ${type} answered`);
        out.push(r.replies[0]);
      }
    }
  }
  return out;
}

async function transfer(s: Server, type: 'AXFR' | 'IXFR', serial?: number): Promise<Buffer[]> {
  const msg = packet.encode({
    type: 'query', id: 9, flags: 0, questions: [{ name: 'example.com', type, class: 'IN' }],
    authorities: serial === undefined ? [] : [{ name: 'example.com', type: 'SOA', ttl: 0, data: {
      mname: 'ns1.example.com', rname: 'h.example.com', serial, refresh: 1, retry: 1, expire: 1, minimum: 1 } } as packet.Answer],
  });
  const r = new CapturingResponder('tcp');
  const logs = s.logged.length;
  handleMessage(s.ctx, msg, r);
  if (r.replies.length) return r.replies;
  for (const until = Date.now() + 10_000; !r.closed && s.logged.length === logs && Date.now() < until;) await new Promise((res) => setTimeout(res, 1));
  return r.streamed;
}

/** RFC 4034 §3.1.5: 32-bit times compared in serial arithmetic (RFC 1982). */
const before = (a: number, b: number) => ((a - b) | 0) <= 0;

/** Every RRSIG in `msgs` whose validity window does not hold `now`. */
function outside(msgs: Buffer[], now: number, what: string): string[] {
  const bad: string[] = [];
  let sigs = 0;
  for (const m of msgs) {
    for (const rr of rawRRs(m) as RawRR[]) {
      if (rr.type !== RRType.RRSIG) continue;
      sigs++;
      const expiration = rr.rdata.readUInt32BE(8), inception = rr.rdata.readUInt32BE(12);
      if (!before(inception, now >>> 0) || !before(now >>> 0, expiration)) {
        bad.push(`${what}: RRSIG ${rr.name} covering ${rr.rdata.readUInt16BE(0)}: ${inception}..${expiration}, now ${now >>> 0}`);
      }
    }
  }
  assert.ok(sigs > 0, `${what}: signed answers`);
  return bad;
}

const serialOf = (msgs: Buffer[]) => { const soa = rawRRs(msgs[0]).find((r) => r.type === RRType.SOA)!.rdata; return soa.readUInt32BE(soa.length - 20); };

test('with every cache warm, the clock moves past refresh, past expiry and back before inception: no RRSIG outside its window leaves (UDP, TCP, AXFR, IXFR)', async () => {
  const s = setup();
  const t0 = s.clock.now;
  // Warm: answers twice (reply cache, missing-name replies, wire pieces), a whole AXFR (signatures kept on every RRset), and a journal step.
  askAll(s);
  const axfr0 = await transfer(s, 'AXFR');
  const oldSerial = serialOf(axfr0);
  s.edit(APEX, [{ name: 'new.example.com.', type: RRType.A, ttl: 3600, rdatas: [rdataFromText(RRType.A, '192.0.2.7', APEX)] }]);
  const ixfr0 = await transfer(s, 'IXFR', oldSerial);
  assert.match(s.logged.at(-1)!, /: IXFR \d+→\d+, 1 step\(s\)/, 'an incremental transfer from the journal');
  const bad: string[] = [...outside(askAll(s), t0, 'warm'), ...outside(ixfr0, t0, 'warm IXFR')];

  // Validity 14 days (+ up to a day of jitter), renewed 7 days before expiry.
  for (const [label, at] of [
    ['past the refresh point (8 days)', t0 + 8 * DAY], ['past every expiry (16 days)', t0 + 16 * DAY],
    ['back before every inception (−2 days)', t0 - 2 * DAY], ['forward again (+30 days)', t0 + 30 * DAY], ['back to the start', t0],
  ] as const) {
    s.clock.now = at;
    bad.push(...outside(askAll(s), at, `${label}: queries`));
    bad.push(...outside(await transfer(s, 'AXFR'), at, `${label}: AXFR`));
    bad.push(...outside(await transfer(s, 'IXFR', oldSerial), at, `${label}: IXFR`));
    // Inside the journal's window the step is sent as it is; outside it, the zone whole.
    assert.match(s.logged.at(-1)!, at === t0 || at === t0 + 8 * DAY ? /: IXFR \d+→\d+/ : /AXFR-style IXFR .*outside their validity/, label);
  }
  assert.deepEqual(bad, [], bad.slice(0, 20).join('\n'));
});

test('signatures are renewed well before expiry, by a commit the secondaries are NOTIFYed of; a short policy renews in minutes', async () => {
  const s = setup();
  const t0 = s.clock.now;
  const refresher = new SignatureRefresher(s.zones, s.dnssec, s.pipeline, () => s.clock.now, () => {});
  refresher.check();
  assert.deepEqual(s.notified, [], 'nothing to renew at the start');
  const serial0 = serialOf([askAll(s)[4]]);
  // Three days on the zone is signed anew: a new serial, NOTIFY, every RRSIG dated from the new epoch.
  s.clock.now = t0 + 3 * DAY;
  refresher.check();
  assert.equal(s.notified.length, 1, 'NOTIFY for the renewal');
  assert.ok(s.notified[0] > serial0);
  for (const m of askAll(s)) {
    for (const rr of rawRRs(m)) {
      if (rr.type !== RRType.RRSIG) continue;
      const inception = rr.rdata.readUInt32BE(12), expiration = rr.rdata.readUInt32BE(8);
      assert.ok(inception >= t0 + 3 * DAY - 3600 && expiration - s.clock.now >= 14 * DAY - 1, 'a fresh signature, 14 days ahead');
    }
  }
  // A policy with 10-minute signatures renewed 2 minutes before expiry: the zone is signed anew at once (the policy changed), then every few minutes.
  s.pipeline.commit({ kind: 'policy', apex: APEX, policy: { ...KeyPolicyStore.of(s.store).policy(s.store.zone(APEX)!.id), signatureValidity: 600, refresh: 120 } }, TEST_ACTOR);
  assert.equal(s.notified.length, 2, 'NOTIFY for the new policy');
  const epoch = s.clock.now;
  const bad: string[] = [];
  for (let t = epoch; t <= epoch + 3600; t += 30) {
    s.clock.now = t;
    refresher.check();
    bad.push(...outside(askAll(s), t, `short policy at +${t - epoch} s`));
    for (const m of askAll(s)) {
      for (const rr of rawRRs(m)) {
        if (rr.type === RRType.RRSIG && ((rr.rdata.readUInt32BE(8) - t) | 0) < 120 - 30) bad.push(`+${t - epoch} s: an RRSIG expiring in ${(rr.rdata.readUInt32BE(8) - t) | 0} s was served: not renewed in time`);
      }
    }
  }
  assert.deepEqual(bad, [], bad.slice(0, 10).join('\n'));
  assert.ok(s.notified.length >= 3600 / 600, `${s.notified.length} renewals NOTIFYed in an hour of 10-minute signatures`);
});
