// Live checks against openssl s_server, held against ldns-dane verify and hash-slinger's tlsa --verify through unbound validating our signed zone: the same verdict in every scenario.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requireTool } from './helpers/tools.js';
import { tmpDir, cli, runCli, freePort } from './helpers/server.js';
import { startServer, type Child } from './helpers/procs.js';
import { makeCerts, newLeaf } from './helpers/certs.js';
import { startUnbound53, withResolvConf, legacyOpensslConf, startSServer } from './helpers/dane-tools.js';
import type { CheckJson } from '../server/checks/types.js';

const ZONE = 'example.test';
const HOST = `srv.${ZONE}`;
const UNBOUND_ADDRESS = '127.0.59.4';

const spkiSha256 = (pem: string) => createHash('sha256').update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');

/** The five ports of the scenarios; TLSA for each is in the zone from the start. */
interface Ports { ee: number; ta: number; tls11: number; cbc: number; closed: number }

function zoneText(ports: Ports, leafPem: string, caPem: string): string {
  return `$ORIGIN ${ZONE}.
$TTL 60
@ SOA ns1 hostmaster 1 7200 3600 1209600 60
@ NS ns1
ns1 A 127.0.0.1
srv A 127.0.0.1
_${ports.ee}._tcp.srv TLSA 3 1 1 ${spkiSha256(leafPem)}
_${ports.ta}._tcp.srv TLSA 2 1 1 ${spkiSha256(caPem)}
_${ports.tls11}._tcp.srv TLSA 3 1 1 ${spkiSha256(leafPem)}
_${ports.cbc}._tcp.srv TLSA 3 1 1 ${spkiSha256(leafPem)}
_${ports.closed}._tcp.srv TLSA 3 1 1 ${spkiSha256(leafPem)}
`;
}

test('service check agrees with ldns-dane and hash-slinger (through unbound, validating) on direct-TLS servers', { timeout: 180_000 }, async (t) => {
  for (const tool of ['openssl', 'unbound', 'ldns-dane', 'unshare', 'kdig', 'tlsa', 'python3']) if (!requireTool(tool, t)) return;
  const { dir, cleanup } = tmpDir('daneprime-checks-');
  const children: Child[] = [];
  t.after(async () => { for (const c of children.reverse()) await c.stop(); cleanup(); });
  const certs = makeCerts(HOST);
  const ports: Ports = { ee: await freePort(), ta: await freePort(), tls11: await freePort(), cbc: await freePort(), closed: await freePort() };
  const db = join(dir, 'dp.db');
  writeFileSync(join(dir, 'zone'), zoneText(ports, certs.leafPem, certs.caPem));
  cli(['zone', 'import', join(dir, 'zone'), '--db', db]);
  const ds = cli(['zone', 'ds', ZONE, '--db', db]).trim().split('\n').map((l) => l.replace(/\s+IN\s+/, ' '));
  const dns = await startServer(db, { DANEPRIME_CHECK_INTERVAL: 'off' });
  children.push(dns);
  const unbound = await startUnbound53(dir, { address: UNBOUND_ADDRESS, authPort: dns.port, zone: `${ZONE}.`, ds });
  children.push(unbound);
  const legacy = legacyOpensslConf(dir);

  const servers: Record<string, Child> = {};
  const serve = async (name: keyof Ports, cert: string, key: string, extra: { chain?: string; args?: string[] } = {}) => {
    await servers[name]?.stop();
    servers[name] = await startSServer({ port: ports[name], cert, key, ...extra });
    children.push(servers[name]);
  };
  await serve('ee', certs.leafCert, certs.leafKey);
  await serve('ta', certs.leafCert, certs.leafKey, { chain: certs.caCert });
  await serve('tls11', certs.leafCert, certs.leafKey, { args: ['-tls1_1', '-cipher', 'DEFAULT:@SECLEVEL=0'] });
  await serve('cbc', certs.leafCert, certs.leafKey, { args: ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-SHA'] });
  for (const p of Object.keys(ports) as (keyof Ports)[]) cli(['service', 'add', `_${ports[p]}._tcp.${HOST}`, '--connect', `127.0.0.1:${ports[p]}`, '--db', db]);

  // hash-slinger's `tlsa --verify`, validating itself from the DS through our unbound.
  const dsFile = join(dir, 'ds');
  writeFileSync(dsFile, ds.join('\n') + '\n');
  const tlsaShim = fileURLToPath(new URL('../../test/helpers/tlsa-verify.py', import.meta.url));

  /** daneprime's verdict and exit status, and ldns-dane's and hash-slinger's exit status and output, for one port. */
  const both = (port: number) => {
    const ours = runCli(['service', 'check', `_${port}._tcp.${HOST}`, '--json', '--db', db], { timeoutMs: 30_000 });
    assert.ok(ours.status === 0 || ours.status === 1, `exit ${ours.status}: ${ours.stderr}`);
    const json = JSON.parse(ours.stdout) as CheckJson;
    assert.equal(ours.status === 0, json.verdict === 'match', 'exit 0 exactly when the verdict is match');
    const theirs = withResolvConf(unbound.resolvConf, 'ldns-dane', ['-4', 'verify', HOST, String(port)], { env: { OPENSSL_CONF: legacy }, timeoutMs: 20_000 });
    // 0: every record matched; 2: one did not; 1: an error (no connection). The system Python, as tlsa's own #! says.
    const slinger = spawnSync('/usr/bin/python3', [tlsaShim, `${ZONE}.`, '--verify', '--resolvconf', unbound.resolvConf, '--rootkey', dsFile, '--port', String(port), HOST],
      { encoding: 'utf8', timeout: 20_000, env: { ...process.env, OPENSSL_CONF: legacy } });
    return {
      json, events: ours.stderr, ldnsOk: theirs.status === 0, ldns: `${theirs.stdout}${theirs.stderr}`,
      slingerOk: slinger.status === 0, slinger: `exit ${slinger.status}: ${slinger.stdout}${slinger.stderr}`,
    };
  };

  await t.test('3 1 1 on a TLS 1.3 server: match, as ldns-dane and hash-slinger say; no version or cipher warning', () => {
    const r = both(ports.ee);
    assert.equal(r.json.verdict, 'match', JSON.stringify(r.json));
    assert.equal(r.ldnsOk, true, r.ldns);
    assert.match(r.ldns, /dane-validated successfully/);
    assert.equal(r.slingerOk, true, r.slinger);
    const e = r.json.endpoints[0];
    assert.equal(e.address, `127.0.0.1:${ports.ee}`);
    assert.equal(e.tls!.version, 'TLSv1.3');
    assert.deepEqual(e.matched, [`3 1 1 ${spkiSha256(certs.leafPem)}`]);
    assert.equal(e.chain.length, 1);
    assert.equal(e.chain[0].spkiSha256, spkiSha256(certs.leafPem));
    assert.match(e.chain[0].certSha256, /^[0-9a-f]{64}$/);
    assert.ok(!e.warnings.some((w) => /TLS version|AEAD|forward secrecy/.test(w)), e.warnings.join('; '));
    assert.ok(!Number.isNaN(Date.parse(r.json.checkedAt)));
  });

  await t.test('2 1 1 with the issuer in the sent chain: match, as ldns-dane and hash-slinger say', () => {
    const r = both(ports.ta);
    assert.equal(r.json.verdict, 'match', JSON.stringify(r.json));
    assert.equal(r.ldnsOk, true, r.ldns);
    assert.equal(r.json.endpoints[0].chain.length, 2);
    assert.equal(r.slingerOk, true, r.slinger);
  });

  await t.test('TLS 1.1 only: match with a version warning; ldns-dane and hash-slinger (security level 0) agree', () => {
    const r = both(ports.tls11);
    assert.equal(r.json.verdict, 'match', JSON.stringify(r.json));
    assert.equal(r.ldnsOk, true, r.ldns);
    assert.equal(r.slingerOk, true, r.slinger);
    assert.equal(r.json.endpoints[0].tls!.version, 'TLSv1.1');
    assert.ok(r.json.endpoints[0].warnings.some((w) => /TLSv1\.1 is below TLS 1\.2/.test(w)), r.json.endpoints[0].warnings.join('; '));
  });

  await t.test('a CBC (non-AEAD) suite: match with a cipher warning; ldns-dane and hash-slinger agree', () => {
    const r = both(ports.cbc);
    assert.equal(r.json.verdict, 'match');
    assert.equal(r.ldnsOk, true, r.ldns);
    assert.equal(r.slingerOk, true, r.slinger);
    assert.ok(r.json.endpoints[0].warnings.some((w) => /is not AEAD/.test(w)), r.json.endpoints[0].warnings.join('; '));
  });

  await t.test('an unreachable address: unreachable; ldns-dane fails, hash-slinger cannot connect', () => {
    const r = both(ports.closed);
    assert.equal(r.json.verdict, 'unreachable');
    assert.equal(r.ldnsOk, false, r.ldns);
    // hash-slinger reports the failed connection but exits 0 (it verified no record, none failed).
    assert.match(r.slinger, /Cannot connect to 127\.0\.0\.1/);
  });

  await t.test('the key replaced: mismatch, as ldns-dane and hash-slinger say, and a critical "key changed" event', () => {
    const next = newLeaf(certs.dir, HOST, 'next');
    return (async () => {
      await serve('ee', next.cert, next.key);
      const r = both(ports.ee);
      assert.equal(r.json.verdict, 'mismatch', JSON.stringify(r.json));
      assert.equal(r.ldnsOk, false, r.ldns);
      assert.equal(r.slingerOk, false, r.slinger);
      assert.match(r.slinger, /^exit 2/);
      assert.equal(r.json.endpoints[0].chain[0].spkiSha256, spkiSha256(readFileSync(next.cert, 'utf8')));
      // The first check after the change raised the event; a second one sees the same key and raises none.
      assert.match(r.events, /check event critical: .*key changed \(certificate SHA-256 [0-9a-f]{64} → [0-9a-f]{64}\); the new one matches no TLSA record/);
      const again = runCli(['service', 'check', `_${ports.ee}._tcp.${HOST}`, '--db', db], { timeoutMs: 30_000 });
      assert.equal(again.status, 1);
      assert.match(again.stdout, /mismatch/);
      assert.doesNotMatch(again.stderr, /key changed/);
    })();
  });

  await t.test('usage errors exit 2, with one line', () => {
    const unknown = runCli(['service', 'check', `_1._tcp.${HOST}`, '--db', db]);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /^daneprime: no service _1\._tcp\.srv\.example\.test\./);
    assert.equal(runCli(['service', 'check', '--db', db]).status, 2);
    assert.equal(runCli(['service', 'check', 'x', '--bogus', '--db', db]).status, 2);
  });

  await t.test('bad input stores nothing: not a TLSA owner, no TLSA there, unknown STARTTLS, bad address', () => {
    const before = cli(['service', 'list', '--db', db]);
    for (const [args, msg] of [
      [[`www.${ZONE}`], /name: .*is not a TLSA owner/],
      [[`_9._tcp.${HOST}`], /name: .*has no TLSA records/],
      [[`_${ports.ee}._tcp.${HOST}`, '--starttls', 'gopher'], /starttls: unknown STARTTLS kind "gopher"/],
      [[`_${ports.ee}._tcp.${HOST}`, '--connect', 'localhost:25'], /connect: bad address "localhost:25"/],
      [[`_${ports.ee}._tcp.other.invalid`], /name: .*not in a zone served here/],
    ] as [string[], RegExp][]) {
      const r = runCli(['service', 'add', ...args, '--db', db]);
      assert.equal(r.status, 1, r.stdout);
      assert.match(r.stderr, msg);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
    assert.equal(cli(['service', 'list', '--db', db]), before);
  });

  await t.test('list shows each service with its last verdict', () => {
    const list = cli(['service', 'list', ZONE, '--db', db]);
    const row = list.split('\n').find((l) => l.startsWith(`_${ports.ee}._tcp.${HOST}.\t`));
    assert.deepEqual(row?.split('\t').filter((_, i) => i !== 3), [`_${ports.ee}._tcp.${HOST}.`, 'none', `127.0.0.1:${ports.ee}`, 'mismatch']);
  });
});
