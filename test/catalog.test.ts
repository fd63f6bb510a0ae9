// Catalog zones (RFC 9432), the producer: the catalog's records follow membership in the same commit, labels stay, bad input changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Store } from '../zones/store/sqlite.js';
import { parseZoneText } from '../zones/io/zonefile-parse.js';
import { RRType } from '../zones/model/types.js';
import { rdataFromText, rdataToText, soaSerial } from '../zones/model/rdata/index.js';
import { decodeRRs } from '../zones/journal-step.js';
import { EditError } from '../zones/commit.js';
import { XfrStore } from '../zones/store/xfr-sqlite.js';
import { CatalogStore } from '../zones/store/catalog-sqlite.js';
import { initialKeys } from '../signer/keystore-sqlite.js';
import { hostZones, type ZoneHost } from '../server/zone-host.js';
import { TEST_ACTOR } from './helpers/dns.js';
import { tmpDir } from './helpers/server.js';
import { apiServer } from './helpers/api.js';

const CAT = 'catz.test.';
const fixture = readFileSync(fileURLToPath(new URL('../../test/fixtures/example.com.zone', import.meta.url)), 'utf8');
const T0 = 1_800_000_000;

function host(t: { after(fn: () => void): void }): ZoneHost & { clock: { now: number } } {
  const { dir, cleanup } = tmpDir('daneprime-catalog-');
  const clock = { now: T0 };
  const h = hostZones(new Store(join(dir, 'c.db')), { serving: true, now: () => clock.now });
  t.after(() => { h.store.close(); cleanup(); });
  return Object.assign(h, { clock });
}

const zoneText = (apex: string) => fixture.replace(/example\.com\./g, apex);
const importZone = (h: ZoneHost, apex: string, catalog?: { name: string; group?: string }) => h.pipeline.commit({
  kind: 'import', apex, records: parseZoneText(zoneText(apex), { origin: apex, fileName: apex }), makeKeys: () => initialKeys(T0, true), catalog,
}, TEST_ACTOR);
const member = (h: ZoneHost, zone: string, group?: string | null, remove = false) =>
  h.pipeline.commit({ kind: 'catalog-member', catalog: CAT, member: zone, group, remove }, TEST_ACTOR);

/** The catalog as served, one "owner TYPE rdata" line per record, without SOA. */
function served(h: ZoneHost): string[] {
  const out: string[] = [];
  for (const r of h.zones.get(CAT)!.allRRsets()) {
    if (r.type === RRType.SOA) continue;
    for (const rd of r.rdatas) out.push(`${r.name} ${r.type === RRType.PTR ? 'PTR' : r.type === RRType.TXT ? 'TXT' : r.type === RRType.NS ? 'NS' : r.type} ${rdataToText(r.type, rd)}`);
  }
  return out.sort();
}
const catSerial = (h: ZoneHost) => soaSerial(h.zones.get(CAT)!.soa.rdatas[0]);
const errorOf = (f: () => unknown): EditError => {
  try { f(); } catch (err) { if (err instanceof EditError) return err; throw err; }
  assert.fail('expected an EditError');
};

test('a catalog: SOA, NS invalid. and version "2", unsigned unless asked; members as PTR under zones. with a group TXT', (t) => {
  const h = host(t);
  h.pipeline.commit({ kind: 'catalog-create', apex: CAT }, TEST_ACTOR);
  assert.deepEqual(served(h), [`${CAT} NS invalid.`, `version.${CAT} TXT "2"`]);
  assert.equal(h.dnssec.forApex(CAT), undefined, 'unsigned');
  importZone(h, 'a.test.');
  const r = member(h, 'a.test.', 'blue');
  assert.ok(r.written);
  const label = new CatalogStore(h.store).membership(h.store.zone('a.test.')!.id)!.label;
  assert.match(label, /^[0-9a-f]{12}$/);
  assert.deepEqual(served(h), [`${CAT} NS invalid.`, `${label}.zones.${CAT} PTR a.test.`, `group.${label}.zones.${CAT} TXT "blue"`, `version.${CAT} TXT "2"`].sort());

  // A signed catalog is possible too.
  h.pipeline.commit({ kind: 'catalog-create', apex: 'signed-catz.test.', signed: true, makeKeys: () => initialKeys(T0, true) }, TEST_ACTOR);
  assert.ok(h.dnssec.forApex('signed-catz.test.'), 'signed when asked');
});

test('membership: the group changes in place and the label stays; removal and member deletion take the records out in the same commit', (t) => {
  const h = host(t);
  h.pipeline.commit({ kind: 'catalog-create', apex: CAT }, TEST_ACTOR);
  const created = importZone(h, 'a.test.', { name: CAT, group: 'g1' });
  assert.equal(created.also?.length, 1, 'the import reports the catalog commit it made');
  assert.equal(created.also![0].apex, CAT);
  const cs = new CatalogStore(h.store);
  const label = cs.membership(h.store.zone('a.test.')!.id)!.label;
  const s1 = catSerial(h);

  member(h, 'a.test.', 'g2');
  assert.equal(catSerial(h), s1 + 1, 'one serial per change');
  assert.deepEqual(served(h).filter((l) => l.includes('zones.')), [`${label}.zones.${CAT} PTR a.test.`, `group.${label}.zones.${CAT} TXT "g2"`]);
  member(h, 'a.test.', null);
  assert.deepEqual(served(h).filter((l) => l.includes('zones.')), [`${label}.zones.${CAT} PTR a.test.`], 'no group: the property is gone, the label stays');
  assert.equal(member(h, 'a.test.', null).written, false, 'the same membership again changes nothing');

  // The journal holds each catalog change as an incremental step (what a consumer's IXFR gets).
  const steps = [...new XfrStore(h.store).journalFrom(h.store.zone(CAT)!.id, s1)];
  assert.equal(steps.length, 2);
  const last = steps[1];
  assert.deepEqual(decodeRRs(last.removed!).filter((r) => r.type === RRType.TXT).map((r) => r.name), [`group.${label}.zones.${CAT}`]);

  importZone(h, 'b.test.', { name: CAT });
  const before = catSerial(h);
  h.pipeline.commit({ kind: 'delete', apex: 'b.test.' }, TEST_ACTOR);
  assert.equal(catSerial(h), before + 1, 'deleting a member moves the catalog in the same commit');
  assert.deepEqual(served(h).filter((l) => l.includes('PTR')), [`${label}.zones.${CAT} PTR a.test.`]);

  member(h, 'a.test.', undefined, true);
  assert.deepEqual(served(h), [`${CAT} NS invalid.`, `version.${CAT} TXT "2"`]);
  assert.equal(cs.members(h.store.zone(CAT)!.id).length, 0);
  // Back in: a new label, so consumers start the zone afresh (RFC 9432 §5.6).
  member(h, 'a.test.');
  assert.notEqual(cs.membership(h.store.zone('a.test.')!.id)!.label, label);
  // The catalog's own audit trail names each step.
  const actions = h.store.db.prepare<[], { action: string }>(`SELECT action FROM audit WHERE zone = '${CAT}' ORDER BY id`).all().map((r) => r.action);
  assert.deepEqual([...new Set(actions)], ['catalog.create', 'catalog.add', 'catalog.group', 'catalog.remove']);
});

test('bad input changes nothing: unknown member or catalog, a catalog that is already a zone, bad groups, two catalogs, catalog edits by hand', (t) => {
  const h = host(t);
  h.pipeline.commit({ kind: 'catalog-create', apex: CAT }, TEST_ACTOR);
  importZone(h, 'a.test.');
  const version = () => h.store.zone(CAT)!.version;
  const v0 = version();

  assert.equal(errorOf(() => member(h, 'nothere.test.')).field, 'zone');
  assert.equal(errorOf(() => h.pipeline.commit({ kind: 'catalog-member', catalog: 'a.test.', member: 'a.test.' }, TEST_ACTOR)).field, 'catalog');
  assert.equal(errorOf(() => h.pipeline.commit({ kind: 'catalog-create', apex: 'a.test.' }, TEST_ACTOR)).code, 'exists');
  for (const bad of ['', 'x'.repeat(256), 'tab\there']) assert.equal(errorOf(() => member(h, 'a.test.', bad)).field, 'group', JSON.stringify(bad));
  assert.equal(errorOf(() => member(h, CAT)).field, 'zone', 'a catalog does not list itself');
  assert.equal(errorOf(() => member(h, 'a.test.', undefined, true)).code, 'no_zone', 'not a member');
  assert.equal(version(), v0, 'nothing written');

  // A zone created into a catalog that does not exist is not created either, in the store or in memory.
  assert.equal(errorOf(() => importZone(h, 'c.test.', { name: 'nocat.test.' })).field, 'catalog');
  assert.equal(h.store.zone('c.test.'), undefined);
  assert.equal(h.zones.get('c.test.'), undefined, 'memory follows the rollback');

  // One catalog per zone.
  h.pipeline.commit({ kind: 'catalog-create', apex: 'other-catz.test.' }, TEST_ACTOR);
  member(h, 'a.test.');
  assert.equal(errorOf(() => h.pipeline.commit({ kind: 'catalog-member', catalog: 'other-catz.test.', member: 'a.test.' }, TEST_ACTOR)).code, 'exists');

  // The catalog's records are the pipeline's: an edit or an import over it is refused.
  const e = errorOf(() => h.pipeline.commit({ kind: 'edit', apex: CAT, edits: [{ name: `x.zones.${CAT}`, type: RRType.PTR, ttl: 60, rdatas: [rdataFromText(RRType.PTR, 'a.test.', CAT)] }], action: 'test' }, TEST_ACTOR));
  assert.equal(e.code, 'not_allowed');
  assert.throws(() => h.pipeline.commit({ kind: 'import', apex: CAT, replace: true, records: parseZoneText(`@ 60 SOA a b 1 2 3 4 5\n@ 60 NS invalid.\n`, { origin: CAT }) }, TEST_ACTOR), EditError);
  assert.equal(served(h).filter((l) => l.includes('PTR')).length, 1);
});

test('the admin API: /api/v1/catalogs creates, lists, adds, moves and removes; errors name the field; scoped tokens are refused', async () => {
  const s = apiServer();
  const create = await s.call('POST', '/api/v1/catalogs', { name: 'catz.test' });
  assert.equal(create.statusCode, 201, create.body);
  assert.deepEqual(create.json().members, []);
  const put = await s.call('PUT', '/api/v1/catalogs/catz.test/members/example.com', { group: 'blue' });
  assert.equal(put.statusCode, 200, put.body);
  const [m] = put.json().members;
  assert.equal(m.zone, 'example.com.');
  assert.equal(m.group, 'blue');
  const moved = await s.call('PUT', '/api/v1/catalogs/catz.test/members/example.com');
  assert.deepEqual(moved.json().members.map((x: { label: string; group: string | null }) => [x.label, x.group]), [[m.label, null]], 'label kept, group gone');
  assert.equal((await s.call('GET', '/api/v1/catalogs')).json()[0].members.length, 1);

  const refusals: [string, string, unknown, number, string][] = [
    ['POST', '/api/v1/catalogs', { name: 'example.com' }, 409, 'name'],
    ['POST', '/api/v1/catalogs', { name: 'bad..name' }, 400, 'name'],
    ['PUT', '/api/v1/catalogs/catz.test/members/nothere.test', undefined, 404, 'zone'],
    ['PUT', '/api/v1/catalogs/example.com/members/example.com', undefined, 404, 'catalog'],
    ['PUT', '/api/v1/catalogs/catz.test/members/example.com', { group: 'a\u0001b' }, 400, 'group'],
    ['DELETE', '/api/v1/catalogs/catz.test/members/catz.test', undefined, 400, 'zone'],
    ['GET', '/api/v1/catalogs/nothere.test', undefined, 404, 'catalog'],
  ];
  for (const [method, url, body, status, field] of refusals) {
    const r = await s.call(method, url, body);
    assert.equal(r.statusCode, status, `${method} ${url}: ${r.body}`);
    assert.equal(r.json().field, field, `${method} ${url}: ${r.body}`);
  }
  const scoped = s.token({ admin: false, zone: 'example.com.', names: ['www.example.com.'], types: [RRType.TXT], label: 'scoped' });
  assert.equal((await s.call('GET', '/api/v1/catalogs', undefined, scoped)).statusCode, 403);
  assert.equal((await s.call('DELETE', '/api/v1/catalogs/catz.test/members/example.com')).statusCode, 204);
  assert.deepEqual((await s.call('GET', '/api/v1/catalogs/catz.test')).json().members, []);
});
