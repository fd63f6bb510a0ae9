// Signed NXDOMAIN and wildcard answers made from the raw query and ready blocks: the same records as the full path, blocks reused only while fresh, never past a size limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { zonesFromText, rawAsk, buildQuery, decode, type TestServer, type Reply, type AnyRR } from './helpers/dns.js';
import { RRType } from '../zones/model/types.js';
import { encloserProof, nextCloserCover } from '../server/query/denial.js';
import type { QueryContext } from '../server/query/handle.js';

const fixture = (f: string) => readFileSync(fileURLToPath(new URL(`../../test/fixtures/${f}`, import.meta.url)), 'utf8');

function setup(): TestServer {
  return zonesFromText({ 'example.com': fixture('example.com.zone') });
}

/** The same server without heads (and without the reply cache): every reply made by the full path. */
const fullPath = (s: TestServer): QueryContext => ({ ...s.ctx, fastPath: undefined });

/** A section as sorted "owner TTL TYPE data" lines: what a resolver sees, whatever the order and compression. */
function records(r: Reply, section: 'answers' | 'authorities' | 'additionals'): string[] {
  return ((r[section] ?? []) as AnyRR[]).map((a) => `${a.name.toLowerCase()} ${a.ttl ?? ''} ${a.type} ${JSON.stringify(a.data, (_k, v) => (v?.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v))}`).sort();
}

function assertSameReply(fast: Buffer, full: Buffer, what: string, rcode = 'NXDOMAIN'): void {
  const a = decode(fast), b = decode(full);
  assert.equal(a.id, b.id, what);
  assert.equal(a.flags, b.flags, `${what}: flags`);
  assert.equal(a.rcode, rcode, what);
  assert.deepEqual(a.questions, b.questions, `${what}: question`);
  for (const s of ['answers', 'authorities', 'additionals'] as const) assert.deepEqual(records(a, s), records(b, s), `${what}: ${s}`);
}

const randomLabel = () => Math.random().toString(36).slice(2, 12);


test('NXDOMAIN is made from the raw query byte for byte as the full path, in any spelling: below the apex from a head, deeper from its records', () => {
  const s = setup();
  const missing = s.fast.missing;
  const full = fullPath(s);
  // Closest enclosers: the apex (in two spellings), then a name with data (www), an empty
  // non-terminal (_tcp.www) and a name two labels up (mail), which get no head.
  const names = (l: string) => [`${l}.example.com`, `${l.toUpperCase()}.Example.COM`, `${l}.www.example.com`, `${l}._tcp.www.example.com`, `${l}.x.${l}.mail.example.com`];
  let served = 0;
  for (let i = 0; i < 40; i++) {
    for (const name of names(randomLabel())) {
      for (const type of ['A', 'TLSA', 'AAAA']) {
        const q = buildQuery(name, type, { dnssecOk: true, id: i });
        const before = missing.served;
        const reply = rawAsk(s.ctx, q)!;
        // Every one, including the names the zone's filter cannot rule out (lookup asks the zone's Map then).
        assert.equal(missing.served, before + 1, `${name} ${type}: made from the raw query`);
        served++;
        const fullReply = rawAsk(full, q)!;
        assertSameReply(reply, fullReply, `${name} ${type}`);
        // Head or not, the records go in the full path's order, compressed alike.
        assert.deepEqual(reply, fullReply, `${name} ${type}: byte for byte`);
        // The question is echoed as asked, case included (RFC 1035 §4.1.2).
        assert.deepEqual(reply.subarray(12, q.length - 11), q.subarray(12, q.length - 11));
      }
    }
  }
  assert.equal(served, 600);
  assert.equal(missing.made, 1, 'one head, made once');
});

test('wildcard answers are made from one block per wildcard RRset, byte for byte as the full path; NODATA and types with additional addresses are not', () => {
  const s = setup();
  const missing = s.fast.missing;
  const full = fullPath(s);
  const mx = Buffer.concat([Buffer.from([0, 10]), Buffer.from('\x04mail\x07example\x03com\x00', 'latin1')]);
  s.edit('example.com.', [{ name: '*.wild.example.com.', type: RRType.MX, ttl: 300, rdatas: [mx] }]);
  let served = 0, asked = 0;
  for (let i = 0; i < 30; i++) {
    const l = randomLabel();
    // The next closer is the question name, or one label below the encloser (x.wild).
    for (const [name, type] of [[`${l}.wild.example.com`, 'A'], [`${l.toUpperCase()}.WILD.example.com`, 'TXT'], [`${l}.x.wild.example.com`, 'A'], [`${l}._tcp.host.example.com`, 'TLSA']]) {
      const q = buildQuery(name, type, { dnssecOk: true, id: i });
      const before = missing.served;
      const reply = rawAsk(s.ctx, q)!;
      asked++;
      served += missing.served - before;
      assert.equal(missing.served, before + 1, `${name} ${type}: made from the raw query`);
      assert.deepEqual(reply, rawAsk(full, q)!, `${name} ${type}: byte for byte`);
      assert.equal(decode(reply).answers!.filter((a) => a.type === 'RRSIG').length, 1, `${name} ${type}: signed`);
    }
    for (const type of ['AAAA', 'MX']) {
      const before = missing.served;
      const q = buildQuery(`${l}.wild.example.com`, type, { dnssecOk: true });
      assertSameReply(rawAsk(s.ctx, q)!, rawAsk(full, q)!, `${l} ${type}`, 'NOERROR');
      assert.equal(missing.served, before, `${type}: NODATA or additional addresses, the full path`);
    }
  }
  assert.equal(served, asked);
  assert.equal(missing.made, 3, 'one block each for *.wild A, *.wild TXT, *._tcp.host TLSA');
});

test('a next closer cover that is one of the encloser proof records is not repeated', () => {
  const s = setup();
  const full = fullPath(s);
  const zs = s.dnssec.forApex('example.com.')!;
  const proof = encloserProof(zs, 'example.com.');
  let found = 0;
  for (let i = 0; i < 20_000 && found < 3; i++) {
    const label = randomLabel();
    if (!proof.includes(nextCloserCover(zs, `${label}.example.com.`, 'example.com.'))) continue;
    found++;
    const q = buildQuery(`${label}.example.com`, 'A', { dnssecOk: true });
    const fast = rawAsk(s.ctx, q)!;
    assertSameReply(fast, rawAsk(full, q)!, label);
    assert.equal(decode(fast).authorities!.filter((a) => a.type === 'NSEC3').length, proof.length, 'no NSEC3 twice');
  }
  assert.equal(found, 3, 'random labels whose cover is the apex match or the wildcard cover (the fixture zone has few names)');
});

test('next closer covers are copied from the table into replies to names of any length, byte for byte as the full path; after an edit moves the chain they are written afresh', () => {
  const s = setup();
  const covers = s.fast.missing.covers;
  const full = fullPath(s);
  const round = (tag: string) => {
    for (let i = 0; i < 120; i++) {
      // Labels of 1 to 40 octets: every copy moves its pointers by another amount.
      const l = `${tag}${'q'.repeat(i % 40)}${i}`;
      for (const name of [`${l}.example.com`, `${l}.wild.example.com`]) {
        const q = buildQuery(name, 'A', { dnssecOk: true, id: i });
        assert.deepEqual(rawAsk(s.ctx, q)!, rawAsk(full, q)!, `${name}: byte for byte`);
      }
    }
  };
  round('a');
  // The fixture's chain has a few dozen records: most covers were met before and copied.
  assert.ok(covers.hits > 150, `${covers.hits} copied`);
  const kept = covers.kept;
  // New names move every chain position after theirs: nothing kept may be copied now.
  s.edit('example.com.', Array.from({ length: 8 }, (_, i) => ({ name: `new${i}.example.com.`, type: RRType.A, ttl: 300, rdatas: [Buffer.from([192, 0, 2, i])] })));
  const hits = covers.hits;
  round('b');
  assert.ok(covers.kept > kept, 'written afresh and kept again');
  assert.ok(covers.hits > hits, 'then copied again');
});

test('heads follow edits and the clock: a new SOA serial shows at once, and a head is not reused after a minute', () => {
  const s = setup();
  const missing = s.fast.missing;
  const serialOf = (raw: Buffer) => (decode(raw).authorities!.find((a) => a.type === 'SOA')!.data as { serial: number }).serial;
  const ask = () => rawAsk(s.ctx, buildQuery(`${randomLabel()}.example.com`, 'A', { dnssecOk: true }))!;
  const first = serialOf(ask());
  assert.equal(missing.made, 1);
  const soa = s.zones.get('example.com.')!.soa;
  const rd = Buffer.from(soa.rdatas[0]);
  rd.writeUInt32BE(first + 1, rd.length - 20);
  s.edit('example.com.', [{ name: 'example.com.', type: RRType.SOA, ttl: soa.ttl, rdatas: [rd] }]);
  assert.equal(serialOf(ask()), first + 1, 'the edit is in the next reply');
  assert.equal(missing.made, 2);
  s.clock.now += 30;
  ask();
  assert.equal(missing.made, 2, 'reused within the minute');
  s.clock.now += 31;
  ask();
  assert.equal(missing.made, 3, 'made afresh after it');
});

test('NXDOMAIN that does not fit the client\'s size is answered by the full path, truncated; DO=0, names the zone holds and unsigned zones never take the raw path', () => {
  const s = setup();
  const missing = s.fast.missing;
  const q = buildQuery(`${randomLabel()}.example.com`, 'A', { dnssecOk: true, udpSize: 512 });
  const small = rawAsk(s.ctx, q)!;
  assert.equal(missing.served, 0);
  assert.ok(small.length <= 512, `${small.length} octets`);
  assert.deepEqual(small, rawAsk(fullPath(s), q)!, 'the full path\'s truncated reply, byte for byte');
  assert.ok((decode(small).flags! & 0x0200) !== 0, 'TC');
  rawAsk(s.ctx, buildQuery(`${randomLabel()}.example.com`, 'A', { udpSize: 1232 }));
  assert.equal(missing.served, 0, 'DO=0: no proofs, no head');
  // Names the zone holds (data, NODATA, an empty non-terminal, a CNAME, a referral) are the full path's, and then the reply cache's.
  for (const [name, type] of [['www.example.com', 'A'], ['www.example.com', 'TXT'], ['_tcp.www.example.com', 'TLSA'], ['alias.example.com', 'TLSA'], ['www.sub.example.com', 'A']]) {
    const hits = s.fast.cache.hits;
    for (let i = 0; i < 2; i++) rawAsk(s.ctx, buildQuery(name, type, { dnssecOk: true }));
    assert.equal(missing.served, 0, `${name} ${type}`);
    assert.equal(s.fast.cache.hits, hits + 1, `${name} ${type}: the second answer came from the reply cache`);
  }
  const unsigned = zonesFromText({ 'example.com': fixture('example.com.zone') }, { signed: false });
  rawAsk(unsigned.ctx, buildQuery(`${randomLabel()}.example.com`, 'A', { dnssecOk: true }));
  assert.equal(unsigned.fast.missing.served, 0, 'unsigned zone');
});

test('a head that would point at the question name (SOA naming `*.<apex>`) is made once and not used: replies are the full path\'s records', () => {
  const s = zonesFromText({ 'example.com': [
    '$TTL 300',
    '@ SOA *.example.com. hostmaster.example.com. 1 3600 900 604800 300',
    '@ NS ns1.example.com.',
    'ns1 A 192.0.2.1',
  ].join('\n') + '\n' });
  const missing = s.fast.missing;
  for (let i = 0; i < 20; i++) {
    const q = buildQuery(`${randomLabel()}.example.com`, 'A', { dnssecOk: true, id: i });
    const reply = rawAsk(s.ctx, q)!;
    assert.deepEqual(reply, rawAsk(fullPath(s), q)!, 'byte for byte');
    const soa = decode(reply).authorities!.find((a) => a.type === 'SOA')!;
    assert.equal((soa.data as { mname: string }).mname, '*.example.com', 'the SOA names `*.<apex>`, not the question');
  }
  assert.equal(missing.served, 20, 'still made from the raw query');
  assert.equal(missing.made, 1, 'the head was encoded once, not per query');
});
