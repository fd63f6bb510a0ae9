// The reply cache (server/query/fast/reply-cache.ts): reused bytes still echo ID, question case and RD/CD; any commit invalidates; options only when declared ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as packet from 'dns-packet';
import { zonesFromText, withFastPath, ask, rawAsk, decode, buildQuery } from './helpers/dns.js';
import { classifyQuery } from '../server/query/classify.js';
import { RRType } from '../zones/model/types.js';
import { rdataFromText } from '../zones/model/rdata/index.js';

const fixture = readFileSync(fileURLToPath(new URL('../../test/fixtures/example.com.zone', import.meta.url)), 'utf8');

test('a cached reply carries the new ID, question spelling and RD/CD of the repeat', () => {
  const s = zonesFromText({ 'example.com': fixture });
  ask(s.ctx, 'www.example.com', 'A', { dnssecOk: true, id: 1 });
  const hitsBefore = s.fast.cache.hits;
  const msg = packet.encode({
    type: 'query', id: 777, flags: packet.CHECKING_DISABLED, questions: [{ name: 'WWW.example.COM', type: 'A', class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: packet.DNSSEC_OK, options: [] } as unknown as packet.Answer],
  });
  const r = decode(rawAsk(s.ctx, msg)!);
  assert.equal(s.fast.cache.hits, hitsBefore + 1, 'served from the cache');
  assert.equal(r.id, 777);
  assert.equal(r.questions![0].name, 'WWW.example.COM');
  assert.equal(r.flag_rd, false);
  assert.equal(r.flag_cd, true);
  assert.equal(r.answers!.filter((a) => a.type === 'RRSIG').length, 1);
});

test('an edit invalidates cached replies: the next query sees it', () => {
  const s = zonesFromText({ 'example.com': fixture });
  assert.equal((ask(s.ctx, 'www.example.com', 'A').answers![0] as { data: string }).data, '192.0.2.80');
  s.edit('example.com.', [{ name: 'www.example.com.', type: RRType.A, rdatas: [rdataFromText(RRType.A, '192.0.2.81', 'example.com.')] }]);
  assert.equal((ask(s.ctx, 'www.example.com', 'A').answers![0] as { data: string }).data, '192.0.2.81');
});

test('NXDOMAIN and wildcard replies are not cached (random labels would only evict useful entries)', () => {
  const s = zonesFromText({ 'example.com': fixture });
  for (let i = 0; i < 2; i++) {
    ask(s.ctx, 'nope.example.com', 'A', { dnssecOk: true });
    ask(s.ctx, 'x.wild.example.com', 'A', { dnssecOk: true });
  }
  assert.equal(s.fast.cache.hits, 0);
});

test('a query without EDNS never gets a reply cached for one with EDNS (the OPT echo differs)', () => {
  const s = zonesFromText({ 'example.com': fixture });
  const withOpt = ask(s.ctx, 'www.example.com', 'A', { udpSize: 512 });
  assert.equal(withOpt.additionals!.filter((a) => a.type === 'OPT').length, 1);
  const without = ask(s.ctx, 'www.example.com', 'A', { edns: false });
  assert.equal(without.additionals!.filter((a) => a.type === 'OPT').length, 0);
});

test('EDNS options (a DNS cookie) do not keep a query from the cache; the reply is the one a plain query gets', () => {
  const s = zonesFromText({ 'example.com': fixture });
  const plain = rawAsk(s.ctx, buildQuery('www.example.com', 'A', { dnssecOk: true, id: 9 }))!;
  const hits = s.fast.cache.hits;
  // RFC 7873 §4.1: an 8-octet client cookie, as BIND sends with every query.
  const cookie = { code: 10, data: Buffer.from('0123456789abcdef', 'hex') };
  const msg = packet.encode({
    type: 'query', id: 9, flags: packet.RECURSION_DESIRED, questions: [{ name: 'www.example.com', type: 'A', class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: packet.DNSSEC_OK, options: [cookie] } as unknown as packet.Answer],
  });
  const reply = rawAsk(s.ctx, msg)!;
  assert.equal(s.fast.cache.hits, hits + 1, 'from the cache');
  assert.ok(reply.equals(plain), 'the same bytes as for the query without the option');
  // Random names with the option are answered in full (and never stored).
  for (let i = 0; i < 50; i++) {
    const q = packet.encode({ ...packet.decode(msg), id: i, questions: [{ name: `r${String(i).padStart(3, '0')}.example.com`, type: 'A', class: 'IN' }] });
    assert.equal(decode(rawAsk(s.ctx, q)!).rcode, 'NXDOMAIN');
  }
  assert.equal(s.fast.cache.held, 1, 'only the www question is stored');
});

test('an option the server does not know (edns-tcp-keepalive, a private code) takes the full path: not from the cache, nothing stored, the same bytes', () => {
  const s = zonesFromText({ 'example.com': fixture });
  const plain = rawAsk(s.ctx, buildQuery('www.example.com', 'A', { dnssecOk: true, id: 9 }))!;
  const hits = s.fast.cache.hits, held = s.fast.cache.held;
  for (const code of [11, 65001]) {
    const msg = packet.encode({
      type: 'query', id: 9, flags: packet.RECURSION_DESIRED, questions: [{ name: 'www.example.com', type: 'A', class: 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: packet.DNSSEC_OK, options: [{ code, data: Buffer.from('0102', 'hex') }] } as unknown as packet.Answer],
    });
    assert.ok(rawAsk(s.ctx, msg)!.equals(plain), `option ${code}: the reply a query without it gets (RFC 6891 §6.1.2)`);
  }
  assert.equal(s.fast.cache.hits, hits, 'neither came from the cache');
  assert.equal(s.fast.cache.held, held, 'neither was stored');
});

test('malformed options and EDNS version 1 take the full path: FORMERR and BADVERS, nothing cached', () => {
  const s = zonesFromText({ 'example.com': fixture });
  ask(s.ctx, 'www.example.com', 'A', { udpSize: 1232 });
  const hits = s.fast.cache.hits;
  const good = buildQuery('www.example.com', 'A', { udpSize: 1232 });
  // Claim a 2-octet RDATA holding half an option header.
  const bad = Buffer.concat([good.subarray(0, good.length - 2), Buffer.from([0, 2, 0, 10])]);
  assert.equal(decode(rawAsk(s.ctx, bad)!).rcode, 'FORMERR');
  const v1 = Buffer.from(good);
  v1[v1.length - 5] = 1; // the EDNS version octet
  assert.equal(rawAsk(s.ctx, v1)![3] & 0xf, 0, 'BADVERS is extended: the header RCODE is 0');
  assert.equal(s.fast.cache.hits, hits, 'neither came from the cache');
});

test('the reply cache is bounded in bytes: large replies over TCP cannot fill it past its budget', () => {
  const hosts = Array.from({ length: 60 }, (_, i) => `big${i} IN TXT ${Array.from({ length: 8 }, () => `"${'x'.repeat(200)}"`).join(' ')}`).join('\n');
  const s = zonesFromText({ 'example.com': `${fixture}\n${hosts}\n` });
  const ask60 = () => { for (let i = 0; i < 60; i++) ask(s.ctx, `big${i}.example.com`, 'TXT', { dnssecOk: true, tcp: true }); };
  ask60();
  assert.equal(s.fast.cache.held, 60, 'the default budget holds all sixty (about 1.7 KB each)');
  withFastPath(s, { replyBytes: 16 * 1024 });
  ask60();
  const held = s.fast.cache.held;
  assert.ok(held >= 1 && held <= 9, `${held} replies held under a 16 KB budget`);
  const hits = s.fast.cache.hits;
  ask(s.ctx, 'big59.example.com', 'TXT', { dnssecOk: true, tcp: true });
  assert.equal(s.fast.cache.hits, hits + 1, 'the newest are the ones kept');
});

test('two questions whose hashes collide get each its own reply: a hit checks the question, not just the hash', () => {
  // Find two names under the apex whose A questions (DO=1, size 1232) hash alike.
  const seen = new Map<number, string>();
  let pair: [string, string] | undefined;
  for (let i = 0; !pair && i < 1_000_000; i++) {
    const name = `n${i}.example.com`;
    const msg = buildQuery(name, 'A', { dnssecOk: true });
    const h = classifyQuery(msg, 'udp')!.hash;
    const other = seen.get(h);
    if (other) pair = [other, name]; else seen.set(h, name);
  }
  assert.ok(pair, 'a 32-bit hash collides within a million names');
  const [a, b] = pair;
  const s = zonesFromText({ 'example.com': `${fixture}\n${a}. 300 IN A 192.0.2.101\n${b}. 300 IN A 192.0.2.102\n` });
  const addr = (name: string) => (ask(s.ctx, name, 'A', { dnssecOk: true }).answers!.find((r) => r.type === 'A') as { data: string }).data;
  assert.equal(addr(a), '192.0.2.101');
  assert.equal(addr(b), '192.0.2.102', 'not the reply stored for the colliding question');
  assert.equal(addr(b), '192.0.2.102');
  const hits = s.fast.cache.hits;
  assert.equal(addr(b), '192.0.2.102');
  assert.equal(s.fast.cache.hits, hits + 1, 'the colliding question is itself cached');
  assert.equal(addr(a), '192.0.2.101');
});

test('the key hash folds name case only: type 65 (HTTPS, octet 0x41) and type 97 are different questions', () => {
  const q = (type: number) => { const m = buildQuery('Www.Example.com', 'A'); m.writeUInt16BE(type, m.length - 4); return m; };
  const h = (m: Buffer) => classifyQuery(m, 'udp')!.hash;
  assert.notEqual(h(q(65)), h(q(97)));
  assert.equal(h(buildQuery('Www.Example.com', 'A')), h(buildQuery('www.example.com', 'A')));
});

test('a stored reply is a copy: it does not keep the allocation pool it was made in alive', () => {
  const s = zonesFromText({ 'example.com': fixture });
  ask(s.ctx, 'www.example.com', 'A', { dnssecOk: true });
  const slots = (s.fast.cache as unknown as { slots: ({ bytes: Buffer } | undefined)[] }).slots;
  const bytes = slots.find((e) => e !== undefined)!.bytes;
  assert.equal(bytes.buffer.byteLength, bytes.length, 'the entry owns exactly its bytes');
});

test('questions that land on one slot replace each other: each still gets its own reply', () => {
  const s = zonesFromText({ 'example.com': fixture });
  withFastPath(s, { replies: 1 });
  const addr = (name: string) => (ask(s.ctx, name, 'A').answers!.find((r) => r.type === 'A') as { data: string }).data;
  for (let i = 0; i < 3; i++) {
    assert.equal(addr('www.example.com'), '192.0.2.80');
    assert.equal(addr('www.example.com'), '192.0.2.80');
    assert.notEqual(addr('mail.example.com'), '192.0.2.80');
    assert.equal(s.fast.cache.held, 1);
  }
  assert.equal(s.fast.cache.hits, 3, 'each repeat of www came from the one slot');
});
