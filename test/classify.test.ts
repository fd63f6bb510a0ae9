// The one classification of raw messages (plain query and its reply key, or the full path), the EDNS option policy, and the fast path's freshness rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as packet from 'dns-packet';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildQuery, zonesFromText } from './helpers/dns.js';
import { classifyQuery, EdnsMode } from '../server/query/classify.js';
import { KNOWN_OPTIONS, fastPathMayIgnore } from '../server/query/edns-options.js';
import { freshnessToken, reusable, MAX_AGE } from '../server/query/fast/freshness.js';
import { RRType } from '../zones/model/types.js';
import { rdataFromText } from '../zones/model/rdata/index.js';

const fixture = readFileSync(fileURLToPath(new URL('../../test/fixtures/example.com.zone', import.meta.url)), 'utf8');

function withOptions(name: string, options: { code: number; data: Buffer }[], o: { type?: string; udpSize?: number; flags?: number } = {}): Buffer {
  return packet.encode({
    type: 'query', id: 1, flags: 0, questions: [{ name, type: (o.type ?? 'A') as packet.RecordType, class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: o.udpSize ?? 1232, flags: o.flags ?? packet.DNSSEC_OK, options } as unknown as packet.Answer],
  });
}

/** `msg` with octet `at` set to `v`. */
const poke = (msg: Buffer, at: number, v: number): Buffer => { const m = Buffer.from(msg); m[at] = v; return m; };

test('a plain query gets a key: EDNS mode and the size limit of maxResponseSize, for UDP and TCP', () => {
  const none = classifyQuery(buildQuery('www.example.com', 'A', { edns: false }), 'udp')!;
  assert.deepEqual([none.edns, none.maxSize, none.qtype], [EdnsMode.NONE, 512, RRType.A]);
  assert.equal(none.questionEnd, buildQuery('www.example.com', 'A', { edns: false }).length);
  const noDo = classifyQuery(buildQuery('www.example.com', 'A', { udpSize: 4096 }), 'udp')!;
  assert.deepEqual([noDo.edns, noDo.maxSize], [EdnsMode.NO_DO, 1232], 'capped at our EDNS size (RFC 6891 §6.2.5)');
  const small = classifyQuery(buildQuery('www.example.com', 'A', { dnssecOk: true, udpSize: 100 }), 'udp')!;
  assert.deepEqual([small.edns, small.maxSize], [EdnsMode.DO, 512], 'below 512 counts as 512 (RFC 6891 §6.2.5)');
  assert.equal(classifyQuery(buildQuery('www.example.com', 'A', { dnssecOk: true, udpSize: 512 }), 'tcp')!.maxSize, 65535);
  assert.equal(classifyQuery(buildQuery('example.com', 'ANY'), 'udp')!.qtype, RRType.ANY, 'ANY is looked up: plain');
});

test('the key: equal across name case and ID, different across type, DO, size limit and transport', () => {
  const key = (name: string, type: string, o: Parameters<typeof buildQuery>[2]) => {
    const k = classifyQuery(buildQuery(name, type, o), o?.tcp ? 'tcp' : 'udp')!;
    return `${k.hash} ${k.variant}`;
  };
  const base = key('www.example.com', 'A', { dnssecOk: true, id: 1 });
  assert.equal(key('WwW.ExAmple.COM', 'A', { dnssecOk: true, id: 2 }), base);
  for (const [name, type, o] of [
    ['www.example.com', 'AAAA', { dnssecOk: true }], ['www.example.com', 'A', { udpSize: 1232 }], ['www.example.com', 'A', { edns: false }],
    ['www.example.com', 'A', { dnssecOk: true, udpSize: 512 }], ['www.example.com', 'A', { dnssecOk: true, tcp: true }], ['www.example.org', 'A', { dnssecOk: true }],
  ] as const) assert.notEqual(key(name, type, o), base, `${name} ${type} ${JSON.stringify(o)}`);
});

test('options: known and ignored ones keep a query plain; unknown codes and malformed lists send it to the full path', () => {
  for (const [code, o] of KNOWN_OPTIONS) {
    assert.equal(o.use, 'ignored');
    assert.ok(fastPathMayIgnore(code), `${o.name} (${code}) is declared ignored`);
    assert.ok(classifyQuery(withOptions('www.example.com', [{ code, data: Buffer.alloc(8) }]), 'udp'), o.name);
  }
  // BIND's cookie, padding and a client subnet together, as resolvers send them.
  assert.ok(classifyQuery(withOptions('www.example.com', [{ code: 10, data: Buffer.alloc(8, 1) }, { code: 12, data: Buffer.alloc(20) }, { code: 8, data: Buffer.from('00011800c00002', 'hex') }]), 'udp'));
  for (const code of [0, 11, 13, 16, 17, 18, 19, 20, 31, 32, 65001, 65535]) {
    assert.ok(!fastPathMayIgnore(code), `${code}`);
    assert.equal(classifyQuery(withOptions('www.example.com', [{ code: 10, data: Buffer.alloc(8) }, { code, data: Buffer.alloc(2) }]), 'udp'), undefined, `option ${code}`);
  }
  const good = withOptions('www.example.com', [{ code: 10, data: Buffer.alloc(8) }]);
  assert.equal(classifyQuery(Buffer.concat([good, Buffer.from([0, 10])]), 'udp'), undefined, 'an option header cut short');
  assert.equal(classifyQuery(poke(good, good.length - 9, 9), 'udp'), undefined, 'an option longer than the OPT RDATA');
});

test('not plain: responses, other opcodes and classes, more records, meta types, EDNS version 1, compressed or odd names', () => {
  const q = buildQuery('www.example.com', 'A', { dnssecOk: true });
  const end = q.length - 11; // the question ends where the OPT starts
  const cases: [string, Buffer][] = [
    ['QR=1', poke(q, 2, q[2] | 0x80)],
    ['opcode NOTIFY', poke(q, 2, (q[2] & 0x87) | (4 << 3))],
    ['opcode UPDATE', poke(q, 2, (q[2] & 0x87) | (5 << 3))],
    ['QDCOUNT 2', poke(q, 5, 2)],
    ['ANCOUNT 1', poke(q, 7, 1)],
    ['NSCOUNT 1', poke(q, 9, 1)],
    ['ARCOUNT 2', poke(q, 11, 2)],
    ['class CH', poke(q, end - 1, 3)],
    ['EDNS version 1', poke(q, end + 6, 1)],
    ['extended RCODE set', poke(q, end + 5, 1)],
    ['an OPT owned by a name', Buffer.concat([q.subarray(0, end), Buffer.from([1, 0x61]), q.subarray(end)])],
    ['trailing octets', Buffer.concat([q, Buffer.from([0])])],
    ['no OPT, trailing octets', Buffer.concat([buildQuery('www.example.com', 'A', { edns: false }), Buffer.from([0])])],
    ['a pointer in the name', Buffer.concat([q.subarray(0, 12), Buffer.from([0xc0, 12]), q.subarray(end - 4)])],
    ['a non-ASCII octet', poke(q, 13, 0xc3)],
    ['a name past 255 octets', buildQuery(`${Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.')}.com`, 'A', { edns: false })],
    ['cut short', q.subarray(0, 20)],
    ['header only', q.subarray(0, 12)],
  ];
  for (const type of ['AXFR', 'IXFR', 'OPT', 'TSIG', 'TKEY', 'MAILA', 'MAILB', 'TYPE128', 'TYPE0']) cases.push([`type ${type}`, buildQuery('example.com', type, { dnssecOk: true })]);
  for (const [what, msg] of cases) assert.equal(classifyQuery(msg, 'udp'), undefined, what);
  assert.ok(classifyQuery(q, 'udp'), 'the query they were made from is plain');
  assert.ok(classifyQuery(poke(q, 2, q[2] | 0x04 | 0x01), 'udp'), 'AA and RD set in a query change nothing');
});

test('the freshness rule: the token moves on every commit to any zone; a reply is reusable for MAX_AGE seconds, never from the future', () => {
  const s = zonesFromText({ 'example.com': fixture, 'example.net': '$TTL 300\n@ SOA ns hostmaster 1 3600 900 604800 300\n@ NS ns.example.com.\n' });
  const before = freshnessToken(s.zones);
  s.edit('example.net.', [{ name: 'www.example.net.', type: RRType.A, rdatas: [rdataFromText(RRType.A, '192.0.2.1', 'example.net.')] }]);
  assert.notEqual(freshnessToken(s.zones), before, 'a commit to another zone moves it too');
  const t = freshnessToken(s.zones);
  assert.ok(reusable(t, 1000, t, 1000));
  assert.ok(reusable(t, 1000, t, 1000 + MAX_AGE));
  assert.ok(!reusable(t, 1000, t, 1001 + MAX_AGE), 'too old');
  assert.ok(!reusable(t, 1000, t, 999), 'the clock stepped back');
  assert.ok(!reusable(before, 1000, t, 1000), 'made before a commit');
});
