// Live checks of Postfix's SMTP STARTTLS, held against posttls-finger and hash-slinger (DANE, through unbound validating our zone): the same verdict each time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requirePresent, requireTool } from './helpers/tools.js';
import { tmpDir, cli, runCli, freePort } from './helpers/server.js';
import { startServer, type Child } from './helpers/procs.js';
import { makeCerts, newLeaf } from './helpers/certs.js';
import { startUnbound53, withResolvConf } from './helpers/dane-tools.js';
import { startPostfix, postfixConfig, POSTFIX_DAEMONS } from './helpers/postfix.js';
import type { CheckJson } from '../server/checks/types.js';

const ZONE = 'example.test';
const MX = `mail.${ZONE}`;
const UNBOUND_ADDRESS = '127.0.59.5';
const spkiSha256 = (pem: string) => createHash('sha256').update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');

test('service check agrees with posttls-finger on Postfix (SMTP STARTTLS)', { timeout: 180_000 }, async (t) => {
  for (const tool of ['posttls-finger', 'unbound', 'unshare', 'kdig', 'openssl', 'tlsa']) if (!requireTool(tool, t)) return;
  if (!requirePresent(existsSync(join(POSTFIX_DAEMONS, 'master')), `Postfix's master is not in ${POSTFIX_DAEMONS}`, t)) return;
  const { dir, cleanup } = tmpDir('daneprime-checks-postfix-');
  const children: Child[] = [];
  t.after(async () => { for (const c of children.reverse()) await c.stop(); cleanup(); });
  const certs = makeCerts(MX);
  const tls = await freePort();
  const plain = await freePort();
  const db = join(dir, 'dp.db');
  writeFileSync(join(dir, 'zone'), `$ORIGIN ${ZONE}.
$TTL 60
@ SOA ns1 hostmaster 1 7200 3600 1209600 60
@ NS ns1
@ MX 10 mail
ns1 A 127.0.0.1
mail A 127.0.0.1
_${tls}._tcp.mail TLSA 3 1 1 ${spkiSha256(certs.leafPem)}
_${plain}._tcp.mail TLSA 3 1 1 ${spkiSha256(certs.leafPem)}
`);
  cli(['zone', 'import', join(dir, 'zone'), '--db', db]);
  const ds = cli(['zone', 'ds', ZONE, '--db', db]).trim().split('\n').map((l) => l.replace(/\s+IN\s+/, ' '));
  const dns = await startServer(db, { DANEPRIME_CHECK_INTERVAL: 'off' });
  children.push(dns);
  const unbound = await startUnbound53(dir, { address: UNBOUND_ADDRESS, authPort: dns.port, zone: `${ZONE}.`, ds });
  children.push(unbound);
  const services = [{ port: tls, starttls: true }, { port: plain, starttls: false }];
  let postfix = await startPostfix(join(dir, 'postfix'), { cert: certs.leafCert, key: certs.leafKey, services, hostname: MX });
  children.push(postfix);
  for (const port of [tls, plain]) cli(['service', 'add', `_${port}._tcp.${MX}`, '--starttls', 'smtp', '--connect', `127.0.0.1:${port}`, '--db', db]);

  const dsFile = join(dir, 'ds');
  writeFileSync(dsFile, ds.join('\n') + '\n');
  const tlsaShim = fileURLToPath(new URL('../../test/helpers/tlsa-verify.py', import.meta.url));
  const both = (port: number) => {
    const ours = runCli(['service', 'check', `_${port}._tcp.${MX}`, '--json', '--db', db], { timeoutMs: 30_000 });
    assert.ok(ours.status === 0 || ours.status === 1, `exit ${ours.status}: ${ours.stderr}`);
    // -l dane: TLSA from DNSSEC-validated lookups; [host]:port skips the MX lookup; -c: no session cache.
    const theirs = withResolvConf(unbound.resolvConf, 'posttls-finger', ['-c', '-l', 'dane', '-t', '10', '-T', '10', `[${MX}]:${port}`], { timeoutMs: 30_000, env: { MAIL_CONFIG: postfixConfig(join(dir, 'postfix')) } });
    const out = `${theirs.stdout}${theirs.stderr}`;
    // hash-slinger's tlsa over SMTP STARTTLS, validating itself from our DS through unbound (0: every record matched).
    const slinger = spawnSync('/usr/bin/python3', [tlsaShim, `${ZONE}.`, '--verify', '--starttls', 'smtp', '--resolvconf', unbound.resolvConf, '--rootkey', dsFile, '--port', String(port), MX],
      { encoding: 'utf8', timeout: 20_000 });
    return {
      json: JSON.parse(ours.stdout) as CheckJson, events: ours.stderr, verified: /Verified TLS connection established/.test(out), out,
      slingerOk: slinger.status === 0, slinger: `exit ${slinger.status}: ${slinger.stdout}${slinger.stderr}`,
    };
  };

  await t.test('3 1 1 over STARTTLS: match, and posttls-finger and hash-slinger verify', () => {
    const r = both(tls);
    assert.equal(r.json.verdict, 'match', JSON.stringify(r.json));
    assert.equal(r.verified, true, r.out);
    assert.equal(r.slingerOk, true, r.slinger);
    assert.equal(r.json.endpoints[0].tls?.version, 'TLSv1.3');
  });

  await t.test('a server without STARTTLS: starttls-unavailable; posttls-finger does not verify', () => {
    const r = both(plain);
    assert.equal(r.json.verdict, 'starttls-unavailable', JSON.stringify(r.json));
    assert.match(r.json.endpoints[0].reason!, /does not offer STARTTLS/);
    assert.equal(r.verified, false, r.out);
  });

  await t.test('the key replaced (Postfix restarted): mismatch and a critical key-changed event; posttls-finger and hash-slinger do not verify', async () => {
    const next = newLeaf(certs.dir, MX, 'next');
    // Idle smtpd processes keep the old key: a reload is not enough.
    await postfix.stop();
    postfix = await startPostfix(join(dir, 'postfix'), { cert: next.cert, key: next.key, services, hostname: MX });
    children.push(postfix);
    const r = both(tls);
    assert.equal(r.json.verdict, 'mismatch', JSON.stringify(r.json));
    assert.equal(r.json.endpoints[0].chain[0].spkiSha256, spkiSha256(readFileSync(next.cert, 'utf8')));
    assert.equal(r.verified, false, r.out);
    assert.match(r.slinger, /^exit 2/);
    assert.match(r.events, /check event critical: .*key changed/);
  });
});
