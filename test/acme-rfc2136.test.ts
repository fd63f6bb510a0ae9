// A certificate issued end to end through RFC 2136: pebble (a local ACME CA) validates DNS-01 against us, while certbot's
// dns-rfc2136 plugin (HMAC-MD5, its default) and lego's rfc2136 provider publish and remove _acme-challenge by UPDATE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool } from './helpers/tools.js';
import { cli, tmpDir, fixturePath, startServer } from './helpers/server.js';
import { startPebble } from './helpers/acme.js';
import { Store } from '../zones/store/sqlite.js';
import { XfrStore } from '../zones/store/xfr-sqlite.js';
import { decodeRRs } from '../zones/journal-step.js';
import { RRType } from '../zones/model/types.js';

/** The SANs of a PEM certificate, as openssl prints them. */
function sans(pem: string): string {
  return spawnSync('openssl', ['x509', '-in', pem, '-noout', '-ext', 'subjectAltName'], { encoding: 'utf8' }).stdout;
}

/** What the UPDATEs by `key` did: per commit, the challenge TXT added (with its RRSIG) or removed. */
function challengeSteps(db: string, key: string, owner: string): string[] {
  const store = new Store(db);
  try {
    const zoneId = store.zone('example.com.')!.id;
    const audit = store.audit({ zone: 'example.com.', limit: 1000 }).filter((e) => e.token_label === `tsig:${key}.`).reverse();
    const steps = [...new XfrStore(store).journalFrom(zoneId, 2024010101)];
    return audit.map((e) => {
      const after = e.after ? JSON.parse(e.after) as { name: string; records: string[] } : undefined;
      const before = e.before ? JSON.parse(e.before) as { name: string } : undefined;
      assert.equal((after ?? before)!.name, owner);
      if (!after) return 'removed';
      // The journal step of that commit adds the TXT and an RRSIG covering it: published signed.
      const step = steps.find((s) => s.added && decodeRRs(s.added).some((r) => r.name === owner && r.type === RRType.TXT));
      const signed = !!step && decodeRRs(step.added!).some((r) => r.name === owner && r.type === RRType.RRSIG && r.rdata.readUInt16BE(0) === RRType.TXT);
      return signed ? 'added, signed' : 'added, unsigned';
    });
  } finally {
    store.close();
  }
}

test('ACME DNS-01 over RFC 2136: certbot and lego get certificates from pebble; the challenge is published signed, then removed', { timeout: 120_000 }, async (t) => {
  for (const tool of ['pebble', 'certbot', 'lego', 'openssl', 'dig']) if (!requireTool(tool, t)) return;
  const { dir, cleanup } = tmpDir();
  t.after(cleanup);
  const db = join(dir, 'x.db');
  cli(['zone', 'import', fixturePath('example.com.zone'), '--db', db]);
  const secret = (name: string, alg: string) => cli(['tsig', 'add', name, '--algorithm', alg, '--db', db]).trim().split('\n').pop()!;
  const certbotSecret = secret('certbot', 'hmac-md5');
  const legoSecret = secret('lego', 'hmac-sha256');
  cli(['update-policy', 'add', 'example.com', '--key', 'certbot', '--name', '_acme-challenge.www', '--type', 'TXT', '--db', db]);
  cli(['update-policy', 'add', 'example.com', '--key', 'lego', '--name', '_acme-challenge.mail', '--type', 'TXT', '--db', db]);
  const srv = await startServer(db, { env: { DANEPRIME_WORKERS: '2' } });
  t.after(async () => { await srv.stop(); });
  const pebble = await startPebble(dir, srv.port);
  t.after(() => pebble.stop());

  await t.test('certbot certonly --dns-rfc2136', () => {
    const creds = join(dir, 'rfc2136.ini');
    writeFileSync(creds, `dns_rfc2136_server = 127.0.0.1\ndns_rfc2136_port = ${srv.port}\ndns_rfc2136_name = certbot\ndns_rfc2136_secret = ${certbotSecret}\ndns_rfc2136_algorithm = HMAC-MD5\n`);
    chmodSync(creds, 0o600);
    const r = spawnSync('certbot', ['certonly', '--non-interactive', '--agree-tos', '--register-unsafely-without-email', '--server', pebble.directory,
      '--dns-rfc2136', '--dns-rfc2136-credentials', creds, '--dns-rfc2136-propagation-seconds', '1', '-d', 'www.example.com',
      '--config-dir', join(dir, 'certbot'), '--work-dir', join(dir, 'certbot-work'), '--logs-dir', join(dir, 'certbot-logs')],
    { encoding: 'utf8', timeout: 90_000, env: { ...process.env, REQUESTS_CA_BUNDLE: pebble.caCert } });
    assert.equal(r.status, 0, r.stdout + r.stderr + pebble.log().slice(-2000));
    const cert = join(dir, 'certbot/live/www.example.com/cert.pem');
    assert.ok(existsSync(cert));
    assert.match(sans(cert), /DNS:www\.example\.com/);
    assert.deepEqual(challengeSteps(db, 'certbot', '_acme-challenge.www.example.com.'), ['added, signed', 'removed']);
  });

  await t.test('lego --dns rfc2136', () => {
    const r = spawnSync('lego', ['--server', pebble.directory, '--email', 'ops@example.com', '--accept-tos', '--dns', 'rfc2136',
      '--dns.resolvers', `127.0.0.1:${srv.port}`, '--dns.disable-cp', '--domains', 'mail.example.com', '--path', join(dir, 'lego'), 'run'], {
      encoding: 'utf8', timeout: 90_000,
      env: { ...process.env, LEGO_CA_CERTIFICATES: pebble.caCert, RFC2136_NAMESERVER: `127.0.0.1:${srv.port}`, RFC2136_TSIG_KEY: 'lego.',
        RFC2136_TSIG_SECRET: legoSecret, RFC2136_TSIG_ALGORITHM: 'hmac-sha256.' },
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const cert = join(dir, 'lego/certificates/mail.example.com.crt');
    assert.ok(existsSync(cert));
    assert.match(sans(cert), /DNS:mail\.example\.com/);
    assert.deepEqual(challengeSteps(db, 'lego', '_acme-challenge.mail.example.com.'), ['added, signed', 'removed']);
  });

  await t.test('nothing is left behind', () => {
    for (const host of ['www', 'mail']) {
      const r = spawnSync('dig', ['@127.0.0.1', '-p', String(srv.port), `_acme-challenge.${host}.example.com`, 'TXT', '+short'], { encoding: 'utf8' });
      assert.equal(r.stdout.trim(), '');
    }
  });
});
