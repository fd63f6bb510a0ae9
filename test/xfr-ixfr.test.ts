// In-process AXFR/IXFR: an edit's journal step applied to the AXFR must give the next AXFR exactly (records, RRSIGs, NSEC3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as packet from 'dns-packet';
import { createHmac } from 'node:crypto';
import { zonesFromText, CapturingResponder, type TestServer } from './helpers/dns.js';
import type { DnssecOptions } from '../signer/service.js';
import { rawRRs } from './helpers/wire.js';
import { handleMessage } from '../server/query/handle.js';
import { XfrStore } from '../zones/store/xfr-sqlite.js';
import { XfrService } from '../server/xfr/service.js';
import { Journal } from '../server/xfr/journal.js';
import { addSecondary } from '../server/xfr/acl.js';
import { createTsigKey, lookupTsigKey } from '../server/xfr/keys.js';
import { TsigSigner, verifyTsig } from '../server/wire/tsig.js';
import { rdataFromText } from '../zones/model/rdata/index.js';
import { RRType } from '../zones/model/types.js';
import { nameToWire } from '../zones/model/name.js';

const fixture = readFileSync(fileURLToPath(new URL('../../test/fixtures/example.com.zone', import.meta.url)), 'utf8');
const APEX = 'example.com.';

function setup(dnssec?: DnssecOptions, extraNames = 0): TestServer & { xs: XfrStore; journal: Journal; logged: string[] } {
  const text = fixture + Array.from({ length: extraNames }, (_, i) => `h${i} A 192.0.2.${i & 255}\n`).join('');
  const s = zonesFromText({ 'example.com': text }, { dnssec });
  const xs = new XfrStore(s.store);
  const now = () => s.clock.now;
  const journal = new Journal(s.store, xs);
  const logged: string[] = [];
  s.ctx.special = new XfrService({ store: s.store, xs, zones: s.zones, dnssec: s.dnssec, log: (m) => logged.push(m), now, journal }).special;
  addSecondary(s.store, xs, APEX, '127.0.0.1', undefined, now());
  return Object.assign(s, { xs, journal, logged });
}

/** Run a transfer request through a capturing TCP responder; resolves with the reply messages once the stream ends (the service logs each end). */
async function transfer(s: TestServer & { logged: string[] }, msg: Buffer): Promise<Buffer[]> {
  const r = new CapturingResponder('tcp');
  const logs = s.logged.length;
  handleMessage(s.ctx, msg, r);
  if (r.replies.length) return r.replies;
  for (const until = Date.now() + 10_000; !r.closed && s.logged.length === logs && Date.now() < until;) await new Promise((res) => setTimeout(res, 1));
  return r.streamed;
}

function request(type: 'AXFR' | 'IXFR', serial?: number): Buffer {
  return packet.encode({
    type: 'query', id: 77, flags: 0, questions: [{ name: 'example.com', type, class: 'IN' }],
    authorities: serial === undefined ? [] : [{ name: 'example.com', type: 'SOA', ttl: 0, data: {
      mname: 'ns1.example.com', rname: 'h.example.com', serial, refresh: 1, retry: 1, expire: 1, minimum: 1 } } as packet.Answer],
  });
}

const key = (r: { name: string; type: number; rdata: Buffer }) => `${r.name} ${r.type} ${r.rdata.toString('hex')}`;
const rrsOf = (msgs: Buffer[]) => msgs.flatMap((m) => rawRRs(m).filter((r) => r.section === 'answer'));

// The second case holds 64 of ~650 NSEC3 RRsets as objects and 3 RRsets' signatures as Buffers, so
// nearly everything the AXFR sent was let go: the step must come from the signatures kept on RRsets
// and chain entries, or it would delete records the secondary never had (or miss ones it has).
for (const [what, dnssec, extra] of [['default bounds', undefined, 0], ['everything let go after use', { liveNsec3: 1, cacheEntries: 3 }, 600]] as const)
test(`IXFR after an edit is incremental and turns the old AXFR into the new one (${what})`, async () => {
  const s = setup(dnssec, extra);
  const before = rrsOf(await transfer(s, request('AXFR')));
  assert.equal(before[0].type, RRType.SOA);
  const oldSerial = before[0].rdata.readUInt32BE(before[0].rdata.length - 20);
  s.edit(APEX, [
    { name: '_443._tcp.www.example.com.', type: RRType.TLSA, ttl: 3600, rdatas: [rdataFromText(RRType.TLSA, '3 1 1 ' + 'ab'.repeat(32), APEX)] },
    { name: 'new.example.com.', type: RRType.A, ttl: 3600, rdatas: [rdataFromText(RRType.A, '192.0.2.7', APEX)] },
  ]);
  const ixfr = rrsOf(await transfer(s, request('IXFR', oldSerial)));
  const soas = ixfr.map((r, i) => [r, i] as const).filter(([r]) => r.type === RRType.SOA);
  assert.equal(soas.length, 4, 'new, old, new, new: one incremental step');
  assert.equal(soas[1][0].rdata.readUInt32BE(soas[1][0].rdata.length - 20), oldSerial);
  const removed = ixfr.slice(soas[1][1] + 1, soas[2][1]);
  const added = ixfr.slice(soas[2][1] + 1, soas[3][1]);
  assert.ok(removed.some((r) => r.type === RRType.TLSA) && removed.some((r) => r.type === RRType.NSEC3));
  assert.ok(added.some((r) => r.name === 'new.example.com.' && r.type === RRType.A));
  // Apply the step to the old AXFR: exactly what the next AXFR sends.
  const zone = new Set(before.slice(0, -1).map(key));
  zone.delete(key(soas[1][0]));
  for (const r of removed) assert.ok(zone.delete(key(r)), `removing ${key(r)}, which the secondary holds`);
  zone.add(key(soas[2][0]));
  for (const r of added) { assert.ok(!zone.has(key(r)), `adding ${key(r)} twice`); zone.add(key(r)); }
  const after = rrsOf(await transfer(s, request('AXFR')));
  assert.deepEqual([...zone].sort(), after.slice(0, -1).map(key).sort());
});

test('IXFR: current client and UDP get one SOA; unknown serial gets AXFR-style; journal bounded', async () => {
  const s = setup();
  const soa = s.zones.get(APEX)!.soa;
  const serial = soa.rdatas[0].readUInt32BE(soa.rdatas[0].length - 20);
  const cur = rrsOf(await transfer(s, request('IXFR', serial)));
  assert.equal(cur.length, 1);
  const udp = new CapturingResponder('udp');
  handleMessage(s.ctx, request('IXFR', serial - 5), udp);
  const r = udp.replies[0];
  assert.deepEqual(rawRRs(r).filter((x) => x.section === 'answer').map((x) => x.type), [RRType.SOA]);
  const full = rrsOf(await transfer(s, request('IXFR', serial - 5)));
  assert.ok(full.length > 100 && full[0].type === RRType.SOA && full[1].type !== RRType.SOA, 'AXFR-style');
  for (let i = 0; i < 5; i++) s.edit(APEX, [{ name: 'x.example.com.', type: RRType.TXT, rdatas: [Buffer.from(`\x01${i}`)] }]);
  s.xs.pruneJournal(s.store.zone(APEX)!.id, { maxEntries: 2, maxBytes: 1e9, minAt: 0 });
  assert.equal([...s.xs.journalFrom(s.store.zone(APEX)!.id, serial + 3)].length, 2);
  assert.equal([...s.xs.journalFrom(s.store.zone(APEX)!.id, serial)].length, 0);
});

test('TSIG: a long AXFR is signed message by message (RFC 8945 §5.3.1) and each MAC verifies', async () => {
  const s = setup();
  // Enough data for several 16 KB messages.
  s.edit(APEX, Array.from({ length: 400 }, (_, i) => ({
    name: `h${i}.example.com.`, type: RRType.TXT, rdatas: [Buffer.from(`\x40${'x'.repeat(64)}`)] })));
  const k = createTsigKey(s.xs, 'xfr', 'hmac-sha512', undefined, s.clock.now);
  s.xs.addSecondary(s.store.zone(APEX)!.id, '127.0.0.1', 53, k.name, s.clock.now);
  const tkey = lookupTsigKey(s.xs, k.name)!;
  const req = new TsigSigner(tkey, undefined, () => s.clock.now).sign(request('AXFR'));
  const reqMac = verifyTsig(req, tsigAt(req), () => tkey, s.clock.now);
  assert.ok(reqMac.ok);
  const msgs = await transfer(s, req);
  assert.ok(msgs.length >= 3, `${msgs.length} messages`);
  // Verify as a client would: first against the request MAC, then each against the previous MAC.
  let prior = reqMac.record.mac;
  for (const [i, m] of msgs.entries()) {
    const at = tsigAt(m);
    if (i === 0) {
      const v = verifyTsig(m, at, () => tkey, s.clock.now, prior);
      assert.ok(v.ok, 'first message');
      prior = v.record.mac;
    } else {
      prior = verifyLater(m, at, tkey, prior);
    }
  }
  // The entry for 127.0.0.1 now requires the key: an unsigned request is refused.
  const plain = await transfer(s, request('AXFR'));
  assert.equal(plain[0][3] & 0xf, 5, 'REFUSED');
});

test('RFC 6891 §7: an EDNS AXFR keeps room for the OPT in a full first message, and only the first carries one', async () => {
  for (const size of [60, 61, 62, 63, 64, 65, 66, 67]) {
    const s = setup();
    // RRsets sized so that one of these runs fills the first message to its last octets.
    s.edit(APEX, Array.from({ length: 300 }, (_, i) => ({ name: `h${i}.example.com.`, type: RRType.TXT, rdatas: [Buffer.from(`${String.fromCharCode(size)}${'x'.repeat(size)}`)] })));
    const req = packet.encode({
      type: 'query', id: 78, flags: 0, questions: [{ name: 'example.com', type: 'AXFR', class: 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, flags: 0, options: [] } as unknown as packet.Answer],
    });
    const msgs = await transfer(s, req);
    assert.ok(msgs.length >= 2, `${msgs.length} messages: ${s.logged.join('; ')}`);
    const rrs = rrsOf(msgs);
    assert.equal(rrs[0].type, RRType.SOA);
    assert.equal(rrs[rrs.length - 1].type, RRType.SOA, `the transfer ran to its closing SOA (TXT of ${size})`);
    assert.deepEqual(msgs.map((m) => rawRRs(m).filter((r) => r.type === RRType.OPT).length), msgs.map((_, i) => (i === 0 ? 1 : 0)));
  }
});

function tsigAt(m: Buffer): number {
  const rrs = rawRRs(m);
  // The TSIG is the last RR; rawRRs gives offsets implicitly, so find it from the end.
  const last = rrs[rrs.length - 1];
  assert.equal(last.type, RRType.TSIG);
  const rd = last.rdata;
  return m.length - rd.length - 10 - nameToWire(last.name).length;
}

/** RFC 8945 §5.3.1 subsequent message: HMAC(prior MAC, message without TSIG, timers). */
function verifyLater(m: Buffer, at: number, k: { secret: Buffer }, prior: Buffer): Buffer {
  const body = Buffer.from(m.subarray(0, at));
  body.writeUInt16BE(body.readUInt16BE(10) - 1, 10);
  const rd = m.subarray(at + nameToWire('xfr.').length + 10);
  const algLen = nameToWire('hmac-sha512.').length;
  const timers = rd.subarray(algLen, algLen + 8);
  const macLen = rd.readUInt16BE(algLen + 8);
  const mac = rd.subarray(algLen + 10, algLen + 10 + macLen);
  const len = Buffer.alloc(2); len.writeUInt16BE(prior.length);
  const expect = createHmac('sha512', k.secret).update(len).update(prior).update(body).update(timers).digest();
  assert.ok(expect.equals(mac), 'subsequent message MAC');
  return Buffer.from(mac);
}

test('TSIG time (RFC 8945 §5.2.3): the window is the smaller of the request\'s fudge and 300 s, so an old request cannot widen it', () => {
  const key = { name: 'k.', algorithm: 'hmac-sha256' as const, secret: Buffer.alloc(32, 7) };
  const msg = packet.encode({ type: 'query', id: 1, questions: [{ type: 'SOA', name: 'example.com' }] });
  const now = 1_800_000_000;
  const at = (age: number, fudge: number) => {
    const signed = new TsigSigner(key, undefined, () => now - age, 0, Buffer.alloc(0), fudge).sign(msg);
    return verifyTsig(signed, msg.length, () => key, now);
  };
  assert.equal(at(250, 300).ok, true, 'inside 300 s');
  assert.equal(at(30_000, 65_535).ok, false, 'signed 30,000 s ago with a fudge of 65,535 s: replayed, refused');
  const v = at(30_000, 65_535);
  assert.ok(!v.ok && v.error === 18, 'BADTIME');
  assert.equal(at(400, 65_535).ok, false, 'our 300 s window, whatever the request says');
  assert.equal(at(20, 10).ok, false, 'a request\'s own smaller fudge holds too');
});
