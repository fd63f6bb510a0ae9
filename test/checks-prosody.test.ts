// Live checks of Prosody's XMPP STARTTLS (c2s and s2s), found through SRV records in a zone we serve (RFC 7673, RFC 7712).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, X509Certificate } from 'node:crypto';
import { requireTool } from './helpers/tools.js';
import { tmpDir, cli, runCli, freePort } from './helpers/server.js';
import type { Child } from './helpers/procs.js';
import { makeCerts } from './helpers/certs.js';
import { startProsody } from './helpers/prosody.js';
import type { CheckJson } from '../server/checks/types.js';

const ZONE = 'example.test';
const TARGET = `xmpp.${ZONE}`;
const spkiSha256 = (pem: string) => createHash('sha256').update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');

test('add-srv follows the XMPP SRV records; Prosody\'s c2s and s2s STARTTLS match their TLSA', { timeout: 120_000 }, async (t) => {
  for (const tool of ['prosody', 'setpriv', 'openssl']) if (!requireTool(tool, t)) return;
  const { dir, cleanup } = tmpDir('daneprime-checks-prosody-');
  const children: Child[] = [];
  t.after(async () => { for (const c of children.reverse()) await c.stop(); cleanup(); });
  // The certificate names the service domain (RFC 7712 §3: what XMPP clients check without DANE).
  const certs = makeCerts(ZONE);
  const c2s = await freePort();
  const s2s = await freePort();
  const db = join(dir, 'dp.db');
  writeFileSync(join(dir, 'zone'), `$ORIGIN ${ZONE}.
$TTL 60
@ SOA ns1 hostmaster 1 7200 3600 1209600 60
@ NS ns1
ns1 A 127.0.0.1
xmpp A 127.0.0.1
_xmpp-client._tcp SRV 5 0 ${c2s} xmpp
_xmpp-server._tcp SRV 5 0 ${s2s} xmpp
_${c2s}._tcp.xmpp TLSA 3 1 1 ${spkiSha256(certs.leafPem)}
_${s2s}._tcp.xmpp TLSA 2 1 1 ${'ee'.repeat(32)}
`);
  cli(['zone', 'import', join(dir, 'zone'), '--db', db]);
  children.push(await startProsody(join(dir, 'prosody'), { domain: ZONE, cert: certs.leafCert, key: certs.leafKey, c2s, s2s }));

  await t.test('add-srv adds one service per target, TLSA at _PORT._tcp.TARGET, with the service domain', () => {
    assert.match(cli(['service', 'add-srv', `_xmpp-client._tcp.${ZONE}`, '--db', db]), new RegExp(`added service _${c2s}\\._tcp\\.${TARGET}\\. \\(xmpp-client, service domain ${ZONE}\\.\\)`));
    assert.match(cli(['service', 'add-srv', `_xmpp-server._tcp.${ZONE}`, '--db', db]), new RegExp(`added service _${s2s}\\._tcp\\.${TARGET}\\. \\(xmpp-server`));
    const bad = runCli(['service', 'add-srv', `_imap._tcp.${ZONE}`, '--db', db]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /srv: .*has no SRV records/);
  });

  await t.test('c2s: STARTTLS, match against 3 1 1 at the target', () => {
    const r = runCli(['service', 'check', `_${c2s}._tcp.${TARGET}`, '--json', '--db', db], { timeoutMs: 30_000 });
    const json = JSON.parse(r.stdout) as CheckJson;
    assert.equal(json.verdict, 'match', r.stdout + r.stderr);
    assert.equal(r.status, 0);
    assert.equal(json.endpoints[0].address, `127.0.0.1:${c2s}`);
  });

  await t.test('s2s: STARTTLS works, but the 2 1 1 record names no certificate sent: mismatch, exit 1', () => {
    const r = runCli(['service', 'check', `_${s2s}._tcp.${TARGET}`, '--json', '--db', db], { timeoutMs: 30_000 });
    const json = JSON.parse(r.stdout) as CheckJson;
    assert.equal(json.verdict, 'mismatch', r.stdout + r.stderr);
    assert.equal(r.status, 1);
    assert.ok(json.endpoints[0].tls, 'TLS was reached over the server-to-server stream');
  });
});
