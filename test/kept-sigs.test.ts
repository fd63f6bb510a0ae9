// Signatures kept on RRsets and NSEC3 chain entries: reused after the bounded caches let go, never past keys or time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { zonesFromText, buildQuery, rawAsk, TEST_ACTOR, type TestServer } from './helpers/dns.js';
import { newKey } from '../signer/keystore-sqlite.js';
import { verifySigned } from './helpers/signed.js';
import { packSigs, unpackSigs, packedWith, sigTimes } from '../signer/kept-sigs.js';
import { serialDiff } from '../signer/policy.js';
import { rawRRs } from './helpers/wire.js';
import { RRType } from '../zones/model/types.js';
import { rdataFromText } from '../zones/model/rdata/index.js';
import { REFRESH_BEFORE } from '../signer/zone-signer.js';

const fixture = readFileSync(fileURLToPath(new URL('../../test/fixtures/example.com.zone', import.meta.url)), 'utf8');
const APEX = 'example.com.';

// 300 more names, so that the NSEC3 chain is several times what the chain holds as objects.
const zone = fixture + Array.from({ length: 300 }, (_, i) => `h${i} A 192.0.2.${i & 255}\n`).join('');

/** A server whose caches hold almost nothing: the least NSEC3 RRsets as objects (64), 2 RRsets' Buffers, no reply caches. */
function tiny(): TestServer {
  const s = zonesFromText({ 'example.com': zone }, { dnssec: { liveNsec3: 1, cacheEntries: 2 } });
  s.ctx.fastPath = undefined;
  s.ctx.wire = undefined;
  return s;
}

// Positive, NXDOMAIN, NODATA, wildcard, CNAME and DNAME answers: every kind of proof and RRset.
const QUESTIONS: [string, string][] = [
  ['www.example.com', 'A'], ['_443._tcp.www.example.com', 'TLSA'], ['nope.example.com', 'A'], ['www.example.com', 'TXT'],
  ['a.wild.example.com', 'A'], ['x._tcp.host.example.com', 'TLSA'], ['chain1.example.com', 'TLSA'],
  ['_443._tcp.svc.dn.example.com', 'TLSA'], ['deep.nope2.example.com', 'AAAA'], ['zz.example.com', 'MX'],
  // Names spread over the whole chain: far more NSEC3 RRsets than are held at once.
  ...Array.from({ length: 120 }, (_, i): [string, string] => [`nx${i}.example.com`, 'A']),
  ...Array.from({ length: 20 }, (_, i): [string, string] => [`h${i * 15}.example.com`, 'A']),
];

const askAll = (s: TestServer) => QUESTIONS.map(([n, t]) => rawAsk(s.ctx, buildQuery(n, t, { dnssecOk: true }))!);
// The CNAME a DNAME synthesises is unsigned by design (RFC 6672 §3.4); the other replies are signed throughout.
const verifyAll = (s: TestServer, replies: Buffer[]) => replies.forEach((r, i) => QUESTIONS[i][0].includes('.dn.') || verifySigned(s, APEX, r));

test('packed signatures round-trip and carry their keys generation', () => {
  const sigs = [Buffer.from('first signature'), Buffer.alloc(300, 0xab), Buffer.alloc(0)];
  const packed = packSigs(0x1_2345, sigs);
  const back = unpackSigs(packed);
  assert.equal(back.keysVersion, 0x2345);
  assert.deepEqual(back.sigs, sigs);
  assert.ok(packedWith(packed, 0x2345) && packedWith(packed, 0x1_2345));
  assert.ok(!packedWith(packed, 0x2346));
});

test('after the caches let go, answers reuse the kept signatures: same bytes, no new signature', () => {
  const s = tiny();
  const first = askAll(s);
  verifyAll(s, first);
  const made = s.dnssec.cache.signed;
  const again = askAll(s);
  assert.equal(s.dnssec.cache.signed, made, 'no signature made on the second pass');
  assert.ok(s.dnssec.cache.unpacked > 10, `${s.dnssec.cache.unpacked} served from kept signatures`);
  assert.deepEqual(again.map((b) => b.toString('hex')), first.map((b) => b.toString('hex')));
});

test('kept signatures are not used past their refresh time or after a key change', () => {
  const s = tiny();
  const first = askAll(s);
  const made = s.dnssec.cache.signed;
  // A second ZSK: every RRset the ZSK signs now carries two RRSIGs.
  s.pipeline.commit({ kind: 'resign', apex: APEX, addKeys: [newKey('zsk', s.clock.now)], action: 'key.import' }, TEST_ACTOR);
  const afterKeys = askAll(s);
  assert.ok(s.dnssec.cache.signed > made, 'a key change re-signs');
  verifyAll(s, afterKeys);
  afterKeys.forEach((r, i) => assert.notEqual(r.toString('hex'), first[i].toString('hex'), `${QUESTIONS[i].join(' ')} re-signed after the key change`));
  // Validity is 14 days plus up to 1 day of jitter (policy.ts), refresh 7 days before expiry: 8 days on, all are due.
  const t0 = s.clock.now;
  s.clock.now += 14 * 86400 - REFRESH_BEFORE + 86400;
  const later = askAll(s);
  verifyAll(s, later);
  for (const [i, r] of later.entries()) {
    for (const rr of rawRRs(r)) {
      if (rr.type === RRType.RRSIG) assert.ok(serialDiff(sigTimes(rr.rdata).inception, t0) > 0, `${QUESTIONS[i].join(' ')}: an RRSIG from before the refresh time`);
    }
  }
});

test('background signing: after presign, no answer and no AXFR makes a signature; a key change walks again', () => {
  const s = tiny();
  const signer = s.dnssec.forApex(APEX)!;
  // A deadline already passed: one small batch, then it says there is more.
  assert.equal(s.dnssec.presign(s.clock.now, 0), true);
  const firstBatch = s.dnssec.cache.signed;
  assert.ok(firstBatch > 0 && firstBatch <= 8, `${firstBatch} signatures in a batch past its deadline`);
  while (s.dnssec.presign(s.clock.now, Infinity));
  const all = s.dnssec.cache.signed;
  // Every NSEC3 record and every authoritative RRset: more than the chain alone.
  assert.ok(all > signer.chain.size, `${all} signatures for ${signer.chain.size} chain entries`);
  assert.equal(s.dnssec.presign(s.clock.now, Infinity), false, 'nothing left');
  assert.equal(s.dnssec.cache.signed, all);
  verifyAll(s, askAll(s));
  for (const _ of signer.signedRRsets(s.clock.now)) void _;
  assert.equal(s.dnssec.cache.signed, all, 'answers and a whole-zone walk found every signature made');
  s.pipeline.commit({ kind: 'resign', apex: APEX, action: 'zone.resign' }, TEST_ACTOR);
  while (s.dnssec.presign(s.clock.now, Infinity));
  assert.ok(s.dnssec.cache.signed >= 2 * all - 2, `${s.dnssec.cache.signed - all} re-signed after the key change`);
});

test('background signing meets edits half-way: answers stay valid, the walk finishes, a second zone walk signs nothing', () => {
  const s = tiny();
  const signer = s.dnssec.forApex(APEX)!;
  // Sign part of the chain, then change the zone under the walk: new names (behind and ahead
  // of it), deleted names, a name whose types change.
  for (let i = 0; i < 5; i++) s.dnssec.presign(s.clock.now, 0);
  s.edit(APEX, [
    ...Array.from({ length: 40 }, (_, i) => ({ name: `added${i}.example.com.`, type: RRType.A, ttl: 300, rdatas: [rdataFromText(RRType.A, '192.0.2.9', APEX)] })),
    ...Array.from({ length: 20 }, (_, i) => ({ name: `h${i}.example.com.`, type: RRType.A, rdatas: [] })),
    { name: 'h100.example.com.', type: RRType.TXT, ttl: 300, rdatas: [rdataFromText(RRType.TXT, '"now with text"', APEX)] },
  ]);
  while (s.dnssec.presign(s.clock.now, Infinity));
  assert.equal(s.dnssec.presign(s.clock.now, Infinity), false);
  verifyAll(s, askAll(s));
  for (const name of ['added3.example.com', 'h5.example.com', 'h100.example.com']) {
    for (const type of ['A', 'TXT']) verifySigned(s, APEX, rawAsk(s.ctx, buildQuery(name, type, { dnssecOk: true }))!);
  }
  // Records the edit added or changed behind the walk's position are signed on first use: by
  // this first whole-zone walk at the latest. The second must find every signature kept.
  for (const _ of signer.signedRRsets(s.clock.now)) void _;
  const after = s.dnssec.cache.signed;
  for (const _ of signer.signedRRsets(s.clock.now)) void _;
  assert.equal(s.dnssec.cache.signed, after, 'a second walk makes no signature');
});

test('NSEC3 RRsets a query meets for the first time in a while are built for that answer only: same bytes as held ones, nothing signed, no duplicates', () => {
  // Default caches (wire pieces and all), but only 64 NSEC3 RRsets held of a chain of ~330.
  const s = zonesFromText({ 'example.com': zone }, { dnssec: { liveNsec3: 1 } });
  s.ctx.fastPath = undefined;
  while (s.dnssec.presign(s.clock.now, Infinity));
  const chain = s.dnssec.forApex(APEX)!.chain;
  const names = Array.from({ length: 200 }, (_, i) => `first-${i * 7919}.example.com`);
  const ask = (n: string) => rawAsk(s.ctx, buildQuery(n, 'A', { dnssecOk: true }))!;
  const signed = s.dnssec.cache.signed;
  let unheld = 0, heldAgain = 0;
  const first: Buffer[] = [];
  for (const n of names) {
    const before = chain.unheld;
    const once = ask(n);
    unheld += chain.unheld - before;
    // Asked again at once, the entry was met lately: its RRset is held now, with the same bytes.
    const mid = chain.unheld;
    assert.equal(ask(n).toString('hex'), once.toString('hex'), n);
    heldAgain += chain.unheld - mid;
    first.push(once);
  }
  // 200 names meet ~150 distinct entries of ~330, mostly not among the last 64 met: built for one answer.
  assert.ok(unheld > 100, `${unheld} NSEC3 RRsets built for one answer`);
  // Nearly always: two entries of one answer may share a slot of metLately's 128-slot table
  // here, and the later one then hides the earlier (a rebuilt RRset, never a wrong reply).
  assert.ok(heldAgain <= 5, `${heldAgain} of ${names.length} met again at once were still built for one answer`);
  assert.equal(s.dnssec.cache.signed, signed, 'kept signatures served: nothing signed');
  for (const r of first) {
    const rrs = verifySigned(s, APEX, r).filter((x) => x.section === 'authority');
    const keys = rrs.map((x) => `${x.name} ${x.type} ${x.rdata.toString('hex')}`);
    assert.equal(new Set(keys).size, keys.length, 'no RR twice in the authority section');
    assert.equal(rrs.filter((x) => x.type === RRType.NSEC3).length >= 2, true);
  }
});
