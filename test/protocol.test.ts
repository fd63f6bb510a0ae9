// Message-level rules: FORMERR/NOTIMP/REFUSED/BADVERS, dropped responses, EDNS(0) and truncation (RFC 1035, 6891, 2181 §9).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as packet from 'dns-packet';
import { zonesFromText, ask, rawAsk, buildQuery, decode, rrs } from './helpers/dns.js';
import type { QueryContext } from '../server/query/handle.js';

const fixture = (f: string) => readFileSync(fileURLToPath(new URL(`../../test/fixtures/${f}`, import.meta.url)), 'utf8');
const { zones } = zonesFromText({ 'example.com': fixture('example.com.zone') });
const ctx: QueryContext = { zones };  // unsigned path: DO is not set by these rows

function header(id: number, flags: number, qd: number, an = 0, ns = 0, ar = 0): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0); h.writeUInt16BE(flags, 2);
  h.writeUInt16BE(qd, 4); h.writeUInt16BE(an, 6); h.writeUInt16BE(ns, 8); h.writeUInt16BE(ar, 10);
  return h;
}
const question = Buffer.concat([Buffer.from([3, 0x77, 0x77, 0x77, 7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0]), Buffer.from([0, 1, 0, 1])]);

test('responses (QR=1) are dropped, never answered', () => {
  assert.equal(rawAsk(ctx, Buffer.concat([header(1, 0x8000, 1), question])), undefined);
});

test('a message shorter than a header is dropped', () => {
  assert.equal(rawAsk(ctx, Buffer.from([1, 2, 3])), undefined);
});

test('QDCOUNT 0 and 2 are FORMERR', () => {
  for (const qd of [0, 2]) {
    const body = qd === 2 ? Buffer.concat([question, question]) : Buffer.alloc(0);
    const r = decode(rawAsk(ctx, Buffer.concat([header(7, 0x0100, qd), body]))!);
    assert.equal(r.rcode, 'FORMERR', `qdcount ${qd}`);
    assert.equal(r.id, 7);
  }
});

test('truncated question is FORMERR', () => {
  const r = decode(rawAsk(ctx, Buffer.concat([header(9, 0, 1), question.subarray(0, 10)]))!);
  assert.equal(r.rcode, 'FORMERR');
});

test('trailing garbage is FORMERR', () => {
  const r = decode(rawAsk(ctx, Buffer.concat([header(9, 0, 1), question, Buffer.from([1, 2, 3])]))!);
  assert.equal(r.rcode, 'FORMERR');
});

test('unknown opcode is NOTIMP', () => {
  const r = decode(rawAsk(ctx, Buffer.concat([header(3, 2 << 11, 1), question]))!);
  assert.equal(r.rcode, 'NOTIMP');
  assert.equal(r.opcode, 'STATUS');
});

test('unknown opcodes are NOTIMP even in a header-only message (RFC 8906 §8.1.4); known ones with no question stay FORMERR', () => {
  for (const opcode of [1, 2, 3, 6, 15]) assert.equal(decode(rawAsk(ctx, header(0, opcode << 11, 1))!).rcode, 'NOTIMP', `opcode ${opcode}`);
  for (const opcode of [0, 4]) assert.equal(decode(rawAsk(ctx, header(0, opcode << 11, 1))!).rcode, 'FORMERR', `opcode ${opcode}`);
});

test('UPDATE (opcode 5) in a context without an update service is NOTIMP', () => {
  const r = decode(rawAsk(ctx, Buffer.concat([header(3, 5 << 11, 1), question]))!);
  assert.equal(r.rcode, 'NOTIMP');
});

test('class CH is REFUSED', () => {
  const q = Buffer.from(question); q.writeUInt16BE(3, q.length - 2);
  assert.equal(decode(rawAsk(ctx, Buffer.concat([header(3, 0, 1), q]))!).rcode, 'REFUSED');
});

test('no OPT in the query, no OPT in the reply; 512-byte limit applies', () => {
  const r = ask(ctx, 'big.example.com', 'TXT', { edns: false });
  assert.equal(r.additionals!.filter((a) => a.type === 'OPT').length, 0);
  assert.equal(r.flag_tc, true, 'six 100-byte TXT records do not fit 512 bytes');
  assert.ok(r.raw.length <= 512);
  assert.deepEqual(rrs(r.answers), [], 'never a partial RRset');
});

test('OPT echoed with our 1232 size and the DO bit', () => {
  const r = ask(ctx, 'www.example.com', 'A', { udpSize: 4096, dnssecOk: true });
  const opt = r.additionals!.find((a) => a.type === 'OPT') as unknown as packet.OptAnswer;
  assert.ok(opt, 'OPT present');
  assert.equal(opt.udpPayloadSize, 1232);
  assert.equal((opt.flags ?? 0) & packet.DNSSEC_OK, packet.DNSSEC_OK);
});

test('EDNS honours the client size (min 512) and TCP has no such limit', () => {
  const small = ask(ctx, 'big.example.com', 'TXT', { udpSize: 100 });
  assert.equal(small.flag_tc, true);
  assert.ok(small.raw.length <= 512);
  const fits = ask(ctx, 'big.example.com', 'TXT', { udpSize: 1232 });
  assert.equal(fits.flag_tc, false);
  assert.equal(fits.answers!.length, 6);
  const tcp = ask(ctx, 'big.example.com', 'TXT', { edns: false, tcp: true });
  assert.equal(tcp.flag_tc, false);
  assert.equal(tcp.answers!.length, 6);
});

test('EDNS version 1 gets BADVERS', () => {
  const msg = packet.encode({
    type: 'query', id: 5, questions: [{ name: 'www.example.com', type: 'A', class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0, options: [] } as unknown as packet.Answer],
  });
  // OPT TTL field: extended rcode(8) version(8) flags(16); set version=1 in place.
  msg[msg.length - 11 + 6] = 1;
  const raw = rawAsk(ctx, msg)!;
  const r = decode(raw);
  const opt = r.additionals!.find((a) => a.type === 'OPT') as unknown as unknown as packet.OptAnswer;
  // Extended RCODE 16 = upper bits 1 in OPT, 0 in the header (RFC 6891 §6.1.3).
  assert.equal(raw[3] & 0xf, 0);
  assert.equal(raw[raw.length - 11 + 5], 1, 'extended rcode byte');
  assert.ok(opt);
});

test('unknown EDNS options are ignored', () => {
  const msg = packet.encode({
    type: 'query', id: 5, questions: [{ name: 'www.example.com', type: 'A', class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0, options: [{ code: 65001, data: Buffer.from('hi') }] } as unknown as packet.Answer],
  });
  const r = decode(rawAsk(ctx, msg)!);
  assert.equal(r.rcode, 'NOERROR');
  assert.deepEqual(rrs(r.answers), ['www.example.com A']);
});

test('two OPT records are FORMERR', () => {
  const opt = { type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0, options: [] } as unknown as packet.Answer;
  const msg = packet.encode({ type: 'query', id: 5, questions: [{ name: 'www.example.com', type: 'A', class: 'IN' }], additionals: [opt, opt] });
  assert.equal(decode(rawAsk(ctx, msg)!).rcode, 'FORMERR');
});

test('REFUSED carries Extended DNS Error 20 (not authoritative) when EDNS is used', () => {
  const r = ask(ctx, 'example.org', 'A', { udpSize: 1232 });
  assert.equal(r.rcode, 'REFUSED');
  const opt = r.additionals!.find((a) => a.type === 'OPT') as unknown as packet.OptAnswer;
  const ede = (opt.options as unknown as { code: number; data: Buffer }[]).find((o) => o.code === 15);
  assert.ok(ede, 'EDE option present');
  assert.equal(ede.data.readUInt16BE(0), 20);
});

test('AXFR without a transfer ACL is REFUSED', () => {
  const r = decode(rawAsk(ctx, buildQuery('example.com', 'AXFR'), true)!);
  assert.equal(r.rcode, 'REFUSED');
});

test('answers compress names: a 6-record answer stays small', () => {
  const r = ask(ctx, 'example.com', 'NS', { udpSize: 1232 });
  // Owner names point at the question (2 bytes each) instead of repeating 13 bytes.
  assert.ok(r.raw.length < 120, `response is ${r.raw.length} bytes`);
});
