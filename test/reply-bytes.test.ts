// The reply cache and the RRset wire pieces (held with their RRSIGs) change no byte: every reply equals one made from scratch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { zonesFromText, rawAsk, buildQuery, decode, type TestServer, type AnyRR } from './helpers/dns.js';
import { verifySigned, nsec3Owners, nsec3Of } from './helpers/signed.js';
import { rawRRs } from './helpers/wire.js';
import type { QueryContext } from '../server/query/handle.js';
import { RRsetWireCache } from '../server/wire/rr-wire.js';
import { RRType } from '../zones/model/types.js';
import { rdataFromText } from '../zones/model/rdata/index.js';

const fixture = readFileSync(fileURLToPath(new URL('../../test/fixtures/example.com.zone', import.meta.url)), 'utf8');
const APEX = 'example.com.';

/** The same zones and signer, with no reply cache and no wire pieces: every reply made from scratch. */
function fresh(s: TestServer): QueryContext {
  return { ...s.ctx, fastPath: undefined, wire: undefined };
}

const label = (n = 8) => randomBytes(n).toString('hex');
/** Mixed case, as resolvers send it (draft-vixie-dnsext-dns0x20): the echo must keep it. */
const mixCase = (name: string) => [...name].map((c, i) => (i % 3 === 0 ? c.toUpperCase() : c)).join('');

function assertSameReply(s: TestServer, name: string, type: string, o: Parameters<typeof buildQuery>[2]): Buffer {
  const msg = buildQuery(name, type, o);
  const cached = rawAsk(s.ctx, msg)!;
  const made = rawAsk(fresh(s), msg)!;
  assert.ok(cached.equals(made), `${name} ${type} ${JSON.stringify(o)}: cached reply differs from a fresh one`);
  return cached;
}

const QUESTIONS: [string, string][] = [
  ['www.example.com', 'A'], ['_443._tcp.www.example.com', 'TLSA'], ['example.com', 'MX'], ['example.com', 'SOA'],
  ['example.com', 'NS'], ['example.com', 'DNSKEY'], ['example.com', 'ANY'], ['www.example.com', 'AAAA'],
  ['_tcp.www.example.com', 'TLSA'], ['alias.example.com', 'TLSA'], ['chain1.example.com', 'TLSA'], ['dangling.example.com', 'A'],
  ['wcname.example.com', 'A'], ['_443._tcp.svc.dn.example.com', 'TLSA'], ['www.sub.example.com', 'A'], ['child.example.com', 'DS'],
  ['ins.example.com', 'DS'], ['_xmpp-client._tcp.example.com', 'SRV'], ['big.example.com', 'TXT'], ['loop1.example.com', 'A'],
];

test('every reply is the same bytes with and without the caches (DO on and off, 512-octet and 1232-octet limits, repeats)', () => {
  const s = zonesFromText({ 'example.com': fixture });
  for (let round = 0; round < 2; round++) {
    for (const [name, type] of QUESTIONS) {
      for (const o of [{ dnssecOk: true }, { udpSize: 1232 }, { dnssecOk: true, udpSize: 512 }, { edns: false }]) {
        assertSameReply(s, name, type, o);
        assertSameReply(s, mixCase(name), type, o);
      }
    }
  }
  assert.ok(s.fast.cache.hits > 0, 'the second round came from the question-keyed cache');
});

test('random NXDOMAIN and wildcard names: replies from held wire pieces equal fresh ones, verify, and prove the new name', () => {
  const s = zonesFromText({ 'example.com': fixture });
  for (let i = 0; i < 400; i++) {
    const len = 4 + (i % 3); // a few question lengths: the apex lands at other offsets of the question
    for (const [name, type] of [[`${label(len)}.example.com`, 'A'], [`${label(len)}.wild.example.com`, 'A'], [`${label(len)}._tcp.host.example.com`, 'TLSA'], [`${label(len)}.wild.example.com`, 'MX']]) {
      const asked = i % 2 ? mixCase(name) : name;
      const raw = assertSameReply(s, asked, type, { dnssecOk: true });
      const r = decode(raw);
      assert.equal(r.questions![0].name, asked, 'the question echoes the spelling asked');
      if (r.answers!.length) assert.equal(r.answers![0].name.toLowerCase(), name, 'a wildcard answer is owned by the qname');
      // The NSEC3 records in the reply must deny *this* name.
      const rrs = verifySigned(s, APEX, raw);
      const owners = nsec3Owners(rrs);
      // Every name here is one label below its closest encloser, so it is its own next closer.
      const nextCloser = name;
      const h = nsec3Of(nextCloser);
      const nsec3 = rrs.filter((x) => x.type === RRType.NSEC3);
      const covers = nsec3.some((x, k) => {
        const owner = owners[k];
        const saltLen = x.rdata[4];
        const next = x.rdata.subarray(6 + saltLen, 6 + saltLen + x.rdata[5 + saltLen]);
        const a = Buffer.compare(owner, h) < 0, b = Buffer.compare(h, next) < 0;
        return Buffer.compare(owner, next) < 0 ? a && b : a || b;
      });
      assert.ok(covers, `${asked} ${type}: no NSEC3 in the reply covers the hash of ${nextCloser}`);
    }
  }
  // 1,600 signed replies, each with several signed RRsets: the held pieces kept their RRSIG
  // records, so the signer was asked once per RRset, not once per reply.
  const fetched = s.ctx.wire!.signed;
  assert.ok(fetched > 0 && fetched < 200, `RRSIGs fetched ${fetched} times for 1,600 replies`);
});

test('a reply that compresses a name into the question is never sent for another name', () => {
  // The SOA MNAME is a name that does not exist: asking for it gives an NXDOMAIN whose SOA RDATA
  // points at the question. Reused for another name, it would tell the next random name's
  // asker that the primary is that random name.
  const zone = '$ORIGIN example.com.\n$TTL 3600\n@ SOA ghost hostmaster 1 7200 3600 1209600 300\n@ NS ns1.example.net.\nwww A 192.0.2.1\n';
  const s = zonesFromText({ 'example.com': zone });
  const first = rawAsk(s.ctx, buildQuery('ghost.example.com', 'A', { dnssecOk: true }))!;
  const soa = rawRRs(first).find((r) => r.type === RRType.SOA)!;
  assert.equal(soa.name, APEX);
  for (let i = 0; i < 200; i++) {
    const raw = assertSameReply(s, `${label(3).slice(0, 5)}.example.com`, 'A', { dnssecOk: true });
    const rdata = decode(raw).authorities!.find((a) => a.type === 'SOA')!.data as { mname: string };
    assert.equal(rdata.mname, 'ghost.example.com');
  }
});

test('an edit reaches the next random name: no held piece outlives a commit', () => {
  const s = zonesFromText({ 'example.com': fixture });
  const a = (n: string) => (decode(rawAsk(s.ctx, buildQuery(n, 'A', { dnssecOk: true }))!).answers as AnyRR[]).find((x) => x.type === 'A')!.data as string;
  for (let i = 0; i < 50; i++) assert.equal(a(`${label(4)}.wild.example.com`), '192.0.2.99');
  s.edit(APEX, [{ name: '*.wild.example.com.', type: RRType.A, rdatas: [rdataFromText(RRType.A, '192.0.2.77', APEX)] }]);
  for (let i = 0; i < 50; i++) assert.equal(a(`${label(4)}.wild.example.com`), '192.0.2.77');
});

test('DO=0 never gets the RRSIGs that DO=1 answers left in the held wire pieces', () => {
  const s = zonesFromText({ 'example.com': fixture });
  for (let i = 0; i < 300; i++) rawAsk(s.ctx, buildQuery(`${label(6)}.example.com`, 'A', { dnssecOk: true }));
  for (let i = 0; i < 50; i++) {
    const raw = assertSameReply(s, `${label(6)}.example.com`, 'A', { udpSize: 1232 });
    assert.equal(rawRRs(raw).filter((r) => r.type === RRType.RRSIG || r.type === RRType.NSEC3).length, 0);
  }
});

test('wire pieces are held by at most maxEntries RRsets; letting go of some changes no byte', () => {
  const s = zonesFromText({ 'example.com': fixture });
  s.ctx.wire = new RRsetWireCache(8);
  s.ctx.fastPath = undefined;
  for (let round = 0; round < 3; round++) {
    for (const [name, type] of QUESTIONS) assertSameReply(s, name, type, { dnssecOk: true });
    for (let i = 0; i < 20; i++) assertSameReply(s, `${label(5)}.example.com`, 'A', { dnssecOk: true });
  }
  const zone = s.zones.get(APEX)!;
  let holding = 0;
  for (const r of zone.allRRsets()) if (r.encoded !== undefined) holding++;
  assert.ok(holding <= 8, `${holding} zone RRsets hold wire pieces under a bound of 8`);
  assert.ok(s.ctx.wire.made > 100, `pieces made ${s.ctx.wire.made} times: the bound let go and rebuilt them`);
});
