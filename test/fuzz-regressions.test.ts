// Faults the packet fuzzer found, each pinned by the packet that showed it, sent to a live 2-worker server over UDP and
// TCP: the reply parses with dns-packet, says FORMERR, and no exception reached the listeners.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import * as dnsPacket from 'dns-packet';
import { tmpDir } from './helpers/server.js';
import { fuzzDatabase, fuzzServer } from './fuzz/packet-fuzzer.js';
import { message, nameWire } from './fuzz/corpus.js';
import { TsigSigner } from '../server/wire/tsig.js';

function udpAsk(port: number, q: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => { s.close(); reject(new Error('no UDP reply')); }, 5000);
    s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(m); });
    s.send(q, port, '127.0.0.1');
  });
}

function tcpAsk(port: number, q: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => { c.destroy(); reject(new Error('no TCP reply')); }, 5000);
    c.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) { clearTimeout(timer); c.destroy(); resolve(buf.subarray(2, 2 + buf.readUInt16BE(0))); }
    });
    c.on('error', reject);
    const p = Buffer.alloc(2);
    p.writeUInt16BE(q.length);
    c.write(Buffer.concat([p, q]));
  });
}

test('fuzzer finds: FORMERR (not a dropped packet and a logged exception, nor an unparseable echo) for each', { timeout: 120_000 }, async (t) => {
  const { dir, cleanup } = tmpDir('daneprime-fuzzreg-');
  t.after(cleanup);
  const { db, keys } = fuzzDatabase(dir);
  const server = await fuzzServer(db);
  t.after(() => server.stop());
  const now = () => Math.floor(Date.now() / 1000);
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };

  const signedUpdate = new TsigSigner(keys.fuzz, undefined, now).sign(message({ flags: 5 << 11, qd: [{ name: 'example.com', type: 6 }], ns: [{ name: 'fz.example.com', type: 1, ttl: 300, rdata: Buffer.from([192, 0, 2, 1]) }] }));
  // The MAC length field (after the algorithm name, 6 octets of time and 2 of fudge) claims more than the RDATA holds.
  const macLenAt = signedUpdate.length - (2 + 2 + 2 + 32) - 2;
  const overrun = Buffer.from(signedUpdate);
  overrun.writeUInt16BE(0xfff0, macLenAt);
  const ixfrBadSoa = new TsigSigner(keys.xfr, undefined, now).sign(message({ flags: 0, qd: [{ name: 'example.com', type: 251 }],
    ns: [{ name: 'example.com', type: 6, rdata: Buffer.concat([Buffer.from([0xc0, 0xff]), nameWire('h.example.com'), u32(1), u32(2), u32(3), u32(4), u32(5)]) }] }));
  const cases: [string, Buffer, { qdcount?: number }][] = [
    // RFC 1035 §4.1.4: the question's name pointed forward; its echo pointed past the end of the reply.
    ['a compression pointer forward in the question', Buffer.from('c34501200001000000000001046d61696c076578616d706c6503636f6dc02002000100002904d000000000003400030000000b00', 'hex'), { qdcount: 0 }],
    ['a compression pointer into the header as the question', Buffer.concat([Buffer.from('123400000001000000000000', 'hex'), Buffer.from([0xc0, 0x02, 0, 1, 0, 1])]), { qdcount: 0 }],
    ['a TSIG whose MAC length overruns its RDATA (was: RangeError in parseTsig)', overrun, {}],
    ['an IXFR whose SOA has a bad name (was: NameError in clientSerial)', ixfrBadSoa, {}],
  ];
  for (const [what, q, expect] of cases) {
    for (const [via, ask] of [['udp', udpAsk], ['tcp', tcpAsk]] as const) {
      const reply = await ask(server.port, q);
      const d = dnsPacket.decode(reply);
      assert.equal(d.id, q.readUInt16BE(0), `${what} (${via}): the request's ID`);
      assert.equal(reply[3] & 0x0f, 1, `${what} (${via}): FORMERR`);
      assert.equal(d.type, 'response');
      if (expect.qdcount !== undefined) assert.equal(reply.readUInt16BE(4), expect.qdcount, `${what} (${via}): no question echoed`);
    }
  }
  assert.doesNotMatch(server.log(), /internal error/);
});
