// The write guard against real clients and a real endpoint: `openssl s_server` presents the key, `serve --workers 2`; REST and the PowerDNS API through fetch, nsupdate and knsupdate, the CLI binary; kdig says what is served.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { requireTool } from './helpers/tools.js';
import { tmpDir, runCli } from './helpers/server.js';
import { cli, startServer, freePort, waitFor, kdig, type Child } from './helpers/procs.js';
import { makeCerts, newLeaf, opensslCertDigest, opensslSpkiDigest } from './helpers/certs.js';
import { startSServer } from './helpers/dane-tools.js';
import { auditOf } from './helpers/pdns-api.js';
import { Store } from '../zones/store/sqlite.js';
import { CheckStore } from '../zones/store/checks-sqlite.js';
import { hostZones } from '../server/zone-host.js';
import { cliActor, EditError } from '../zones/commit.js';
import { parseZoneText } from '../zones/io/zonefile-parse.js';
import { RRType } from '../zones/model/types.js';
import { rdataFromText } from '../zones/model/rdata/index.js';

const ZONE = 'example.test';
const HOST = `srv.${ZONE}`;
const spkiSha256 = (pem: string) => createHash('sha256').update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
const record = (certPath: string) => `3 1 1 ${spkiSha256(readFileSync(certPath, 'utf8'))}`;
const owner = (port: number) => `_${port}._tcp.${HOST}.`;

/** One UPDATE through nsupdate or knsupdate: the rcode it reports. */
function update(tool: 'nsupdate' | 'knsupdate', port: number, key: string, lines: string[]): string {
  const script = [`server 127.0.0.1 ${port}`, `zone ${ZONE}`, ...lines, 'send', ''].join('\n');
  const r = spawnSync(tool, ['-y', key], { input: script, encoding: 'utf8', timeout: 20_000 });
  const out = (r.stdout ?? '') + (r.stderr ?? '');
  const m = /update failed: (\w+)/.exec(out) ?? /update failed with error '(\w+)'/.exec(out) ?? /status: (\w+)/.exec(out);
  if (m && m[1] !== 'NOERROR') return m[1];
  assert.equal(r.status, 0, `${tool} exited ${r.status}: ${out}`);
  return 'NOERROR';
}

test('the write guard, 2 workers: every write path refuses to break a checked service (409 / REFUSED / exit 1, nothing changed); an admin may force; a replacement by another key becomes a rollover', { timeout: 180_000 }, async (t) => {
  for (const tool of ['openssl', 'kdig', 'nsupdate', 'knsupdate']) if (!requireTool(tool, t)) return;
  const { dir, cleanup } = tmpDir('daneprime-guards-');
  const children: Child[] = [];
  t.after(async () => { for (const c of children.reverse()) await c.stop(); cleanup(); });
  const certs = makeCerts(HOST);
  const b = newLeaf(certs.dir, HOST, 'b');
  const c = newLeaf(certs.dir, HOST, 'c');
  const A = record(certs.leafCert), B = record(b.cert);
  const tlsPort = await freePort();
  const db = join(dir, 'dp.db');
  // Services by role, all probing the one s_server: refusals, a rollover per writer, a forced
  // delete, one never checked, one written back unchanged (a renewal that kept the key).
  const P = { refuse: 1001, restRoll: 1002, pdnsRoll: 1003, updateRoll: 1004, forced: 1005, unchecked: 1006, reuse: 1007, pdnsForced: 1008 };
  const zoneText = (skip?: number) => `$ORIGIN ${ZONE}.
$TTL 60
@ SOA ns1 hostmaster 1 7200 3600 1209600 60
@ NS ns1
ns1 A 127.0.0.1
srv A 127.0.0.1
${Object.values(P).filter((p) => p !== skip).map((p) => `_${p}._tcp.srv 60 TLSA ${A}`).join('\n')}
`;
  writeFileSync(join(dir, 'zone'), zoneText());
  cli(['zone', 'import', join(dir, 'zone'), '--db', db]);
  children.push(await startSServer({ port: tlsPort, cert: certs.leafCert, key: certs.leafKey }));
  for (const p of Object.values(P)) cli(['service', 'add', owner(p), '--connect', `127.0.0.1:${tlsPort}`, '--starttls', 'none', '--db', db]);
  // The live check the guard holds changes against: every service but the unchecked one.
  for (const p of Object.values(P)) if (p !== P.unchecked) assert.match(cli(['service', 'check', owner(p), '--db', db]), /: match/);
  const admin = cli(['token', 'create', '--admin', '--label', 'ops', '--db', db]).trim();
  const scoped = cli(['token', 'create', '--zone', ZONE, '--name', `_${P.refuse}._tcp.srv`, '--type', 'TLSA', '--label', 'robot', '--db', db]).trim();
  const tsig = cli(['tsig', 'add', 'upd', '--db', db]).trim().split('\n').pop()!;
  cli(['update-policy', 'add', ZONE, '--key', 'upd', '--db', db]);
  const key = `hmac-sha256:upd:${tsig}`;

  const srv = await startServer(db, { DANEPRIME_API: '127.0.0.1:0', DANEPRIME_PDNS_API: '127.0.0.1:0' }, 0, 2, ['--check-interval', 'off']);
  children.push(srv);
  const api = /api: listening on (http:\/\/\S+)/.exec(srv.log())![1] + '/api/v1';
  const pdns = /pdns-api: listening on (http:\/\/\S+)/.exec(srv.log())![1] + `/api/v1/servers/localhost/zones/${ZONE}.`;
  const call = async (method: string, path: string, body?: unknown, token = admin) => {
    const res = await fetch(api + path, {
      method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const pdnsPatch = async (rrsets: unknown[], token = admin, query = '') => {
    const res = await fetch(pdns + query, { method: 'PATCH', headers: { 'x-api-key': token, 'content-type': 'application/json' }, body: JSON.stringify({ rrsets }), signal: AbortSignal.timeout(20_000) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  // kdig splits long hex; the data is joined back. Asked several times: queries spread over both workers.
  const servedOnce = (p: number) => kdig(['@127.0.0.1', '-p', String(srv.port), owner(p), 'TLSA', '+short']).trim().split('\n').filter(Boolean)
    .map((l) => { const [u, s, m, ...hex] = l.trim().split(/\s+/); return `${u} ${s} ${m} ${hex.join('').toLowerCase()}`; }).sort();
  const served = (p: number) => {
    const first = servedOnce(p);
    for (let i = 0; i < 5; i++) assert.deepEqual(servedOnce(p), first, 'every worker serves the same');
    return first;
  };
  const serial = () => Number(kdig(['@127.0.0.1', '-p', String(srv.port), ZONE, 'SOA', '+short']).trim().split(/\s+/)[2]);
  const tlsaPath = (p: number) => `/zones/${ZONE}/rrsets/${owner(p)}/TLSA`;
  const spki = spkiSha256(readFileSync(certs.leafCert, 'utf8'));
  const endpoint = `127.0.0.1:${tlsPort}`;

  await t.test('REST and the PowerDNS API, at once: every change that breaks the service is a 409 naming the endpoint and its key; nothing is served differently', async () => {
    const before = serial();
    // Another key's certificate as 3 0 1: no combination in use, so it cannot be a next record.
    const other = `3 0 1 ${opensslCertDigest(b.cert)}`;
    const [put, del, patchDel, patchMixed, tlsaPost, pdnsDel, pdnsReplace] = await Promise.all([
      call('PUT', tlsaPath(P.refuse), { records: [other] }),
      call('DELETE', tlsaPath(P.refuse)),
      call('PATCH', `/zones/${ZONE}/rrsets`, { changes: [{ name: owner(P.refuse), type: 'TLSA', delete: true }] }),
      call('PATCH', `/zones/${ZONE}/rrsets`, { changes: [{ name: `new.${ZONE}.`, type: 'A', records: ['192.0.2.1'] }, { name: owner(P.refuse), type: 'TLSA', records: [other] }] }),
      call('POST', `/zones/${ZONE}/tlsa`, { host: `srv.${ZONE}.`, port: P.refuse, selector: 0, certificate: readFileSync(b.cert, 'utf8') }),
      pdnsPatch([{ name: owner(P.refuse), type: 'TLSA', changetype: 'DELETE' }]),
      pdnsPatch([{ name: owner(P.refuse), type: 'TLSA', changetype: 'REPLACE', ttl: 60, records: [{ content: other, disabled: false }] }]),
    ]);
    for (const [r, field] of [[put, 'records'], [del, 'name'], [patchDel, 'changes[0]'], [patchMixed, 'changes[1].records'], [tlsaPost, 'records']] as const) {
      assert.equal(r.status, 409, JSON.stringify(r.body));
      assert.equal(r.body.error, 'would_break_service');
      assert.equal(r.body.field, field, JSON.stringify(r.body));
      assert.ok(r.body.detail.includes(endpoint) && r.body.detail.includes(spki), r.body.detail);
    }
    assert.match(put.body.detail, /3 0 1 [0-9a-f]{64} cannot be a next record: .*not a combination in use/);
    for (const r of [pdnsDel, pdnsReplace]) {
      assert.equal(r.status, 409, JSON.stringify(r.body));
      assert.match(r.body.error, new RegExp(`^would_break_service: rrsets\\[0\\].*: .*${endpoint}`));
    }
    assert.deepEqual(served(P.refuse), [A]);
    assert.equal(serial(), before, 'nothing committed');
    assert.equal(servedOnce(P.refuse).length, 1);
    assert.equal(kdig(['@127.0.0.1', '-p', String(srv.port), `new.${ZONE}`, 'A', '+short']).trim(), '', 'the mixed PATCH wrote nothing');
    // Every refusal is a warning event too.
    const ev = await call('GET', `/events?service=${owner(P.refuse)}`);
    assert.ok(ev.body.events.filter((e: { kind: string }) => e.kind === 'would-break-service').length >= 7, JSON.stringify(ev.body));
  });

  await t.test('force: a scoped token cannot (403 naming force); a bad value is a 400', async () => {
    const r = await call('DELETE', `${tlsaPath(P.refuse)}?force=true`, undefined, scoped);
    assert.equal(r.status, 403);
    assert.deepEqual({ error: r.body.error, field: r.body.field }, { error: 'forbidden', field: 'force' });
    assert.match(r.body.detail, /admin token/);
    const bad = await call('DELETE', `${tlsaPath(P.refuse)}?force=maybe`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'force');
    const p = await pdnsPatch([{ name: owner(P.refuse), type: 'TLSA', changetype: 'DELETE' }], scoped, '?force=true');
    assert.equal(p.status, 403);
    assert.match(p.body.error, /^force: .*admin token/);
    // Without force the scoped token is refused by the guard like anyone.
    const plain = await call('DELETE', tlsaPath(P.refuse), undefined, scoped);
    assert.equal(plain.status, 409);
    assert.deepEqual(served(P.refuse), [A]);
  });

  await t.test('nsupdate and knsupdate: deleting the RRset, or its only matching record, is REFUSED and nothing changes', async () => {
    const before = serial();
    for (const tool of ['nsupdate', 'knsupdate'] as const) {
      assert.equal(update(tool, srv.port, key, [`update delete ${owner(P.refuse)} TLSA`]), 'REFUSED', tool);
      assert.equal(update(tool, srv.port, key, [`update delete ${owner(P.refuse)} TLSA ${A}`]), 'REFUSED', tool);
    }
    assert.deepEqual(served(P.refuse), [A]);
    assert.equal(serial(), before);
    // The workers' log reaches us through the primary: a moment later.
    await waitFor('the refusals in the log', 5000, () => (srv.log().match(/update: .*key upd\.: REFUSED: .*would name/g) ?? []).length === 4);
  });

  await t.test('the CLI: zone import --replace without the record exits 1 naming the endpoint; nothing changes', () => {
    writeFileSync(join(dir, 'zone2'), zoneText(P.refuse));
    const before = serial();
    const r = runCli(['zone', 'import', join(dir, 'zone2'), '--replace', '--db', db]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^daneprime: ${owner(P.refuse).replace(/\./g, '\\.')}: ${endpoint} \\(key SPKI SHA-256 ${spki}\\) present a key that no TLSA record would name`));
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.equal(serial(), before);
    assert.deepEqual(served(P.refuse), [A]);
  });

  await t.test('a replacement by another key\'s record, from REST, the PowerDNS API and nsupdate at once: a rollover each (202 / 200 / NOERROR), current and next served', async () => {
    const [rest, pd] = await Promise.all([
      call('PUT', tlsaPath(P.restRoll), { records: [B] }),
      pdnsPatch([{ name: owner(P.pdnsRoll), type: 'TLSA', changetype: 'REPLACE', records: [{ content: B, disabled: false }] }]),
    ]);
    assert.equal(update('nsupdate', srv.port, key, [`update delete ${owner(P.updateRoll)} TLSA`, `update add ${owner(P.updateRoll)} 60 TLSA ${B}`]), 'NOERROR');
    assert.equal(rest.status, 202, JSON.stringify(rest.body));
    assert.equal(rest.body.guard[0].kind, 'rollover');
    assert.deepEqual(rest.body.rollovers[0].current, [A]);
    assert.deepEqual(rest.body.rollovers[0].next, [B]);
    assert.deepEqual(rest.body.rrset.records.map((x: string) => x.toLowerCase()).sort(), [A, B].sort());
    assert.equal(pd.status, 200, JSON.stringify(pd.body));
    assert.equal(pd.body.rollovers[0].name, owner(P.pdnsRoll));
    for (const p of [P.restRoll, P.pdnsRoll, P.updateRoll]) {
      await waitFor(`both records at ${owner(p)} on every worker`, 5000, () => servedOnce(p).length === 2);
      assert.deepEqual(served(p), [A, B].sort());
      const st = await call('GET', `/zones/${ZONE}/services/${owner(p)}/rollover`);
      assert.ok(['publishing', 'holding', 'ready'].includes(st.body.state), JSON.stringify(st.body));
      assert.deepEqual(st.body.next, [B]);
    }
    // A second replacement while the rollover is under way is refused, naming it.
    const again = await call('PUT', tlsaPath(P.restRoll), { records: [record(c.cert)] });
    assert.equal(again.status, 409);
    assert.match(again.body.detail, /a rollover of .* is under way/);
    const actions = auditOf(db, `${ZONE}.`).map((a) => a.action);
    assert.equal(actions.filter((a) => a === 'guard.rollover').length, 3);
  });

  await t.test('an admin forces a delete (REST and the PowerDNS API): 200, the guard says what broke, audited, a warning event; a service never checked is not guarded; the same RRset written again changes nothing', async () => {
    const r = await call('DELETE', `${tlsaPath(P.forced)}?force=true`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.guard[0].kind, 'forced');
    assert.match(r.body.guard[0].detail, new RegExp(endpoint));
    await waitFor('the RRset gone on every worker', 5000, () => servedOnce(P.forced).length === 0);
    const pf = await pdnsPatch([{ name: owner(P.pdnsForced), type: 'TLSA', changetype: 'DELETE' }], admin, '?force=true');
    assert.equal(pf.status, 200, JSON.stringify(pf.body));
    assert.equal(pf.body.guard[0].kind, 'forced');
    await waitFor('the RRset gone on every worker', 5000, () => servedOnce(P.pdnsForced).length === 0);
    const forced = auditOf(db, `${ZONE}.`).filter((a) => a.action === 'guard.forced');
    assert.equal(forced.length, 2);
    assert.ok(forced.every((a) => a.label === 'ops'));
    const ev = await call('GET', `/events?service=${owner(P.forced)}`);
    assert.ok(ev.body.events.some((e: { kind: string; level: string }) => e.kind === 'forced-break' && e.level === 'warning'), JSON.stringify(ev.body));
    const un = await call('DELETE', tlsaPath(P.unchecked));
    assert.equal(un.status, 200, JSON.stringify(un.body));
    const before = serial();
    const same = await call('PUT', tlsaPath(P.reuse), { ttl: 60, records: [A] });
    assert.equal(same.status, 200, JSON.stringify(same.body));
    assert.equal(same.body.changed, 0);
    assert.equal(serial(), before);
  });

  await t.test('the CLI with --force replaces the zone and warns; the endpoint then deploys a key no record names: critical key-changed-without-rollover', async () => {
    const r = runCli(['zone', 'import', join(dir, 'zone2'), '--replace', '--force', '--db', db]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /warning: .*forced/);
    await waitFor('every worker to drop the record', 10_000, () => servedOnce(P.refuse).length === 0);
    await children.find((x) => x !== srv)!.stop();
    children.push(await startSServer({ port: tlsPort, cert: c.cert, key: c.key }));
    const chk = await call('POST', `/zones/${ZONE}/services/${owner(P.reuse)}/check`);
    assert.equal(chk.body.verdict, 'mismatch');
    const ev = await call('GET', `/events?service=${owner(P.reuse)}`);
    const k = ev.body.events.find((e: { kind: string }) => e.kind === 'key-changed-without-rollover');
    assert.ok(k, JSON.stringify(ev.body));
    assert.equal(k.level, 'critical');
    assert.match(k.message, /no rollover published it first/);
  });
});

test('the guard holds changes with the checks\' matcher: DANE-TA through the chain sent; another record for the same key passes; records that already fail, and services never checked, are not guarded', (t) => {
  if (!requireTool('openssl', t)) return;
  const { dir, cleanup } = tmpDir('daneprime-guard-unit-');
  t.after(cleanup);
  const certs = makeCerts(HOST);
  const store = new Store(join(dir, 'g.db'));
  t.after(() => store.close());
  const host = hostZones(store, { serving: false, now: () => Math.floor(Date.now() / 1000) });
  const ta = `2 0 1 ${opensslCertDigest(certs.caCert)}`;
  const ee = `3 1 1 ${opensslSpkiDigest(certs.leafCert)}`;
  const wrong = `3 1 1 ${'ab'.repeat(32)}`;
  const apex = `${ZONE}.`;
  host.pipeline.commit({ kind: 'import', apex, records: parseZoneText(`$ORIGIN ${apex}
$TTL 60
@ SOA ns1 hostmaster 1 7200 3600 1209600 60
@ NS ns1
ns1 A 127.0.0.1
srv A 127.0.0.1
_1._tcp.srv TLSA ${ta}
_2._tcp.srv TLSA ${wrong}
_3._tcp.srv TLSA ${ee}
`) }, cliActor());
  const cs = new CheckStore(store);
  const zoneId = store.zone(apex)!.id;
  // Checked: _1 and _2, each endpoint having sent the leaf and the CA, as s_server -cert_chain does.
  for (const p of [1, 2, 3]) {
    cs.add({ zone_id: zoneId, name: `_${p}._tcp.${HOST}.`, starttls: 'none', connect: `["127.0.0.1:${p}"]`, sni: null, domain: null, own_addresses_only: 0, created_at: 1 });
    if (p === 3) continue;
    const svc = cs.service(`_${p}._tcp.${HOST}.`)!;
    cs.saveCheck({
      serviceId: svc.id, at: 1, verdict: 'match', records: [], dropRecords: [], events: [],
      result: JSON.stringify({ name: svc.name, verdict: 'match', checkedAt: new Date().toISOString(), endpoints: [{ address: `127.0.0.1:${p}`, verdict: 'match', tls: null, chain: [], matched: [], warnings: [] }] }),
      fingerprints: [{ endpoint: `127.0.0.1:${p}`, cert: opensslCertDigest(certs.leafCert), spki: opensslSpkiDigest(certs.leafCert), chain: certs.leafPem + certs.caPem }],
    });
  }
  const put = (p: number, records: string[], force = false) => host.pipeline.commit({
    kind: 'edit', apex, action: 'test', force,
    edits: [{ name: `_${p}._tcp.${HOST}.`, type: RRType.TLSA, rdatas: records.map((r) => rdataFromText(RRType.TLSA, r, apex)) }],
  }, cliActor());
  const refused = (fn: () => unknown) => assert.throws(fn, (err: unknown) => err instanceof EditError && err.code === 'would_break_service' && /127\.0\.0\.1:1 /.test(err.message));
  // The TA record matches through the CA the endpoint sent; another CA's key does not (and, in
  // a combination not in use, is no next record either).
  refused(() => put(1, [`2 1 1 ${'cd'.repeat(32)}`]));
  refused(() => put(1, []));
  // The leaf's own key as 3 1 1 still matches what the endpoint presents: no break.
  assert.equal(put(1, [ee]).guard, undefined);
  // Now DANE-EE only: dropping it breaks again; forced, it passes and says so.
  refused(() => put(1, []));
  const forced = put(1, [], true);
  assert.equal(forced.guard?.[0].kind, 'forced');
  // A service whose records already match nothing cannot be made worse, and may be fixed.
  assert.equal(put(2, [`3 1 1 ${'ef'.repeat(32)}`]).written, true);
  assert.equal(put(2, [ee]).written, true);
  // A service never checked: no key known to break.
  assert.equal(put(3, []).written, true);
});
