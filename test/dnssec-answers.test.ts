// Every signed answer verified with an independent verifier (@noble/curves), NSEC3 proofs checked, clock injected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { zonesFromText, ask, rawAsk, buildQuery, type TestServer } from './helpers/dns.js';
import { rawRRs, type RawRR } from './helpers/wire.js';
import { RRType } from '../zones/model/types.js';
import { parseName, labelCount } from '../zones/model/name.js';
import { verifyRrsig } from '../signer/verify.js';
import { parseRrsig } from '../signer/tbs.js';
import { isServable } from '../signer/policy.js';
import { nsec3Hash, base32hexDecode } from '../signer/nsec3.js';
import { rdataFromText } from '../zones/model/rdata/index.js';

const fixture = (f: string) => readFileSync(fileURLToPath(new URL(`../../test/fixtures/${f}`, import.meta.url)), 'utf8');
const APEX = 'example.com.';

function setup(opts: { csk?: boolean; settings?: object } = {}): TestServer {
  return zonesFromText({ 'example.com': fixture('example.com.zone') }, opts);
}

function dnskeys(s: TestServer): Buffer[] {
  return [...s.zones.get(APEX)!.rrset(APEX, RRType.DNSKEY)!.rdatas];
}

/** Group RRs into RRsets per section and check that each RRset from our zone has a valid RRSIG. */
function verifyAll(s: TestServer, raw: Buffer, expectUnsigned: (rr: RawRR) => boolean = () => false): RawRR[] {
  const rrs = rawRRs(raw).filter((r) => r.type !== RRType.OPT);
  const keys = dnskeys(s);
  const sets = new Map<string, RawRR[]>();
  for (const r of rrs) {
    if (r.type === RRType.RRSIG) continue;
    const k = `${r.section} ${r.name} ${r.type}`;
    sets.set(k, [...(sets.get(k) ?? []), r]);
  }
  for (const [k, set] of sets) {
    const sigs = rrs.filter((r) => r.type === RRType.RRSIG && r.section === set[0].section && r.name === set[0].name && r.rdata.readUInt16BE(0) === set[0].type);
    if (expectUnsigned(set[0])) { assert.equal(sigs.length, 0, `${k} must not be signed`); continue; }
    assert.ok(sigs.length > 0, `${k} has no RRSIG`);
    for (const sig of sigs) {
      const ok = keys.some((key) => verifyRrsig(sig.rdata, set[0].name, set[0].type, set[0].ttl, set.map((r) => r.rdata), key));
      assert.ok(ok, `RRSIG over ${k} does not verify`);
      assert.ok(isServable(parseRrsig(sig.rdata), s.clock.now), `RRSIG over ${k} not valid now`);
    }
  }
  return rrs;
}

function nsec3s(rrs: RawRR[]): { owner: Buffer; next: Buffer; types: Buffer; optOut: boolean }[] {
  return rrs.filter((r) => r.type === RRType.NSEC3).map((r) => {
    const saltLen = r.rdata[4];
    const hlen = r.rdata[5 + saltLen];
    return {
      owner: base32hexDecode(r.name.split('.')[0]),
      next: r.rdata.subarray(6 + saltLen, 6 + saltLen + hlen),
      types: r.rdata.subarray(6 + saltLen + hlen),
      optOut: (r.rdata[1] & 1) === 1,
    };
  });
}

const h = (name: string) => nsec3Hash(parseName(name), Buffer.alloc(0), 0);
const covers = (n: { owner: Buffer; next: Buffer }, x: Buffer) => {
  const a = Buffer.compare(n.owner, x) < 0, b = Buffer.compare(x, n.next) < 0;
  return Buffer.compare(n.owner, n.next) < 0 ? a && b : a || b; // the last NSEC3 wraps to the first
};
const matches = (list: ReturnType<typeof nsec3s>, name: string) => list.some((n) => n.owner.equals(h(name)));
const covered = (list: ReturnType<typeof nsec3s>, name: string) => list.some((n) => covers(n, h(name)));

test('positive answers carry valid RRSIGs; DO=0 carries none', () => {
  const s = setup();
  for (const [name, type] of [['www.example.com', 'A'], ['_443._tcp.www.example.com', 'TLSA'], ['example.com', 'MX'], ['example.com', 'DNSKEY'], ['example.com', 'SOA'], ['example.com', 'CDS'], ['example.com', 'NSEC3PARAM']]) {
    const raw = rawAsk(s.ctx, buildQuery(name, type, { dnssecOk: true }))!;
    const rrs = verifyAll(s, raw);
    assert.ok(rrs.some((r) => r.section === 'answer' && r.type !== RRType.RRSIG), `${name} ${type} answered`);
    const plain = rawRRs(rawAsk(s.ctx, buildQuery(name, type, { udpSize: 1232 }))!);
    assert.equal(plain.filter((r) => r.type === RRType.RRSIG || r.type === RRType.NSEC3).length, 0, 'no DNSSEC records without DO');
  }
});

test('DNSKEY RRset is signed by the KSK, data by the ZSK', () => {
  const s = setup();
  const raw = rawAsk(s.ctx, buildQuery('example.com', 'DNSKEY', { dnssecOk: true }))!;
  const rrs = rawRRs(raw);
  const ksk = dnskeys(s).find((k) => k.readUInt16BE(0) === 257)!;
  const sig = rrs.find((r) => r.type === RRType.RRSIG)!;
  assert.ok(verifyRrsig(sig.rdata, APEX, RRType.DNSKEY, 3600, rrs.filter((r) => r.type === RRType.DNSKEY).map((r) => r.rdata), ksk));
});

test('NXDOMAIN: closest encloser matched, next closer and wildcard covered (RFC 5155 §7.2.2)', () => {
  const s = setup();
  const raw = rawAsk(s.ctx, buildQuery('a.b.nope.example.com', 'A', { dnssecOk: true }))!;
  assert.equal(raw[3] & 0xf, 3);
  const list = nsec3s(verifyAll(s, raw));
  assert.ok(matches(list, 'example.com'), 'closest encloser');
  assert.ok(covered(list, 'nope.example.com'), 'next closer');
  assert.ok(covered(list, '*.example.com'), 'wildcard');
});

test('NODATA and ENT NODATA: matching NSEC3 without the type (RFC 5155 §7.2.3)', () => {
  const s = setup();
  for (const [name, type] of [['www.example.com', 'AAAA'], ['_tcp.www.example.com', 'TLSA']]) {
    const list = nsec3s(verifyAll(s, rawAsk(s.ctx, buildQuery(name, type, { dnssecOk: true }))!));
    assert.ok(matches(list, name), `${name} matched`);
  }
});

test('wildcard answer: next closer covered, RRSIG labels field excludes the wildcard (RFC 4035 §5.3.2)', () => {
  const s = setup();
  const raw = rawAsk(s.ctx, buildQuery('x9f3.wild.example.com', 'A', { dnssecOk: true }))!;
  const rrs = verifyAll(s, raw);
  const sig = rrs.find((r) => r.type === RRType.RRSIG && r.section === 'answer')!;
  assert.equal(parseRrsig(sig.rdata).labels, labelCount('wild.example.com.'));
  assert.ok(covered(nsec3s(rrs), 'x9f3.wild.example.com'));
});

test('wildcard NODATA: CE matched, next closer covered, wildcard matched (RFC 5155 §7.2.5)', () => {
  const s = setup();
  const list = nsec3s(verifyAll(s, rawAsk(s.ctx, buildQuery('q.wild.example.com', 'AAAA', { dnssecOk: true }))!));
  assert.ok(matches(list, 'wild.example.com'));
  assert.ok(covered(list, 'q.wild.example.com'));
  assert.ok(matches(list, '*.wild.example.com'));
});

test('DNAME answer: DNAME signed, synthesised CNAME unsigned, target TLSA signed', () => {
  const s = setup();
  const raw = rawAsk(s.ctx, buildQuery('_443._tcp.svc.dn.example.com', 'TLSA', { dnssecOk: true }))!;
  verifyAll(s, raw, (rr) => rr.type === RRType.CNAME);
});

test('referrals: signed DS with a secure cut; NSEC3 without DS for an insecure one; NS and glue unsigned', () => {
  const s = setup();
  const secure = rawRRs(rawAsk(s.ctx, buildQuery('www.ins.example.com', 'A', { dnssecOk: true }))!);
  assert.ok(secure.some((r) => r.type === RRType.DS && r.section === 'authority'));
  verifyAll(s, rawAsk(s.ctx, buildQuery('www.ins.example.com', 'A', { dnssecOk: true }))!, (rr) => rr.type === RRType.NS);
  const insecure = verifyAll(s, rawAsk(s.ctx, buildQuery('www.sub.example.com', 'A', { dnssecOk: true }))!, (rr) => rr.type === RRType.NS || rr.section === 'additional');
  const list = nsec3s(insecure);
  assert.ok(matches(list, 'sub.example.com'), 'NSEC3 for the cut');
});

test('query for an NSEC3 owner name is NXDOMAIN, proven (RFC 5155 §7.2.8)', () => {
  const s = setup();
  const owner = s.dnssec.forApex(APEX)!.chain.rrsetOf([...s.dnssec.forApex(APEX)!.chain.all()][0]).name;
  const raw = rawAsk(s.ctx, buildQuery(owner, 'A', { dnssecOk: true }))!;
  assert.equal(raw[3] & 0xf, 3);
  verifyAll(s, raw);
});

test('opt-out: insecure delegation left out of the chain, DS denial by an opt-out span', () => {
  const s = setup({ settings: { nsec3: { optOut: true } } });
  assert.equal(s.dnssec.forApex(APEX)!.chain.matching('sub.example.com.'), undefined);
  const raw = rawAsk(s.ctx, buildQuery('sub.example.com', 'DS', { dnssecOk: true }))!;
  const list = nsec3s(verifyAll(s, raw));
  assert.ok(matches(list, 'example.com'), 'closest provable encloser');
  assert.ok(list.some((n) => n.optOut && covers(n, h('sub.example.com'))), 'opt-out span covers the cut');
});

test('signatures are cached: a random-label flood costs no new signatures', () => {
  const s = setup();
  for (let i = 0; i < 5; i++) rawAsk(s.ctx, buildQuery(`warm${i}.example.com`, 'A', { dnssecOk: true }));
  rawAsk(s.ctx, buildQuery(`w.wild.example.com`, 'A', { dnssecOk: true }));
  const before = s.dnssec.cache.signed;
  for (let i = 0; i < 300; i++) {
    rawAsk(s.ctx, buildQuery(`r${i}x.example.com`, 'A', { dnssecOk: true }));
    rawAsk(s.ctx, buildQuery(`r${i}y.wild.example.com`, 'A', { dnssecOk: true }));
  }
  const made = s.dnssec.cache.signed - before;
  // Only NSEC3 records not met during warm-up can still need a first signature: at most the chain size.
  assert.ok(made <= s.dnssec.forApex(APEX)!.chain.size, `made ${made} signatures for 600 queries`);
  // The encoder's held wire pieces keep each RRset's RRSIG records: the signer is asked once
  // per RRset (at most the chain plus the zone's RRsets), not for each of 600 replies.
  const fetched = s.ctx.wire!.signed;
  assert.ok(fetched <= s.dnssec.forApex(APEX)!.chain.size + 20, `RRSIGs fetched ${fetched} times for 600 replies`);
});

test('injected clock: signatures are refreshed before expiry and never served expired or early', () => {
  const s = setup();
  const first = rawRRs(rawAsk(s.ctx, buildQuery('www.example.com', 'A', { dnssecOk: true }))!).find((r) => r.type === RRType.RRSIG)!;
  const f = parseRrsig(first.rdata);
  s.clock.now += 8 * 86400; // past the 7-days-before-expiry refresh point
  const raw = rawAsk(s.ctx, buildQuery('www.example.com', 'A', { dnssecOk: true }))!;
  verifyAll(s, raw);
  const second = parseRrsig(rawRRs(raw).find((r) => r.type === RRType.RRSIG)!.rdata);
  assert.ok(second.expiration > f.expiration, 'refreshed');
  s.clock.now -= 30 * 86400; // the clock steps back: a signature from the "future" must not be served
  verifyAll(s, rawAsk(s.ctx, buildQuery('www.example.com', 'A', { dnssecOk: true }))!);
});

test('CSK zone: one key signs everything', () => {
  const s = setup({ csk: true });
  assert.equal(dnskeys(s).length, 1);
  verifyAll(s, rawAsk(s.ctx, buildQuery('example.com', 'DNSKEY', { dnssecOk: true }))!);
  verifyAll(s, rawAsk(s.ctx, buildQuery('www.example.com', 'A', { dnssecOk: true }))!);
});

test('an edit is served signed with a correct chain by the very next query; chain updated, not rebuilt', () => {
  const s = setup();
  const zs = s.dnssec.forApex(APEX)!;
  const builds = zs.chain.builds;
  const tlsa = rdataFromText(RRType.TLSA, '3 1 1 ' + 'ab'.repeat(32), APEX);
  // A TLSA beside the *.wild wildcard: foo.wild becomes an ENT and stops matching the wildcard.
  const res = s.edit(APEX, [{ name: '_443._tcp.foo.wild.example.com.', type: RRType.TLSA, ttl: 300, rdatas: [tlsa] }]);
  assert.equal(res.serial, 2024010102);
  assert.equal(zs.chain.builds, builds, 'incremental update');
  const t = ask(s.ctx, '_443._tcp.foo.wild.example.com', 'TLSA', { dnssecOk: true });
  assert.equal(t.rcode, 'NOERROR');
  verifyAll(s, t.raw);
  const ent = rawAsk(s.ctx, buildQuery('foo.wild.example.com', 'A', { dnssecOk: true }))!;
  assert.equal(ent[3] & 0xf, 0);
  assert.ok(matches(nsec3s(verifyAll(s, ent)), 'foo.wild.example.com'), 'foo.wild is now an ENT, not wildcard');
  verifyAll(s, rawAsk(s.ctx, buildQuery('bar.wild.example.com', 'A', { dnssecOk: true }))!);
  // Delete a name: NXDOMAIN proven with the updated chain.
  s.edit(APEX, [{ name: 'mail.example.com.', type: RRType.A }, { name: 'mail.example.com.', type: RRType.AAAA }]);
  const gone = rawAsk(s.ctx, buildQuery('mail.example.com', 'A', { dnssecOk: true }))!;
  assert.equal(gone[3] & 0xf, 3);
  assert.ok(covered(nsec3s(verifyAll(s, gone)), 'mail.example.com'));
  assert.equal(zs.chain.builds, builds);
});

test('a rejected edit changes nothing (CNAME beside data)', () => {
  const s = setup();
  const before = ask(s.ctx, 'www.example.com', 'A');
  const cname = rdataFromText(RRType.CNAME, 'mail.example.com.', APEX);
  assert.throws(() => s.edit(APEX, [{ name: 'www.example.com.', type: RRType.CNAME, rdatas: [cname] }]), /CNAME/);
  const after = ask(s.ctx, 'www.example.com', 'A');
  assert.deepEqual(after.answers, before.answers);
  assert.equal(ask(s.ctx, 'example.com', 'SOA').answers![0].data.serial, 2024010101);
});
