// Differential tests' common parts: every fixture zone hosted at once (with its signing setup), a seeded random source, and random questions over those zones.
import { apexOnlyProblem } from '../../zones/record-rules.js';
import { readFileSync } from 'node:fs';
import { Store } from '../../zones/store/sqlite.js';
import type { Registry } from '../../zones/registry.js';
import { parseZoneText } from '../../zones/io/zonefile-parse.js';
import { writeZoneText } from '../../zones/io/zonefile-write.js';
import { isDerivedRecord, type CommitPipeline } from '../../zones/commit.js';
import { hostZones } from '../../server/zone-host.js';
import { parentName, isInZone, nameTextToWire, type Name } from '../../zones/model/name.js';
import { RRType, typeFromText, type Rec } from '../../zones/model/types.js';
import type { DnssecService } from '../../signer/service.js';
import { initialKeys } from '../../signer/keystore-sqlite.js';
import { RRsetWireCache } from '../../server/wire/rr-wire.js';
import { FastPath } from '../../server/query/fast/fast-path.js';
import type { QueryContext } from '../../server/query/handle.js';
import { fixturePath } from './server.js';
import { TEST_ACTOR } from './dns.js';

/** One hosted zone: where its records come from and how it is signed. */
export interface DiffZone {
  origin: Name;
  fixture: string;
  /** One combined signing key (RFC 6781 §3.1.1's "CSK"), else a KSK and a ZSK. */
  csk: boolean;
  /** NSEC3 opt-out over insecure delegations (RFC 5155 §6). */
  optOut: boolean;
  /** The fixture's own origin, when it is hosted under another (rich.zone's example.com is example.com.zone's). */
  renamedFrom?: Name;
}

/**
 * Every fixture zone, hosted together: example.com (KSK+ZSK: wildcards, CNAME chains and a loop,
 * a DNAME and one too long to synthesise, delegations with and without DS, empty non-terminals)
 * and its child child.example.com (parent and child both hosted); example.net (a CSK, NSEC3
 * opt-out, insecure delegations, a wildcard CNAME, chains into example.com and back, a DNAME to
 * example.com); rich.zone's many types under rich.test (its own origin, example.com, is taken);
 * ttl-rfc1035.zone (example.org).
 */
export const DIFF_ZONES: readonly DiffZone[] = [
  { origin: 'example.com.', fixture: 'example.com.zone', csk: false, optOut: false },
  { origin: 'child.example.com.', fixture: 'child.example.com.zone', csk: false, optOut: false },
  { origin: 'example.net.', fixture: 'example.net.zone', csk: true, optOut: true },
  { origin: 'rich.test.', fixture: 'rich.zone', csk: false, optOut: false, renamedFrom: 'example.com.' },
  { origin: 'example.org.', fixture: 'ttl-rfc1035.zone', csk: true, optOut: false },
];

/**
 * A zone's records as served: its fixture parsed (renamed where it must be), without the DNSSEC
 * records the signer makes, nor the apex-only types rich.zone has below its apex for the parser
 * tests (every writer refuses those).
 */
export function zoneRecords(z: DiffZone): Rec[] {
  const file = fixturePath(z.fixture);
  const rename = (text: string) => (z.renamedFrom ? text.replace(new RegExp(z.renamedFrom.replace(/\./g, '\\.'), 'gi'), z.origin) : text);
  const recs = parseZoneText(rename(readFileSync(file, 'utf8')), { origin: z.origin, fileName: file, readInclude: (p) => rename(readFileSync(p, 'utf8')) });
  return recs.filter((r) => !isDerivedRecord(r, z.origin) && apexOnlyProblem(r.name, r.type, z.origin) === undefined);
}

/** The zone as a master file another server can load: the records we serve, one per line. */
export function zoneFileText(z: DiffZone): string {
  return writeZoneText(z.origin, zoneRecords(z));
}

export interface DiffServer {
  store: Store;
  zones: Registry;
  dnssec: DnssecService;
  pipeline: CommitPipeline;
  /** Answers with the fast path. */
  fast: QueryContext;
  /** The same zones, signer and wire pieces, without the fast path: every message takes the full path. */
  full: QueryContext;
  clock: { now: number };
}

/** Every DIFF_ZONES zone in one in-memory store, signed, with two contexts over it. */
export function diffServer(now = Math.floor(Date.now() / 1000)): DiffServer {
  const clock = { now };
  const store = new Store(':memory:');
  const { zones, dnssec, pipeline } = hostZones(store, { serving: true, now: () => clock.now });
  for (const z of DIFF_ZONES) {
    pipeline.commit({
      kind: 'import', apex: z.origin, records: zoneRecords(z),
      settings: { signed: true, nsec3: { iterations: 0, salt: '', optOut: z.optOut } }, makeKeys: () => initialKeys(now, z.csk),
    }, TEST_ACTOR);
  }
  // One signer and one set of wire pieces: both contexts send the same signatures, so their replies compare byte for byte.
  const wire = new RRsetWireCache();
  const base = { zones, dnssec, wire, now: () => clock.now };
  return { store, zones, dnssec, pipeline, fast: { ...base, fastPath: new FastPath() }, full: { ...base, fastPath: undefined }, clock };
}

/** mulberry32: a small seeded generator, so that a failing run can be repeated from its seed. */
export class Random {
  private s: number;
  constructor(readonly seed: number) {
    this.s = seed >>> 0;
  }

  /** [0, 1) */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  bytes(n: number): Buffer {
    return Buffer.from(Array.from({ length: n }, () => this.int(256)));
  }

  /** A lowercase label of letters and digits, `min` to `max` long. */
  label(min = 1, max = 12): string {
    const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
    return Array.from({ length: min + this.int(max - min + 1) }, () => this.pick([...chars])).join('');
  }

  /** `name` with each letter's case flipped at random (resolvers do this: draft-vixie-dnsext-dns0x20). */
  mixCase(name: string): string {
    return [...name].map((c) => (this.chance(0.5) ? c.toUpperCase() : c)).join('');
  }
}

/** The seed of this run: DIFF_SEED when given (to repeat a failure), else a fresh one. */
export function runSeed(): number {
  const given = process.env.DIFF_SEED;
  if (given !== undefined && given !== '') {
    if (!/^\d+$/.test(given)) throw new Error(`DIFF_SEED ${JSON.stringify(given)}: expected a decimal number`);
    return Number(given) >>> 0;
  }
  return Math.floor(Math.random() * 2 ** 32) >>> 0;
}

/** EDNS options a question may carry: the ones resolvers send, and codes the server does not know. */
export const OPTION_KINDS = ['cookie', 'nsid', 'padding', 'subnet', 'expire', 'keepalive', 'unknown'] as const;
export type OptionKind = (typeof OPTION_KINDS)[number];

export function option(kind: OptionKind, r: Random): { code: number; data: Buffer } {
  switch (kind) {
    case 'cookie': return { code: 10, data: r.bytes(8) }; // RFC 7873 §4: a client cookie
    case 'nsid': return { code: 3, data: Buffer.alloc(0) }; // RFC 5001 §2.1: empty in a query
    case 'padding': return { code: 12, data: Buffer.alloc(r.int(64)) }; // RFC 7830 §3: zeros
    case 'subnet': return { code: 8, data: Buffer.from([0, 1, 24, 0, 192, 0, 2]) }; // RFC 7871 §6: 192.0.2.0/24
    case 'expire': return { code: 9, data: Buffer.alloc(0) }; // RFC 7314 §2
    case 'keepalive': return { code: 11, data: Buffer.alloc(0) }; // RFC 7828 §3.1 (not known here: full path)
    case 'unknown': return { code: 65001 + r.int(500), data: r.bytes(r.int(6)) }; // RFC 6891 §9: local/experimental use
  }
}

/** One question with everything about how it is asked. */
export interface Question {
  name: string;
  type: string;
  tcp: boolean;
  /** undefined: no OPT at all. */
  udpSize: number | undefined;
  dnssecOk: boolean;
  /** Header bits a reply copies (RFC 1035 §4.1.1, RFC 4035 §3.1.6). */
  rd: boolean;
  cd: boolean;
  options: { code: number; data: Buffer }[];
  /** What the options were, for messages. */
  optionKinds: OptionKind[];
}

export const describe = (q: Question): string =>
  `${q.name} ${q.type} ${q.tcp ? 'TCP' : 'UDP'} ${q.udpSize === undefined ? 'no EDNS' : `EDNS ${q.udpSize}${q.dnssecOk ? ' DO' : ''}${q.optionKinds.length ? ` [${q.optionKinds.join(',')}]` : ''}`}`;

/** Names the zones hold (owners and the empty non-terminals above them), by zone. */
export function zoneNames(): Map<Name, Name[]> {
  const out = new Map<Name, Name[]>();
  for (const z of DIFF_ZONES) {
    const names = new Set<Name>();
    for (const r of zoneRecords(z)) for (let n = r.name; isInZone(n, z.origin); n = parentName(n)) { names.add(n); if (n === z.origin) break; }
    out.set(z.origin, [...names].sort());
  }
  return out;
}

/** Types a question asks: what the zones hold, the DNSSEC types, the meta type ANY, and a type nobody holds. */
export const QTYPES = ['A', 'AAAA', 'TXT', 'MX', 'NS', 'SOA', 'CNAME', 'DNAME', 'DS', 'DNSKEY', 'TLSA', 'SRV', 'ANY', 'NSEC3PARAM',
  'CAA', 'HTTPS', 'SVCB', 'PTR', 'NAPTR', 'SSHFP', 'TYPE65280', 'TYPE65000'];

/** Where a random name lands, and how to make one there. */
export function randomName(r: Random, names: Map<Name, Name[]>): string {
  const zone = r.pick([...names.keys()]);
  const held = names.get(zone)!;
  const base = r.pick(held);
  const strip = (n: Name) => n.replace(/\.$/, '');
  switch (r.int(8)) {
    case 0: case 1: case 2: return strip(base); // a name the zone holds (data, ENT, wildcard owner, delegation)
    case 3: return `${r.label()}.${strip(base)}`; // one label below a held name: NXDOMAIN, wildcard, below a cut or a DNAME
    case 4: return `${r.label(1, 4)}.${r.label(1, 4)}.${strip(base)}`; // two labels below
    case 5: return `${r.label()}.${strip(r.pick(['wild.example.com.', 'dn.example.com.', 'dnc.example.net.', 'wc.example.net.', 'b.ent2.example.net.',
      '_tcp.host.example.com.', 'sub.example.com.', 'insec1.example.net.', 'dname.rich.test.', 'longdn.example.com.']))}`;
    case 6: return r.pick(['www.example.org', 'example', 'com', 'nope.example.edu', '.']); // not ours: REFUSED
    default: return `${strip(base).startsWith('*.') ? r.label() + strip(base).slice(1) : strip(base)}`; // a wildcard's owner made concrete
  }
}

/** A random question: name in random case, type, transport, EDNS (none, DO or not, a payload size), options. */
export function randomQuestion(r: Random, names: Map<Name, Name[]>): Question {
  const name = r.mixCase(randomName(r, names));
  const type = r.pick(QTYPES);
  const tcp = r.chance(0.3);
  const udpSize = r.chance(0.2) ? undefined : r.pick([512, 512, 600, 900, 1232, 1232, 1400, 4096, 65535, 0, 100]);
  const dnssecOk = udpSize !== undefined && r.chance(0.7);
  const optionKinds: OptionKind[] = [];
  if (udpSize !== undefined) for (const k of OPTION_KINDS) if (r.chance(0.15)) optionKinds.push(k);
  return { name, type, tcp, udpSize, dnssecOk, rd: r.chance(0.5), cd: r.chance(0.2), options: optionKinds.map((k) => option(k, r)), optionKinds };
}

/** The query message for `q`: its name exactly as spelled (case included), its OPT with its options. */
export function queryMessage(q: Question, id: number): Buffer {
  const name = nameTextToWire(q.name.endsWith('.') ? q.name : `${q.name}.`);
  const type = typeFromText(q.type);
  if (type === undefined) throw new Error(`unknown type ${q.type}`);
  const opts = q.options.reduce((n, o) => n + 4 + o.data.length, 0);
  const m = Buffer.alloc(12 + name.length + 4 + (q.udpSize === undefined ? 0 : 11 + opts));
  m.writeUInt16BE(id, 0);
  m.writeUInt16BE((q.rd ? 0x0100 : 0) | (q.cd ? 0x0010 : 0), 2);
  m.writeUInt16BE(1, 4);
  m.writeUInt16BE(q.udpSize === undefined ? 0 : 1, 10);
  name.copy(m, 12);
  let at = 12 + name.length;
  m.writeUInt16BE(type, at);
  m.writeUInt16BE(1, at + 2);
  at += 4;
  if (q.udpSize !== undefined) {
    // RFC 6891 §6.1.2: root owner, type OPT, payload size as CLASS, extended RCODE 0, version 0, DO.
    m[at] = 0;
    m.writeUInt16BE(RRType.OPT, at + 1);
    m.writeUInt16BE(q.udpSize, at + 3);
    m.writeUInt16BE(q.dnssecOk ? 0x8000 : 0, at + 7);
    m.writeUInt16BE(opts, at + 9);
    at += 11;
    for (const o of q.options) {
      m.writeUInt16BE(o.code, at);
      m.writeUInt16BE(o.data.length, at + 2);
      o.data.copy(m, at + 4);
      at += 4 + o.data.length;
    }
  }
  return m;
}
