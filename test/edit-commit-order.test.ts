// Regression: an edit inside a caller's transaction (the API commits edits with their audit rows)
// is announced only after the outermost commit, so a sibling worker told about it re-reads the new
// rows. Told inside the transaction, a sibling would re-read the old rows and serve them until its
// next poll.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Store } from '../zones/store/sqlite.js';
import { Registry } from '../zones/registry.js';
import { parseZoneText } from '../zones/io/zonefile-parse.js';
import { importZone, applyEdits } from '../zones/update.js';
import { rdataFromText } from '../zones/model/rdata/index.js';
import { RRType } from '../zones/model/types.js';
import { tmpDir } from './helpers/server.js';

const APEX = 'example.com.';
const WWW = 'www.example.com.';
const fixture = readFileSync(fileURLToPath(new URL('../../test/fixtures/example.com.zone', import.meta.url)), 'utf8');

function setup(t: { after(fn: () => void): void }) {
  const { dir, cleanup } = tmpDir('daneprime-commit-');
  const path = join(dir, 'z.db');
  const store = new Store(path);
  importZone(store, APEX, parseZoneText(fixture, { origin: APEX, fileName: APEX }), { now: 1_800_000_000, settings: { signed: false } });
  const zones = new Registry(store);
  zones.sync();
  // Another connection to the same file: what a sibling worker's reloadNames would read.
  const sibling = new Store(path);
  const zoneId = store.zone(APEX)!.id;
  const siblingReads = () => sibling.recordsAt(zoneId, WWW).filter((r) => r.type === RRType.A).map((r) => [...r.rdata].join('.'));
  t.after(() => { sibling.close(); store.close(); cleanup(); });
  const edit = (ip: string) => applyEdits(store, zones, APEX, [{ name: WWW, type: RRType.A, ttl: 300, rdatas: [rdataFromText(RRType.A, ip, APEX)] }], { now: 1_800_000_100 });
  return { store, zones, siblingReads, edit };
}

test('a local edit inside an outer transaction is announced after the outer commit, when other connections can read it', (t) => {
  const { store, zones, siblingReads, edit } = setup(t);
  const seen: string[][] = [];
  zones.onChange((e) => { if (e.local) seen.push(siblingReads()); });
  store.transaction(() => {
    edit('192.0.2.82');
    assert.deepEqual(seen, [], 'not announced while the outer transaction is open');
    store.transaction(() => {}); // more writes after the edit, as the API's audit rows
  });
  assert.deepEqual(seen, [['192.0.2.82']], 'announced once, and the other connection already reads the new rows');
  // Outside any transaction the announcement is immediate, as before.
  edit('192.0.2.83');
  assert.deepEqual(seen, [['192.0.2.82'], ['192.0.2.83']]);
});

test('an edit whose outer transaction rolls back is never announced', (t) => {
  const { store, zones, siblingReads, edit } = setup(t);
  let announced = 0;
  zones.onChange((e) => { if (e.local) announced++; });
  assert.throws(() => store.transaction(() => { edit('192.0.2.99'); throw new Error('audit insert failed'); }), /audit insert failed/);
  assert.equal(announced, 0);
  assert.deepEqual(siblingReads(), ['192.0.2.80']);
  // A savepoint that rolls back inside a transaction that commits drops only its own waiters.
  store.transaction(() => {
    try { store.transaction(() => { edit('192.0.2.98'); throw new Error('inner'); }); } catch { /* the caller recovers */ }
  });
  assert.equal(announced, 0);
});
