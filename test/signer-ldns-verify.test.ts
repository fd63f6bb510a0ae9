// Real-tool check: a small zone signed by signRRset, with an NSEC3 chain from nsec3.ts, must pass
// ldns-verify-zone (ldnsutils) and BIND's dnssec-verify.
//
// Why these tools: both verify every RRSIG against the zone's own DNSKEYs offline (delv needs a
// server), and both also walk the NSEC3 chain, so the hash, base32hex owner names, bitmaps and
// NSEC3/NSEC3PARAM RDATA are checked by independent code too. Every record is written in the
// RFC 3597 generic form ("\# len hex"), so the tools read exactly the octets we produced —
// no presentation formatting of ours sits between our bytes and their verifier.
import { requireTool } from './helpers/tools.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../signer/algorithms.js';
import { MemoryKeyStore, type SigningKey } from '../signer/keystore.js';
import { signRRset } from '../signer/rrset-sign.js';
import { signatureValidity, validitySeed } from '../signer/policy.js';
import { nsec3Hash, nsec3Owner, nsec3Rdata, nsec3paramRdata } from '../signer/nsec3.js';
import { nameToWire, type Name } from '../zones/model/name.js';
import { RRType } from '../zones/model/types.js';
import { rrsigTimeToText } from './signer-fixtures.js';

interface RRset { owner: Name; type: number; ttl: number; rdatas: Buffer[] }

const ZONE = 'example.com.';
// ldns-verify-zone takes the validation time (-t), so its tests use a fixed clock; dnssec-verify
// has no such option and checks against the real time, so it gets Date.now() — the test is the
// outermost caller, the only place the signer's clock may come from.
const FIXED_NOW = 1_780_000_000; // 2026-05-28

function u32(n: number) { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; }

/** Build and sign the zone; returns presentation lines in generic RFC 3597 form. */
function buildSignedZone(now: number, salt: Buffer, iterations: number): { lines: string[]; sigLines: number[] } {
  const store = new MemoryKeyStore();
  store.addKey(ZONE, generateKeyPair().privateKeyPkcs8, 'ksk');
  store.addKey(ZONE, generateKeyPair().privateKeyPkcs8, 'zsk');
  const soaMin = 300;
  const soa = Buffer.concat([nameToWire('ns.example.net.'), nameToWire('hostmaster.example.com.'),
    u32(2026010101), u32(7200), u32(3600), u32(1209600), u32(soaMin)]);
  const data: RRset[] = [
    { owner: ZONE, type: RRType.SOA, ttl: 3600, rdatas: [soa] },
    { owner: ZONE, type: RRType.NS, ttl: 3600, rdatas: [nameToWire('ns.example.net.'), nameToWire('ns2.example.net.')] },
    { owner: ZONE, type: RRType.DNSKEY, ttl: 3600, rdatas: store.listKeys(ZONE).map((k) => k.dnskey) },
    { owner: ZONE, type: RRType.NSEC3PARAM, ttl: 0, rdatas: [nsec3paramRdata({ hashAlgorithm: 1, flags: 0, iterations, salt })] },
    { owner: 'www.example.com.', type: RRType.A, ttl: 300, rdatas: [Buffer.from([192, 0, 2, 2]), Buffer.from([192, 0, 2, 1])] },
    { owner: '*.wild.example.com.', type: RRType.TXT, ttl: 300, rdatas: [Buffer.from('\x0bwildcard ok')] },
  ];
  // NSEC3 chain (RFC 5155 §7.1): one per name, including the empty non-terminal wild.example.com.
  const names = new Map<Name, number[]>([[ZONE, []], ['www.example.com.', []], ['wild.example.com.', []], ['*.wild.example.com.', []]]);
  for (const rs of data) names.get(rs.owner)!.push(rs.type);
  const hashed = [...names].map(([name, types]) => ({ hash: nsec3Hash(name, salt, iterations), types: types.length ? [...types, RRType.RRSIG] : [] }))
    .sort((a, b) => Buffer.compare(a.hash, b.hash));
  hashed.forEach((h, i) => data.push({
    owner: nsec3Owner(h.hash, ZONE), type: RRType.NSEC3, ttl: soaMin,
    rdatas: [nsec3Rdata({ hashAlgorithm: 1, flags: 0, iterations, salt, nextHashed: hashed[(i + 1) % hashed.length].hash, types: h.types })],
  }));

  const [ksk] = store.signingKeys(ZONE, 'ksk');
  const [zsk] = store.signingKeys(ZONE, 'zsk');
  const lines: string[] = [];
  const sigLines: number[] = [];
  const generic = (owner: Name, ttl: number, type: number, rd: Buffer) =>
    `${owner} ${ttl} IN TYPE${type} \\# ${rd.length}${rd.length ? ' ' + rd.toString('hex') : ''}`;
  for (const rs of data) {
    for (const rd of rs.rdatas) lines.push(generic(rs.owner, rs.ttl, rs.type, rd));
    const key: SigningKey = rs.type === RRType.DNSKEY ? ksk : zsk;
    const rrsig = signRRset(rs, key, signatureValidity(now, { seed: validitySeed(rs.owner, rs.type) }), ZONE);
    sigLines.push(lines.length);
    lines.push(generic(rs.owner, rs.ttl, RRType.RRSIG, rrsig));
  }
  return { lines, sigLines };
}

function run(cmd: string, args: string[]): { ok: boolean; out: string } {
  try {
    return { ok: true, out: execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

/** Flip one bit in the signature (last octet) of a generic-form RRSIG line. */
function corrupt(line: string): string {
  const last = parseInt(line.slice(-2), 16) ^ 1;
  return line.slice(0, -2) + last.toString(16).padStart(2, '0');
}

const PARAMS: [string, Buffer, number][] = [['no salt, 0 iterations (RFC 9276)', Buffer.alloc(0), 0], ['salt ab12, 3 iterations', Buffer.from('ab12', 'hex'), 3]];

for (const [label, salt, iterations] of PARAMS) {
  test(`ldns-verify-zone accepts our signed NSEC3 zone (${label}) and rejects a corrupted RRSIG`, (t) => {
    if (!requireTool('ldns-verify-zone', t)) return;
    const dir = mkdtempSync(join(tmpdir(), 'daneprime-ldns-verify-'));
    try {
      const { lines, sigLines } = buildSignedZone(FIXED_NOW, salt, iterations);
      const good = join(dir, 'good.zone');
      writeFileSync(good, lines.join('\n') + '\n');
      const at = rrsigTimeToText(FIXED_NOW);
      const r = run('ldns-verify-zone', ['-t', at, '-V', '3', good]);
      assert.ok(r.ok, r.out);
      assert.match(r.out, /Zone is verified and complete/);

      const bad = join(dir, 'bad.zone');
      const tampered = lines.slice();
      const victim = sigLines[4]; // RRSIG over www A
      tampered[victim] = corrupt(tampered[victim]);
      writeFileSync(bad, tampered.join('\n') + '\n');
      const rb = run('ldns-verify-zone', ['-t', at, '-V', '3', bad]);
      assert.equal(rb.ok, false, 'corrupted signature must be rejected:\n' + rb.out);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test(`BIND dnssec-verify accepts our signed NSEC3 zone (${label}) and rejects a corrupted RRSIG`, (t) => {
    if (!requireTool('dnssec-verify', t)) return;
    const dir = mkdtempSync(join(tmpdir(), 'daneprime-dnssec-verify-'));
    try {
      const { lines, sigLines } = buildSignedZone(Math.floor(Date.now() / 1000), salt, iterations);
      const good = join(dir, 'good.zone');
      writeFileSync(good, lines.join('\n') + '\n');
      // No -q: BIND 9.18's dnssec-verify exits 0 on bad options after -q, and we want its report.
      const r = run('dnssec-verify', ['-o', ZONE, good]);
      assert.ok(r.ok, r.out);
      assert.match(r.out, /Zone fully signed/);
      assert.match(r.out, /ECDSAP256SHA256: KSKs: 1 active/);

      const bad = join(dir, 'bad.zone');
      const tampered = lines.slice();
      tampered[sigLines[4]] = corrupt(tampered[sigLines[4]]);
      writeFileSync(bad, tampered.join('\n') + '\n');
      const rb = run('dnssec-verify', ['-o', ZONE, bad]);
      assert.equal(rb.ok, false, 'corrupted signature must be rejected:\n' + rb.out);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
}
