// TSIG with every algorithm RFC 8945 lists, against kdig: signed queries get answers kdig verifies; a wrong secret gets BADSIG.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { requireTool } from './helpers/tools.js';
import { writeFileSync } from 'node:fs';
import { cli, runCli, cliEnv, CLI, tmpDir, fixturePath, startServer } from './helpers/server.js';

const ALGORITHMS = ['hmac-md5', 'hmac-sha1', 'hmac-sha224', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'];
const OUTPUT: Record<string, number> = { 'hmac-md5': 16, 'hmac-sha1': 20, 'hmac-sha224': 28, 'hmac-sha256': 32, 'hmac-sha384': 48, 'hmac-sha512': 64 };

test('TSIG: each algorithm signs and verifies against kdig, UDP and TCP; a wrong secret is BADSIG, an unknown key BADKEY', async (t) => {
  if (!requireTool('kdig', t)) return;
  const { dir, cleanup } = tmpDir();
  t.after(cleanup);
  const db = join(dir, 'x.db');
  cli(['zone', 'import', fixturePath('example.com.zone'), '--db', db]);
  const secrets = new Map(ALGORITHMS.map((a) => {
    const secret = cli(['tsig', 'add', `k-${a}`, '--algorithm', a, '--db', db]).trim().split('\n').pop()!;
    assert.equal(Buffer.from(secret, 'base64').length, OUTPUT[a], `a generated ${a} secret is as long as the hash`);
    return [a, secret];
  }));
  const srv = await startServer(db);
  t.after(async () => { await srv.stop(); });
  const kdig = (args: string[]) => spawnSync('kdig', ['@127.0.0.1', '-p', String(srv.port), 'example.com', 'SOA', ...args], { encoding: 'utf8', timeout: 10_000 });
  for (const a of ALGORITHMS) {
    for (const tcp of [[], ['+tcp']]) {
      const r = kdig([...tcp, '-y', `${a}:k-${a}:${secrets.get(a)}`]);
      assert.match(r.stdout, /status: NOERROR/, `${a} ${tcp.join('')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, new RegExp(`TSIG\\s+${a.replace('hmac-md5', 'hmac-md5\\.sig-alg\\.reg\\.int')}\\.`, 'i'));
      assert.doesNotMatch(r.stderr, /failed to verify/, `${a}: kdig verifies the answer`);
    }
    const wrong = Buffer.alloc(OUTPUT[a], 7).toString('base64');
    assert.match(kdig(['-y', `${a}:k-${a}:${wrong}`]).stdout, /status: BADSIG/, `${a}: wrong secret`);
  }
  assert.match(kdig(['-y', `hmac-sha256:nobody:${secrets.get('hmac-sha256')}`]).stdout, /status: BADKEY/);
});

test('tsig add --secret-file FILE or - (standard input): an existing secret imported without showing it to ps; kdig signs with it', async (t) => {
  if (!requireTool('kdig', t)) return;
  const { dir, cleanup } = tmpDir();
  t.after(cleanup);
  const db = join(dir, 'x.db');
  cli(['zone', 'import', fixturePath('example.com.zone'), '--db', db]);
  const secret = Buffer.alloc(32, 42).toString('base64');
  writeFileSync(join(dir, 'secret'), `${secret}\n`, { mode: 0o600 });
  cli(['tsig', 'add', 'from-file', '--secret-file', join(dir, 'secret'), '--db', db]);
  const piped = spawnSync(process.execPath, [CLI, 'tsig', 'add', 'from-stdin', '--secret-file', '-', '--db', db], { input: `\n${secret}\n`, encoding: 'utf8', env: cliEnv() });
  assert.equal(piped.status, 0, piped.stderr);
  assert.doesNotMatch(piped.stdout, new RegExp(secret.slice(0, 12)), 'an imported secret is not printed');
  assert.equal(runCli(['tsig', 'add', 'both', '--secret', secret, '--secret-file', '-', '--db', db]).status, 1);
  assert.match(runCli(['tsig', 'add', 'empty', '--secret-file', join(dir, 'nothere'), '--db', db]).stderr, /cannot read --secret-file/);
  const srv = await startServer(db);
  t.after(async () => { await srv.stop(); });
  for (const name of ['from-file', 'from-stdin']) {
    const r = spawnSync('kdig', ['@127.0.0.1', '-p', String(srv.port), 'example.com', 'SOA', '-y', `hmac-sha256:${name}:${secret}`], { encoding: 'utf8', timeout: 10_000 });
    assert.match(r.stdout, /status: NOERROR/, `${name}: ${r.stdout}`);
  }
});
