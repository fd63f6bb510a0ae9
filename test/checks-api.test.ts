// Services and checks over the API of `serve` (one worker and two): add, bad input, scoped tokens, a check now, history, events after a TLSA change, the event hook.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, X509Certificate } from 'node:crypto';
import { requireTool } from './helpers/tools.js';
import { tmpDir, cli, freePort } from './helpers/server.js';
import { startServer, waitFor, type Child } from './helpers/procs.js';
import { makeCerts } from './helpers/certs.js';
import { startSServer } from './helpers/dane-tools.js';
import type { CheckJson, CheckEvent } from '../server/checks/types.js';

const ZONE = 'example.test';
const spkiSha256 = (pem: string) => createHash('sha256').update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');

for (const workers of [1, 2]) test(`services over the API with ${workers} worker(s)`, { timeout: 90_000 }, async (t) => {
  if (!requireTool('openssl', t)) return;
  const { dir, cleanup } = tmpDir('daneprime-checks-api-');
  const children: Child[] = [];
  t.after(async () => { for (const c of children.reverse()) await c.stop(); cleanup(); });
  const certs = makeCerts(`srv.${ZONE}`);
  const port = await freePort();
  const other = await freePort();
  const name = `_${port}._tcp.srv.${ZONE}.`;
  const db = join(dir, 'dp.db');
  writeFileSync(join(dir, 'zone'), `$ORIGIN ${ZONE}.
$TTL 60
@ SOA ns1 hostmaster 1 7200 3600 1209600 60
@ NS ns1
ns1 A 127.0.0.1
srv A 127.0.0.1
_${port}._tcp.srv TLSA 3 1 1 ${spkiSha256(certs.leafPem)}
_${other}._tcp.srv TLSA 3 1 1 ${spkiSha256(certs.leafPem)}
`);
  cli(['zone', 'import', join(dir, 'zone'), '--db', db]);
  const admin = { authorization: `Bearer ${cli(['token', 'create', '--admin', '--db', db]).trim()}` };
  const scoped = { authorization: `Bearer ${cli(['token', 'create', '--zone', ZONE, '--name', `_${port}._tcp.srv`, '--type', 'TLSA', '--db', db]).trim()}` };
  const hookFile = join(dir, 'events.jsonl');
  children.push(await startSServer({ port, cert: certs.leafCert, key: certs.leafKey }));
  const srv = await startServer(db, { DANEPRIME_API: '127.0.0.1:0' }, 0, workers, ['--check-interval', '1h', '--event-hook', `cat >> ${hookFile}`]);
  children.push(srv);
  const base = /api: listening on (http:\/\/\S+)/.exec(srv.log())![1] + '/api/v1';
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = admin) => {
    const res = await fetch(base + path, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const services = `/zones/${ZONE}/services`;

  await t.test('bad input is a 400 naming the field, and stores nothing', async () => {
    for (const [body, field, detail] of [
      [{ name: `srv.${ZONE}` }, 'name', /not a TLSA owner/],
      [{ name: `_9._tcp.srv` }, 'name', /no TLSA records/],
      [{ name: name, starttls: 'gopher' }, 'starttls', /unknown STARTTLS kind/],
      [{ name: name, connect: ['127.0.0.1'] }, 'connect', /bad address/],
      [{ name: name, connect: ['127.0.0.1:1', 'x:2'] }, 'connect[1]', /bad address/],
      [{ name: name, bogus: 1 }, 'body.bogus', /./],
    ] as [object, string, RegExp][]) {
      const r = await call('POST', services, body);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.field, field);
      assert.match(r.body.detail, detail);
    }
    assert.deepEqual((await call('GET', services)).body.services, []);
  });

  await t.test('a scoped token cannot give addresses, nor add outside its scope; without addresses it may add its own', async () => {
    const withAddr = await call('POST', services, { name, connect: [`127.0.0.1:${port}`] }, scoped);
    assert.equal(withAddr.status, 400);
    assert.equal(withAddr.body.field, 'connect');
    const outside = await call('POST', services, { name: `_${other}._tcp.srv` }, scoped);
    assert.equal(outside.status, 403);
    const ok = await call('POST', services, { name: `_${port}._tcp.srv` }, scoped);
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(ok.body.ownAddressesOnly, true);
    assert.deepEqual(ok.body.connect, []);
    // The admin adds another, with an address; the scoped token does not see it.
    assert.equal((await call('POST', services, { name: `_${other}._tcp.srv`, connect: [`127.0.0.1:${other}`] })).status, 201);
    assert.deepEqual((await call('GET', services, undefined, scoped)).body.services.map((s: { name: string }) => s.name), [name]);
    assert.equal((await call('GET', services)).body.services.length, 2);
    assert.equal((await call('POST', services, { name: `_${port}._tcp.srv` })).status, 409);
  });

  await t.test('POST …/check probes the host\'s published address now: match, the JSON of the contract', async () => {
    const r = await call('POST', `${services}/_${port}._tcp.srv/check`, undefined, scoped);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const c = r.body as CheckJson;
    assert.equal(c.name, name);
    assert.equal(c.verdict, 'match');
    assert.equal(c.endpoints[0].address, `127.0.0.1:${port}`);
    assert.deepEqual(Object.keys(c.endpoints[0]).sort(), ['address', 'chain', 'matched', 'tls', 'verdict', 'warnings']);
    assert.deepEqual(Object.keys(c.endpoints[0].tls!).sort(), ['cipher', 'group', 'version']);
    assert.deepEqual(Object.keys(c.endpoints[0].chain[0]).sort(), ['certSha256', 'issuer', 'notAfter', 'notBefore', 'sans', 'spkiSha256', 'subject']);
    const unreachable = await call('POST', `${services}/_${other}._tcp.srv/check`);
    assert.equal(unreachable.body.verdict, 'unreachable');
    assert.equal((await call('POST', `${services}/_${other}._tcp.srv/check`, undefined, scoped)).status, 403);
  });

  await t.test('a TLSA change is checked within seconds: the mismatch is an event, in the history and in the hook', async () => {
    // Forced: the write guard would otherwise take the replacement as a rollover (test/rollover-guards.test.ts).
    const put = await call('PUT', `/zones/${ZONE}/rrsets/_${port}._tcp.srv/TLSA?force=true`, { ttl: 60, records: [`3 1 1 ${'ab'.repeat(32)}`] });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.guard[0].kind, 'forced');
    let events: (CheckEvent & { id: number })[] = [];
    await waitFor('the scheduler to check the changed service', 10_000, async () => {
      events = (await call('GET', `/events?zone=${ZONE}&service=_${port}._tcp.srv`)).body.events;
      return events.some((e) => e.kind === 'mismatch');
    });
    const e = events.find((x) => x.kind === 'mismatch')!;
    assert.equal(e.level, 'critical');
    assert.equal(e.endpoint, `127.0.0.1:${port}`);
    assert.match(e.message, /matches no TLSA record/);
    assert.ok(events.every((x, i) => i === 0 || x.id < events[i - 1].id), 'newest first');
    const history = (await call('GET', `${services}/_${port}._tcp.srv/checks`)).body;
    assert.equal(history.checks[0].verdict, 'mismatch');
    assert.equal(history.checks.at(-1).verdict, 'match');
    assert.equal(history.fingerprints.length, 1);
    await waitFor('the event hook to get the event', 5000, () => existsSync(hookFile) && readFileSync(hookFile, 'utf8').includes('"kind":"mismatch"'));
    const hooked = readFileSync(hookFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as CheckEvent);
    assert.ok(hooked.some((h) => h.level === 'critical' && h.service === name));
    // A scoped token reads its own service's events, and not the other's.
    const mine = (await call('GET', '/events', undefined, scoped)).body.events as CheckEvent[];
    assert.ok(mine.length > 0 && mine.every((x) => x.service === name));
  });

  await t.test('metrics count checks and events', async () => {
    const text = await (await fetch(base.replace('/api/v1', '/metrics'))).text();
    assert.match(text, /# TYPE daneprime_service_checks_total counter/);
  });

  await t.test('DELETE removes a service; a second DELETE is a 404', async () => {
    assert.equal((await call('DELETE', `${services}/_${other}._tcp.srv`)).status, 204);
    assert.equal((await call('DELETE', `${services}/_${other}._tcp.srv`)).status, 404);
  });
});
