// The encoded-reply cache: reused bytes still echo ID, question case and RD/CD; any commit invalidates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as packet from 'dns-packet';
import { zonesFromText, ask, rawAsk, decode } from './helpers/dns.js';
import { applyEdits } from '../zones/update.js';
import { RRType } from '../zones/model/types.js';
import { rdataFromText } from '../zones/model/rdata/index.js';

const fixture = readFileSync(fileURLToPath(new URL('../../test/fixtures/example.com.zone', import.meta.url)), 'utf8');

test('a cached reply carries the new ID, question spelling and RD/CD of the repeat', () => {
  const s = zonesFromText({ 'example.com': fixture });
  ask(s.ctx, 'www.example.com', 'A', { dnssecOk: true, id: 1 });
  const hitsBefore = s.ctx.cache!.hits;
  const msg = packet.encode({
    type: 'query', id: 777, flags: packet.CHECKING_DISABLED, questions: [{ name: 'WWW.example.COM', type: 'A', class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: packet.DNSSEC_OK, options: [] } as unknown as packet.Answer],
  });
  const r = decode(rawAsk(s.ctx, msg)!);
  assert.equal(s.ctx.cache!.hits, hitsBefore + 1, 'served from the cache');
  assert.equal(r.id, 777);
  assert.equal(r.questions![0].name, 'WWW.example.COM');
  assert.equal(r.flag_rd, false);
  assert.equal(r.flag_cd, true);
  assert.equal(r.answers!.filter((a) => a.type === 'RRSIG').length, 1);
});

test('an edit invalidates cached replies: the next query sees it', () => {
  const s = zonesFromText({ 'example.com': fixture });
  assert.equal((ask(s.ctx, 'www.example.com', 'A').answers![0] as { data: string }).data, '192.0.2.80');
  applyEdits(s.store, s.zones, 'example.com.', [{ name: 'www.example.com.', type: RRType.A, rdatas: [rdataFromText(RRType.A, '192.0.2.81', 'example.com.')] }], { now: s.clock.now });
  assert.equal((ask(s.ctx, 'www.example.com', 'A').answers![0] as { data: string }).data, '192.0.2.81');
});

test('NXDOMAIN and wildcard replies are not cached (random labels would only evict useful entries)', () => {
  const s = zonesFromText({ 'example.com': fixture });
  for (let i = 0; i < 2; i++) {
    ask(s.ctx, 'nope.example.com', 'A', { dnssecOk: true });
    ask(s.ctx, 'x.wild.example.com', 'A', { dnssecOk: true });
  }
  assert.equal(s.ctx.cache!.hits, 0);
});

test('a query without EDNS never gets a reply cached for one with EDNS (the OPT echo differs)', () => {
  const s = zonesFromText({ 'example.com': fixture });
  const withOpt = ask(s.ctx, 'www.example.com', 'A', { udpSize: 512 });
  assert.equal(withOpt.additionals!.filter((a) => a.type === 'OPT').length, 1);
  const without = ask(s.ctx, 'www.example.com', 'A', { edns: false });
  assert.equal(without.additionals!.filter((a) => a.type === 'OPT').length, 0);
});

test('queries that are not plain (options in OPT, EDNS version 1) skip the cache and still get the right answer', () => {
  const s = zonesFromText({ 'example.com': fixture });
  ask(s.ctx, 'www.example.com', 'A', { udpSize: 1232 });
  const hits = s.ctx.cache!.hits;
  const msg = packet.encode({
    type: 'query', id: 9, questions: [{ name: 'www.example.com', type: 'A', class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0, options: [{ code: 65001, data: Buffer.from('x') }] } as unknown as packet.Answer],
  });
  const r = decode(rawAsk(s.ctx, msg)!);
  assert.equal(r.rcode, 'NOERROR');
  assert.equal(s.ctx.cache!.hits, hits, 'not from the cache');
});
