// TLSA rollovers against real servers, short TTLs and the real clock: openssl s_server endpoints, `serve --workers 2`, and Knot as a secondary the clock waits for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { requireTool } from './helpers/tools.js';
import { tmpDir } from './helpers/server.js';
import { cli, startServer, startKnot, freePort, waitFor, kdig, type Child } from './helpers/procs.js';
import { makeCerts, newLeaf } from './helpers/certs.js';
import { startSServer } from './helpers/dane-tools.js';
import type { RolloverStatus } from '../server/rollover/rollover.js';
import { nextRecords, RolloverError } from '../server/rollover/records.js';
import { tlsaRecord } from '../server/checks/tlsa-match.js';

const ZONE = 'example.test';
const HOST = `srv.${ZONE}`;
/** The TLSA RRset's TTL: the holding time is twice this. */
const TTL = 3;
const spkiSha256 = (pem: string) => createHash('sha256').update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
const record = (certPath: string) => `3 1 1 ${spkiSha256(readFileSync(certPath, 'utf8'))}`;

interface Seen { state: string; at: number; status: RolloverStatus }

/** Poll the status every 100 ms until `until` holds; every state seen, with when it was first seen. */
async function watch(get: () => Promise<RolloverStatus>, until: (s: RolloverStatus) => boolean, ms: number, seen: Seen[] = []): Promise<Seen[]> {
  const end = Date.now() + ms;
  for (;;) {
    const status = await get();
    if (seen[seen.length - 1]?.state !== status.state) seen.push({ state: status.state, at: Date.now(), status });
    if (until(status)) return seen;
    if (Date.now() > end) throw new Error(`timed out; states seen: ${seen.map((s) => s.state).join(' → ')}; last ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a rollover with 2 workers and two endpoints: bad input refused; publishing → holding → ready at T_vis + 2×TTL; a restart resumes; verifying → steady once both endpoints show the new key; a premature switch is critical', { timeout: 150_000 }, async (t) => {
  for (const tool of ['openssl', 'kdig']) if (!requireTool(tool, t)) return;
  const { dir, cleanup } = tmpDir('daneprime-rollover-');
  const children: Child[] = [];
  t.after(async () => { for (const c of children.reverse()) await c.stop(); cleanup(); });
  const certs = makeCerts(HOST);
  const b = newLeaf(certs.dir, HOST, 'b');
  const c = newLeaf(certs.dir, HOST, 'c');
  const d = newLeaf(certs.dir, HOST, 'd');
  const p1 = await freePort(), p2 = await freePort(), p3 = await freePort(), p4 = await freePort();
  const hookFile = join(dir, 'events.jsonl');
  const name = `_${p1}._tcp.${HOST}.`;
  const db = join(dir, 'dp.db');
  writeFileSync(join(dir, 'zone'), `$ORIGIN ${ZONE}.
$TTL 60
@ SOA ns1 hostmaster 1 7200 3600 1209600 ${TTL}
@ NS ns1
ns1 A 127.0.0.1
srv A 127.0.0.1
_${p1}._tcp.srv ${TTL} TLSA ${record(certs.leafCert)}
_${p3}._tcp.none ${TTL} TLSA ${record(certs.leafCert)}
_${p4}._tcp.srv ${TTL} TLSA ${record(certs.leafCert)}
`);
  cli(['zone', 'import', join(dir, 'zone'), '--db', db]);
  cli(['service', 'add', name, '--connect', `127.0.0.1:${p1}`, '--connect', `127.0.0.1:${p2}`, '--starttls', 'none', '--db', db]);
  cli(['service', 'add', `_${p4}._tcp.${HOST}`, '--connect', `127.0.0.1:${p2}`, '--starttls', 'none', '--db', db]);
  // A host without addresses in our zone: a service with no endpoint.
  cli(['service', 'add', `_${p3}._tcp.none.${ZONE}`, '--starttls', 'none', '--db', db]);
  const admin = { authorization: `Bearer ${cli(['token', 'create', '--admin', '--db', db]).trim()}` };
  const tls: Record<number, Child> = {};
  const deploy = async (port: number, leaf: { cert: string; key: string }) => {
    await tls[port]?.stop();
    tls[port] = await startSServer({ port, cert: leaf.cert, key: leaf.key });
    children.push(tls[port]);
  };
  await deploy(p1, { cert: certs.leafCert, key: certs.leafKey });
  await deploy(p2, { cert: certs.leafCert, key: certs.leafKey });
  const env = { DANEPRIME_API: '127.0.0.1:0', DANEPRIME_ROLLOVER_CHECK_INTERVAL: '1' };
  const serveArgs = ['--check-interval', '1h', '--event-hook', `cat >> ${hookFile}`];
  let srv = await startServer(db, env, 0, 2, serveArgs);
  children.push(srv);
  let base = /api: listening on (http:\/\/\S+)/.exec(srv.log())![1] + '/api/v1';
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(base + path, { method, headers: { ...admin, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const svcPath = `/zones/${ZONE}/services/${name}`;
  const status = async () => { const r = await call('GET', `${svcPath}/rollover`); assert.equal(r.status, 200, JSON.stringify(r.body)); return r.body as RolloverStatus; };
  const served = () => kdig(['@127.0.0.1', '-p', String(srv.port), name, 'TLSA', '+short']).trim().split('\n').filter(Boolean).map((l) => l.replace(/\s+/g, ' ').toLowerCase()).sort();
  const serial = () => Number(kdig(['@127.0.0.1', '-p', String(srv.port), ZONE, 'SOA', '+short']).trim().split(/\s+/)[2]);
  // kdig splits long hex; join the data back.
  const norm = (rs: string[]) => rs.map((r) => { const [u, s, m, ...hex] = r.split(' '); return `${u} ${s} ${m} ${hex.join('')}`; }).sort();
  // A CLI commit reaches each worker on its own poll: ask several times (queries spread over the workers).
  const servedByAll = (n: number) => [0, 1, 2, 3, 4, 5].every(() => norm(served()).length === n);

  await t.test('steady without a rollover; bad input is a 400 (or 409) naming the field and changes nothing', async () => {
    const st = await status();
    assert.equal(st.state, 'steady');
    assert.deepEqual(st.current, [record(certs.leafCert)]);
    const before = serial();
    const certA = readFileSync(certs.leafCert, 'utf8');
    for (const [path, body, code, field, detail] of [
      [svcPath, { certificate: certA }, 400, 'certificate', /is the current one/],
      [svcPath, { certificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' }, 400, 'certificate', /does not parse/],
      [svcPath, { data: 'ab'.repeat(64), matching: 2 }, 400, 'matching', /not a combination in use/],
      [svcPath, { data: 'ab'.repeat(64) }, 400, 'data', /does not fit 3 1 1/],
      [svcPath, { spki: 'not a key' }, 400, 'spki', /not a PEM public key/],
      [svcPath, { certificate: certA, data: 'ab' }, 400, 'data', /exactly one/],
      [`/zones/${ZONE}/services/_${p3}._tcp.none.${ZONE}.`, { certificate: readFileSync(b.cert, 'utf8') }, 400, 'name', /no endpoints/],
    ] as [string, object, number, string, RegExp][]) {
      const r = await call('POST', `${path}/next`, body);
      assert.equal(r.status, code, `${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.field, field, JSON.stringify(r.body));
      assert.match(r.body.detail, detail);
    }
    const early = await call('DELETE', `${svcPath}/rollover`);
    assert.equal(early.status, 409);
    assert.match(early.body.detail, /no rollover/);
    assert.equal(serial(), before, 'nothing was committed');
    assert.equal((await status()).state, 'steady');
    // The CLI says the same in one line, exit 1.
    const out = (() => { try { cli(['service', 'next', name, '--cert', certs.leafCert, '--db', db]); return ''; } catch (err) { return (err as Error).message; } })();
    assert.match(out, /certificate: the next key is the current one/);
  });

  let seen: Seen[] = [];
  let ready: RolloverStatus;
  await t.test('service next --cert B: publishing or holding, then ready at T_vis + 2×TTL; a daneprime restart while holding resumes', async () => {
    const t0 = Date.now();
    const out = cli(['service', 'next', name, '--cert', b.cert, '--db', db]);
    const t1 = Date.now();
    assert.match(out, /published in serial \d+/);
    // The server serves current and next.
    await waitFor('every worker to serve both records', 5000, () => servedByAll(2));
    assert.deepEqual(norm(served()), [record(certs.leafCert), record(b.cert)].sort());
    const again = await call('POST', `${svcPath}/next`, { spki: execFileSync('openssl', ['x509', '-in', c.cert, '-noout', '-pubkey'], { encoding: 'utf8' }) });
    assert.equal(again.status, 409, 'a second rollover while one is under way');
    assert.equal(again.body.field, 'name');
    seen = await watch(status, (s) => s.state === 'holding', 10_000);
    const holding = seen[seen.length - 1].status;
    // No secondaries: T_vis is the commit time.
    const tVis = Date.parse(holding.tVis!);
    assert.ok(tVis >= t0 - 1000 && tVis <= t1 + 1000, `T_vis ${holding.tVis} within the CLI's commit (${new Date(t0).toISOString()}…${new Date(t1).toISOString()})`);
    assert.equal(holding.maxTtl, TTL);
    assert.equal(Date.parse(holding.readyAt!) - tVis, 2 * TTL * 1000, 'readyAt = T_vis + 2 × TTL');
    // Restart while holding: the leader that comes up resumes from SQLite.
    await srv.stop();
    srv = await startServer(db, env, srv.port, 2, serveArgs);
    children.push(srv);
    base = /api: listening on (http:\/\/\S+)/.exec(srv.log())![1] + '/api/v1';
    seen = await watch(status, (s) => s.state === 'ready', 15_000, seen);
    const readyAt = Date.parse(holding.readyAt!);
    const readySeen = seen.find((s) => s.state === 'ready')!;
    ready = readySeen.status;
    assert.equal(ready.readyAt, holding.readyAt, 'the restart kept readyAt');
    assert.ok(readySeen.at >= readyAt, `ready seen at ${new Date(readySeen.at).toISOString()}, not before readyAt ${holding.readyAt}`);
    assert.ok(readySeen.at - readyAt < 2500, `ready seen ${readySeen.at - readyAt} ms after readyAt`);
    assert.ok(seen.findIndex((s) => s.state === 'publishing' || s.state === 'holding') < seen.findIndex((s) => s.state === 'ready'));
    assert.match(srv.log(), /rollover: resuming 1 rollover/);
    t.diagnostic(`T_vis ${holding.tVis}; readyAt ${holding.readyAt} (T_vis + ${Date.parse(holding.readyAt!) - tVis} ms); ready first seen at ${new Date(readySeen.at).toISOString()} (+${readySeen.at - readyAt} ms)`);
    const events = await call('GET', `/events?zone=${ZONE}`);
    assert.ok(events.body.events.some((e: { kind: string }) => e.kind === 'rollover-ready'), JSON.stringify(events.body));
  });

  await t.test('B deployed on one endpoint: verifying, retire refused; on both: retiring → steady with only B', async () => {
    await deploy(p1, b);
    seen = await watch(status, (s) => s.state === 'verifying', 15_000, seen);
    const refused = await call('DELETE', `${svcPath}/rollover`);
    assert.equal(refused.status, 409);
    assert.match(refused.body.detail, new RegExp(`127\\.0\\.0\\.1:${p2}`));
    assert.equal(norm(served()).length, 2, 'both records stay');
    await deploy(p2, b);
    seen = await watch(status, (s) => s.state === 'steady', 15_000, seen);
    const steady = seen[seen.length - 1].status;
    assert.deepEqual(steady.current, [record(b.cert)]);
    assert.deepEqual(steady.next, []);
    await waitFor('every worker to serve only B', 5000, () => servedByAll(1));
    assert.deepEqual(norm(served()), [record(b.cert)]);
    assert.match(srv.log(), /ready → verifying/);
    assert.match(srv.log(), /verifying → retiring/);
    assert.match(srv.log(), /retiring → steady/);
    const events = (await call('GET', `/events?zone=${ZONE}`)).body.events as { kind: string; level: string }[];
    assert.ok(events.some((e) => e.kind === 'rollover-retired' && e.level === 'notice'), JSON.stringify(events));
    assert.ok(!events.some((e) => e.kind === 'premature-switch'));
    t.diagnostic(`states seen: ${seen.map((s) => s.state).join(' → ')}`);
  });

  await t.test('a secondary that does not answer holds the rollover (a warning); a next key deployed before ready is a premature switch: a critical event, and the status says so', async () => {
    // Nothing listens there: neither UDP nor TCP answers.
    const dead = await freePort();
    cli(['zone', 'secondary', 'add', ZONE, `127.0.0.1:${dead}`, '--db', db]);
    const r = await call('POST', `${svcPath}/next`, { spki: execFileSync('openssl', ['x509', '-in', c.cert, '-noout', '-pubkey'], { encoding: 'utf8' }) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.ok(['publishing', 'holding'].includes(r.body.state));
    assert.deepEqual(r.body.next, [record(c.cert)]);
    await deploy(p1, c);
    const s = await watch(status, (x) => x.prematureSwitch, 10_000);
    assert.ok(['publishing', 'holding'].includes(s[s.length - 1].state), 'still before ready');
    await new Promise((res) => setTimeout(res, 3000));
    const held = await status();
    assert.equal(held.state, 'publishing', 'the silent secondary holds the rollover');
    assert.equal(held.tVis, null);
    assert.deepEqual(held.secondaries, [{ address: `127.0.0.1:${dead}`, serial: null, servesNext: false }]);
    const events = (await call('GET', `/events?zone=${ZONE}`)).body.events as { kind: string; level: string; endpoint: string }[];
    const warning = events.find((e) => e.kind === 'rollover-held');
    assert.ok(warning, JSON.stringify(events));
    assert.equal(warning.level, 'warning');
    assert.equal(warning.endpoint, `127.0.0.1:${dead}`);
    const premature = events.find((e) => e.kind === 'premature-switch');
    assert.ok(premature, JSON.stringify(events));
    assert.equal(premature.level, 'critical');
    assert.equal(premature.endpoint, `127.0.0.1:${p1}`);
    assert.match(cli(['service', 'status', name, '--db', db]), /PREMATURE SWITCH/);
    // The event hook heard each kind of rollover event.
    await waitFor('the hook to write the events', 5000, () => {
      const kinds = readFileSync(hookFile, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { kind: string }).kind);
      return ['rollover-ready', 'rollover-retired', 'premature-switch', 'rollover-held'].every((k) => kinds.includes(k));
    });
    cli(['zone', 'secondary', 'remove', ZONE, `127.0.0.1:${dead}`, '--db', db]);
  });

  await t.test('an owner without a TLSA RRset: the zone\'s negative TTL joins the clock', async () => {
    const other = `/zones/${ZONE}/services/_${p4}._tcp.${HOST}.`;
    const del = await call('DELETE', `/zones/${ZONE}/rrsets/_${p4}._tcp.${HOST}./TLSA`);
    assert.ok(del.status === 204 || del.status === 200, JSON.stringify(del.body));
    const r = await call('POST', `${other}/next`, { certificate: readFileSync(d.cert, 'utf8') });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual(r.body.current, []);
    assert.deepEqual(r.body.next, [record(d.cert)]);
    const get = async () => (await call('GET', `${other}/rollover`)).body as RolloverStatus;
    const s = await watch(get, (x) => x.tVis !== null, 10_000);
    const st = s[s.length - 1].status;
    // The SOA's MINIMUM (3) is below its TTL (60): the negative TTL is 3 (RFC 2308 §5).
    assert.equal(st.negativeTtl, TTL);
    // The new RRset takes the zone's default TTL (60), the larger of the two here.
    const ttl = Number(kdig(['@127.0.0.1', '-p', String(srv.port), `_${p4}._tcp.${HOST}`, 'TLSA', '+noall', '+answer']).trim().split(/\s+/)[1]);
    assert.equal(st.maxTtl, ttl);
    assert.equal(Date.parse(st.readyAt!) - Date.parse(st.tVis!), 2 * Math.max(ttl, TTL) * 1000);
  });
});

test('with Knot as a secondary, T_vis waits for Knot: publishing while it cannot transfer, holding once it serves the serial over UDP and TCP', { timeout: 120_000 }, async (t) => {
  for (const tool of ['openssl', 'knotd', 'kdig']) if (!requireTool(tool, t)) return;
  const { dir, cleanup } = tmpDir('daneprime-rollover-knot-');
  const children: Child[] = [];
  t.after(async () => { for (const c of children.reverse()) await c.stop(); cleanup(); });
  const certs = makeCerts(HOST);
  const b = newLeaf(certs.dir, HOST, 'b');
  const p1 = await freePort();
  const name = `_${p1}._tcp.${HOST}.`;
  const db = join(dir, 'dp.db');
  // Refresh and retry of 2 s: Knot retries a refused transfer soon.
  writeFileSync(join(dir, 'zone'), `$ORIGIN ${ZONE}.
$TTL 60
@ SOA ns1 hostmaster 1 2 2 1209600 ${TTL}
@ NS ns1
ns1 A 127.0.0.1
srv A 127.0.0.1
_${p1}._tcp.srv ${TTL} TLSA ${record(certs.leafCert)}
`);
  cli(['zone', 'import', join(dir, 'zone'), '--db', db]);
  const secret = cli(['tsig', 'add', 'xfr', '--db', db]).trim().split('\n').pop()!;
  cli(['tsig', 'add', 'other', '--db', db]);
  const knotPort = await freePort();
  cli(['zone', 'secondary', 'add', ZONE, `127.0.0.1:${knotPort}`, '--tsig', 'xfr', '--db', db]);
  cli(['service', 'add', name, '--connect', `127.0.0.1:${p1}`, '--starttls', 'none', '--db', db]);
  children.push(await startSServer({ port: p1, cert: certs.leafCert, key: certs.leafKey }));
  const srv = await startServer(db, { DANEPRIME_ROLLOVER_CHECK_INTERVAL: '1' }, 0, 1, ['--check-interval', '1h']);
  children.push(srv);
  const knot = await startKnot(dir, { port: knotPort, primaryPort: srv.port, secret, zone: ZONE });
  children.push(knot);
  const knotSerial = (tcp: boolean) => Number(kdig(['@127.0.0.1', '-p', String(knotPort), ZONE, 'SOA', '+short', ...(tcp ? ['+tcp'] : [])]).trim().split(/\s+/)[2]);
  await waitFor('Knot to serve the zone', 20_000, () => knotSerial(false) > 0);
  const status = () => JSON.parse(cli(['service', 'status', name, '--json', '--db', db])) as RolloverStatus;

  // Knot's key no longer opens transfers: it keeps serving the old serial.
  cli(['zone', 'secondary', 'add', ZONE, `127.0.0.1:${knotPort}`, '--tsig', 'other', '--db', db]);
  await new Promise((r) => setTimeout(r, 600));
  const out = cli(['service', 'next', name, '--cert', b.cert, '--db', db]);
  const published = Number(/serial (\d+)/.exec(out)![1]);
  const held = Date.now();
  // Long enough for several engine ticks and Knot's retries.
  while (Date.now() - held < 6000) {
    const s = status();
    assert.equal(s.state, 'publishing', `held while Knot cannot transfer: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const s0 = status();
  assert.equal(s0.secondaries.length, 1);
  assert.equal(s0.secondaries[0].address, `127.0.0.1:${knotPort}`);
  assert.equal(s0.secondaries[0].servesNext, false);
  assert.ok(s0.secondaries[0].serial! < published);
  assert.ok(knotSerial(false) < published, 'Knot still serves the old serial');

  // The key is back: Knot transfers on its next retry; we watch for the serial ourselves.
  cli(['zone', 'secondary', 'add', ZONE, `127.0.0.1:${knotPort}`, '--tsig', 'xfr', '--db', db]);
  let knotHas = 0;
  await waitFor('Knot to serve the publishing serial over UDP and TCP', 30_000, () => {
    if (knotSerial(false) >= published && knotSerial(true) >= published) { knotHas = Date.now(); return true; }
    return false;
  });
  await waitFor('holding', 10_000, () => status().state !== 'publishing');
  const s1 = status();
  assert.ok(['holding', 'ready'].includes(s1.state), s1.state);
  const tVis = Date.parse(s1.tVis!);
  // The engine asks every second; our own poll takes a moment too.
  assert.ok(tVis > held + 6000, 'T_vis is not before Knot could transfer');
  assert.ok(Math.abs(tVis - knotHas) < 2500, `T_vis ${s1.tVis} vs Knot first seen serving it at ${new Date(knotHas).toISOString()} (${tVis - knotHas} ms)`);
  assert.equal(Date.parse(s1.readyAt!) - tVis, 2 * TTL * 1000);
  assert.equal(s1.secondaries[0].servesNext, true);
  t.diagnostic(`published serial ${published}; Knot seen serving it ${knotHas - held} ms after the commit; T_vis - our observation ${tVis - knotHas} ms; readyAt = T_vis + ${Date.parse(s1.readyAt!) - tVis} ms`);
  const ready = Date.now();
  await waitFor('ready', 15_000, () => status().state === 'ready');
  assert.ok(Date.now() >= Date.parse(s1.readyAt!) - 50, `ready after readyAt (${Date.now() - ready} ms of waiting)`);
  assert.match(srv.log(), /publishing → holding/);
});

test('next records: one per combination in use, from a certificate, a public key or a CSR alike; trust-anchor records of the same CA are not rolled', () => {
  const certs = makeCerts(HOST);
  const b = newLeaf(certs.dir, HOST, 'b');
  const cur = (text: string) => { const [u, s, m, hex] = text.split(' '); return tlsaRecord(Buffer.concat([Buffer.from([+u, +s, +m]), Buffer.from(hex, 'hex')])); };
  const caSpki = `2 1 1 ${spkiSha256(certs.caPem)}`;
  const current = [cur(record(certs.leafCert)), cur(`3 1 2 ${createHash('sha512').update(new X509Certificate(certs.leafPem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex')}`), cur(caSpki)];
  const bPem = readFileSync(b.cert, 'utf8');
  const spkiPem = new X509Certificate(bPem).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const fromCert = nextRecords(current, { certificate: `${bPem}${certs.caPem}` }).map((r) => r.text);
  assert.deepEqual(fromCert, [record(b.cert), `3 1 2 ${createHash('sha512').update(new X509Certificate(bPem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex')}`]);
  assert.deepEqual(nextRecords(current.slice(0, 2), { spki: spkiPem }).map((r) => r.text), fromCert);
  assert.deepEqual(nextRecords(current.slice(0, 2), { csr: readFileSync(join(certs.dir, 'b.csr'), 'utf8') }).map((r) => r.text), fromCert);
  assert.throws(() => nextRecords(current, { csr: '-----BEGIN CERTIFICATE REQUEST-----\nMAMCAQA=\n-----END CERTIFICATE REQUEST-----\n' }), (e: RolloverError) => e.field === 'csr');
  assert.throws(() => nextRecords([cur(`3 0 1 ${'00'.repeat(32)}`)], { spki: spkiPem }), (e: RolloverError) => e.field === 'spki' && /selector 0/.test(e.message));
  assert.throws(() => nextRecords(current, { data: '00'.repeat(32) }), (e: RolloverError) => e.field === 'data' && /several combinations/.test(e.message));
  assert.deepEqual(nextRecords(current, { data: '00'.repeat(32), usage: 3, selector: 1, matching: 1 }).map((r) => r.text), [`3 1 1 ${'00'.repeat(32)}`]);
});
