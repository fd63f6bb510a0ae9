// The ACME recipes of docs/acme/ end to end: pebble issues, certbot and lego ask, daneprime (2 workers) publishes with
// Knot as its secondary, and ldns-dane checks the live openssl s_server every second through two caching, validating
// unbounds (one asking daneprime, one asking Knot) while a renewal keeps the key and two planned key changes roll it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, X509Certificate } from 'node:crypto';
import { requireTool } from './helpers/tools.js';
import { tmpDir, ROOT } from './helpers/server.js';
import { cli, CLI, startServer, startKnot, freePort, waitFor, kdig, type Child } from './helpers/procs.js';
import { startPebble } from './helpers/acme.js';
import { makeCerts } from './helpers/certs.js';
import { startSServer, startUnbound53, withResolvConfAsync, type Unbound } from './helpers/dane-tools.js';
import type { RolloverStatus } from '../server/rollover/rollover.js';

const ZONE = 'example.test';
const HOST = `srv.${ZONE}`;
/** Every TTL of the zone: the holding time is twice this. */
const TTL = 3;
/** Not 127.0.59.4, which the live-check tests' unbound takes: both may run at once. */
const UNBOUND_PRIMARY = '127.0.59.21';
const UNBOUND_KNOT = '127.0.59.22';
const HOOKS = join(ROOT, 'docs/acme');

const spkiSha256 = (pem: string) => createHash('sha256').update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
const record = (certFile: string) => `3 1 1 ${spkiSha256(readFileSync(certFile, 'utf8'))}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Run a command without blocking the event loop (the check loop and the reload handshake go on meanwhile). */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const proc = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let out = '';
    proc.stdout.on('data', (d) => { out += d; });
    proc.stderr.on('data', (d) => { out += d; });
    proc.on('close', (status) => resolve({ status, out }));
  });
}

/** The TLSA records a server answers for `name` (kdig splits long hex: joined back). */
function tlsaAt(port: number, name: string): string[] {
  return kdig(['@127.0.0.1', '-p', String(port), name, 'TLSA', '+short']).trim().split('\n').filter(Boolean)
    .map((l) => { const [u, s, m, ...hex] = l.trim().split(/\s+/); return `${u} ${s} ${m} ${hex.join('').toLowerCase()}`; }).sort();
}

interface Failure { at: string; via: string; out: string }

test('ACME recipes with pebble, certbot and lego: a --reuse-key renewal leaves TLSA alone; planned key changes publish first, deploy at ready, retire by themselves; ldns-dane through daneprime and through Knot never fails', { timeout: 300_000 }, async (t) => {
  for (const tool of ['pebble', 'certbot', 'lego', 'openssl', 'kdig', 'knotd', 'unbound', 'ldns-dane', 'unshare', 'curl']) if (!requireTool(tool, t)) return;
  const { dir, cleanup } = tmpDir('daneprime-acme-rollover-');
  const children: Child[] = [];
  let looping = true;
  let loopDone: Promise<void> = Promise.resolve();
  t.after(async () => { looping = false; await loopDone; for (const c of children.reverse()) await c.stop(); cleanup(); });
  const port = await freePort(), badPort = await freePort(), knotPort = await freePort();
  const NAME = `_${port}._tcp.${HOST}`;
  const db = join(dir, 'dp.db');
  writeFileSync(join(dir, 'zone'), `$ORIGIN ${ZONE}.
$TTL ${TTL}
@ SOA ns1 hostmaster 1 2 2 1209600 ${TTL}
@ NS ns1
ns1 A 127.0.0.1
srv A 127.0.0.1
`);
  cli(['zone', 'import', join(dir, 'zone'), '--db', db]);
  const ds = cli(['zone', 'ds', ZONE, '--db', db]).trim().split('\n').map((l) => l.replace(/\s+IN\s+/, ' '));
  const xfrSecret = cli(['tsig', 'add', 'xfr', '--db', db]).trim().split('\n').pop()!;
  cli(['zone', 'secondary', 'add', ZONE, `127.0.0.1:${knotPort}`, '--tsig', 'xfr', '--db', db]);
  const certbotSecret = cli(['tsig', 'add', 'certbot', '--algorithm', 'hmac-sha256', '--db', db]).trim().split('\n').pop()!;
  const legoSecret = cli(['tsig', 'add', 'lego', '--algorithm', 'hmac-sha256', '--db', db]).trim().split('\n').pop()!;
  for (const key of ['certbot', 'lego']) cli(['update-policy', 'add', ZONE, '--key', key, '--name', '_acme-challenge.srv', '--type', 'TXT', '--db', db]);
  const admin = cli(['token', 'create', '--admin', '--db', db]).trim();
  // The hooks' own token: the service's TLSA owner, nothing else.
  const scoped = cli(['token', 'create', '--zone', ZONE, '--name', `_${port}._tcp.srv`, '--type', 'TLSA', '--db', db]).trim();

  const srv = await startServer(db, { DANEPRIME_API: '127.0.0.1:0', DANEPRIME_ROLLOVER_CHECK_INTERVAL: '1' }, 0, 2, ['--check-interval', '1h']);
  children.push(srv);
  const api = /api: listening on (http:\/\/\S+)/.exec(srv.log())![1] + '/api/v1';
  const knot = await startKnot(dir, { port: knotPort, primaryPort: srv.port, secret: xfrSecret, zone: ZONE });
  children.push(knot);
  const pebble = await startPebble(dir, srv.port);
  children.push(pebble);
  const status = async (): Promise<RolloverStatus> => {
    const res = await fetch(`${api}/zones/${ZONE}/services/${NAME}/rollover`, { headers: { authorization: `Bearer ${admin}` } });
    assert.equal(res.status, 200);
    return await res.json() as RolloverStatus;
  };

  // The hooks call `daneprime` from PATH, with DANEPRIME_DB.
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'daneprime'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(join(bin, 'daneprime'), 0o755);
  const certbotDirs = ['--config-dir', join(dir, 'certbot'), '--work-dir', join(dir, 'certbot-work'), '--logs-dir', join(dir, 'certbot-logs')];
  const creds = join(dir, 'rfc2136.ini');
  writeFileSync(creds, `dns_rfc2136_server = 127.0.0.1\ndns_rfc2136_port = ${srv.port}\ndns_rfc2136_name = certbot\ndns_rfc2136_secret = ${certbotSecret}\ndns_rfc2136_algorithm = HMAC-SHA256\n`, { mode: 0o600 });
  const certbotDns = ['--dns-rfc2136', '--dns-rfc2136-credentials', creds, '--dns-rfc2136-propagation-seconds', '1'];
  const hookEnv: NodeJS.ProcessEnv = {
    PATH: `${bin}:${process.env.PATH}`, DANEPRIME_DB: db, REQUESTS_CA_BUNDLE: pebble.caCert, LEGO_CA_CERTIFICATES: pebble.caCert,
    RELOAD_CMD: join(dir, 'reload.sh'), POLL: '1', MAX_WAIT: '60',
  };

  // The first certificate (key K0) through certbot's DNS-01, and its TLSA record, before anything is watched.
  const first = spawnSync('certbot', ['certonly', '--non-interactive', '--agree-tos', '--register-unsafely-without-email', '--server', pebble.directory,
    ...certbotDns, '--reuse-key', '--key-type', 'ecdsa', '-d', HOST, ...certbotDirs], { encoding: 'utf8', timeout: 90_000, env: { ...process.env, ...hookEnv } });
  assert.equal(first.status, 0, first.stdout + first.stderr);
  const live = join(dir, `certbot/live/${HOST}`);
  const k0 = record(join(live, 'cert.pem'));
  const put = async (owner: string, records: string[]) => {
    const res = await fetch(`${api}/zones/${ZONE}/rrsets/${owner}/TLSA`, {
      method: 'PUT', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ ttl: TTL, records }),
    });
    assert.ok(res.status < 300, await res.text());
  };
  await put(`_${port}._tcp.srv`, [k0]);
  cli(['service', 'add', NAME, '--connect', `127.0.0.1:${port}`, '--starttls', 'none', '--db', db]);
  // A port whose server shows another key than its record names: ldns-dane must fail there.
  await put(`_${badPort}._tcp.srv`, [k0]);
  const other = makeCerts(HOST);
  children.push(await startSServer({ port: badPort, cert: other.leafCert, key: other.leafKey }));

  // The service reads `served` (its certificate and key); reload.sh asks the test to restart s_server, and waits.
  let served = { cert: join(live, 'fullchain.pem'), key: join(live, 'privkey.pem') };
  let tls = await startSServer({ port, ...served });
  children.push(tls);
  writeFileSync(join(dir, 'reload.sh'), `#!/bin/sh
# The test holds openssl s_server: ask it to restart the server with the files now installed, and wait until it has.
touch "${dir}/reload.req"
while [ ! -e "${dir}/reload.done" ]; do sleep 0.1; done
rm -f "${dir}/reload.done"
`);
  chmodSync(join(dir, 'reload.sh'), 0o755);

  await waitFor('Knot to serve the TLSA record', 30_000, () => tlsaAt(knotPort, NAME).length === 1);
  const unbounds: Unbound[] = [];
  for (const [address, authPort, sub] of [[UNBOUND_PRIMARY, srv.port, 'unbound-primary'], [UNBOUND_KNOT, knotPort, 'unbound-knot']] as const) {
    mkdirSync(join(dir, sub));
    const u = await startUnbound53(join(dir, sub), { address, authPort, zone: `${ZONE}.`, ds, cache: true });
    children.push(u);
    unbounds.push(u);
  }
  const verify = (u: Unbound, p: number) => withResolvConfAsync(u.resolvConf, 'ldns-dane', ['-4', 'verify', HOST, String(p)], { timeoutMs: 20_000 });
  for (const u of unbounds) {
    const good = await verify(u, port);
    assert.equal(good.status, 0, `${u.address}: ${good.out}`);
    // The checker fails when it should: the same record, another key served.
    const bad = await verify(u, badPort);
    assert.notEqual(bad.status, 0, `${u.address} on the mismatching port: ${bad.out}`);
  }

  // One mutex for the checks and the restarts: s_server cannot be replaced without a moment where nothing listens on
  // the port (a real service reloads in place); no check runs in that moment.
  let lock: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => { const p = lock.then(fn); lock = p.catch(() => undefined); return p; };
  const failures: Failure[] = [];
  let checks = 0;
  loopDone = (async () => {
    while (looping) {
      const started = Date.now();
      await exclusive(async () => {
        const results = await Promise.all(unbounds.map(async (u) => ({ u, r: await verify(u, port) })));
        for (const { u, r } of results) {
          checks++;
          if (r.status !== 0) failures.push({ at: new Date().toISOString(), via: u.address === UNBOUND_KNOT ? 'unbound → Knot' : 'unbound → daneprime', out: r.out.trim() });
        }
      });
      await sleep(Math.max(0, 1000 - (Date.now() - started)));
    }
  })();

  /** Each reload: when it was asked for, and the rollover's state then. */
  const reloads: { at: number; state: string }[] = [];
  let watching = true;
  const reloader = (async () => {
    while (watching) {
      if (existsSync(join(dir, 'reload.req'))) {
        const state = (await status()).state;
        await exclusive(async () => {
          await tls.stop();
          tls = await startSServer({ port, ...served });
          children.push(tls);
        });
        reloads.push({ at: Date.now(), state });
        rmSync(join(dir, 'reload.req'));
        writeFileSync(join(dir, 'reload.done'), '');
      }
      await sleep(100);
    }
  })();
  t.after(async () => { watching = false; await reloader; });

  /** Run a scenario with the loop going; its failures and check count. */
  const window = async (fn: () => Promise<void>) => {
    const f0 = failures.length, c0 = checks;
    await fn();
    // One more full round after the end.
    await sleep(2200);
    return { failures: failures.slice(f0), checks: checks - c0 };
  };

  /** Poll the status every 200 ms while `fn` runs; every state seen, in order. */
  const watchStates = async (fn: () => Promise<void>): Promise<{ state: string; at: number }[]> => {
    const seen: { state: string; at: number }[] = [];
    let on = true;
    const poll = (async () => {
      while (on) {
        const s = (await status()).state;
        if (seen[seen.length - 1]?.state !== s) seen.push({ state: s, at: Date.now() });
        await sleep(200);
      }
    })();
    try { await fn(); } finally { on = false; await poll; }
    const s = (await status()).state;
    if (seen[seen.length - 1]?.state !== s) seen.push({ state: s, at: Date.now() });
    return seen;
  };

  /** The engine's transitions of this service, as the server logged them since `from`. */
  const transitions = (from: number) => [...srv.log().slice(from).matchAll(new RegExp(`rollover ${NAME.replace(/\./g, '\\.')}\\.?: (\\w+) → (\\w+)`, 'g'))].map((m) => `${m[1]}→${m[2]}`);

  await t.test('A: certbot renew with --reuse-key: the hook reloads, TLSA untouched; a renewal with a new key is refused by the hook', { timeout: 120_000 }, async () => {
    const serialBefore = new X509Certificate(readFileSync(join(live, 'cert.pem'))).serialNumber;
    const t0 = Date.now();
    const w = await window(async () => {
      const r = await run('certbot', ['renew', '--non-interactive', '--no-random-sleep-on-renew', '--force-renewal', '--deploy-hook', join(HOOKS, 'dane-renew-hook.sh'), ...certbotDirs],
        { ...hookEnv, DANE_NAME: NAME }, 90_000);
      assert.equal(r.status, 0, r.out);
      assert.match(r.out, /deployed \(key unchanged, TLSA untouched\)/);
    });
    const renewed = new X509Certificate(readFileSync(join(live, 'cert.pem')));
    assert.notEqual(renewed.serialNumber, serialBefore, 'a new certificate');
    assert.equal(record(join(live, 'cert.pem')), k0, 'the same key');
    assert.equal(reloads.length, 1, 'the hook reloaded the service once');
    assert.deepEqual(tlsaAt(srv.port, NAME), [k0]);
    assert.deepEqual(tlsaAt(knotPort, NAME), [k0]);
    assert.equal((await status()).state, 'steady');
    assert.deepEqual(w.failures, []);
    assert.ok(w.checks >= 4, `${w.checks} checks`);
    t.diagnostic(`A: renewal with the same key in ${Date.now() - t0} ms; ${w.checks} ldns-dane checks, ${w.failures.length} failed`);

    // A renewal with a new key: the hook must not deploy it (its key has no record).
    const refused = await run('certbot', ['renew', '--non-interactive', '--no-random-sleep-on-renew', '--force-renewal', '--new-key', '--deploy-hook', join(HOOKS, 'dane-renew-hook.sh'), ...certbotDirs],
      { ...hookEnv, DANE_NAME: NAME }, 90_000);
    assert.match(refused.out, /not deployed/, refused.out);
    assert.match(refused.out, /Hook 'deploy-hook' reported error code 1/);
    t.diagnostic(`A: certbot renew --new-key: exit ${refused.status}, the hook refused: ${/dane-renew-hook: [^\n]*/.exec(refused.out)?.[0]}`);
    assert.notEqual(record(join(live, 'cert.pem')), k0, 'certbot made a new key');
    assert.equal(reloads.length, 1, 'no reload');
    assert.deepEqual(tlsaAt(srv.port, NAME), [k0]);
  });

  /** A planned key change through dane-key-change.sh; returns the new record. */
  const keyChange = async (label: string, env: NodeJS.ProcessEnv): Promise<string> => {
    const before = (await status()).current;
    assert.equal(before.length, 1);
    const keyDir = join(dir, `keys-${label}`), tlsDir = join(dir, `tls-${label}`);
    mkdirSync(tlsDir);
    served = { cert: join(tlsDir, 'cert.pem'), key: join(tlsDir, 'key.pem') };
    const reloads0 = reloads.length, log0 = srv.log().length, t0 = Date.now();
    let out = '';
    const w = await window(async () => {
      const seen = await watchStates(async () => {
        const r = await run('sh', [join(HOOKS, 'dane-key-change.sh'), NAME, HOST], { ...hookEnv, KEY_DIR: keyDir, CERT_FILE: served.cert, KEY_FILE: served.key, ...env }, 100_000);
        out = r.out;
        assert.equal(r.status, 0, r.out);
      });
      const states = seen.map((s) => s.state);
      t.diagnostic(`${label}: states polled ${states.join(' → ')}`);
      // publishing or holding, then ready, then (after the deploy) steady; retiring is one commit long and is in the log.
      const ready = states.indexOf('ready');
      assert.ok(ready > 0 && states.slice(0, ready).some((s) => s === 'publishing' || s === 'holding'), states.join(' → '));
      assert.equal(states[states.length - 1], 'steady');
      assert.equal(reloads.length, reloads0 + 1, 'one reload');
      const reload = reloads[reloads.length - 1];
      assert.equal(reload.state, 'ready', 'the certificate was deployed while the engine said ready');
      const readyAt = seen[ready].at;
      assert.deepEqual(transitions(log0).filter((x) => x !== 'steady→publishing'), ['publishing→holding', 'holding→ready', 'ready→retiring', 'retiring→steady']);
      t.diagnostic(`${label}: ready ${readyAt - t0} ms after the start; deployed ${reload.at - readyAt} ms after ready; steady ${seen[seen.length - 1].at - reload.at} ms after the deploy`);
    });
    const now = record(served.cert);
    assert.ok(!before.includes(now), 'a new key');
    assert.deepEqual((await status()).current, [now]);
    await waitFor('daneprime and Knot to serve only the new record', 15_000, () => tlsaAt(srv.port, NAME).join() === now && tlsaAt(knotPort, NAME).join() === now);
    assert.match(new X509Certificate(readFileSync(served.cert)).issuer, /Pebble/i, 'issued by pebble');
    assert.match(out, /done: the old record is retired/);
    assert.deepEqual(w.failures, []);
    t.diagnostic(`${label}: key change in ${Date.now() - t0} ms; ${w.checks} ldns-dane checks (both resolvers), ${w.failures.length} failed`);
    return now;
  };

  await t.test('B: a planned key change with certbot --csr, through the CLI; a second run without its key deploys nothing', { timeout: 120_000 }, async () => {
    const acme = { ACME_CLIENT: 'certbot', ACME_ARGS: ['--server', pebble.directory, ...certbotDns, ...certbotDirs].join(' ') };
    // Started while the first run's rollover is under way: that key is not in its KEY_DIR.
    const intruder = (async () => {
      await waitFor('the rollover to start', 30_000, async () => ['publishing', 'holding'].includes((await status()).state));
      return run('sh', [join(HOOKS, 'dane-key-change.sh'), NAME, HOST],
        { ...hookEnv, ...acme, KEY_DIR: join(dir, 'keys-other'), CERT_FILE: join(dir, 'other.pem'), KEY_FILE: join(dir, 'other.key') }, 30_000);
    })();
    await keyChange('certbot', acme);
    const r = await intruder;
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /a rollover of .* is under way \((publishing|holding)\) without a key/);
    assert.ok(!existsSync(join(dir, 'other.pem')) && !existsSync(join(dir, 'other.key')), 'nothing installed');
  });

  const legoArgs = ['--server', pebble.directory, '--email', 'ops@example.test', '--accept-tos', '--dns', 'rfc2136', '--dns.resolvers', `127.0.0.1:${srv.port}`, '--dns.disable-cp'];
  const legoEnv = {
    DANEPRIME_API: api, DANEPRIME_TOKEN: scoped, DANEPRIME_ZONE: ZONE, LEGO_PATH: join(dir, 'lego'),
    RFC2136_NAMESERVER: `127.0.0.1:${srv.port}`, RFC2136_TSIG_KEY: 'lego.', RFC2136_TSIG_SECRET: legoSecret, RFC2136_TSIG_ALGORITHM: 'hmac-sha256.',
  };
  await t.test('C: a planned key change with lego --csr, through the API with a token scoped to the service; then lego renew --reuse-key keeps that key', { timeout: 120_000 }, async () => {
    const rolled = await keyChange('lego', { ACME_CLIENT: 'lego', KEY_ALG: 'rsa', ACME_ARGS: legoArgs.join(' '), ...legoEnv });
    const crt = join(dir, `lego/certificates/${HOST}.crt`);
    const serialBefore = new X509Certificate(readFileSync(crt)).serialNumber;
    const reloads0 = reloads.length, t0 = Date.now();
    // The service reads lego's own files from now on.
    served = { cert: crt, key: join(dir, `lego/certificates/${HOST}.key`) };
    const w = await window(async () => {
      // Pebble's certificates last years: --days makes this one due.
      const r = await run('lego', [...legoArgs, '--domains', HOST, 'renew', '--days', '100000', '--no-random-sleep', '--reuse-key', '--renew-hook', join(HOOKS, 'dane-renew-hook.sh')],
        { ...hookEnv, ...legoEnv, DANE_NAME: NAME }, 90_000);
      assert.equal(r.status, 0, r.out);
      assert.match(r.out, /deployed \(key unchanged, TLSA untouched\)/);
    });
    assert.notEqual(new X509Certificate(readFileSync(crt)).serialNumber, serialBefore, 'a new certificate');
    assert.equal(record(crt), rolled, 'the same key');
    assert.equal(reloads.length, reloads0 + 1);
    assert.deepEqual(tlsaAt(srv.port, NAME), [rolled]);
    assert.deepEqual(tlsaAt(knotPort, NAME), [rolled]);
    assert.deepEqual(w.failures, []);
    t.diagnostic(`C: lego renew --reuse-key in ${Date.now() - t0} ms; ${w.checks} ldns-dane checks, ${w.failures.length} failed`);
  });

  t.diagnostic(`ldns-dane checks in all: ${checks}, failed: ${failures.length}${failures.length ? ` ${JSON.stringify(failures.slice(0, 3))}` : ''}`);
  assert.deepEqual(failures, []);
});
