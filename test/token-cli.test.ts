// `daneprime token create|list|revoke`: the secret once on stdout, scope rules shared with the API, one-line errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Store } from '../zones/store/sqlite.js';
import { verifyToken } from '../server/admin/tokens.js';

const CLI = fileURLToPath(new URL('../server/cli.js', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../../test/fixtures/example.com.zone', import.meta.url));

function run(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

test('token create/list/revoke', () => {
  const db = join(mkdtempSync(join(tmpdir(), 'daneprime-tok-')), 'db.sqlite');
  assert.equal(run(['zone', 'import', FIXTURE, '--db', db]).status, 0);
  const admin = run(['token', 'create', '--admin', '--label', 'ops', '--db', db]);
  assert.equal(admin.status, 0, admin.stderr);
  const secret = admin.stdout.trim();
  assert.match(secret, /^dp_[A-Za-z0-9_-]{43}$/);
  assert.equal(admin.stdout, secret + '\n', 'stdout holds the secret only');
  assert.match(admin.stderr, /created admin token id 1/);

  const scoped = run(['token', 'create', '--zone', 'example.com.', '--name', 'www', '--name', 'mail.example.com', '--subtree', '--type', 'tlsa', '--type', 'A', '--db', db]);
  assert.equal(scoped.status, 0, scoped.stderr);
  const store = new Store(db);
  try {
    const p = verifyToken(store, scoped.stdout.trim())!;
    assert.deepEqual({ ...p, id: 0 }, { id: 0, label: '', admin: false, zone: 'example.com.', names: ['www.example.com.', 'mail.example.com.'], subtree: true, types: [52, 1] });
    assert.ok(verifyToken(store, secret)!.admin);
    assert.equal(verifyToken(store, secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A')), undefined);
  } finally {
    store.close();
  }

  for (const [args, msg] of [
    [['--zone', 'example.com', '--type', 'A'], /needs at least one name/],
    [['--zone', 'example.com', '--name', 'www'], /needs at least one type/],
    [['--zone', 'nope.test', '--name', 'www', '--type', 'A'], /no such zone: nope\.test\./],
    [['--zone', 'example.com', '--name', 'www', '--type', 'WAT'], /unknown or meta RR type "WAT"/],
    [['--name', 'www', '--type', 'A'], /needs a zone/],
  ] as const) {
    const r = run(['token', 'create', ...args, '--db', db]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, msg);
    assert.equal(r.stderr.split('\n').length, 2, 'one line');
  }

  const list = run(['token', 'list', '--db', db]).stdout;
  assert.match(list, /^1\tadmin\t\*\tops\t/m);
  assert.match(list, /^2\tscoped\texample\.com\.: www\.example\.com\.,mail\.example\.com\. \(and below\) TLSA,A\t/m);
  assert.ok(!list.includes(secret.slice(3)), 'no secrets listed');
  assert.equal(run(['token', 'revoke', '2', '--db', db]).stdout, 'revoked token 2\n');
  assert.match(run(['token', 'list', '--db', db]).stdout, /^2\t.*\t\d{4}-\d\d-\d\dT[^\t]+\n/m);
  assert.match(run(['token', 'revoke', '2', '--db', db]).stderr, /no live token with id 2/);
  assert.match(run(['token', 'revoke', 'x', '--db', db]).stderr, /needs a token ID/);
  assert.match(run(['token', 'frob', '--db', db]).stderr, /unknown token command "frob"/);
});
