// Catalog zones (RFC 9432) read by three real consumers — Knot, BIND 9.18 and PowerDNS 4.7 — from daneprime with 2 workers:
// members appear, validate through each consumer, leave, change group, and a burst of 50 changes converges.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { requireTool, requirePresent } from './helpers/tools.js';
import { cli, startServer, freePorts, waitFor, kdig, track, type Child } from './helpers/procs.js';
import { tmpDir } from './helpers/server.js';

const FIXTURE = readFileSync(fileURLToPath(new URL('../../test/fixtures/example.com.zone', import.meta.url)), 'utf8');
const PDNS_SCHEMAS = ['/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql', '/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql'];
const CAT = 'catz.test';
/** Members made for the burst: created first, then added, moved and removed 50 times at once through the API. */
const BURST_ZONES = 20;

interface Consumer { name: string; host: string; port: number; child: Child }

/** The SOA serial `consumer` serves for `zone`, or undefined when it does not serve it. */
function servedSerial(c: Consumer, zone: string): number | undefined {
  const out = kdig([`@${c.host}`, '-p', String(c.port), zone, 'SOA', '+norecurse', '+timeout=1', '+retry=0']);
  const m = /status: NOERROR[\s\S]*?ANSWER SECTION:\n\S+\s+\d+\s+IN\s+SOA\s+\S+\s+\S+\s+(\d+)/.exec(out);
  return m ? Number(m[1]) : undefined;
}

function knot(dir: string, port: number, primary: number, secret: string): Child {
  const d = join(dir, 'knot');
  mkdirSync(join(d, 'db'), { recursive: true });
  mkdirSync(join(d, 'blue'), { recursive: true });
  const member = (id: string, extra: string) => `  - id: ${id}
    master: primary
    acl: notify_from_primary
    zonefile-load: none
    journal-content: changes
${extra}`;
  writeFileSync(join(d, 'knot.conf'), `server:
    listen: 127.0.0.2@${port}
    rundir: ${d}
database:
    storage: ${d}/db
key:
  - id: xfr
    algorithm: hmac-sha256
    secret: ${secret}
remote:
  - id: primary
    address: 127.0.0.1@${primary}
    key: xfr
acl:
  - id: notify_from_primary
    address: 127.0.0.1
    key: xfr
    action: notify
template:
${member('default', `    storage: ${d}\n    zonefile-sync: -1\n`)}
${member('blue', `    storage: ${d}/blue\n    zonefile-sync: 0\n`)}
zone:
  - domain: ${CAT}
    master: primary
    acl: notify_from_primary
    catalog-role: interpret
    catalog-template: [default, blue]
    storage: ${d}
    zonefile-sync: -1
    zonefile-load: none
log:
  - target: stderr
    any: info
`);
  return track(spawn('knotd', ['-c', join(d, 'knot.conf')], { stdio: ['ignore', 'pipe', 'pipe'] }));
}

function bind(dir: string, port: number, primary: number, secret: string): Child {
  const d = join(dir, 'bind');
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'named.conf'), `options {
  directory "${d}";
  pid-file none;
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  allow-new-zones yes;
  notify no;
  catalog-zones {
    zone "${CAT}." default-primaries { 127.0.0.1 port ${primary} key "xfr"; } in-memory yes;
  };
};
key "xfr" { algorithm hmac-sha256; secret "${secret}"; };
zone "${CAT}." { type secondary; primaries { 127.0.0.1 port ${primary} key "xfr"; }; file "${d}/catz.db"; };
`);
  return track(spawn('named', ['-g', '-c', join(d, 'named.conf')], { stdio: ['ignore', 'pipe', 'pipe'] }));
}

function powerdns(dir: string, port: number, primary: number, schema: string): Child {
  const d = join(dir, 'pdns');
  mkdirSync(d, { recursive: true });
  const db = new Database(join(d, 'pdns.sqlite3'));
  db.exec(readFileSync(schema, 'utf8'));
  db.close();
  writeFileSync(join(d, 'pdns.conf'), [
    // DNSSEC records stored and served: the members come signed (PowerDNS marks them presigned on transfer).
    'launch=gsqlite3', `gsqlite3-database=${join(d, 'pdns.sqlite3')}`, 'gsqlite3-dnssec=yes',
    'local-address=127.0.0.3', `local-port=${port}`, 'query-local-address=127.0.0.3', 'daemon=no', 'guardian=no', 'disable-syslog=yes', 'write-pid=no', `socket-dir=${d}`,
    // A secondary that looks at its zones every second (the default is a minute), and takes NOTIFY from loopback.
    'secondary=yes', 'xfr-cycle-interval=1', 'allow-notify-from=127.0.0.0/8', 'security-poll-suffix=', 'only-notify=', '',
  ].join('\n'));
  const util = (...args: string[]) => {
    const r = spawnSync('pdnsutil', [`--config-dir=${d}`, ...args], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 0, `pdnsutil ${args.join(' ')}: ${r.stderr}`);
  };
  util('create-secondary-zone', `${CAT}.`, `127.0.0.1:${primary}`);
  util('set-kind', `${CAT}.`, 'consumer');
  return track(spawn('pdns_server', [`--config-dir=${d}`], { stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** Wait until every consumer serves each zone in `present` at `serial` (any serial when undefined) and none of `absent`. */
async function converge(consumers: Consumer[], what: string, present: string[], absent: string[], serialOf: (zone: string) => number | undefined, ms = 60_000): Promise<number> {
  const started = Date.now();
  for (const c of consumers) {
    await waitFor(`${c.name}: ${what}`, Math.max(1000, ms - (Date.now() - started)), () =>
      present.every((z) => { const s = servedSerial(c, z); return s !== undefined && (serialOf(z) === undefined || s === serialOf(z)); })
      && absent.every((z) => servedSerial(c, z) === undefined)).catch((err: Error) => {
      const wrong = [...present, ...absent, CAT].map((z) => `${z} ${servedSerial(c, z) ?? 'not served'} (ours ${serialOf(z) ?? '-'})`).join(', ');
      throw new Error(`${err.message}\n${c.name} serves: ${wrong}\n--- ${c.name} log (tail) ---\n${c.child.log().slice(-3000)}`);
    });
  }
  return Date.now() - started;
}

function delvThrough(c: Consumer, ta: string, zone: string): string {
  const r = spawnSync('delv', [`@${c.host}`, '-p', String(c.port), '-a', ta, `+root=${zone}`, `www.${zone}`, 'A'], { encoding: 'utf8', timeout: 10_000 });
  return (r.stdout ?? '') + (r.stderr ?? '');
}

function trustAnchor(dir: string, ourPort: number, zone: string): string {
  const ksk = kdig(['@127.0.0.1', '-p', String(ourPort), zone, 'DNSKEY', '+short']).split('\n').find((l) => l.startsWith('257'))!;
  const [flags, proto, alg, ...key] = ksk.split(/\s+/);
  const ta = join(dir, `ta-${zone}.conf`);
  writeFileSync(ta, `trust-anchors { ${zone}. static-key ${flags} ${proto} ${alg} "${key.join('')}"; };\n`);
  return ta;
}

test('catalog zones: Knot, BIND and PowerDNS follow a daneprime catalog (2 workers): add, validate, remove, group, a burst of 50', { timeout: 300_000 }, async (t: TestContext) => {
  for (const tool of ['knotd', 'named', 'pdns_server', 'pdnsutil', 'kdig', 'delv']) if (!requireTool(tool, t)) return;
  const schema = PDNS_SCHEMAS.find((f) => existsSync(f));
  if (!requirePresent(!!schema, 'the gsqlite3 schema of pdns-backend-sqlite3 is not installed', t)) return;
  const { dir, cleanup } = tmpDir('daneprime-catz-');
  const db = join(dir, 'dp.db');
  const children: Child[] = [];
  try {
    const zoneFile = (zone: string) => {
      const f = join(dir, `${zone}.zone`);
      writeFileSync(f, FIXTURE.replace(/example\.com\./g, `${zone}.`));
      return f;
    };
    const secret = cli(['tsig', 'add', 'xfr', '--db', db]).trim().split('\n').pop()!;
    cli(['catalog', 'create', CAT, '--db', db]);
    const [pk, pb, pp] = await freePorts(3);
    cli(['zone', 'secondary', 'add', CAT, `127.0.0.2:${pk}`, '--tsig', 'xfr', '--db', db]);
    cli(['zone', 'secondary', 'add', CAT, `127.0.0.1:${pb}`, '--tsig', 'xfr', '--db', db]);
    // PowerDNS gives the member zones it makes the catalog's primaries but not its TSIG key: this consumer goes by address.
    cli(['zone', 'secondary', 'add', CAT, `127.0.0.3:${pp}`, '--db', db]);
    cli(['zone', 'import', zoneFile('m1.test'), '--catalog', CAT, '--db', db]);
    const token = cli(['token', 'create', '--admin', '--db', db]).trim();
    const ours = await startServer(db, { DANEPRIME_API: '127.0.0.1:0' }, 0, 2);
    children.push(ours);
    const api = `http://${/api: listening on http:\/\/(\S+)/.exec(ours.log())![1]}/api/v1`;
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${api}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
      assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${await r.text()}`);
    };
    const ourSerial = (zone: string) => servedSerial({ name: 'daneprime', host: '127.0.0.1', port: ours.port, child: ours }, zone);

    const consumers: Consumer[] = [
      { name: 'Knot', host: '127.0.0.2', port: pk, child: knot(dir, pk, ours.port, secret) },
      { name: 'BIND', host: '127.0.0.1', port: pb, child: bind(dir, pb, ours.port, secret) },
      { name: 'PowerDNS', host: '127.0.0.3', port: pp, child: powerdns(dir, pp, ours.port, schema!) },
    ];
    children.push(...consumers.map((c) => c.child));

    await t.test('a member: every consumer serves it, and delv validates through each', async () => {
      const ms = await converge(consumers, 'serve m1.test', ['m1.test'], [], ourSerial);
      t.diagnostic(`first member served by all three after ${ms} ms`);
      const ta = trustAnchor(dir, ours.port, 'm1.test');
      for (const c of consumers) assert.match(delvThrough(c, ta, 'm1.test'), /; fully validated[\s\S]*192\.0\.2\.80/, c.name);
    });

    await t.test('add one through the CLI, remove another through the API: consumers add and drop them', async () => {
      cli(['zone', 'import', zoneFile('m2.test'), '--db', db]);
      cli(['catalog', 'add', CAT, 'm2.test', '--db', db]);
      await call('DELETE', `/catalogs/${CAT}/members/m1.test`);
      const ms = await converge(consumers, 'serve m2.test and drop m1.test', ['m2.test'], ['m1.test'], ourSerial);
      t.diagnostic(`add + remove converged in ${ms} ms`);
      const ta = trustAnchor(dir, ours.port, 'm2.test');
      for (const c of consumers) assert.match(delvThrough(c, ta, 'm2.test'), /; fully validated/, c.name);
    });

    await t.test('a group change: Knot serves the member from the template named by the group', async () => {
      const blueFile = join(dir, 'knot', 'blue', 'm2.test.zone');
      assert.ok(!existsSync(blueFile), 'the default template writes no zone file');
      await call('PUT', `/catalogs/${CAT}/members/m2.test`, { group: 'blue' });
      await waitFor('Knot to read the group', 20_000, () =>
        /m2\.test\..*blue/.test(spawnSync('kcatalogprint', ['-c', join(dir, 'knot', 'knot.conf')], { encoding: 'utf8' }).stdout));
      // Knot takes a member's new template for what comes next: a change to the zone, which only template blue writes out.
      await call('PUT', '/zones/m2.test/rrsets/changed.m2.test./TXT', { ttl: 300, records: ['"after the group change"'] });
      const knotC = consumers[0];
      await waitFor('Knot to serve m2.test through template blue (its zone file written there)', 30_000, () => existsSync(blueFile)).catch((err: Error) => {
        const listed = spawnSync('kcatalogprint', ['-c', join(dir, 'knot', 'knot.conf')], { encoding: 'utf8' });
        throw new Error(`${err.message}\nkcatalogprint: ${listed.stdout}${listed.stderr}\n--- Knot log (tail) ---\n${knotC.child.log().slice(-4000)}`);
      });
      assert.match(readFileSync(blueFile, 'utf8'), /m2\.test\.\s+\d+\s+SOA/);
      assert.match(readFileSync(blueFile, 'utf8'), /after the group change/);
      await converge(consumers, 'still serve m2.test', ['m2.test'], [], ourSerial);
    });

    await t.test(`a burst of 50 changes through the API (${BURST_ZONES} zones added, moved between groups, some removed): every consumer converges`, async () => {
      const zones = Array.from({ length: BURST_ZONES }, (_, i) => `b${i}.test`);
      for (const z of zones) cli(['zone', 'import', zoneFile(z), '--db', db]);
      const ops: [string, string, unknown?][] = [];
      for (const z of zones) ops.push(['PUT', `/catalogs/${CAT}/members/${z}`]);                                  // 20 adds
      for (const z of zones.slice(0, 20)) ops.push(['PUT', `/catalogs/${CAT}/members/${z}`, { group: 'blue' }]);  // 20 group changes
      for (const z of zones.slice(0, 10)) ops.push(['DELETE', `/catalogs/${CAT}/members/${z}`]);                  // 10 removals
      assert.equal(ops.length, 50);
      const started = Date.now();
      // In order per zone, zones in parallel: 4 clients at once.
      const byZone = new Map<string, typeof ops>();
      for (const op of ops) { const z = op[1].split('/').pop()!; byZone.set(z, [...(byZone.get(z) ?? []), op]); }
      const queue = [...byZone.values()];
      await Promise.all(Array.from({ length: 4 }, async () => { for (let q; (q = queue.shift());) for (const [m, p, b] of q) await call(m, p, b); }));
      const ms = await converge(consumers, 'follow the burst', [...zones.slice(10), 'm2.test'], zones.slice(0, 10), ourSerial, 120_000);
      t.diagnostic(`50 catalog changes in ${Date.now() - started - ms} ms; all three consumers converged ${ms} ms later`);
    });
  } finally {
    for (const c of children.reverse()) await c.stop();
    cleanup();
  }
});
