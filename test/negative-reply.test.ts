// Signed NXDOMAIN from per-encloser heads: the same records as the full path, reused only while fresh, never past a size limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { zonesFromText, rawAsk, buildQuery, decode, type TestServer, type Reply, type AnyRR } from './helpers/dns.js';
import { applyEdits } from '../zones/update.js';
import { RRType } from '../zones/model/types.js';
import { encloserProof, nextCloserCover } from '../server/query/denial.js';
import type { QueryContext } from '../server/query/handle.js';

const fixture = (f: string) => readFileSync(fileURLToPath(new URL(`../../test/fixtures/${f}`, import.meta.url)), 'utf8');

function setup(): TestServer {
  return zonesFromText({ 'example.com': fixture('example.com.zone') });
}

/** The same server without heads (and without the reply cache): every reply made by the full path. */
const fullPath = (s: TestServer): QueryContext => ({ ...s.ctx, negatives: undefined, cache: undefined });

/** A section as sorted "owner TTL TYPE data" lines: what a resolver sees, whatever the order and compression. */
function records(r: Reply, section: 'answers' | 'authorities' | 'additionals'): string[] {
  return ((r[section] ?? []) as AnyRR[]).map((a) => `${a.name.toLowerCase()} ${a.ttl ?? ''} ${a.type} ${JSON.stringify(a.data, (_k, v) => (v?.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v))}`).sort();
}

function assertSameReply(fast: Buffer, full: Buffer, what: string): void {
  const a = decode(fast), b = decode(full);
  assert.equal(a.id, b.id, what);
  assert.equal(a.flags, b.flags, `${what}: flags`);
  assert.equal(a.rcode, 'NXDOMAIN', what);
  assert.deepEqual(a.questions, b.questions, `${what}: question`);
  for (const s of ['answers', 'authorities', 'additionals'] as const) assert.deepEqual(records(a, s), records(b, s), `${what}: ${s}`);
}

const randomLabel = () => Math.random().toString(36).slice(2, 12);

test('NXDOMAIN below the apex comes from a head with the records of the full path, in any spelling; deeper enclosers take the full path', () => {
  const s = setup();
  const negatives = s.ctx.negatives!;
  const full = fullPath(s);
  // Closest enclosers: the apex (in two spellings), then a name with data (www), an empty
  // non-terminal (_tcp.www) and a name two labels up (mail), which get no head.
  const names = (l: string) => [`${l}.example.com`, `${l.toUpperCase()}.Example.COM`, `${l}.www.example.com`, `${l}._tcp.www.example.com`, `${l}.x.${l}.mail.example.com`];
  for (let i = 0; i < 40; i++) {
    for (const [k, name] of names(randomLabel()).entries()) {
      for (const type of ['A', 'TLSA', 'AAAA']) {
        const q = buildQuery(name, type, { dnssecOk: true, id: i });
        const before = negatives.served;
        const reply = rawAsk(s.ctx, q)!;
        assert.equal(negatives.served, before + (k < 2 ? 1 : 0), `${name} ${type}: ${k < 2 ? '' : 'not '}answered from a head`);
        assertSameReply(reply, rawAsk(full, q)!, `${name} ${type}`);
        // The question is echoed as asked, case included (RFC 1035 §4.1.2).
        assert.deepEqual(reply.subarray(12, q.length - 11), q.subarray(12, q.length - 11));
      }
    }
  }
  assert.equal(negatives.made, 1, 'one head, made once');
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

test('heads follow edits and the clock: a new SOA serial shows at once, and a head is not reused after a minute', () => {
  const s = setup();
  const negatives = s.ctx.negatives!;
  const serialOf = (raw: Buffer) => (decode(raw).authorities!.find((a) => a.type === 'SOA')!.data as { serial: number }).serial;
  const ask = () => rawAsk(s.ctx, buildQuery(`${randomLabel()}.example.com`, 'A', { dnssecOk: true }))!;
  const first = serialOf(ask());
  assert.equal(negatives.made, 1);
  const soa = s.zones.get('example.com.')!.soa;
  const rd = Buffer.from(soa.rdatas[0]);
  rd.writeUInt32BE(first + 1, rd.length - 20);
  applyEdits(s.store, s.zones, 'example.com.', [{ name: 'example.com.', type: RRType.SOA, ttl: soa.ttl, rdatas: [rd] }], { now: s.clock.now });
  assert.equal(serialOf(ask()), first + 1, 'the edit is in the next reply');
  assert.equal(negatives.made, 2);
  s.clock.now += 30;
  ask();
  assert.equal(negatives.made, 2, 'reused within the minute');
  s.clock.now += 31;
  ask();
  assert.equal(negatives.made, 3, 'made afresh after it');
});

test('NXDOMAIN that does not fit the client\'s size is answered by the full path, truncated; DO=0 and unsigned zones never use heads', () => {
  const s = setup();
  const negatives = s.ctx.negatives!;
  const q = buildQuery(`${randomLabel()}.example.com`, 'A', { dnssecOk: true, udpSize: 512 });
  const small = rawAsk(s.ctx, q)!;
  assert.equal(negatives.served, 0);
  assert.ok(small.length <= 512, `${small.length} octets`);
  assert.deepEqual(small, rawAsk(fullPath(s), q)!, 'the full path\'s truncated reply, byte for byte');
  assert.ok((decode(small).flags! & 0x0200) !== 0, 'TC');
  rawAsk(s.ctx, buildQuery(`${randomLabel()}.example.com`, 'A', { udpSize: 1232 }));
  assert.equal(negatives.served, 0, 'DO=0: no proofs, no head');
  const unsigned = zonesFromText({ 'example.com': fixture('example.com.zone') }, { signed: false });
  rawAsk(unsigned.ctx, buildQuery(`${randomLabel()}.example.com`, 'A', { dnssecOk: true }));
  assert.equal(unsigned.ctx.negatives!.served, 0, 'unsigned zone');
});
