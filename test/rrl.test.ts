// Response rate limiting, unit level: classes and bucket names read from replies made by dns-packet (not our encoder), client prefixes, token buckets, slip, the memory bound under spoofed floods.
import { requirePresent } from './helpers/tools.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as packet from 'dns-packet';
import { classifyReply, RRL_CLASSES } from '../server/net/rrl-class.js';
import { ResponseRateLimiter, prefixKey } from '../server/net/rrl.js';
import { Metrics } from '../server/metrics/metrics.js';
import { exposition } from '../server/metrics/exposition.js';
import { listenUdp } from '../server/net/udp.js';
import { batchedUdp } from '../server/net/udp-batch.js';
import dgram from 'node:dgram';

const SOA = { mname: 'ns1.example.com', rname: 'host.example.com', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 1 };
const rrsig = (name: string, labels: number) => ({
  name, type: 'RRSIG' as const, ttl: 60,
  data: { typeCovered: 'A', algorithm: 13, labels, originalTTL: 60, expiration: 2, inception: 1, keyTag: 1, signersName: 'example.com', signature: Buffer.alloc(64) },
});

const RCODES: Record<string, number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };

/** A reply as dns-packet writes it (compression-free: the owner names are spelt out, unlike ours). */
function reply(q: string, opts: { rcode?: string; aa?: boolean; answers?: packet.Answer[]; authorities?: packet.Answer[]; qtype?: string }): Buffer {
  return packet.encode({
    type: 'response', id: 7, flags: (opts.aa === false ? 0 : packet.AUTHORITATIVE_ANSWER) | RCODES[opts.rcode ?? 'NOERROR'],
    questions: [{ name: q, type: (opts.qtype ?? 'A') as packet.RecordType, class: 'IN' }],
    answers: opts.answers ?? [], authorities: opts.authorities ?? [],
  } as packet.Packet);
}
const cls = (b: Buffer) => RRL_CLASSES[classifyReply(b) % 8];

test('classes as Knot names them, and the names buckets are kept by (BIND: identical responses share one)', () => {
  const a = (name: string) => ({ name, type: 'A' as const, ttl: 60, data: '192.0.2.1' });
  const www = reply('www.example.com', { answers: [a('www.example.com')] });
  const WWW = reply('WWW.Example.COM', { answers: [a('WWW.Example.COM')] });
  const mail = reply('mail.example.com', { answers: [a('mail.example.com')] });
  assert.equal(cls(www), 'noerror');
  assert.equal(classifyReply(www), classifyReply(WWW), 'case does not split a bucket');
  assert.notEqual(classifyReply(www), classifyReply(mail), 'different answers, different buckets');
  assert.notEqual(classifyReply(www), classifyReply(reply('www.example.com', { qtype: 'TXT', answers: [] , authorities: [] , aa: true })), 'the type is in the key');

  const nx = (q: string, zone = 'example.com') => reply(q, { rcode: 'NXDOMAIN', authorities: [{ name: zone, type: 'SOA', ttl: 60, data: SOA }] });
  assert.equal(cls(nx('a1.example.com')), 'nxdomain');
  assert.equal(classifyReply(nx('a1.example.com')), classifyReply(nx('zz.q.example.com')), 'random names in one zone share a bucket');
  assert.notEqual(classifyReply(nx('a1.example.com')), classifyReply(nx('a1.example.net', 'example.net')));

  const nodata = (q: string) => reply(q, { qtype: 'AAAA', authorities: [{ name: 'example.com', type: 'SOA', ttl: 60, data: SOA }] });
  assert.equal(cls(nodata('www.example.com')), 'nodata');
  assert.equal(classifyReply(nodata('www.example.com')), classifyReply(nodata('mail.example.com')));

  const ref = (q: string) => reply(q, { aa: false, authorities: [{ name: 'sub.example.com', type: 'NS', ttl: 60, data: 'ns.sub.example.com' }] });
  assert.equal(cls(ref('a.sub.example.com')), 'referral');
  assert.equal(classifyReply(ref('a.sub.example.com')), classifyReply(ref('b.c.sub.example.com')), 'one bucket per delegation');

  // *.wild.example.com expanded: the RRSIG's Labels (3) is under the owner's (4 or 5).
  const wild = (q: string) => reply(q, { answers: [a(q), rrsig(q, 3) as unknown as packet.Answer] });
  assert.equal(cls(wild('x.wild.example.com')), 'wildcard');
  assert.equal(classifyReply(wild('x.wild.example.com')), classifyReply(wild('y.z.wild.example.com')), 'random labels under a wildcard share one bucket');
  assert.equal(cls(reply('www.example.com', { answers: [a('www.example.com'), rrsig('www.example.com', 3) as unknown as packet.Answer] })), 'noerror', 'a signed ordinary answer');

  for (const rcode of ['SERVFAIL', 'REFUSED', 'FORMERR', 'NOTIMP']) assert.equal(cls(reply('x.example.org', { rcode })), 'error');
  assert.equal(cls(Buffer.from([0, 1, 0x80, 1, 0, 0, 0, 0, 0, 0, 0, 0])), 'error', 'no question');
  assert.equal(cls(Buffer.from([1, 2, 3])), 'error', 'garbage');
  // A compression loop must end.
  const loop = Buffer.from([0, 1, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
  assert.equal(cls(loop), 'error');
});

test('client prefixes: IPv4 /24, IPv6 /56', () => {
  assert.equal(prefixKey('192.0.2.77'), (192 << 16) | (0 << 8) | 2);
  assert.equal(prefixKey('192.0.2.1'), prefixKey('192.0.2.254'));
  assert.notEqual(prefixKey('192.0.2.1'), prefixKey('192.0.3.1'));
  assert.equal(prefixKey('::ffff:192.0.2.9'), prefixKey('192.0.2.1'));
  assert.equal(prefixKey('::FFFF:192.0.2.9'), prefixKey('192.0.2.1'));
  assert.equal(prefixKey('2001:db8:1:ff00::1'), prefixKey('2001:db8:1:ff12:3456::9'), 'same /56');
  assert.notEqual(prefixKey('2001:db8:1:ff00::1'), prefixKey('2001:db8:1:100::1'), 'another /56');
  assert.equal(prefixKey('2001:db8::1'), prefixKey('2001:0db8:0000:00ff:0:0:0:2'));
  assert.equal(prefixKey('::1'), prefixKey('::2'));
  assert.equal(prefixKey('fe80::1%eth0'), prefixKey('fe80::2'));
  assert.equal(prefixKey('2001:db8:0:0:1::'), prefixKey('2001:db8::1:0:0:0'));
  assert.notEqual(prefixKey('2001:db8::'), prefixKey('2001:db9::'));
  assert.notEqual(prefixKey('::1'), prefixKey('0.0.0.1'), 'families apart');
  assert.equal(prefixKey('64:ff9b::192.0.2.1'), prefixKey('64:ff9b::'));
});

test('token bucket: the rate and one second of burst per prefix and bucket; over it every second reply is TC=1 and empty, the others dropped', async () => {
  let now = 0;
  const rrl = new ResponseRateLimiter({ rate: 10, slip: 2 }, () => now);
  const r = reply('www.example.com', { answers: [{ name: 'www.example.com', type: 'A', ttl: 60, data: '192.0.2.1' }] });
  let sent = 0, tc = 0, dropped = 0;
  // 1000 q/s for 5 s from one address.
  for (let i = 0; i < 5000; i++) {
    now = i;
    const out = rrl.filter(r, prefixKey('198.51.100.7'));
    if (out === r) sent++;
    else if (out === undefined) dropped++;
    else {
      tc++;
      const p = packet.decode(out);
      assert.equal(p.flags! & packet.TRUNCATED_RESPONSE, packet.TRUNCATED_RESPONSE);
      assert.equal(p.answers!.length, 0);
      assert.equal(p.id, 7);
      assert.equal(p.questions![0].name, 'www.example.com');
      assert.ok(out.length <= r.length);
    }
    // Another prefix at 10/s is never limited, nor is another class from the flooded prefix.
    if (i % 100 === 0) {
      assert.equal(rrl.filter(r, prefixKey('198.51.101.7')), r);
      const nx = reply(`n${i}.example.com`, { rcode: 'NXDOMAIN', authorities: [{ name: 'example.com', type: 'SOA', ttl: 60, data: SOA }] });
      assert.equal(rrl.filter(nx, prefixKey('198.51.100.8')), nx);
    }
  }
  assert.ok(sent >= 58 && sent <= 61, `10 burst + 10/s × 5 s, got ${sent}`);
  assert.equal(tc + dropped + sent, 5000);
  assert.ok(Math.abs(tc - dropped) <= 1, `slip 2: half truncated (${tc}), half dropped (${dropped})`);
  assert.equal(rrl.slipped[0], tc);
  assert.equal(rrl.dropped[0], dropped);
  const text = await exposition([Object.assign(new Metrics(), { rrl }).snapshot()], []);
  assert.match(text, new RegExp(`daneprime_rrl_limited_total\\{class="noerror",action="slipped"\\} ${tc}`));
  assert.match(text, new RegExp(`daneprime_rrl_limited_total\\{class="noerror",action="dropped"\\} ${dropped}`));

  // slip 0 drops all, slip 1 truncates all.
  for (const slip of [0, 1]) {
    const l = new ResponseRateLimiter({ rate: 1, slip }, () => 0);
    const outs = Array.from({ length: 11 }, () => l.filter(r, prefixKey('203.0.113.1')));
    assert.equal(outs[0], r);
    assert.equal(outs.slice(1).filter((o) => o === undefined).length, slip === 0 ? 10 : 0);
  }
});

test('memory stays bounded under a flood of spoofed sources, and the real flooder stays limited', () => {
  let now = 0;
  const rrl = new ResponseRateLimiter({ rate: 5, slip: 2, maxBuckets: 2000 }, () => now);
  const r = reply('www.example.com', { answers: [{ name: 'www.example.com', type: 'A', ttl: 60, data: '192.0.2.1' }] });
  let flooderSent = 0;
  const before = process.memoryUsage().heapUsed;
  // 10 s at 20,000 spoofed q/s from 200,000 distinct /24s, the flooder's own prefix 1 query in 20.
  for (let i = 0; i < 200_000; i++) {
    now = i / 20;
    rrl.filter(r, prefixKey(`${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}.1`));
    if (i % 20 === 0 && rrl.filter(r, prefixKey('192.0.2.1')) === r) flooderSent++;
    assert.ok(rrl.tracked() <= 2000);
  }
  assert.ok(rrl.tracked() <= 2000, `${rrl.tracked()} buckets`);
  assert.ok(flooderSent <= 5 + 5 * 10 + 1, `flooder got ${flooderSent} of 10,000 through (5/s for 10 s)`);
  assert.ok(process.memoryUsage().heapUsed - before < 32 * 1024 * 1024, 'heap growth bounded');
});

test('the batched addon names the client network exactly as prefixKey does (IPv4 and IPv6 sources)', async (t) => {
  if (!requirePresent(batchedUdp.available, `batched UDP unavailable: ${batchedUdp.available ? '' : batchedUdp.reason}`, t)) return;
  for (const host of ['127.0.0.1', '::1']) {
    // rate 1: the listener's reply takes the bucket's one token; a filter() here with the
    // prefix computed from the text then finds it empty only if both name the same bucket.
    const rrl = new ResponseRateLimiter({ rate: 1, slip: 0 }, () => 0);
    let made: Buffer | undefined;
    const answer = reply('www.example.com', { answers: [{ name: 'www.example.com', type: 'A', ttl: 60, data: '192.0.2.1' }] });
    const l = await listenUdp({ host, port: 0 }, (_msg, responder) => { made = answer; responder.reply(answer); }, () => {}, 'batch', rrl);
    t.after(() => l.close());
    const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const got = await new Promise<Buffer>((resolve) => { s.once('message', resolve); s.send(Buffer.from(answer), l.port, host); });
    s.close();
    assert.ok(made && got.equals(answer), 'the first reply passes');
    assert.equal(rrl.filter(answer, prefixKey(host)), undefined, `${host}: the addon's prefix is prefixKey's`);
    assert.notEqual(rrl.filter(answer, prefixKey(host.includes(':') ? '2001:db8::1' : '127.0.1.1')), undefined);
  }
});
