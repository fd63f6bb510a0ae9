// UPDATE messages crafted byte by byte through the query path: FORMERR for what RFC 2136 calls malformed, NOTAUTH for
// a zone not hosted, compressed RDATA names stored whole, and every reply to a signed UPDATE signed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as packet from 'dns-packet';
import { zonesFromText, rawAsk } from './helpers/dns.js';
import { fixture } from './helpers/api.js';
import { XfrStore } from '../zones/store/xfr-sqlite.js';
import { PolicyStore } from '../zones/store/policy-sqlite.js';
import { createTsigKey, lookupTsigKey } from '../server/xfr/keys.js';
import { addPolicy } from '../server/update/policy.js';
import { UpdateService } from '../server/update/service.js';
import { TsigSigner, verifyTsig } from '../server/wire/tsig.js';
import { RRType } from '../zones/model/types.js';
import { rawRRs } from './helpers/wire.js';
import { nameToWire } from '../zones/model/name.js';

const UPDATE = 5 << 11;

function setup() {
  const s = zonesFromText({ 'example.com': fixture('example.com.zone') });
  const xs = new XfrStore(s.store);
  const ps = new PolicyStore(s.store);
  createTsigKey(xs, 'k', 'hmac-sha256', undefined, s.clock.now);
  addPolicy(s.store, ps, xs, 'example.com.', { key: 'k' }, s.clock.now);
  const key = lookupTsigKey(xs, 'k.')!;
  const svc = new UpdateService({ store: s.store, xs, ps, pipeline: s.pipeline, log: () => {}, tsigNow: () => s.clock.now });
  s.ctx.special = svc.special;
  const sign = (m: Buffer) => new TsigSigner(key, undefined, () => s.clock.now).sign(m);
  /** Send `msg` signed; the reply's rcode, after checking the reply's own TSIG against the request's MAC. */
  const send = (msg: Buffer): number => {
    const req = sign(msg);
    const reqMac = verifyTsig(req, tsigAt(req), () => key, s.clock.now);
    assert.ok(reqMac.ok);
    const reply = rawAsk(s.ctx, req)!;
    const v = verifyTsig(reply, tsigAt(reply), () => key, s.clock.now, reqMac.record.mac);
    assert.ok(v.ok, 'the reply is signed with the request\'s key');
    return reply[3] & 0xf;
  };
  return { s, send };
}

function tsigAt(m: Buffer): number {
  const rrs = rawRRs(m);
  const last = rrs[rrs.length - 1];
  assert.equal(last.type, RRType.TSIG);
  return m.length - last.rdata.length - 10 - nameToWire(last.name).length;
}

/** A valid UPDATE adding one A record, as bytes to break. */
function addA(name = 'new.example.com', zone = 'example.com'): Buffer {
  return packet.encode({
    type: 'query', id: 7, flags: UPDATE, questions: [{ name: zone, type: 'SOA', class: 'IN' }],
    authorities: [{ name, type: 'A', class: 'IN', ttl: 300, data: '192.0.2.7' }],
  } as unknown as packet.Packet);
}

test('RFC 2136 §3.1 and §3.4.1: malformed sections are FORMERR, an unhosted zone NOTAUTH; nothing is changed', () => {
  const { s, send } = setup();
  const serial = () => s.zones.get('example.com.')!.soa.rdatas[0].readUInt32BE(s.zones.get('example.com.')!.soa.rdatas[0].length - 20);
  const before = serial();
  // The zone section's type must be SOA.
  const notSoa = addA();
  notSoa.writeUInt16BE(RRType.A, 12 + 13);
  assert.equal(send(notSoa), 1, 'zone type A: FORMERR');
  // An A record with 3 octets of RDATA.
  const badRdata = Buffer.concat([addA().subarray(0, addA().length - 6), Buffer.from([0, 3, 192, 0, 2])]);
  assert.equal(send(badRdata), 1, 'A with RDLENGTH 3: FORMERR');
  // An update of class CH, and a deletion (class ANY) with a TTL.
  const ch = addA();
  ch.writeUInt16BE(3, ch.length - 4 - 2 - 4 - 2);
  assert.equal(send(ch), 1, 'class CH: FORMERR');
  const anyTtl = packet.encode({ type: 'query', id: 8, flags: UPDATE, questions: [{ name: 'example.com', type: 'SOA', class: 'IN' }],
    authorities: [{ name: 'www.example.com', type: 'A', class: 'ANY', ttl: 60, data: Buffer.alloc(0) }] } as unknown as packet.Packet);
  assert.equal(send(anyTtl), 1, 'a deletion with TTL 60: FORMERR');
  // A prerequisite with a TTL.
  const prereqTtl = packet.encode({ type: 'query', id: 9, flags: UPDATE, questions: [{ name: 'example.com', type: 'SOA', class: 'IN' }],
    answers: [{ name: 'www.example.com', type: 'A', class: 'ANY', ttl: 5, data: Buffer.alloc(0) }],
    authorities: [{ name: 'new.example.com', type: 'A', class: 'IN', ttl: 300, data: '192.0.2.7' }] } as unknown as packet.Packet);
  assert.equal(send(prereqTtl), 1, 'a prerequisite with TTL 5: FORMERR');
  assert.equal(send(addA('new.example.org', 'example.org')), 9, 'a zone not hosted here: NOTAUTH');
  assert.equal(send(addA('www.example.org')), 10, 'a name outside the zone: NOTZONE');
  assert.equal(serial(), before, 'nothing changed');
  assert.equal(send(addA()), 0);
  assert.equal(serial(), before + 1);
});

test('compressed names in RDATA (CNAME target, MX exchange) are stored whole', () => {
  const { s, send } = setup();
  // dns-packet compresses nothing; write the pointers by hand: the CNAME target and MX exchange point at the zone name (offset 12).
  const head = packet.encode({ type: 'query', id: 10, flags: UPDATE, questions: [{ name: 'example.com', type: 'SOA', class: 'IN' }] } as unknown as packet.Packet);
  const owner = (label: string) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label), Buffer.from([0xc0, 12])]);
  const rr = (name: Buffer, type: number, rdata: Buffer) => {
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(type, 0); fixed.writeUInt16BE(1, 2); fixed.writeUInt32BE(300, 4); fixed.writeUInt16BE(rdata.length, 8);
    return Buffer.concat([name, fixed, rdata]);
  };
  const cname = rr(owner('alias2'), RRType.CNAME, Buffer.concat([Buffer.from([3]), Buffer.from('www'), Buffer.from([0xc0, 12])]));
  const mx = rr(owner('mx2'), RRType.MX, Buffer.concat([Buffer.from([0, 10, 4]), Buffer.from('mail'), Buffer.from([0xc0, 12])]));
  const msg = Buffer.concat([head, cname, mx]);
  msg.writeUInt16BE(2, 8); // UPCOUNT
  assert.equal(send(msg), 0);
  const zone = s.zones.get('example.com.')!;
  assert.equal(zone.rrset('alias2.example.com.', RRType.CNAME)!.rdatas[0].toString('hex'), Buffer.from('\x03www\x07example\x03com\x00', 'latin1').toString('hex'));
  assert.equal(zone.rrset('mx2.example.com.', RRType.MX)!.rdatas[0].toString('hex'), Buffer.from('\x00\x0a\x04mail\x07example\x03com\x00', 'latin1').toString('hex'));
});
