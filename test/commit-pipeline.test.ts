// The one commit path (zones/commit.ts): one serial per commit across processes, a linear journal whose steps any process's
// transfers agree with, all-or-nothing on failure, catch-up by names, and transfers from a snapshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Store } from '../zones/store/sqlite.js';
import { parseZoneText } from '../zones/io/zonefile-parse.js';
import { RRType } from '../zones/model/types.js';
import { rdataFromText, soaSerial } from '../zones/model/rdata/index.js';
import { decodeRRs } from '../zones/journal-step.js';
import { EditError, type RRsetEdit } from '../zones/commit.js';
import { ZoneSnapshot } from '../zones/snapshot.js';
import { initialKeys } from '../signer/keystore-sqlite.js';
import { hostZones, type ZoneHost } from '../server/zone-host.js';
import { TEST_ACTOR } from './helpers/dns.js';
import { tmpDir, ROOT } from './helpers/server.js';

const APEX = 'example.com.';
const fixture = readFileSync(fileURLToPath(new URL('../../test/fixtures/example.com.zone', import.meta.url)), 'utf8');
const T0 = 1_800_000_000;

/** Two serving hosts on one database file, each with its own connection: what two worker processes are. */
function twoHosts(t: { after(fn: () => void): void }, extra = ''): { a: ZoneHost; b: ZoneHost; clock: { now: number }; path: string } {
  const { dir, cleanup } = tmpDir('daneprime-commit-');
  const path = join(dir, 'z.db');
  const clock = { now: T0 };
  const first = new Store(path);
  hostZones(first, { serving: false, now: () => clock.now }).pipeline.commit({
    kind: 'import', apex: APEX, records: parseZoneText(fixture + extra, { origin: APEX, fileName: APEX }), makeKeys: () => initialKeys(T0, false),
  }, TEST_ACTOR);
  first.close();
  const a = hostZones(new Store(path), { serving: true, now: () => clock.now });
  const b = hostZones(new Store(path), { serving: true, now: () => clock.now });
  t.after(() => { a.store.close(); b.store.close(); cleanup(); });
  return { a, b, clock, path };
}

const txt = (name: string, text: string): RRsetEdit => ({ name, type: RRType.TXT, ttl: 300, rdatas: [rdataFromText(RRType.TXT, `"${text}"`, APEX)] });
const edit = (h: ZoneHost, edits: RRsetEdit[], ifSerial?: number) => h.pipeline.commit({ kind: 'edit', apex: APEX, edits, ifSerial, action: 'test.edit' }, TEST_ACTOR);
const serialOf = (h: ZoneHost) => soaSerial(h.zones.get(APEX)!.soa.rdatas[0]);

/** The signed zone as AXFR sends it, as a set of "owner type ttl rdata" lines (RRSIGs and NSEC3 included). */
function signedSet(h: ZoneHost, now: number): Set<string> {
  const out = new Set<string>();
  const signer = h.dnssec.forApex(APEX)!;
  for (const { rrset, sigs } of signer.signedRRsets(now)) {
    for (const rd of rrset.rdatas) out.add(`${rrset.name} ${rrset.type} ${rrset.ttl} ${rd.toString('hex')}`);
    for (const rd of sigs) out.add(`${rrset.name} ${RRType.RRSIG} ${rrset.ttl} ${rd.toString('hex')}`);
  }
  return out;
}

test('commits from two processes on one database: each gets its own serial, one more than the last; the journal is one chain', (t) => {
  const { a, b } = twoHosts(t);
  const start = serialOf(a);
  const serials: number[] = [];
  // Interleaved: each host commits while its memory is one commit behind the store.
  for (let i = 0; i < 20; i++) serials.push(edit(i % 2 ? b : a, [txt(`n${i}.example.com.`, `edit ${i}`)]).serial);
  assert.deepEqual(serials, Array.from({ length: 20 }, (_, i) => start + 1 + i));
  b.pipeline.catchUp(APEX);
  a.pipeline.catchUp(APEX);
  assert.equal(serialOf(a), start + 20);
  assert.equal(serialOf(b), start + 20);
  for (let i = 0; i < 20; i++) assert.ok(a.zones.get(APEX)!.rrset(`n${i}.example.com.`, RRType.TXT) && b.zones.get(APEX)!.rrset(`n${i}.example.com.`, RRType.TXT));
  const steps = [...a.xs.journalFrom(a.store.zone(APEX)!.id, start)];
  assert.deepEqual(steps.map((s) => [s.serial_from, s.serial_to]), serials.map((s) => [s - 1, s]));
  assert.ok(steps.every((s) => s.removed !== null && s.added !== null), 'every step incremental');
});

test('a journal step written by one process takes another process\'s transfer of the old version to its transfer of the new one', (t) => {
  const { a, b, clock } = twoHosts(t, Array.from({ length: 50 }, (_, i) => `h${i} A 192.0.2.${i}\n`).join(''));
  const before = signedSet(b, clock.now);
  const from = serialOf(b);
  clock.now += 60;
  // New names (NSEC3 entries and their predecessors change), a deleted name, a changed RRset.
  edit(a, [txt('fresh.example.com.', 'new'), { name: 'h7.example.com.', type: RRType.A }, txt('www.example.com.', 'changed'),
    { name: 'deep.ent.example.com.', type: RRType.A, ttl: 300, rdatas: [rdataFromText(RRType.A, '192.0.2.9', APEX)] }]);
  b.pipeline.catchUp(APEX);
  const after = signedSet(b, clock.now);
  const row = [...b.xs.journalFrom(b.store.zone(APEX)!.id, from)][0];
  assert.equal(row.serial_from, from);
  const applied = new Set(before);
  for (const rr of decodeRRs(row.removed!)) assert.ok(applied.delete(`${rr.name} ${rr.type} ${rr.ttl} ${rr.rdata.toString('hex')}`), `removes what b served: ${rr.name} ${rr.type}`);
  for (const rr of decodeRRs(row.added!)) applied.add(`${rr.name} ${rr.type} ${rr.ttl} ${rr.rdata.toString('hex')}`);
  assert.deepEqual([...applied].sort(), [...after].sort());
  // And both processes serve the same signed zone, RRSIG for RRSIG.
  a.pipeline.catchUp(APEX);
  assert.deepEqual([...signedSet(a, clock.now)].sort(), [...after].sort());
});

test('a commit whose write fails changes nothing: memory, records, serial, journal, signatures all as before', (t) => {
  const { a } = twoHosts(t);
  const zone = a.zones.get(APEX)!;
  const serial = serialOf(a);
  const set = signedSet(a, T0);
  const generation = a.zones.generation;
  a.store.db.exec(`CREATE TEMP TRIGGER no_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit log full'); END`);
  assert.throws(() => edit(a, [txt('fresh.example.com.', 'x'), { name: 'www.example.com.', type: RRType.A }]), /audit log full/);
  assert.equal(a.zones.get(APEX), zone);
  assert.equal(serialOf(a), serial);
  assert.equal(zone.rrset('fresh.example.com.', RRType.TXT), undefined);
  assert.ok(zone.rrset('www.example.com.', RRType.A));
  assert.deepEqual([...signedSet(a, T0)].sort(), [...set].sort(), 'the signed zone, NSEC3 chain included, is as before');
  assert.equal(a.store.records(a.store.zone(APEX)!.id) && [...a.store.recordsAt(a.store.zone(APEX)!.id, 'fresh.example.com.')].length, 0);
  assert.equal([...a.xs.journalFrom(a.store.zone(APEX)!.id, serial)].length, 0);
  assert.ok(a.zones.generation > generation, 'answers made during the attempt are not reused');
  a.store.db.exec('DROP TRIGGER no_audit');
  assert.equal(edit(a, [txt('fresh.example.com.', 'x')]).serial, serial + 1);
});

test('catching up re-reads only the names a commit touched: the zone object and unchanged RRsets stay', (t) => {
  const { a, b } = twoHosts(t);
  const zone = b.zones.get(APEX)!;
  const mx = zone.rrset(APEX, RRType.MX);
  edit(a, [txt('www.example.com.', 'one')]);
  edit(a, [txt('mail.example.com.', 'two')]);
  b.pipeline.catchUp(APEX);
  assert.equal(b.zones.get(APEX), zone, 'not reloaded whole');
  assert.equal(zone.rrset(APEX, RRType.MX), mx, 'untouched RRsets keep their objects (and signatures)');
  assert.ok(zone.rrset('mail.example.com.', RRType.TXT));
  assert.equal(b.zones.row(APEX)!.version, a.store.zone(APEX)!.version);
});

test('a change list that changes nothing writes nothing; stale If-Match, SOA deletion and two SOAs are refused', (t) => {
  const { a } = twoHosts(t);
  const serial = serialOf(a);
  const www = a.zones.get(APEX)!.rrset('www.example.com.', RRType.A)!;
  const r = edit(a, [{ name: www.name, type: www.type, ttl: www.ttl, rdatas: [...www.rdatas] }]);
  assert.equal(r.written, false);
  assert.equal(r.serial, serial);
  assert.equal(a.store.audit({ limit: 10 }).filter((e) => e.action === 'test.edit').length, 0);
  assert.throws(() => edit(a, [txt('x.example.com.', 'x')], serial - 1), (e) => e instanceof EditError && e.code === 'stale');
  const soa = a.zones.get(APEX)!.soa;
  assert.throws(() => edit(a, [{ name: APEX, type: RRType.SOA }]), (e) => e instanceof EditError && e.code === 'not_allowed');
  const other = Buffer.from(soa.rdatas[0]);
  other.writeUInt32BE(7, other.length - 4);
  assert.throws(() => edit(a, [{ name: APEX, type: RRType.SOA, ttl: soa.ttl, rdatas: [soa.rdatas[0], other] }]), (e) => e instanceof EditError && e.code === 'invalid');
  assert.equal(serialOf(a), serial);
});

test('a transfer\'s snapshot shows the version it started with while commits land, NSEC3 chain included', (t) => {
  const { a, clock } = twoHosts(t, Array.from({ length: 30 }, (_, i) => `h${i} A 192.0.2.${i}\n`).join(''));
  const before = signedSet(a, clock.now);
  const zone = a.zones.get(APEX)!;
  const signer = a.dnssec.forApex(APEX)!;
  const snapshot = new ZoneSnapshot(zone);
  const got = new Set<string>();
  const it = signer.signedSnapshot(snapshot, signer.context, clock.now)[Symbol.iterator]();
  const take = (n: number) => {
    for (let i = 0; i < n; i++) {
      const x = it.next();
      if (x.done) return false;
      for (const rd of x.value.rrset.rdatas) got.add(`${x.value.rrset.name} ${x.value.rrset.type} ${x.value.rrset.ttl} ${rd.toString('hex')}`);
      for (const rd of x.value.sigs) got.add(`${x.value.rrset.name} ${RRType.RRSIG} ${x.value.rrset.ttl} ${rd.toString('hex')}`);
    }
    return true;
  };
  take(10);
  for (let i = 0; i < 5; i++) {
    clock.now += 1;
    edit(a, [txt(`fresh${i}.example.com.`, `x${i}`), { name: `h${i * 3}.example.com.`, type: RRType.A }, txt('www.example.com.', `v${i}`)]);
    take(7);
  }
  // A re-sign too: new epoch, every signature new; the snapshot keeps signing as of its start.
  clock.now += 10;
  a.pipeline.commit({ kind: 'resign', apex: APEX, action: 'zone.resign' }, TEST_ACTOR);
  while (take(100));
  snapshot.close();
  assert.deepEqual([...got].sort(), [...before].sort());
  assert.notDeepEqual([...signedSet(a, clock.now)].sort(), [...before].sort(), 'the live zone did move on');
});

test('only the commit pipeline (and zone building, and the signer\'s apex records it asks for) mutates a zone', () => {
  const allowed = new Set(['zones/zone.ts', 'zones/zone-build.ts', 'zones/commit.ts', 'signer/zone-signer.ts']);
  const offenders: string[] = [];
  for (const top of ['zones', 'signer', 'server']) {
    const walk = (dir: string): void => {
      for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
        const rel = `${dir}/${e.name}`;
        if (e.isDirectory()) walk(rel);
        else if (rel.endsWith('.ts') && /\.setRRset\(/.test(readFileSync(join(ROOT, rel), 'utf8')) && !allowed.has(rel)) offenders.push(rel);
      }
    };
    walk(top);
  }
  assert.deepEqual(offenders, []);
});
