// The same PowerDNS API requests to a real PowerDNS 4.7 (pdns_server, gsqlite3) and to daneprime: status codes, JSON forms and record content compared, deliberate differences named.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { requirePresent, requireTool } from './helpers/tools.js';
import { freePort, pollUntil, tmpDir } from './helpers/server.js';
import { startPdnsServer, pdnsFetch, replace, rrsetLines, shape, type RRsetOut } from './helpers/pdns-api.js';

const KEY = 'pdns-differential-key';
const ZONES = '/api/v1/servers/localhost/zones';
const Z = `${ZONES}/diff.test.`;
const HASH = '8cb0fc6c527506a053f4f14c8464bebbd6dede2738d11468dd953d7d6a3021f1';
const SCHEMAS = ['/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql', '/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql'];

/** pdns_server with the gsqlite3 backend and its API, on loopback ports, in the foreground, with a private config dir. */
async function startPowerDns(t: TestContext): Promise<string | undefined> {
  if (!requireTool('pdns_server', t)) return undefined;
  const schema = SCHEMAS.find((f) => existsSync(f));
  if (!requirePresent(!!schema, 'the gsqlite3 schema of pdns-backend-sqlite3 is not installed', t)) return undefined;
  const { dir, cleanup } = tmpDir('daneprime-pdns4-');
  t.after(cleanup);
  const db = new Database(join(dir, 'pdns.sqlite3'));
  db.exec(readFileSync(schema!, 'utf8'));
  db.close();
  const [web, dns] = [await freePort(), await freePort()];
  writeFileSync(join(dir, 'pdns.conf'), [
    'launch=gsqlite3', `gsqlite3-database=${join(dir, 'pdns.sqlite3')}`, 'gsqlite3-dnssec=yes',
    'api=yes', `api-key=${KEY}`, 'webserver=yes', 'webserver-address=127.0.0.1', `webserver-port=${web}`, 'webserver-allow-from=127.0.0.0/8',
    'local-address=127.0.0.1', `local-port=${dns}`, 'daemon=no', 'guardian=no', 'disable-syslog=yes', 'write-pid=no', `socket-dir=${dir}`,
    // Loopback only: no security-status query to the Internet, NOTIFY to nobody that could exist.
    'security-poll-suffix=', 'only-notify=127.0.0.2/32', '',
  ].join('\n'));
  const proc = spawn('pdns_server', [`--config-dir=${dir}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout.on('data', (d) => { log += d; });
  proc.stderr.on('data', (d) => { log += d; });
  t.after(() => { proc.kill('SIGTERM'); });
  const url = `http://127.0.0.1:${web}`;
  const { value } = await pollUntil(async () => {
    try { return (await pdnsFetch(url, KEY, 'GET', '/api')).status === 200; } catch { return false; }
  }, 15_000, 100);
  assert.ok(value, `pdns_server did not start:\n${log}`);
  return url;
}

type Res = Awaited<ReturnType<typeof pdnsFetch>>;

test('the PowerDNS API: daneprime answers as PowerDNS 4.7 does, but for the differences named here', { timeout: 120_000 }, async (t) => {
  const pdnsUrl = await startPowerDns(t);
  if (!pdnsUrl) return;
  const ours = await startPdnsServer(t, { zones: [] });
  const both = async (method: string, path: string, body?: unknown): Promise<[Res, Res]> =>
    [await pdnsFetch(pdnsUrl, KEY, method, path, body), await pdnsFetch(ours.url, ours.key, method, path, body)];
  /** Same status; for JSON bodies on both sides, the same form. */
  const same = async (what: string, method: string, path: string, body?: unknown, status?: number): Promise<[Res, Res]> => {
    const [p, o] = await both(method, path, body);
    assert.equal(o.status, p.status, `${what}: PowerDNS ${p.status} ${p.text}, daneprime ${o.status} ${o.text}`);
    if (status !== undefined) assert.equal(o.status, status, what);
    if (p.json !== undefined) assert.deepEqual(shape(o.json), shape(p.json), `${what}: JSON form`);
    return [p, o];
  };
  /** A refusal both make: same status; daneprime's body is always {"error": "..."}, PowerDNS's too for 422. */
  const refused = async (what: string, method: string, path: string, body: unknown, status: number) => {
    const [, o] = await same(what, method, path, body, status);
    assert.deepEqual(Object.keys(o.json as object), ['error'], `${what}: ${o.text}`);
  };
  const rrsets = async (path: string): Promise<[string[], string[]]> => {
    const [p, o] = await same(`GET ${path}`, 'GET', path, undefined, 200);
    const lines = (r: Res) => rrsetLines((r.json as { rrsets: RRsetOut[] }).rrsets.filter((s) => s.type !== 'SOA'));
    return [lines(p), lines(o)];
  };

  // Discovery: /api is the same; the server object has the same keys and the values clients use.
  const [api] = await same('GET /api', 'GET', '/api', undefined, 200);
  assert.deepEqual((await pdnsFetch(ours.url, ours.key, 'GET', '/api')).json, api.json);
  const [ps, os] = await same('GET server', 'GET', '/api/v1/servers/localhost', undefined, 200);
  for (const k of ['daemon_type', 'id', 'url', 'zones_url', 'config_url', 'type']) assert.equal((os.json as Record<string, unknown>)[k], (ps.json as Record<string, unknown>)[k], k);
  await same('GET servers', 'GET', '/api/v1/servers', undefined, 200);

  // Create. Both sign (dnssec true, NSEC3 as given). The SOA both make differs: PowerDNS writes
  // a.misconfigured.dns.server.invalid. and a date serial; daneprime the first name server and
  // the current time (a deliberate difference: SOA content and serial are not compared).
  const create = { name: 'diff.test.', kind: 'Master', dnssec: true, nsec3param: '1 0 0 -', nameservers: ['ns1.diff.test.', 'ns2.example.net.'],
    rrsets: [{ name: 'ns1.diff.test.', type: 'A', ttl: 3600, records: [{ content: '192.0.2.53', disabled: false }] }] };
  const [pc, oc] = await same('POST zone', 'POST', ZONES, create, 201);
  for (const k of ['id', 'name', 'url', 'kind', 'dnssec', 'nsec3param']) assert.equal((oc.json as Record<string, unknown>)[k], (pc.json as Record<string, unknown>)[k], k);
  assert.deepEqual(...await rrsets(Z));
  await refused('POST an existing zone', 'POST', ZONES, create, 409);
  // A classless reverse zone: the same escaped id.
  const [pr, or] = await same('POST 2/0.2.0.192.in-addr.arpa.', 'POST', ZONES, { name: '2/0.2.0.192.in-addr.arpa.', kind: 'Master', nameservers: ['ns1.diff.test.'] }, 201);
  assert.equal((or.json as { id: string }).id, (pr.json as { id: string }).id);
  await same('GET by escaped id', 'GET', `${ZONES}/2=2F0.2.0.192.in-addr.arpa.`, undefined, 200);

  const [pl, ol] = await same('GET zones', 'GET', ZONES, undefined, 200);
  assert.deepEqual((ol.json as { id: string }[]).map((z) => z.id).sort(), (pl.json as { id: string }[]).map((z) => z.id).sort());
  await same('GET zone without the final dot', 'GET', `${ZONES}/diff.test`, undefined, 200);

  // PATCH REPLACE: the same content back, in the same canonical form (hex and IPv6 lowercased).
  await same('PATCH REPLACE', 'PATCH', Z, replace(
    ['diff.test.', 'MX', ['10 mail.diff.test.']],
    ['www.diff.test.', 'A', ['192.0.2.1', '192.0.2.2']],
    ['www.diff.test.', 'AAAA', ['2001:DB8:0:0::1']],
    ['txt.diff.test.', 'TXT', ['"v=spf1 -all"', '"two" "strings"', '"quote\\"inside"', '"café"', '"tab\\009"']],
    ['_443._tcp.www.diff.test.', 'TLSA', [`3 1 1 ${HASH.toUpperCase()}`]],
    ['alias.diff.test.', 'CNAME', ['www.diff.test.']],
    ['caa.diff.test.', 'CAA', ['0 issue "letsencrypt.org"']],
    ['_sip._tcp.diff.test.', 'SRV', ['10 5 5060 sip.diff.test.']],
    ['ds.diff.test.', 'NS', ['ns.ds.diff.test.']],
    ['ds.diff.test.', 'DS', [`12345 13 2 ${HASH}`]],
  ), 204);
  assert.deepEqual(...await rrsets(Z));
  for (const q of ['rrset_name=www.diff.test.&rrset_type=A', 'rrset_name=www.diff.test.', 'rrset_name=txt.diff.test.&rrset_type=TXT', 'rrset_name=nothere.diff.test.']) {
    assert.deepEqual(...await rrsets(`${Z}?${q}`));
  }
  // rrset_type alone does not filter, in both.
  assert.deepEqual(...await rrsets(`${Z}?rrset_type=A`));

  // DELETE, and REPLACE with no records, remove RRsets.
  await same('PATCH DELETE', 'PATCH', Z, { rrsets: [
    { name: 'www.diff.test.', type: 'AAAA', changetype: 'DELETE' },
    { name: 'txt.diff.test.', type: 'TXT', ttl: 60, changetype: 'REPLACE', records: [] },
  ] }, 204);
  assert.deepEqual(...await rrsets(Z));
  assert.deepEqual(await rrsets(`${Z}?rrset_name=txt.diff.test.`), [[], []]);

  // Refusals with the same status; each PATCH would have written its first RRset, and neither side did.
  const good = { name: 'good.diff.test.', type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: '192.0.2.9', disabled: false }] };
  const withGood = (bad: object) => ({ rrsets: [good, { ttl: 60, changetype: 'REPLACE', ...bad }] });
  await refused('bad A content', 'PATCH', Z, withGood({ name: 'bad.diff.test.', type: 'A', records: [{ content: 'not-an-ip', disabled: false }] }), 422);
  await refused('relative MX target', 'PATCH', Z, withGood({ name: 'mx.diff.test.', type: 'MX', records: [{ content: '10 mail', disabled: false }] }), 422);
  await refused('unquoted TXT', 'PATCH', Z, withGood({ name: 't.diff.test.', type: 'TXT', records: [{ content: 'v=spf1 -all', disabled: false }] }), 422);
  await refused('unknown type', 'PATCH', Z, withGood({ name: 't.diff.test.', type: 'BOGUS', records: [] }), 422);
  await refused('bad changetype', 'PATCH', Z, withGood({ name: 't.diff.test.', type: 'A', changetype: 'UPSERT', records: [] }), 422);
  await refused('out of zone', 'PATCH', Z, withGood({ name: 'www.example.net.', type: 'A', records: [{ content: '192.0.2.1', disabled: false }] }), 422);
  await refused('the same RRset twice', 'PATCH', Z, withGood({ ...good }), 422);
  await refused('CNAME beside other data', 'PATCH', Z, withGood({ name: 'alias.diff.test.', type: 'A', records: [{ content: '192.0.2.1', disabled: false }] }), 422);
  await refused('no rrsets', 'PATCH', Z, {}, 422);
  await refused('rrsets not a list', 'PATCH', Z, { rrsets: 'x' }, 422);
  assert.deepEqual(await rrsets(`${Z}?rrset_name=good.diff.test.`), [[], []], 'nothing of a refused PATCH was written');

  // Refusals PowerDNS answers in text/plain: the same status; daneprime's body is JSON.
  await refused('a body that is not JSON', 'PATCH', Z, 'garbage', 400);
  await refused('no body', 'PUT', Z, '', 400);
  await refused('no such zone', 'GET', `${ZONES}/nothere.test.`, undefined, 404);
  await refused('PATCH no such zone', 'PATCH', `${ZONES}/nothere.test.`, replace(['a.nothere.test.', 'A', ['192.0.2.1']]), 404);
  await refused('PUT no such zone', 'PUT', `${ZONES}/nothere.test.`, { kind: 'Master' }, 404);
  await refused('no such server', 'GET', '/api/v1/servers/elsewhere/zones', undefined, 404);
  for (const key of ['wrong', '']) {
    const theirs: Res = await pdnsFetch(pdnsUrl, key, 'GET', ZONES);
    const mine: Res = await pdnsFetch(ours.url, key, 'GET', ZONES);
    assert.equal(theirs.status, 401, `key ${JSON.stringify(key)}`);
    assert.equal(mine.status, 401, `key ${JSON.stringify(key)}`);
    assert.deepEqual(Object.keys(mine.json as object), ['error']);
  }

  // Settings and NOTIFY.
  await same('PUT settings', 'PUT', Z, { kind: 'Master' }, 204);
  const [pn, on] = await same('PUT notify', 'PUT', `${Z}/notify`, undefined, 200);
  assert.deepEqual(on.json, pn.json);

  // Deliberate differences: PowerDNS accepts these, daneprime refuses them (422) ...
  const differ = async (what: string, method: string, path: string, body: unknown, pdnsStatus: number, oursStatus: number) => {
    const [p, o] = await both(method, path, body);
    assert.equal(p.status, pdnsStatus, `${what}: PowerDNS ${p.text}`);
    assert.equal(o.status, oursStatus, `${what}: daneprime ${o.text}`);
  };
  //   a disabled record: daneprime publishes every record it keeps, so it refuses rather than drop it;
  await differ('disabled record', 'PATCH', Z, { rrsets: [{ ...good, records: [{ content: '192.0.2.9', disabled: true }] }] }, 204, 422);
  //   the signer's own records in a signed zone (PowerDNS stores them beside its own keys);
  await differ('DNSKEY at the apex', 'PATCH', Z, replace(['diff.test.', 'DNSKEY', ['257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==']]), 204, 422);
  //   a zone without NS records at its apex (daneprime's zone rules need them);
  await differ('a zone without name servers', 'POST', ZONES, { name: 'nons.test.', kind: 'Master', nameservers: [] }, 201, 422);
  // ... and PowerDNS refuses these, daneprime accepts them:
  //   an owner name without the final dot (it can only mean the absolute name);
  await differ('owner without the final dot', 'PATCH', Z, { rrsets: [{ ...good, name: 'nodot.diff.test' }] }, 422, 204);
  //   REPLACE without ttl (the RRset keeps its TTL, or takes the SOA's for a new one).
  await differ('REPLACE without ttl', 'PATCH', Z, { rrsets: [{ ...good, ttl: undefined }] }, 422, 204);
  // ... content both take but show differently: PowerDNS shows TXT as it was written,
  // daneprime in one canonical form, with UTF-8 as its characters ("café" however it came).
  await same('TXT written with escapes', 'PATCH', Z, replace(['utf8.diff.test.', 'TXT', ['"caf\\195\\169"']]), 204);
  const [pu, ou] = await rrsets(`${Z}?rrset_name=utf8.diff.test.`);
  assert.deepEqual([pu, ou], [['utf8.diff.test. TXT 300 "caf\\195\\169"'], ['utf8.diff.test. TXT 300 "café"']]);
  // ... things both take, and only PowerDNS keeps: comments, and settings such as the account
  // (after comments, PowerDNS's filtered GET shows the commented RRset whatever the filter:
  // so this comes after the filtered GETs);
  await same('PATCH with comments', 'PATCH', Z, { rrsets: [{ ...good, name: 'c.diff.test.', comments: [{ content: 'note', account: 'ops', modified_at: 1 }] }] }, 204);
  const [pcm, ocm] = await both('GET', `${Z}?rrset_name=c.diff.test.`);
  const comments = (r: Res) => (r.json as { rrsets: RRsetOut[] }).rrsets[0].comments.length;
  assert.deepEqual([comments(pcm), comments(ocm)], [1, 0]);
  await same('PUT account', 'PUT', Z, { account: 'ops' }, 204);
  const [pa, oa] = await same('GET settings', 'GET', `${Z}?rrsets=false`, undefined, 200);
  assert.deepEqual([(pa.json as { account: string }).account, (oa.json as { account: string }).account], ['ops', '']);
  // Last, as it breaks the PowerDNS zone: PowerDNS deletes the SOA when asked, daneprime refuses.
  await differ('DELETE the SOA', 'PATCH', Z, { rrsets: [{ name: 'diff.test.', type: 'SOA', changetype: 'DELETE' }] }, 204, 422);

  await same('DELETE zone', 'DELETE', Z, undefined, 204);
  await refused('GET a deleted zone', 'GET', Z, undefined, 404);
  await refused('DELETE a deleted zone', 'DELETE', Z, undefined, 404);
});
