// Differential: seeded random questions asked of daneprime and of knotd serving the same zones (signed by Knot with its own keys, NSEC3 with the same parameters); rcode, flags and every section must agree, with the differences the RFCs allow accepted and named.
//
// Accepted differences, each where it is checked:
// - CNAME chains into another hosted zone: we follow them, Knot stops (or refers to a hosted
//   child); Knot's reply is continued at the target and merged (RFC 1034 §4.3.2 step 3a, RFC 6604).
// - Truncated replies: only the header is compared, and the sections over TCP (RFC 2181 §9);
//   one side truncating alone is accepted when its whole reply is past the limit (compression,
//   RFC 1035 §4.1.4).
// - ANY: either server's choice of RRset (RFC 8482 §4.1).
// - Additional data: left out at the size limit (RFC 2181 §9), and SVCB/HTTPS target records,
//   which Knot adds (RFC 9460 §4.1, a SHOULD) and we do not.
// - CD: Knot clears it; ours must copy the query's (RFC 4035 §3.1.6).
// - NSEC3PARAM's TTL (RFC 5155 §4 sets none).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { handleMessage } from '../server/query/handle.js';
import { isInZone, readWireName, parseName, parentName, type Name } from '../zones/model/name.js';
import { RRType } from '../zones/model/types.js';
import { maxResponseSize } from '../server/wire/encode.js';
import { CapturingResponder } from './helpers/dns.js';
import { rawRRs } from './helpers/wire.js';
import { tmpDir, freePort, pollUntil } from './helpers/server.js';
import { requireTool } from './helpers/tools.js';
import { track } from './helpers/procs.js';
import {
  DIFF_ZONES, zoneFileText, zoneRecords, diffServer, zoneNames, randomQuestion, queryMessage, describe, runSeed, Random, type Question,
} from './helpers/differential.js';

const KNOTD = '/usr/sbin/knotd';
const seed = runSeed();
const QUESTIONS = Number(process.env.DIFF_KNOT_QUESTIONS ?? 3000);

// ---------------------------------------------------------------------------------------------
// knotd, signing the zones itself

/**
 * Knot signs each zone as we do: ECDSA P-256, KSK+ZSK or one CSK, NSEC3 with no salt and no
 * extra iterations (RFC 9276 §3.1), opt-out where we use it, CDS/CDNSKEY published (we
 * publish them, RFC 7344 §4, RFC 8078). Its keys and signatures are its own.
 */
function knotConfig(dir: string, port: number): string {
  const policy = (z: (typeof DIFF_ZONES)[number]) => `${z.csk ? 'csk' : 'kz'}${z.optOut ? '-optout' : ''}`;
  const policies = [...new Set(DIFF_ZONES.map(policy))].flatMap((id) => [
    `  - id: ${id}`, '    algorithm: ecdsap256sha256', `    single-type-signing: ${id.startsWith('csk') ? 'on' : 'off'}`,
    '    nsec3: on', '    nsec3-iterations: 0', '    nsec3-salt-length: 0', `    nsec3-opt-out: ${id.endsWith('-optout') ? 'on' : 'off'}`,
    '    cds-cdnskey-publish: always', '    ksk-lifetime: 0', '    zsk-lifetime: 0',
  ]);
  return [
    'server:', `  listen: 127.0.0.1@${port}`, `  rundir: "${dir}"`,
    'database:', `  storage: "${join(dir, 'db')}"`,
    'log:', '  - target: stderr', '    any: info',
    'policy:', ...policies,
    'template:', '  - id: default', `    storage: "${dir}"`, '    semantic-checks: off', '    zonefile-sync: -1', '    journal-content: none', '    dnssec-signing: on',
    'zone:', ...DIFF_ZONES.flatMap((z) => [`  - domain: ${z.origin}`, `    file: ${z.origin}zone`, `    dnssec-policy: ${policy(z)}`]),
    '',
  ].join('\n');
}

async function startKnot(dir: string, port: number): Promise<{ stop: () => Promise<void>; log: () => string }> {
  mkdirSync(join(dir, 'db'), { recursive: true });
  for (const z of DIFF_ZONES) writeFileSync(join(dir, `${z.origin}zone`), zoneFileText(z));
  writeFileSync(join(dir, 'knot.conf'), knotConfig(dir, port));
  const proc = spawn(KNOTD, ['-c', join(dir, 'knot.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Output kept, stopped with SIGTERM then SIGKILL: the tests' one process wrapper.
  const { log: out, stop } = track(proc);
  const dead = () => proc.exitCode !== null || proc.signalCode !== null;
  const signed = (z: string) => out().includes(`[${z}] DNSSEC, successfully signed`) && out().includes(`[${z}] loaded, serial`);
  const { value: ok } = await pollUntil(() => dead() || DIFF_ZONES.every((z) => signed(z.origin)), 15_000);
  if (!ok || dead()) {
    await stop();
    throw new Error(`knotd did not load and sign the zones; log:\n${out()}`);
  }
  return { stop, log: out };
}

/** A UDP and a TCP client for one server: one question at a time, retried over UDP when lost. */
class Client {
  private readonly udp = dgram.createSocket('udp4');
  private tcp: net.Socket | undefined;
  private buf = Buffer.alloc(0);
  private readonly waiting = new Map<number, (m: Buffer) => void>();
  private tcpWaiter: ((m: Buffer | undefined) => void) | undefined;

  constructor(private readonly port: number) {
    this.udp.on('message', (m) => { const w = this.waiting.get(m.readUInt16BE(0)); if (w) { this.waiting.delete(m.readUInt16BE(0)); w(m); } });
  }

  async open(): Promise<void> {
    await new Promise<void>((r) => this.udp.bind(0, '127.0.0.1', () => r()));
  }

  async ask(msg: Buffer, tcp: boolean): Promise<Buffer> {
    return tcp ? this.askTcp(msg) : this.askUdp(msg);
  }

  private async askUdp(msg: Buffer): Promise<Buffer> {
    const id = msg.readUInt16BE(0);
    for (let attempt = 0; attempt < 3; attempt++) {
      const reply = await new Promise<Buffer | undefined>((resolve) => {
        const timer = setTimeout(() => { this.waiting.delete(id); resolve(undefined); }, 1000);
        this.waiting.set(id, (m) => { clearTimeout(timer); resolve(m); });
        this.udp.send(msg, this.port, '127.0.0.1');
      });
      if (reply) return reply;
    }
    throw new Error('no UDP reply from knotd');
  }

  private async connect(): Promise<net.Socket> {
    if (this.tcp && !this.tcp.destroyed) return this.tcp;
    const sock = net.connect({ port: this.port, host: '127.0.0.1', noDelay: true });
    await new Promise<void>((resolve, reject) => { sock.once('connect', () => resolve()); sock.once('error', reject); });
    this.buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 2 && this.buf.length >= 2 + this.buf.readUInt16BE(0)) {
        const m = Buffer.from(this.buf.subarray(2, 2 + this.buf.readUInt16BE(0)));
        this.buf = this.buf.subarray(2 + m.length);
        const w = this.tcpWaiter;
        this.tcpWaiter = undefined;
        w?.(m);
      }
    });
    sock.on('error', () => sock.destroy());
    sock.on('close', () => { const w = this.tcpWaiter; this.tcpWaiter = undefined; w?.(undefined); });
    this.tcp = sock;
    return sock;
  }

  private async askTcp(msg: Buffer): Promise<Buffer> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const sock = await this.connect();
      const reply = await new Promise<Buffer | undefined>((resolve) => {
        const timer = setTimeout(() => { this.tcpWaiter = undefined; sock.destroy(); resolve(undefined); }, 2000);
        this.tcpWaiter = (m) => { clearTimeout(timer); resolve(m); };
        const frame = Buffer.alloc(2 + msg.length);
        frame.writeUInt16BE(msg.length, 0);
        msg.copy(frame, 2);
        sock.write(frame);
      });
      if (reply) return reply;
    }
    throw new Error('no TCP reply from knotd');
  }

  close(): void {
    this.udp.close();
    this.tcp?.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// What is compared

/**
 * A reply as compared: RCODE (with the OPT's upper bits), header flags, whether an OPT came
 * and with DO, and each section as sorted "owner TTL TYPE RDATA-hex" lines. Masked, because
 * each server signs with its own keys at its own times: RRSIG inception, expiration, key tag
 * and signature (type covered, algorithm, labels, original TTL and signer are kept); DNSKEY
 * and CDNSKEY public keys (flags, protocol, algorithm kept); CDS key tag and digest (algorithm
 * and digest type kept). NSEC3 records are compared whole, owner hash and next hash included:
 * with the same parameters, both signers hash the same names (the fixture check below keeps
 * it so), so a proof that names another record is a different proof.
 */
interface Norm {
  rcode: number;
  aa: boolean; tc: boolean; rd: boolean; ra: boolean; ad: boolean; z: boolean; cd: boolean;
  opt: string;
  /** The message's length in octets. */
  size: number;
  answer: string[];
  authority: string[];
  additional: string[];
}

function signerEnd(rdata: Buffer): number {
  let i = 18;
  while (rdata[i] !== 0) i += rdata[i] + 1;
  return i + 1;
}

function normalize(m: Buffer): Norm {
  const flags = m.readUInt16BE(2);
  const n: Norm = {
    rcode: flags & 0xf, aa: !!(flags & 0x400), tc: !!(flags & 0x200), rd: !!(flags & 0x100), ra: !!(flags & 0x80),
    z: !!(flags & 0x40), ad: !!(flags & 0x20), cd: !!(flags & 0x10), opt: 'none', size: m.length, answer: [], authority: [], additional: [],
  };
  for (const r of rawRRs(m)) {
    if (r.type === RRType.OPT) {
      n.opt = `DO=${(r.ttl >>> 15) & 1} version=${(r.ttl >>> 16) & 0xff}`;
      n.rcode |= (r.ttl >>> 24) << 4;
      continue;
    }
    const owner = r.name;
    let rdata = r.rdata.toString('hex');
    // RFC 5155 §4 gives NSEC3PARAM no TTL rule (no proof uses it): Knot sends the SOA MINIMUM, we the zone's TTL.
    const nsec3param = r.type === RRType.NSEC3PARAM || (r.type === RRType.RRSIG && r.rdata.readUInt16BE(0) === RRType.NSEC3PARAM);
    const ttl = nsec3param ? '<ttl>' : r.ttl;
    if (r.type === RRType.RRSIG) {
      const originalTtl = nsec3param ? '<ttl>' : r.rdata.subarray(4, 8).toString('hex');
      rdata = `${r.rdata.subarray(0, 4).toString('hex')} ${originalTtl} <masked> ${r.rdata.subarray(18, signerEnd(r.rdata)).toString('hex')} <masked>`;
    }
    if (r.type === RRType.DNSKEY || r.type === RRType.CDNSKEY) rdata = `${r.rdata.subarray(0, 4).toString('hex')} <key>`;
    if (r.type === RRType.CDS) rdata = `<tag> ${r.rdata.subarray(2, 4).toString('hex')} <digest>`;
    n[r.section].push(`${owner} ${ttl} ${r.type} ${rdata}`);
  }
  for (const s of ['answer', 'authority', 'additional'] as const) n[s].sort();
  return n;
}

const SECTIONS = ['answer', 'authority', 'additional'] as const;
const zoneOf = (name: Name): Name | undefined => DIFF_ZONES.map((z) => z.origin).filter((o) => isInZone(name, o)).sort((a, b) => b.length - a.length)[0];
const ownerOf = (line: string): Name => line.split(' ')[0];
const typeOf = (line: string): number => Number(line.split(' ')[2]);
const qnameOf = (q: Question): Name => parseName(q.name.endsWith('.') ? q.name : `${q.name}.`);

/**
 * Where Knot's answer stops at a CNAME whose target another hosted zone holds, that target.
 * Knot follows a CNAME only within the zone it answers from (meeting a hosted child's cut, it
 * refers); we restart at the target in the best zone we host (RFC 1034 §4.3.2 step 3a goes
 * "back to step 1", which picks the zone; RFC 6604 §2 describes both behaviours). Both are
 * allowed: a resolver follows whatever chain it is given to its end.
 */
function chainBreak(qname: Name, qtype: string, knot: Norm): Name | undefined {
  // A CNAME question is answered by the first CNAME: there is no chain to follow.
  if (qtype === 'CNAME') return undefined;
  const targets = new Map<Name, Name>();
  for (const line of knot.answer) {
    if (typeOf(line) !== RRType.CNAME) continue;
    targets.set(ownerOf(line), readWireName(Buffer.from(line.split(' ')[3], 'hex'), 0).name);
  }
  let cur = qname, last: Name | undefined;
  const seen = new Set<Name>();
  while (targets.has(cur) && !seen.has(cur)) { seen.add(cur); last = cur; cur = targets.get(cur)!; }
  if (last === undefined || seen.has(cur)) return undefined;
  if (knot.answer.some((l) => ownerOf(l) === cur)) return undefined;
  // ANY matches a CNAME (RFC 1034 §4.3.2 step 3a): only a CNAME synthesised from a DNAME above it is followed.
  if (qtype === 'ANY' && !knot.answer.some((l) => typeOf(l) === RRType.DNAME && ownerOf(l) !== last && isInZone(last!, ownerOf(l)))) return undefined;
  const to = zoneOf(cur);
  return to !== undefined && to !== zoneOf(last) ? cur : undefined;
}

/** Both lists' lines, each as often as the list that has it more often. */
function merged(a: string[], b: string[]): string[] {
  const count = (xs: string[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
  const ca = count(a), cb = count(b);
  const out: string[] = [];
  for (const l of new Set([...a, ...b])) for (let i = Math.max(ca.get(l) ?? 0, cb.get(l) ?? 0); i > 0; i--) out.push(l);
  return out.sort();
}

/**
 * Knot's reply with the chain continued where it stopped (chainBreak): what we answer in one
 * reply. `continued` is set when it was.
 */
async function expected(q: Question, knot: Norm, ask: (q: Question) => Promise<Norm>, depth = 0): Promise<Norm & { continued?: boolean }> {
  const target = chainBreak(qnameOf(q), q.type, knot);
  if (target === undefined || depth > 10) return knot;
  const rest = await expected({ ...q, name: target }, await ask({ ...q, name: target }), ask, depth + 1);
  // A referral to a hosted child (its NS, DS or the proof there is none, glue) is not ours: we answered from the child.
  const child = zoneOf(target)!;
  const notReferral = (l: string) => !isInZone(ownerOf(l), child) || typeOf(l) === RRType.CNAME;
  return {
    ...knot,
    // RFC 6604 §3: the RCODE is the last name's; AA is the first's.
    rcode: rest.rcode, tc: knot.tc || rest.tc, continued: true,
    answer: merged(knot.answer, rest.answer),
    authority: merged(knot.authority.filter(notReferral), rest.authority),
    additional: merged(knot.additional.filter(notReferral), rest.additional),
  };
}

/** Octets the records in `lines` take at least (owner compressed), with an RRSIG per RRset when signed and none is listed. */
function additionalSize(lines: string[], dnssecOk: boolean): number {
  let n = 0;
  const sets = new Set<string>(), signed = new Set<string>();
  for (const l of lines) {
    const [owner, , type, rdata] = l.split(' ');
    if (Number(type) === RRType.RRSIG) { n += 2 + 10 + 18 + owner.length + 64; signed.add(owner); continue; }
    n += 2 + 10 + rdata.length / 2;
    sets.add(owner);
  }
  if (dnssecOk) for (const o of sets) if (!signed.has(o)) n += 2 + 10 + 18 + o.length + 64;
  return n;
}

/** The differences between two replies that no allowed difference explains; empty when they agree. `allowed` hears each allowed difference met. */
function compare(q: Question, ours: Norm, theirs: Norm & { continued?: boolean }, allowed: (what: string) => void): string[] {
  const out: string[] = [];
  if (theirs.continued) allowed('CNAME chain continued into another hosted zone');
  // RFC 4035 §3.1.6: the name server MUST copy CD from the query. We do; Knot 3.2 clears it, so
  // its CD is not compared, and ours is checked against the query instead.
  if (ours.cd !== q.cd) out.push(`CD ${ours.cd}, the query's ${q.cd}`);
  // A chain we continued into another zone is one reply here and two at Knot: ours may need
  // more room and be truncated where Knot's were not. Then what we did send must be part of
  // what Knot's two replies hold.
  if (theirs.continued && ours.tc && !theirs.tc) {
    for (const s of SECTIONS) for (const l of ours[s]) if (!theirs[s].includes(l)) out.push(`${s}: ours holds ${l}, knot's chain does not`);
    theirs = { ...theirs, tc: true };
    allowed('continued chain truncated');
  }
  for (const f of ['rcode', 'aa', 'tc', 'rd', 'ra', 'ad', 'z', 'opt'] as const) if (ours[f] !== theirs[f]) out.push(`${f}: ours ${ours[f]}, knot ${theirs[f]}`);
  if (ours.tc && theirs.tc) {
    // RFC 2181 §9, RFC 1035 §4.1.1: a truncated reply tells the resolver to ask again over TCP,
    // which discards its sections. Servers fill it differently (Knot keeps records whose
    // RRSIGs no longer fit); only the header is compared.
    allowed('both truncated: header only (sections compared over TCP)');
    return out;
  }
  for (const s of SECTIONS) {
    let a = ours[s], b = theirs[s];
    // RFC 8482 §4.1: ANY may be answered with any one RRset of the node, or more. Knot picks
    // the lowest type it holds, RRSIG included; we pick the lowest data type (with its RRSIGs
    // when DO). Both must hold only records owned by the question name.
    if (s === 'answer' && q.type === 'ANY' && a.length && b.length && ours.rcode === 0 && a.join('\n') !== b.join('\n')) {
      for (const l of [...a, ...b]) if (ownerOf(l) !== qnameOf(q)) out.push(`ANY answer holds ${l}`);
      allowed('ANY answered with another RRset');
      continue;
    }
    if (a.join('\n') === b.join('\n')) continue;
    a = a.filter((l) => !b.includes(l));
    b = b.filter((l) => !ours[s].includes(l));
    if (s === 'additional') {
      // RFC 9460 §4.1 asks authoritative servers to add a SVCB or HTTPS TargetName's records
      // (and with DNSSEC the proof of their absence) to the additional section, a SHOULD that
      // Knot follows and we do not: Knot may hold more there.
      if (!a.length && ours.answer.some((l) => typeOf(l) === RRType.SVCB || typeOf(l) === RRType.HTTPS)) { allowed('SVCB/HTTPS additional processing'); continue; }
      // Additional data is left out when it does not fit, with no TC (RFC 2181 §9): we leave
      // out a whole RRset with its RRSIGs, Knot may send an RRset without them. Either side may
      // hold less when what it lacks would have taken it past the size limit.
      const limit = maxResponseSize(q.udpSize, q.tcp);
      if ((!a.length && ours.size + additionalSize(b, q.dnssecOk) > limit) || (!b.length && theirs.size + additionalSize(a, q.dnssecOk) > limit)) {
        allowed('additional data left out at the size limit');
        continue;
      }
    }
    out.push(`${s}: ours only [${a.join('; ')}], knot only [${b.join('; ')}]`);
  }
  return out;
}

test(`daneprime answers like knotd, which signs the same zones itself: ${QUESTIONS} random questions (DIFF_SEED=${seed} repeats this run)`, async (t) => {
  if (!requireTool(KNOTD, t)) return;
  t.diagnostic(`DIFF_SEED=${seed}`);
  const { dir, cleanup } = tmpDir('daneprime-knot-diff-');
  t.after(cleanup);
  const port = await freePort();
  const knot = await startKnot(dir, port);
  t.after(() => knot.stop());
  const client = new Client(port);
  await client.open();
  t.after(() => client.close());
  const s = diffServer();
  while (s.dnssec.presign(s.clock.now, Infinity));
  const names = zoneNames();
  const r = new Random(seed);
  let id = 0;
  const ours = (q: Question) => {
    const c = new CapturingResponder(q.tcp ? 'tcp' : 'udp');
    handleMessage(s.fast, queryMessage(q, 1), c);
    return normalize(c.replies[0]);
  };
  const theirs = async (q: Question) => normalize(await client.ask(queryMessage(q, ++id & 0xffff), q.tcp));
  const failures: string[] = [];
  const allowances = new Map<string, number>();
  const allowed = (what: string) => allowances.set(what, (allowances.get(what) ?? 0) + 1);
  const rcodes = new Map<number, number>();
  let truncated = 0, proofs = 0;
  for (let i = 0; i < QUESTIONS; i++) {
    const q = randomQuestion(r, names);
    let mine = ours(q);
    let want = await expected(q, await theirs(q), theirs);
    const limit = maxResponseSize(q.udpSize, q.tcp);
    if (!q.tcp && mine.tc !== want.tc && !want.continued) {
      // One truncated, one not: the servers compress differently, so a reply near the limit fits
      // one and not the other (RFC 1035 §4.1.4 makes compression optional). The truncating side's
      // whole reply (over TCP) must indeed be past the limit; then it must equal the other's.
      const tcp = { ...q, tcp: true };
      const [whole, side] = mine.tc ? [ours(tcp), 'ours'] : [await expected(tcp, await theirs(tcp), theirs), 'knot'];
      if (whole.size > limit) {
        if (mine.tc) mine = { ...whole, tc: false }; else want = { ...whole, tc: false };
        allowed(`only ${side} truncated (its whole reply is past the limit)`);
      } else failures.push(`${describe(q)}\n    ${side} truncated a reply of ${whole.size} octets under a limit of ${limit}`);
    }
    let diff = compare(q, mine, want, allowed);
    // Both truncated: their sections are compared over TCP, where the whole reply fits.
    if (mine.tc && want.tc && !diff.length) {
      const tcp = { ...q, tcp: true };
      diff = compare(tcp, ours(tcp), await expected(tcp, await theirs(tcp), theirs), allowed).map((d) => `over TCP: ${d}`);
    }
    rcodes.set(mine.rcode, (rcodes.get(mine.rcode) ?? 0) + 1);
    if (mine.tc) truncated++;
    if (q.dnssecOk && mine.authority.some((l) => typeOf(l) === RRType.NSEC3)) proofs++;
    if (diff.length) failures.push(`${describe(q)}\n    ${diff.join('\n    ')}`);
  }
  t.diagnostic(`rcodes ${JSON.stringify(Object.fromEntries(rcodes))}, truncated ${truncated}, with NSEC3 proofs ${proofs}`);
  t.diagnostic(`allowed differences met: ${JSON.stringify(Object.fromEntries(allowances))}`);
  assert.deepEqual(failures.slice(0, 15), [], `DIFF_SEED=${seed}: ${failures.length} of ${QUESTIONS} questions differ`);
  // Not vacuous: the mix reached positive, NXDOMAIN and refused answers, truncation and proofs.
  for (const rcode of [0, 3, 5]) assert.ok((rcodes.get(rcode) ?? 0) > 0, `rcode ${rcode} seen`);
  assert.ok(truncated > 0 && proofs > QUESTIONS / 20, `truncated ${truncated}, proofs ${proofs}`);
});

test('the opt-out zones hold no empty non-terminal that only leads to insecure delegations (the chains would differ)', () => {
  // RFC 5155 §7.1: such an ENT may be left out of an opt-out chain. Knot leaves it out and we
  // keep it (signer/nsec3-chain.ts), so proofs near it would name different NSEC3 records,
  // both valid, and NSEC3 records could no longer be compared whole. example.net keeps an ENT
  // above an insecure delegation (ent3) with a host below it, so the chains agree.
  for (const z of DIFF_ZONES.filter((d) => d.optOut)) {
    const recs = zoneRecords(z);
    const insecureCuts = new Set(recs.filter((r) => r.type === RRType.NS && r.name !== z.origin).map((r) => r.name));
    for (const r of recs) if (r.type === RRType.DS) insecureCuts.delete(r.name);
    const belowInsecure = (n: Name) => { for (let a = n; a !== z.origin; a = parentName(a)) if (insecureCuts.has(a)) return true; return false; };
    const owners = new Set(recs.map((r) => r.name));
    const ents = zoneNames().get(z.origin)!.filter((n) => !owners.has(n));
    assert.ok(ents.length > 0, `${z.origin} has empty non-terminals`);
    for (const ent of ents) {
      const below = [...owners].filter((o) => o !== ent && isInZone(o, ent));
      assert.ok(below.some((o) => !belowInsecure(o)), `${ent} in ${z.origin} only leads to insecure delegations`);
    }
  }
});
