// The packet fuzzer: mutated seeds over UDP and TCP (with framing lies) against a live `daneprime serve` with every
// feature on; every reply must parse with dns-packet and carry a request's ID, the server must keep answering a
// sentinel, keep its worker PIDs, and keep its memory flat.
import dgram from 'node:dgram';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as dnsPacket from 'dns-packet';
import { Rng } from './rng.js';
import { mutate } from './mutate.js';
import { seeds, message, type Seed } from './corpus.js';
import { cli, fixturePath } from '../helpers/server.js';
import { startServer, type Child } from '../helpers/procs.js';
import { TsigSigner, type TsigKey } from '../../server/wire/tsig.js';

export interface FuzzOptions {
  packets: number;
  seed: number;
  /** Packets per burst; a sentinel query follows each burst. */
  burst?: number;
  /** Stop early (reporting how far it got) after this long. */
  timeBudgetMs?: number;
  /** RSS is measured after this many packets (the baseline) and at the end. */
  warmupPackets?: number;
  progress?: (s: FuzzStats) => void;
  /** Each failure as it happens (a long run shows it before it ends). */
  onFailure?: (m: string) => void;
  progressEvery?: number;
}

export interface FuzzStats {
  seed: number;
  sent: number; udp: number; tcp: number; framingLies: number; replies: number;
  /** Failures: unparseable replies, foreign IDs, answers to responses, missed sentinels, lost workers. */
  failures: string[];
  hangs: number; crashes: number;
  /** RSS in MB per server process (primary first), at the warm-up baseline and at the end. */
  rssBaseline: number[]; rssEnd: number[];
  pidsStart: number[]; pidsEnd: number[];
  ms: number;
}

/** A database with every feature the server has: two signed zones, a catalog, TSIG keys, an update policy, secondaries. */
export function fuzzDatabase(dir: string): { db: string; keys: Record<'fuzz' | 'xfr', TsigKey> } {
  const db = join(dir, 'fuzz.db');
  cli(['zone', 'import', fixturePath('example.com.zone'), '--db', db]);
  cli(['zone', 'import', fixturePath('example.net.zone'), '--csk', '--db', db]);
  cli(['catalog', 'create', 'cat.invalid', '--db', db]);
  cli(['catalog', 'add', 'cat.invalid', 'example.com', '--db', db]);
  cli(['catalog', 'add', 'cat.invalid', 'example.net', '--group', 'fuzz', '--db', db]);
  const key = (name: 'fuzz' | 'xfr'): TsigKey => {
    const secret = cli(['tsig', 'add', name, '--db', db]).trim().split('\n').pop()!;
    return { name: `${name}.`, algorithm: 'hmac-sha256', secret: Buffer.from(secret, 'base64') };
  };
  const keys = { fuzz: key('fuzz'), xfr: key('xfr') };
  cli(['update-policy', 'add', 'example.com', '--key', 'fuzz', '--name', 'fz', '--type', 'A', '--type', 'AAAA', '--type', 'TXT', '--type', 'TLSA', '--db', db]);
  cli(['update-policy', 'add', 'example.com', '--key', 'fuzz', '--name', '_443._tcp.fz', '--type', 'TLSA', '--db', db]);
  for (const z of ['example.com', 'example.net', 'cat.invalid']) {
    cli(['zone', 'secondary', 'add', z, '127.0.0.1/32', '--tsig', 'xfr', '--db', db]);
    // Notified, never answering: NOTIFY retries run the whole time.
    cli(['zone', 'secondary', 'add', z, '127.0.0.1:9', '--tsig', 'xfr', '--db', db]);
  }
  return { db, keys };
}

/** Start the server the fuzzer attacks: 2 workers, background signing, the REST and PowerDNS APIs. */
export async function fuzzServer(db: string): Promise<Child & { port: number }> {
  return startServer(db, { DANEPRIME_API: '127.0.0.1:0', DANEPRIME_PRESIGN: '1' }, 0, 2,
    ['--pdns-api', '127.0.0.1:0', '--check-interval', 'off']);
}

export function childPids(pid: number): number[] {
  try { return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number).sort((x, y) => x - y); } catch { return []; }
}

export function rssMb(pid: number): number {
  try { return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024; } catch { return NaN; }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const hex = (b: Buffer) => b.subarray(0, 600).toString('hex');

interface Sent { req: Buffer; qr: boolean; via: 'udp' | 'tcp' }

/** Reads length-prefixed messages off a TCP stream. */
function frames(sock: net.Socket, onMessage: (m: Buffer) => void): void {
  let buf: Buffer = Buffer.alloc(0);
  sock.on('data', (d: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      onMessage(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      buf = buf.subarray(2 + buf.readUInt16BE(0));
    }
  });
}

function framed(m: Buffer, length = m.length): Buffer { const p = Buffer.alloc(2); p.writeUInt16BE(length & 0xffff); return Buffer.concat([p, m]); }

export async function runPacketFuzz(server: Child & { port: number }, keys: Record<'fuzz' | 'xfr', TsigKey>, o: FuzzOptions): Promise<FuzzStats> {
  const rng = new Rng(o.seed);
  const burst = o.burst ?? 1000;
  const corpus: Seed[] = seeds();
  const donors = corpus.map((s) => s.wire);
  const port = server.port;
  const pid = server.proc.pid!;
  const t0 = Date.now();
  const s: FuzzStats = { seed: o.seed, sent: 0, udp: 0, tcp: 0, framingLies: 0, replies: 0, failures: [], hangs: 0, crashes: 0,
    rssBaseline: [], rssEnd: [], pidsStart: childPids(pid), pidsEnd: [], ms: 0 };
  const fail = (m: string) => { if (s.failures.length < 50) { s.failures.push(m); o.onFailure?.(m); } };
  const sent = new Map<number, Sent>();
  let nextId = rng.int(65536);
  let lastReply = Date.now();

  const onReply = (via: string) => (reply: Buffer) => {
    s.replies++;
    lastReply = Date.now();
    if (reply.length < 2) { fail(`${via}: a ${reply.length}-octet reply`); return; }
    const req = sent.get(reply.readUInt16BE(0));
    let decoded: dnsPacket.Packet;
    try { decoded = dnsPacket.decode(reply); } catch (e) {
      fail(`${via}: reply does not parse (${(e as Error).message}): request ${req ? hex(req.req) : '?'} reply ${hex(reply)}`);
      return;
    }
    // After a framing lie the server reads frames out of other bytes: their replies must parse, their IDs are anyone's.
    if (via === 'tcp-lie') return;
    if (!req) { fail(`${via}: reply ID ${decoded.id} matches no request: ${hex(reply)}`); return; }
    if (req.qr) fail(`${via}: a response (QR=1) was answered: request ${hex(req.req)} reply ${hex(reply)}`);
    if (decoded.type !== 'response') fail(`${via}: reply without QR: ${hex(reply)}`);
  };

  const udp = dgram.createSocket('udp4');
  udp.on('message', onReply('udp'));
  udp.on('error', () => {});
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));

  // A few long-lived connections take the well-framed TCP share, pipelined; the server may close one at any time.
  const pool: (net.Socket | undefined)[] = [undefined, undefined, undefined, undefined];
  const connect = (via = 'tcp'): net.Socket => {
    const c = net.connect(port, '127.0.0.1');
    c.on('error', () => {});
    c.setNoDelay(true);
    frames(c, onReply(via));
    return c;
  };
  const pooled = (i: number): net.Socket => {
    const c = pool[i];
    if (c && !c.destroyed && c.writable) return c;
    return (pool[i] = connect());
  };
  const lingering: net.Socket[] = [];

  /** The next request: a seed, mutated before or after its TSIG is added, with a fresh ID. */
  const next = (): { wire: Buffer; tcpOnly: boolean } => {
    const seed = rng.pick(corpus);
    let wire = seed.wire;
    const signLast = seed.key !== undefined && rng.chance(0.5);
    if (!seed.key || signLast) wire = rng.chance(0.03) ? Buffer.from(wire) : mutate(wire, rng, donors);
    if (seed.key && wire.length >= 12 && wire.length < 60_000 && wire.readUInt16BE(10) < 0xffff) {
      wire = new TsigSigner(keys[seed.key], undefined, () => Math.floor(Date.now() / 1000)).sign(wire);
      if (!signLast && rng.chance(0.97)) wire = mutate(wire, rng, donors);
    }
    if (wire.length >= 2) {
      wire = Buffer.from(wire);
      const id = nextId = (nextId + 1) & 0xffff;
      wire.writeUInt16BE(id, 0);
      sent.set(id, { req: wire, qr: wire.length >= 3 && (wire[2] & 0x80) !== 0, via: 'udp' });
    }
    return { wire, tcpOnly: !!seed.tcpOnly };
  };

  /** TCP framing that lies: a prefix larger or smaller than the data, an empty frame, a trickle, an abandoned partial. */
  const framingLie = async () => {
    s.framingLies++;
    const { wire } = next();
    const c = connect('tcp-lie');
    const kind = rng.int(5);
    if (kind === 0) c.write(framed(wire, wire.length + 1 + rng.int(2000)));
    else if (kind === 1) c.write(Buffer.concat([framed(wire, Math.max(0, wire.length - 1 - rng.int(wire.length))), framed(next().wire)]));
    else if (kind === 2) c.write(Buffer.concat([framed(Buffer.alloc(0)), framed(next().wire)]));
    else if (kind === 3) {
      // Slowloris: a byte at a time; the query must still be answered (well inside the idle timeout).
      const q = message({ id: nextId = (nextId + 1) & 0xffff, flags: 0, qd: [{ name: 'www.example.com', type: 1 }] });
      sent.set(nextId, { req: q, qr: false, via: 'tcp' });
      const f = framed(q);
      let answered = false;
      c.on('data', () => { answered = true; });
      for (const byte of f) { if (c.destroyed) break; c.write(Buffer.from([byte])); await sleep(2); }
      const until = Date.now() + 5000;
      while (!answered && !c.destroyed && Date.now() < until) await sleep(20);
      if (!answered) fail(`tcp: a query sent a byte at a time was not answered: ${hex(q)}`);
    } else c.write(rng.bytes(1 + rng.int(2)));
    lingering.push(c);
  };

  const sentinel = async (): Promise<boolean> => {
    const q = message({ id: 0xbeef, flags: 0, qd: [{ name: 'example.com', type: 6 }] });
    const u = dgram.createSocket('udp4');
    const udpOk = await new Promise<boolean>((resolve) => {
      let tries = 0;
      const timer = setInterval(() => { if (++tries > 5) { clearInterval(timer); resolve(false); } else u.send(q, port, '127.0.0.1'); }, 1000);
      u.on('message', (m) => { if (m.readUInt16BE(0) === 0xbeef) { clearInterval(timer); resolve(true); } });
      u.send(q, port, '127.0.0.1');
    });
    u.close();
    const tcpOk = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      const timer = setTimeout(() => { c.destroy(); resolve(false); }, 10_000);
      c.on('error', () => { clearTimeout(timer); resolve(false); });
      frames(c, (m) => { clearTimeout(timer); c.destroy(); resolve(m.readUInt16BE(0) === 0xbeef); });
      c.write(framed(q));
    });
    return udpOk && tcpOk;
  };

  const warmup = o.warmupPackets ?? Math.min(Math.floor(o.packets / 5), 100_000);
  let lastProgress = 0;
  let logSeen = server.log().length;
  try {
    while (s.sent < o.packets) {
      if (o.timeBudgetMs !== undefined && Date.now() - t0 > o.timeBudgetMs) break;
      const n = Math.min(burst, o.packets - s.sent);
      for (let i = 0; i < n; i++) {
        const { wire, tcpOnly } = next();
        if (tcpOnly || rng.chance(0.25)) {
          pooled(rng.int(pool.length)).write(framed(wire));
          s.tcp++;
        } else {
          udp.send(wire, port, '127.0.0.1');
          s.udp++;
        }
        s.sent++;
        // Let replies in now and then: the server's socket buffer is not the thing under test.
        if (i % 32 === 31) await new Promise((r) => setImmediate(r));
        if (i % 256 === 255) await sleep(1);
      }
      if (rng.chance(0.5)) await framingLie();
      // Quiet: no reply for 50 ms (or 3 s at most) before the sentinel.
      const until = Date.now() + 3000;
      while (Date.now() - lastReply < 50 && Date.now() < until) await sleep(10);
      if (server.proc.exitCode !== null || server.proc.signalCode !== null) { s.crashes++; fail(`server exited: ${server.log().slice(-2000)}`); break; }
      if (!(await sentinel())) { s.hangs++; fail(`sentinel unanswered after ${s.sent} packets`); }
      // An exception the server caught at its top level is a packet it dropped unanswered: a fault.
      const log = server.log();
      const internal = /internal error answering[^\n]*(\n +at [^\n]*){0,6}/.exec(log.slice(logSeen));
      if (internal) fail(`server: ${internal[0]}`);
      logSeen = log.length;
      while (lingering.length > 8) lingering.shift()!.destroy();
      if (s.rssBaseline.length === 0 && s.sent >= warmup) s.rssBaseline = [pid, ...childPids(pid)].map(rssMb);
      if (o.progress && s.sent - lastProgress >= (o.progressEvery ?? 100_000)) { lastProgress = s.sent; s.ms = Date.now() - t0; o.progress(s); }
      if (s.failures.length >= 50) break;
    }
  } finally {
    udp.close();
    for (const c of [...pool, ...lingering]) c?.destroy();
  }
  s.pidsEnd = childPids(pid);
  s.rssEnd = [pid, ...s.pidsEnd].map(rssMb);
  if (s.rssBaseline.length === 0) s.rssBaseline = s.rssEnd;
  if (s.pidsEnd.join() !== s.pidsStart.join()) { s.crashes++; fail(`worker PIDs changed: ${s.pidsStart} → ${s.pidsEnd}`); }
  s.ms = Date.now() - t0;
  return s;
}
