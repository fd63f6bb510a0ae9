// DNSSEC interop: the real server (CLI `serve`, on-the-fly ECDSA P-256 signing, NSEC3) checked by
// independent validators — BIND's delv, Unbound as a validating resolver, and ldns-verify-zone on
// the signed export. Every answer-path case of the fixture zone must come out "fully validated"
// (delv) / AD=1 with the right RCODE (unbound): positive, wildcard, NODATA, ENT, NXDOMAIN, CNAME/
// DNAME chains, DS at signed and unsigned delegations, an NSEC3 owner name queried as a host name,
// after zone edits (--replace), and a child zone on the same server validated through its DS.
import { writeUnboundConf } from './helpers/unbound-conf.js';
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool } from './helpers/tools.js';
import {
  FIXTURES, cli, makeTmpDir, startServer, udpQuery, fetchKsks, delvTrustAnchors, pollUntil, freePort,
  type DnssecServer,
} from './helpers/dnssec-server.js';

const run = promisify(execFile);
const ZONE = 'example.com';
const PARENT_FIXTURE = join(FIXTURES, 'example.com.zone');
const CHILD_FIXTURE = join(FIXTURES, 'child.example.com.zone');

/** A random DNS label (lowercase letters/digits), so wildcard and NXDOMAIN proofs are not precomputed by name. */
const randLabel = (prefix = 'r') => prefix + randomBytes(6).toString('hex');

// ---------------------------------------------------------------------------------------------
// delv

type Expect =
  | { kind: 'positive'; answer: RegExp }   // answer validated, data line present
  | { kind: 'nxdomain' }                   // negative response, NXDOMAIN proven
  | { kind: 'nodata' }                     // negative response, NODATA proven
  | { kind: 'cname-negative'; target: 'nxdomain' | 'nodata'; answer: RegExp }; // validated CNAME, target's denial proven

interface Case { name: string; type: string; expect: Expect; why: string }

interface DelvResult { cmd: string; out: string; code: number | null }

async function delv(port: number, taFile: string, name: string, type: string): Promise<DelvResult> {
  const args = ['@127.0.0.1', '-p', String(port), '-a', taFile, `+root=${ZONE}`, name, type];
  const cmd = `delv ${args.join(' ')}`;
  try {
    const { stdout, stderr } = await run('delv', args, { timeout: 15_000 });
    return { cmd, out: stderr + stdout, code: 0 };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; code?: number | null };
    return { cmd, out: (err.stderr ?? '') + (err.stdout ?? ''), code: typeof err.code === 'number' ? err.code : null };
  }
}

/** Asserts delv's verdict for one case; the message carries the full delv output and the server's raw reply. */
async function checkDelv(port: number, taFile: string, c: Case): Promise<void> {
  const r = await delv(port, taFile, c.name, c.type);
  const fail = async (what: string) => {
    let raw = '';
    const kd = spawnSync('kdig', ['@127.0.0.1', '-p', String(port), '+dnssec', '+multi', c.name, c.type], { encoding: 'utf8', timeout: 5000 });
    if (kd.status === 0) raw = `\n--- kdig +dnssec +multi ${c.name} ${c.type}:\n${kd.stdout}`;
    assert.fail(`${c.why}: ${what}\n$ ${r.cmd}\n${r.out}${raw}`);
  };
  const e = c.expect;
  switch (e.kind) {
    case 'positive':
      if (!/^; fully validated$/m.test(r.out) || /resolution failed/.test(r.out)) await fail('expected "; fully validated" positive answer');
      if (!e.answer.test(r.out)) await fail(`validated, but answer does not match ${e.answer}`);
      break;
    case 'nxdomain':
      if (!/^; negative response, fully validated$/m.test(r.out) || !/ncache nxdomain/.test(r.out)) await fail('expected "; negative response, fully validated" NXDOMAIN');
      break;
    case 'nodata':
      if (!/^; negative response, fully validated$/m.test(r.out) || !/ncache nxrrset/.test(r.out)) await fail('expected "; negative response, fully validated" NODATA (nxrrset)');
      break;
    case 'cname-negative': {
      const nc = e.target === 'nxdomain' ? 'ncache nxdomain' : 'ncache nxrrset';
      if (!/^; fully validated$/m.test(r.out) || !r.out.includes(nc)) await fail(`expected validated CNAME and "${nc}" for its target`);
      if (!e.answer.test(r.out)) await fail(`validated, but answer does not match ${e.answer}`);
      break;
    }
  }
}

/** Runs all cases (concurrently, they are independent reads) as subtests so each failure is reported on its own. */
async function runDelvCases(t: TestContext, port: number, taFile: string, cases: Case[]): Promise<void> {
  await Promise.all(cases.map((c) => t.test(`delv ${c.name} ${c.type} → ${c.expect.kind} (${c.why})`, () => checkDelv(port, taFile, c))));
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** "owner TTL IN TYPE rdata-prefix" as delv prints it. */
const rr = (owner: string, type: string, rdata: string) => new RegExp(`^${esc(owner)}\\s+\\d+\\s+IN\\s+${type}\\s+${esc(rdata)}`, 'mi');

const TLSA_443 = '3 1 1 8CB0FC6C527506A053F4F14C8464BEBBD6DEDE2738D11468DD953D7D';

// ---------------------------------------------------------------------------------------------
// A signed example.com served by the CLI server, shared by tests 1–3 (they only read).

interface Served { dir: string; db: string; server: DnssecServer; taFile: string; ksks: string[]; cleanup(): void }

async function serveZones(files: string[], extra?: (dir: string, db: string) => void): Promise<Served> {
  const tmp = makeTmpDir();
  const db = join(tmp.dir, 'db');
  try {
    extra?.(tmp.dir, db);
    for (const f of files) cli(['zone', 'import', f, '--db', db]);
    const server = await startServer(db);
    const ksks = await fetchKsks(server.port, ZONE);
    const taFile = join(tmp.dir, 'ta.conf');
    writeFileSync(taFile, delvTrustAnchors(ZONE, ksks));
    return { dir: tmp.dir, db, server, taFile, ksks, cleanup: tmp.cleanup };
  } catch (e) {
    tmp.cleanup();
    throw e;
  }
}

let main: Served | undefined;
before(async () => { main = await serveZones([PARENT_FIXTURE]); });
after(async () => { await main?.server.stop(); main?.cleanup(); });

/** The NSEC3 owner name that an NXDOMAIN reply for a random name carries (the closest encloser's, or a cover). */
async function nsec3OwnerFromNxdomain(port: number): Promise<string> {
  const r = await udpQuery(port, `${randLabel('nx')}.${ZONE}`, 'A');
  assert.equal(r.rcode, 'NXDOMAIN');
  const owner = (r.authorities ?? []).find((a) => a.type === 'NSEC3')?.name;
  assert.ok(owner, 'NXDOMAIN reply without NSEC3 records');
  return owner.toLowerCase();
}

/** The fixture's answer-path cases, with fresh random labels per run. */
async function mainCases(port: number): Promise<Case[]> {
  const w = randLabel('w');
  const tlsaPort = randomInt(1024, 65536);
  const nsec3Owner = await nsec3OwnerFromNxdomain(port);
  const Z = `${ZONE}.`;
  return [
    { name: ZONE, type: 'A', expect: { kind: 'positive', answer: rr(Z, 'A', '192.0.2.1') }, why: 'apex A' },
    { name: ZONE, type: 'MX', expect: { kind: 'positive', answer: rr(Z, 'MX', '10 mail.example.com.') }, why: 'apex MX' },
    { name: `www.${ZONE}`, type: 'A', expect: { kind: 'positive', answer: rr(`www.${Z}`, 'A', '192.0.2.80') }, why: 'plain A' },
    { name: `_443._tcp.www.${ZONE}`, type: 'TLSA', expect: { kind: 'positive', answer: rr(`_443._tcp.www.${Z}`, 'TLSA', TLSA_443) }, why: 'DANE TLSA' },
    { name: `${w}.wild.${ZONE}`, type: 'A', expect: { kind: 'positive', answer: rr(`${w}.wild.${Z}`, 'A', '192.0.2.99') }, why: 'wildcard A, random label (needs next-closer NSEC3 cover)' },
    { name: `_${tlsaPort}._tcp.host.${ZONE}`, type: 'TLSA', expect: { kind: 'positive', answer: rr(`_${tlsaPort}._tcp.host.${Z}`, 'TLSA', '3 1 1 0C72AC70B745AC19998811B131D662C9') }, why: 'wildcard TLSA *._tcp.host, random port' },
    { name: `${w}.wild.${ZONE}`, type: 'MX', expect: { kind: 'nodata' }, why: 'wildcard NODATA (RFC 5155 §7.2.5)' },
    { name: `${randLabel('nx')}.${ZONE}`, type: 'A', expect: { kind: 'nxdomain' }, why: 'random NXDOMAIN' },
    { name: `www.${ZONE}`, type: 'MX', expect: { kind: 'nodata' }, why: 'NODATA at existing name' },
    { name: `_tcp.www.${ZONE}`, type: 'A', expect: { kind: 'nodata' }, why: 'empty non-terminal NODATA' },
    { name: `chain1.${ZONE}`, type: 'TLSA', expect: { kind: 'positive', answer: rr(`_443._tcp.www.${Z}`, 'TLSA', TLSA_443) }, why: 'CNAME→CNAME→TLSA' },
    { name: `_443._tcp.svc.dn.${ZONE}`, type: 'TLSA', expect: { kind: 'positive', answer: rr(`_443._tcp.svc.target.${Z}`, 'TLSA', '3 1 1 D2ABDE240D7CD3EE6B4B28C54DF034B97983A1D1') }, why: 'DNAME + synthesized CNAME → TLSA' },
    { name: `dangling.${ZONE}`, type: 'A', expect: { kind: 'cname-negative', target: 'nxdomain', answer: rr(`dangling.${Z}`, 'CNAME', 'nothere.example.com.') }, why: 'CNAME to NXDOMAIN' },
    { name: `ins.${ZONE}`, type: 'DS', expect: { kind: 'positive', answer: rr(`ins.${Z}`, 'DS', '12345 13 2') }, why: 'DS at signed delegation' },
    { name: `sub.${ZONE}`, type: 'DS', expect: { kind: 'nodata' }, why: 'no DS at unsigned delegation (insecure proof)' },
    { name: ZONE, type: 'DNSKEY', expect: { kind: 'positive', answer: rr(Z, 'DNSKEY', '257 3 13') }, why: 'DNSKEY signed by KSK' },
    { name: `_xmpp-client._tcp.${ZONE}`, type: 'SRV', expect: { kind: 'positive', answer: rr(`_xmpp-client._tcp.${Z}`, 'SRV', '5 0 5222 xmpp.example.com.') }, why: 'XMPP SRV' },
    { name: `_5222._tcp.xmpp.${ZONE}`, type: 'TLSA', expect: { kind: 'positive', answer: rr(`_5222._tcp.xmpp.${Z}`, 'TLSA', TLSA_443) }, why: 'XMPP client TLSA' },
    { name: `_5269._tcp.xmpp.${ZONE}`, type: 'TLSA', expect: { kind: 'positive', answer: rr(`_5269._tcp.xmpp.${Z}`, 'TLSA', TLSA_443) }, why: 'XMPP server TLSA' },
    { name: nsec3Owner, type: 'A', expect: { kind: 'nxdomain' }, why: 'NSEC3 owner name as a query name (RFC 5155 §7.2.8)' },
  ];
}

test('1. delv validates every answer path from the KSK trust anchor', { timeout: 45_000, concurrency: true }, async (t) => {
  if (!requireTool('delv', t) || !requireTool('kdig', t)) return; // kdig: failure diagnostics
  const m = main!;
  await runDelvCases(t, m.server.port, m.taFile, await mainCases(m.server.port));
});

// ---------------------------------------------------------------------------------------------
// unbound

interface KdigResult { rcode: string; ad: boolean; out: string }

async function kdig(port: number, name: string, type: string, extra: string[] = []): Promise<KdigResult> {
  const { stdout } = await run('kdig', ['@127.0.0.1', '-p', String(port), '+time=3', '+retry=1', ...extra, name, type], { timeout: 10_000 });
  const rcode = /status: ([A-Z]+)/.exec(stdout)?.[1] ?? '?';
  const flags = /;; Flags: ([^;]*);/.exec(stdout)?.[1] ?? '';
  return { rcode, ad: flags.split(/\s+/).includes('ad'), out: stdout };
}

async function startUnbound(dir: string, authPort: number, ksks: string[]): Promise<{ port: number; proc: ChildProcess; logFile: string; stop(): Promise<void> }> {
  const port = await freePort();
  const logFile = join(dir, 'unbound.log');
  const conf = writeUnboundConf({ dir, address: '127.0.0.1', port, logFile, anchors: ksks.map((k) => `${ZONE}. DNSKEY ${k}`), stubs: [{ zone: ZONE, port: authPort }] });
  const proc = spawn('unbound', ['-d', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d) => { stderr += d; });
  let exited = false;
  const exitP = new Promise<void>((r) => proc.once('exit', () => { exited = true; r(); }));
  const stop = async () => {
    if (exited) return;
    proc.kill('SIGTERM');
    const tm = setTimeout(() => { if (!exited) proc.kill('SIGKILL'); }, 3000);
    await exitP;
    clearTimeout(tm);
  };
  const up = await pollUntil(async () => {
    if (exited) throw new Error('exited');
    const r = await run('kdig', ['@127.0.0.1', '-p', String(port), '+time=1', '+retry=0', `${ZONE}`, 'SOA'], { timeout: 3000 });
    return /status: /.test(r.stdout);
  }, 8000, 100);
  if (!up) {
    await stop();
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    throw new Error(`unbound did not start answering within 8 s\n${stderr}\n${log}`);
  }
  return { port, proc, logFile, stop };
}

test('2. unbound (validator iterator, stub to the server) sets AD on every answer, never SERVFAIL', { timeout: 45_000 }, async (t) => {
  if (!requireTool('unbound', t) || !requireTool('kdig', t)) return;
  const m = main!;
  const ub = await startUnbound(m.dir, m.server.port, m.ksks);
  try {
    const cases = await mainCases(m.server.port);
    // Sequential: one cache, deterministic order in the log when something is bogus.
    for (const c of cases) {
      const wantRcode = c.expect.kind === 'nxdomain' || (c.expect.kind === 'cname-negative' && c.expect.target === 'nxdomain') ? 'NXDOMAIN' : 'NOERROR';
      await t.test(`unbound ${c.name} ${c.type} → ${wantRcode}+AD (${c.why})`, async () => {
        const r = await kdig(ub.port, c.name, c.type);
        const explain = () => {
          const log = readFileSync(ub.logFile, 'utf8').split('\n').filter((l) => /validation failure|bogus|SERVFAIL|error/i.test(l)).slice(-10).join('\n');
          return `\n$ kdig @127.0.0.1 -p ${ub.port} ${c.name} ${c.type}\n${r.out}\n--- unbound log (val-log-level 2):\n${log}`;
        };
        assert.notEqual(r.rcode, 'SERVFAIL', `unbound SERVFAIL (bogus?) for ${c.name} ${c.type}${explain()}`);
        assert.equal(r.rcode, wantRcode, `rcode for ${c.name} ${c.type}${explain()}`);
        assert.ok(r.ad, `AD flag missing for ${c.name} ${c.type} (not validated as secure)${explain()}`);
      });
    }
  } finally {
    await ub.stop();
  }
});

// ---------------------------------------------------------------------------------------------
// ldns-verify-zone on `zone export --signed`

function exportSigned(db: string, out: string): string {
  const text = cli(['zone', 'export', ZONE, '--signed', '--db', db]);
  writeFileSync(out, text);
  return text;
}

function ldnsVerify(file: string): { code: number | null; out: string } {
  const r = spawnSync('ldns-verify-zone', [file], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Flip one base64 character in the middle of the signature of the first RRSIG covering `type`. */
function tamperRrsig(text: string, type: string): { text: string; line: string } {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => new RegExp(`\\sRRSIG\\s+${type}\\s`).test(l));
  assert.ok(i >= 0, `no RRSIG ${type} in export`);
  const fields = lines[i].trim().split(/\s+/);
  const sig = fields[fields.length - 1];
  const pos = Math.floor(sig.length / 3);
  const flipped = sig[pos] === 'A' ? 'B' : 'A';
  fields[fields.length - 1] = sig.slice(0, pos) + flipped + sig.slice(pos + 1);
  lines[i] = fields.join('\t');
  return { text: lines.join('\n'), line: lines[i] };
}

test('3. signed export passes ldns-verify-zone, and a tampered RRSIG makes it fail', { timeout: 30_000 }, (t) => {
  if (!requireTool('ldns-verify-zone', t)) return;
  const m = main!;
  const file = join(m.dir, 'signed.zone');
  const text = exportSigned(m.db, file);
  assert.match(text, /\sNSEC3PARAM\s/);
  assert.match(text, /\sNSEC3\s/);
  const ok = ldnsVerify(file);
  assert.equal(ok.code, 0, `ldns-verify-zone ${file} failed:\n${ok.out}`);
  assert.match(ok.out, /Zone is verified and complete/);

  const bad = tamperRrsig(text, 'TLSA');
  const badFile = join(m.dir, 'signed-tampered.zone');
  writeFileSync(badFile, bad.text);
  const r = ldnsVerify(badFile);
  assert.notEqual(r.code, 0, `ldns-verify-zone accepted a tampered RRSIG (${bad.line}):\n${r.out}`);
  assert.doesNotMatch(r.out, /Zone is verified and complete/);
  // The failure must be the signature check on the tampered RRset, not a parse error of our edit.
  assert.doesNotMatch(r.out, /syntax error|could not parse/i, `tampered file did not parse:\n${r.out}`);
  const owner = bad.line.split(/\s+/)[0];
  assert.match(r.out, new RegExp(`Bogus DNSSEC signature for ${owner.replace(/[.*]/g, '\\$&')}\\s+TLSA`), r.out);
});

// ---------------------------------------------------------------------------------------------
// Edits: import --replace while the server runs

const NEW_TLSA = '3 1 1 aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899';

function editedParent(): string {
  const src = readFileSync(PARENT_FIXTURE, 'utf8');
  const kept = src.split('\n').filter((l) => !/^mail\s/.test(l));
  assert.equal(src.split('\n').length - kept.length, 2, 'fixture should have mail A and mail AAAA');
  return kept.join('\n') + `\nnewname     A     192.0.2.77\n_443._tcp.foo.wild TLSA ${NEW_TLSA}\n`;
}

test('4. after import --replace (add, delete, TLSA under the wildcard) everything validates again', { timeout: 45_000, concurrency: true }, async (t) => {
  if (!requireTool('delv', t) || !requireTool('ldns-verify-zone', t) || !requireTool('kdig', t)) return;
  const s = await serveZones([PARENT_FIXTURE]);
  try {
    const port = s.server.port;
    const before4 = await udpQuery(port, `mail.${ZONE}`, 'A');
    assert.equal(before4.rcode, 'NOERROR');
    const file = join(s.dir, 'edited.zone');
    writeFileSync(file, editedParent());
    cli(['zone', 'import', file, '--replace', '--db', s.db]);
    const t0 = Date.now();
    const served = await pollUntil(async () => {
      const [n, d] = await Promise.all([udpQuery(port, `newname.${ZONE}`, 'A', 300), udpQuery(port, `mail.${ZONE}`, 'A', 300)]);
      return n.rcode === 'NOERROR' && (n.answers ?? []).some((a) => a.type === 'A') && d.rcode === 'NXDOMAIN';
    }, 1000, 25);
    assert.ok(served, `server did not serve the replaced zone within 1 s (${Date.now() - t0} ms)\n${s.server.log()}`);
    assert.deepEqual(await fetchKsks(port, ZONE), s.ksks, 'KSK changed on --replace: trust anchor would break');

    const Z = `${ZONE}.`;
    const w = randLabel('w');
    await runDelvCases(t, port, s.taFile, [
      { name: `newname.${ZONE}`, type: 'A', expect: { kind: 'positive', answer: rr(`newname.${Z}`, 'A', '192.0.2.77') }, why: 'added name' },
      { name: `mail.${ZONE}`, type: 'A', expect: { kind: 'nxdomain' }, why: 'deleted name' },
      { name: `mail.${ZONE}`, type: 'AAAA', expect: { kind: 'nxdomain' }, why: 'deleted name, other type' },
      { name: `_443._tcp.foo.wild.${ZONE}`, type: 'TLSA', expect: { kind: 'positive', answer: rr(`_443._tcp.foo.wild.${Z}`, 'TLSA', NEW_TLSA.toUpperCase().slice(0, 20)) }, why: 'new TLSA beside *.wild' },
      { name: `foo.wild.${ZONE}`, type: 'A', expect: { kind: 'nodata' }, why: 'foo.wild is now an ENT: NODATA, not the wildcard' },
      { name: `_tcp.foo.wild.${ZONE}`, type: 'A', expect: { kind: 'nodata' }, why: 'new ENT _tcp.foo.wild' },
      { name: `bar.wild.${ZONE}`, type: 'A', expect: { kind: 'positive', answer: rr(`bar.wild.${Z}`, 'A', '192.0.2.99') }, why: 'bar.wild still wildcard' },
      { name: `${w}.wild.${ZONE}`, type: 'A', expect: { kind: 'positive', answer: rr(`${w}.wild.${Z}`, 'A', '192.0.2.99') }, why: 'random wildcard after edit' },
      { name: `${w}.foo.wild.${ZONE}`, type: 'A', expect: { kind: 'nxdomain' }, why: 'below the ENT foo.wild: no wildcard *.foo.wild' },
      { name: `wcname.${ZONE}`, type: 'A', expect: { kind: 'cname-negative', target: 'nodata', answer: rr(`wcname.${Z}`, 'CNAME', 'foo.wild.example.com.') }, why: 'CNAME to foo.wild, now an ENT: NODATA, not the wildcard' },
    ]);

    const signed = join(s.dir, 'signed-edited.zone');
    const text = exportSigned(s.db, signed);
    assert.match(text, /^newname\.example\.com\.\s/m);
    assert.doesNotMatch(text, /^mail\.example\.com\.\s/m);
    const v = ldnsVerify(signed);
    assert.equal(v.code, 0, `ldns-verify-zone on the edited zone failed:\n${v.out}`);
    assert.match(v.out, /Zone is verified and complete/);
  } finally {
    await s.server.stop();
    s.cleanup();
  }
});

// ---------------------------------------------------------------------------------------------
// Child zone on the same server, validated through the parent's DS

test('5. child.example.com, signed with its own keys, validates through the real DS in the parent', { timeout: 45_000, concurrency: true }, async (t) => {
  if (!requireTool('delv', t) || !requireTool('kdig', t)) return; // kdig: failure diagnostics
  let dsLines: string[] = [];
  const s = await serveZones([], (dir, db) => {
    cli(['zone', 'import', CHILD_FIXTURE, '--db', db]);
    dsLines = cli(['zone', 'ds', 'child.example.com', '--db', db]).trim().split('\n');
    assert.ok(dsLines.length >= 1 && dsLines.every((l) => /^child\.example\.com\. IN DS \d+ 13 2 [0-9a-f]{64}$/i.test(l)), `zone ds output: ${dsLines.join('\n')}`);
    const src = readFileSync(PARENT_FIXTURE, 'utf8');
    const fake = /^child\s+DS\s+4242 .*$/m;
    assert.match(src, fake, 'fixture has the fake child DS');
    const parent = src.replace(fake, dsLines.map((l) => l.replace(/^child\.example\.com\. IN DS /, 'child       DS    ')).join('\n'));
    const file = join(dir, 'parent-real-ds.zone');
    writeFileSync(file, parent);
    cli(['zone', 'import', file, '--db', db]);
  });
  try {
    const Z = 'child.example.com.';
    const dsRdata = dsLines[0].replace(/^child\.example\.com\. IN DS /, '');
    await runDelvCases(t, s.server.port, s.taFile, [
      { name: 'child.example.com', type: 'DS', expect: { kind: 'positive', answer: rr(Z, 'DS', dsRdata.split(' ').slice(0, 3).join(' ')) }, why: 'real DS, answered from the parent' },
      { name: 'child.example.com', type: 'DNSKEY', expect: { kind: 'positive', answer: rr(Z, 'DNSKEY', '257 3 13') }, why: 'child DNSKEY via DS' },
      { name: 'www.child.example.com', type: 'A', expect: { kind: 'positive', answer: rr(`www.${Z}`, 'A', '192.0.2.151') }, why: 'child A through the DS chain' },
      { name: '_443._tcp.www.child.example.com', type: 'TLSA', expect: { kind: 'positive', answer: rr(`_443._tcp.www.${Z}`, 'TLSA', TLSA_443) }, why: 'child TLSA through the DS chain' },
      { name: `${randLabel('nx')}.child.example.com`, type: 'A', expect: { kind: 'nxdomain' }, why: 'child NXDOMAIN, child NSEC3 chain' },
      { name: 'tochild.example.com', type: 'A', expect: { kind: 'positive', answer: rr(`www.${Z}`, 'A', '192.0.2.151') }, why: 'parent CNAME into the child zone' },
    ]);
  } finally {
    await s.server.stop();
    s.cleanup();
  }
});
