// `serve` signs in the background after loading (unless told not to): then a random-label flood makes no new signature.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../zones/store/sqlite.js';
import { parseZoneText } from '../zones/io/zonefile-parse.js';
import { importZone } from '../zones/update.js';
import { initialKeys } from '../signer/keystore-sqlite.js';
import { serve, type RunningServer } from '../server/main.js';
import { buildQuery, rawAsk } from './helpers/dns.js';
import { verifySigned } from './helpers/signed.js';
import { tmpDir, fixturePath } from './helpers/server.js';

const APEX = 'example.com.';

async function start(presign: boolean, t: { after(fn: () => unknown): void }): Promise<RunningServer> {
  const { dir, cleanup } = tmpDir('daneprime-presign-');
  t.after(cleanup);
  const db = join(dir, 'z.db');
  const text = readFileSync(fixturePath('example.com.zone'), 'utf8') + Array.from({ length: 500 }, (_, i) => `n${i} A 192.0.2.${i & 255}\n`).join('');
  const store = new Store(db);
  const now = Math.floor(Date.now() / 1000);
  importZone(store, APEX, parseZoneText(text, { origin: APEX }), { now, makeKeys: () => initialKeys(now, false) });
  store.close();
  const srv = await serve({ db, dns: [{ host: '127.0.0.1', port: 0 }], log: () => {}, presign });
  t.after(() => srv.close());
  return srv;
}

const settle = async (srv: RunningServer): Promise<number> => {
  // Signed once the count stops moving for a while (slices run every timer tick).
  let last = -1;
  for (let i = 0; i < 200 && srv.dnssec.cache.signed !== last; i++) {
    last = srv.dnssec.cache.signed;
    await new Promise((r) => setTimeout(r, 50));
  }
  return srv.dnssec.cache.signed;
};

test('serve signs the chain and the zone in the background; random names then cost no signature', async (t) => {
  const srv = await start(true, t);
  const signed = await settle(srv);
  const chain = srv.dnssec.forApex(APEX)!.chain.size;
  assert.ok(signed > chain + 500, `${signed} signatures: the ${chain} NSEC3 records and the 500+ RRsets`);
  for (let i = 0; i < 100; i++) {
    const label = Math.random().toString(36).slice(2);
    for (const name of [`${label}.example.com`, `${label}.wild.example.com`]) {
      const reply = rawAsk(srv.ctx, buildQuery(name, 'A', { dnssecOk: true }))!;
      if (i < 5) verifySigned(srv, APEX, reply);
    }
  }
  assert.equal(srv.dnssec.cache.signed, signed, 'no signature made for 200 random names');
});

test('DANEPRIME_PRESIGN=0 (presign: false): nothing is signed before it is asked for', async (t) => {
  const srv = await start(false, t);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(srv.dnssec.cache.signed, 0);
  rawAsk(srv.ctx, buildQuery('www.example.com', 'A', { dnssecOk: true }));
  assert.ok(srv.dnssec.cache.signed > 0);
});
