// Automatic key rollovers (RFC 7583) with 2-second TTLs: delv (through our server) and unbound (the child through a Knot secondary) validate every second through a full ZSK and a full KSK rollover; the DNSKEY, CDS and DS sets move as RFC 7583 says; a parent hosted elsewhere is waited for.
import { writeUnboundConf } from './helpers/unbound-conf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from './helpers/tools.js';
import { cli, startServer, startKnot, freePort, waitFor, track, type Child } from './helpers/procs.js';
import { runCli } from './helpers/server.js';
import { udpQuery, delvTrustAnchors, fetchKsks, type DecodedReply } from './helpers/dnssec-server.js';

const run = promisify(execFile);
const PARENT = 'parent.example';
const CHILD = 'child.parent.example';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Both zones with 2-second TTLs (negative TTL too), so every wait of a rollover is seconds. */
const childZone = `$ORIGIN ${CHILD}.
$TTL 2
@ SOA ns1 host 1 60 60 600 2
@ NS ns1
ns1 A 127.0.0.1
www A 192.0.2.10
`;
const parentZone = (ds: string) => `$ORIGIN ${PARENT}.
$TTL 2
@ SOA ns1 host 1 60 60 600 2
@ NS ns1
ns1 A 127.0.0.1
www A 192.0.2.1
child NS ns1.child
ns1.child A 127.0.0.1
${ds}
`;

interface Seen { at: number; dnskey: string[]; cds: string[]; ds: string[]; wwwSigners: number[]; dnskeySigners: number[] }

/** What our server serves now: the child's DNSKEY and CDS sets, the parent's DS set for the child, and who signs. */
async function observe(port: number): Promise<Seen> {
  const [dk, cds, ds, www] = await Promise.all([
    udpQuery(port, CHILD, 'DNSKEY', 3000), udpQuery(port, CHILD, 'CDS', 3000), udpQuery(port, CHILD, 'DS', 3000), udpQuery(port, `www.${CHILD}`, 'A', 3000),
  ]);
  const data = (r: DecodedReply, type: string) => (r.answers ?? []).filter((a) => a.type === type).map((a) => (a as { data: unknown }).data as never);
  const signers = (r: DecodedReply, covered: string) => data(r, 'RRSIG').filter((s: { typeCovered: string }) => s.typeCovered === covered).map((s: { keyTag: number }) => s.keyTag).sort();
  return {
    at: Date.now(),
    dnskey: data(dk, 'DNSKEY').map((d: { key: Buffer }) => d.key.toString('base64')).sort(),
    // dns-packet leaves CDS undecoded: its RDATA is DS's, the key tag first (RFC 7344 §3.1).
    cds: data(cds, 'CDS').map((d: Buffer) => String(d.readUInt16BE(0))).sort(),
    ds: data(ds, 'DS').map((d: { keyTag: number }) => String(d.keyTag)).sort(),
    wwwSigners: signers(www, 'A'), dnskeySigners: signers(dk, 'DNSKEY'),
  };
}

interface KeyJson { keyTag: number; role: string; state: string; dnskey: string; nextTransition: { to: string; at: string | null } | null }

async function keys(api: string, token: string): Promise<KeyJson[]> {
  const r = await fetch(`${api}/api/v1/zones/${CHILD}/keys`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(r.status, 200);
  return ((await r.json()) as { keys: KeyJson[] }).keys;
}

async function putPolicy(api: string, token: string, zone: string, body: object): Promise<void> {
  const r = await fetch(`${api}/api/v1/zones/${zone}/policy`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(r.status, 200, await r.text());
}

/** The names every validator checks every second, with the answer it must validate. */
const NAMES: [string, string, RegExp, string][] = [
  [`www.${CHILD}`, 'A', /192\.0\.2\.10/, 'NOERROR'],
  [CHILD, 'DNSKEY', /DNSKEY/, 'NOERROR'],
  [CHILD, 'SOA', /SOA/, 'NOERROR'],
  [`nx.${CHILD}`, 'A', /./, 'NXDOMAIN'],
  [`www.${PARENT}`, 'A', /192\.0\.2\.1\b/, 'NOERROR'],
];

async function delvOnce(port: number, ta: string, name: string, type: string, want: RegExp): Promise<string | undefined> {
  let out: string;
  try {
    const r = await run('delv', ['@127.0.0.1', '-p', String(port), '-a', ta, `+root=${PARENT}`, name, type], { timeout: 10_000 });
    out = r.stdout + r.stderr;
  } catch (err) {
    out = String((err as { stdout?: string }).stdout ?? '') + String((err as { stderr?: string }).stderr ?? err);
  }
  return /; (negative response, )?fully validated/.test(out) && want.test(out) ? undefined : `delv ${name} ${type}:\n${out}`;
}

async function unboundOnce(port: number, name: string, type: string, rcode: string): Promise<string | undefined> {
  let out: string;
  try {
    out = (await run('kdig', ['@127.0.0.1', '-p', String(port), '+time=3', '+retry=1', name, type], { timeout: 10_000 })).stdout;
  } catch (err) {
    out = String(err);
  }
  const flags = /;; Flags: ([^;]*);/.exec(out)?.[1] ?? '';
  return out.includes(`status: ${rcode}`) && flags.split(/\s+/).includes('ad') ? undefined : `unbound ${name} ${type}:\n${out}`;
}

async function startUnbound(dir: string, ourPort: number, knotPort: number, parentKsks: string[]): Promise<Child & { port: number }> {
  const port = await freePort();
  const conf = writeUnboundConf({
    dir, address: '127.0.0.1', port, anchors: parentKsks.map((k) => `${PARENT}. DNSKEY ${k}`),
    stubs: [{ zone: PARENT, port: ourPort }, { zone: CHILD, port: knotPort }], extra: ['prefetch: no'],
  });
  const child = track(spawn('unbound', ['-d', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] }));
  await waitFor('unbound to validate the child', 20_000, async () => {
    if (child.proc.exitCode !== null) throw new Error(`unbound exited: ${child.log()}`);
    return (await unboundOnce(port, `www.${CHILD}`, 'A', 'NOERROR')) === undefined;
  });
  return Object.assign(child, { port });
}

test('ZSK and KSK rollovers with a hosted parent and a Knot secondary: delv and unbound validate every second and never fail', { timeout: 150_000 }, async (t) => {
  for (const tool of ['knotd', 'kdig', 'delv', 'unbound']) if (!requireTool(tool, t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'daneprime-keyroll-'));
  const db = join(dir, 'dp.db');
  const children: Child[] = [];
  let validating = false;
  const failures: string[] = [];
  try {
    writeFileSync(join(dir, 'child.zone'), childZone);
    cli(['zone', 'import', join(dir, 'child.zone'), '--db', db]);
    const ds = cli(['zone', 'ds', CHILD, '--db', db]).trim();
    writeFileSync(join(dir, 'parent.zone'), parentZone(ds));
    cli(['zone', 'import', join(dir, 'parent.zone'), '--db', db]);
    const secret = cli(['tsig', 'add', 'xfr', '--db', db]).trim().split('\n').pop()!;
    const knotPort = await freePort();
    cli(['zone', 'secondary', 'add', CHILD, `127.0.0.1:${knotPort}`, '--tsig', 'xfr', '--db', db]);
    const token = cli(['token', 'create', '--admin', '--db', db]).trim();
    const ours = await startServer(db, { DANEPRIME_API: '127.0.0.1:0' }, 0, 2);
    children.push(ours);
    const api = `http://127.0.0.1:${/api: listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(ours.log())![1]}`;
    const knot = await startKnot(dir, { port: knotPort, primaryPort: ours.port, secret, zone: CHILD });
    children.push(knot);
    await waitFor('Knot to load the child', 20_000, async () => (await udpQuery(knotPort, CHILD, 'SOA').catch(() => undefined))?.rcode === 'NOERROR');
    const parentKsks = await fetchKsks(ours.port, PARENT);
    const ta = join(dir, 'ta.conf');
    writeFileSync(ta, delvTrustAnchors(PARENT, parentKsks));
    const unbound = await startUnbound(dir, ours.port, knotPort, parentKsks);
    children.push(unbound);

    // Every second, every name through both validators, all through both rollovers.
    validating = true;
    let rounds = 0;
    const loop = (async () => {
      while (validating) {
        const started = Date.now();
        const results = await Promise.all(NAMES.flatMap(([name, type, want, rcode]) => [delvOnce(ours.port, ta, name, type, want), unboundOnce(unbound.port, name, type, rcode)]));
        for (const r of results) if (r) failures.push(`${new Date().toISOString()} ${r}`);
        rounds++;
        await sleep(Math.max(0, 1000 - (Date.now() - started)));
      }
    })();
    const seen: Seen[] = [];
    const watch = (async () => { while (validating) { const o = await observe(ours.port).catch(() => undefined); if (o) seen.push(o); await sleep(200); } })();

    const before = await keys(api, token);
    const oldZsk = before.find((k) => k.role === 'zsk')!;
    const oldKsk = before.find((k) => k.role === 'ksk')!;
    const keyB64 = (k: KeyJson) => k.dnskey.split(' ').slice(3).join('');

    await t.test('ZSK pre-publication: published, active (old retired), old removed', async () => {
      const policyAt = Date.now();
      await putPolicy(api, token, CHILD, { zskLifetime: '1s', propagationDelay: '1s' });
      let fresh: KeyJson | undefined;
      await waitFor('a new ZSK to be published', 5000, async () => { fresh = (await keys(api, token)).find((k) => k.role === 'zsk' && k.state === 'published'); return !!fresh; });
      assert.ok(Date.now() - policyAt < 3000, 'the running server applied the policy within a second (one tick)');
      await putPolicy(api, token, CHILD, { zskLifetime: 0 });
      assert.equal(fresh!.nextTransition?.to, 'active');
      await waitFor('the old ZSK to be removed', 30_000, async () => { const ks = await keys(api, token); return !ks.some((k) => k.keyTag === oldZsk.keyTag); });
      const now = await keys(api, token);
      assert.deepEqual(now.filter((k) => k.role === 'zsk').map((k) => [k.keyTag, k.state]), [[fresh!.keyTag, 'active']]);
      await sleep(2500);
      // RFC 7583 §3.2: the new key is in the DNSKEY RRset Ipub = Dprp + TTL(DNSKEY) = 3 s before
      // it signs; the old one stays published Iret = Dprp + TTLsig = 3 s after its last signature.
      const firstPublished = seen.find((s) => s.dnskey.includes(keyB64(fresh!)))!;
      const firstSigned = seen.find((s) => s.wwwSigners.includes(fresh!.keyTag))!;
      const lastOldSig = [...seen].reverse().find((s) => s.wwwSigners.includes(oldZsk.keyTag))!;
      const oldGone = seen.find((s) => s.at > lastOldSig.at && !s.dnskey.includes(keyB64(oldZsk)))!;
      assert.ok(firstPublished && firstSigned && lastOldSig && oldGone, 'every step observed');
      assert.ok(firstSigned.at - firstPublished.at >= 2500, `published ${firstSigned.at - firstPublished.at} ms before signing (Ipub 3 s)`);
      assert.ok(oldGone.at - lastOldSig.at >= 2500, `old ZSK published ${oldGone.at - lastOldSig.at} ms after its last signature (Iret 3 s)`);
      assert.ok(seen.every((s) => s.wwwSigners.length === 1), 'exactly one ZSK signs at any time');
    });

    await t.test('KSK double DS: CDS lists both, the parent DS both, then the new one only; the old KSK is removed', async () => {
      const from = seen.length;
      await putPolicy(api, token, CHILD, { kskLifetime: '1s' });
      let fresh: KeyJson | undefined;
      await waitFor('a new KSK to be published', 5000, async () => { fresh = (await keys(api, token)).find((k) => k.role === 'ksk' && k.state === 'published'); return !!fresh; });
      await putPolicy(api, token, CHILD, { kskLifetime: 0 });
      await waitFor('the KSK to be ready', 10_000, async () => (await keys(api, token)).some((k) => k.keyTag === fresh!.keyTag && k.state === 'ready'));
      const ready = await keys(api, token);
      assert.equal(ready.find((k) => k.keyTag === fresh!.keyTag)!.nextTransition?.to, 'active');
      await waitFor('the old KSK to be removed', 40_000, async () => !(await keys(api, token)).some((k) => k.keyTag === oldKsk.keyTag));
      const after = await keys(api, token);
      assert.deepEqual(after.filter((k) => k.role === 'ksk').map((k) => [k.keyTag, k.state]), [[fresh!.keyTag, 'active']]);
      await sleep(2500);
      const steps = seen.slice(from);
      const o = String(oldKsk.keyTag), n = String(fresh!.keyTag);
      const both = steps.find((s) => s.ds.includes(o) && s.ds.includes(n));
      const newOnly = steps.find((s) => s.ds.length === 1 && s.ds[0] === n);
      assert.ok(both && newOnly, `the parent's DS went {old} → {old,new} → {new}: ${JSON.stringify(steps.map((s) => s.ds))}`);
      assert.ok(steps.some((s) => s.cds.includes(o) && s.cds.includes(n)), 'CDS listed both keys during the DS wait');
      assert.deepEqual(steps.at(-1)!.cds, [n], 'CDS lists the new key only at the end');
      // Until the DS set is {new}, the old KSK signs the DNSKEY RRset; afterwards only the new one.
      assert.ok(steps.filter((s) => s.at < newOnly.at - 300).every((s) => s.dnskeySigners.includes(oldKsk.keyTag)));
      assert.ok(steps.filter((s) => s.at > newOnly.at + 300).every((s) => !s.dnskeySigners.includes(oldKsk.keyTag) && s.dnskeySigners.includes(fresh!.keyTag)));
      assert.ok(newOnly.at - both.at >= 3500, `{old,new} served ${newOnly.at - both.at} ms before {new}: at least Dprp + 2 × TTL(DS)`);
      assert.ok(!steps.at(-1)!.dnskey.includes(keyB64(oldKsk)), 'the old KSK is gone from the DNSKEY RRset');
    });

    validating = false;
    await Promise.all([loop, watch]);
    assert.ok(rounds >= 15, `validated ${rounds} rounds of ${NAMES.length} names × 2 validators`);
    assert.deepEqual(failures, [], `validation failures during the rollovers:\n${failures.join('\n')}\n--- unbound log:\n${unbound.log().slice(-4000)}`);
    t.diagnostic(`${rounds} rounds of ${NAMES.length} names × 2 validators, 0 failures`);
  } finally {
    validating = false;
    for (const c of children.reverse()) await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a parent hosted elsewhere: the new KSK waits in ready (across a restart) until --ds-resolver serves its DS, then 2 × DS TTL', { timeout: 120_000 }, async (t) => {
  if (!requireTool('kdig', t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'daneprime-keyroll-remote-'));
  const db = join(dir, 'child.db');
  const pdb = join(dir, 'parent.db');
  const children: Child[] = [];
  try {
    writeFileSync(join(dir, 'child.zone'), childZone);
    cli(['zone', 'import', join(dir, 'child.zone'), '--db', db]);
    const ds = cli(['zone', 'ds', CHILD, '--db', db]).trim();
    writeFileSync(join(dir, 'parent.zone'), parentZone(ds));
    cli(['zone', 'import', join(dir, 'parent.zone'), '--db', pdb]);
    const parent = await startServer(pdb, {}, 0, 1);
    children.push(parent);
    const token = cli(['token', 'create', '--admin', '--db', db]).trim();
    const ours = await startServer(db, { DANEPRIME_API: '127.0.0.1:0' }, 0, 2);
    children.push(ours);
    const api = `http://127.0.0.1:${/api: listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(ours.log())![1]}`;
    // Bad input names its option, writes nothing.
    const bad = runCli(['zone', 'policy', CHILD, '--zsk-lifetime', '5x', '--db', db]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--zsk-lifetime: "5x" is not a duration/);
    const badRefresh = runCli(['zone', 'policy', CHILD, '--refresh', '20d', '--db', db]);
    assert.match(badRefresh.stderr, /--refresh: signatures are renewed 20d before they expire, which must be less than their validity \(14d\)/);
    assert.match(cli(['zone', 'policy', CHILD, '--db', db]), /zsk-lifetime\t0 \(never rolls\)/);
    // Concurrent writers on two workers: every PUT answers 200, the last write wins whole, and lifetimes alone re-sign nothing.
    const serialBefore = (await udpQuery(ours.port, CHILD, 'SOA')).answers!.find((a) => a.type === 'SOA')!;
    const puts = await Promise.all(Array.from({ length: 12 }, (_, i) => fetch(`${api}/api/v1/zones/${CHILD}/policy`, {
      method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ zskLifetime: `${100 + i}d`, propagationDelay: `${i + 1}h` }),
    })));
    const bodies = await Promise.all(puts.map(async (r) => { assert.equal(r.status, 200); return (await r.json()) as { zskLifetime: number; propagationDelay: number }; }));
    const final = (await (await fetch(`${api}/api/v1/zones/${CHILD}/policy`, { headers: { authorization: `Bearer ${token}` } })).json()) as { zskLifetime: number; propagationDelay: number };
    assert.ok(bodies.some((b) => b.zskLifetime === final.zskLifetime), 'the stored policy is one that was written');
    assert.equal(final.propagationDelay / 3600, final.zskLifetime / 86400 - 99, 'fields of one request, never a mix');
    assert.deepEqual((await udpQuery(ours.port, CHILD, 'SOA')).answers!.find((a) => a.type === 'SOA'), serialBefore);
    cli(['zone', 'policy', CHILD, '--zsk-lifetime', '0s', '--db', db]);
    const policy = cli(['zone', 'policy', CHILD, '--ksk-lifetime', '1s', '--propagation-delay', '1s', '--ds-resolver', `127.0.0.1:${parent.port}`, '--db', db]);
    assert.match(policy, /ksk-lifetime\t1s/);
    assert.match(policy, new RegExp(`ds-resolver\\t127\\.0\\.0\\.1:${parent.port}`));
    const keysOf = () => cli(['zone', 'keys', CHILD, '--db', db]).trim().split('\n').slice(1).map((l) => l.split('\t'));
    await waitFor('the new KSK to be ready', 15_000, () => keysOf().some((k) => k[1] === 'ksk' && k[3] === 'ready'));
    cli(['zone', 'policy', CHILD, '--ksk-lifetime', '0s', '--db', db]);
    const fresh = keysOf().find((k) => k[1] === 'ksk' && k[3] === 'ready')!;
    assert.match(fresh[5], /active once the parent serves its DS/);
    const cds = await udpQuery(ours.port, CHILD, 'CDS');
    assert.equal((cds.answers ?? []).filter((a) => a.type === 'CDS').length, 2, 'CDS lists the old and the new KSK');
    // The parent does not serve the new DS: the key stays ready, the old one active.
    await sleep(6000);
    assert.deepEqual(keysOf().filter((k) => k[1] === 'ksk').map((k) => k[3]).sort(), ['active', 'ready']);
    // A restart in the middle: the new leader resumes the rollover from the database.
    await ours.stop();
    children.splice(children.indexOf(ours), 1);
    const again = await startServer(db, {}, 0, 2);
    children.push(again);
    // The parent's operator publishes what CDS says.
    const cdsText = cli(['zone', 'ds', CHILD, '--db', db]).trim();
    assert.equal(cdsText.split('\n').length, 2);
    writeFileSync(join(dir, 'parent.zone'), parentZone(cdsText));
    const published = Date.now();
    cli(['zone', 'import', join(dir, 'parent.zone'), '--replace', '--db', pdb]);
    await waitFor('the new KSK to be active', 20_000, () => keysOf().some((k) => k[0] === fresh[0] && k[3] === 'active'));
    const waited = Date.now() - published;
    assert.ok(waited >= 4000, `active ${waited} ms after the parent published the DS: at least 2 × TTL(DS) = 4 s`);
    await waitFor('the old KSK to be removed', 15_000, () => keysOf().filter((k) => k[1] === 'ksk').length === 1);
    assert.match(again.log(), /the parent serves the DS of key \d+ \(TTL 2 s\)/);
    t.diagnostic(`new KSK active ${waited} ms after the parent published its DS`);
  } finally {
    for (const c of children.reverse()) await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CSK rollover (double DS) with a hosted parent, 2 workers: delv validates every second; zone data switches keys only once the parent serves the new DS', { timeout: 120_000 }, async (t) => {
  for (const tool of ['kdig', 'delv']) if (!requireTool(tool, t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'daneprime-keyroll-csk-'));
  const db = join(dir, 'dp.db');
  const children: Child[] = [];
  let validating = false;
  const failures: string[] = [];
  try {
    writeFileSync(join(dir, 'child.zone'), childZone);
    cli(['zone', 'import', join(dir, 'child.zone'), '--csk', '--db', db]);
    writeFileSync(join(dir, 'parent.zone'), parentZone(cli(['zone', 'ds', CHILD, '--db', db]).trim()));
    cli(['zone', 'import', join(dir, 'parent.zone'), '--db', db]);
    const ours = await startServer(db, {}, 0, 2);
    children.push(ours);
    const ta = join(dir, 'ta.conf');
    writeFileSync(ta, delvTrustAnchors(PARENT, await fetchKsks(ours.port, PARENT)));
    const keysOf = () => cli(['zone', 'keys', CHILD, '--db', db]).trim().split('\n').slice(1).map((l) => l.split('\t'));
    const [oldTag] = keysOf()[0];
    validating = true;
    let rounds = 0;
    const loop = (async () => {
      while (validating) {
        const started = Date.now();
        for (const r of await Promise.all(NAMES.map(([name, type, want]) => delvOnce(ours.port, ta, name, type, want)))) if (r) failures.push(`${new Date().toISOString()} ${r}`);
        rounds++;
        await sleep(Math.max(0, 1000 - (Date.now() - started)));
      }
    })();
    const seen: Seen[] = [];
    const watch = (async () => { while (validating) { const o = await observe(ours.port).catch(() => undefined); if (o) seen.push(o); await sleep(200); } })();
    cli(['zone', 'policy', CHILD, '--csk-lifetime', '1s', '--propagation-delay', '1s', '--db', db]);
    await waitFor('a new CSK', 5000, () => keysOf().length === 2);
    cli(['zone', 'policy', CHILD, '--csk-lifetime', '0s', '--db', db]);
    const newTag = keysOf().find((k) => k[0] !== oldTag)![0];
    await waitFor('the old CSK to be removed', 40_000, () => keysOf().length === 1);
    assert.deepEqual(keysOf().map((k) => [k[0], k[1], k[3]]), [[newTag, 'csk', 'active']]);
    await sleep(2500);
    validating = false;
    await Promise.all([loop, watch]);
    const newOnly = seen.find((s) => s.ds.length === 1 && s.ds[0] === newTag)!;
    assert.ok(seen.some((s) => s.ds.length === 2) && newOnly, `DS {old} → {old,new} → {new}: ${JSON.stringify(seen.map((s) => s.ds))}`);
    const firstNewData = seen.find((s) => s.wwwSigners.includes(Number(newTag)))!;
    assert.ok(firstNewData.at >= newOnly.at - 300, 'zone data is signed by the new CSK only once the parent\'s DS is {new}');
    assert.ok(seen.every((s) => s.wwwSigners.length === 1), 'one CSK signs zone data at any time');
    assert.deepEqual(seen.at(-1)!.cds, [newTag]);
    assert.ok(rounds >= 10, `${rounds} rounds`);
    assert.deepEqual(failures, [], failures.join('\n'));
    t.diagnostic(`${rounds} rounds of ${NAMES.length} names through delv, 0 failures`);
  } finally {
    validating = false;
    for (const c of children.reverse()) await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
